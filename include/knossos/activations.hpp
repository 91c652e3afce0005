// knossos: the activation functions of torch.nn.functional (relu, gelu, hardswish, ...)
// and a few functions of torch (xlogy, logaddexp, logit, sinc, lerp, clamp_min,
// clamp_max). Each is a knossos function written with registry ops and ks::select, so
// its derivatives of every order come from the registry's rules; the comparisons are
// chosen so that the branch taken at a kink is the one whose derivative PyTorch's
// autograd gives there, and so that NaN propagates as in PyTorch. Checked against torch
// autograd in float64 by tests/unit-activations.cpp. Parameters with PyTorch's defaults
// may be left out: ks::leaky_relu(x) or ks::leaky_relu(x, 0.2).
// Docs: docs/scalar-functions.md, docs/derivatives.md ("Conventions at kinks")
#pragma once

#include <limits>

#include <knossos/custom.hpp>
#include <knossos/lift.hpp>
#include <knossos/math.hpp>
#include <knossos/select.hpp>

namespace ks::detail::act {

inline constexpr double selu_alpha = 1.6732632423543772848170429916717;
inline constexpr double selu_scale = 1.0507009873554804934193349852946;
inline constexpr double sqrt1_2 = 0.70710678118654752440084436210484903;
inline constexpr double sqrt2_over_pi = 0.79788456080286535587989211986876373;
inline constexpr double pi = 3.14159265358979323846264338327950288;
inline constexpr double ln2 = 0.69314718055994530941723212145817657;
inline constexpr double inf = std::numeric_limits<double>::infinity();

// relu'(0) = 0; NaN stays NaN (torch.relu is clamp_min(x, 0)).
struct relu {
  constexpr auto operator()(auto x) const { return ks::select(x <= 0, 0, x); }
};
// hardtanh'(lo) = hardtanh'(hi) = 0 (PyTorch passes the gradient on lo < x < hi).
struct hardtanh {
  constexpr auto operator()(auto x, auto lo, auto hi) const {
    return ks::select(x <= lo, lo, ks::select(x >= hi, hi, x));
  }
  constexpr auto operator()(auto x) const { return (*this)(x, -1.0, 1.0); }
};
struct relu6 {
  constexpr auto operator()(auto x) const { return hardtanh{}(x, 0.0, 6.0); }
};
// leaky_relu'(0) = negative_slope.
struct leaky_relu {
  constexpr auto operator()(auto x, auto negative_slope) const { return ks::select(x > 0, x, negative_slope * x); }
  constexpr auto operator()(auto x) const { return (*this)(x, 0.01); }
};
// elu'(0) = alpha (PyTorch's x <= 0 branch).
struct elu {
  constexpr auto operator()(auto x, auto alpha) const { return ks::select(x > 0, x, alpha * ks::expm1(x)); }
  constexpr auto operator()(auto x) const { return (*this)(x, 1.0); }
};
struct selu {
  constexpr auto operator()(auto x) const {
    return ks::select(x > 0, selu_scale * x, (selu_scale * selu_alpha) * ks::expm1(x));
  }
};
struct celu {
  constexpr auto operator()(auto x, auto alpha) const { return ks::select(x > 0, x, alpha * ks::expm1(x / alpha)); }
  constexpr auto operator()(auto x) const { return (*this)(x, 1.0); }
};
// As PyTorch computes them (its CPU kernels' formulas).
struct gelu {
  constexpr auto operator()(auto x) const { return 0.5 * x * (1 + ks::erf(x * sqrt1_2)); }
};
struct gelu_tanh {
  constexpr auto operator()(auto x) const {
    return 0.5 * x * (1 + ks::tanh(sqrt2_over_pi * (x + 0.044715 * x * x * x)));
  }
};
struct silu {
  constexpr auto operator()(auto x) const { return x * ks::sigmoid(x); }
};
struct mish {
  constexpr auto operator()(auto x) const { return x * ks::tanh(ks::softplus(x)); }
};
struct softsign {
  constexpr auto operator()(auto x) const { return x / (1 + ks::abs(x)); }
};
// hardsigmoid'(±3) = 0 (PyTorch: the gradient passes on -3 < x < 3).
struct hardsigmoid {
  constexpr auto operator()(auto x) const { return ks::select(x <= -3, 0, ks::select(x >= 3, 1, (x + 3) / 6)); }
};
// hardswish'(-3) = -0.5 and hardswish'(3) = 1.5: PyTorch takes both from the middle
// branch (x < -3: 0, x <= 3: x / 3 + 0.5, else 1).
struct hardswish {
  constexpr auto operator()(auto x) const { return ks::select(x < -3, 0, ks::select(x <= 3, x * (x + 3) / 6, x)); }
};
// softshrink'(±lambda) = 0 (and softshrink(NaN) = 0, as PyTorch).
struct softshrink {
  constexpr auto operator()(auto x, auto lambda) const {
    return ks::select(x > lambda, x - lambda, ks::select(x < -lambda, x + lambda, 0));
  }
  constexpr auto operator()(auto x) const { return (*this)(x, 0.5); }
};
// hardshrink'(±lambda) = 0 (PyTorch zeroes -lambda <= x <= lambda).
struct hardshrink {
  constexpr auto operator()(auto x, auto lambda) const { return ks::select(ks::abs(x) <= lambda, 0, x); }
  constexpr auto operator()(auto x) const { return (*this)(x, 0.5); }
};
struct tanhshrink {
  constexpr auto operator()(auto x) const { return x - ks::tanh(x); }
};
// x log(y), 0 where x == 0 unless y is NaN. Where x == 0 and log(y) is not finite (y <= 0
// or inf) the log is of 1 instead, so the value is 0 and, as PyTorch, d/dx = log(y) where
// it is finite and 0 at (0, 0); there d/dy = 0 (PyTorch: x / y = NaN).
struct xlogy {
  constexpr auto operator()(auto x, auto y) const {
    return x * ks::log(ks::select((x == 0) && ((y <= 0) || (y == inf)), 1, y));
  }
};
// log(exp(x) + exp(y)) without overflow, smooth across x == y (so its second derivative
// there is sigmoid'(0) = 1/4, as PyTorch's), and inf where x == y == ±inf.
struct logaddexp {
  constexpr auto operator()(auto x, auto y) const {
    return ks::select((x == y) && (ks::abs(x) == inf), x,
                      ks::select(x >= y, x + ks::softplus(y - x), y + ks::softplus(x - y)));
  }
};
// log(x / (1 - x)), as torch.logit without eps.
struct logit {
  constexpr auto operator()(auto x) const { return ks::log(x / (1 - x)); }
};
// sin(pi x) / (pi x); at 0 its Taylor polynomial 1 - (pi x)^2 / 6, so the value is 1, the
// derivative 0 (as PyTorch) and the second derivative -pi^2 / 3 (PyTorch: NaN).
struct sinc {
  constexpr auto operator()(auto x) const {
    auto px = pi * x;
    return ks::select(x == 0, 1 - px * px / 6, ks::sin(px) / px);
  }
};
// x + w (y - x), from the nearer end, as torch.lerp computes it.
struct lerp {
  constexpr auto operator()(auto x, auto y, auto w) const {
    return ks::select(ks::abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w));
  }
};
// max(x, lo), the gradient to x at the tie (torch.clamp_min); NaN stays NaN.
struct clamp_min {
  constexpr auto operator()(auto x, auto lo) const { return ks::select(x < lo, lo, x); }
};
// min(x, hi), the gradient to x at the tie (torch.clamp_max); NaN stays NaN.
struct clamp_max {
  constexpr auto operator()(auto x, auto hi) const { return ks::select(x > hi, hi, x); }
};

}  // namespace ks::detail::act

namespace ks {

// clang-format off
/// PyTorch's activation functions, with its values and derivatives at every kink.
/// Optional parameters as in torch.nn.functional. Docs: docs/scalar-functions.md
inline constexpr auto relu        = ks::lift(detail::act::relu{});
inline constexpr auto relu6       = ks::lift(detail::act::relu6{});
inline constexpr auto leaky_relu  = ks::lift(detail::act::leaky_relu{});   // (x, negative_slope = 0.01)
inline constexpr auto elu         = ks::lift(detail::act::elu{});          // (x, alpha = 1)
inline constexpr auto selu        = ks::lift(detail::act::selu{});
inline constexpr auto celu        = ks::lift(detail::act::celu{});         // (x, alpha = 1)
inline constexpr auto gelu        = ks::lift(detail::act::gelu{});         // erf form
inline constexpr auto gelu_tanh   = ks::lift(detail::act::gelu_tanh{});    // gelu(approximate='tanh')
inline constexpr auto silu        = ks::lift(detail::act::silu{});
inline constexpr auto mish        = ks::lift(detail::act::mish{});
inline constexpr auto softsign    = ks::lift(detail::act::softsign{});
inline constexpr auto hardtanh    = ks::lift(detail::act::hardtanh{});     // (x, min_val = -1, max_val = 1)
inline constexpr auto hardsigmoid = ks::lift(detail::act::hardsigmoid{});
inline constexpr auto hardswish   = ks::lift(detail::act::hardswish{});
inline constexpr auto softshrink  = ks::lift(detail::act::softshrink{});   // (x, lambda = 0.5)
inline constexpr auto hardshrink  = ks::lift(detail::act::hardshrink{});   // (x, lambda = 0.5)
inline constexpr auto tanhshrink  = ks::lift(detail::act::tanhshrink{});
/// torch.nn.functional.logsigmoid: ks::log_sigmoid under PyTorch's name.
inline constexpr auto logsigmoid  = log_sigmoid;
/// torch.xlogy, torch.logaddexp, torch.logit (without eps), torch.sinc, torch.lerp,
/// torch.clamp_min, torch.clamp_max.
inline constexpr auto xlogy       = ks::lift(detail::act::xlogy{});
inline constexpr auto logaddexp   = ks::lift(detail::act::logaddexp{});
inline constexpr auto logit       = ks::lift(detail::act::logit{});
inline constexpr auto sinc        = ks::lift(detail::act::sinc{});
inline constexpr auto lerp        = ks::lift(detail::act::lerp{});
inline constexpr auto clamp_min   = ks::lift(detail::act::clamp_min{});
inline constexpr auto clamp_max   = ks::lift(detail::act::clamp_max{});
// clang-format on

}  // namespace ks
