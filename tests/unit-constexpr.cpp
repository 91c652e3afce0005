// Derivatives are computed at compile time: namespace-scope static_asserts. (Only
// arithmetic and select are constexpr: std:: math is not, on clang.)
#include <doctest/doctest.h>

#include <knossos/knossos.hpp>

namespace {

constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3));
};
constexpr auto poly = [](auto x, auto y) { return 3 * x * x * y - y * y * y + 2 * x; };
constexpr auto rational = [](auto x) { return (x * x + 1) / (x - 2); };

// relu3, in its three branches
static_assert(ks::grad(relu3)(0.5) == 0.25);
static_assert(ks::grad(relu3)(-1.0) == 0.0);
static_assert(ks::grad(relu3)(3.0) == 1.0);
static_assert(ks::lift(relu3)(3.0) == 3.0 - 2.0 / 3);
// second derivatives by composition (dyadic values, so the sums are exact)
constexpr auto cube = [](auto x) { return x * x * x; };
static_assert(ks::grad(ks::grad(cube))(0.25) == 1.5);
static_assert(ks::grad(ks::grad(relu3))(-2.0) == 0.0);
static_assert(ks::grad(ks::grad(relu3))(2.0) == 0.0);

// polynomial of two variables: d/dx = 6xy + 2, d/dy = 3x^2 - 3y^2
static_assert(std::get<0>(ks::grad(poly)(2.0, 3.0)) == 38.0);
static_assert(std::get<1>(ks::grad(poly)(2.0, 3.0)) == -15.0);
static_assert(ks::grad<1>(poly)(2.0, 3.0) == -15.0);
static_assert(std::get<0>(ks::value_and_grad(poly)(2.0, 3.0)) == 3 * 4 * 3 - 27 + 4);
static_assert(std::get<0>(ks::vjp(poly)(2.0, 3.0, 0.5)) == 19.0);
// vjp of a function of several results (vjp(poly) has two): one cotangent each, the
// double backward. d/d(x, y, dy) of g0 dy (6xy + 2) + g1 dy (3x^2 - 3y^2) at (2, 3, 0.5, 1, 2):
static_assert(ks::vjp(ks::vjp(poly))(2.0, 3.0, 0.5, 1.0, 2.0) ==
              std::tuple{0.5 * (6 * 3.0) + 2 * 0.5 * (6 * 2.0), 0.5 * (6 * 2.0) + 2 * 0.5 * (-6 * 3.0), 38.0 + 2 * -15.0});
static_assert(std::get<1>(ks::jvp(poly)(2.0, 3.0, 1.0, 1.0)) == 38.0 - 15.0);
// hessian, row by row: 6y, 6x, 6x, -6y
static_assert(std::get<0>(ks::hessian(poly)(2.0, 3.0)) == 18.0);
static_assert(std::get<1>(ks::hessian(poly)(2.0, 3.0)) == 12.0);
static_assert(std::get<3>(ks::hessian(poly)(2.0, 3.0)) == -18.0);
static_assert(ks::to_matrix(ks::hessian(poly)(2.0, 3.0))[1][0] == 12.0);

// rational: ((2x)(x - 2) - (x^2 + 1)) / (x - 2)^2 at x = 3: (6 - 10) / 1 = -4
static_assert(ks::grad(rational)(3.0) == -4.0);
static_assert(ks::grad(rational)(4.0) == (8.0 * 2 - 17) / 4);

// Integer powers are exact, also at compile time.
static_assert(ks::grad([](auto x) { return ks::pow(x, 5); })(2.0) == 80.0);

}  // namespace

TEST_CASE("compile-time derivatives are also run-time derivatives") {
  double x = 0.5;  // not a constant expression: the same code at run time
  CHECK(ks::grad(relu3)(x) == 0.25);
  CHECK(std::get<0>(ks::grad(poly)(x + 1.5, 3.0)) == 38.0);
}
