// ks::vmap over standard containers: equal to scalar evaluation element by element,
// every size around the batch width, strides, broadcasting, several outputs, in place,
// the size and overlap errors, and ks::par.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <knossos/knossos.hpp>
#include <numeric>
#include <span>
#include <vector>

namespace {

constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, (1.0 / 3) * (x * x * x), x - 2.0 / 3));
};
constexpr auto gelu = [](auto x) { return 0.5 * x * (1 + ks::erf(x * 0.7071067811865476)); };
constexpr auto axpy = [](auto a, auto x, auto y) { return a * x + y; };

template <class T>
std::vector<T> ramp(std::size_t n, T lo = T(-2), T hi = T(2)) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * static_cast<T>((i * 37) % (n + 1)) / static_cast<T>(n + 1);
  return v;
}

template <class T>
std::vector<std::size_t> sizes() {
  constexpr std::size_t w = xsimd::batch<T>::size;
  return {0, 1, w - 1, w, w + 1, 2 * w + 3, 1000, 4099};
}

}  // namespace

TEST_CASE_TEMPLATE("vmap equals scalar evaluation element by element", T, float, double) {
  for (std::size_t n : sizes<T>()) {
    CAPTURE(n);
    auto x = ramp<T>(n);
    auto y = ks::vmap(relu3)(x);
    auto d = ks::vmap(ks::grad(relu3))(x);
    auto g = ks::vmap(gelu)(x);
    static_assert(std::is_same_v<decltype(y), std::vector<T>>);
    REQUIRE(y.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(y[i] == ks::lift(relu3)(x[i]));
      CHECK(d[i] == ks::grad(relu3)(x[i]));
      // SIMD erf and std::erf may differ in the last bits.
      CHECK(g[i] == doctest::Approx(ks::lift(gelu)(x[i])).epsilon(sizeof(T) == 4 ? 1e-6 : 1e-14));
    }
  }
}

TEST_CASE("vmap of vjp and value_and_grad: several inputs and several outputs") {
  auto x = ramp<float>(101);
  auto dy = ramp<float>(101, 0.5f, 3.0f);
  auto v = ks::vmap(ks::vjp(relu3))(x, dy);
  auto [value, grad] = ks::vmap(ks::value_and_grad(relu3))(x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(v[i] == ks::vjp(relu3)(x[i], dy[i]));
    CHECK(value[i] == ks::lift(relu3)(x[i]));
    CHECK(grad[i] == ks::grad(relu3)(x[i]));
  }
}

TEST_CASE("scalars broadcast, in any position") {
  auto x = ramp<double>(37);
  auto y = ramp<double>(37, 1.0, 5.0);
  auto r = ks::vmap(axpy)(2.5, x, y);
  auto s = ks::vmap(axpy)(x, 3.0, y);
  auto [da, dx, dy] = ks::vmap(ks::grad(axpy))(2.5, x, y);
  // a * x + y may become one fused multiply-add on one side only (g++ contracts
  // scalar code by default; on aarch64 the batch code stays two operations): 1 ULP.
  auto near = [](double v) { return doctest::Approx(v).epsilon(1e-15); };
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(r[i] == near(2.5 * x[i] + y[i]));
    CHECK(s[i] == near(x[i] * 3.0 + y[i]));
    CHECK(da[i] == x[i]);
    CHECK(dx[i] == 2.5);
    CHECK(dy[i] == 1.0);
  }
}

TEST_CASE("containers: std::array, std::span, ks::view with strides") {
  std::array<float, 19> a{};
  std::iota(a.begin(), a.end(), -9.0f);
  auto ra = ks::vmap(relu3)(a);
  static_assert(std::is_same_v<decltype(ra), std::array<float, 19>>);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(ra[i] == ks::lift(relu3)(a[i]));

  std::vector<double> buf = ramp<double>(300);
  std::span<double const> sp(buf.data() + 5, 200);
  auto rs = ks::vmap(relu3)(sp);
  static_assert(std::is_same_v<decltype(rs), std::vector<double>>);
  for (std::size_t i = 0; i < sp.size(); ++i) CHECK(rs[i] == ks::lift(relu3)(sp[i]));

  // Every third element of a raw buffer, and into every second element of another.
  for (std::size_t n : sizes<double>()) {
    CAPTURE(n);
    std::vector<double> src = ramp<double>(3 * n + 1), dst(2 * n + 1, -7.0);
    ks::vmap(relu3).into(ks::view(dst.data(), n, 2), ks::view(src.data(), n, 3));
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(dst[2 * i] == ks::lift(relu3)(src[3 * i]));
      CHECK(dst[2 * i + 1] == -7.0);  // the gaps are untouched
    }
    auto rv = ks::vmap(relu3)(ks::view(src.data(), n, 3));
    REQUIRE(rv.size() == n);
    for (std::size_t i = 0; i < n; ++i) CHECK(rv[i] == ks::lift(relu3)(src[3 * i]));
  }
}

namespace {

// A user's array type with data() and size() but no begin()/end(): not a range, so
// vmap takes it only through an explicit ks::array_traits specialisation (below).
struct every_other {
  std::vector<float> storage;
  float* data() { return storage.data(); }
  std::size_t size() const { return storage.size() / 2; }
};
struct opaque_buffer {
  float* data() { return nullptr; }
  std::size_t size() const { return 0; }
};

}  // namespace

template <>
struct ks::array_traits<every_other> {
  static constexpr bool is_array = true;
  using element = float;
  static auto describe(every_other& a) { return ks::detail::plane<float>{a.data(), a.size(), 1, 2, 1, true}; }
  static auto make_result(every_other const& a) { return std::vector<float>(a.size()); }
};

// data() and size() alone do not make an array (an Eigen block has both and skips
// elements); contiguous ranges do.
static_assert(!ks::detail::is_array_v<opaque_buffer>);
static_assert(ks::detail::is_array_v<every_other>);
static_assert(ks::detail::is_array_v<std::span<float const>>);
static_assert(ks::detail::is_array_v<std::vector<int>>);  // an array, refused for its element type

TEST_CASE("a type with data() and size() is an array only through ks::array_traits") {
  every_other a{ramp<float>(22)};
  auto r = ks::vmap(relu3)(a);
  REQUIRE(r.size() == 11);
  for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i] == ks::lift(relu3)(a.storage[2 * i]));
}

TEST_CASE("into: preallocated outputs, in place, several outputs") {
  auto x = ramp<float>(53);
  auto expected = x;
  for (auto& e : expected) e = ks::lift(relu3)(e);
  std::vector<float> out(53, 0.0f);
  ks::vmap(relu3).into(out, x);
  CHECK(out == expected);

  ks::vmap(relu3).into(x, x);  // in place: x = relu3(x)
  CHECK(x == expected);

  std::vector<float> v(53), d(53);
  auto z = ramp<float>(53);
  ks::vmap(ks::value_and_grad(gelu)).into(std::tie(v, d), z);
  for (std::size_t i = 0; i < z.size(); ++i) {
    auto [vi, di] = ks::value_and_grad(gelu)(xsimd::batch<float>(z[i]));
    CHECK(v[i] == vi.get(0));
    CHECK(d[i] == di.get(0));
  }
}

namespace {
// An opaque function that counts its calls (lane by lane on batches).
int opaque_calls = 0;
constexpr auto counted_log = ks::with_derivative(
    [](double x) {
      ++opaque_calls;
      return std::log(x);
    },
    [](auto x) { return 1 / x; });
}  // namespace

TEST_CASE("into: std::ignore for a result not wanted, which is not computed") {
  auto f = [](auto x, auto y) { return ks::exp(x * y) + ks::sin(y); };
  std::vector<double> x = ramp<double>(37), y = ramp<double>(37, 0.5, 1.5);
  auto [v, dx, dy] = ks::vmap(ks::value_and_grad(f))(x, y);
  std::vector<double> v2(37), dx2(37), dy2(37);
  ks::vmap(ks::value_and_grad(f)).into(std::tie(v2, dx2, std::ignore), x, y);
  CHECK(v2 == v);
  CHECK(dx2 == dx);
  ks::vmap(ks::value_and_grad(f)).into(std::tie(std::ignore, std::ignore, dy2), x, y);
  CHECK(dy2 == dy);
  // Outputs held by value (views) and by reference, mixed with std::ignore.
  std::vector<double> buffer(74);
  ks::vmap(ks::value_and_grad(f)).into(std::tuple{std::ignore, ks::view(buffer.data(), 37, 2), std::ignore}, x, y);
  for (std::size_t i = 0; i < 37; ++i) CHECK(buffer[2 * i] == dx[i]);

  // The work only an ignored result needs is not done: its opaque call is never made.
  auto g = [](auto a, auto b) { return std::tuple{a * b, counted_log(b)}; };
  std::vector<double> prod(37), logs(37);
  opaque_calls = 0;
  ks::vmap(g).into(std::tie(prod, std::ignore), x, y);
  CHECK(opaque_calls == 0);
  CHECK(prod[5] == x[5] * y[5]);
  ks::vmap(g).into(std::tie(std::ignore, logs), x, y);
  CHECK(opaque_calls >= 37);
  CHECK(logs[5] == doctest::Approx(std::log(y[5])));
}

TEST_CASE("size mismatches and overlaps throw, naming the sizes, and write nothing") {
  auto x = ramp<double>(8);
  auto y = ramp<double>(7);
  std::vector<double> out(8, 42.0);
  auto add = [](auto a, auto b) { return a + b; };
  CHECK_THROWS_WITH_AS(ks::vmap(add)(x, y), "ks::vmap: argument 2 has 7 elements but argument 1 has 8 elements",
                       std::invalid_argument);
  std::vector<double> small(5, 42.0);
  CHECK_THROWS_WITH_AS(ks::vmap(add).into(small, x, x),
                       "ks::vmap: output 1 has 5 elements but argument 1 has 8 elements", std::invalid_argument);
  CHECK(small == std::vector<double>(5, 42.0));
  // An output shifted by one element against an input would read overwritten values.
  std::vector<double> buf = ramp<double>(9);
  auto before = buf;
  CHECK_THROWS_WITH_AS(ks::vmap(relu3).into(ks::view(buf.data() + 1, 8), ks::view(buf.data(), 8)),
                       "ks::vmap: output 1 overlaps argument 1 without being the same array", std::invalid_argument);
  CHECK(buf == before);
}

TEST_CASE("ks::par gives the same results as the serial loop") {
  for (std::size_t n : {std::size_t{100}, std::size_t{300001}}) {
    auto x = ramp<float>(n, -3.0f, 3.0f);
    auto serial = ks::vmap(ks::grad(gelu))(x);
    auto parallel = ks::vmap(ks::grad(gelu), ks::par)(x);
    CHECK(serial == parallel);
    std::vector<float> y(n);
    ks::vmap(relu3, ks::par).into(y, x);
    CHECK(y == ks::vmap(relu3)(x));
  }
}

TEST_CASE("the branch not taken never poisons a result under vmap") {
  auto safe_sqrt = [](auto x) { return ks::select(x > 0, ks::sqrt(x), 0); };
  auto x = ramp<double>(101, -4.0, 4.0);
  auto d = ks::vmap(ks::grad(safe_sqrt))(x);
  auto v = ks::vmap(ks::vjp(safe_sqrt))(x, 1.5);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    double expected = x[i] > 0 ? 0.5 / std::sqrt(x[i]) : 0.0;
    CHECK(d[i] == doctest::Approx(expected));
    CHECK(v[i] == doctest::Approx(1.5 * expected));
  }
}

TEST_CASE("outputs larger than the caches (non-temporal stores), aligned or not") {
  std::size_t n = (std::size_t{16} << 20) / sizeof(float) + 37;  // past the streaming threshold
  std::vector<float> x = ramp<float>(n + 1, -3.0f, 3.0f);
  for (std::size_t offset : {std::size_t{0}, std::size_t{1}}) {
    CAPTURE(offset);
    std::vector<float> y(n + 1, -9.0f);
    ks::vmap(relu3).into(ks::view(y.data() + offset, n), ks::view(x.data() + offset, n));
    bool all_equal = true;
    for (std::size_t i = 0; i < n; ++i) all_equal = all_equal && y[i + offset] == ks::lift(relu3)(x[i + offset]);
    CHECK(all_equal);
    if (offset == 1) CHECK(y[0] == -9.0f);
  }
}
