// knossos: compile-time derivatives. grad, value_and_grad, jvp, vjp and hessian are
// derived from the traced expression's type by reverse accumulation over the tree:
// a forward sweep keeps every node's value in a typed tape (a struct mirroring the
// expression, so it lives in registers), a backward sweep pushes adjoints from the
// root to the arguments. The work and the generated code are linear in the size of
// the function. Run on expressions instead of numbers, the same sweeps build the
// derivative as a new, simplified expression: that is how grad(grad(f)) works.
// Docs: docs/derivatives.md
#pragma once

#include <boost/hana/at.hpp>
#include <boost/hana/integral_constant.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>
#include <boost/hana/zip_with.hpp>

#include <knossos/lift.hpp>

namespace ks::detail {

namespace hana = boost::hana;

template <class E>
inline constexpr bool is_differentiable_node = false;
template <class Op, class... A>
inline constexpr bool is_differentiable_node<node<Op, A...>> = !condition_op<Op>;

// ---------------------------------------------------------------------------------
// Forward sweep: a tape node per expression node, holding its value.

template <class V, class... Kids>
struct tape {
  V value;
  std::tuple<Kids...> kids;
};

// For select only the taken branch's tape is filled (on batches: both, when lanes
// disagree); the condition is kept for the backward sweep.
template <class V, class C, class TA, class TB>
struct select_tape {
  V value{};
  C cond{};
  TA a{};
  TB b{};
};

template <class V, class E, class Env>
KS_INLINE constexpr auto forward(E const& e, Env const& env);

template <class V, class E, class Env, std::size_t... I>
KS_INLINE constexpr auto forward_node(E const& e, Env const& env, std::index_sequence<I...>) {
  auto kids = std::tuple{detail::forward<V>(std::get<I>(e.args), env)...};
  auto value = detail::apply(e.op, std::get<I>(kids).value...);
  return tape<decltype(value), decltype(detail::forward<V>(std::get<I>(e.args), env))...>{value, kids};
}

template <class V, class C, class A, class B, class Env>
KS_INLINE constexpr auto forward_select(node<select_op, C, A, B> const& e, Env const& env) {
  auto const& [ce, ae, be] = e.args;
  auto c = detail::eval<V>(ce, env);
  using TA = decltype(detail::forward<V>(ae, env));
  using TB = decltype(detail::forward<V>(be, env));
  if constexpr (is_symbolic<V>) {
    TA ta = detail::forward<V>(ae, env);
    TB tb = detail::forward<V>(be, env);
    auto value = detail::apply(select_op{}, c, ta.value, tb.value);
    return select_tape<decltype(value), decltype(c), TA, TB>{value, c, ta, tb};
  } else if constexpr (std::is_same_v<decltype(c), bool>) {
    // A scalar condition: an ordinary branch, only the taken side is computed.
    select_tape<decltype(detail::eval<V>(e, env)), bool, TA, TB> t{};
    t.cond = c;
    if (c) {
      t.a = detail::forward<V>(ae, env);
      t.value = t.a.value;
    } else {
      t.b = detail::forward<V>(be, env);
      t.value = t.b.value;
    }
    return t;
  } else {
    // On batches both sides are computed, straight-line, so the whole tape stays in
    // registers (a tape filled under a runtime branch is spilled to the stack, which
    // measured 8x slower on relu3's vjp). The backward sweep still skips a costly
    // branch that no lane takes.
    TA ta = detail::forward<V>(ae, env);
    TB tb = detail::forward<V>(be, env);
    auto value = xsimd::select(c, ta.value, tb.value);
    return select_tape<decltype(value), decltype(c), TA, TB>{value, c, ta, tb};
  }
}

template <class T>
KS_INLINE constexpr auto const& tvalue(T const& t) {
  if constexpr (traced<T> || static_number<T>)
    return t;
  else
    return t.value;
}
template <std::size_t I, class T>
KS_INLINE constexpr auto const& tkid(T const& t) {
  if constexpr (traced<T>)
    return std::get<I>(t.args);
  else
    return std::get<I>(t.kids);
}
template <class T>
KS_INLINE constexpr auto const& tcond(T const& t) {
  if constexpr (traced<T>)
    return std::get<0>(t.args);
  else
    return t.cond;
}
template <class T>
KS_INLINE constexpr auto const& tbranch_a(T const& t) {
  if constexpr (traced<T>)
    return std::get<1>(t.args);
  else
    return t.a;
}
template <class T>
KS_INLINE constexpr auto const& tbranch_b(T const& t) {
  if constexpr (traced<T>)
    return std::get<2>(t.args);
  else
    return t.b;
}

template <class V, class E, class Env>
KS_INLINE constexpr auto forward(E const& e, Env const& env) {
  if constexpr (is_select_v<E>) {
    return detail::forward_select<V>(e, env);
  } else if constexpr (is_differentiable_node<E>) {
    return detail::forward_node<V>(e, env, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    // Leaves, and conditions, which are evaluated but never differentiated.
    auto value = detail::eval<V>(e, env);
    return tape<decltype(value)>{value, {}};
  }
}

// ---------------------------------------------------------------------------------
// Backward sweep. `grads` is a hana::tuple with one adjoint accumulator per argument.
// On numbers and batches its element types never change (V for each argument the
// expression uses, zero_t for the others), which lets a runtime branch (select)
// assign to it; on expressions each accumulation makes a new type.

template <std::size_t I, class Grads, class G>
KS_INLINE constexpr auto accumulate(Grads const& grads, G const& g) {
  return hana::unpack(hana::make_range(hana::size_c<0>, hana::size_c<decltype(hana::length(grads))::value>),
                      [&](auto... j) {
                        return hana::make_tuple([&](auto jj) {
                          if constexpr (decltype(jj)::value == I)
                            return detail::add(hana::at(grads, jj), g);
                          else
                            return hana::at(grads, jj);
                        }(j)...);
                      });
}

// Accumulators for argument count N and value type V: V where E uses the argument.
template <class V, class E, std::size_t I>
KS_INLINE constexpr auto zero_grad() {
  // -0.0, not +0.0: x + -0.0 == x for every x, so the compiler drops the first
  // accumulation; `finish` turns a -0 result back into +0.
  if constexpr (!is_symbolic<V> && uses_var<I, E>::value)
    return detail::lit_like<V>(-0.0);
  else
    return zero_t{};
}
template <class V, class E, std::size_t N>
KS_INLINE constexpr auto zero_grads() {
  return hana::unpack(hana::make_range(hana::size_c<0>, hana::size_c<N>),
                      [](auto... i) { return hana::make_tuple(zero_grad<V, E, decltype(i)::value>()...); });
}

template <class E, class T, class G, class Grads>
KS_INLINE constexpr auto backward(E const& e, T const& t, G const& g, Grads const& grads);

template <std::size_t K, class E, class T, class P, class Grads>
KS_INLINE constexpr auto backward_kids(E const& e, T const& t, P const& partials, Grads const& grads) {
  if constexpr (K == std::tuple_size_v<P>) {
    return grads;
  } else {
    using Kid = std::remove_cvref_t<decltype(std::get<K>(e.args))>;
    using Part = std::remove_cvref_t<decltype(std::get<K>(partials))>;
    if constexpr (has_vars<Kid>::value && !is_zero<Part>)
      return detail::backward_kids<K + 1>(
          e, t, partials, detail::backward(std::get<K>(e.args), tkid<K>(t), std::get<K>(partials), grads));
    else
      return detail::backward_kids<K + 1>(e, t, partials, grads);
  }
}

template <class E>
inline constexpr bool divides_by_constant = false;
template <class A, class B>
inline constexpr bool divides_by_constant<node<div_op, A, B>> = is_foldable<B>;

template <class Op, class... A, class T, class G, class Grads, std::size_t... I>
KS_INLINE constexpr auto backward_node(node<Op, A...> const& e, T const& t, G const& g, Grads const& grads,
                                       std::index_sequence<I...>) {
  if constexpr (divides_by_constant<node<Op, A...>> && !traced<G> && !static_number<G>) {
    // Division by a constant: multiply the adjoint by the reciprocal, which the compiler
    // folds, instead of dividing in the loop.
    auto recip = detail::lit_like<G>(1) / detail::to_concrete<G>(detail::value_of(std::get<1>(e.args)));
    return detail::backward_kids<0>(e, t, std::tuple{detail::mul(g, recip), zero_t{}}, grads);
  } else {
    auto partials = e.op.vjp(tvalue(tkid<I>(t))..., tvalue(t), g);
    return detail::backward_kids<0>(e, t, partials, grads);
  }
}

// Derivative of select: the derivative of the branch taken. The branch not taken is
// never multiplied in, so a nan or inf there (sqrt(x) at x < 0) cannot poison it.
template <class C, class A, class B, class T, class G, class Grads>
KS_INLINE constexpr auto backward_select(node<select_op, C, A, B> const& e, T const& t, G const& g,
                                         Grads const& grads) {
  auto const& a = std::get<1>(e.args);
  auto const& b = std::get<2>(e.args);
  using Cond = std::remove_cvref_t<decltype(tcond(t))>;
  if constexpr (std::is_same_v<Cond, bool>) {
    if (tcond(t)) return detail::backward(a, tbranch_a(t), g, grads);
    return detail::backward(b, tbranch_b(t), g, grads);
  } else {
    // Lanes disagree (or the condition is symbolic): differentiate both branches
    // separately and merge per argument with the condition.
    constexpr std::size_t n = decltype(hana::length(grads))::value;
    using V = std::remove_cvref_t<decltype(tvalue(t))>;
    auto merged = [&] {
      using W = std::conditional_t<traced<Cond>, symbolic, V>;
      auto ga = detail::backward(a, tbranch_a(t), g, zero_grads<W, A, n>());
      auto gb = detail::backward(b, tbranch_b(t), g, zero_grads<W, B, n>());
      return hana::zip_with(
          [&](auto const& acc, auto const& da, auto const& db) {
            using DA = std::remove_cvref_t<decltype(da)>;
            using DB = std::remove_cvref_t<decltype(db)>;
            if constexpr (is_zero<DA> && is_zero<DB>)
              return acc;
            else
              return detail::add(acc, detail::apply(select_op{}, tcond(t), da, db));
          },
          grads, ga, gb);
    };
    if constexpr (traced<Cond>) {
      return merged();
    } else {
      if constexpr (worth_branching<A, B>) {
        if (xsimd::all(tcond(t))) return detail::backward(a, tbranch_a(t), g, grads);
        if (xsimd::none(tcond(t))) return detail::backward(b, tbranch_b(t), g, grads);
      }
      return merged();
    }
  }
}

template <class E, class T, class G, class Grads>
KS_INLINE constexpr auto backward(E const& e, T const& t, G const& g, Grads const& grads) {
  if constexpr (is_var_v<E>) {
    return detail::accumulate<E::index>(grads, g);
  } else if constexpr (is_select_v<E>) {
    return detail::backward_select(e, t, g, grads);
  } else if constexpr (is_differentiable_node<E>) {
    return detail::backward_node(e, t, g, grads, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    return grads;  // constants
  }
}

// ---------------------------------------------------------------------------------
// The transformations.

template <class E>
constexpr void check_scalar_result() {
  static_assert(!is_std_tuple_v<E>,
                "knossos: this function returns several values; derivatives need a scalar-valued "
                "function (differentiate one result at a time)");
  static_assert(!is_node_v<E> || is_differentiable_node<E>,
                "knossos: this function returns a condition (a comparison), which has no derivative");
}

// An adjoint as returned to the user: a number of the evaluation type (zero_t -> 0),
// or an expression when tracing.
template <class V, class G>
KS_INLINE constexpr auto finish(G const& g) {
  if constexpr (is_symbolic<V>)
    return g;
  else if constexpr (static_number<G>)
    return detail::to_concrete<V>(g);
  else
    return g + detail::lit_like<V>(0);  // -0 -> +0 (see zero_grad)
}

template <class Env, class = std::make_index_sequence<std::tuple_size_v<Env>>>
inline constexpr bool is_identity_env = false;
template <std::size_t... I>
inline constexpr bool is_identity_env<std::tuple<var<I>...>, std::index_sequence<I...>> = true;

// x with the placeholders replaced by env (nothing to do when env is the placeholders).
template <class X, class Env>
KS_INLINE constexpr auto substitute(X const& x, Env const& env) {
  if constexpr (is_identity_env<Env>)
    return x;
  else
    return detail::eval<symbolic>(x, env);
}

// Value and adjoints of f at a..., with the root's adjoint seeded by `seed`.
template <class F, class S, class... A>
KS_INLINE constexpr auto reverse(F const& f, S const& seed, A const&... a) {
  using V = context_t<A...>;
  constexpr std::size_t n = sizeof...(A);
  auto traced = detail::trace<n>(f);
  check_scalar_result<decltype(traced)>();
  // Past a failed check, go on with 0 so the diagnostic above is the only one.
  auto e = [&] {
    if constexpr (is_std_tuple_v<decltype(traced)> || (is_node_v<decltype(traced)> && !is_differentiable_node<decltype(traced)>))
      return zero_t{};
    else
      return traced;
  }();
  using E = decltype(e);
  auto env = detail::make_env<V>(a...);
  if constexpr (is_symbolic<V>) {
    KS_FOLD_BARRIER()
    // Differentiate with respect to the placeholders, then put the actual arguments in.
    auto grads = detail::backward(e, e, detail::wrap(seed), zero_grads<V, E, n>());
    return std::pair{detail::substitute(e, env),
                     hana::transform(grads, [&](auto const& g) { return detail::substitute(g, env); })};
  } else {
    auto t = detail::forward<V>(e, env);
    return std::pair{detail::to_concrete<V>(t.value),
                     detail::backward(e, t, detail::to_concrete<V>(seed), zero_grads<V, E, n>())};
  }
}

template <std::size_t N, std::size_t... I>
constexpr bool indices_in_range() {
  return ((I < N) && ...);
}

template <class V, std::size_t N, class Grads, std::size_t... I>
KS_INLINE constexpr auto pick_all(Grads const& grads, std::index_sequence<I...>);

// The chosen adjoints (all when Is is empty): one is returned as it is, several as a
// std::tuple.
template <class V, std::size_t N, std::size_t... Is, class Grads>
KS_INLINE constexpr auto pick(Grads const& grads) {
  if constexpr (sizeof...(Is) == 0) {
    return detail::pick_all<V, N>(grads, std::make_index_sequence<N>{});
  } else {
    static_assert(indices_in_range<N, Is...>(), "ks::grad<I...>: an argument index is out of range");
    if constexpr (sizeof...(Is) == 1)
      return detail::finish<V>(hana::at_c<Is...>(grads));
    else
      return std::tuple{detail::finish<V>(hana::at_c<Is>(grads))...};
  }
}
template <class V, std::size_t N, class Grads, std::size_t... I>
KS_INLINE constexpr auto pick_all(Grads const& grads, std::index_sequence<I...>) {
  return detail::pick<V, N, I...>(grads);
}

template <class V>
KS_INLINE constexpr auto unit() {
  if constexpr (is_symbolic<V>)
    return one_t{};
  else
    return detail::lit_like<V>(1);
}

template <class F, std::size_t... Is>
struct grad_fn : function_tag {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool accepts = traceable<F, N>;

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    using V = context_t<A...>;
    return pick<V, sizeof...(A), Is...>(detail::reverse(f, unit<V>(), a...).second);
  }
};

template <class F>
struct value_and_grad_fn : function_tag {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool accepts = traceable<F, N>;

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    using V = context_t<A...>;
    auto r = detail::reverse(f, unit<V>(), a...);
    return hana::unpack(r.second, [&](auto const&... g) { return std::tuple{r.first, detail::finish<V>(g)...}; });
  }
};

// Call `body(x..., last)` where the arguments are split as all-but-last and last.
template <class Body, class Tuple, std::size_t... I>
KS_INLINE constexpr auto split_last(Body const& body, Tuple const& args, std::index_sequence<I...>) {
  return body(std::get<sizeof...(I)>(args), std::get<I>(args)...);
}

template <class F>
struct vjp_fn : function_tag {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool accepts = N >= 1 && traceable<F, N - 1>;

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    static_assert(sizeof...(A) >= 2, "ks::vjp(f)(x..., dy): pass f's arguments, then the output adjoint dy");
    return split_last(
        [&](auto const& dy, auto const&... x) {
          using V = context_t<A...>;
          return pick<V, sizeof...(x)>(detail::reverse(f, dy, x...).second);
        },
        std::forward_as_tuple(a...), std::make_index_sequence<sizeof...(A) - 1>{});
  }
};

template <class F>
struct jvp_fn : function_tag {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool accepts = N % 2 == 0 && traceable<F, N / 2>;

  template <class Tuple, std::size_t... I>
  KS_INLINE constexpr auto run(Tuple const& args, std::index_sequence<I...>) const {
    constexpr std::size_t n = sizeof...(I);
    using V = context_t<std::tuple_element_t<I, Tuple>..., std::tuple_element_t<I + n, Tuple>...>;
    auto env = make_env_tuple<V>(args);
    auto r = detail::reverse(f, unit<V>(), std::get<I>(env)...);
    auto tangent = add_all(zero_t{}, detail::mul(hana::at_c<I>(r.second), std::get<I + n>(env))...);
    return std::tuple{r.first, detail::finish<V>(tangent)};
  }
  template <class V, class Tuple>
  KS_INLINE static constexpr auto make_env_tuple(Tuple const& args) {
    return std::apply([](auto const&... a) { return detail::make_env<V>(a...); }, args);
  }
  template <class S>
  KS_INLINE static constexpr auto add_all(S const& s) {
    return s;
  }
  template <class S, class X, class... R>
  KS_INLINE static constexpr auto add_all(S const& s, X const& x, R const&... r) {
    return add_all(detail::add(s, x), r...);
  }

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    static_assert(sizeof...(A) % 2 == 0 && sizeof...(A) > 0,
                  "ks::jvp(f)(x..., t...): pass f's arguments, then one tangent per argument");
    return run(std::forward_as_tuple(a...), std::make_index_sequence<sizeof...(A) / 2>{});
  }
};

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
KS_INLINE constexpr auto grad(F const& f) {
  detail::check_function<F>();
  return detail::grad_fn<F, I...>{{}, f};
}

/// f's value and its gradient together, sharing the forward sweep: a std::tuple
/// (value, df/dx0, df/dx1, ...). Docs: docs/derivatives.md
template <class F>
KS_INLINE constexpr auto value_and_grad(F const& f) {
  detail::check_function<F>();
  return detail::value_and_grad_fn<F>{{}, f};
}

/// Reverse product: vjp(f)(x..., dy) = dy * grad f(x...), what a backward pass calls.
/// Docs: docs/derivatives.md
template <class F>
KS_INLINE constexpr auto vjp(F const& f) {
  detail::check_function<F>();
  return detail::vjp_fn<F>{{}, f};
}

/// Forward product: jvp(f)(x..., t...) = std::tuple(f(x...), sum_i df/dx_i * t_i).
/// Docs: docs/derivatives.md
template <class F>
KS_INLINE constexpr auto jvp(F const& f) {
  detail::check_function<F>();
  return detail::jvp_fn<F>{{}, f};
}

}  // namespace ks

namespace ks::detail {

template <class F>
struct hessian_fn : function_tag {
  [[no_unique_address]] F f;
  template <std::size_t N>
  static constexpr bool accepts = traceable<F, N>;

  template <std::size_t I, class Args, std::size_t... J>
  KS_INLINE constexpr auto row(Args const& args, std::index_sequence<J...>) const {
    return std::tuple{std::apply(grad_fn<grad_fn<F, I>, J>{{}, grad_fn<F, I>{{}, f}}, args)...};
  }
  template <class Args, std::size_t... I>
  KS_INLINE constexpr auto rows(Args const& args, std::index_sequence<I...> is) const {
    return std::tuple{row<I>(args, is)...};
  }

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    if constexpr (sizeof...(A) == 1)
      return grad_fn<grad_fn<F>>{{}, grad_fn<F>{{}, f}}(a...);
    else
      return rows(std::forward_as_tuple(a...), std::make_index_sequence<sizeof...(A)>{});
  }
};

}  // namespace ks::detail

namespace ks {

/// Second derivatives: for one argument a scalar, for n arguments an n-by-n nested
/// std::tuple, H[i][j] = d2f / dx_i dx_j. Docs: docs/derivatives.md
template <class F>
KS_INLINE constexpr auto hessian(F const& f) {
  detail::check_function<F>();
  return detail::hessian_fn<F>{{}, f};
}

}  // namespace ks
