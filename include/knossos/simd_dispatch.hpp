// knossos: which SIMD implementation each math function uses on batches. One line per
// function, so the choice is made in one place: xsimd 8.1's by default, Eigen 3.4's
// packet math where it is faster within its accuracy bound. Measured on AVX-512,
// float, [-6, 6] (a one-off benchmark, not kept in the suite): erf xsimd 0.66 ns, Eigen 0.28 ns
// (5.4 ULP); tanh xsimd 0.48 ns, Eigen 0.30 ns (3.9 ULP); exp equal; log1p and expm1
// xsimd 2-3x faster. Every function's ULP bound is tested over its domain in
// tests/unit-simd-math.cpp. Docs: docs/performance.md
#pragma once

#include <cmath>

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <knossos/config.hpp>

namespace ks::detail::simd {

using xsimd::abs;
using xsimd::acos;
using xsimd::asin;
using xsimd::atan;
using xsimd::atan2;
using xsimd::cbrt;
using xsimd::ceil;
using xsimd::cos;
using xsimd::cosh;
using xsimd::exp;
using xsimd::expm1;
using xsimd::floor;
using xsimd::hypot;
using xsimd::log;
using xsimd::log1p;
using xsimd::max;
using xsimd::min;
using xsimd::pow;
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

template <class B>
KS_INLINE B sigmoid(B const& x) {
  return B(1) / (B(1) + xsimd::exp(-x));
}

template <class B>
KS_INLINE B sign(B const& x) {
  return xsimd::select(x > B(0), B(1), xsimd::select(x < B(0), B(-1), B(0)));
}

}  // namespace ks::detail::simd
