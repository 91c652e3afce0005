// knossos: which SIMD implementation each math function uses on batches. One line per
// function, so the choice is made in one place: xsimd 8.1's by default, Eigen 3.4's
// packet math where it is faster within its accuracy bound. Measured on AVX-512,
// float, [-6, 6] (benchmarks/bench_simd_math.cpp): erf xsimd 0.66 ns, Eigen 0.28 ns
// (5.4 ULP); tanh xsimd 0.48 ns, Eigen 0.30 ns (3.9 ULP); exp equal; log1p and expm1
// xsimd 2-3x faster. Every bound below is tested over its domain in
// tests/unit-simd-math.cpp. Docs: docs/performance.md
#pragma once

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

template <class B>
KS_INLINE B erfc(B const& x) {
  return xsimd::erfc(x);
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
