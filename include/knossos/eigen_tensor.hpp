// knossos: Eigen::Tensor, TensorMap and TensorFixedSize as ks::vmap arguments and
// outputs (contiguous, any rank; the result has the same dimensions). Docs: docs/vmap.md
#pragma once

#include <unsupported/Eigen/CXX11/Tensor>

#include <knossos/vmap.hpp>

namespace ks::detail {

// These tensors are contiguous in either layout: vmap reads them as one line of
// size() elements, and gives the result the tensor's dimensions.
template <class T>
struct tensor_traits {
  static constexpr bool is_array = true;
  using element = std::remove_const_t<T>;
  template <class X>
  static auto describe(X& t) {
    using P = std::remove_pointer_t<decltype(t.data())>;
    return plane<P>{t.data(), static_cast<std::size_t>(t.size()), 1, 1, 1, true};
  }
};

}  // namespace ks::detail

namespace ks {

template <class T, int R, int O, class I>
struct array_traits<Eigen::Tensor<T, R, O, I>> : detail::tensor_traits<T> {
  static auto make_result(Eigen::Tensor<T, R, O, I> const& t) { return Eigen::Tensor<T, R, O, I>(t.dimensions()); }
};

template <class T, int R, int O, class I, int MO>
struct array_traits<Eigen::TensorMap<Eigen::Tensor<T, R, O, I>, MO>> : detail::tensor_traits<T> {
  static auto make_result(Eigen::TensorMap<Eigen::Tensor<T, R, O, I>, MO> const& t) {
    return Eigen::Tensor<std::remove_const_t<T>, R, O, I>(t.dimensions());
  }
};

template <class T, class D, int O, class I>
struct array_traits<Eigen::TensorFixedSize<T, D, O, I>> : detail::tensor_traits<T> {
  static auto make_result(Eigen::TensorFixedSize<T, D, O, I> const&) { return Eigen::TensorFixedSize<T, D, O, I>{}; }
};

}  // namespace ks
