// The benchmark kernels (benchmarks/kernels.hpp) are right: every hand-written xsimd
// baseline against a reference computed independently in long double with std:: math
// and derivative formulas derived by hand (themselves checked against central
// differences), and every knossos kernel against its baseline. A wrong baseline would
// make every ratio of the benchmarks a lie. Sizes cover the SIMD body and the scalar
// tail; inputs fall on both sides of every branch.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "suite.hpp"

namespace {

using ld = long double;
constexpr ld inv_sqrt2_l = 0.707106781186547524400844362104849039L;
constexpr ld inv_sqrt_2pi_l = 0.398942280401432677939946059934381868L;

// The reference of one kernel at one element: inputs in, outputs out (as in suite.hpp).
void reference(std::string const& id, ld const* in, ld* out) {
  ld x = in[0];
  ld const d = bench::huber_threshold;
  if (id == "relu3/fwd") {
    out[0] = x < 0 ? 0 : x < 1 ? x * x * x / 3 : x - 2.0L / 3;
  } else if (id == "relu3/vjp") {
    out[0] = in[1] * (x < 0 ? 0 : x < 1 ? x * x : 1);
  } else if (id == "gelu/fwd") {
    out[0] = 0.5L * x * (1 + std::erf(x * inv_sqrt2_l));
  } else if (id == "gelu/vjp") {
    out[0] = in[1] * (0.5L * (1 + std::erf(x * inv_sqrt2_l)) + x * inv_sqrt_2pi_l * std::exp(-x * x / 2));
  } else if (id == "huber/vjp") {
    bool inside = std::abs(x) <= d;
    out[0] = in[1] * (inside ? x : x < 0 ? -d : d);
    out[1] = in[1] * (inside ? 0 : std::abs(x) - d);
  } else if (id == "huber/value_and_grad") {
    bool inside = std::abs(x) <= d;
    out[0] = inside ? x * x / 2 : d * (std::abs(x) - d / 2);
    out[1] = inside ? x : x < 0 ? -d : d;
    out[2] = inside ? 0 : std::abs(x) - d;
  } else if (id == "softplus/fwd") {
    out[0] = std::log1p(std::exp(x));  // no overflow in long double for |x| <= 100
  } else if (id == "softplus/vjp") {
    out[0] = in[1] / (1 + std::exp(-x));
  } else if (id == "black_scholes/value_and_grad") {
    ld S = in[0], K = in[1], T = in[2], r = in[3], sigma = in[4];
    ld vol = sigma * std::sqrt(T);
    ld d1 = (std::log(S / K) + (r + sigma * sigma / 2) * T) / vol, d2 = d1 - vol;
    ld n1 = (1 + std::erf(d1 * inv_sqrt2_l)) / 2, n2 = (1 + std::erf(d2 * inv_sqrt2_l)) / 2;
    ld pdf1 = inv_sqrt_2pi_l * std::exp(-d1 * d1 / 2), disc = std::exp(-r * T);
    out[0] = S * n1 - K * disc * n2;
    out[1] = n1;
    out[2] = -disc * n2;
    out[3] = S * pdf1 * sigma / (2 * std::sqrt(T)) + r * K * disc * n2;
    out[4] = K * T * disc * n2;
    out[5] = S * pdf1 * std::sqrt(T);
  } else if (id == "chained/vjp") {
    ld a = 0.9L * x + 0.1L, g = in[1];
    for (int k = 1; k < bench::chain_locals; ++k) {
      g *= 2 * a - 1;
      a = a * a - a;
    }
    out[0] = 0.9L * g;
  } else {
    FAIL("no reference for " << id);
  }
}

// Inputs on both sides of every branch, special points placed in the SIMD body and in
// the tail: a spread over [-5, 5], then relu3's 0 and 1, huber's +-d, softplus's and
// gelu's far tails. Black-Scholes: the benchmark's ranges, which hold deep in and out
// of the money, short and long expiries.
template <class T>
std::vector<std::vector<T>> test_inputs(bench::kernel_case<T> const& c, std::size_t n) {
  std::vector<std::vector<T>> in;
  for (std::size_t k = 0; k < c.inputs; ++k) {
    if (c.fn == "black_scholes" || c.fn == "chained") {  // the chain diverges outside [-0.5, 1]
      in.push_back(bench::case_input<T>(c.fn, k, n, 7));
      continue;
    }
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i)
      v[i] = static_cast<T>(-5.0 + 10.0 * static_cast<double>((i * 37 + k * 11) % n) / static_cast<double>(n));
    if (k == 0) {
      T const special[] = {0, 1, -1, T(0.5), T(0.999), T(1.001), T(-0.001), 2, -2, 30, -30, 100, -100, 8, -8};
      for (std::size_t s = 0; s < std::size(special); ++s) v[(s * 7 + 3) % n] = special[s];
      v[n - 1] = T(0.25);  // the last element, in the tail whatever the batch width
      if (n > 1) v[n - 2] = T(-1.5);
    }
    in.push_back(std::move(v));
  }
  return in;
}

// |got - want| <= rel * |want| + abs * (largest |want| of that output): relative, with a
// floor that scales with the output (Black-Scholes' N(d) = (1 + erf(d / sqrt 2)) / 2
// is computed to an absolute, not relative, accuracy when d << 0, in every version).
struct tolerance {
  double rel;
  double abs;
};

// gelu in double: xsimd 8.1's double erf is up to 67 ULP off near x = 2.2 (7.4e-15
// absolute, measured against erfl), which 1 + erf(x) turns into an absolute error.
template <class T>
tolerance baseline_tolerance(std::string_view fn) {
  bool f32 = sizeof(T) == 4;
  if (fn == "black_scholes") return f32 ? tolerance{2e-6, 2e-6} : tolerance{1e-13, 1e-13};
  if (fn == "gelu" && !f32) return {1e-14, 1e-14};
  return f32 ? tolerance{4e-6, 1e-7} : tolerance{1e-14, 1e-16};
}

// knossos against the baseline. Black-Scholes: knossos' dT is a sum of terms that
// cancel (it does not know S pdf(d1) = K exp(-rT) pdf(d2)), so it keeps fewer digits
// than the closed form; float erf is Eigen's in knossos and xsimd's by hand.
template <class T>
tolerance knossos_tolerance(std::string_view fn) {
  bool f32 = sizeof(T) == 4;
  if (fn == "black_scholes") return f32 ? tolerance{3e-5, 3e-6} : tolerance{1e-10, 1e-11};
  if (fn == "gelu" && !f32) return {2e-14, 1e-14};  // the hand tail calls std::erf, knossos' xsimd's
  return f32 ? tolerance{2e-5, 2e-7} : tolerance{2e-14, 1e-16};
}

template <class T>
void check_close(std::vector<std::vector<T>> const& got, std::vector<std::vector<ld>> const& want,
                 std::vector<std::vector<T>> const& in, tolerance tol, std::string const& what) {
  for (std::size_t k = 0; k < want.size(); ++k) {
    ld scale = 0;
    for (ld w : want[k]) scale = std::max(scale, std::abs(w));
    for (std::size_t i = 0; i < want[k].size(); ++i) {
      ld err = std::abs(static_cast<ld>(got[k][i]) - want[k][i]);
      ld bound = tol.rel * std::abs(want[k][i]) + tol.abs * scale;
      if (!(err <= bound)) {
        CAPTURE(what);
        CAPTURE(k);
        CAPTURE(i);
        CAPTURE(static_cast<double>(in[0][i]));
        CAPTURE(static_cast<double>(got[k][i]));
        CAPTURE(static_cast<double>(want[k][i]));
        CHECK(static_cast<double>(err) <= static_cast<double>(bound));
      }
    }
  }
}

template <class T>
void run(bench::kernel_case<T> const& c, bench::kernel_fn<T> kernel, std::size_t n,
         std::vector<std::vector<T>> const& in, std::vector<std::vector<T>>& out) {
  std::vector<T const*> ip;
  std::vector<T*> op;
  for (auto const& v : in) ip.push_back(v.data());
  out.assign(c.outputs, std::vector<T>(n, T(-12345)));
  for (auto& v : out) op.push_back(v.data());
  kernel(ip.data(), op.data(), n);
}

}  // namespace

TEST_CASE("the long double references: derivatives equal central differences of the values") {
  // Each derivative formula is derived by hand; differences of the reference values
  // (step 1e-7, error ~1e-13 in long double) confirm it away from the kinks.
  ld const h = 1e-7L;
  auto value = [](std::string const& id, std::vector<ld> in) {
    ld out[6];
    reference(id, in.data(), out);
    return out[0];
  };
  auto diff = [&](std::string const& id, std::vector<ld> in, std::size_t k) {
    auto up = in, down = in;
    up[k] += h;
    down[k] -= h;
    return (value(id, up) - value(id, down)) / (2 * h);
  };
  for (ld x : {-3.0L, -0.6L, 0.3L, 0.8L, 1.7L, 4.0L}) {
    CAPTURE(static_cast<double>(x));
    ld out[6];
    ld in2[2] = {x, 1.0L};
    for (std::string fn : {"relu3", "gelu", "softplus"}) {
      reference(fn + "/vjp", in2, out);
      CHECK(static_cast<double>(std::abs(out[0] - diff(fn + "/fwd", {x}, 0))) < 1e-9);
    }
    reference("huber/value_and_grad", in2, out);
    CHECK(static_cast<double>(std::abs(out[1] - diff("huber/value_and_grad", {x}, 0))) < 1e-9);
    // d/dd by differences of huber(x, d) in d: the threshold is fixed in the reference,
    // so differentiate the outer formula d (|x| - d / 2) directly where it applies.
    if (std::abs(x) > bench::huber_threshold) {
      ld d = bench::huber_threshold;
      ld fd = ((d + h) * (std::abs(x) - (d + h) / 2) - (d - h) * (std::abs(x) - (d - h) / 2)) / (2 * h);
      CHECK(static_cast<double>(std::abs(out[2] - fd)) < 1e-9);
    }
    ld vjp_in[2] = {x, 0.75L};
    reference("huber/vjp", vjp_in, out);
    ld vg[3];
    reference("huber/value_and_grad", in2, vg);
    CHECK(static_cast<double>(std::abs(out[0] - 0.75L * vg[1])) < 1e-15);
    CHECK(static_cast<double>(std::abs(out[1] - 0.75L * vg[2])) < 1e-15);
  }
  std::vector<std::vector<ld>> options = {{100, 95, 0.5L, 0.03L, 0.2L},  {60, 140, 0.1L, 0.08L, 0.1L},
                                          {140, 60, 1.9L, 0.0L, 0.55L},  {100, 100, 1, 0.05L, 0.3L},
                                          {80, 120, 0.05L, 0.02L, 0.05L}};
  for (auto const& o : options) {
    ld out[6];
    reference("black_scholes/value_and_grad", o.data(), out);
    for (std::size_t k = 0; k < 5; ++k) {
      CAPTURE(k);
      ld fd = diff("black_scholes/value_and_grad", o, k);
      CHECK(static_cast<double>(std::abs(out[k + 1] - fd)) <= 1e-8 * static_cast<double>(1 + std::abs(fd)));
    }
  }
}

TEST_CASE_TEMPLATE("every benchmark baseline equals the long double reference, and knossos the baseline", T, float,
                   double) {
  constexpr std::size_t w = xsimd::batch<T>::size;
  for (auto const& c : bench::suite<T>()) {
    std::string id = std::string(c.fn) + "/" + std::string(c.kind);
    // 37: two or four batches and a tail of 5; w - 1: the tail only; 1000: many batches.
    for (std::size_t n : {std::size_t{37}, w - 1, std::size_t{1000}}) {
      CAPTURE(id);
      CAPTURE(n);
      auto in = test_inputs(c, n);
      std::vector<std::vector<ld>> want(c.outputs, std::vector<ld>(n));
      for (std::size_t i = 0; i < n; ++i) {
        ld args[5], res[6];
        for (std::size_t k = 0; k < c.inputs; ++k) args[k] = in[k][i];
        reference(id, args, res);
        for (std::size_t k = 0; k < c.outputs; ++k) want[k][i] = res[k];
      }
      std::vector<std::vector<T>> hand, ks_out;
      run(c, c.xsimd, n, in, hand);
      run(c, c.knossos, n, in, ks_out);
      check_close(hand, want, in, baseline_tolerance<T>(c.fn), "xsimd vs long double");
      std::vector<std::vector<ld>> hand_l(c.outputs, std::vector<ld>(n));
      for (std::size_t k = 0; k < c.outputs; ++k)
        for (std::size_t i = 0; i < n; ++i) hand_l[k][i] = hand[k][i];
      check_close(ks_out, hand_l, in, knossos_tolerance<T>(c.fn), "knossos vs xsimd");
    }
  }
}
