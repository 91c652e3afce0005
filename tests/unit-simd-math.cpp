// The SIMD math functions knossos evaluates on batches: each has a stated bound in
// ULPs over a stated domain (docs/performance.md), checked here against std:: math
// in long double on a dense grid, random points and edge values.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <knossos/knossos.hpp>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using ld = long double;

// Distance in units in the last place of T between a computed value and the exact one.
template <class T>
double ulp_error(T got, ld exact) {
  if (std::isnan(exact)) return std::isnan(got) ? 0 : 1e30;
  if (std::isinf(exact)) return got == static_cast<T>(exact) ? 0 : 1e30;
  T rounded = static_cast<T>(exact);
  T next = std::nextafter(std::fabs(rounded), std::numeric_limits<T>::infinity());
  ld ulp = static_cast<ld>(next) - static_cast<ld>(std::fabs(rounded));
  if (ulp == 0 || !std::isfinite(static_cast<double>(ulp))) ulp = std::numeric_limits<T>::denorm_min();
  return static_cast<double>(std::fabs(static_cast<ld>(got) - exact) / ulp);
}

struct simd_case {
  std::string name;
  double lo, hi;
  double bound_float, bound_double;
  std::function<ld(ld)> exact;
};

// Evaluates op on batches through knossos, the way vmap does.
template <class T>
T eval_batch(std::string const& name, T x) {
  using B = xsimd::batch<T>;
  B v(x);
  B r;
  if (name == "exp") r = ks::exp(v);
  else if (name == "log") r = ks::log(v);
  else if (name == "log1p") r = ks::log1p(v);
  else if (name == "expm1") r = ks::expm1(v);
  else if (name == "sqrt") r = ks::sqrt(v);
  else if (name == "cbrt") r = ks::cbrt(v);
  else if (name == "sin") r = ks::sin(v);
  else if (name == "cos") r = ks::cos(v);
  else if (name == "tan") r = ks::tan(v);
  else if (name == "asin") r = ks::asin(v);
  else if (name == "acos") r = ks::acos(v);
  else if (name == "atan") r = ks::atan(v);
  else if (name == "sinh") r = ks::sinh(v);
  else if (name == "cosh") r = ks::cosh(v);
  else if (name == "tanh") r = ks::tanh(v);
  else if (name == "erf") r = ks::erf(v);
  else if (name == "erfc") r = ks::erfc(v);
  else if (name == "sigmoid") r = ks::sigmoid(v);
  else FAIL("no such case");
  return r.get(0);
}

std::vector<simd_case> const& cases() {
  // name, domain, bound (float, double) in ULPs, exact value in long double. The
  // double erf is xsimd 8.1's (96 ULP: relative 2e-14; a tighter one is future work).
  static std::vector<simd_case> c = {
      {"exp", -80, 80, 2, 2, [](ld x) { return std::exp(x); }},
      {"log", 1e-30, 1e30, 2, 2, [](ld x) { return std::log(x); }},
      {"log1p", -0.99, 100, 2, 2, [](ld x) { return std::log1p(x); }},
      {"expm1", -20, 20, 2, 2, [](ld x) { return std::expm1(x); }},
      {"sqrt", 0, 1e30, 1, 1, [](ld x) { return std::sqrt(x); }},
      {"cbrt", -1e30, 1e30, 2, 2, [](ld x) { return std::cbrt(x); }},
      {"sin", -100, 100, 2, 2, [](ld x) { return std::sin(x); }},
      {"cos", -100, 100, 2, 2, [](ld x) { return std::cos(x); }},
      {"tan", -1.5, 1.5, 3, 3, [](ld x) { return std::tan(x); }},
      {"asin", -1, 1, 3, 2, [](ld x) { return std::asin(x); }},
      {"acos", -1, 1, 2, 2, [](ld x) { return std::acos(x); }},
      {"atan", -100, 100, 2, 2, [](ld x) { return std::atan(x); }},
      {"sinh", -80, 80, 3, 3, [](ld x) { return std::sinh(x); }},
      {"cosh", -80, 80, 3, 3, [](ld x) { return std::cosh(x); }},
      {"tanh", -10, 10, 6, 3, [](ld x) { return std::tanh(x); }},
      {"erf", -6, 6, 8, 96, [](ld x) { return std::erf(x); }},
      {"erfc", -6, 9, 2, 3, [](ld x) { return std::erfc(x); }},
      {"sigmoid", -80, 80, 4, 4, [](ld x) { return 1 / (1 + std::exp(-x)); }},
  };
  return c;
}

template <class T>
double max_ulp(simd_case const& c, std::vector<double>* worst_at) {
  std::vector<T> points;
  constexpr int grid = sizeof(T) == 4 ? 100000 : 20000;
  for (int i = 0; i <= grid; ++i) points.push_back(static_cast<T>(c.lo + (c.hi - c.lo) * i / grid));
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(c.lo, c.hi);
  for (int i = 0; i < grid; ++i) points.push_back(static_cast<T>(u(rng)));
  for (T e : {T(0), T(-0.0), T(1e-30), T(-1e-30), T(1e-7), T(-1e-7), T(0.5), T(-0.5), T(1), T(-1)})
    if (e >= c.lo && e <= c.hi) points.push_back(e);
  double worst = 0;
  for (T x : points) {
    double err = ulp_error<T>(eval_batch<T>(c.name, x), c.exact(x));
    if (err > worst) {
      worst = err;
      if (worst_at) *worst_at = {static_cast<double>(x)};
    }
  }
  return worst;
}

}  // namespace

TEST_CASE_TEMPLATE("SIMD math functions stay within their stated ULP bounds", T, float, double) {
  for (auto const& c : cases()) {
    std::vector<double> at;
    double worst = max_ulp<T>(c, &at);
    double bound = sizeof(T) == 4 ? c.bound_float : c.bound_double;
    CAPTURE(c.name);
    CAPTURE(worst);
    CAPTURE(at);
    MESSAGE(c.name << " " << std::string(sizeof(T) == 4 ? "float" : "double") << ": max " << worst << " ULP (bound " << bound
                   << ")");
    CHECK(worst <= bound);
  }
}

TEST_CASE("edge values: no overflow in sigmoid and softplus, exact limits") {
  using B = xsimd::batch<float>;
  CHECK(ks::sigmoid(B(-100.0f)).get(0) == doctest::Approx(0.0f));
  CHECK(ks::sigmoid(B(100.0f)).get(0) == 1.0f);
  CHECK(ks::lift(ks::softplus)(B(100.0f)).get(0) == 100.0f);
  CHECK(ks::lift(ks::softplus)(B(-100.0f)).get(0) == doctest::Approx(std::exp(-100.0)).epsilon(1e-5));
  CHECK(ks::erf(B(10.0f)).get(0) == 1.0f);
  CHECK(ks::erf(B(-10.0f)).get(0) == -1.0f);
  CHECK(std::isnan(ks::log(B(-1.0f)).get(0)));
}
