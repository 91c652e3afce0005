// ks::vmap over Eigen objects: Array, Matrix, Map, strided blocks, both storage
// orders, Eigen::Tensor. Each result is compared with scalar evaluation.
#include <doctest/doctest.h>

#include <knossos/eigen.hpp>
#include <knossos/eigen_tensor.hpp>
#include <knossos/knossos.hpp>

namespace {

constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, (1.0 / 3) * (x * x * x), x - 2.0 / 3));
};
constexpr auto mix = [](auto a, auto b) { return a * b - ks::exp(-a); };

template <class M>
void fill(M& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = static_cast<typename M::Scalar>(-2.0 + 0.37 * double(i) - 0.29 * double(j));
}

}  // namespace

TEST_CASE_TEMPLATE("Eigen arrays and matrices of either storage order", T, float, double) {
  for (Eigen::Index rows : {1, 3, 17}) {
    for (Eigen::Index cols : {1, 5, 33}) {
      CAPTURE(rows);
      CAPTURE(cols);
      Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> a(rows, cols);
      Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> b(rows, cols);
      fill(a);
      fill(b);
      auto ra = ks::vmap(relu3)(a);
      static_assert(std::is_same_v<decltype(ra), Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>>);
      auto rb = ks::vmap(ks::grad(relu3))(b);
      static_assert(std::is_same_v<decltype(rb), Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>);
      // Mixed storage orders: elements correspond by (row, column).
      auto rm = ks::vmap(mix)(a, b);
      for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) {
          CHECK(ra(i, j) == ks::lift(relu3)(a(i, j)));
          CHECK(rb(i, j) == ks::grad(relu3)(b(i, j)));
          CHECK(rm(i, j) == doctest::Approx(ks::lift(mix)(a(i, j), b(i, j))).epsilon(1e-6));
        }
    }
  }
}

TEST_CASE("strided blocks and maps, in place") {
  Eigen::MatrixXd m(9, 11);
  fill(m);
  auto block = m.block(2, 3, 5, 7);
  Eigen::MatrixXd expected = block.unaryExpr([](double v) { return ks::lift(relu3)(v); });
  auto r = ks::vmap(relu3)(block);
  CHECK(r.rows() == 5);
  CHECK(r.cols() == 7);
  CHECK(r == expected);

  // A row of a column-major matrix: stride 9 between elements.
  auto row = m.row(4);
  auto rr = ks::vmap(relu3)(row);
  for (Eigen::Index j = 0; j < row.size(); ++j) CHECK(rr(j) == ks::lift(relu3)(m(4, j)));

  // Map with an inner stride, written in place.
  Eigen::VectorXf v = Eigen::VectorXf::LinSpaced(61, -3, 3);
  Eigen::VectorXf orig = v;
  Eigen::Map<Eigen::VectorXf, 0, Eigen::InnerStride<3>> every_third(v.data(), 21);
  ks::vmap(relu3).into(every_third, every_third);
  for (Eigen::Index i = 0; i < v.size(); ++i) CHECK(v(i) == (i % 3 == 0 ? ks::lift(relu3)(orig(i)) : orig(i)));

  // The block of m in place leaves the rest of m untouched.
  Eigen::MatrixXd before = m;
  ks::vmap(relu3).into(block, block);
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      bool inside = i >= 2 && i < 7 && j >= 3 && j < 10;
      CHECK(m(i, j) == (inside ? ks::lift(relu3)(before(i, j)) : before(i, j)));
    }
}

TEST_CASE("shape mismatches throw with both shapes") {
  Eigen::ArrayXXd a(3, 4), b(4, 3);
  a.setZero();
  b.setZero();
  CHECK_THROWS_WITH_AS(ks::vmap(mix)(a, b), "ks::vmap: argument 2 has 4x3 but argument 1 has 3x4",
                       std::invalid_argument);
}

TEST_CASE("Eigen::Tensor keeps its dimensions") {
  Eigen::Tensor<float, 3> t(3, 4, 5);
  for (Eigen::Index i = 0; i < t.size(); ++i) t.data()[i] = -2.0f + 0.07f * static_cast<float>(i);
  Eigen::Tensor<float, 3> r = ks::vmap(relu3)(t);
  CHECK(r.dimension(0) == 3);
  CHECK(r.dimension(1) == 4);
  CHECK(r.dimension(2) == 5);
  for (Eigen::Index i = 0; i < t.size(); ++i) CHECK(r.data()[i] == ks::lift(relu3)(t.data()[i]));
}

TEST_CASE("Eigen::TensorFixedSize and TensorMap") {
  Eigen::TensorFixedSize<double, Eigen::Sizes<2, 3, 4>> t;
  for (Eigen::Index i = 0; i < t.size(); ++i) t.data()[i] = -1.5 + 0.125 * static_cast<double>(i);
  auto r = ks::vmap(relu3)(t);
  static_assert(std::is_same_v<decltype(r), Eigen::TensorFixedSize<double, Eigen::Sizes<2, 3, 4>>>);
  for (Eigen::Index i = 0; i < t.size(); ++i) CHECK(r.data()[i] == ks::lift(relu3)(t.data()[i]));

  Eigen::TensorMap<Eigen::Tensor<double, 2>> m(t.data(), 6, 4);
  Eigen::Tensor<double, 2> rm = ks::vmap(ks::grad(relu3))(m);
  CHECK(rm.dimension(0) == 6);
  for (Eigen::Index i = 0; i < m.size(); ++i) CHECK(rm.data()[i] == ks::grad(relu3)(t.data()[i]));
}
