// knossos: ks::select(c, a, b) (alias ks::where), elementwise `c ? a : b`.
// Docs: docs/scalar-functions.md
#pragma once

#include <knossos/expr.hpp>

namespace ks::detail {

// The batch type whose comparisons give the batch_bool C.
template <class C>
struct batch_of_bool;
template <class T, class A>
struct batch_of_bool<xsimd::batch_bool<T, A>> {
  using type = xsimd::batch<T, A>;
};

struct select_fn {
  template <class C, class A, class B>
  constexpr auto operator()(C const& c, A const& a, B const& b) const {
    static_assert((operand<C> || concrete<C>) && (operand<A> || concrete<A>) && (operand<B> || concrete<B>),
                  "ks::select(cond, a, b): cond, a and b must be numbers, batches or traced values");
    if constexpr (traced<C> || traced<A> || traced<B>) {
      return detail::apply_op<op::select>(c, a, b);
    } else if constexpr (is_batch_bool_v<C>) {
      using V = std::conditional_t<is_batch_v<A>, A, std::conditional_t<is_batch_v<B>, B, typename batch_of_bool<C>::type>>;
      return xsimd::select(c, detail::to_concrete<V>(a), detail::to_concrete<V>(b));
    } else if constexpr (std::is_same_v<A, bool> && std::is_same_v<B, bool>) {
      return c ? a : b;
    } else {
      using V = common_concrete_t<A, B>;
      return c ? detail::to_concrete<V>(a) : detail::to_concrete<V>(b);
    }
  }
};

}  // namespace ks::detail

namespace ks {

/// `c ? a : b`, elementwise on batches, traced on traced values. Nest it for elif
/// chains. Only the branch taken is differentiated, and a branch no lane takes is not
/// computed when it is costly. Docs: docs/scalar-functions.md
inline constexpr detail::select_fn select{};
/// Alias of ks::select, as in numpy/torch.
inline constexpr detail::select_fn where{};

}  // namespace ks
