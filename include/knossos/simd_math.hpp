// knossos: its own erf, erfc and tanh on xsimd batches, float and double, and the exact
// arithmetic they need (fused multiply-add, division and square root). Rational
// approximations, their coefficients fitted by scripts/fit_simd_math.py, branch-free but
// for double erfc's far tail: as fast as Eigen 3.4's packet erf and tanh or faster, and
// faster than xsimd 8.1's, within ULP bounds that tests/unit-simd-math.cpp checks over the
// whole domain (docs/performance.md gives the bounds and the instruction counts).
// Special values as std::'s: ±0 kept, erf(±inf) = ±1, erfc(inf) = 0, erfc(-inf) = 2,
// tanh(±inf) = ±1, NaN in, NaN out. Docs: docs/performance.md
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

#include <knossos/config.hpp>

namespace ks::detail::simd {

// a b + c (Sign 0), a b - c (1), -(a b) + c (2), -(a b) - c (3), rounded once. xsimd 8.1
// has no AVX-512 kernel for them: its generic one multiplies and adds, rounding twice,
// in two instructions; here AVX-512's own instructions. On NEON, vfmaq with an operand
// negated (exactly); elsewhere xsimd's, one instruction with FMA3 or FMA4.
template <int Sign, class B>
KS_INLINE B fused(B const& a, B const& b, B const& c) {
  using A = typename B::arch_type;
#if XSIMD_WITH_AVX512F
  if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<typename B::value_type, float>) {
    if constexpr (Sign == 0) return B(_mm512_fmadd_ps(a, b, c));
    else if constexpr (Sign == 1) return B(_mm512_fmsub_ps(a, b, c));
    else if constexpr (Sign == 2) return B(_mm512_fnmadd_ps(a, b, c));
    else return B(_mm512_fnmsub_ps(a, b, c));
  } else if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
    if constexpr (Sign == 0) return B(_mm512_fmadd_pd(a, b, c));
    else if constexpr (Sign == 1) return B(_mm512_fmsub_pd(a, b, c));
    else if constexpr (Sign == 2) return B(_mm512_fnmadd_pd(a, b, c));
    else return B(_mm512_fnmsub_pd(a, b, c));
  } else
#endif
  if constexpr (std::is_base_of_v<xsimd::neon, A>) {
    return xsimd::fma(Sign >= 2 ? B(-a) : a, b, Sign % 2 ? B(-c) : c);
  } else if constexpr (Sign == 0) {
    return xsimd::fma(a, b, c);
  } else if constexpr (Sign == 1) {
    return xsimd::fms(a, b, c);
  } else if constexpr (Sign == 2) {
    return xsimd::fnma(a, b, c);
  } else {
    return xsimd::fnms(a, b, c);
  }
}
template <class B>
KS_INLINE B fma(B const& a, B const& b, B const& c) {
  return fused<0>(a, b, c);
}
template <class B>
KS_INLINE B fms(B const& a, B const& b, B const& c) {
  return fused<1>(a, b, c);
}
template <class B>
KS_INLINE B fnma(B const& a, B const& b, B const& c) {
  return fused<2>(a, b, c);
}
template <class B>
KS_INLINE B fnms(B const& a, B const& b, B const& c) {
  return fused<3>(a, b, c);
}
// Whether fma rounds once (else z^2 is split by Dekker's product, below).
template <class B>
inline constexpr bool fused_fma_v = std::is_base_of_v<xsimd::avx512f, typename B::arch_type> ||
                                    std::is_base_of_v<xsimd::fma3<xsimd::sse4_2>, typename B::arch_type> ||
                                    std::is_base_of_v<xsimd::fma3<xsimd::avx>, typename B::arch_type> ||
                                    std::is_base_of_v<xsimd::fma3<xsimd::avx2>, typename B::arch_type> ||
                                    std::is_base_of_v<xsimd::fma4, typename B::arch_type> ||
                                    std::is_base_of_v<xsimd::neon, typename B::arch_type>;

// a / b and sqrt(a), correctly rounded. xsimd 8.1 computes float division and square root
// on NEON from the reciprocal (square root) estimate and Newton steps, up to 1.65 ULP off
// (issue 21); AArch64 has the IEEE instructions. (Its double ones are right.)
template <class B>
KS_INLINE B div(B const& a, B const& b) {
#if XSIMD_WITH_NEON64
  if constexpr (std::is_base_of_v<xsimd::neon64, typename B::arch_type> &&
                std::is_same_v<typename B::value_type, float>)
    return B(vdivq_f32(a, b));
  else
#endif
    return a / b;
}
template <class B>
KS_INLINE B sqrt(B const& a) {
#if XSIMD_WITH_NEON64
  if constexpr (std::is_base_of_v<xsimd::neon64, typename B::arch_type> &&
                std::is_same_v<typename B::value_type, float>)
    return B(vsqrtq_f32(a));
  else
#endif
    return xsimd::sqrt(a);
}

// C[0] + x (C[1] + x (C[2] + ...)), a fused multiply-add per coefficient. A monic
// polynomial starts with x + C[n - 2]: no copy of a constant register, an instruction fewer.
template <auto const& C, std::size_t I = 0, class B>
KS_INLINE B horner(B const& x) {
  constexpr std::size_t n = std::tuple_size_v<std::remove_cvref_t<decltype(C)>>;
  if constexpr (I + 2 == n && C[n - 1] == 1)
    return x + B(C[I]);
  else if constexpr (I + 1 == n)
    return B(C[I]);
  else
    return simd::fma(horner<C, I + 1>(x), x, B(C[I]));
}

// z^2 = hi + lo exactly: lo = z z - hi by a fused multiply-add, or without one by Dekker's
// product (z split in halves whose products are exact).
template <class B>
struct split_square {
  B hi, lo;
};
template <class B>
KS_INLINE split_square<B> square_exactly(B const& z) {
  B const hi = z * z;
  if constexpr (fused_fma_v<B>) {
    return {hi, simd::fms(z, z, hi)};
  } else {
    using T = typename B::value_type;
    B const c = z * B(std::is_same_v<T, float> ? T(4097) : T(134217729)), zh = c - (c - z), zl = z - zh;
    return {hi, ((zh * zh - hi) + B(2) * zh * zl) + zl * zl};
  }
}

// x limited to [lo, hi], NaN kept: x86's min and max return their second operand when
// either is NaN, so x goes second; NEON's return NaN either way.
template <class B>
KS_INLINE B clamp_keep_nan(B const& x, typename B::value_type lo, typename B::value_type hi) {
  return xsimd::max(B(lo), xsimd::min(B(hi), x));
}

// The coefficients, fitted by scripts/fit_simd_math.py (which prints each fit's error);
// every denominator Q is monic.
template <class T>
struct math_coefficients;

template <>
struct math_coefficients<float> {
  // erf(x) = x P(x^2) / Q(x^2), x^2 limited to 16 (erf(x) is 1 in float beyond 3.92).
  static constexpr float erf_limit = 4;
  static constexpr std::array<float, 6> erf_p{0x1.d73deep+14f, 0x1.43579ep+12f, 0x1.62d63p+10f, 0x1.9f38b8p+6f,
                                              0x1.e6bd18p+2f, 0x1.b2e986p-5f};
  static constexpr std::array<float, 6> erf_q{0x1.a1a096p+14f, 0x1.a5b1e2p+13f, 0x1.816778p+11f, 0x1.967c5ep+8f,
                                              0x1.fb061cp+4f, 0x1p+0f};
  // tanh(x) = x P(x^2) / Q(x^2), x^2 limited to 9.1^2 (tanh(x) is 1 in float beyond 9.01).
  static constexpr float tanh_limit = 9.1f;
  static constexpr std::array<float, 5> tanh_p{0x1.3cebbap+20f, 0x1.531734p+17f, 0x1.1af79ep+12f, 0x1.a95e62p+4f,
                                               0x1.183c88p-6f};
  static constexpr std::array<float, 5> tanh_q{0x1.3cebbap+20f, 0x1.280d96p+19f, 0x1.0620c8p+15f, 0x1.a8d902p+8f,
                                               0x1p+0f};
  // erfc(x) = e^(-x^2) P(x) / Q(x) on 0 <= x <= 10.2 (erfc(x) is 0 in float beyond 10.13),
  // and e^r on |r| <= ln(2) / 2: float's accuracy, computed in double.
  static constexpr float erfc_limit = 10.2f;
  static constexpr std::array<double, 5> erfc_p{0x1.1272208a7af54p+4, 0x1.5420348fe39a2p+4, 0x1.921834882878bp+3,
                                                0x1.f8439f999762bp+1, 0x1.20de531b4d4c2p-1};
  static constexpr std::array<double, 6> erfc_q{0x1.1272206fac043p+4, 0x1.44e706cf3090dp+5, 0x1.49e99f09b4e85p+5,
                                                0x1.6c3aefcb9ce8fp+4, 0x1.beebc5ab200d3p+2, 0x1p+0};
  static constexpr std::array<double, 7> exp{0x1.0000000261338p+0, 0x1.0000009c48caep+0, 0x1.fffffaaefbe79p-2,
                                             0x1.55540a1e894d7p-3, 0x1.55589a040933ap-5, 0x1.126d365e81fd9p-7,
                                             0x1.6ab9ef2fb0407p-10};
};

template <>
struct math_coefficients<double> {
  // erf(x) = x + x P(x^2) / Q(x^2) on |x| < 0.75, ...
  static constexpr double erf_small = 0.75;
  static constexpr std::array<double, 5> erf_p{0x1.5550db2a8823fp+8, -0x1.a629ae9f543d5p+9, -0x1.f82a2e8f58c39p+6,
                                               -0x1.3a13bd78f3e6cp+4, -0x1.a7ef861b97ae7p-1};
  static constexpr std::array<double, 5> erf_q{0x1.4c54f1466bcc8p+11, 0x1.2f225a0682d4fp+10, 0x1.d3d09e2540b28p+7,
                                               0x1.707eb05d3fd28p+4, 0x1p+0};
  // ... 1 - erfc(|x|) beyond, and erf(x) = 1 beyond 6 (it is 1 in double beyond 5.92).
  static constexpr double erf_limit = 6;
  // erfc(x) = e^(-x^2) P(x) / Q(x) on 0 <= x <= 6, ...
  static constexpr std::array<double, 9> erfc_p{0x1.1743dceda2712p+12, 0x1.05203c7d0c7c1p+13, 0x1.e72bd99f52f95p+12,
                                                0x1.1d59de4d5f3b5p+12, 0x1.c4fe02f316fd3p+10, 0x1.f004d9e6dc695p+8,
                                                0x1.6d92bdca19247p+6, 0x1.4cc30f5e14d8ep+3, 0x1.20dd75635db16p-1};
  static constexpr std::array<double, 10> erfc_q{0x1.1743dceda2712p+12, 0x1.a2af3360dbb36p+13, 0x1.2031a46305b4fp+14,
                                                 0x1.df6a04be69ac3p+13, 0x1.0a565ba53ca1p+13, 0x1.9b83cad217ab8p+11,
                                                 0x1.bc3189bd81c8ep+9, 0x1.44fb12a8dc6ecp+7, 0x1.26e712340f3bbp+4,
                                                 0x1p+0};
  // ... e^(-x^2) P(x^-2) / (x Q(x^-2)) on 6 <= x <= 27.3 (erfc(x) is 0 beyond 27.13).
  static constexpr double erfc_limit = 27.3;
  static constexpr std::array<double, 5> erfc_tail_p{0x1.e266545bc3d95p-7, 0x1.d935ec1acb31ap-3, 0x1.0426ec22adfe3p+0,
                                                     0x1.4502f7ead7a01p+0, 0x1.bbf3bc3d6e326p-3};
  static constexpr std::array<double, 5> erfc_tail_q{0x1.ab83fffdc5617p-6, 0x1.b0bb5bbb61e63p-2, 0x1.fe3063af99dcfp+0,
                                                     0x1.7d466d4bfeb2fp+1, 0x1p+0};
  // tanh(x) = x + x P(x^2) / Q(x^2) on |x| < 0.625, 1 - 2 e^-2|x| / (1 + e^-2|x|) beyond,
  // and tanh(x) = 1 beyond 20 (it is 1 in double beyond 19.06).
  static constexpr double tanh_small = 0.625, tanh_limit = 20;
  static constexpr std::array<double, 4> tanh_p{0x0p+0, -0x1.93b0e6c87a051p+10, -0x1.8d2a6a9d105c2p+6,
                                                -0x1.edc5eb36731f8p-1};
  static constexpr std::array<double, 4> tanh_q{0x1.2ec4ad165b83fp+12, 0x1.1772eadd6919bp+11, 0x1.c34343031751dp+6,
                                                0x1p+0};
  // e^r on |r| <= ln(2) / 2 (float's erfc, computed in double, has its own).
  static constexpr std::array<double, 12> exp{0x1p+0, 0x1p+0, 0x1.000000000001p-1, 0x1.55555555554a2p-3,
                                              0x1.555555554f35cp-5, 0x1.1111111130d8dp-7, 0x1.6c16c1878541fp-10,
                                              0x1.a01a01106e24fp-13, 0x1.a01992c611372p-16, 0x1.71df44ea4f3edp-19,
                                              0x1.28b31b66c9b99p-22, 0x1.ad667ac13c98ep-26};
  // ln 2 = ln2_hi + ln2_lo, ln2_hi of 42 bits: k ln2_hi is exact for |k| < 2^11 also
  // without a fused multiply-add.
  static constexpr double log2e = 0x1.71547652b82fep+0, ln2_hi = 0x1.62e42fefa38p-1, ln2_lo = 0x1.ef35793c7673p-45;
  // Adding it rounds a double below 2^51 to an integer, which its low bits then hold.
  static constexpr double round_shift = 0x1.8p52;
};

// e^-(hi + lo) for 0 <= hi <= 745, as m 2^k with m in [0.7, 1.42]: m and the power of two
// 2^(k + Extra) separately, so that callers multiply m by their factor first and by the
// power then (exactly), and a result below the normal range is rounded only once, by a
// last multiplication by 2^-Extra. k = round(-hi / ln 2), r = -(hi + lo) - k ln 2 with k ln 2
// exact (ln 2 in two parts), so |r| <= ln(2) / 2 up to a few ULP.
template <class B>
struct exp_parts {
  B m, power;
};
template <int Extra, auto const& Exp = math_coefficients<double>::exp, class B>
KS_INLINE exp_parts<B> exp_negative(B const& hi, B const& lo) {
  using C = math_coefficients<double>;
  using I = xsimd::as_integer_t<B>;
  B const shifted = simd::fnma(hi, B(C::log2e), B(C::round_shift));  // k + round_shift
  B const k = shifted - B(C::round_shift);
  B const r = simd::fnma(k, B(C::ln2_lo), simd::fnms(k, B(C::ln2_hi), hi)) - lo;
  // k's low 12 bits, moved into the exponent field: k + 1023 + Extra is in [1, 2046].
  I const exponent = (xsimd::bitwise_cast<I>(shifted) + I(1023 + Extra)) << 52;
  return {horner<Exp>(r), xsimd::bitwise_cast<B>(exponent)};
}

// x P(x^2) / Q(x^2) with x^2 limited to limit^2 (one instruction, NaN kept) and the result
// to [-1, 1]: float erf and tanh. Rounding puts x P / Q up to 6-7 ULP off where the
// function nears 1 (Eigen 3.4's erf too), and beyond the limit x P / Q grows (to inf at
// inf) and is cut to 1.
template <auto const& P, auto const& Q, class B>
KS_INLINE B odd_rational_within_one(B const& x, typename B::value_type limit) {
  B const t = xsimd::min(B(limit * limit), x * x);
  return clamp_keep_nan(x * simd::div(horner<P>(t), horner<Q>(t)), -1, 1);
}

// x + x P(x^2) / Q(x^2), rounded once at the end: double erf and tanh near 0.
template <auto const& P, auto const& Q, class B>
KS_INLINE B x_plus_x_rational(B const& x, B const& x2) {
  return simd::fma(x, simd::div(horner<P>(x2), horner<Q>(x2)), x);
}

// erfc(z) e^(z^2) in double for 0 <= z <= 6 (and to 27.3 with Tail), NaN kept.
template <bool Tail, class B>
KS_INLINE B erfc_scaled(B const& z, B const& z2) {
  using C = math_coefficients<double>;
  B ratio = simd::div(horner<C::erfc_p>(z), horner<C::erfc_q>(z));
  if constexpr (Tail) {
    // A test per batch instead of a second rational everywhere: beyond 6 is rare.
    auto const tail = z > B(C::erf_limit);
    if (xsimd::any(tail)) {
      B const u = simd::div(B(1), z2);  // u <= 1/36: the terms decrease, their rounding errors too
      ratio = xsimd::select(tail, simd::div(horner<C::erfc_tail_p>(u), z * horner<C::erfc_tail_q>(u)), ratio);
    }
  }
  return ratio;
}

template <class B>
KS_INLINE B erf(B const& x) {
  using T = typename B::value_type;
  using C = math_coefficients<T>;
  if constexpr (std::is_same_v<T, float>) {
    return odd_rational_within_one<C::erf_p, C::erf_q>(x, C::erf_limit);
  } else {
    // Near 0, x + x y(x^2) with y = erf(x) / x - 1; beyond 0.75, 1 - erfc(|x|) with
    // erfc(|x|) = e^-x^2 R(|x|) <= 0.29, so without cancellation.
    B const ax = xsimd::abs(x), z = xsimd::min(B(C::erf_limit), ax);  // NaN kept (clamp_keep_nan)
    auto const [hi, lo] = square_exactly(z);
    B const small = x_plus_x_rational<C::erf_p, C::erf_q>(x, hi);
    auto const e = exp_negative<0>(hi, lo);
    B const large = simd::fnma(e.m * erfc_scaled<false>(z, hi), e.power, B(1));
    return xsimd::select(ax < B(C::erf_small), small, xsimd::copysign(large, x));
  }
}

// erfc(x) = e^-x^2 R(|x|) for x >= 0, a product, so accurate in the tail, and 2 - erfc(|x|)
// for x < 0.
template <class B>
KS_INLINE B erfc(B const& x) {
  using T = typename B::value_type;
  using C = math_coefficients<T>;
  B const z = xsimd::min(B(C::erfc_limit), xsimd::abs(x));  // NaN kept (clamp_keep_nan)
  B r;
  if constexpr (std::is_same_v<T, float>) {
    // In double, where z^2 is exact and the rounding errors of the rational (in float,
    // up to 7 ULP: its terms add up) vanish; rounded once, to float, at the end (also
    // where the result is subnormal).
    using D = xsimd::batch<double, typename B::arch_type>;
    static_assert(B::size % D::size == 0);
    alignas(B::arch_type::alignment()) float lanes[B::size];
    z.store_aligned(lanes);
    for (std::size_t i = 0; i < B::size; i += D::size) {
      D const zd = D::load_unaligned(lanes + i);
      auto const e = exp_negative<0, C::exp>(zd * zd, D(0));
      (e.m * simd::div(horner<C::erfc_p>(zd), horner<C::erfc_q>(zd)) * e.power).store_unaligned(lanes + i);
    }
    r = B::load_aligned(lanes);
  } else {
    // The power of two carries 2^64 more, so that subnormal results are rounded once.
    auto const [hi, lo] = square_exactly(z);
    auto const e = exp_negative<64>(hi, lo);
    r = e.m * erfc_scaled<true>(z, hi) * e.power * B(0x1p-64);
  }
  return xsimd::select(x < B(0), B(2) - r, r);
}

template <class B>
KS_INLINE B tanh(B const& x) {
  using T = typename B::value_type;
  using C = math_coefficients<T>;
  if constexpr (std::is_same_v<T, float>) {
    return odd_rational_within_one<C::tanh_p, C::tanh_q>(x, C::tanh_limit);
  } else {
    // One rational over all of double's range would need degree 9 and lose 7 ULP adding
    // its terms up; with e^-2|x| it is a few instructions more and 1.4 ULP. Beyond 0.625,
    // 1 - 2e / (1 + e) with e = e^-2|x| <= 0.29: the quotient's rounding errors shrink
    // with it.
    B const ax = xsimd::abs(x), small = x_plus_x_rational<C::tanh_p, C::tanh_q>(x, x * x);
    auto const e = exp_negative<0>(B(2) * xsimd::min(B(C::tanh_limit), ax), B(0));  // NaN kept
    B const em = e.m * e.power, large = B(1) - simd::div(em + em, B(1) + em);
    return xsimd::select(ax < B(C::tanh_small), small, xsimd::copysign(large, x));
  }
}

}  // namespace ks::detail::simd
