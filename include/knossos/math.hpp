// knossos: the math functions (ks::exp, ks::erf, ...): one function object per entry
// of the registry (ops.hpp), computing on numbers and batches, recording on traced
// values. Docs: docs/scalar-functions.md
#pragma once

#include <knossos/expr.hpp>

namespace ks::detail {

template <op O>
struct fn {
  template <class... A>
  constexpr auto operator()(A const&... a) const {
    static_assert(sizeof...(A) == op_def<O>::arity, "knossos: wrong number of arguments to a ks:: math function");
    static_assert(((operand<A> || concrete<A>) && ...),
                  "knossos: ks:: math functions take numbers, xsimd batches or traced values");
    return detail::apply_op<O>(a...);
  }
};

// pow(x, y); with an integer exponent (pow(x, 3)) exact repeated multiplication.
struct pow_fn {
  template <class X, class Y>
  constexpr auto operator()(X const& x, Y const& y) const {
    if constexpr (std::is_integral_v<Y>) {
      if constexpr (is_tracer_v<X>)
        return tracer{{}, x.b, x.b->ipow(x.id, static_cast<long long>(y))};
      else if constexpr (is_tree_v<X>)
        return node<op_tag<op::ipow>, X, constant<long long>>(op_tag<op::ipow>{}, x, constant<long long>(y));
      else
        return op_def<op::ipow>::power(detail::to_concrete<common_concrete_t<X>>(x), static_cast<long long>(y));
    } else {
      return fn<op::pow>{}(x, y);
    }
  }
};

}  // namespace ks::detail

namespace ks {

// clang-format off
/// Elementwise math on numbers, xsimd batches and traced values. Docs: docs/scalar-functions.md
inline constexpr detail::fn<detail::op::exp>       exp{};
inline constexpr detail::fn<detail::op::log>       log{};
inline constexpr detail::fn<detail::op::log1p>     log1p{};
inline constexpr detail::fn<detail::op::expm1>     expm1{};
inline constexpr detail::fn<detail::op::sqrt>      sqrt{};
inline constexpr detail::fn<detail::op::cbrt>      cbrt{};
inline constexpr detail::fn<detail::op::sin>       sin{};
inline constexpr detail::fn<detail::op::cos>       cos{};
inline constexpr detail::fn<detail::op::tan>       tan{};
inline constexpr detail::fn<detail::op::asin>      asin{};
inline constexpr detail::fn<detail::op::acos>      acos{};
inline constexpr detail::fn<detail::op::atan>      atan{};
inline constexpr detail::fn<detail::op::sinh>      sinh{};
inline constexpr detail::fn<detail::op::cosh>      cosh{};
inline constexpr detail::fn<detail::op::tanh>      tanh{};
inline constexpr detail::fn<detail::op::erf>       erf{};
inline constexpr detail::fn<detail::op::erfc>      erfc{};
inline constexpr detail::fn<detail::op::sigmoid>   sigmoid{};
inline constexpr detail::fn<detail::op::abs>       abs{};
inline constexpr detail::fn<detail::op::sign>      sign{};
inline constexpr detail::fn<detail::op::floor>     floor{};
inline constexpr detail::fn<detail::op::ceil>      ceil{};
inline constexpr detail::fn<detail::op::round>     round{};
inline constexpr detail::fn<detail::op::trunc>     trunc{};
inline constexpr detail::fn<detail::op::nearbyint> nearbyint{};
inline constexpr detail::fn<detail::op::log2>      log2{};
inline constexpr detail::fn<detail::op::log10>     log10{};
inline constexpr detail::fn<detail::op::exp2>      exp2{};
inline constexpr detail::fn<detail::op::asinh>     asinh{};
inline constexpr detail::fn<detail::op::acosh>     acosh{};
inline constexpr detail::fn<detail::op::atanh>     atanh{};
inline constexpr detail::fn<detail::op::atan2>     atan2{};
inline constexpr detail::fn<detail::op::hypot>     hypot{};
inline constexpr detail::fn<detail::op::copysign>  copysign{};
inline constexpr detail::fn<detail::op::max>       max{};
inline constexpr detail::fn<detail::op::min>       min{};
inline constexpr detail::fn<detail::op::clamp>     clamp{};
/// pow(x, y); an integer exponent (pow(x, 3)) is exact repeated multiplication.
inline constexpr detail::pow_fn                    pow{};
// clang-format on

}  // namespace ks
