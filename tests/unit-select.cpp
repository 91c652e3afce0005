// ks::select: the branch not taken never poisons a value or a derivative (the 0 * inf
// trap of jax#1052 and pytorch#52248), on scalars and on batches with mixed lanes.
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/knossos.hpp>

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
