// ks::vmap over every kind of Eigen view and expression: blocks, rows, columns,
// transposes, strided Maps, Refs, fixed sizes, both storage orders. Each result is
// compared with a plain loop over (i, j) that reads the same view through Eigen's own
// operator(), so a wrong element order or stride cannot pass. (Eigen objects without
// <knossos/eigen.hpp>, and expressions such as W * X, are compile-fail tests.)
#include <doctest/doctest.h>

// Included before the adapter on purpose: the other order is tested by unit-vmap-eigen.
#include <knossos/knossos.hpp>

#include <Eigen/Core>
#include <knossos/eigen.hpp>

namespace {

// Small integers in, small integers out: exact in float whatever the compiler
// contracts or vectorises, so the comparisons can be ==.
constexpr auto square_plus_one = [](auto x) { return x * x + 1; };
constexpr auto combine = [](auto a, auto b) { return a * 100 + b; };

template <class M>
void number(M& m, int offset = 0) {
  using T = typename M::Scalar;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = static_cast<T>(offset + 10 * i + j);
}

// vmap(square_plus_one)(view) against the plain loop, element by element.
template <class V>
void check_view(V const& view) {
  auto r = ks::vmap(square_plus_one)(view);
  REQUIRE(r.rows() == view.rows());
  REQUIRE(r.cols() == view.cols());
  for (Eigen::Index i = 0; i < view.rows(); ++i)
    for (Eigen::Index j = 0; j < view.cols(); ++j) {
      CAPTURE(i);
      CAPTURE(j);
      auto v = view(i, j);
      CHECK(r(i, j) == v * v + 1);
    }
}

// vmap(...).into(view, view) in place: the view's elements change, nothing else in
// the matrix behind it does. (m is numbered afresh, so that every value stays a small
// integer: squared twice they would not be exact in float.)
template <class M, class MakeView>
void check_in_place(M& m, MakeView make_view) {
  number(m);
  M before = m;
  auto view = make_view(m);
  ks::vmap(square_plus_one).into(view, view);
  M expected = before;
  auto expected_view = make_view(expected);
  for (Eigen::Index i = 0; i < expected_view.rows(); ++i)
    for (Eigen::Index j = 0; j < expected_view.cols(); ++j) {
      auto v = expected_view(i, j);
      expected_view(i, j) = v * v + 1;
    }
  CHECK((m.array() == expected.array()).all());
}

}  // namespace

// Both storage orders, both element types, Matrix and Array (each view kind is its own
// instantiation of vmap, so the product of all four is not worth its compile time).
TEST_CASE_TEMPLATE("every Eigen view kind gives the plain loop's values", M, Eigen::MatrixXf,
                   Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>) {
  M m(7, 9);
  number(m);
  SUBCASE("whole") { check_view(m); }
  SUBCASE("block") { check_view(m.block(1, 2, 4, 5)); }
  SUBCASE("block of one row and of one column") {
    check_view(m.block(3, 1, 1, 6));
    check_view(m.block(1, 3, 5, 1));
  }
  SUBCASE("fixed-size block") { check_view(m.template block<3, 2>(2, 4)); }
  SUBCASE("row") { check_view(m.row(2)); }
  SUBCASE("column") { check_view(m.col(5)); }
  SUBCASE("segment of a row") { check_view(m.row(4).segment(2, 6)); }
  SUBCASE("transpose") { check_view(m.transpose()); }
  SUBCASE("transpose of a block") { check_view(m.block(1, 1, 5, 3).transpose()); }
  SUBCASE("top rows, right columns") {
    check_view(m.topRows(3));
    check_view(m.rightCols(4));
  }
  SUBCASE("in place, each kind") {
    check_in_place(m, [](M& a) { return a.block(1, 2, 4, 5); });
    check_in_place(m, [](M& a) { return a.row(3); });
    check_in_place(m, [](M& a) { return a.col(6); });
    check_in_place(m, [](M& a) { return a.transpose(); });
  }
}

TEST_CASE("array and matrix wrappers, Ref, fixed sizes") {
  Eigen::MatrixXf m(5, 6);
  number(m);
  check_view(m.array());
  check_view(m.block(1, 1, 3, 4).array());
  Eigen::ArrayXXf a = m.array();
  check_view(a.matrix().row(2));

  Eigen::Ref<Eigen::MatrixXf, 0, Eigen::OuterStride<>> ref = m.block(0, 1, 5, 4);
  check_view(ref);
  Eigen::Ref<Eigen::RowVectorXf, 0, Eigen::InnerStride<>> row_ref = m.row(1);
  check_view(row_ref);

  Eigen::Matrix4d fixed;
  number(fixed);
  check_view(fixed);
  check_view(fixed.block<2, 3>(1, 0));
  auto r = ks::vmap(square_plus_one)(fixed);
  static_assert(std::is_same_v<decltype(r), Eigen::Matrix4d>);
}

TEST_CASE("Maps with inner, outer and both strides, either storage order") {
  std::vector<float> buffer(200);
  for (std::size_t k = 0; k < buffer.size(); ++k) buffer[k] = static_cast<float>(k % 50);
  using Col = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
  using Row = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Both = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  check_view(Eigen::Map<Col>(buffer.data(), 6, 7));
  check_view(Eigen::Map<Row>(buffer.data(), 6, 7));
  check_view(Eigen::Map<Col, 0, Eigen::OuterStride<>>(buffer.data(), 4, 5, Eigen::OuterStride<>(9)));
  check_view(Eigen::Map<Row, 0, Eigen::OuterStride<>>(buffer.data(), 4, 5, Eigen::OuterStride<>(9)));
  check_view(Eigen::Map<Eigen::VectorXf, 0, Eigen::InnerStride<3>>(buffer.data(), 30));
  check_view(Eigen::Map<Col, 0, Both>(buffer.data(), 4, 5, Both(20, 3)));
  check_view(Eigen::Map<Row, 0, Both>(buffer.data(), 4, 5, Both(20, 3)));
  check_view(Eigen::Map<Col const, 0, Both>(buffer.data() + 1, 3, 3, Both(7, 2)).transpose());
}

TEST_CASE("two views of different kinds and storage orders, combined by (row, column)") {
  Eigen::MatrixXf a(6, 8);
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> b(8, 6);
  number(a);
  number(b, 50);
  auto check = [](auto const& x, auto const& y) {
    auto r = ks::vmap(combine)(x, y);
    REQUIRE(r.rows() == x.rows());
    REQUIRE(r.cols() == x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index j = 0; j < x.cols(); ++j) CHECK(r(i, j) == x(i, j) * 100 + y(i, j));
  };
  check(a, b.transpose());
  check(a.block(1, 2, 3, 4), b.block(2, 1, 3, 4));
  check(a.row(2), b.col(3).transpose());
  check(a.col(1), b.row(2).transpose());
  check(a.transpose().block(0, 0, 4, 3), b.block(1, 1, 4, 3));

  // A vector and a row of a column-major matrix (stride 6) as 1-D arrays of one length.
  Eigen::VectorXf v(8);
  number(v);
  auto r = ks::vmap(combine)(a.row(3), v.transpose());
  for (Eigen::Index j = 0; j < 8; ++j) CHECK(r(j) == a(3, j) * 100 + v(j));
}

TEST_CASE("an expression such as W * X, evaluated with .eval(), gives the plain loop's values") {
  Eigen::MatrixXd w(3, 4);
  Eigen::MatrixXd x(4, 5);
  number(w);
  number(x, 1);
  // The product by hand, so that the reference does not rely on Eigen's product.
  Eigen::MatrixXd product(3, 5);
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 5; ++j) {
      double s = 0;
      for (Eigen::Index k = 0; k < 4; ++k) s += w(i, k) * x(k, j);
      product(i, j) = s;
    }
  auto r = ks::vmap(square_plus_one)((w * x).eval());
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 5; ++j) CHECK(r(i, j) == product(i, j) * product(i, j) + 1);
  auto s = ks::vmap(combine)((w.array() + 1).eval(), w.array().square().eval());
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) CHECK(s(i, j) == (w(i, j) + 1) * 100 + w(i, j) * w(i, j));
}
