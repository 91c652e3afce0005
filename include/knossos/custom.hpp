// knossos: giving a function its own derivative rule, like jax.custom_jvp: for opaque
// functions (std::lgamma, a library call) or numerically delicate ones.
// Docs: docs/derivatives.md
#pragma once

#include <string_view>

#include <knossos/diff.hpp>
#include <knossos/math.hpp>

namespace ks::detail {

// The static part of a custom function with N arguments: its rule's program, and (for
// an opaque f) f on numbers, called through a function pointer.
template <class F, class DF, std::size_t N>
struct custom_holder {
  using rule = lifted<DF>;
  static_assert(rule::template compile_time<N>,
                "ks::with_derivative(f, df): df must be a lambda without captures written with ks:: "
                "functions (it is differentiated again for second derivatives)");
  static_assert(rule::template outputs<N> == N,
                "ks::with_derivative(f, df): df must return one partial derivative per argument "
                "(a std::tuple for several arguments)");

  template <class T>
  static T call(T const* a) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return static_cast<T>(F{}(a[I]...));
    }(std::make_index_sequence<N>{});
  }
  static constexpr custom_desc desc{program_t<rule, N>::value.view(), static_cast<int>(N), &call<float>,
                                    &call<double>, &call<long double>};
};

template <class F, class DF>
struct custom_fn : kfunction<custom_fn<F, DF>> {
  [[no_unique_address]] F f;
  [[no_unique_address]] DF df;
  std::string_view name = "custom";

  template <std::size_t N>
  static constexpr bool compile_time = true;
  template <std::size_t N>
  static constexpr bool accepts = N <= 3 && [] {
    if constexpr (knossos_function<F>)
      return F::template accepts<N>;
    else
      return invocable_with<F, std::make_index_sequence<N>>::tracers ||
             [&]<std::size_t... I>(std::index_sequence<I...>) {
               return std::is_invocable_v<F const&, decltype(static_cast<double>(I))...>;
             }(std::make_index_sequence<N>{});
  }();
  template <std::size_t N>
  static constexpr std::size_t outputs = 1;

  template <std::size_t N>
  constexpr std::vector<int> trace_into(builder& b, int const* args) const {
    gnode n;
    n.desc = &custom_holder<F, DF, N>::desc;
    n.name = name;
    if constexpr (knossos_function<F>) {
      static_assert(F::template compile_time<N>,
                    "ks::with_derivative(ks::lift(f), df): f must be a lambda without captures");
      n.code = op::custom;
      n.arg[0] = detail::static_graph_into<F, N>(b, args)[0];
      for (std::size_t i = 0; i < N; ++i) n.arg[i + 1] = args[i];
    } else {
      n.code = op::opaque;
      for (std::size_t i = 0; i < N; ++i) n.arg[i] = args[i];
    }
    return {b.add(n)};
  }
  template <std::size_t N>
  static constexpr std::vector<int> static_into(builder& b, int const* args) {
    return custom_fn{}.template trace_into<N>(b, args);
  }
};

}  // namespace ks::detail

namespace ks {

/// A function f whose derivative is df instead of the derivative of f's body, like
/// jax.custom_jvp. df takes the same arguments and returns the partial derivative (one
/// argument) or a std::tuple of them. f is opaque: it is never traced, so it may call
/// anything (std::lgamma, a library); on SIMD batches it runs lane by lane. Pass
/// ks::lift(f) when f is written with ks:: functions, to trace it and keep it SIMD.
/// f (up to 3 arguments) and df must not capture. `name` is what ks::to_string prints.
/// Docs: docs/derivatives.md
template <class F, class DF>
constexpr auto with_derivative(F const& f, DF const& df, std::string_view name = "custom") {
  static_assert(detail::callable_object<F> && detail::callable_object<DF>,
                "ks::with_derivative(f, df): f and df must be function objects (generic lambdas)");
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "ks::with_derivative(f, df): f must not capture anything (pass what it needs as arguments)");
  return detail::custom_fn<F, DF>{{}, f, df, name};
}

/// softplus(x) = log(1 + exp(x)), computed without overflow (max(x, 0) + log1p(exp(-|x|)))
/// and differentiated as sigmoid(x), which is exact and stable everywhere.
inline constexpr auto softplus = with_derivative(
    ks::lift([](auto x) { return ks::max(x, 0) + ks::log1p(ks::exp(-ks::abs(x))); }),
    [](auto x) { return ks::sigmoid(x); }, "softplus");

/// log(sigmoid(x)) = -softplus(-x), stable for large |x|; derivative sigmoid(-x).
inline constexpr auto log_sigmoid = with_derivative(
    ks::lift([](auto x) { return ks::min(x, 0) - ks::log1p(ks::exp(-ks::abs(x))); }),
    [](auto x) { return ks::sigmoid(-x); }, "log_sigmoid");

}  // namespace ks
