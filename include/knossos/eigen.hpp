// knossos: Eigen dense objects (Array, Matrix, Map, blocks with strides, either
// storage order) as ks::vmap arguments and outputs. Opt-in, as Eigen is a heavy
// include. Eigen::Tensor: <knossos/eigen_tensor.hpp>. Docs: docs/vmap.md
#pragma once

#include <Eigen/Core>

#include <knossos/vmap.hpp>

namespace ks::detail {

template <class A>
concept eigen_direct = std::derived_from<A, Eigen::DenseBase<A>> &&
                       (static_cast<unsigned>(A::Flags) & Eigen::DirectAccessBit) != 0 &&
                       is_element<typename A::Scalar>::value;

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
