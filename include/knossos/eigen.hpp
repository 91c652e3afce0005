// knossos: Eigen dense objects (Array, Matrix, Map, blocks with strides, either
// storage order) as ks::vmap arguments and outputs. Opt-in, as Eigen is a heavy
// include. Eigen::Tensor: <knossos/eigen_tensor.hpp>. Docs: docs/vmap.md
#pragma once

#include <Eigen/Core>

#include <knossos/vmap.hpp>

namespace ks::detail {

// Eigen objects stored in memory, of any scalar type (vmap itself refuses those that
// are not float or double, with its own message).
// (Compared with the type derived() returns, not with A itself: VectorBlock, what
// segment() and head() return, derives from DenseBase<Block<...>>.)
template <class A>
using eigen_derived_t = std::remove_cvref_t<decltype(std::declval<A&>().derived())>;

template <class A>
concept eigen_direct = requires(A& a) { a.derived(); } && std::derived_from<A, Eigen::DenseBase<eigen_derived_t<A>>> &&
                       (static_cast<unsigned>(A::Flags) & Eigen::DirectAccessBit) != 0;

}  // namespace ks::detail

namespace ks {

template <class A>
struct array_traits<A, std::enable_if_t<detail::eigen_direct<A>>> {
  static constexpr bool is_array = true;
  using element = typename A::Scalar;

  template <class X>
  static auto describe(X& a) {
    using P = std::remove_pointer_t<decltype(a.data())>;
    auto inner = static_cast<std::ptrdiff_t>(a.innerStride());
    auto outer = static_cast<std::ptrdiff_t>(a.outerStride());
    auto rows = static_cast<std::size_t>(a.rows());
    auto cols = static_cast<std::size_t>(a.cols());
    if constexpr (A::IsRowMajor)
      return detail::plane<P>{a.data(), rows, cols, outer, inner, false};
    else
      return detail::plane<P>{a.data(), rows, cols, inner, outer, false};
  }

  // A plain Array or Matrix of the same shape and storage order.
  static auto make_result(A const& a) {
    typename A::PlainObject r;
    r.resize(a.rows(), a.cols());
    return r;
  }
};

}  // namespace ks
