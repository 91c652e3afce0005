// knossos: which SIMD implementation each math function uses on batches. One line per
// function, so the choice is made in one place: xsimd 8.1's by default, Eigen 3.4's
// packet math where it is faster within its accuracy bound. Measured on AVX-512,
// float, [-6, 6] (a one-off benchmark, not kept in the suite): erf xsimd 0.66 ns, Eigen 0.28 ns
// (5.4 ULP); tanh xsimd 0.48 ns, Eigen 0.30 ns (3.9 ULP); exp equal; log1p and expm1
// xsimd 2-3x faster. Every function's ULP bound is tested over its domain in
// tests/unit-simd-math.cpp. Docs: docs/performance.md
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <knossos/config.hpp>

namespace ks::detail::simd {

using xsimd::abs;
using xsimd::acos;
using xsimd::acosh;
using xsimd::asin;
using xsimd::asinh;
using xsimd::atan;
using xsimd::atanh;
using xsimd::cbrt;
using xsimd::ceil;
using xsimd::cos;
using xsimd::cosh;
using xsimd::copysign;
using xsimd::exp;
using xsimd::exp2;
using xsimd::expm1;
using xsimd::floor;
using xsimd::log10;
using xsimd::log2;
using xsimd::log1p;
using xsimd::max;
using xsimd::min;
using xsimd::round;
using xsimd::nearbyint;
using xsimd::sin;
using xsimd::sinh;
using xsimd::sqrt;
using xsimd::tan;
using xsimd::trunc;

// Eigen's packet functions work on the native register; they apply when Eigen was
// compiled for the same instruction set as the batch (the same register type).
template <class B>
inline constexpr bool eigen_packet_matches =
    std::is_same_v<typename B::value_type, float> &&
    std::is_same_v<typename B::register_type, typename Eigen::internal::packet_traits<float>::type>;

template <class B>
KS_INLINE B erf(B const& x) {
  if constexpr (eigen_packet_matches<B>)
    return B(Eigen::internal::perf(static_cast<typename B::register_type>(x)));
  else
    return xsimd::erf(x);
}

// xsimd 8.1's erfc loses relative accuracy in the tail (double: 3.4e4 ULP at x = 6,
// measured by tests/unit-simd-math.cpp). Float: xsimd's double erfc, rounded to float,
// is within 1 ULP. Double: std::erfc per lane (3 ULP), ~8x slower; erfc
// is not on any hot path we know of (gelu uses erf).
template <class B>
KS_INLINE B erfc(B const& x) {
  using T = typename B::value_type;
  alignas(64) T lanes[B::size];
  x.store_aligned(lanes);
  if constexpr (std::is_same_v<T, float>) {
    using D = xsimd::batch<double>;
    static_assert(B::size % D::size == 0);
    for (std::size_t i = 0; i < B::size; i += D::size) {
      alignas(64) double wide[D::size];
      for (std::size_t k = 0; k < D::size; ++k) wide[k] = lanes[i + k];
      xsimd::erfc(D::load_aligned(wide)).store_aligned(wide);
      for (std::size_t k = 0; k < D::size; ++k) lanes[i + k] = static_cast<float>(wide[k]);
    }
  } else {
    for (auto& v : lanes) v = std::erfc(v);
  }
  return B::load_aligned(lanes);
}

template <class B>
KS_INLINE B tanh(B const& x) {
  if constexpr (eigen_packet_matches<B>)
    return B(Eigen::internal::ptanh(static_cast<typename B::register_type>(x)));
  else
    return xsimd::tanh(x);
}

// xsimd 8.1's double log scales a subnormal argument by 2^54 but reads its exponent
// bits before scaling: log(1e-310) was -746.5 (std::log: -713.8). Such lanes are
// scaled here instead; the test costs a compare and a branch per batch, taken only
// where a lane is subnormal. (Float log is right.)
template <class B>
KS_INLINE B log(B const& x) {
  using T = typename B::value_type;
  if constexpr (std::is_same_v<T, double>) {
    // One compare on the common path; zero and negative lanes also enter (rarely).
    if (xsimd::any(x < B(std::numeric_limits<T>::min()))) {
      auto const subnormal = (x > B(0)) && (x < B(std::numeric_limits<T>::min()));
      // 54 ln 2 in two parts, the first exact in double.
      B const scaled = xsimd::log(x * B(0x1p54)) - B(54 * 0x1.62e42fefa3800p-1) - B(54 * 0x1.ef35793c76730p-45);
      return xsimd::select(subnormal, scaled, xsimd::log(x));
    }
  }
  return xsimd::log(x);
}

// xsimd 8.1's hypot is sqrt(x * x + y * y), which overflows (and underflows) where the
// result does not: hypot(1e200, 1e200) was inf in double, hypot(1e20f, 1) in float.
// Here the operands are scaled by a power of two (exactly) when the larger is far from
// 1, so the sum of squares stays in range, and inf wins over NaN as in std::hypot.
template <class B>
KS_INLINE B hypot(B const& x, B const& y) {
  using T = typename B::value_type;
  B const ax = xsimd::abs(x), ay = xsimd::abs(y), m = xsimd::max(ax, ay);
  // Thresholds and factors (float, double): the larger operand scaled into
  // [2^-10, 2^58] or [2^-100, 2^424] where it is large, [2^-49, 2^40] or [2^-474, 2^100]
  // where it is small; the smaller one may then underflow only where it is below the
  // larger one's rounding.
  constexpr bool f = std::is_same_v<T, float>;
  constexpr T lo = f ? T(0x1p-60f) : T(0x1p-500), hi = f ? T(0x1p60f) : T(0x1p500);
  constexpr T down_hi = f ? T(0x1p-70f) : T(0x1p-600), down_lo = f ? T(0x1p100f) : T(0x1p600);
  auto const large = m > B(hi), small = m < B(lo);
  B const down = xsimd::select(large, B(down_hi), xsimd::select(small, B(down_lo), B(1)));
  B const up = xsimd::select(large, B(1 / down_hi), xsimd::select(small, B(1 / down_lo), B(1)));
  B const sx = ax * down, sy = ay * down;
  B const r = xsimd::sqrt(xsimd::fma(sx, sx, sy * sy)) * up;
  return xsimd::select(xsimd::isinf(x) || xsimd::isinf(y), B(std::numeric_limits<T>::infinity()), r);
}

// pow(x, y) with std::pow's (and torch.pow's) special values. xsimd 8.1's pow is
// exp(y log|x|) with sign and NaN fix-ups, and gets several of them wrong: pow(0, y) is 0
// for every y (std: 1 for y == 0, inf for y < 0), pow(-1, ±inf) and pow(-inf, 0.5) are
// NaN (std: 1, inf), and an odd power of a negative number is negative also for even
// exponents beyond 2^24 (float) or 2^53 (double), where every float is even. Here:
// exp(y log|x|), its sign from x where y is an odd integer, NaN for a negative finite x
// and a finite non-integer y, and the exact cases (x or y zero, x = 1, y = 1, |x| = 1
// and y infinite) set. Subnormal results are flushed as exp's are (docs/performance.md).
template <class B>
KS_INLINE B pow(B const& x, B const& y) {
  using T = typename B::value_type;
  constexpr T inf = std::numeric_limits<T>::infinity();
  constexpr T all_integers = std::is_same_v<T, float> ? T(0x1p24) : T(0x1p53);  // and beyond: even
  B const ax = xsimd::abs(x);
  auto const odd = xsimd::is_odd(y) && (xsimd::abs(y) < B(all_integers));
  auto const integer = xsimd::is_flint(y) || xsimd::isinf(y);
  // |x| == 0: 0 for y > 0, inf for y < 0, NaN for NaN y (y == 0 is set below).
  B const magnitude = xsimd::select(ax == B(0), xsimd::select(y > B(0), B(0), xsimd::select(y < B(0), B(inf), y)),
                                    xsimd::exp(y * simd::log(ax)));
  B const r = xsimd::select(odd, xsimd::copysign(magnitude, x), magnitude);
  B const nan = B(std::numeric_limits<T>::quiet_NaN());
  B const invalid = xsimd::select((x < B(0)) && !integer && !xsimd::isinf(x), nan, r);
  auto const one = (y == B(0)) || (x == B(1)) || ((ax == B(1)) && xsimd::isinf(y));
  return xsimd::select(one, B(1), xsimd::select(y == B(1), x, invalid));
}

// xsimd 8.1's atan2 divides y by x: NaN at y == x == 0 (std::atan2: ±0 or ±pi by the
// signs) and at x, y both infinite (std::atan2: ±pi/4 or ±3pi/4).
template <class B>
KS_INLINE B atan2(B const& y, B const& x) {
  using T = typename B::value_type;
  B const pi = B(T(3.14159265358979323846264338327950288L)), quarter = B(T(0.78539816339744830961566084581987572L)),
          three_quarters = B(T(2.35619449019234492884698253745962716L));
  B const r = xsimd::atan2(y, x);
  auto const x_negative = xsimd::copysign(B(1), x) < B(0);  // -0 included
  B const on_axis = xsimd::select(x_negative, xsimd::copysign(pi, y), y);
  B const corner = xsimd::copysign(xsimd::select(x_negative, three_quarters, quarter), y);
  return xsimd::select((y == B(0)) && (x == x), on_axis,
                       xsimd::select(xsimd::isinf(x) && xsimd::isinf(y), corner, r));
}

template <class B>
KS_INLINE B sigmoid(B const& x) {
  return B(1) / (B(1) + xsimd::exp(-x));
}

template <class B>
KS_INLINE B sign(B const& x) {
  return xsimd::select(x > B(0), B(1), xsimd::select(x < B(0), B(-1), B(0)));
}

}  // namespace ks::detail::simd
