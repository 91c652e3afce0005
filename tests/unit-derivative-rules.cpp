// Every derivative rule against a hand-derived formula and against central finite
// differences, both in long double, at many random points; on double, float and on
// SIMD batches lane by lane. Kink conventions (PyTorch's) are checked exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <knossos/knossos.hpp>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using ld = long double;

struct unary_case {
  std::string name;
  std::function<double(double)> grad;          // knossos, double
  std::function<float(float)> grad_f;          // knossos, float
  std::function<xsimd::batch<double>(xsimd::batch<double>)> grad_b;
  std::function<ld(ld)> f;                     // reference value, long double
  std::function<ld(ld)> df;                    // hand-derived derivative, long double
  double lo, hi;
};

#define KS_CASE(NAME, EXPR, F, DF, LO, HI)                                                                 \
  unary_case {                                                                                             \
    NAME, [](double v) { return ks::grad([](auto x) { return EXPR; })(v); },                               \
        [](float v) { return ks::grad([](auto x) { return EXPR; })(v); },                                  \
        [](xsimd::batch<double> v) { return ks::grad([](auto x) { return EXPR; })(v); },                   \
        []([[maybe_unused]] ld x) -> ld { return F; }, []([[maybe_unused]] ld x) -> ld { return DF; }, LO, HI                                \
  }

std::vector<unary_case> const& unary_cases() {
  static std::vector<unary_case> cases = {
      KS_CASE("exp", ks::exp(x), std::exp(x), std::exp(x), -5, 5),
      KS_CASE("log", ks::log(x), std::log(x), 1 / x, 0.01, 10),
      KS_CASE("log1p", ks::log1p(x), std::log1p(x), 1 / (1 + x), -0.9, 10),
      KS_CASE("expm1", ks::expm1(x), std::expm1(x), std::exp(x), -5, 5),
      KS_CASE("sqrt", ks::sqrt(x), std::sqrt(x), 0.5L / std::sqrt(x), 0.01, 10),
      KS_CASE("cbrt", ks::cbrt(x), std::cbrt(x), 1 / (3 * std::cbrt(x) * std::cbrt(x)), 0.01, 10),
      KS_CASE("sin", ks::sin(x), std::sin(x), std::cos(x), -6, 6),
      KS_CASE("cos", ks::cos(x), std::cos(x), -std::sin(x), -6, 6),
      KS_CASE("tan", ks::tan(x), std::tan(x), 1 / (std::cos(x) * std::cos(x)), -1.4, 1.4),
      KS_CASE("asin", ks::asin(x), std::asin(x), 1 / std::sqrt(1 - x * x), -0.95, 0.95),
      KS_CASE("acos", ks::acos(x), std::acos(x), -1 / std::sqrt(1 - x * x), -0.95, 0.95),
      KS_CASE("atan", ks::atan(x), std::atan(x), 1 / (1 + x * x), -5, 5),
      KS_CASE("sinh", ks::sinh(x), std::sinh(x), std::cosh(x), -4, 4),
      KS_CASE("cosh", ks::cosh(x), std::cosh(x), std::sinh(x), -4, 4),
      KS_CASE("tanh", ks::tanh(x), std::tanh(x), 1 - std::tanh(x) * std::tanh(x), -4, 4),
      KS_CASE("erf", ks::erf(x), std::erf(x), 2 / std::sqrt(3.14159265358979323846264338327950288L) * std::exp(-x * x), -3, 3),
      KS_CASE("erfc", ks::erfc(x), std::erfc(x), -2 / std::sqrt(3.14159265358979323846264338327950288L) * std::exp(-x * x), -3, 3),
      KS_CASE("sigmoid", ks::sigmoid(x), 1 / (1 + std::exp(-x)), std::exp(-x) / ((1 + std::exp(-x)) * (1 + std::exp(-x))), -8, 8),
      KS_CASE("softplus", ks::softplus(x), std::log1p(std::exp(x)), 1 / (1 + std::exp(-x)), -8, 8),
      KS_CASE("log_sigmoid", ks::log_sigmoid(x), -std::log1p(std::exp(-x)), 1 / (1 + std::exp(x)), -8, 8),
      KS_CASE("abs", ks::abs(x), std::fabs(x), x > 0 ? 1.0L : -1.0L, -5, 5),
      KS_CASE("neg", -x, -x, -1.0L, -5, 5),
      KS_CASE("x*x", x * x, x * x, 2 * x, -5, 5),
      KS_CASE("1/x", 1 / x, 1 / x, -1 / (x * x), 0.1, 5),
      KS_CASE("x-3", x - 3, x - 3, 1.0L, -5, 5),
      KS_CASE("3-x", 3 - x, 3 - x, -1.0L, -5, 5),
      KS_CASE("x/3", x / 3, x / 3, 1.0L / 3, -5, 5),
      KS_CASE("pow(x,3)", ks::pow(x, 3), x * x * x, 3 * x * x, -3, 3),
      KS_CASE("pow(x,-2)", ks::pow(x, -2), 1 / (x * x), -2 / (x * x * x), 0.2, 3),
      KS_CASE("pow(x,2.5)", ks::pow(x, 2.5), std::pow(x, 2.5L), 2.5L * std::pow(x, 1.5L), 0.1, 3),
      KS_CASE("pow(2,x)", ks::pow(2.0, x), std::pow(2.0L, x), std::pow(2.0L, x) * std::log(2.0L), -3, 3),
      KS_CASE("max(x,1)", ks::max(x, 1), x > 1 ? x : 1.0L, x > 1 ? 1.0L : 0.0L, -3, 3),
      KS_CASE("min(x,1)", ks::min(x, 1), x < 1 ? x : 1.0L, x < 1 ? 1.0L : 0.0L, -3, 3),
      KS_CASE("clamp(x,-1,1)", ks::clamp(x, -1, 1), x < -1 ? -1.0L : x > 1 ? 1.0L : x, (x >= -1 && x <= 1) ? 1.0L : 0.0L, -3, 3),
      KS_CASE("atan2(x,2)", ks::atan2(x, 2.0), std::atan2(x, 2.0L), 2 / (4 + x * x), -3, 3),
      KS_CASE("atan2(2,x)", ks::atan2(2.0, x), std::atan2(2.0L, x), -2 / (4 + x * x), -3, 3),
      KS_CASE("hypot(x,2)", ks::hypot(x, 2.0), std::hypot(x, 2.0L), x / std::hypot(x, 2.0L), -3, 3),
      KS_CASE("select", ks::select(x < 0.5, ks::sin(x), x * x), x < 0.5L ? std::sin(x) : x * x, x < 0.5L ? std::cos(x) : 2 * x, -3, 3),
      KS_CASE("floor", ks::floor(x) + x, std::floor(x) + x, 1.0L, -3, 3),
      KS_CASE("ceil", ks::ceil(x) * 2 + x, std::ceil(x) * 2 + x, 1.0L, -3, 3),
      KS_CASE("round", ks::round(x) + x, std::round(x) + x, 1.0L, -3, 3),
      KS_CASE("nearbyint", ks::nearbyint(x) + x, std::nearbyint(x) + x, 1.0L, -3, 3),
      KS_CASE("trunc", ks::trunc(x) + x, std::trunc(x) + x, 1.0L, -3, 3),
      KS_CASE("log2", ks::log2(x), std::log2(x), 1 / (x * std::log(2.0L)), 0.01, 10),
      KS_CASE("log10", ks::log10(x), std::log10(x), 1 / (x * std::log(10.0L)), 0.01, 10),
      KS_CASE("exp2", ks::exp2(x), std::exp2(x), std::exp2(x) * std::log(2.0L), -5, 5),
      KS_CASE("asinh", ks::asinh(x), std::asinh(x), 1 / std::sqrt(x * x + 1), -5, 5),
      KS_CASE("acosh", ks::acosh(x), std::acosh(x), 1 / std::sqrt(x * x - 1), 1.01, 5),
      KS_CASE("atanh", ks::atanh(x), std::atanh(x), 1 / (1 - x * x), -0.95, 0.95),
      KS_CASE("copysign(x,-2)", ks::copysign(x, -2.0), -std::fabs(x), x > 0 ? -1.0L : 1.0L, -3, 3),
      KS_CASE("copysign(2,x)", ks::copysign(2.0, x) + x, std::copysign(2.0L, x) + x, 1.0L, -3, 3),
      KS_CASE("sign", ks::sign(x) + x, (x > 0) - (x < 0) + x, 1.0L, -3, 3),
  };
  return cases;
}

// Central difference in long double, away from kinks (the caller keeps away).
ld central_difference(std::function<ld(ld)> const& f, ld x) {
  ld h = 1e-6L * std::max(1.0L, std::fabs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

bool near_kink(std::string const& name, double x) {
  auto near = [&](double k) { return std::fabs(x - k) < 1e-3; };
  if (name == "abs" || name == "sign" || name.rfind("copysign", 0) == 0) return near(0);
  if (name.rfind("max", 0) == 0 || name.rfind("min", 0) == 0) return near(1);
  if (name.rfind("clamp", 0) == 0) return near(-1) || near(1);
  if (name == "select") return near(0.5);
  if (name == "floor" || name == "ceil" || name == "trunc" || name == "sign")
    return std::fabs(x - std::round(x)) < 1e-3;
  if (name == "round" || name == "nearbyint") return std::fabs(x - std::floor(x) - 0.5) < 1e-3;
  return false;
}

}  // namespace

TEST_CASE("every derivative rule: hand-derived formula and finite differences") {
  std::mt19937_64 rng(20261125);
  for (auto const& c : unary_cases()) {
    std::uniform_real_distribution<double> u(c.lo, c.hi);
    for (int k = 0; k < 200; ++k) {
      double x = u(rng);
      if (near_kink(c.name, x)) continue;
      CAPTURE(c.name);
      CAPTURE(x);
      ld expected = c.df(x);
      double g = c.grad(x);
      CHECK(g == doctest::Approx(static_cast<double>(expected)).epsilon(1e-12).scale(1e-300));
      CHECK(static_cast<double>(central_difference(c.f, x)) == doctest::Approx(static_cast<double>(expected)).epsilon(1e-6));
      float gf = c.grad_f(static_cast<float>(x));
      CHECK(gf == doctest::Approx(static_cast<double>(c.df(static_cast<float>(x)))).epsilon(2e-5));
    }
  }
}

TEST_CASE("derivative rules on batches equal the scalar rules lane by lane") {
  using B = xsimd::batch<double>;
  std::mt19937_64 rng(7);
  for (auto const& c : unary_cases()) {
    std::uniform_real_distribution<double> u(c.lo, c.hi);
    for (int k = 0; k < 10; ++k) {
      alignas(64) double in[B::size];
      for (auto& v : in) v = u(rng);
      auto g = c.grad_b(B::load_aligned(in));
      for (std::size_t i = 0; i < B::size; ++i) {
        CAPTURE(c.name);
        CAPTURE(in[i]);
        // SIMD and scalar math may differ in the last bits.
        CHECK(g.get(i) == doctest::Approx(c.grad(in[i])).epsilon(1e-13).scale(1e-300));
      }
    }
  }
}

TEST_CASE("two-argument rules: partial derivatives of both operands") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.3, 3.0);
  for (int k = 0; k < 100; ++k) {
    double a = u(rng), b = u(rng);
    CAPTURE(a);
    CAPTURE(b);
    auto [ma, mb] = ks::grad([](auto x, auto y) { return x * y; })(a, b);
    CHECK(ma == b);
    CHECK(mb == a);
    auto [da, db] = ks::grad([](auto x, auto y) { return x / y; })(a, b);
    CHECK(da == doctest::Approx(1 / b));
    CHECK(db == doctest::Approx(-a / (b * b)));
    auto [pa, pb] = ks::grad([](auto x, auto y) { return ks::pow(x, y); })(a, b);
    CHECK(pa == doctest::Approx(b * std::pow(a, b - 1)));
    CHECK(pb == doctest::Approx(std::pow(a, b) * std::log(a)));
    auto [ta, tb] = ks::grad([](auto y, auto x) { return ks::atan2(y, x); })(a, b);
    CHECK(ta == doctest::Approx(b / (a * a + b * b)));
    CHECK(tb == doctest::Approx(-a / (a * a + b * b)));
    auto [ha, hb] = ks::grad([](auto x, auto y) { return ks::hypot(x, y); })(a, b);
    CHECK(ha == doctest::Approx(a / std::hypot(a, b)));
    CHECK(hb == doctest::Approx(b / std::hypot(a, b)));
    auto [xa, xb] = ks::grad([](auto x, auto y) { return ks::max(x, y); })(a, b);
    CHECK(xa == (a > b ? 1.0 : 0.0));
    CHECK(xb == (a > b ? 0.0 : 1.0));
    auto [ca, clo, chi] = ks::grad([](auto x, auto lo, auto hi) { return ks::clamp(x, lo, hi); })(a, 1.0, 2.0);
    CHECK(ca == (a >= 1 && a <= 2 ? 1.0 : 0.0));
    CHECK(clo == (a < 1 ? 1.0 : 0.0));
    CHECK(chi == (a > 2 ? 1.0 : 0.0));
  }
}

TEST_CASE("conventions at kinks follow PyTorch autograd") {
  CHECK(ks::grad([](auto x) { return ks::abs(x); })(0.0) == 0.0);
  CHECK(ks::grad([](auto x) { return ks::sqrt(x); })(0.0) == std::numeric_limits<double>::infinity());
  auto [ma, mb] = ks::grad([](auto x, auto y) { return ks::max(x, y); })(2.0, 2.0);
  CHECK(ma == 0.5);
  CHECK(mb == 0.5);
  auto [na, nb] = ks::grad([](auto x, auto y) { return ks::min(x, y); })(-1.0, -1.0);
  CHECK(na == 0.5);
  CHECK(nb == 0.5);
  // clamp at the bounds: the gradient goes to x (lo <= x <= hi, inclusive).
  auto [c1, lo1, hi1] = ks::grad([](auto x, auto lo, auto hi) { return ks::clamp(x, lo, hi); })(1.0, 1.0, 2.0);
  CHECK(c1 == 1.0);
  CHECK(lo1 == 0.0);
  CHECK(hi1 == 0.0);
  // pow: d/dx is 0 where y == 0; d/dy is 0 where x == 0 and y >= 0 (not 0 * log 0 = nan).
  auto [p0x, p0y] = ks::grad([](auto x, auto y) { return ks::pow(x, y); })(0.0, 0.0);
  CHECK(p0x == 0.0);
  CHECK(p0y == 0.0);
  auto [q0x, q0y] = ks::grad([](auto x, auto y) { return ks::pow(x, y); })(0.0, 2.0);
  CHECK(q0x == 0.0);
  CHECK(q0y == 0.0);
  for (double x : {-2.0, -0.5, 0.0, 0.5, 2.0}) {
    CHECK(ks::grad([](auto v) { return ks::floor(v); })(x) == 0.0);
    CHECK(ks::grad([](auto v) { return ks::round(v); })(x) == 0.0);
    CHECK(ks::grad([](auto v) { return ks::nearbyint(v); })(x) == 0.0);
  }
  // Half to even, where round goes away from zero.
  for (double x : {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5}) {
    CHECK(ks::nearbyint(x) == 2 * std::round(x / 2));
    CHECK(ks::vmap([](auto v) { return ks::nearbyint(v); })(std::vector<double>(17, x))[16] == 2 * std::round(x / 2));
    CHECK(ks::grad([](auto v) { return ks::sign(v); })(x) == 0.0);
  }
}

TEST_CASE("clamp with lo > hi: the value is hi, and hi gets the whole gradient (as torch.clamp)") {
  auto clamp = [](auto x, auto lo, auto hi) { return ks::clamp(x, lo, hi); };
  for (double x : {0.5, 1.0, 1.5, 2.0, 3.0}) {
    CAPTURE(x);
    CHECK(ks::lift(clamp)(x, 2.0, 1.0) == 1.0);
    auto [dx, dlo, dhi] = ks::grad(clamp)(x, 2.0, 1.0);
    CHECK(dx == 0.0);
    CHECK(dlo == 0.0);
    CHECK(dhi == 1.0);
    std::vector<double> xs(19, x), los(19, 2.0), his(19, 1.0);
    auto vx = ks::vmap(ks::grad<0>(clamp))(xs, los, his);
    auto vlo = ks::vmap(ks::grad<1>(clamp))(xs, los, his);
    auto vhi = ks::vmap(ks::grad<2>(clamp))(xs, los, his);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      CHECK(vx[i] == 0.0);
      CHECK(vlo[i] == 0.0);
      CHECK(vhi[i] == 1.0);
    }
  }
}

TEST_CASE("expm1' is exp: no cancellation in the tail, in float too") {
  auto expm1 = [](auto x) { return ks::expm1(x); };
  for (float x : {-30.0f, -50.0f, -80.0f}) {
    CAPTURE(x);
    float want = static_cast<float>(std::exp(static_cast<double>(x)));
    CHECK(ks::grad(expm1)(x) == doctest::Approx(want).epsilon(1e-6));
    std::vector<float> xs(19, x);
    for (float g : ks::vmap(ks::grad(expm1))(xs)) CHECK(g == doctest::Approx(want).epsilon(1e-6));
  }
}

// Issue 21: the second derivatives of hypot were x * x / (h * h * h), NaN where x^2 and
// h^3 overflow (1e200) though the result does not. Against the exact ones in long
// double, y^2 / h^3, -x y / h^3 and x^2 / h^3, over every scale, scalar and vmap.
TEST_CASE_TEMPLATE("hypot's second derivatives are finite and right at every scale", T, float, double) {
  auto h1 = [](auto x) { return ks::hypot(x, 1.0); };
  auto h2 = [](auto x, auto y) { return ks::hypot(x, y); };
  int const emax = std::numeric_limits<T>::max_exponent - 4, emin = std::numeric_limits<T>::min_exponent + 4;
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  std::vector<T> xs, ys;
  for (int e = emin; e < emax; e += 7)
    for (int dy : {-3, 0, 2}) {
      xs.push_back(static_cast<T>(std::ldexp(mantissa(rng), e)) * (e % 2 ? 1 : -1));
      ys.push_back(static_cast<T>(std::ldexp(mantissa(rng), e + dy)));
    }
  auto hxx = ks::vmap(ks::grad<0>(ks::grad<0>(h2)))(xs, ys);
  auto hxy = ks::vmap(ks::grad<1>(ks::grad<0>(h2)))(xs, ys);
  auto hyy = ks::vmap(ks::grad<1>(ks::grad<1>(h2)))(xs, ys);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    ld const x = xs[i], y = ys[i], h = std::hypot(x, y), h3 = h * h * h;
    CAPTURE(xs[i]);
    CAPTURE(ys[i]);
    auto [sxx, sxy, syx, syy] = ks::hessian(h2)(xs[i], ys[i]);
    // |x|, |y| within 2^3 of each other: 1 - (x/h)^2 loses at most 7 bits.
    double const tol = sizeof(T) == 4 ? 1e-4 : 1e-12;
    for (auto [got, want] : {std::pair{sxx, y * y / h3}, std::pair{sxy, -x * y / h3}, std::pair{syx, -x * y / h3},
                             std::pair{syy, x * x / h3}, std::pair{hxx[i], y * y / h3}, std::pair{hxy[i], -x * y / h3},
                             std::pair{hyy[i], x * x / h3}}) {
      CHECK(std::isfinite(got));
      CHECK(static_cast<double>(got) == doctest::Approx(static_cast<double>(want)).epsilon(tol));
    }
  }
  // The examples of the issue: hypot(x, 1) at 1e200 (exact 1e-600, 0 in double) and
  // hypot(x, y) at 1e200 (float: 1e20).
  T const big = sizeof(T) == 4 ? T(1e20f) : T(1e200);
  T const s = ks::hessian(h1)(big);
  CHECK(std::isfinite(s));
  CHECK(s == static_cast<T>(1 / (static_cast<ld>(big) * big * big)));
  auto [hb00, hb01, hb10, hb11] = ks::hessian(h2)(big, big);
  ld const hb = std::hypot(static_cast<ld>(big), static_cast<ld>(big));
  CHECK(hb00 == doctest::Approx(static_cast<double>(big * (big / (hb * hb * hb)))));
  CHECK(hb01 == doctest::Approx(static_cast<double>(-big * (big / (hb * hb * hb)))));
  CHECK(hb10 == doctest::Approx(static_cast<double>(-big * (big / (hb * hb * hb)))));
  CHECK(hb11 == doctest::Approx(static_cast<double>(big * (big / (hb * hb * hb)))));
}
