// ks::with_derivative: user-given derivative rules; softplus and log_sigmoid use it.
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/knossos.hpp>

TEST_CASE("a custom derivative replaces the derivative of the body") {
  // The body's derivative would be 2x; the rule says 7.
  auto f = ks::with_derivative([](auto x) { return x * x; }, [](auto) { return 7; }, "f");
  CHECK(ks::lift(f)(3.0) == 9.0);
  CHECK(f(3.0) == 9.0);
  CHECK(ks::grad(f)(3.0) == 7.0);
  CHECK(ks::grad([&](auto x) { return f(2 * x); })(1.0) == 14.0);  // chain rule through it
  CHECK(ks::to_string([&](auto x) { return f(x) + 1; }) == "f(x) + 1");
}

TEST_CASE("custom derivatives of several arguments return a tuple of partials") {
  auto h = ks::with_derivative([](auto x, auto y) { return ks::hypot(x, y); },
                               [](auto x, auto y) {
                                 auto r = ks::hypot(x, y);
                                 // 0 at the origin instead of 0/0
                                 return std::tuple{ks::select(r > 0, x / r, 0), ks::select(r > 0, y / r, 0)};
                               });
  auto [dx, dy] = ks::grad(h)(3.0, 4.0);
  CHECK(dx == doctest::Approx(0.6));
  CHECK(dy == doctest::Approx(0.8));
  auto [ox, oy] = ks::grad(h)(0.0, 0.0);
  CHECK(ox == 0.0);
  CHECK(oy == 0.0);
}

TEST_CASE("softplus is stable and its derivative is sigmoid") {
  for (double x : {-800.0, -40.0, -1.0, 0.0, 0.5, 30.0, 800.0}) {
    long double xl = x;
    long double expected = xl > 0 ? xl + std::log1p(std::exp(-xl)) : std::log1p(std::exp(xl));
    long double sig = 1 / (1 + std::exp(-xl));
    CAPTURE(x);
    CHECK(std::isfinite(ks::softplus(x)));
    CHECK(ks::softplus(x) == doctest::Approx(static_cast<double>(expected)));
    CHECK(ks::grad(ks::softplus)(x) == doctest::Approx(static_cast<double>(sig)));
    CHECK(ks::log_sigmoid(x) == doctest::Approx(static_cast<double>(-(expected - xl))));
    CHECK(ks::grad(ks::log_sigmoid)(x) == doctest::Approx(static_cast<double>(1 - sig)));
  }
  // float: no overflow to inf where the naive log(1 + exp(x)) overflows.
  CHECK(ks::softplus(100.0f) == 100.0f);
  CHECK(ks::lift(ks::softplus)(xsimd::batch<float>(100.0f)).get(0) == 100.0f);
  // Second derivative through the custom rule: sigmoid' = s (1 - s).
  double s = 1 / (1 + std::exp(-0.3));
  CHECK(ks::grad(ks::grad(ks::softplus))(0.3) == doctest::Approx(s * (1 - s)));
}
