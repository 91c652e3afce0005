// No expression swell: the derivative of a function of ~200 nodes in 4 arguments is
// linear in its size, compiles quickly and is right (against finite differences).
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/knossos.hpp>
#include <random>
#include <utility>
#include <vector>

namespace {

// One term, ~14 nodes: sin(a*k1 + b) * exp(-c*k2) + d / (k3 + a*a).
template <std::size_t K>
constexpr auto term = [](auto a, auto b, auto c, auto d) {
  constexpr double k = static_cast<double>(K);
  return ks::sin(a * (k + 1) + b) * ks::exp(-c * (0.1 * k)) + d / (k + 1 + a * a);
};

template <std::size_t... K>
constexpr auto make_sum(std::index_sequence<K...>) {
  return [](auto a, auto b, auto c, auto d) { return (term<K>(a, b, c, d) + ...); };
}

constexpr std::size_t terms = 15;
constexpr auto big = make_sum(std::make_index_sequence<terms>{});

long double big_ld(long double a, long double b, long double c, long double d) {
  long double s = 0;
  for (std::size_t k = 0; k < terms; ++k)
    s += std::sin(a * (k + 1) + b) * std::exp(-c * (0.1L * k)) + d / (k + 1 + a * a);
  return s;
}

// The size of f's compile-time program with 4 arguments (nodes).
template <class F>
constexpr std::size_t program_size = ks::detail::program_t<decltype(ks::lift(std::declval<F>())), 4>::value.n_nodes;

}  // namespace

TEST_CASE("a ~200-node function: the traced program has the expected size") {
  CHECK(program_size<decltype(big)> >= 150);
  CHECK(program_size<decltype(big)> <= 330);
  CHECK(ks::lift(big)(0.3, -0.2, 0.5, 1.5) == doctest::Approx(static_cast<double>(big_ld(0.3L, -0.2L, 0.5L, 1.5L))));
}

// The derivatives' programs: each at most a small multiple of the function's size (an
// expression swell would make them exponential).
constexpr std::size_t big_size = program_size<decltype(big)>;
static_assert(program_size<decltype(ks::grad<0>(big))> <= 3 * big_size);
static_assert(program_size<decltype(ks::grad<1>(big))> <= 3 * big_size);
static_assert(program_size<decltype(ks::grad<2>(big))> <= 3 * big_size);
static_assert(program_size<decltype(ks::grad<3>(big))> <= 3 * big_size);
static_assert(program_size<decltype(ks::grad(big))> <= 4 * big_size);

TEST_CASE("its gradient matches central finite differences") {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    long double p[4] = {u(rng), u(rng), u(rng), u(rng)};
    auto [ga, gb, gc, gd] = ks::grad(big)(static_cast<double>(p[0]), static_cast<double>(p[1]),
                                          static_cast<double>(p[2]), static_cast<double>(p[3]));
    double g[4] = {ga, gb, gc, gd};
    for (int i = 0; i < 4; ++i) {
      long double h = 1e-6L;
      long double lo[4] = {p[0], p[1], p[2], p[3]}, hi[4] = {p[0], p[1], p[2], p[3]};
      lo[i] -= h;
      hi[i] += h;
      long double fd = (big_ld(hi[0], hi[1], hi[2], hi[3]) - big_ld(lo[0], lo[1], lo[2], lo[3])) / (2 * h);
      CAPTURE(i);
      CHECK(g[i] == doctest::Approx(static_cast<double>(fd)).epsilon(1e-7));
    }
  }
}

TEST_CASE("second derivatives of a smaller sum by composition") {
  constexpr auto small = make_sum(std::make_index_sequence<3>{});
  double p[4] = {0.4, 0.1, -0.3, 0.8};
  auto dfa = [&](double a) { return ks::grad<0>(small)(a, p[1], p[2], p[3]); };
  double h = 1e-5;
  double fd = (dfa(p[0] + h) - dfa(p[0] - h)) / (2 * h);
  double d2 = ks::grad<0>(ks::grad<0>(small))(p[0], p[1], p[2], p[3]);
  CHECK(d2 == doctest::Approx(fd).epsilon(1e-6));
}

// Locals each used twice by the next (issue 12): the program is a graph, so its size is
// linear in the number of locals, not 2^n.
constexpr int chain_length = 200;
constexpr auto chained = [](auto x) {
  auto a = x * 0.9 + 0.1;
  for (int k = 1; k < chain_length; ++k) a = a * a - a;
  return a;
};

TEST_CASE("200 chained locals: value and derivative, against long double") {
  constexpr std::size_t n_fwd = ks::detail::program_t<decltype(ks::lift(chained)), 1>::value.n_nodes;
  constexpr std::size_t n_grad = ks::detail::program_t<decltype(ks::grad(chained)), 1>::value.n_nodes;
  static_assert(n_grad > ks::detail::program_capacity, "a derivative of over a thousand nodes");
  CHECK(n_fwd <= 2 * chain_length + 4);
  CHECK(n_grad <= 4 * n_fwd);
  for (double x : {-0.3, 0.2, 0.5}) {
    long double a = x * 0.9L + 0.1L, d = 0.9L;  // a and da/dx
    for (int k = 1; k < chain_length; ++k) {
      d *= 2 * a - 1;
      a = a * a - a;
    }
    CAPTURE(x);
    CHECK(ks::lift(chained)(x) == doctest::Approx(static_cast<double>(a)).epsilon(1e-9));
    CHECK(ks::grad(chained)(x) == doctest::Approx(static_cast<double>(d)).epsilon(1e-9));
  }
}

// A program larger than its first build's capacity is built again at the size the first
// build counted (eval.hpp): the same program, the same values.
struct small_guess {
  static constexpr std::size_t capacity = 8;
  static constexpr ks::detail::graph build() {
    return ks::detail::program_source<decltype(ks::grad(chained)), 1>::build();
  }
};

TEST_CASE("a program past its capacity guess is built again at its size") {
  using guessed = ks::detail::program_t<decltype(ks::grad(chained)), 1>;
  using rebuilt = ks::detail::compiled<small_guess>;
  static_assert(!ks::detail::first_build<small_guess>::value.fits());
  static_assert(rebuilt::value.n_nodes == guessed::value.n_nodes);
  static_assert(rebuilt::value.nodes.size() == guessed::value.n_nodes);  // exact arrays
  long double none[1] = {};
  for (double x : {-0.3, 0.2, 0.5}) CHECK(ks::detail::run<rebuilt, double>(none, x) == ks::grad(chained)(x));
}

// More transcendental functions than eval.hpp inlines on batches: they are called out
// of line, with the same values as inline (and as long double).
constexpr auto many_sines = [](auto x) {
  auto s = ks::sin(x);
  for (int k = 2; k <= 16; ++k) s = s + ks::sin(x * k) / k;
  return s;
};

TEST_CASE("a function with many transcendental calls, on batches") {
  static_assert(ks::detail::program_t<decltype(ks::grad(many_sines)), 1>::value.n_heavy >
                ks::detail::heavy_inline_limit);
  std::vector<double> xs(37), dy(37, 1.0);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = -2.0 + 0.11 * static_cast<double>(i);
  auto values = ks::vmap(many_sines)(xs);
  auto grads = ks::vmap(ks::vjp(many_sines))(xs, dy);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    long double v = 0, d = 0, x = xs[i];
    for (int k = 1; k <= 16; ++k) {
      v += std::sin(x * k) / k;
      d += std::cos(x * k);
    }
    CAPTURE(xs[i]);
    CHECK(values[i] == doctest::Approx(static_cast<double>(v)).epsilon(1e-13));
    CHECK(grads[i] == doctest::Approx(static_cast<double>(d)).epsilon(1e-13));
  }
}
