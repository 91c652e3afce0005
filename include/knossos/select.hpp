// knossos: ks::select(c, a, b) (alias ks::where), elementwise `c ? a : b`.
// Docs: docs/scalar-functions.md
#pragma once

#include <knossos/expr.hpp>

namespace ks::detail {

// The plain number or batch type that several concrete operands compute in: a batch
// if any operand is one, else their common type, with integers promoted to double.
struct no_concrete {};  // no operand has fixed the type yet

// The type two operands compute in (evaluated lazily: std::common_type of a batch and
// a number does not exist).
template <class A, class B>
constexpr auto combine() {
  if constexpr (std::is_same_v<A, no_concrete>)
    return std::type_identity<B>{};
  else if constexpr (std::is_same_v<B, no_concrete> || is_batch_v<A>)
    return std::type_identity<A>{};
  else if constexpr (is_batch_v<B>)
    return std::type_identity<B>{};
  else
    return std::type_identity<std::common_type_t<A, B>>{};
}

template <class... T>
struct common_concrete_impl;
template <>
struct common_concrete_impl<> {
  using type = no_concrete;
};
template <class T, class... R>
struct common_concrete_impl<T, R...> {
  using rest = typename common_concrete_impl<R...>::type;
  using U = std::remove_cvref_t<T>;
  // static numbers and conditions do not choose the type; integers count as double.
  using own = std::conditional_t<static_number<U> || is_batch_bool_v<U> || std::is_same_v<U, bool>, no_concrete,
                                 std::conditional_t<std::is_integral_v<U>, double, U>>;
  using type = typename decltype(combine<own, rest>())::type;
};
template <class... T>
struct common_concrete {
  using impl = typename common_concrete_impl<T...>::type;
  using type = std::conditional_t<std::is_same_v<impl, no_concrete>, double, impl>;
};
template <class... T>
using common_concrete_t = typename common_concrete<T...>::type;

// Convert a number, static number or batch to the concrete type V.
template <class V, class T>
KS_INLINE constexpr V to_concrete(T const& x) {
  if constexpr (std::is_same_v<std::remove_cvref_t<T>, V>)
    return x;
  else if constexpr (static_number<T>)
    return detail::lit_like<V>(T::value);
  else
    return detail::lit_like<V>(static_cast<scalar_of_t<V>>(x));
}

// The batch type whose comparisons give the batch_bool C.
template <class C>
struct batch_of_bool;
template <class T, class A>
struct batch_of_bool<xsimd::batch_bool<T, A>> {
  using type = xsimd::batch<T, A>;
};

struct select_op {
  static constexpr std::string_view name = "select";
  static constexpr int cost = 1;
  static constexpr notation style = notation::call;
  static constexpr int prec = prec_atom;

  template <class C, class A, class B>
  KS_INLINE static constexpr auto eval(C const& c, A const& a, B const& b) {
    if constexpr (is_batch_bool_v<C>) {
      using V = std::conditional_t<is_batch_v<A>, A,
                                   std::conditional_t<is_batch_v<B>, B,
                                                      typename batch_of_bool<C>::type>>;
      return xsimd::select(c, detail::to_concrete<V>(a), detail::to_concrete<V>(b));
    } else if constexpr (std::is_same_v<A, bool> && std::is_same_v<B, bool>) {
      return c ? a : b;
    } else {
      using V = common_concrete_t<A, B>;
      return c ? detail::to_concrete<V>(a) : detail::to_concrete<V>(b);
    }
  }

  template <class C, class A, class B>
  KS_INLINE static constexpr auto build(C const& c, A const& a, B const& b) {
    if constexpr (static_number<A> && std::is_same_v<A, B>)
      return a;  // select(c, 0, 0) -> 0: what differentiation of a constant branch gives
    else
      return node<select_op, wrapped_t<C>, wrapped_t<A>, wrapped_t<B>>(select_op{}, detail::wrap(c),
                                                                        detail::wrap(a), detail::wrap(b));
  }
};

// Is Op the select operation? Evaluation and differentiation treat it specially: only
// the branch taken is evaluated, and only it is differentiated.
template <class E>
inline constexpr bool is_select_v = false;
template <class C, class A, class B>
inline constexpr bool is_select_v<node<select_op, C, A, B>> = true;

struct select_fn {
  template <class C, class A, class B>
  KS_INLINE constexpr auto operator()(C const& c, A const& a, B const& b) const {
    static_assert((operand<C> || concrete<C>) && (operand<A> || concrete<A>) &&
                      (operand<B> || concrete<B>),
                  "ks::select(cond, a, b): cond, a and b must be numbers, batches or traced values");
    return detail::apply(select_op{}, c, a, b);
  }
};

}  // namespace ks::detail

namespace ks {

/// `c ? a : b`, elementwise on batches, traced on expressions. Nest it for elif chains.
/// Only the branch taken is differentiated. Docs: docs/scalar-functions.md
inline constexpr detail::select_fn select{};
/// Alias of ks::select, as in numpy/torch.
inline constexpr detail::select_fn where{};

}  // namespace ks
