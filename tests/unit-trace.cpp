// Tracing: expression types, constants held by value, weak literals, locals, to_string.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <knossos/knossos.hpp>
#include <type_traits>

namespace {

constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3));
};

}  // namespace

// The compile-time program of f with N arguments.
template <std::size_t N, class F>
constexpr auto const& program_of() {
  return ks::detail::program_t<decltype(ks::lift(std::declval<F>())), N>::value;
}
template <std::size_t N, class F>
constexpr auto const& program_of(F const&) {
  return program_of<N, F>();
}

template <class P>
constexpr int count(P const& p, ks::detail::op code) {
  int k = 0;
  for (auto const& n : p.nodes) k += n.code == code;
  return k;
}

TEST_CASE("tracing a lambda without captures gives a compile-time program with shared nodes") {
  using ks::detail::op;
  constexpr auto const& p = program_of<1>(relu3);
  // x, its three literals and the operations: each distinct subexpression once.
  static_assert(count(p, op::arg) == 1);
  static_assert(count(p, op::mul) == 2);  // x * x, then * x
  static_assert(count(p, op::select) == 2);
  static_assert(p.n_slots == 0);  // every number is known at compile time
  // A local used twice is one node, also in the derivative.
  constexpr auto shared = [](auto x) {
    auto a = ks::exp(x);
    return a * a + a;
  };
  static_assert(count(program_of<1>(shared), op::exp) == 1);
  static_assert(count(program_of<1>(ks::grad(shared)), op::exp) == 1);
  CHECK(ks::grad(shared)(0.5) == doctest::Approx(2 * std::exp(1.0) + std::exp(0.5)));
}

TEST_CASE("a lambda capturing run-time values: the numbers are read when it runs") {
  double k = 3;
  auto f = [k](auto x) { return x * k + 1; };
  constexpr auto const& p = program_of<1, decltype(f)>();
  static_assert(p.n_slots == 2);  // k and the literal 1: a tree holds its numbers at run time
  CHECK(ks::lift(f)(2.0) == 7.0);
  CHECK(ks::grad(f)(2.0) == 3.0);
  k = 5;  // the lambda holds its own copy
  CHECK(ks::lift(f)(2.0) == 7.0);
  auto g = [k](auto x) { return x * k + 1; };
  CHECK(ks::grad(g)(2.0) == 5.0);
  // An integer power in such a lambda has its exponent as a run-time number too; it
  // survives differentiation twice.
  auto h = [k](auto x) { return ks::pow(x * k, 3) + x; };
  CHECK(ks::lift(h)(2.0) == doctest::Approx(1000.0 + 2));
  CHECK(ks::grad(h)(2.0) == doctest::Approx(3 * 100.0 * 5 + 1));
  CHECK(ks::grad(ks::grad(h))(2.0) == doctest::Approx(6 * 10.0 * 25));
}

TEST_CASE("traced locals may be updated and loops unroll (lambdas without captures)") {
  auto horner = [](auto x) {
    constexpr double c[] = {1.0, -0.5, 0.25, -0.125};
    auto y = x * 0 + c[3];
    for (int i = 2; i >= 0; --i) y = y * x + c[i];
    return y;
  };
  auto power = [](auto x) {
    auto y = x;
    for (int i = 0; i < 4; ++i) y *= x;
    y += 1;
    return y;
  };
  for (double x : {-1.5, 0.3, 2.0}) {
    CHECK(ks::lift(horner)(x) == doctest::Approx(1 - 0.5 * x + 0.25 * x * x - 0.125 * x * x * x));
    CHECK(ks::grad(horner)(x) == doctest::Approx(-0.5 + 0.5 * x - 0.375 * x * x));
    CHECK(ks::lift(power)(x) == doctest::Approx(std::pow(x, 5) + 1));
    CHECK(ks::grad(power)(x) == doctest::Approx(5 * std::pow(x, 4)));
  }
}

TEST_CASE("the same lambda runs on plain numbers and through ks::lift") {
  for (double x : {-2.0, -0.0, 0.0, 0.25, 0.5, 0.999, 1.0, 3.5}) {
    long double xl = x;
    long double expected = xl < 0 ? 0.0L : xl < 1 ? xl * xl * xl / 3 : xl - 2.0L / 3;
    CHECK(relu3(x) == doctest::Approx(static_cast<double>(expected)));
    CHECK(ks::lift(relu3)(x) == doctest::Approx(static_cast<double>(expected)));
  }
}

TEST_CASE("weak literals: a double constant meeting float values computes in float") {
  auto f = [](auto x) { return x - 2.0 / 3; };
  auto r = ks::lift(f)(1.5f);
  static_assert(std::is_same_v<decltype(r), float>);
  CHECK(r == 1.5f - static_cast<float>(2.0 / 3));

  double c = 0.1;  // a captured double is weak too
  auto g = [c](auto x) { return x * c + 1; };
  auto rg = ks::lift(g)(3.0f);
  static_assert(std::is_same_v<decltype(rg), float>);
  CHECK(rg == 3.0f * static_cast<float>(c) + 1.0f);

  auto dg = ks::grad(g)(3.0f);
  static_assert(std::is_same_v<decltype(dg), float>);
  CHECK(dg == static_cast<float>(c));

  // On float batches nothing widens either.
  auto rb = ks::lift(f)(xsimd::batch<float>(1.5f));
  static_assert(std::is_same_v<decltype(rb), xsimd::batch<float>>);
  CHECK(rb.get(0) == 1.5f - static_cast<float>(2.0 / 3));

  // Integer arguments are promoted to double, as std::exp(1) is.
  auto ri = ks::lift([](auto x) { return x / 2; })(3);
  static_assert(std::is_same_v<decltype(ri), double>);
  CHECK(ri == 1.5);
}

TEST_CASE("locals are safe: expressions hold operands by value") {
  auto f = [](auto x) {
    auto a = 1 / x;
    return a / (1 + a);  // = 1 / (x + 1)
  };
  for (double x : {0.5, 1.0, 2.0, 10.0}) {
    CHECK(ks::lift(f)(x) == doctest::Approx(1 / (x + 1)));
    CHECK(ks::grad(f)(x) == doctest::Approx(-1 / ((x + 1) * (x + 1))));
  }
  // A knossos function built in a scope that has ended still works.
  auto make = [](double k) {
    return ks::grad([k](auto x) {
      auto t = x * k;
      return t * t;
    });
  };
  std::function<double(double)> df = make(3.0);
  CHECK(df(2.0) == doctest::Approx(2 * 9 * 2.0));
}

TEST_CASE("to_string prints the captured expression and its derivative") {
  CHECK(ks::to_string(relu3) == "select(x < 0, 0, select(x < 1, x * x * x / 3, x - 0.6666666666666666))");
  CHECK(ks::to_string([](auto x, auto y) { return ks::exp(x * y) + ks::sin(y); }) ==
        "exp(x * y) + sin(y)");
  CHECK(ks::to_string(ks::grad<0>([](auto x, auto y) { return ks::exp(x * y) + ks::sin(y); })) ==
        "y * exp(x * y)");
  CHECK(ks::to_string([](auto x) { return -(x - 1) / (x + 2 * x); }) == "-(x - 1) / (x + 2 * x)");
  CHECK(ks::to_string([](auto x, auto y) { return x - (y - x); }) == "x - (y - x)");
  CHECK(ks::to_string([](auto a, auto b) { return a && !(b < 0); }) == "x && !(y < 0)");
  CHECK(ks::to_string([](auto x) { return ks::pow(x, 3); }) == "pow(x, 3)");
  CHECK(ks::to_string([](auto s, auto k) { return s / k; }, {"S", "K"}) == "S / K");
  // The derivative of relu3 is simplified as a person writes it: constant branches
  // vanish, 3 * (x * x) / 3 collects to x * x, the linear branch's derivative is 1.
  CHECK(ks::to_string(ks::grad(relu3)) == "select(x < 0, 0, select(x < 1, x * x, 1))");
  CHECK(ks::to_string(ks::vjp(relu3)) == "select(x < 0, 0, select(x < 1, x * x * y, y))");
  // Values used several times are named once.
  auto chain = [](auto x) {
    auto a = ks::exp(x * 0.5 + 0.25) + ks::sin(x);
    return a * a - a;
  };
  CHECK(ks::to_string(chain) == "t1 = exp(x * 0.5 + 0.25) + sin(x); t1 * t1 - t1");
  CHECK_THROWS_AS(ks::to_string(relu3, {"a", "b"}), std::invalid_argument);
}

TEST_CASE("batch evaluation equals scalar evaluation lane by lane") {
  using B = xsimd::batch<double>;
  alignas(64) double in[B::size];
  for (std::size_t i = 0; i < B::size; ++i) in[i] = -1.5 + 0.7 * static_cast<double>(i);
  auto x = B::load_aligned(in);
  auto y = ks::lift(relu3)(x);
  auto dy = ks::grad(relu3)(x);
  for (std::size_t i = 0; i < B::size; ++i) {
    CHECK(y.get(i) == ks::lift(relu3)(in[i]));
    CHECK(dy.get(i) == ks::grad(relu3)(in[i]));
  }
}

TEST_CASE("integer powers are exact repeated multiplication") {
  auto cube = [](auto x) { return ks::pow(x, 3); };
  for (double x : {0.1, 1.7, -3.3, 1e10}) {
    CHECK(ks::lift(cube)(x) == x * x * x);
    CHECK(ks::grad(cube)(x) == 3 * (x * x));
  }
  CHECK(ks::lift([](auto x) { return ks::pow(x, -2); })(4.0) == 1.0 / 16);
  CHECK(ks::lift([](auto x) { return ks::pow(x, 0); })(0.0) == 1.0);
  CHECK(ks::grad([](auto x) { return ks::pow(x, 0); })(0.0) == 0.0);
}
