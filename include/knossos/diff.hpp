// knossos: compile-time derivatives. grad, value_and_grad, jvp, vjp and hessian are
// knossos functions whose programs are the function's program differentiated by
// reverse accumulation over its graph (ir.hpp: differentiate), simplified as it is
// built. Each is itself a function of the same kind, so they compose:
// grad(grad(f)), vmap(vjp(f)), ... Docs: docs/derivatives.md
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <knossos/lift.hpp>

namespace ks::detail {

// What every transformation of one function F shares: F's run-time numbers are its own.
template <class K, class F>
struct transform_of : kfunction<K> {
  using function_type = F;
  // How many times F's program the transformed one may be (a first guess of its size).
  template <std::size_t N>
  static constexpr std::size_t growth = 5;
  template <std::size_t N>
  static constexpr bool compile_time = F::template compile_time<K::template inner_arity<N>>;

  template <std::size_t N>
  static constexpr bool accepts = K::template arity_ok<N> && F::template accepts<K::template inner_arity<N>>;

  template <std::size_t N>
  constexpr std::vector<int> trace_into(builder& b, int const* args) const {
    auto const& f = static_cast<K const&>(*this).f;
    return detail::transformed<N>(b, args, [&](builder& fb, int const* fargs) {
      return f.template trace_into<K::template inner_arity<N>>(fb, fargs);
    }, K::template body<N>);
  }
  template <std::size_t N>
  static constexpr std::vector<int> static_into(builder& b, int const* args) {
    return detail::transformed<N>(b, args, [](builder& fb, int const* fargs) {
      return detail::static_graph_into<F, K::template inner_arity<N>>(fb, fargs);
    }, K::template body<N>);
  }
  template <std::size_t N>
  constexpr void numbers(long double*& out) const {
    static_cast<K const&>(*this).f.template numbers<K::template inner_arity<N>>(out);
  }
  // The whole program (ks::grad(f) called on numbers): built and pruned once, not
  // inlined into an empty builder and pruned again.
  template <std::size_t N>
  static constexpr graph own_graph() {
    return detail::transformed_graph<N>([](builder& fb, int const* fargs) {
      return detail::static_graph_into<F, K::template inner_arity<N>>(fb, fargs);
    }, K::template body<N>);
  }

  template <std::size_t N>
  static constexpr bool arity_ok = true;
  template <std::size_t N>
  static constexpr std::size_t inner_arity = N;

  // Derivatives need one scalar result that is not a condition.
  template <std::size_t N>
  static constexpr void check() {
    constexpr std::size_t n = K::template inner_arity<N>;
    static_assert(F::template outputs<n> == 1,
                  "knossos: this function returns several values; derivatives need a scalar-valued "
                  "function (differentiate one result at a time)");
    if constexpr (F::template outputs<n> == 1) {
      using P = program_t<F, n>;
      static_assert(!P::value.nodes[static_cast<std::size_t>(P::value.outputs[0])].boolean,
                    "knossos: this function returns a condition (a comparison), which has no derivative");
    }
  }
};

template <class Inner>
constexpr int trace_inner(diff_builder& d, int const* args, Inner const& inner) {
  auto outs = inner(d, args);
  return outs.empty() ? d.lit(0) : outs[0];
}

template <std::size_t N>
constexpr std::vector<int> all_indices() {
  std::vector<int> v;
  for (std::size_t i = 0; i < N; ++i) v.push_back(static_cast<int>(i));
  return v;
}

// grad<I>(f) on a function of N arguments: I must be < N (the compiler's note shows
// both numbers, as grad_index<I, N>).
template <std::size_t I, std::size_t N>
struct grad_index {
  static constexpr void check() {
    static_assert(I < N, "ks::grad<I...>: an argument index is out of range: indices count from 0, "
                         "and the function was called with fewer arguments (see grad_index<I, N> below)");
  }
};

template <class F, std::size_t... Is>
struct grad_fn : transform_of<grad_fn<F, Is...>, F> {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr std::size_t outputs = sizeof...(Is) == 0 ? N : sizeof...(Is);
  template <std::size_t N>
  static constexpr void check() {
    (grad_index<Is, N>::check(), ...);
    transform_of<grad_fn, F>::template check<N>();
  }
  template <std::size_t N>
  static constexpr auto body = [](diff_builder& d, int const* args, auto const& inner) {
    int root = trace_inner(d, args, inner);
    if constexpr (sizeof...(Is) == 0)
      return differentiate(d, root, d.lit(1), all_indices<N>());
    else
      return differentiate(d, root, d.lit(1), std::vector<int>{static_cast<int>(Is < N ? Is : 0)...});
  };
};

template <class F>
struct value_and_grad_fn : transform_of<value_and_grad_fn<F>, F> {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr std::size_t outputs = N + 1;
  template <std::size_t N>
  static constexpr auto body = [](diff_builder& d, int const* args, auto const& inner) {
    int root = trace_inner(d, args, inner);
    auto g = differentiate(d, root, d.lit(1), all_indices<N>());
    g.insert(g.begin(), root);
    return g;
  };
};

// How many of vjp(f)'s N arguments are f's: the n for which f takes n arguments and
// returns N - n values (one cotangent each), or N if there is none.
template <class F, std::size_t N, std::size_t n = 0>
constexpr std::size_t vjp_inner_arity() {
  if constexpr (n >= N) {
    return N;
  } else {
    if constexpr (F::template accepts<n>)
      if constexpr (n + F::template outputs<n> == N) return n;
    return vjp_inner_arity<F, N, n + 1>();
  }
}

template <class F>
struct vjp_fn : transform_of<vjp_fn<F>, F> {
  [[no_unique_address]] F f;
  // f's arguments, then one cotangent per value f returns.
  template <std::size_t N>
  static constexpr std::size_t inner_arity = vjp_inner_arity<F, N>();
  template <std::size_t N>
  static constexpr bool arity_ok = inner_arity<N> < N;
  template <std::size_t N>
  static constexpr std::size_t outputs = inner_arity<N>;
  // A result that is a condition (a comparison) has no derivative.
  template <std::size_t N>
  static constexpr void check() {
    constexpr std::size_t n = inner_arity<N>;
    using P = program_t<F, n>;
    constexpr bool conditions = [] {
      for (std::size_t i = 0; i < P::value.n_outputs; ++i)
        if (P::value.nodes[static_cast<std::size_t>(P::value.outputs[i])].boolean) return true;
      return false;
    }();
    static_assert(!conditions, "knossos: this function returns a condition (a comparison), which has no derivative");
  }
  // dy * grad f for one result; for several, the gradient of sum_m dy_m f_m (the dy_m
  // held constant).
  template <std::size_t N>
  static constexpr auto body = [](diff_builder& d, int const* args, auto const& inner) {
    constexpr std::size_t n = inner_arity<N>;
    auto outs = inner(d, args);
    if constexpr (N - n == 1) {
      return differentiate(d, outs.empty() ? d.lit(0) : outs[0], args[n], all_indices<n>());
    } else {
      int root = d.node(op::mul, args[n], outs[0]);
      for (std::size_t m = 1; m < N - n; ++m) root = d.node(op::add, root, d.node(op::mul, args[n + m], outs[m]));
      return differentiate(d, root, d.lit(1), all_indices<n>());
    }
  };
};

template <class F>
struct jvp_fn : transform_of<jvp_fn<F>, F> {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool arity_ok = N % 2 == 0 && N > 0;
  template <std::size_t N>
  static constexpr std::size_t inner_arity = N / 2;
  template <std::size_t N>
  static constexpr std::size_t outputs = 2;
  template <std::size_t N>
  static constexpr auto body = [](diff_builder& d, int const* args, auto const& inner) {
    int root = trace_inner(d, args, inner);
    auto g = differentiate(d, root, d.lit(1), all_indices<N / 2>());
    poly tangent = d.zero();
    for (std::size_t i = 0; i < N / 2; ++i) tangent = tangent + d.E(g[i]) * d.atom(args[N / 2 + i]);
    return std::vector<int>{root, d.make(tangent)};
  };
};

// The n * n second derivatives, row by row (d2f/dx_i dx_j is result i * n + j): flat,
// as every knossos function's results are, so the same shape holds on numbers, inside
// a trace and under vmap. ks::to_matrix gives them as rows.
template <class F>
struct hessian_fn : transform_of<hessian_fn<F>, F> {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr std::size_t growth = 6 * (N + 1);
  template <std::size_t N>
  static constexpr std::size_t outputs = N * N;
  template <std::size_t N>
  static constexpr auto body = [](diff_builder& d, int const* args, auto const& inner) {
    int root = trace_inner(d, args, inner);
    auto g = differentiate(d, root, d.lit(1), all_indices<N>());
    std::vector<int> h;
    for (std::size_t i = 0; i < N; ++i) {
      auto row = differentiate(d, g[i], d.lit(1), all_indices<N>());
      h.insert(h.end(), row.begin(), row.end());
    }
    return h;
  };
};

// The values of a result: one value, or a std::tuple of values of one type.
template <class R>
struct result_values {
  using type = R;
  static constexpr std::size_t size = 1;
};
template <class T, class... Ts>
struct result_values<std::tuple<T, Ts...>> {
  static_assert((std::is_same_v<T, Ts> && ...),
                "ks::to_array / ks::to_matrix: expected one value or a std::tuple of values of one type");
  using type = T;
  static constexpr std::size_t size = 1 + sizeof...(Ts);
};

// n for n * n values (a Hessian's), else 0.
constexpr std::size_t square_side(std::size_t count) {
  for (std::size_t n = 1; n * n <= count; ++n)
    if (n * n == count) return n;
  return 0;
}

template <class F>
constexpr void check_function() {
  static_assert(callable_object<F>,
                "knossos: expected a function object, e.g. a generic lambda [](auto x) { ... }");
}

}  // namespace ks::detail

namespace ks {

/// Derivative of a scalar-valued f with respect to all its arguments (grad<I...>: the
/// chosen ones): one argument gives a scalar, several a std::tuple.
/// Docs: docs/derivatives.md
template <std::size_t... I, class F>
constexpr auto grad(F const& f) {
  detail::check_function<F>();
  return detail::grad_fn<decltype(ks::lift(f)), I...>{{}, ks::lift(f)};
}

/// f's value and its gradient together, sharing the forward sweep: a std::tuple
/// (value, df/dx0, df/dx1, ...). Docs: docs/derivatives.md
template <class F>
constexpr auto value_and_grad(F const& f) {
  detail::check_function<F>();
  return detail::value_and_grad_fn<decltype(ks::lift(f))>{{}, ks::lift(f)};
}

/// Reverse product: vjp(f)(x..., dy) = dy * grad f(x...), what a backward pass calls.
/// For f of several results, one dy per result: the gradient of sum_m dy_m f_m(x...)
/// (so vjp(vjp(f)) is a double backward). Docs: docs/derivatives.md
template <class F>
constexpr auto vjp(F const& f) {
  detail::check_function<F>();
  return detail::vjp_fn<decltype(ks::lift(f))>{{}, ks::lift(f)};
}

/// Forward product: jvp(f)(x..., t...) = std::tuple(f(x...), sum_i df/dx_i * t_i).
/// Docs: docs/derivatives.md
template <class F>
constexpr auto jvp(F const& f) {
  detail::check_function<F>();
  return detail::jvp_fn<decltype(ks::lift(f))>{{}, ks::lift(f)};
}

/// Second derivatives: for one argument a scalar, for n arguments a std::tuple of the
/// n * n values row by row (d2f / dx_i dx_j is element i * n + j), the same on numbers,
/// in a trace and under vmap; ks::to_matrix gives rows. Docs: docs/derivatives.md
template <class F>
constexpr auto hessian(F const& f) {
  detail::check_function<F>();
  return detail::hessian_fn<decltype(ks::lift(f))>{{}, ks::lift(f)};
}

/// The results of a knossos function (a number or a std::tuple of values of one type:
/// a gradient, value_and_grad's results, a Hessian's n * n values, arrays from vmap) as
/// a std::array, in order. Docs: docs/derivatives.md
template <class R>
constexpr auto to_array(R const& r) {
  using V = detail::result_values<R>;
  if constexpr (detail::is_std_tuple_v<R>)
    return std::apply([](auto const&... v) { return std::array<typename V::type, V::size>{v...}; }, r);
  else
    return std::array<R, 1>{r};
}

/// n * n values in row order (what ks::hessian returns) as an n x n std::array of rows,
/// so H[i][j] = d2f / dx_i dx_j. Docs: docs/derivatives.md
template <class R>
constexpr auto to_matrix(R const& r) {
  using V = detail::result_values<R>;
  constexpr std::size_t n = detail::square_side(V::size);
  static_assert(n > 0, "ks::to_matrix: expected n * n values in row order, as ks::hessian returns");
  auto const flat = ks::to_array(r);
  std::array<std::array<typename V::type, n>, n> m{};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) m[i][j] = flat[i * n + j];
  return m;
}

}  // namespace ks
