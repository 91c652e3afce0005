// The kernels the benchmarks compare: relu3 and gelu, forward and vjp, written with
// knossos and by hand (xsimd loop, scalar if-loop, branchless scalar loop, Eigen array
// expression), plus the memory floors (memcpy; y = a * b). Shared by the benchmark
// suite and the relu3 demo. Every baseline is checked against long double in
// tests/unit-bench-kernels.cpp: a wrong baseline would make every ratio a lie.
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>
#include <cmath>
#include <cstddef>
#include <cstring>
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
template <class T>
void mul_floor(T const* a, T const* b, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

}  // namespace bench
