// knossos: which SIMD implementation each math function uses on batches. One line per
// function, so the choice (xsimd, or knossos's own where it is faster within its ULP
// bound, see simd_math.hpp) is made in one place. Docs: docs/performance.md
#pragma once

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
using xsimd::erf;
using xsimd::erfc;
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
using xsimd::tanh;
using xsimd::trunc;

template <class B>
KS_INLINE B sigmoid(B const& x) {
  return B(1) / (B(1) + xsimd::exp(-x));
}

template <class B>
KS_INLINE B sign(B const& x) {
  return xsimd::select(x > B(0), B(1), xsimd::select(x < B(0), B(-1), B(0)));
}

}  // namespace ks::detail::simd
