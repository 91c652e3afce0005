// knossos: evaluating a traced expression on numbers, on batches, or on other
// expressions (substitution). Weak constants take the evaluation type here.
// Docs: docs/scalar-functions.md
#pragma once

#include <knossos/math.hpp>

namespace ks::detail {

// Evaluation context meaning "the arguments are expressions": the result is the
// expression with arguments substituted, simplified as it is rebuilt.
struct symbolic {};

template <class V>
inline constexpr bool is_symbolic = std::is_same_v<V, symbolic>;

template <class V, class E, class Env>
KS_INLINE constexpr auto eval(E const& e, Env const& env);

template <class V, class E, class Env, std::size_t... I>
KS_INLINE constexpr auto eval_node(E const& e, Env const& env, std::index_sequence<I...>) {
  return detail::apply(e.op, detail::eval<V>(std::get<I>(e.args), env)...);
}

// Rough cost of evaluating E on a batch, in vector multiplies: arithmetic 1, a
// division 4, a math function 16 (its op may say otherwise with `cost`).
template <class E>
struct cost : std::integral_constant<int, 0> {};
template <class Op>
constexpr int op_cost() {
  if constexpr (requires { Op::cost; })
    return Op::cost;
  else if constexpr (Op::style == notation::call)
    return 16;
  else
    return 1;
}
template <class Op, class... A>
struct cost<node<Op, A...>> : std::integral_constant<int, op_cost<Op>() + (cost<A>::value + ... + 0)> {};
template <class E>
inline constexpr int cost_v = cost<std::remove_cvref_t<E>>::value;

// Testing whether all lanes agree costs about as much as this much work: below it,
// a select on batches computes both sides and blends, as hand-written SIMD does.
inline constexpr int branch_test_cost = 8;

template <class A, class B>
inline constexpr bool worth_branching = cost_v<A> + cost_v<B> >= branch_test_cost;

// select evaluates only the branch taken: on a scalar condition that is an ordinary
// branch; on a batch it skips a costly branch no lane takes (an erf or exp branch is
// not computed for a batch whose lanes all take the other side).
template <class V, class C, class A, class B, class Env>
KS_INLINE constexpr auto eval_select(node<select_op, C, A, B> const& e, Env const& env) {
  auto c = detail::eval<V>(std::get<0>(e.args), env);
  if constexpr (is_symbolic<V>) {
    return detail::apply(select_op{}, c, detail::eval<V>(std::get<1>(e.args), env), detail::eval<V>(std::get<2>(e.args), env));
  } else if constexpr (std::is_same_v<decltype(c), bool>) {
    if (c) return detail::eval<V>(std::get<1>(e.args), env);
    return detail::eval<V>(std::get<2>(e.args), env);
  } else {
    if constexpr (worth_branching<A, B>) {
      if (xsimd::all(c)) return detail::eval<V>(std::get<1>(e.args), env);
      if (xsimd::none(c)) return detail::eval<V>(std::get<2>(e.args), env);
    }
    return xsimd::select(c, detail::eval<V>(std::get<1>(e.args), env), detail::eval<V>(std::get<2>(e.args), env));
  }
}

// V is the concrete type (float, double, a batch) or `symbolic`; env holds one value
// per argument of the traced function.
template <class V, class E, class Env>
KS_INLINE constexpr auto eval(E const& e, Env const& env) {
  if constexpr (is_var_v<E>) {
    return std::get<E::index>(env);
  } else if constexpr (is_constant_v<E>) {
    if constexpr (is_symbolic<V>)
      return e;
    else if constexpr (std::is_same_v<decltype(e.value), bool>)
      return e.value;
    else
      return detail::lit_like<V>(e.value);
  } else if constexpr (static_number<E>) {
    if constexpr (is_symbolic<V>)
      return e;
    else
      return detail::lit_like<V>(E::value);
  } else if constexpr (is_select_v<E>) {
    return detail::eval_select<V>(e, env);
  } else if constexpr (is_node_v<E>) {
    return detail::eval_node<V>(e, env, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    // A plain number the function returned without touching its arguments.
    if constexpr (is_symbolic<V>)
      return detail::wrap(e);
    else
      return detail::lit_like<V>(e);
  }
}

}  // namespace ks::detail
