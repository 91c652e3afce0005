// knossos: which SIMD implementation each math function uses on batches. One line per
// function, so the choice is made in one place: xsimd 8.1's by default, knossos' own
// (simd_math.hpp) for erf, erfc and tanh, where xsimd's are slower (float erf: 3.4x the
// instructions of ours) or inaccurate (erfc's tail), and fixes of xsimd's special values
// and NEON accuracy below. Every function's ULP bound is tested over its domain in
// tests/unit-simd-math.cpp. Docs: docs/performance.md
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include <knossos/config.hpp>
#include <knossos/simd_math.hpp>

namespace ks::detail::simd {

using xsimd::abs;
using xsimd::acosh;
using xsimd::asinh;
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
using xsimd::tan;
using xsimd::trunc;

// erf, erfc, tanh, and division and sqrt (correctly rounded on NEON too): simd_math.hpp.

// xsimd 8.1's float asin, acos, atan and atan2 divide and take square roots with its
// NEON estimates (see simd_math.hpp): 3.2, 2.2 and 2.2 ULP, and atan2 of two subnormal
// numbers wrong, on AArch64. There their lanes are computed in double (IEEE division
// and square root) and rounded to float.
template <class B, class F>
KS_INLINE B in_double_on_neon(F const& f, B const& x) {
#if XSIMD_WITH_NEON64
  if constexpr (std::is_base_of_v<xsimd::neon64, typename B::arch_type> &&
                std::is_same_v<typename B::value_type, float>) {
    using D = xsimd::batch<double, typename B::arch_type>;
    float32x4_t const v = x;
    float64x2_t const lo = f(D(vcvt_f64_f32(vget_low_f32(v)))), hi = f(D(vcvt_high_f64_f32(v)));
    return B(vcvt_high_f32_f64(vcvt_f32_f64(lo), hi));
  } else
#endif
    return f(x);
}
template <class B, class F>
KS_INLINE B in_double_on_neon(F const& f, B const& y, B const& x) {
#if XSIMD_WITH_NEON64
  if constexpr (std::is_base_of_v<xsimd::neon64, typename B::arch_type> &&
                std::is_same_v<typename B::value_type, float>) {
    using D = xsimd::batch<double, typename B::arch_type>;
    float32x4_t const v = y, w = x;
    float64x2_t const lo = f(D(vcvt_f64_f32(vget_low_f32(v))), D(vcvt_f64_f32(vget_low_f32(w))));
    float64x2_t const hi = f(D(vcvt_high_f64_f32(v)), D(vcvt_high_f64_f32(w)));
    return B(vcvt_high_f32_f64(vcvt_f32_f64(lo), hi));
  } else
#endif
    return f(y, x);
}
template <class B>
KS_INLINE B asin(B const& x) {
  return in_double_on_neon([](auto const& v) { return xsimd::asin(v); }, x);
}
template <class B>
KS_INLINE B acos(B const& x) {
  return in_double_on_neon([](auto const& v) { return xsimd::acos(v); }, x);
}
template <class B>
KS_INLINE B atan(B const& x) {
  return in_double_on_neon([](auto const& v) { return xsimd::atan(v); }, x);
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
  B const r = simd::sqrt(xsimd::fma(sx, sx, sy * sy)) * up;
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
  B const r = in_double_on_neon([](auto const& a, auto const& b) { return xsimd::atan2(a, b); }, y, x);
  auto const x_negative = xsimd::copysign(B(1), x) < B(0);  // -0 included
  B const on_axis = xsimd::select(x_negative, xsimd::copysign(pi, y), y);
  B const corner = xsimd::copysign(xsimd::select(x_negative, three_quarters, quarter), y);
  return xsimd::select((y == B(0)) && (x == x), on_axis,
                       xsimd::select(xsimd::isinf(x) && xsimd::isinf(y), corner, r));
}

template <class B>
KS_INLINE B sigmoid(B const& x) {
  return simd::div(B(1), B(1) + xsimd::exp(-x));
}

template <class B>
KS_INLINE B sign(B const& x) {
  return xsimd::select(x > B(0), B(1), xsimd::select(x < B(0), B(-1), B(0)));
}

}  // namespace ks::detail::simd
