// ks::select: the branch not taken never poisons a value or a derivative (the 0 * inf
// trap of jax#1052 and pytorch#52248), on scalars and on batches with mixed lanes.
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/knossos.hpp>
#include <tuple>
#include <vector>

namespace {

constexpr auto safe_sqrt = [](auto x) { return ks::select(x > 0, ks::sqrt(x), 0); };
constexpr auto safe_log = [](auto x) { return ks::where(x > 0, ks::log(x), x); };
// Nested, with the poison two levels down and an expression above the select.
constexpr auto nested = [](auto x) {
  return 2 * ks::select(x < -1, ks::sqrt(-1 - x), ks::select(x < 1, x * x, ks::log(x - 1) + 1));
};

}  // namespace

TEST_CASE("select on scalars: value, grad and vjp of the branch taken only") {
  CHECK(ks::lift(safe_sqrt)(-1.0) == 0.0);
  CHECK(ks::grad(safe_sqrt)(-1.0) == 0.0);
  CHECK(ks::vjp(safe_sqrt)(-1.0, 3.0) == 0.0);
  CHECK(ks::grad(safe_sqrt)(4.0) == doctest::Approx(0.25));
  CHECK(ks::grad(safe_log)(-2.0) == 1.0);
  CHECK(ks::grad(safe_log)(2.0) == doctest::Approx(0.5));
  // At x = 0 the sqrt branch is not taken either: 0, not inf or nan.
  CHECK(ks::grad(safe_sqrt)(0.0) == 0.0);
  // Second derivatives as well.
  CHECK(ks::grad(ks::grad(safe_sqrt))(-1.0) == 0.0);
  CHECK(ks::grad(ks::grad(safe_sqrt))(4.0) == doctest::Approx(-0.25 / (2 * 4.0)));
}

TEST_CASE("select on batches with lanes taking different branches") {
  using B = xsimd::batch<float>;
  alignas(64) float in[B::size];
  for (std::size_t i = 0; i < B::size; ++i) in[i] = (i % 2 ? -1.0f : 1.0f) * (1.5f + static_cast<float>(i));
  auto x = B::load_aligned(in);
  auto v = ks::lift(nested)(x);
  auto g = ks::grad(nested)(x);
  auto vj = ks::vjp(nested)(x, B(0.5f));
  for (std::size_t i = 0; i < B::size; ++i) {
    long double xi = in[i];
    long double value = 2 * (xi < -1 ? std::sqrt(-1 - xi) : xi < 1 ? xi * xi : std::log(xi - 1) + 1);
    long double deriv = 2 * (xi < -1 ? -0.5L / std::sqrt(-1 - xi) : xi < 1 ? 2 * xi : 1 / (xi - 1));
    CAPTURE(xi);
    CHECK(std::isfinite(v.get(i)));
    CHECK(std::isfinite(g.get(i)));
    CHECK(v.get(i) == doctest::Approx(static_cast<double>(value)).epsilon(1e-6));
    CHECK(g.get(i) == doctest::Approx(static_cast<double>(deriv)).epsilon(1e-6));
    CHECK(vj.get(i) == doctest::Approx(static_cast<double>(0.5L * deriv)).epsilon(1e-6));
    // Lane by lane the batch agrees with the scalar path.
    CHECK(g.get(i) == doctest::Approx(ks::grad(nested)(in[i])).epsilon(1e-6));
  }
  // All lanes one way: the branch-aware path.
  auto all_neg = ks::grad(safe_sqrt)(B(-3.0f));
  for (std::size_t i = 0; i < B::size; ++i) CHECK(all_neg.get(i) == 0.0f);
}

TEST_CASE("a select inside an expression that depends on the argument elsewhere too") {
  // f(x) = x * select(x > 0, sqrt(x), 0): f'(x) = sqrt(x) + 1/2 sqrt(x) for x > 0, 0 else.
  auto f = [](auto x) { return x * ks::select(x > 0, ks::sqrt(x), 0); };
  CHECK(ks::grad(f)(-4.0) == 0.0);
  CHECK(ks::grad(f)(4.0) == doctest::Approx(2.0 + 0.5 * 2.0));
  using B = xsimd::batch<double>;
  auto g = ks::grad(f)(B(-4.0));
  for (std::size_t i = 0; i < B::size; ++i) CHECK(g.get(i) == 0.0);
}

TEST_CASE("several selects on one condition, the later ones needing values the earlier compute") {
  // Differentiating focal loss makes a second select on `y > 0.5` whose branches use
  // the first select's result: each branch region is computed in pieces, in order.
  constexpr auto focal = [](auto logit, auto y, auto gamma) {
    auto const p = ks::sigmoid(logit);
    auto const pt = ks::select(y > 0.5, p, 1.0 - p);
    return -ks::pow(1.0 - pt, gamma) * ks::log(pt);
  };
  auto f = [](long double l, long double y, long double g) {
    long double p = 1 / (1 + std::exp(-l));
    long double pt = y > 0.5L ? p : 1 - p;
    return -std::pow(1 - pt, g) * std::log(pt);
  };
  for (double y : {0.0, 1.0})
    for (double l : {-2.0, -0.3, 0.7, 2.5}) {
      double const g = 2.0, h = 1e-6;
      auto [dl, dy, dg] = ks::grad(focal)(l, y, g);
      CAPTURE(l);
      CAPTURE(y);
      CHECK(dl == doctest::Approx(static_cast<double>((f(l + h, y, g) - f(l - h, y, g)) / (2 * h))).epsilon(1e-7));
      CHECK(dy == 0.0);
      CHECK(dg == doctest::Approx(static_cast<double>((f(l, y, g + h) - f(l, y, g - h)) / (2 * h))).epsilon(1e-7));
      using B = xsimd::batch<double>;
      auto [bl, by, bg] = ks::grad(focal)(B(l), B(y), B(g));
      CHECK(bl.get(0) == doctest::Approx(dl).epsilon(1e-14));
      CHECK(bg.get(0) == doctest::Approx(dg).epsilon(1e-14));
    }
}

TEST_CASE("an argument used inside one branch only gets no adjoint from the other") {
  // elu's alpha appears only where x <= 0: d/dalpha is exp(x) - 1 there and 0 elsewhere,
  // on the compile-time path and on the runtime (capturing lambda) path, scalar and batch.
  constexpr auto elu = [](auto x, auto alpha) { return ks::select(x > 0, x, alpha * (ks::exp(x) - 1)); };
  double const k = 1;
  auto elu_k = [k](auto x, auto alpha) { return ks::select(x > 0, k * x, alpha * (ks::exp(x) - 1)); };
  for (double x : {-0.5, 0.5, 2.0}) {
    double const want = x > 0 ? 0.0 : std::expm1(x);
    auto [dx, da] = ks::grad(elu)(x, 1.5);
    auto [kx, ka] = ks::grad(elu_k)(x, 1.5);
    CHECK(da == doctest::Approx(want));
    CHECK(ka == doctest::Approx(want));
    CHECK(dx == doctest::Approx(x > 0 ? 1.0 : 1.5 * std::exp(x)));
    CHECK(kx == dx);
  }
  std::vector<double> xs{-0.5, 0.5, 2.0, -3.0}, alphas(4, 1.5), da(4), dx(4);
  ks::vmap(ks::grad(elu)).into(std::tie(dx, da), xs, alphas);
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(da[i] == doctest::Approx(xs[i] > 0 ? 0.0 : std::expm1(xs[i])));
}
