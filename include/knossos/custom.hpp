// knossos: giving a function its own derivative rule, like jax.custom_jvp: for opaque
// or numerically delicate functions (a stable softplus, log-sigmoid, ...).
// Docs: docs/derivatives.md
#pragma once

#include <string_view>

#include <knossos/lift.hpp>

namespace ks::detail {

// The operation of a function with a user-given derivative. f gives the value, df the
// partial derivatives (one value for one argument, a std::tuple for several); both
// are generic lambdas, evaluated by tracing like every knossos function.
template <class F, class DF, std::size_t N>
struct custom_op : call_style {
  [[no_unique_address]] F f;
  [[no_unique_address]] DF df;
  std::string_view name;
  static constexpr int arity = static_cast<int>(N);

  template <class... T>
  KS_INLINE constexpr auto eval(T const&... x) const {
    return lift(f)(x...);
  }

  template <class Tuple, std::size_t... I>
  KS_INLINE constexpr auto vjp_impl(Tuple const& p, std::index_sequence<I...>) const {
    auto const& g = std::get<N + 1>(p);
    auto d = lift(df)(std::get<I>(p)...);
    if constexpr (N == 1) {
      static_assert(!is_std_tuple_v<decltype(d)>,
                    "ks::with_derivative: df of a one-argument function must return one value");
      return std::tuple{detail::mul(g, d)};
    } else {
      static_assert(is_std_tuple_v<decltype(d)> && std::tuple_size_v<decltype(d)> == N,
                    "ks::with_derivative: df must return a std::tuple with one partial derivative "
                    "per argument");
      return std::tuple{detail::mul(g, std::get<I>(d))...};
    }
  }
  // Called with the operands' values, the result and the result's adjoint.
  template <class... P>
  KS_INLINE constexpr auto vjp(P const&... p) const {
    return vjp_impl(std::forward_as_tuple(p...), std::make_index_sequence<N>{});
  }
};

template <class F, class DF>
struct custom_fn : function_tag {
  [[no_unique_address]] F f;
  [[no_unique_address]] DF df;
  std::string_view name;

  template <std::size_t N>
  static constexpr bool accepts = traceable<F, N>;

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    static_assert(((operand<A> || concrete<A>) && ...),
                  "knossos: arguments must be numbers, xsimd batches or traced values");
    using Op = custom_op<F, DF, sizeof...(A)>;
    if constexpr (any_traced<A...>)
      return node<Op, wrapped_t<A>...>(Op{{}, f, df, name}, detail::wrap(a)...);
    else
      return lift(f)(a...);
  }
};

}  // namespace ks::detail

namespace ks {

/// A function f whose derivative is df instead of the derivative of f's body, like
/// jax.custom_jvp. df takes the same arguments and returns the partial derivative (one
/// argument) or a std::tuple of them. `name` is what ks::to_string prints.
/// Docs: docs/derivatives.md
template <class F, class DF>
constexpr auto with_derivative(F const& f, DF const& df, std::string_view name = "custom") {
  static_assert(detail::callable_object<F> && detail::callable_object<DF>,
                "ks::with_derivative(f, df): f and df must be function objects (generic lambdas)");
  return detail::custom_fn<F, DF>{{}, f, df, name};
}

/// softplus(x) = log(1 + exp(x)), computed without overflow (max(x, 0) + log1p(exp(-|x|)))
/// and differentiated as sigmoid(x), which is exact and stable everywhere.
inline constexpr auto softplus = with_derivative(
    [](auto x) { return ks::max(x, 0) + ks::log1p(ks::exp(-ks::abs(x))); },
    [](auto x) { return ks::sigmoid(x); }, "softplus");

/// log(sigmoid(x)) = -softplus(-x), stable for large |x|; derivative sigmoid(-x).
inline constexpr auto log_sigmoid = with_derivative(
    [](auto x) { return ks::min(x, 0) - ks::log1p(ks::exp(-ks::abs(x))); },
    [](auto x) { return ks::sigmoid(-x); }, "log_sigmoid");

}  // namespace ks
