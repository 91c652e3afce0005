// ks::row_kernel: a function's fused loop behind a C function pointer, over one row of
// operands with any strides, broadcast numbers (stride 0) and unwanted outputs (null).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <knossos/knossos.hpp>
#include <knossos/row_kernel.hpp>
#include <tuple>
#include <vector>

namespace {

inline constexpr auto huber = [](auto p, auto t, auto d) {
  auto r = p - t;
  auto a = ks::abs(r);
  return ks::select(a < d, 0.5 * r * r, d * (a - 0.5 * d));
};

template <class T>
T huber_ref(T p, T t, T d) {
  T r = p - t;
  return std::abs(r) < d ? T(0.5) * r * r : d * (std::abs(r) - T(0.5) * d);
}
template <class T>
T huber_dp(T p, T t, T d) {
  T r = p - t;
  return std::abs(r) < d ? r : d * (r > 0 ? T(1) : T(-1));
}

// Values that cross the kink at |p - t| = d, in both directions.
template <class T>
std::vector<T> points(std::size_t n, T scale) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = scale * static_cast<T>(static_cast<int>(i % 17) - 8) / 5;
  return v;
}

}  // namespace

static_assert(ks::row_outputs<float, 3, decltype(huber)> == 1);
static_assert(ks::row_outputs<double, 4, decltype(ks::vjp(huber))> == 3);
static_assert(ks::row_outputs<double, 7, decltype(ks::vjp(ks::vjp(huber)))> == 4);

TEST_CASE_TEMPLATE("contiguous, broadcast and strided operands; rows longer than a piece", T, float, double) {
  auto const fwd = ks::row_kernel<T, 3>(huber);
  for (std::int64_t n : {0, 1, 7, 16, 2047, 2048, 2049, 5000}) {
    CAPTURE(n);
    auto const p = points<T>(static_cast<std::size_t>(n) * 2 + 1, T(1));
    auto const t = points<T>(static_cast<std::size_t>(n) + 1, T(0.25));
    T d = T(0.75);
    std::vector<T> y(static_cast<std::size_t>(n) * 3 + 1, T(-99));
    // p strided by 2, t contiguous, d a broadcast number; y strided by 3.
    void* ptr[] = {y.data(), const_cast<T*>(p.data()), const_cast<T*>(t.data()), &d};
    std::int64_t stride[] = {3, 2, 1, 0};
    fwd(n, ptr, stride);
    for (std::int64_t i = 0; i < n; ++i) {
      auto const k = static_cast<std::size_t>(i);
      CHECK(y[3 * k] == doctest::Approx(huber_ref(p[2 * k], t[k], d)).epsilon(1e-6));
      if (3 * k + 1 < y.size()) CHECK(y[3 * k + 1] == T(-99));  // nothing written between
    }
  }
}

TEST_CASE_TEMPLATE("vjp: a null output is not wanted, and nothing is written for it", T, float, double) {
  auto const vjp = ks::row_kernel<T, 4>(ks::vjp(huber));
  std::int64_t const n = 4100;
  auto const p = points<T>(n, T(1));
  auto const t = points<T>(n, T(0.1));
  T d = T(0.5), dy = T(2);
  std::vector<T> dp(n), dt(n);
  void* ptr[] = {dp.data(), dt.data(), nullptr, const_cast<T*>(p.data()), const_cast<T*>(t.data()), &d, &dy};
  std::int64_t stride[] = {1, 1, 1, 1, 1, 0, 0};
  vjp(n, ptr, stride);
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    CHECK(dp[i] == doctest::Approx(dy * huber_dp(p[i], t[i], d)).epsilon(1e-6));
    CHECK(dt[i] == doctest::Approx(-dy * huber_dp(p[i], t[i], d)).epsilon(1e-6));
  }
}

TEST_CASE_TEMPLATE("inputs that are one number: a register (Scalars) gives what the buffer gives", T, float, double) {
  auto const general = ks::row_kernel<T, 3>(huber);
  auto const scalar_d = ks::row_kernel<T, 3, 0b100>(huber);
  auto const scalar_t_d = ks::row_kernel<T, 3, 0b110>(huber);
  std::int64_t const n = 3001;
  auto const p = points<T>(n, T(1));
  T t = T(0.25), d = T(0.5);
  std::vector<T> a(n), b(n), c(n);
  std::int64_t stride[] = {1, 1, 0, 0};
  for (auto [kernel, out] : {std::pair{general, &a}, std::pair{scalar_d, &b}, std::pair{scalar_t_d, &c}}) {
    void* ptr[] = {out->data(), const_cast<T*>(p.data()), &t, &d};
    kernel(n, ptr, stride);
  }
  CHECK(a == b);
  CHECK(a == c);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(huber_ref(p[i], t, d)).epsilon(1e-6));
}

TEST_CASE("a selected output of vjp: only the first argument's gradient is computed") {
  auto const first = ks::row_kernel<double, 4>(
      [](auto... a) { return std::get<0>(ks::vjp(huber)(a...)); });
  static_assert(ks::row_outputs<double, 4, decltype([](auto... a) { return std::get<0>(ks::vjp(huber)(a...)); })> ==
                1);
  std::vector<double> p{-2, -0.1, 0.3, 3}, t(4, 0.0), g(4);
  double d = 1, dy = 1;
  void* ptr[] = {g.data(), p.data(), t.data(), &d, &dy};
  std::int64_t stride[] = {1, 1, 1, 0, 0};
  first(4, ptr, stride);
  CHECK(g == std::vector<double>{-1, -0.1, 0.3, 1});
}

TEST_CASE("vjp of vjp: the double backward of a function of two arguments") {
  auto f = [](auto x, auto y) { return ks::exp(x * y) + ks::sin(y); };
  auto const k = ks::row_kernel<double, 5>(ks::vjp(ks::vjp(f)));
  double x = 0.5, y = 2, dy = 3, g0 = 0.7, g1 = 1.1, out[3];
  void* ptr[] = {&out[0], &out[1], &out[2], &x, &y, &dy, &g0, &g1};
  std::int64_t stride[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  k(1, ptr, stride);
  // d/d(x, y, dy) of g0 dy y e^{xy} + g1 dy (x e^{xy} + cos y)
  double const e = std::exp(x * y);
  CHECK(out[0] == doctest::Approx(g0 * dy * y * y * e + g1 * dy * (e + x * y * e)).epsilon(1e-14));
  CHECK(out[1] == doctest::Approx(g0 * dy * (e + x * y * e) + g1 * dy * (x * x * e - std::sin(y))).epsilon(1e-14));
  CHECK(out[2] == doctest::Approx(g0 * y * e + g1 * (x * e + std::cos(y))).epsilon(1e-14));
}
