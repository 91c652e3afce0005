// knossos: Eigen dense objects (Array, Matrix, Map, blocks with strides, either
// storage order) as ks::vmap arguments and outputs, and gradients and Hessians as
// Eigen vectors and matrices. Opt-in, as Eigen is a heavy include. Eigen::Tensor:
// <knossos/eigen_tensor.hpp>. Docs: docs/vmap.md, docs/derivatives.md
#pragma once

#include <Eigen/Core>

#include <knossos/diff.hpp>
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

/// A gradient (a number or a std::tuple of numbers of one type, as ks::grad returns) as
/// an Eigen column vector Eigen::Matrix<T, n, 1>. Docs: docs/derivatives.md
template <class R>
auto to_eigen_vector(R const& r) {
  auto const a = ks::to_array(r);
  using A = std::remove_const_t<decltype(a)>;
  using T = typename A::value_type;
  static_assert(std::is_arithmetic_v<T>, "ks::to_eigen_vector: expected numbers (results on numbers, not arrays)");
  Eigen::Matrix<T, static_cast<int>(std::tuple_size_v<A>), 1> v;
  for (std::size_t i = 0; i < a.size(); ++i) v(static_cast<Eigen::Index>(i)) = a[i];
  return v;
}

/// A Hessian (n * n numbers in row order, as ks::hessian returns) as an
/// Eigen::Matrix<T, n, n>, so a Newton step is p -= H.ldlt().solve(g).
/// Docs: docs/derivatives.md
template <class R>
auto to_eigen_matrix(R const& r) {
  auto const m = ks::to_matrix(r);
  using M = std::remove_const_t<decltype(m)>;
  using T = typename M::value_type::value_type;
  static_assert(std::is_arithmetic_v<T>, "ks::to_eigen_matrix: expected numbers (results on numbers, not arrays)");
  constexpr int n = static_cast<int>(std::tuple_size_v<M>);
  Eigen::Matrix<T, n, n> h;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) h(i, j) = m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  return h;
}

}  // namespace ks
