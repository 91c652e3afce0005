// Whole functions: activations, Huber, Black-Scholes with all five Greeks, checked
// against hand-derived derivatives and central finite differences in long double;
// value_and_grad, vjp, jvp, hessian and grad(grad(f)).
#include <doctest/doctest.h>

#include <cmath>
#include <knossos/knossos.hpp>
#include <random>

namespace {

using ld = long double;
constexpr ld pi = 3.14159265358979323846264338327950288L;

constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3));
};
constexpr auto gelu_erf = [](auto x) { return 0.5 * x * (1 + ks::erf(x * 0.70710678118654752440)); };
constexpr auto gelu_tanh = [](auto x) {
  return 0.5 * x * (1 + ks::tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)));
};
constexpr auto swish = [](auto x) { return x * ks::sigmoid(x); };
constexpr auto mish = [](auto x) { return x * ks::tanh(ks::softplus(x)); };
constexpr double elu_alpha = 1.3;
constexpr auto elu = [](auto x) { return ks::select(x > 0, x, elu_alpha * ks::expm1(x)); };
constexpr double selu_alpha = 1.6732632423543772848170429916717;
constexpr double selu_scale = 1.0507009873554804934193349852946;
constexpr auto selu = [](auto x) { return selu_scale * ks::select(x > 0, x, selu_alpha * ks::expm1(x)); };
constexpr auto huber = [](auto x, auto delta) {
  auto a = ks::abs(x);
  return ks::select(a <= delta, 0.5 * x * x, delta * (a - 0.5 * delta));
};

// The standard normal CDF and density.
constexpr auto ncdf = [](auto x) { return 0.5 * ks::erfc(-x * 0.70710678118654752440); };
constexpr auto black_scholes = [](auto s, auto k, auto t, auto r, auto sigma) {
  auto vol = sigma * ks::sqrt(t);
  auto d1 = (ks::log(s / k) + (r + 0.5 * sigma * sigma) * t) / vol;
  auto d2 = d1 - vol;
  return s * ncdf(d1) - k * ks::exp(-r * t) * ncdf(d2);
};

ld N(ld x) { return 0.5L * std::erfc(-x / std::sqrt(2.0L)); }
ld phi(ld x) { return std::exp(-x * x / 2) / std::sqrt(2 * pi); }
ld sig(ld x) { return 1 / (1 + std::exp(-x)); }

template <class F>
ld fd(F f, ld x) {
  ld h = 1e-6L * std::max(1.0L, std::fabs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

}  // namespace

TEST_CASE("activations: derivative vs hand formula and finite differences") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-4, 4);
  for (int k = 0; k < 300; ++k) {
    double x = u(rng);
    ld xl = x;
    CAPTURE(x);
    // relu3
    if (std::fabs(x) > 1e-3 && std::fabs(x - 1) > 1e-3) {
      ld d = xl < 0 ? 0 : xl < 1 ? xl * xl : 1;
      CHECK(ks::grad(relu3)(x) == doctest::Approx(static_cast<double>(d)).epsilon(1e-14));
      CHECK(ks::grad(ks::grad(relu3))(x) == doctest::Approx(static_cast<double>(xl < 0 ? 0 : xl < 1 ? 2 * xl : 0)));
    }
    // gelu, erf form: 0.5 (1 + erf(x/sqrt2)) + x phi(x)
    ld dg = 0.5L * (1 + std::erf(xl / std::sqrt(2.0L))) + xl * phi(xl);
    CHECK(ks::grad(gelu_erf)(x) == doctest::Approx(static_cast<double>(dg)).epsilon(1e-13));
    // 1 + erf(x) cancels for negative x: an absolute tolerance, as the formula allows.
    CHECK(ks::lift(gelu_erf)(x) == doctest::Approx(static_cast<double>(xl * N(xl))).epsilon(1e-14).scale(1));
    // gelu, tanh approximation, against finite differences of its own formula
    auto gt = [](ld v) { return 0.5L * v * (1 + std::tanh(0.79788456080286535588L * (v + 0.044715L * v * v * v))); };
    CHECK(ks::grad(gelu_tanh)(x) == doctest::Approx(static_cast<double>(fd(gt, xl))).epsilon(1e-8));
    // swish: s + x s (1 - s)
    ld s = sig(xl);
    CHECK(ks::grad(swish)(x) == doctest::Approx(static_cast<double>(s + xl * s * (1 - s))).epsilon(1e-13));
    // mish: tanh(sp) + x sech^2(sp) sigmoid(x)
    ld sp = std::log1p(std::exp(xl)), th = std::tanh(sp);
    CHECK(ks::grad(mish)(x) == doctest::Approx(static_cast<double>(th + xl * (1 - th * th) * s)).epsilon(1e-12));
    // softplus: sigmoid
    CHECK(ks::grad(ks::softplus)(x) == doctest::Approx(static_cast<double>(s)).epsilon(1e-14));
    // ELU and SELU
    if (std::fabs(x) > 1e-3) {
      CHECK(ks::grad(elu)(x) == doctest::Approx(static_cast<double>(xl > 0 ? 1 : elu_alpha * std::exp(xl))).epsilon(1e-14));
      CHECK(ks::grad(selu)(x) ==
            doctest::Approx(static_cast<double>(selu_scale * (xl > 0 ? 1 : selu_alpha * std::exp(xl)))).epsilon(1e-14));
    }
  }
}

TEST_CASE("Huber loss: both partial derivatives, both regions") {
  for (double delta : {0.5, 1.0, 2.0}) {
    for (double x : {-3.0, -0.7, -0.2, 0.1, 0.4, 1.5, 4.0}) {
      CAPTURE(x);
      CAPTURE(delta);
      auto [dx, dd] = ks::grad(huber)(x, delta);
      bool inner = std::fabs(x) <= delta;
      CHECK(dx == doctest::Approx(inner ? x : delta * (x > 0 ? 1 : -1)));
      CHECK(dd == doctest::Approx(inner ? 0.0 : std::fabs(x) - delta));
    }
  }
}

TEST_CASE("Black-Scholes call: the five Greeks, closed form and finite differences") {
  struct point {
    double s, k, t, r, sigma;
  };
  for (auto p : {point{100, 100, 1, 0.05, 0.2}, point{80, 100, 0.5, 0.01, 0.35}, point{120, 90, 2, 0.03, 0.15}}) {
    ld s = p.s, k = p.k, t = p.t, r = p.r, sg = p.sigma;
    ld vol = sg * std::sqrt(t);
    ld d1 = (std::log(s / k) + (r + sg * sg / 2) * t) / vol, d2 = d1 - vol;
    auto price = [](ld s_, ld k_, ld t_, ld r_, ld sg_) {
      ld v = sg_ * std::sqrt(t_);
      ld e1 = (std::log(s_ / k_) + (r_ + sg_ * sg_ / 2) * t_) / v;
      return s_ * N(e1) - k_ * std::exp(-r_ * t_) * N(e1 - v);
    };
    auto [value, ds, dk, dt, dr, dsigma] = ks::value_and_grad(black_scholes)(p.s, p.k, p.t, p.r, p.sigma);
    CHECK(value == doctest::Approx(static_cast<double>(price(s, k, t, r, sg))).epsilon(1e-12));
    // Closed-form Greeks.
    CHECK(ds == doctest::Approx(static_cast<double>(N(d1))).epsilon(1e-12));
    CHECK(dk == doctest::Approx(static_cast<double>(-std::exp(-r * t) * N(d2))).epsilon(1e-12));
    CHECK(dsigma == doctest::Approx(static_cast<double>(s * phi(d1) * std::sqrt(t))).epsilon(1e-12));
    CHECK(dr == doctest::Approx(static_cast<double>(k * t * std::exp(-r * t) * N(d2))).epsilon(1e-12));
    CHECK(dt == doctest::Approx(static_cast<double>(s * phi(d1) * sg / (2 * std::sqrt(t)) + r * k * std::exp(-r * t) * N(d2)))
                    .epsilon(1e-12));
    // And finite differences of the long-double price.
    CHECK(ds == doctest::Approx(static_cast<double>(fd([&](ld v) { return price(v, k, t, r, sg); }, s))).epsilon(1e-7));
    CHECK(dsigma == doctest::Approx(static_cast<double>(fd([&](ld v) { return price(s, k, t, r, v); }, sg))).epsilon(1e-7));
    // grad<I...> picks partials; vjp scales them; jvp contracts them with a tangent.
    // (A subset of partials is its own program: sums may round in another order.)
    auto [gk, gr] = ks::grad<1, 3>(black_scholes)(p.s, p.k, p.t, p.r, p.sigma);
    CHECK(gk == doctest::Approx(dk).epsilon(1e-14));
    CHECK(gr == doctest::Approx(dr).epsilon(1e-14));
    auto vj = ks::vjp(black_scholes)(p.s, p.k, p.t, p.r, p.sigma, 2.0);
    CHECK(std::get<0>(vj) == doctest::Approx(2 * ds));
    CHECK(std::get<4>(vj) == doctest::Approx(2 * dsigma));
    auto [jv, tangent] = ks::jvp(black_scholes)(p.s, p.k, p.t, p.r, p.sigma, 1.0, 0.0, 0.0, 0.5, 0.0);
    CHECK(jv == doctest::Approx(value));
    CHECK(tangent == doctest::Approx(ds + 0.5 * dr));
  }
}

TEST_CASE("hessian of a three-argument function vs hand-derived second derivatives") {
  // f = x^2 y + sin(z) x + exp(y z)
  auto f = [](auto x, auto y, auto z) { return x * x * y + ks::sin(z) * x + ks::exp(y * z); };
  double x = 0.7, y = -0.3, z = 1.1;
  // Row by row: d2f/dx_i dx_j is element 3 i + j.
  auto [hxx, hxy, hxz, hyx, hyy, hyz, hzx, hzy, hzz] = ks::hessian(f)(x, y, z);
  double e = std::exp(y * z);
  CHECK(hxx == doctest::Approx(2 * y));
  CHECK(hxy == doctest::Approx(2 * x));
  CHECK(hxz == doctest::Approx(std::cos(z)));
  CHECK(hyx == doctest::Approx(2 * x));
  CHECK(hyy == doctest::Approx(z * z * e));
  CHECK(hyz == doctest::Approx(e + y * z * e));
  CHECK(hzx == doctest::Approx(std::cos(z)));
  CHECK(hzy == doctest::Approx(e + y * z * e));
  CHECK(hzz == doctest::Approx(-std::sin(z) * x + y * y * e));
  // One argument: a scalar, and gelu's second derivative by composition.
  ld xl = 0.4L;
  ld d2 = 2 * phi(xl) - xl * xl * phi(xl);  // d/dx [N(x) + x phi(x)]
  CHECK(ks::hessian(gelu_erf)(0.4) == doctest::Approx(static_cast<double>(d2)).epsilon(1e-12));
}
