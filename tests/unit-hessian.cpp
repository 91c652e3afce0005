// ks::hessian has one shape everywhere: the n * n second derivatives row by row, as a
// flat std::tuple on numbers, inside a trace and under vmap (issue 20). ks::to_array
// and ks::to_matrix turn results into std::arrays; a Newton step on Rosenbrock's
// function needs nothing else.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <knossos/knossos.hpp>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

constexpr auto cubic = [](auto x, auto y) { return x * x * y + ks::sin(x) * y * y; };
constexpr auto three = [](auto x, auto y, auto z) { return x * x * y + ks::exp(y * z) - x * z * z; };
constexpr auto rosenbrock = [](auto x, auto y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); };

// The Hessian of cubic, by hand.
std::array<double, 4> cubic_hessian(double x, double y) {
  return {2 * y - std::sin(x) * y * y, 2 * x + 2 * std::cos(x) * y, 2 * x + 2 * std::cos(x) * y, 2 * std::sin(x)};
}

}  // namespace

// The shape, as types: n * n values of the arguments' type, flat; one argument: a number.
static_assert(std::is_same_v<decltype(ks::hessian(cubic)(1.0, 2.0)), std::tuple<double, double, double, double>>);
static_assert(std::is_same_v<decltype(ks::hessian(cubic)(1.0f, 2.0f)), std::tuple<float, float, float, float>>);
static_assert(std::is_same_v<decltype(ks::hessian([](auto x) { return x * x * x; })(1.0)), double>);
static_assert(std::tuple_size_v<decltype(ks::hessian(three)(1.0, 2.0, 3.0))> == 9);
static_assert(std::is_same_v<decltype(ks::vmap(ks::hessian(cubic))(std::vector<double>{}, std::vector<double>{})),
                             std::tuple<std::vector<double>, std::vector<double>, std::vector<double>,
                                        std::vector<double>>>);
static_assert(std::is_same_v<decltype(ks::to_matrix(ks::hessian(cubic)(1.0, 2.0))),
                             std::array<std::array<double, 2>, 2>>);
static_assert(std::is_same_v<decltype(ks::to_array(ks::grad(cubic)(1.0, 2.0))), std::array<double, 2>>);
static_assert(std::is_same_v<decltype(ks::to_array(ks::grad([](auto x) { return x * x; })(1.0))),
                             std::array<double, 1>>);

TEST_CASE("on numbers: row by row, d2f/dx_i dx_j at i * n + j") {
  auto [hxx, hxy, hyx, hyy] = ks::hessian(cubic)(0.7, -1.3);
  auto const want = cubic_hessian(0.7, -1.3);
  CHECK(hxx == doctest::Approx(want[0]));
  CHECK(hxy == doctest::Approx(want[1]));
  CHECK(hyx == doctest::Approx(want[2]));
  CHECK(hyy == doctest::Approx(want[3]));
  auto const h = ks::to_matrix(ks::hessian(three)(0.5, 0.25, -1.5));
  double const e = std::exp(0.25 * -1.5);
  CHECK(h[0][0] == doctest::Approx(2 * 0.25));
  CHECK(h[0][1] == doctest::Approx(2 * 0.5));
  CHECK(h[0][2] == doctest::Approx(-2 * -1.5));
  CHECK(h[1][1] == doctest::Approx(-1.5 * -1.5 * e));
  CHECK(h[1][2] == doctest::Approx(e + 0.25 * -1.5 * e));
  CHECK(h[2][1] == h[1][2]);
  CHECK(h[2][2] == doctest::Approx(0.25 * 0.25 * e - 2 * 0.5));
}

TEST_CASE("inside a trace the same shape: std::get<k> works on numbers, under grad and under vmap") {
  // The mixed second derivative, taken inside another knossos function.
  auto mixed = [](auto x, auto y) { return std::get<1>(ks::hessian(cubic)(x, y)); };
  double const x = 0.7, y = -1.3;
  CHECK(mixed(x, y) == doctest::Approx(cubic_hessian(x, y)[1]));
  CHECK(ks::lift(mixed)(x, y) == doctest::Approx(cubic_hessian(x, y)[1]));
  // Its derivative: d3f/dx2 dy = 2 - 2 sin(x) y, d3f/dx dy2 = 2 cos(x).
  auto [dx, dy] = ks::grad(mixed)(x, y);
  CHECK(dx == doctest::Approx(2 - 2 * std::sin(x) * y));
  CHECK(dy == doctest::Approx(2 * std::cos(x)));
  std::vector<double> xs{0.7, -0.2, 1.5}, ys{-1.3, 0.4, 2.0};
  auto v = ks::vmap(mixed)(xs, ys);
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(v[i] == doctest::Approx(cubic_hessian(xs[i], ys[i])[1]));
  // Structured bindings inside a trace too.
  auto trace_of_hessian = [](auto x, auto y) {
    auto [hxx, hxy, hyx, hyy] = ks::hessian(cubic)(x, y);
    return hxx * hyy - hxy * hyx;  // the determinant
  };
  auto const h = cubic_hessian(x, y);
  CHECK(ks::lift(trace_of_hessian)(x, y) == doctest::Approx(h[0] * h[3] - h[1] * h[2]));
}

TEST_CASE_TEMPLATE("vmap(hessian(f)) for two and three arguments equals the Hessian element by element", T, float,
                   double) {
  std::vector<T> xs, ys, zs;
  for (int i = 0; i < 37; ++i) {
    xs.push_back(static_cast<T>(-1.5 + 0.09 * i));
    ys.push_back(static_cast<T>(0.8 - 0.05 * i));
    zs.push_back(static_cast<T>(0.3 + 0.02 * i));
  }
  auto const h2 = ks::to_array(ks::vmap(ks::hessian(cubic))(xs, ys));
  auto const h3 = ks::to_array(ks::vmap(ks::hessian(three))(xs, ys, zs));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    CAPTURE(i);
    auto const want2 = ks::to_array(ks::hessian(cubic)(xs[i], ys[i]));
    auto const want3 = ks::to_array(ks::hessian(three)(xs[i], ys[i], zs[i]));
    double const tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
    for (std::size_t k = 0; k < 4; ++k) CHECK(h2[k][i] == doctest::Approx(want2[k]).epsilon(tol));
    for (std::size_t k = 0; k < 9; ++k) CHECK(h3[k][i] == doctest::Approx(want3[k]).epsilon(tol));
  }
  // A broadcast number, and into preallocated arrays.
  std::vector<T> hxx(xs.size()), hxy(xs.size()), hyx(xs.size()), hyy(xs.size());
  ks::vmap(ks::hessian(cubic)).into(std::tie(hxx, hxy, hyx, hyy), xs, T(2));
  auto const at = ks::hessian(cubic)(xs[5], T(2));
  CHECK(hxy[5] == doctest::Approx(std::get<1>(at)).epsilon(1e-5));
  CHECK(hyy[5] == doctest::Approx(std::get<3>(at)).epsilon(1e-5));
}

TEST_CASE("a function that captures a run-time number: Hessian on numbers and under vmap") {
  // The Lennard-Jones-like function of the issue: traced through expression types.
  double const c = 1.5;
  auto f = [c](auto x, auto y, auto z) {
    auto s = c / (x * x + y * y + z * z);
    auto s3 = s * s * s;
    return s3 * s3 - s3;
  };
  auto const h = ks::to_matrix(ks::hessian(f)(1.0, 1.1, 1.2));
  // Central differences of the gradient.
  double const eps = 1e-6;
  auto const gp = ks::to_array(ks::grad(f)(1.0 + eps, 1.1, 1.2));
  auto const gm = ks::to_array(ks::grad(f)(1.0 - eps, 1.1, 1.2));
  for (std::size_t j = 0; j < 3; ++j) CHECK(h[0][j] == doctest::Approx((gp[j] - gm[j]) / (2 * eps)).epsilon(1e-6));
  std::vector<double> xs{1.0, 0.9}, ys{1.1, 1.2}, zs{1.2, 0.8};
  auto const hv = ks::to_array(ks::vmap(ks::hessian(f))(xs, ys, zs));
  CHECK(hv[1][0] == doctest::Approx(h[0][1]).epsilon(1e-13));
  CHECK(hv[8][1] == doctest::Approx(std::get<8>(ks::hessian(f)(0.9, 1.2, 0.8))).epsilon(1e-13));
}

TEST_CASE("Rosenbrock by Newton's method with std::array") {
  std::array<double, 2> p{-1.2, 1.0};
  for (int step = 0; step < 20; ++step) {
    auto const g = ks::to_array(std::apply(ks::grad(rosenbrock), p));
    auto const h = ks::to_matrix(std::apply(ks::hessian(rosenbrock), p));
    double const det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    p[0] -= (h[1][1] * g[0] - h[0][1] * g[1]) / det;
    p[1] -= (h[0][0] * g[1] - h[1][0] * g[0]) / det;
  }
  CHECK(p[0] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(p[1] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(rosenbrock(p[0], p[1]) < 1e-20);
}
