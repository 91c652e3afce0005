// A C++ user's first hour (issue 20), end to end: Black-Scholes prices and Greeks of
// a million options in one fused vmapped lambda, Rosenbrock's function minimised by
// Newton steps with Eigen, a focal loss and its gradient over Eigen arrays.
#include <doctest/doctest.h>

#include <Eigen/LU>
#include <cmath>
#include <knossos/eigen.hpp>
#include <knossos/knossos.hpp>
#include <tuple>
#include <vector>

namespace {

// A European call: spot s, strike k, years t, rate r, volatility v.
constexpr auto call_price = [](auto s, auto k, auto t, auto r, auto v) {
  auto sd = v * ks::sqrt(t);
  auto d1 = (ks::log(s / k) + (r + 0.5 * v * v) * t) / sd;
  auto d2 = d1 - sd;
  auto cdf = [](auto d) { return 0.5 * ks::erfc(-d * 0.7071067811865476); };
  return s * cdf(d1) - k * ks::exp(-r * t) * cdf(d2);
};

// Price, delta, vega and gamma, one pass: every transform traced into one program.
constexpr auto price_and_greeks = [](auto s, auto k, auto t, auto r, auto v) {
  auto [price, delta, dk, dt, dr, vega] = ks::value_and_grad(call_price)(s, k, t, r, v);
  auto gamma = ks::grad<0>(ks::grad<0>(call_price))(s, k, t, r, v);
  return std::tuple{price, delta, vega, gamma};
};

constexpr auto rosenbrock = [](auto x, auto y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); };

// The focal loss of a probability p against a label y (0 or 1), gamma = 2.
constexpr auto focal = [](auto p, auto y) {
  auto q = ks::select(y > 0.5, p, 1 - p);
  return -(1 - q) * (1 - q) * ks::log(q);
};

}  // namespace

TEST_CASE("Black-Scholes: price, delta, vega and gamma of 2^20 options in one vmap") {
  std::size_t const n = std::size_t{1} << 20;
  std::vector<double> spot(n), vol(n);
  for (std::size_t i = 0; i < n; ++i) {
    spot[i] = 50 + 100 * static_cast<double>((i * 7919) % n) / static_cast<double>(n);
    vol[i] = 0.1 + 0.4 * static_cast<double>((i * 104729) % n) / static_cast<double>(n);
  }
  double const strike = 100, years = 0.75, rate = 0.03;
  auto [price, delta, vega, gamma] = ks::vmap(price_and_greeks)(spot, strike, years, rate, vol);
  double worst = 0;
  auto relative = [&](double got, double want) {
    worst = std::fmax(worst, std::fabs(got - want) / std::fmax(1e-3, std::fabs(want)));
  };
  for (std::size_t i = 0; i < n; i += 97) {
    double const s = spot[i], v = vol[i], sd = v * std::sqrt(years);
    double const d1 = (std::log(s / strike) + (rate + 0.5 * v * v) * years) / sd, d2 = d1 - sd;
    double const cdf1 = 0.5 * std::erfc(-d1 / std::sqrt(2.0)), cdf2 = 0.5 * std::erfc(-d2 / std::sqrt(2.0));
    double const pdf1 = std::exp(-0.5 * d1 * d1) / std::sqrt(2 * M_PI);
    relative(price[i], s * cdf1 - strike * std::exp(-rate * years) * cdf2);
    relative(delta[i], cdf1);
    relative(vega[i], s * pdf1 * std::sqrt(years));
    relative(gamma[i], pdf1 / (s * sd));
  }
  CHECK(worst < 1e-10);
  // The same numbers as the scalar call.
  auto [p0, d0, v0, g0] = price_and_greeks(spot[12345], strike, years, rate, vol[12345]);
  CHECK(price[12345] == doctest::Approx(p0).epsilon(1e-14));
  CHECK(delta[12345] == doctest::Approx(d0).epsilon(1e-14));
  CHECK(vega[12345] == doctest::Approx(v0).epsilon(1e-14));
  CHECK(gamma[12345] == doctest::Approx(g0).epsilon(1e-14));
}

TEST_CASE("Rosenbrock by Newton's method with Eigen") {
  Eigen::Vector2d p(-1.2, 1.0);
  for (int step = 0; step < 20; ++step) {
    Eigen::Vector2d const g = ks::to_eigen_vector(ks::grad(rosenbrock)(p(0), p(1)));
    Eigen::Matrix2d const h = ks::to_eigen_matrix(ks::hessian(rosenbrock)(p(0), p(1)));
    p -= h.partialPivLu().solve(g);
  }
  CHECK(p(0) == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(p(1) == doctest::Approx(1.0).epsilon(1e-12));
  // At the minimum: H = [[802, -400], [-400, 200]].
  Eigen::Matrix2d const h = ks::to_eigen_matrix(ks::hessian(rosenbrock)(1.0, 1.0));
  CHECK(h(0, 0) == 802.0);
  CHECK(h(0, 1) == -400.0);
  CHECK(h(1, 0) == -400.0);
  CHECK(h(1, 1) == 200.0);
  // Float arguments give float vectors and matrices.
  static_assert(std::is_same_v<decltype(ks::to_eigen_matrix(ks::hessian(rosenbrock)(1.0f, 1.0f))), Eigen::Matrix2f>);
  static_assert(std::is_same_v<decltype(ks::to_eigen_vector(ks::grad(rosenbrock)(1.0f, 1.0f))), Eigen::Vector2f>);
}

TEST_CASE("a focal loss and its gradient over Eigen arrays") {
  Eigen::ArrayXf p(1000), y(1000);
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    p(i) = 0.05f + 0.9f * static_cast<float>((i * 31) % 1000) / 1000.0f;
    y(i) = static_cast<float>(i % 3 == 0);
  }
  auto [loss, dp, dy] = ks::value_and_grad(ks::mean(focal))(p, y);
  static_assert(std::is_same_v<decltype(dp), Eigen::ArrayXf>);
  double want = 0;
  for (Eigen::Index i = 0; i < p.size(); ++i) want += focal(double(p(i)), double(y(i)));
  CHECK(loss == doctest::Approx(want / 1000).epsilon(1e-5));
  float const d7 = ks::grad<0>(focal)(p(7), y(7)) / 1000.0f;
  CHECK(dp(7) == doctest::Approx(d7).epsilon(1e-5));
  CHECK(dy(7) == 0.0f);  // the label enters only the condition
  // The gradient alone, into an existing array, the label's not wanted.
  Eigen::ArrayXf grad(1000);
  ks::grad(ks::mean(focal)).into(std::tie(grad, std::ignore), p, y);
  CHECK(grad(7) == dp(7));
}
