// knossos: the math functions (ks::exp, ks::erf, ...). Each operation is defined once,
// here: its value on numbers, its batch form, its derivative rule and its printed
// name. Conventions at kinks follow PyTorch's autograd. Docs: docs/scalar-functions.md
#pragma once

#include <cmath>

#include <knossos/select.hpp>
#include <knossos/simd_dispatch.hpp>

namespace ks::detail {

inline constexpr double two_over_sqrt_pi = 1.1283791670955125738961589031215452;

// A math function object: builds a node on traced operands, computes on numbers and
// batches (integers are promoted to double, scalars broadcast against batches).
template <class Op>
struct fn {
  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    static_assert(sizeof...(A) == Op::arity, "knossos: wrong number of arguments to a ks:: math function");
    static_assert(((operand<A> || concrete<A>) && ...),
                  "knossos: ks:: math functions take numbers, xsimd batches or traced values");
    if constexpr (any_traced<A...>) {
      return detail::apply(Op{}, a...);
    } else {
      using V = common_concrete_t<A...>;
      return Op::eval(detail::to_concrete<V>(a)...);
    }
  }
};

struct call_style {
  static constexpr notation style = notation::call;
  static constexpr int prec = prec_atom;
};

// KS_UNARY(name, scalar value of x, batch value of x, adjoint of x given x, result r, adjoint g)
#define KS_UNARY(NAME, SCALAR, BATCH, VJP)                                                   \
  struct NAME##_op : call_style {                                                            \
    static constexpr std::string_view name = #NAME;                                          \
    static constexpr int arity = 1;                                                          \
    template <class T>                                                                       \
    KS_INLINE static auto eval(T const& x) {                                                 \
      if constexpr (is_batch_v<T>) {                                                         \
        return BATCH;                                                                        \
      } else {                                                                               \
        return static_cast<T>(SCALAR);                                                       \
      }                                                                                      \
    }                                                                                        \
    template <class X, class R, class G>                                                     \
    KS_INLINE static constexpr auto vjp([[maybe_unused]] X const& x, [[maybe_unused]] R const& r, \
                                        [[maybe_unused]] G const& g) {                       \
      return std::tuple{VJP};                                                                \
    }                                                                                        \
  };

// Derivative rules are written with mul/div/... and the ks:: function objects, so they
// work on numbers, batches and expressions alike (the last gives grad(grad(f))).
template <class X>
KS_INLINE constexpr auto one_minus_sq(X const& x) {
  return detail::sub(one_t{}, detail::mul(x, x));
}

// Forward declarations, so one rule can name another operation (sin' = cos).
struct cos_op;
struct sin_op;
struct cosh_op;
struct sinh_op;
struct sqrt_op;
struct sign_op;
struct exp_op;
struct log_op;

template <class Op, class... X>
KS_INLINE constexpr auto call(X const&... x) {
  return detail::apply(Op{}, x...);
}

// clang-format off
KS_UNARY(exp,   std::exp(x),   simd::exp(x),   detail::mul(g, r))
KS_UNARY(log,   std::log(x),   simd::log(x),   detail::div(g, x))
KS_UNARY(log1p, std::log1p(x), simd::log1p(x), detail::div(g, detail::add(one_t{}, x)))
KS_UNARY(expm1, std::expm1(x), simd::expm1(x), detail::mul(g, detail::add(r, one_t{})))
KS_UNARY(sqrt,  std::sqrt(x),  simd::sqrt(x),  detail::div(g, detail::mul(static_num<2>{}, r)))
KS_UNARY(cbrt,  std::cbrt(x),  simd::cbrt(x),  detail::div(g, detail::mul(static_num<3>{}, detail::mul(r, r))))
KS_UNARY(sin,   std::sin(x),   simd::sin(x),   detail::mul(g, detail::call<cos_op>(x)))
KS_UNARY(cos,   std::cos(x),   simd::cos(x),   detail::neg(detail::mul(g, detail::call<sin_op>(x))))
KS_UNARY(tan,   std::tan(x),   simd::tan(x),   detail::mul(g, detail::add(one_t{}, detail::mul(r, r))))
KS_UNARY(asin,  std::asin(x),  simd::asin(x),  detail::div(g, detail::call<sqrt_op>(one_minus_sq(x))))
KS_UNARY(acos,  std::acos(x),  simd::acos(x),  detail::neg(detail::div(g, detail::call<sqrt_op>(one_minus_sq(x)))))
KS_UNARY(atan,  std::atan(x),  simd::atan(x),  detail::div(g, detail::add(one_t{}, detail::mul(x, x))))
KS_UNARY(sinh,  std::sinh(x),  simd::sinh(x),  detail::mul(g, detail::call<cosh_op>(x)))
KS_UNARY(cosh,  std::cosh(x),  simd::cosh(x),  detail::mul(g, detail::call<sinh_op>(x)))
KS_UNARY(tanh,  std::tanh(x),  simd::tanh(x),  detail::mul(g, one_minus_sq(r)))
KS_UNARY(erf,   std::erf(x),   simd::erf(x),
         detail::mul(g, detail::mul(detail::lit_like<X>(two_over_sqrt_pi), detail::call<exp_op>(detail::neg(detail::mul(x, x))))))
KS_UNARY(erfc,  std::erfc(x),  simd::erfc(x),
         detail::neg(detail::mul(g, detail::mul(detail::lit_like<X>(two_over_sqrt_pi), detail::call<exp_op>(detail::neg(detail::mul(x, x)))))))
KS_UNARY(sigmoid, T(1) / (T(1) + std::exp(-x)), simd::sigmoid(x), detail::mul(g, detail::mul(r, detail::sub(one_t{}, r))))
// |x|' = sign(x), so abs'(0) = 0 as in PyTorch.
KS_UNARY(abs,   std::abs(x),   simd::abs(x),   detail::mul(g, detail::call<sign_op>(x)))
// Piecewise constant: derivative 0 everywhere (PyTorch's convention at the jumps too).
KS_UNARY(sign,  (T(0) < x) - (x < T(0)), simd::sign(x), zero_t{})
KS_UNARY(floor, std::floor(x), simd::floor(x), zero_t{})
KS_UNARY(ceil,  std::ceil(x),  simd::ceil(x),  zero_t{})
KS_UNARY(round, std::round(x), simd::round(x), zero_t{})
KS_UNARY(trunc, std::trunc(x), simd::trunc(x), zero_t{})
// Round half to even (Python's round, torch.round, Julia's round, .NET Math.Round).
KS_UNARY(nearbyint, std::nearbyint(x), simd::nearbyint(x), zero_t{})
// clang-format on
#undef KS_UNARY

struct atan2_op : call_style {
  static constexpr std::string_view name = "atan2";
  static constexpr int arity = 2;
  template <class T>
  KS_INLINE static auto eval(T const& y, T const& x) {
    if constexpr (is_batch_v<T>)
      return simd::atan2(y, x);
    else
      return static_cast<T>(std::atan2(y, x));
  }
  template <class Y, class X, class R, class G>
  KS_INLINE static constexpr auto vjp(Y const& y, X const& x, R const&, G const& g) {
    auto s = detail::div(g, detail::add(detail::mul(x, x), detail::mul(y, y)));
    return std::tuple{detail::mul(s, x), detail::neg(detail::mul(s, y))};
  }
};

struct hypot_op : call_style {
  static constexpr std::string_view name = "hypot";
  static constexpr int arity = 2;
  template <class T>
  KS_INLINE static auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return simd::hypot(a, b);
    else
      return static_cast<T>(std::hypot(a, b));
  }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const& a, B const& b, R const& r, G const& g) {
    auto s = detail::div(g, r);
    return std::tuple{detail::mul(s, a), detail::mul(s, b)};
  }
};

// max/min: the larger (smaller) operand gets the adjoint, ties split it in half, as
// torch.maximum/minimum do.
template <class Cmp>
struct extremum_vjp {
  template <class A, class B, class G>
  KS_INLINE static constexpr auto rule(A const& a, B const& b, G const& g) {
    auto half = detail::mul(g, detail::lit_like<A>(0.5));
    auto tie = detail::call<equal_op>(a, b);
    auto ga = detail::call<select_op>(detail::apply(Cmp{}, a, b), g, detail::call<select_op>(tie, half, zero_t{}));
    auto gb = detail::call<select_op>(detail::apply(Cmp{}, b, a), g, detail::call<select_op>(tie, half, zero_t{}));
    return std::tuple{ga, gb};
  }
};

struct max_op : call_style {
  static constexpr std::string_view name = "max";
  static constexpr int arity = 2;
  template <class T>
  KS_INLINE static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return simd::max(a, b);
    else
      return a < b ? b : a;
  }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const& a, B const& b, R const&, G const& g) {
    return extremum_vjp<greater_op>::rule(a, b, g);
  }
};

struct min_op : call_style {
  static constexpr std::string_view name = "min";
  static constexpr int arity = 2;
  template <class T>
  KS_INLINE static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return simd::min(a, b);
    else
      return b < a ? b : a;
  }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const& a, B const& b, R const&, G const& g) {
    return extremum_vjp<less_op>::rule(a, b, g);
  }
};

// clamp(x, lo, hi) = min(max(x, lo), hi). As torch.clamp with tensor bounds: x gets the
// adjoint where lo <= x <= hi, lo where x < lo, hi where x > hi.
struct clamp_op : call_style {
  static constexpr std::string_view name = "clamp";
  static constexpr int arity = 3;
  template <class T>
  KS_INLINE static constexpr auto eval(T const& x, T const& lo, T const& hi) {
    return min_op::eval(max_op::eval(x, lo), hi);
  }
  template <class X, class L, class H, class R, class G>
  KS_INLINE static constexpr auto vjp(X const& x, L const& lo, H const& hi, R const&, G const& g) {
    auto below = detail::call<less_op>(x, lo);
    auto above = detail::call<greater_op>(x, hi);
    auto inside = detail::call<and_op>(detail::call<not_op>(below), detail::call<not_op>(above));
    return std::tuple{detail::call<select_op>(inside, g, zero_t{}),
                      detail::call<select_op>(below, g, zero_t{}),
                      detail::call<select_op>(above, g, zero_t{})};
  }
};

// pow(x, y) with a floating or traced exponent. As torch.pow: d/dx is 0 where y == 0,
// d/dy is 0 where x == 0 and y >= 0 (instead of 0 * log 0 = nan).
struct pow_op : call_style {
  static constexpr std::string_view name = "pow";
  static constexpr int arity = 2;
  template <class T>
  KS_INLINE static auto eval(T const& x, T const& y) {
    if constexpr (is_batch_v<T>)
      return simd::pow(x, y);
    else
      return static_cast<T>(std::pow(x, y));
  }
  template <class X, class Y, class R, class G>
  KS_INLINE static constexpr auto vjp(X const& x, Y const& y, R const& r, G const& g) {
    auto dx = detail::mul(g, detail::mul(y, detail::call<pow_op>(x, detail::sub(y, one_t{}))));
    auto dy = detail::mul(g, detail::mul(r, detail::call<log_op>(x)));
    auto y_zero = detail::call<equal_op>(y, detail::lit_like<Y>(0));
    auto x_zero_y_pos =
        detail::call<and_op>(detail::call<equal_op>(x, detail::lit_like<X>(0)), detail::call<greater_equal_op>(y, detail::lit_like<Y>(0)));
    return std::tuple{detail::call<select_op>(y_zero, zero_t{}, dx),
                      detail::call<select_op>(x_zero_y_pos, zero_t{}, dy)};
  }
};

// pow(x, n) with an integer exponent: exact repeated multiplication (x*x*x for n = 3),
// as the source languages' integer powers are. The exponent is part of the operation.
struct ipow_op : call_style {
  static constexpr std::string_view name = "pow";
  static constexpr int arity = 1;
  long long n = 0;

  template <class T>
  KS_INLINE static constexpr T power(T x, long long n) {
    if (n < 0) return detail::lit_like<T>(1) / power(x, -n);
    T result = detail::lit_like<T>(1);
    bool first = true;
    while (n > 0) {
      if (n & 1) {
        result = first ? x : result * x;
        first = false;
      }
      n >>= 1;
      if (n > 0) x = x * x;
    }
    return result;
  }
  template <class T>
  KS_INLINE constexpr T eval(T const& x) const {
    return power(x, n);
  }
  template <class X, class R, class G>
  KS_INLINE constexpr auto vjp(X const& x, R const&, G const& g) const {
    // n x^(n-1); for n = 0 this is 0 * x^0 = 0 everywhere, as torch.pow gives.
    return std::tuple{detail::mul(g, detail::mul(detail::lit_like<X>(n), detail::apply(ipow_op{{}, n == 0 ? 0 : n - 1}, x)))};
  }
};

template <class T>
inline constexpr bool is_integer_constant = false;
template <class T>
inline constexpr bool is_integer_constant<constant<T>> = std::is_integral_v<T>;

struct pow_fn {
  template <class X, class Y>
  KS_INLINE constexpr auto operator()(X const& x, Y const& y) const {
    if constexpr (std::is_integral_v<Y>) {
      if constexpr (traced<X>)
        return node<ipow_op, X>(ipow_op{{}, static_cast<long long>(y)}, x);
      else
        return ipow_op{{}, static_cast<long long>(y)}.eval(detail::to_concrete<common_concrete_t<X>>(x));
    } else if constexpr (is_integer_constant<Y>) {
      return (*this)(x, y.value);
    } else {
      return fn<pow_op>{}(x, y);
    }
  }
};

}  // namespace ks::detail

namespace ks {

// clang-format off
/// Elementwise math on numbers, xsimd batches and traced values. Docs: docs/scalar-functions.md
inline constexpr detail::fn<detail::exp_op>     exp{};
inline constexpr detail::fn<detail::log_op>     log{};
inline constexpr detail::fn<detail::log1p_op>   log1p{};
inline constexpr detail::fn<detail::expm1_op>   expm1{};
inline constexpr detail::fn<detail::sqrt_op>    sqrt{};
inline constexpr detail::fn<detail::cbrt_op>    cbrt{};
inline constexpr detail::fn<detail::sin_op>     sin{};
inline constexpr detail::fn<detail::cos_op>     cos{};
inline constexpr detail::fn<detail::tan_op>     tan{};
inline constexpr detail::fn<detail::asin_op>    asin{};
inline constexpr detail::fn<detail::acos_op>    acos{};
inline constexpr detail::fn<detail::atan_op>    atan{};
inline constexpr detail::fn<detail::sinh_op>    sinh{};
inline constexpr detail::fn<detail::cosh_op>    cosh{};
inline constexpr detail::fn<detail::tanh_op>    tanh{};
inline constexpr detail::fn<detail::erf_op>     erf{};
inline constexpr detail::fn<detail::erfc_op>    erfc{};
inline constexpr detail::fn<detail::sigmoid_op> sigmoid{};
inline constexpr detail::fn<detail::abs_op>     abs{};
inline constexpr detail::fn<detail::sign_op>    sign{};
inline constexpr detail::fn<detail::floor_op>   floor{};
inline constexpr detail::fn<detail::ceil_op>    ceil{};
inline constexpr detail::fn<detail::round_op>   round{};
inline constexpr detail::fn<detail::trunc_op>   trunc{};
inline constexpr detail::fn<detail::nearbyint_op> nearbyint{};
inline constexpr detail::fn<detail::atan2_op>   atan2{};
inline constexpr detail::fn<detail::hypot_op>   hypot{};
inline constexpr detail::fn<detail::max_op>     max{};
inline constexpr detail::fn<detail::min_op>     min{};
inline constexpr detail::fn<detail::clamp_op>   clamp{};
/// pow(x, y); an integer exponent (pow(x, 3)) is exact repeated multiplication.
inline constexpr detail::pow_fn                 pow{};
// clang-format on

}  // namespace ks
