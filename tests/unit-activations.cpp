// PyTorch's activation functions and torch's math functions (ks::relu ... ks::logaddexp,
// ks::log2 ... ks::clamp_max): values, first and second derivatives against PyTorch
// autograd, at points on both sides of every kink and exactly at it, in double and
// float, on numbers and through vmap (SIMD batches). The reference numbers are in
// reference/torch_functions.hpp, written by reference/torch_functions.py: torch (Debian's
// python3-torch, /usr/bin/python3) evaluates each function and torch.autograd.grad its
// derivatives in float64; see the script's docstring to regenerate them. Where we keep
// a different rule on purpose (docs/derivatives.md, "Conventions at kinks") the test
// states our value and why.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <knossos/knossos.hpp>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "reference/torch_functions.hpp"

namespace {

using torch_ref::torch_reference;

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double pi = 3.14159265358979323846;

bool close(double got, double want, double rtol, double atol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

// value, d/dx, d/dy, d2/dx2, d2/dxdy, d2/dy2 of a case at (x, y), by knossos.
using results = std::array<double, 6>;

struct fns {
  int arity;
  results (*scalar)(double, double);      // double, numbers
  results (*single)(float, float);        // float, numbers (first derivatives only)
  results (*batch)(double, double);       // double, through vmap (first derivatives only)
  results (*batch_single)(float, float);  // float, through vmap
};

template <class F>
results unary_scalar(double x, double) {
  constexpr F f{};
  return {ks::lift(f)(x), ks::grad(f)(x), 0, ks::grad(ks::grad(f))(x), 0, 0};
}
template <class F>
results unary_single(float x, float) {
  constexpr F f{};
  return {ks::lift(f)(x), ks::grad(f)(x), 0, nan_v, 0, 0};
}
// Through vmap over 19 copies of x (a full batch and a remainder, whatever the ISA).
template <class F, class T>
results unary_batch(T x, T) {
  constexpr F f{};
  std::vector<T> xs(19, x);
  auto v = ks::vmap(f)(xs), d = ks::vmap(ks::grad(f))(xs);
  for (std::size_t i = 1; i < xs.size(); ++i) CHECK((v[i] == v[0] || (std::isnan(v[i]) && std::isnan(v[0]))));
  return {double(v[0]), double(d[0]), 0, nan_v, 0, 0};
}

template <class F>
results binary_scalar(double x, double y) {
  constexpr F f{};
  auto [dx, dy] = ks::grad(f)(x, y);
  auto [hxx, hxy, hyx, hyy] = ks::hessian(f)(x, y);
  (void)hyx;
  return {ks::lift(f)(x, y), dx, dy, hxx, hxy, hyy};
}
template <class F>
results binary_single(float x, float y) {
  constexpr F f{};
  auto [dx, dy] = ks::grad(f)(x, y);
  return {ks::lift(f)(x, y), dx, dy, nan_v, nan_v, nan_v};
}
template <class F, class T>
results binary_batch(T x, T y) {
  constexpr F f{};
  std::vector<T> xs(19, x), ys(19, y);
  auto v = ks::vmap(f)(xs, ys);
  auto dx = ks::vmap(ks::grad<0>(f))(xs, ys);
  auto dy = ks::vmap(ks::grad<1>(f))(xs, ys);
  return {double(v[0]), double(dx[0]), double(dy[0]), nan_v, nan_v, nan_v};
}

template <class F>
fns unary() {
  return {1, &unary_scalar<F>, &unary_single<F>, &unary_batch<F, double>, &unary_batch<F, float>};
}
template <class F>
fns binary() {
  return {2, &binary_scalar<F>, &binary_single<F>, &binary_batch<F, double>, &binary_batch<F, float>};
}

#define KS_FN1(EXPR) unary<decltype([](auto x) { return EXPR; })>()
#define KS_FN2(EXPR) binary<decltype([](auto x, auto y) { return EXPR; })>()

// The C++ of every case of the reference tables, by its name there.
std::map<std::string, fns> const& functions() {
  static std::map<std::string, fns> const m = {
      {"relu", KS_FN1(ks::relu(x))},
      {"relu6", KS_FN1(ks::relu6(x))},
      {"leaky_relu", KS_FN1(ks::leaky_relu(x))},
      {"leaky_relu(x,0.2)", KS_FN1(ks::leaky_relu(x, 0.2))},
      {"elu", KS_FN1(ks::elu(x))},
      {"elu(x,1.5)", KS_FN1(ks::elu(x, 1.5))},
      {"selu", KS_FN1(ks::selu(x))},
      {"celu", KS_FN1(ks::celu(x))},
      {"celu(x,2)", KS_FN1(ks::celu(x, 2.0))},
      {"gelu", KS_FN1(ks::gelu(x))},
      {"gelu_tanh", KS_FN1(ks::gelu_tanh(x))},
      {"silu", KS_FN1(ks::silu(x))},
      {"mish", KS_FN1(ks::mish(x))},
      {"softsign", KS_FN1(ks::softsign(x))},
      {"hardtanh", KS_FN1(ks::hardtanh(x))},
      {"hardtanh(x,-2,3)", KS_FN1(ks::hardtanh(x, -2.0, 3.0))},
      {"hardsigmoid", KS_FN1(ks::hardsigmoid(x))},
      {"hardswish", KS_FN1(ks::hardswish(x))},
      {"logsigmoid", KS_FN1(ks::logsigmoid(x))},
      {"softshrink", KS_FN1(ks::softshrink(x))},
      {"softshrink(x,1)", KS_FN1(ks::softshrink(x, 1.0))},
      {"hardshrink", KS_FN1(ks::hardshrink(x))},
      {"hardshrink(x,1)", KS_FN1(ks::hardshrink(x, 1.0))},
      {"tanhshrink", KS_FN1(ks::tanhshrink(x))},
      {"xlogy", KS_FN2(ks::xlogy(x, y))},
      {"logaddexp", KS_FN2(ks::logaddexp(x, y))},
      {"log2", KS_FN1(ks::log2(x))},
      {"log10", KS_FN1(ks::log10(x))},
      {"exp2", KS_FN1(ks::exp2(x))},
      {"asinh", KS_FN1(ks::asinh(x))},
      {"acosh", KS_FN1(ks::acosh(x))},
      {"atanh", KS_FN1(ks::atanh(x))},
      {"logit", KS_FN1(ks::logit(x))},
      {"sinc", KS_FN1(ks::sinc(x))},
      {"clamp_min(x,0.5)", KS_FN1(ks::clamp_min(x, 0.5))},
      {"clamp_max(x,0.5)", KS_FN1(ks::clamp_max(x, 0.5))},
      {"copysign", KS_FN2(ks::copysign(x, y))},
      {"lerp(x,y,0.25)", KS_FN2(ks::lerp(x, y, 0.25))},
      {"lerp(x,y,0.75)", KS_FN2(ks::lerp(x, y, 0.75))},
  };
  return m;
}

// Where our rule differs from PyTorch's on purpose: name, x, y, which result
// (0 value ... 5 d2/dy2), our value. docs/derivatives.md, "Conventions at kinks".
struct deviation {
  char const* name;
  double x, y;
  int which;
  double ours;
};
constexpr double selu_scale_alpha = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717;
deviation const deviations[] = {
    // The second derivative at the kink from the branch select takes, like the first
    // (PyTorch: the first from x <= 0, the second from x > 0; for hardswish the first
    // from -3 <= x <= 3, the second from outside).
    {"elu", 0, 0, 3, 1.0},
    {"elu(x,1.5)", 0, 0, 3, 1.5},
    {"selu", 0, 0, 3, selu_scale_alpha},
    {"celu", 0, 0, 3, 1.0},
    {"celu(x,2)", 0, 0, 3, 0.5},
    {"hardswish", -3, 0, 3, 1.0 / 3},
    {"hardswish", 3, 0, 3, 1.0 / 3},
    // The branch not taken does not poison the result (PyTorch: 0 / 0 in its formula).
    {"xlogy", 0, 0, 2, 0.0},
    {"xlogy", 0, 0, 4, 0.0},
    {"xlogy", 0, 0, 5, 0.0},
    {"copysign", 0, 1, 3, 0.0},
    {"copysign", 0, -1, 3, 0.0},
    // sinc near 0 is 1 - (pi x)^2 / 6, so its second derivative there is exact.
    {"sinc", 0, 0, 3, -pi * pi / 3},
    // logit'' = (2x - 1) / (x (1 - x))^2: -inf at 0 and inf at 1 (PyTorch: NaN).
    {"logit", 0, 0, 3, -std::numeric_limits<double>::infinity()},
    {"logit", 1, 0, 3, std::numeric_limits<double>::infinity()},
};

double expected(torch_reference const& r, int which) {
  // PyTorch's hardsigmoid_backward multiplies by 1.0f / 6.0f, in float also for double
  // tensors; ours is the double 1 / 6.
  if (r.name == std::string("hardsigmoid") && which == 1 && r.dx == static_cast<double>(1.0f / 6.0f)) return 1.0 / 6;
  for (auto const& d : deviations)
    if (r.name == std::string(d.name) && r.x == d.x && r.y == d.y && which == d.which) return d.ours;
  double const v[] = {r.value, r.dx, r.dy, r.dxx, r.dxy, r.dyy};
  return v[which];
}

// Checks results against a reference row: value always, derivatives where x is a
// number, second derivatives where torch has them and `second` (those with 100 times
// the tolerance: silu'' and mish'' in the tail are differences of nearly equal terms,
// computed in another order than PyTorch's hand-written formulas).
void check_row(torch_reference const& r, results const& got, double rtol, double atol, bool second, char const* path) {
  std::string const on = path;
  CAPTURE(on);
  static char const* const what[] = {"value", "d/dx", "d/dy", "d2/dx2", "d2/dxdy", "d2/dy2"};
  int const last = std::isnan(r.x) ? 0 : second && r.second ? 5 : 2;
  for (int k = 0; k <= last; ++k) {
    if (k == 3) rtol *= 100, atol *= 1e4;
    double want = expected(r, k);
    std::string const quantity = what[k];
    CAPTURE(quantity);
    CAPTURE(got[static_cast<std::size_t>(k)]);
    CAPTURE(want);
    CHECK(close(got[static_cast<std::size_t>(k)], want, rtol, atol));
  }
}

template <std::size_t N>
void check_table(torch_reference const (&table)[N]) {
  for (auto const& r : table) {
    auto it = functions().find(r.name);
    std::string const name = r.name;
    CAPTURE(name);
    CAPTURE(r.x);
    CAPTURE(r.y);
    REQUIRE(it != functions().end());
    fns const& f = it->second;
    // sinc' near 0 is a difference of nearly equal terms (ours and PyTorch's): its
    // absolute error is about eps / x.
    bool const cancels = r.name == std::string("sinc");
    // double: as PyTorch computes it, up to rounding (tanhshrink and gelu cancel).
    check_row(r, f.scalar(r.x, r.y), 1e-12, cancels ? 1e-12 : 1e-15, true, "double");
    // float: the same function at the point rounded to float.
    float const xf = static_cast<float>(r.x), yf = static_cast<float>(r.y);
    double const float_atol = cancels ? 1e-4 : 1e-6;
    check_row(r, f.single(xf, yf), 3e-5, float_atol, false, "float");
    // SIMD batches: the SIMD math's ULP bounds (double erf: 2e-14 relative).
    check_row(r, f.batch(r.x, r.y), 1e-10, 1e-13, false, "vmap double");
    check_row(r, f.batch_single(xf, yf), 3e-5, float_atol, false, "vmap float");
  }
}

}  // namespace

TEST_CASE("activations: values and derivatives as PyTorch autograd, at and around every kink") {
  check_table(torch_ref::activations);
}

TEST_CASE("torch math functions: values and derivatives as PyTorch autograd") {
  check_table(torch_ref::math_functions);
}

TEST_CASE("every case of the reference tables has a C++ function, and every function a case") {
  std::set<std::string> named;
  for (auto const& r : torch_ref::activations) named.insert(r.name);
  for (auto const& r : torch_ref::math_functions) named.insert(r.name);
  for (auto const& entry : functions()) {
    std::string const& name = entry.first;  // (clang 14 cannot capture a structured binding)
    CAPTURE(name);
    CHECK(named.count(name) == 1);
  }
  CHECK(named.size() == functions().size());
}

TEST_CASE("defaults are PyTorch's; optional parameters may be given") {
  CHECK(ks::leaky_relu(-2.0) == -0.02);
  CHECK(ks::leaky_relu(-2.0, 0.5) == -1.0);
  CHECK(ks::hardtanh(5.0) == 1.0);
  CHECK(ks::hardtanh(5.0, -2.0, 3.0) == 3.0);
  CHECK(ks::softshrink(0.75) == 0.25);
  CHECK(ks::hardshrink(0.75, 1.0) == 0.0);
  // Gradients with respect to the parameters too.
  auto [dx, dslope] = ks::grad(ks::leaky_relu)(-2.0, 0.5);
  CHECK(dx == 0.5);
  CHECK(dslope == -2.0);
  auto [ex, ealpha] = ks::grad(ks::elu)(-1.0, 2.0);
  CHECK(ex == doctest::Approx(2 * std::exp(-1.0)).epsilon(1e-15));
  CHECK(ealpha == doctest::Approx(std::expm1(-1.0)).epsilon(1e-15));
  // Weak literals: float stays float.
  static_assert(std::is_same_v<decltype(ks::leaky_relu(1.0f)), float>);
  static_assert(std::is_same_v<decltype(ks::gelu(1.0f)), float>);
}

TEST_CASE("tails in float keep their relative accuracy") {
  // elu'(-30) = exp(-30) = 9.36e-14 (alpha 1); expm1' is exp, not expm1 + 1, which is 0.
  float const e30 = static_cast<float>(std::exp(-30.0));
  CHECK(ks::grad(ks::elu)(-30.0f) == doctest::Approx(e30).epsilon(1e-6));
  CHECK(ks::grad<0>(ks::elu)(-30.0f, 1.5f) == doctest::Approx(1.5f * e30).epsilon(1e-6));
  std::vector<float> xs(19, -30.0f);
  auto g = ks::vmap(ks::grad(ks::elu))(xs);
  for (float v : g) CHECK(v == doctest::Approx(e30).epsilon(1e-5));
  // logaddexp far apart: the smaller term's weight is exp(-35).
  auto [a, b] = ks::grad(ks::logaddexp)(-30.0f, 5.0f);
  CHECK(a == doctest::Approx(static_cast<float>(std::exp(-35.0))).epsilon(1e-5));
  CHECK(b == 1.0f);
}
