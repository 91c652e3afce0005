// ks::sum, ks::mean and their gradients over Eigen objects: strided blocks (the loop
// runs column by column, in work items per column), mixed storage orders (gathered),
// gradients written into Eigen outputs, and ks::par on a 2-D loop equal to serial.
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/eigen.hpp>
#include <knossos/knossos.hpp>

namespace {

using ld = long double;

constexpr auto square = [](auto x) { return x * x; };
constexpr auto times = [](auto x, auto y) { return x * y; };
constexpr auto huber = [](auto p, auto t, auto d) {
  auto r = p - t;
  return ks::select(ks::abs(r) <= d, 0.5 * r * r, d * (ks::abs(r) - 0.5 * d));
};

template <class M>
void fill(M& m, double a, double b) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      m(i, j) = static_cast<typename M::Scalar>(std::sin(a * double(i) + b * double(j)) * 2);
}

ld rel_err(ld got, ld want) { return std::abs(got - want) / std::max(std::abs(want), ld(1e-300)); }

}  // namespace

TEST_CASE("a strided block and mixed storage orders") {
  Eigen::MatrixXd m(37, 53);
  fill(m, 0.3, 0.7);
  auto block = m.block(3, 5, 30, 41);
  ld sq = 0;
  for (Eigen::Index j = 0; j < block.cols(); ++j)
    for (Eigen::Index i = 0; i < block.rows(); ++i) sq += ld(block(i, j)) * ld(block(i, j));
  CHECK(rel_err(ks::sum(square)(block), sq) <= 1e-14L);
  CHECK(rel_err(ks::mean(square)(block), sq / (30 * 41)) <= 1e-14L);

  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a(19, 23);
  Eigen::ArrayXXf b(19, 23);
  fill(a, 0.11, 0.5);
  fill(b, 0.9, 0.21);
  ld dot = 0;
  for (Eigen::Index i = 0; i < 19; ++i)
    for (Eigen::Index j = 0; j < 23; ++j) dot += ld(float(a(i, j) * b(i, j)));
  // Products of both signs: compare with the sum of magnitudes.
  ld mag = 0;
  for (Eigen::Index i = 0; i < 19; ++i)
    for (Eigen::Index j = 0; j < 23; ++j) mag += std::abs(ld(a(i, j)) * ld(b(i, j)));
  CHECK(std::abs(ks::sum(times)(a, b) - dot) <= 1e-6L * mag);
  CHECK(ks::reduce(times, ks::op_max)(a, b) == (a.array() * b).maxCoeff());
}

TEST_CASE("gradients into Eigen objects") {
  Eigen::MatrixXd pred(29, 31), target(29, 31);
  fill(pred, 0.3, 0.17);
  fill(target, 0.05, 0.4);
  auto pb = pred.block(2, 3, 20, 25);
  auto tb = target.block(4, 1, 20, 25);
  double const d = 0.5;
  auto [loss, gp, gt, gd] = ks::value_and_grad(ks::mean(huber))(pb, tb, d);
  static_assert(std::is_same_v<decltype(gp), Eigen::MatrixXd>);
  REQUIRE(gp.rows() == 20);
  REQUIRE(gp.cols() == 25);
  ld l = 0, dd = 0;
  std::size_t const n = 20 * 25;
  for (Eigen::Index j = 0; j < 25; ++j)
    for (Eigen::Index i = 0; i < 20; ++i) {
      ld r = pb(i, j) - tb(i, j), a = std::abs(r);
      bool inside = a <= d;
      l += inside ? r * r / 2 : d * (a - d / 2);
      dd += inside ? 0 : a - d;
      ld dp = (inside ? r : (r < 0 ? -d : d)) / n;
      CHECK(rel_err(gp(i, j), dp) <= 1e-14L);
      CHECK(rel_err(gt(i, j), -dp) <= 1e-14L);
    }
  CHECK(rel_err(loss, l / n) <= 1e-14L);
  CHECK(std::abs(gd - dd / n) <= 1e-14L);
  // Into a block of a bigger matrix, row-major: written where it should be, nothing else.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out =
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>::Constant(22, 27, -3.0);
  auto ob = out.block(1, 1, 20, 25);
  double l2 = ks::value_and_grad(ks::mean(huber)).into(std::tie(ob, std::ignore, std::ignore), pb, tb, d);
  CHECK(l2 == doctest::Approx(loss).epsilon(1e-15));
  CHECK(ob == gp);
  CHECK(out.row(0).isConstant(-3.0));
  CHECK(out.col(26).isConstant(-3.0));
}

TEST_CASE("ks::par over a 2-D loop equals serial bit for bit") {
  Eigen::MatrixXf big(700, 320);
  fill(big, 0.013, 0.029);
  auto block = big.block(1, 2, 650, 300);  // 195000 elements, above the parallel threshold
  CHECK(ks::sum(square, ks::par)(block) == ks::sum(square)(block));
  auto [l1, g1] = ks::value_and_grad(ks::mean(square, ks::par))(block);
  auto [l2, g2] = ks::value_and_grad(ks::mean(square))(block);
  CHECK(l1 == l2);
  CHECK(g1 == g2);
}
