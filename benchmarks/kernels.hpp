// The kernels the benchmarks compare: relu3 and gelu, forward and vjp, written with
// knossos and by hand (xsimd loop, scalar if-loop, branchless scalar loop, Eigen array
// expression), plus the memory floors (memcpy; y = a * b); huber (vjp and
// value_and_grad, with a broadcast threshold), softplus (forward and vjp) and the
// Black-Scholes call price with its five Greeks, each with knossos and by hand in
// xsimd. Shared by the benchmark suites (timing and instruction counts) and the relu3
// demo. Every baseline is checked against long double in
// tests/unit-bench-kernels.cpp: a wrong baseline would make every ratio a lie.
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <tuple>
#include <knossos/knossos.hpp>

namespace bench {

// The functions, as users write them (relu3 as the seed's Python: 1/3 * x**3).
inline constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, (1.0 / 3) * (x * x * x), x - 2.0 / 3));
};
inline constexpr double inv_sqrt2 = 0.70710678118654752440;
inline constexpr double inv_sqrt_2pi = 0.39894228040143267794;
inline constexpr auto gelu = [](auto x) { return 0.5 * x * (1 + ks::erf(x * inv_sqrt2)); };

// knossos: one line each.
template <class T>
void knossos_relu3_fwd(T const* x, T* y, std::size_t n) {
  ks::vmap(relu3).into(ks::view(y, n), ks::view(x, n));
}
template <class T>
void knossos_relu3_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  ks::vmap(ks::vjp(relu3)).into(ks::view(dx, n), ks::view(x, n), ks::view(dy, n));
}
template <class T>
void knossos_gelu_fwd(T const* x, T* y, std::size_t n) {
  ks::vmap(gelu).into(ks::view(y, n), ks::view(x, n));
}
template <class T>
void knossos_gelu_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  ks::vmap(ks::vjp(gelu)).into(ks::view(dx, n), ks::view(x, n), ks::view(dy, n));
}

// Hand-written xsimd loops: the yardstick. Unaligned loads (as fast as aligned ones on
// this hardware when the data is aligned), scalar tail.
template <class T>
void xsimd_relu3_fwd(T const* x, T* y, std::size_t n) {
  using B = xsimd::batch<T>;
  const B zero = B(T(0)), one = B(T(1)), third = B(T(1.0 / 3)), c = B(T(2.0 / 3));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    xsimd::select(v < zero, zero, xsimd::select(v < one, third * (v * v * v), v - c)).store_unaligned(y + i);
  }
  for (; i < n; ++i) {
    T v = x[i];
    y[i] = v < 0 ? T(0) : v < 1 ? T(1.0 / 3) * (v * v * v) : v - T(2.0 / 3);
  }
}
template <class T>
void xsimd_relu3_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T>;
  const B zero = B(T(0)), one = B(T(1));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    (xsimd::select(v < zero, zero, xsimd::select(v < one, v * v, one)) * B::load_unaligned(dy + i))
        .store_unaligned(dx + i);
  }
  for (; i < n; ++i) {
    T v = x[i];
    dx[i] = (v < 0 ? T(0) : v < 1 ? v * v : T(1)) * dy[i];
  }
}
template <class T>
void xsimd_gelu_fwd(T const* x, T* y, std::size_t n) {
  using B = xsimd::batch<T>;
  const B half = B(T(0.5)), one = B(T(1)), s = B(T(inv_sqrt2));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    (half * v * (one + xsimd::erf(v * s))).store_unaligned(y + i);
  }
  for (; i < n; ++i) y[i] = T(0.5) * x[i] * (T(1) + std::erf(x[i] * T(inv_sqrt2)));
}
template <class T>
void xsimd_gelu_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T>;
  const B half = B(T(0.5)), one = B(T(1)), s = B(T(inv_sqrt2)), k = B(T(inv_sqrt_2pi)), mhalf = B(T(-0.5));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    B d = half * (one + xsimd::erf(v * s)) + v * k * xsimd::exp(mhalf * v * v);
    (d * B::load_unaligned(dy + i)).store_unaligned(dx + i);
  }
  for (; i < n; ++i) {
    T v = x[i];
    dx[i] = (T(0.5) * (T(1) + std::erf(v * T(inv_sqrt2))) + v * T(inv_sqrt_2pi) * std::exp(T(-0.5) * v * v)) * dy[i];
  }
}

// huber(x, d): quadratic inside [-d, d], linear outside; d is a threshold (d > 0) passed
// to vmap as a plain number, broadcast to every element.
inline constexpr auto huber = [](auto x, auto d) {
  return ks::select(ks::abs(x) <= d, 0.5 * x * x, d * (ks::abs(x) - 0.5 * d));
};

// Black-Scholes price of a European call: spot S, strike K, time to expiry T (years),
// rate r, volatility sigma; the normal CDF through erf.
inline constexpr auto norm_cdf = [](auto z) { return 0.5 * (1 + ks::erf(z * inv_sqrt2)); };
inline constexpr auto black_scholes = [](auto S, auto K, auto T, auto r, auto sigma) {
  auto vol = sigma * ks::sqrt(T);
  auto d1 = (ks::log(S / K) + (r + 0.5 * sigma * sigma) * T) / vol;
  auto d2 = d1 - vol;
  return S * norm_cdf(d1) - K * ks::exp(-r * T) * norm_cdf(d2);
};

// knossos: one line each. vjp(huber) with a broadcast d still returns dL/dd per element
// (dy * dhuber/dd), as it returns dL/dx: two outputs.
template <class T>
void knossos_huber_vjp(T const* x, T d, T const* dy, T* dx, T* dd, std::size_t n) {
  ks::vmap(ks::vjp(huber)).into(std::tuple{ks::view(dx, n), ks::view(dd, n)}, ks::view(x, n), d, ks::view(dy, n));
}
// value_and_grad(huber)(x, d) = (huber, dhuber/dx, dhuber/dd).
template <class T>
void knossos_huber_value_and_grad(T const* x, T d, T* y, T* dx, T* dd, std::size_t n) {
  ks::vmap(ks::value_and_grad(huber)).into(std::tuple{ks::view(y, n), ks::view(dx, n), ks::view(dd, n)},
                                           ks::view(x, n), d);
}
// The library's softplus: max(x, 0) + log1p(exp(-|x|)), derivative sigmoid(x).
template <class T>
void knossos_softplus_fwd(T const* x, T* y, std::size_t n) {
  ks::vmap(ks::softplus).into(ks::view(y, n), ks::view(x, n));
}
template <class T>
void knossos_softplus_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  ks::vmap(ks::vjp(ks::softplus)).into(ks::view(dx, n), ks::view(x, n), ks::view(dy, n));
}
// out: price, dS, dK, dT, dr, dsigma (six arrays of n).
template <class T>
void knossos_black_scholes_value_and_grad(T const* S, T const* K, T const* t, T const* r, T const* sigma,
                                          T* const* out, std::size_t n) {
  ks::vmap(ks::value_and_grad(black_scholes))
      .into(std::tuple{ks::view(out[0], n), ks::view(out[1], n), ks::view(out[2], n), ks::view(out[3], n),
                       ks::view(out[4], n), ks::view(out[5], n)},
            ks::view(S, n), ks::view(K, n), ks::view(t, n), ks::view(r, n), ks::view(sigma, n));
}

// By hand: dhuber/dx = x inside, d sign(x) outside; dhuber/dd = 0 inside, |x| - d outside.
template <class T>
void xsimd_huber_vjp(T const* x, T d, T const* dy, T* dx, T* dd, std::size_t n) {
  using B = xsimd::batch<T>;
  const B zero = B(T(0)), vd = B(d), mvd = B(-d);
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i), g = B::load_unaligned(dy + i);
    B a = xsimd::abs(v);
    auto inside = a <= vd;
    (g * xsimd::select(inside, v, xsimd::select(v < zero, mvd, vd))).store_unaligned(dx + i);
    (g * xsimd::select(inside, zero, a - vd)).store_unaligned(dd + i);
  }
  for (; i < n; ++i) {
    T v = x[i], a = std::abs(v);
    bool inside = a <= d;
    dx[i] = dy[i] * (inside ? v : v < 0 ? -d : d);
    dd[i] = dy[i] * (inside ? T(0) : a - d);
  }
}
template <class T>
void xsimd_huber_value_and_grad(T const* x, T d, T* y, T* dx, T* dd, std::size_t n) {
  using B = xsimd::batch<T>;
  const B zero = B(T(0)), half = B(T(0.5)), vd = B(d), mvd = B(-d), halfd = B(T(0.5) * d);
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    B a = xsimd::abs(v);
    auto inside = a <= vd;
    xsimd::select(inside, half * v * v, vd * (a - halfd)).store_unaligned(y + i);
    xsimd::select(inside, v, xsimd::select(v < zero, mvd, vd)).store_unaligned(dx + i);
    xsimd::select(inside, zero, a - vd).store_unaligned(dd + i);
  }
  for (; i < n; ++i) {
    T v = x[i], a = std::abs(v);
    bool inside = a <= d;
    y[i] = inside ? T(0.5) * v * v : d * (a - T(0.5) * d);
    dx[i] = inside ? v : v < 0 ? -d : d;
    dd[i] = inside ? T(0) : a - d;
  }
}
// softplus without overflow, and its derivative sigmoid(x) = 1 / (1 + exp(-x)) (exp
// overflows to inf for x < -88 in float, which gives the right 0).
template <class T>
void xsimd_softplus_fwd(T const* x, T* y, std::size_t n) {
  using B = xsimd::batch<T>;
  const B zero = B(T(0));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    (xsimd::max(v, zero) + xsimd::log1p(xsimd::exp(-xsimd::abs(v)))).store_unaligned(y + i);
  }
  for (; i < n; ++i) y[i] = std::max(x[i], T(0)) + std::log1p(std::exp(-std::abs(x[i])));
}
template <class T>
void xsimd_softplus_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T>;
  const B one = B(T(1));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B v = B::load_unaligned(x + i);
    (B::load_unaligned(dy + i) / (one + xsimd::exp(-v))).store_unaligned(dx + i);
  }
  for (; i < n; ++i) dx[i] = dy[i] / (T(1) + std::exp(-x[i]));
}
// The closed-form Greeks, sharing sqrt(T), d1, d2, exp(-rT), N(d1), N(d2) and pdf(d1):
//   dS = N(d1)    dK = -exp(-rT) N(d2)    dT = S pdf(d1) sigma / (2 sqrt T) + r K exp(-rT) N(d2)
//   dr = K T exp(-rT) N(d2)               dsigma = S pdf(d1) sqrt T
template <class T>
void xsimd_black_scholes_value_and_grad(T const* S, T const* K, T const* t, T const* r, T const* sigma,
                                        T* const* out, std::size_t n) {
  using B = xsimd::batch<T>;
  const B half = B(T(0.5)), one = B(T(1)), s2 = B(T(inv_sqrt2)), k = B(T(inv_sqrt_2pi)), mhalf = B(T(-0.5));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B s = B::load_unaligned(S + i), kk = B::load_unaligned(K + i), tt = B::load_unaligned(t + i);
    B rr = B::load_unaligned(r + i), sg = B::load_unaligned(sigma + i);
    B sqt = xsimd::sqrt(tt), vol = sg * sqt;
    B d1 = (xsimd::log(s / kk) + (rr + half * sg * sg) * tt) / vol, d2 = d1 - vol;
    B disc = xsimd::exp(-rr * tt);
    B nd1 = half * (one + xsimd::erf(d1 * s2)), nd2 = half * (one + xsimd::erf(d2 * s2));
    B spdf = s * k * xsimd::exp(mhalf * d1 * d1);
    B knd2 = kk * disc * nd2;
    (s * nd1 - knd2).store_unaligned(out[0] + i);
    nd1.store_unaligned(out[1] + i);
    (-disc * nd2).store_unaligned(out[2] + i);
    (spdf * sg / (sqt + sqt) + rr * knd2).store_unaligned(out[3] + i);
    (tt * knd2).store_unaligned(out[4] + i);
    (spdf * sqt).store_unaligned(out[5] + i);
  }
  for (; i < n; ++i) {
    T sqt = std::sqrt(t[i]), vol = sigma[i] * sqt;
    T d1 = (std::log(S[i] / K[i]) + (r[i] + T(0.5) * sigma[i] * sigma[i]) * t[i]) / vol, d2 = d1 - vol;
    T disc = std::exp(-r[i] * t[i]);
    T nd1 = T(0.5) * (T(1) + std::erf(d1 * T(inv_sqrt2))), nd2 = T(0.5) * (T(1) + std::erf(d2 * T(inv_sqrt2)));
    T spdf = S[i] * T(inv_sqrt_2pi) * std::exp(T(-0.5) * d1 * d1);
    T knd2 = K[i] * disc * nd2;
    out[0][i] = S[i] * nd1 - knd2;
    out[1][i] = nd1;
    out[2][i] = -disc * nd2;
    out[3][i] = spdf * sigma[i] / (sqt + sqt) + r[i] * knd2;
    out[4][i] = t[i] * knd2;
    out[5][i] = spdf * sqt;
  }
}

// Scalar loops with if, as one writes them first.
template <class T>
void scalar_if_relu3_fwd(T const* x, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i];
    if (v < 0)
      y[i] = 0;
    else if (v < 1)
      y[i] = T(1.0 / 3) * (v * v * v);
    else
      y[i] = v - T(2.0 / 3);
  }
}
template <class T>
void scalar_if_relu3_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i];
    if (v < 0)
      dx[i] = 0;
    else if (v < 1)
      dx[i] = v * v * dy[i];
    else
      dx[i] = dy[i];
  }
}

// Branchless scalar loops: the conditions as 0/1 factors, which compilers vectorise.
template <class T>
void branchless_relu3_fwd(T const* x, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i];
    T mid = T(v >= 0) * T(v < 1), hi = T(v >= 1);
    y[i] = mid * (T(1.0 / 3) * (v * v * v)) + hi * (v - T(2.0 / 3));
  }
}
template <class T>
void branchless_relu3_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i];
    T mid = T(v >= 0) * T(v < 1), hi = T(v >= 1);
    dx[i] = (mid * (v * v) + hi) * dy[i];
  }
}
template <class T>
void scalar_gelu_fwd(T const* x, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = T(0.5) * x[i] * (T(1) + std::erf(x[i] * T(inv_sqrt2)));
}
template <class T>
void scalar_gelu_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i];
    dx[i] = (T(0.5) * (T(1) + std::erf(v * T(inv_sqrt2))) + v * T(inv_sqrt_2pi) * std::exp(T(-0.5) * v * v)) * dy[i];
  }
}

// Eigen array expressions: select for relu3, the vectorised .erf() for gelu.
template <class T>
using emap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using cmap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1> const>;

template <class T>
void eigen_relu3_fwd(T const* x, T* y, std::size_t n) {
  cmap<T> v(x, static_cast<Eigen::Index>(n));
  emap<T>(y, static_cast<Eigen::Index>(n)) =
      (v < T(0)).select(T(0), (v < T(1)).select(T(1.0 / 3) * v.cube(), v - T(2.0 / 3)));
}
template <class T>
void eigen_relu3_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  auto m = static_cast<Eigen::Index>(n);
  cmap<T> v(x, m), d(dy, m);
  emap<T>(dx, m) = (v < T(0)).select(T(0), (v < T(1)).select(v.square(), T(1))) * d;
}
template <class T>
void eigen_gelu_fwd(T const* x, T* y, std::size_t n) {
  cmap<T> v(x, static_cast<Eigen::Index>(n));
  emap<T>(y, static_cast<Eigen::Index>(n)) = T(0.5) * v * (T(1) + (v * T(inv_sqrt2)).erf());
}
template <class T>
void eigen_gelu_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  auto m = static_cast<Eigen::Index>(n);
  cmap<T> v(x, m), d(dy, m);
  emap<T>(dx, m) =
      (T(0.5) * (T(1) + (v * T(inv_sqrt2)).erf()) + v * T(inv_sqrt_2pi) * (T(-0.5) * v.square()).exp()) * d;
}

// The floors: moving the bytes (forward: read 1, write 1; vjp: read 2, write 1).
template <class T>
void memcpy_floor(T const* x, T* y, std::size_t n) {
  std::memcpy(y, x, n * sizeof(T));
}
// Chained locals (issue 12): a_1 = 0.9 x + 0.1, a_{k+1} = a_k * a_k - a_k, each local
// used twice by the next; vjp. The hand loop keeps every local in a register array and
// multiplies the adjoint by 2 a_k - 1 on the way back.
inline constexpr int chain_locals = 40;
inline constexpr auto chained = [](auto x) {
  auto a = x * 0.9 + 0.1;
  for (int k = 1; k < chain_locals; ++k) a = a * a - a;
  return a;
};
template <class T>
void knossos_chained_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  ks::vmap(ks::vjp(chained)).into(ks::view(dx, n), ks::view(x, n), ks::view(dy, n));
}
template <class T>
void xsimd_chained_vjp(T const* x, T const* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T>;
  const B c09 = B(T(0.9)), c01 = B(T(0.1)), one = B(T(1));
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    B a[chain_locals];
    a[0] = B::load_unaligned(x + i) * c09 + c01;
    for (int k = 1; k < chain_locals; ++k) a[k] = a[k - 1] * a[k - 1] - a[k - 1];
    B g = B::load_unaligned(dy + i);
    for (int k = chain_locals - 1; k >= 1; --k) g = g * (a[k - 1] + a[k - 1] - one);
    (g * c09).store_unaligned(dx + i);
  }
  for (; i < n; ++i) {
    T a[chain_locals];
    a[0] = x[i] * T(0.9) + T(0.1);
    for (int k = 1; k < chain_locals; ++k) a[k] = a[k - 1] * a[k - 1] - a[k - 1];
    T g = dy[i];
    for (int k = chain_locals - 1; k >= 1; --k) g = g * (a[k - 1] + a[k - 1] - 1);
    dx[i] = g * T(0.9);
  }
}

template <class T>
void mul_floor(T const* a, T const* b, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

}  // namespace bench
