// ks::sum, ks::mean and ks::reduce: values against long double loops, every size around
// the batch width and the block and chunk sizes; lanes past the end contribute nothing;
// float32 accuracy of 2^24-element sums; gradients (value_and_grad, grad, grad<I>, into)
// against hand-derived formulas and central differences, with broadcast numbers'
// gradients summed; ks::par equal to serial bit for bit; strided arrays; the errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <knossos/knossos.hpp>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

using ld = long double;

constexpr auto square = [](auto x) { return x * x; };
constexpr auto identity = [](auto x) { return x; };
constexpr auto times = [](auto x, auto y) { return x * y; };
constexpr auto axpy = [](auto a, auto x, auto y) { return a * x + y; };
// The Huber loss of a prediction p against a target t with threshold d.
constexpr auto huber = [](auto p, auto t, auto d) {
  auto r = p - t;
  return ks::select(ks::abs(r) <= d, 0.5 * r * r, d * (ks::abs(r) - 0.5 * d));
};

// Deterministic pseudo-random numbers in [lo, hi) (xorshift64*).
template <class T>
std::vector<T> uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
  std::vector<T> v(n);
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& x : v) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    double u = static_cast<double>((s * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
    x = static_cast<T>(lo + (hi - lo) * u);
  }
  return v;
}

template <class T>
std::vector<std::size_t> sizes() {
  constexpr std::size_t w = xsimd::batch<T>::size;
  // Around the batch, the four-batch step, the 128-batch block and the 16384-element chunk.
  return {1, w - 1, w, w + 1, 4 * w + 3, 128 * w - 1, 128 * w + 1, 1000, 16384 + 5, 3 * 16384 + 17};
}

ld rel_err(ld got, ld want) { return std::abs(got - want) / std::max(std::abs(want), ld(1e-300)); }

// The reference derivatives of huber, by hand, at r = p - t (computed in T, as the kernel does).
struct huber_ref {
  ld value, dp, dd;
};
huber_ref huber_at(ld r, ld d) {
  bool inside = std::abs(r) <= d;
  return {inside ? r * r / 2 : d * (std::abs(r) - d / 2), inside ? r : (r < 0 ? -d : d), inside ? 0 : std::abs(r) - d};
}

}  // namespace

TEST_CASE_TEMPLATE("sum and mean equal long double loops", T, float, double) {
  ld const tol = sizeof(T) == 4 ? 1e-6L : 1e-14L;
  for (std::size_t n : sizes<T>()) {
    CAPTURE(n);
    auto x = uniform<T>(n, -2, 2, n);
    auto y = uniform<T>(n, -1, 3, n + 7);
    ld sq = 0, hub = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sq += ld(x[i]) * ld(x[i]);
      hub += huber_at(ld(T(x[i] - y[i])), ld(T(0.75))).value;
    }
    T s = ks::sum(square)(x);
    static_assert(std::is_same_v<decltype(s), T>);
    CHECK(rel_err(s, sq) <= tol);
    CHECK(rel_err(ks::mean(square)(x), sq / n) <= tol);
    CHECK(rel_err(ks::sum(huber)(x, y, 0.75), hub) <= tol);
    CHECK(rel_err(ks::mean(huber)(x, y, 0.75), hub / n) <= tol);
  }
}

TEST_CASE_TEMPLATE("lanes past the end contribute nothing", T, float, double) {
  constexpr std::size_t w = xsimd::batch<T>::size;
  for (std::size_t n : {std::size_t{1}, w - 1, w + 1, 2 * w + 1, std::size_t{1000}}) {
    CAPTURE(n);
    std::vector<T> ones(n, T(1));
    CHECK(ks::sum(identity)(ones) == T(n));
    CHECK(ks::sum([](auto) { return 1; })(ones) == T(n));  // a constant result is masked too
    // Ones, then up to 60 twos at the end (the padding repeats the last element, a 2).
    std::size_t const k = std::min<std::size_t>(n, 60);
    std::vector<T> twos(n, T(1));
    for (std::size_t i = n - k; i < n; ++i) twos[i] = T(2);
    CHECK(ks::reduce(identity, ks::op_prod)(twos) == std::ldexp(T(1), static_cast<int>(k)));
    auto ramp = uniform<T>(n, 1, 2, 3);
    ramp.back() = T(-5);  // the padding repeats the last element: max/min must still see it once
    CHECK(ks::reduce(identity, ks::op_min)(ramp) == T(-5));
  }
}

TEST_CASE_TEMPLATE("max, min and product equal scalar loops", T, float, double) {
  for (std::size_t n : sizes<T>()) {
    CAPTURE(n);
    auto x = uniform<T>(n, -3, 3, 2 * n);
    auto y = uniform<T>(n, -1, 1, 2 * n + 1);
    T mx = -std::numeric_limits<T>::infinity(), mn = std::numeric_limits<T>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
      mx = std::max(mx, T(x[i] * y[i]));
      mn = std::min(mn, T(x[i] * y[i]));
    }
    CHECK(ks::reduce(times, ks::op_max)(x, y) == mx);
    CHECK(ks::reduce(times, ks::op_min)(x, y) == mn);
    CHECK(ks::reduce(times, ks::op_max, T(100))(x, y) == T(100));
    CHECK(ks::reduce(times, ks::op_min, mx)(x, y) == mn);

    // Every multiplication's rounding reaches a product whatever the order: the error is
    // a random walk of n steps of at most half an ULP (squares rounded as the kernel does).
    auto near1 = uniform<T>(n, 0.999, 1.001, n + 11);
    ld prod = 1;
    for (T v : near1) prod *= ld(T(v * v));
    ld const tol = ld(std::numeric_limits<T>::epsilon()) * (8 + 2 * std::sqrt(ld(n)));
    CHECK(rel_err(ks::reduce(square, ks::op_prod)(near1), prod) <= tol);
    CHECK(rel_err(ks::reduce(square, std::multiplies<>{})(near1), prod) <= tol);
    CHECK(rel_err(ks::reduce(square, std::multiplies<T>{}, 3.0)(near1), 3 * prod) <= tol);
    ld sq = 0;
    for (T v : x) sq += ld(v) * ld(v);
    CHECK(rel_err(ks::reduce(square, std::plus<>{}, 10)(x), 10 + sq) <= (sizeof(T) == 4 ? 1e-6L : 1e-14L));
  }
}

namespace {
// An op of one's own: the largest magnitude, on numbers and on batches, with its identity.
struct op_max_abs {
  template <class T>
  static constexpr T identity() {
    return T(0);
  }
  template <class V>
  V operator()(V const& a, V const& b) const {
    if constexpr (std::is_arithmetic_v<V>)
      return std::max(std::abs(a), std::abs(b));
    else
      return xsimd::max(xsimd::abs(a), xsimd::abs(b));
  }
};
}  // namespace

TEST_CASE("an op of one's own") {
  auto x = uniform<double>(1001, -3, 2, 5);
  double biggest = 0;
  for (double v : x) biggest = std::max(biggest, std::abs(v));
  CHECK(ks::reduce(identity, op_max_abs{})(x) == biggest);
  CHECK(ks::reduce(identity, op_max_abs{}, 7.0)(x) == 7.0);
}

TEST_CASE("empty arrays give the identity (the init), and mean NaN") {
  std::vector<double> none;
  CHECK(ks::sum(square)(none) == 0.0);
  CHECK(std::isnan(ks::mean(square)(none)));
  CHECK(ks::reduce(square, ks::op_max)(none) == -std::numeric_limits<double>::infinity());
  CHECK(ks::reduce(square, ks::op_prod)(none) == 1.0);
  CHECK(ks::reduce(square, ks::op_min, 4.0)(none) == 4.0);
}

TEST_CASE("float32 sums of 2^24 elements are accurate to 1e-6") {
  std::size_t const n = std::size_t{1} << 24;
  auto x = uniform<float>(n, 0, 1, 42);
  ld ref = 0, ref_sq = 0;
  float naive = 0;
  for (float v : x) {
    ref += v;
    ref_sq += ld(v) * ld(v);
    naive += v;
  }
  float s = ks::sum(identity)(x);
  float sq = ks::sum(square)(x);
  float m = ks::mean(identity)(x);
  MESSAGE("relative errors: sum " << double(rel_err(s, ref)) << ", sum of squares " << double(rel_err(sq, ref_sq))
                                  << ", mean " << double(rel_err(m, ref / n)) << "; a plain float loop "
                                  << double(rel_err(naive, ref)));
  CHECK(rel_err(s, ref) <= 1e-6L);
  CHECK(rel_err(sq, ref_sq) <= 1e-6L);
  CHECK(rel_err(m, ref / n) <= 1e-6L);
  CHECK(rel_err(naive, ref) > 1e-5L);  // the control: a plain float loop fails this test
  CHECK(ks::sum(identity, ks::par)(x) == s);
}

TEST_CASE_TEMPLATE("value_and_grad(mean(huber)): loss and gradients against hand-derived formulas", T, float,
                   double) {
  ld const tol = sizeof(T) == 4 ? 1e-6L : 1e-14L;
  T const delta = T(0.5);
  for (std::size_t n : sizes<T>()) {
    CAPTURE(n);
    auto pred = uniform<T>(n, -2, 2, 5 * n);
    auto target = uniform<T>(n, -1, 1, 5 * n + 1);
    auto [loss, gp, gt, gd] = ks::value_and_grad(ks::mean(huber))(pred, target, delta);
    static_assert(std::is_same_v<decltype(loss), T> && std::is_same_v<decltype(gd), T>);
    static_assert(std::is_same_v<decltype(gp), std::vector<T>>);
    REQUIRE(gp.size() == n);
    REQUIRE(gt.size() == n);
    ld l = 0, dd = 0, abs_dd = 0;
    for (std::size_t i = 0; i < n; ++i) {
      auto h = huber_at(ld(T(pred[i] - target[i])), ld(delta));
      l += h.value;
      dd += h.dd;
      abs_dd += std::abs(h.dd);
      CHECK(rel_err(gp[i], h.dp / n) <= tol);
      CHECK(rel_err(gt[i], -h.dp / n) <= tol);
    }
    CHECK(rel_err(loss, l / n) <= tol);
    CHECK(std::abs(gd - dd / n) <= tol * abs_dd / n);

    // sum: the same without the 1/n.
    auto [sl, sgp, sgt, sgd] = ks::value_and_grad(ks::sum(huber))(pred, target, delta);
    CHECK(rel_err(sl, l) <= tol);
    CHECK(std::abs(sgd - dd) <= tol * abs_dd);
    for (std::size_t i = 0; i < n; ++i) CHECK(sgp[i] == -sgt[i]);
  }
}

TEST_CASE("gradients of mean(huber) agree with central differences") {
  std::size_t const n = 13;
  auto pred = uniform<double>(n, -2, 2, 77);
  auto target = uniform<double>(n, -1, 1, 78);
  double delta = 0.6;
  auto loss = ks::mean(huber);
  auto [l, gp, gt, gd] = ks::value_and_grad(loss)(pred, target, delta);
  CHECK(l == doctest::Approx(loss(pred, target, delta)).epsilon(1e-15));
  double const h = 1e-6;
  auto central = [&](auto&& perturb) {
    perturb(h);
    double up = loss(pred, target, delta);
    perturb(-2 * h);
    double down = loss(pred, target, delta);
    perturb(h);
    return (up - down) / (2 * h);
  };
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(gp[i] == doctest::Approx(central([&](double e) { pred[i] += e; })).epsilon(1e-6));
    CHECK(gt[i] == doctest::Approx(central([&](double e) { target[i] += e; })).epsilon(1e-6));
  }
  CHECK(gd == doctest::Approx(central([&](double e) { delta += e; })).epsilon(1e-6));
}

TEST_CASE("a broadcast number's gradient is summed over the elements") {
  auto x = uniform<double>(1001, -2, 2, 9);
  auto y = uniform<double>(1001, -2, 2, 10);
  auto [da, dx, dy] = ks::grad(ks::sum(axpy))(2.5, x, y);
  static_assert(std::is_same_v<decltype(da), double>);
  ld sx = 0;
  for (double v : x) sx += v;
  CHECK(rel_err(da, sx) <= 1e-14L);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(dx[i] == 2.5);
    CHECK(dy[i] == 1.0);
  }
  double da_only = ks::grad<0>(ks::mean(axpy))(2.5, x, y);
  CHECK(rel_err(da_only, sx / 1001) <= 1e-14L);
  auto [gy, ga] = ks::grad<2, 0>(ks::sum(axpy))(2.5, x, y);
  CHECK(ga == da);
  CHECK(gy == dy);
}

TEST_CASE("into: preallocated gradients, numbers and std::ignore") {
  std::size_t const n = 1037;
  auto pred = uniform<float>(n, -2, 2, 1);
  auto target = uniform<float>(n, -2, 2, 2);
  auto [loss, gp, gt, gd] = ks::value_and_grad(ks::mean(huber))(pred, target, 0.5f);
  std::vector<float> gp2(n), gt2(n);
  float gd2 = 0;
  float loss2 = ks::value_and_grad(ks::mean(huber)).into(std::tie(gp2, gt2, gd2), pred, target, 0.5f);
  CHECK(loss2 == loss);
  CHECK(gd2 == gd);
  CHECK(gp2 == gp);
  CHECK(gt2 == gt);
  std::vector<float> gp3(n);
  float loss3 = ks::value_and_grad(ks::mean(huber)).into(std::tie(gp3, std::ignore, std::ignore), pred, target, 0.5f);
  CHECK(loss3 == loss);
  CHECK(gp3 == gp);
  std::vector<float> gp4(n);
  ks::grad<0>(ks::mean(huber)).into(gp4, pred, target, 0.5f);
  CHECK(gp4 == gp);
  // A pointer and a size, and in place: the gradient overwrites the prediction.
  auto p = pred;
  ks::grad<0>(ks::mean(huber)).into(ks::view(p.data(), n), p, target, 0.5f);
  CHECK(p == gp);
}

TEST_CASE("strided arrays and std::array") {
  std::size_t const n = 1000;
  auto both = uniform<double>(2 * n, -2, 2, 3);
  std::vector<double> even(n);
  for (std::size_t i = 0; i < n; ++i) even[i] = both[2 * i];
  auto target = uniform<double>(n, -1, 1, 4);
  auto strided = ks::view(both.data(), n, 2);
  // The same elements in the same order: the same chunks, blocks and lanes, so equal bit for bit.
  CHECK(ks::sum(huber)(strided, target, 0.3) == ks::sum(huber)(even, target, 0.3));
  std::vector<double> gbuf(2 * n, -7.0);
  auto [l, gp, gt, gd] = ks::value_and_grad(ks::sum(huber))(even, target, 0.3);
  double l2 = ks::value_and_grad(ks::sum(huber))
                  .into(std::tuple{ks::view(gbuf.data(), n, 2), std::ignore, std::ignore}, strided, target, 0.3);
  CHECK(l2 == l);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(gbuf[2 * i] == gp[i]);
    CHECK(gbuf[2 * i + 1] == -7.0);
  }
  std::array<float, 5> a{1, 2, 3, 4, 5};
  CHECK(ks::sum(square)(a) == 55.0f);
  auto g = ks::grad(ks::sum(square))(a);
  static_assert(std::is_same_v<decltype(g), std::array<float, 5>>);
  CHECK(g == std::array<float, 5>{2, 4, 6, 8, 10});
}

TEST_CASE_TEMPLATE("ks::par gives the serial result bit for bit", T, float, double) {
  std::size_t const n = 1000003;
  auto pred = uniform<T>(n, -2, 2, 11);
  auto target = uniform<T>(n, -2, 2, 12);
  CHECK(ks::sum(huber, ks::par)(pred, target, T(0.5)) == ks::sum(huber)(pred, target, T(0.5)));
  CHECK(ks::mean(square, ks::par)(pred) == ks::mean(square)(pred));
  CHECK(ks::reduce(times, ks::op_max, ks::par)(pred, target) == ks::reduce(times, ks::op_max)(pred, target));
  auto near1 = uniform<T>(n, 0.9999, 1.0001, 13);
  CHECK(ks::reduce(identity, ks::op_prod, T(2), ks::par)(near1) == ks::reduce(identity, ks::op_prod, T(2))(near1));
  auto [l1, gp1, gt1, gd1] = ks::value_and_grad(ks::mean(huber, ks::par))(pred, target, T(0.5));
  auto [l2, gp2, gt2, gd2] = ks::value_and_grad(ks::mean(huber))(pred, target, T(0.5));
  CHECK(l1 == l2);
  CHECK(gd1 == gd2);
  CHECK(gp1 == gp2);
  CHECK(gt1 == gt2);
}

TEST_CASE("arrays of different sizes, or a wrong output, throw before anything is written") {
  std::vector<double> a(8, 1.0), b(7, 1.0);
  auto message = [](auto&& call) {
    try {
      call();
    } catch (std::invalid_argument const& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  CHECK(message([&] { ks::sum(huber)(a, b, 1.0); }) ==
        "ks::sum: argument 2 has 7 elements but argument 1 has 8 elements");
  CHECK(message([&] { ks::mean(times)(a, b); }) == "ks::mean: argument 2 has 7 elements but argument 1 has 8 elements");
  CHECK(message([&] { ks::reduce(times, ks::op_max)(a, b); }) ==
        "ks::reduce: argument 2 has 7 elements but argument 1 has 8 elements");
  CHECK(message([&] { ks::value_and_grad(ks::mean(huber))(a, b, 1.0); }) ==
        "ks::mean: argument 2 has 7 elements but argument 1 has 8 elements");
  std::vector<double> ga(7, -1.0), gb(8, -1.0);
  double gd = -1.0;
  CHECK(message([&] { ks::value_and_grad(ks::mean(huber)).into(std::tie(ga, gb, gd), a, a, 1.0); }) ==
        "ks::mean: the gradient output for argument 1 has 7 elements but argument 1 has 8 elements");
  CHECK(ga == std::vector<double>(7, -1.0));
  CHECK(gb == std::vector<double>(8, -1.0));
  CHECK(gd == -1.0);
  std::vector<double> big(9, 0.0);
  CHECK(message([&] { ks::grad<0>(ks::sum(square)).into(ks::view(big.data() + 1, 8), ks::view(big.data(), 8)); }) ==
        "ks::sum: the gradient output for argument 1 overlaps argument 1 without being the same array");
}
