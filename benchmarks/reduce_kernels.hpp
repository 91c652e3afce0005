// The reductions of the benchmark suite (issue 14), knossos and by hand: the mean Huber
// loss of a prediction against a target with a broadcast threshold, its value and
// gradients, and a float32 sum of squares. The hand-written baselines are xsimd loops
// with four accumulators, in one pass (what knossos fuses) and in two (a map into a
// temporary, then a reduction; a forward pass, then a backward pass). They are checked
// against long double in tests/unit-reduce-kernels.cpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <numeric>
#include <tuple>
#include <vector>

#include <knossos/knossos.hpp>

namespace bench_reduce {

// huber(p, t, d) = 0.5 r^2 for |r| <= d, else d (|r| - d / 2), r = p - t.
inline constexpr auto huber = [](auto p, auto t, auto d) {
  auto r = p - t;
  return ks::select(ks::abs(r) <= d, 0.5 * r * r, d * (ks::abs(r) - 0.5 * d));
};
inline constexpr auto square = [](auto x) { return x * x; };

// The scalar reference of one element, for the tails of the hand loops.
template <class T>
T huber_scalar(T r, T d) {
  T a = std::abs(r);
  return a <= d ? T(0.5) * r * r : d * (a - T(0.5) * d);
}

// ---------------------------------------------------------------------------------
// knossos: one line each.

template <class T>
T knossos_huber_mean(T const* p, T const* t, T d, std::size_t n) {
  return ks::mean(huber)(ks::view(p, n), ks::view(t, n), d);
}
// Returns the loss; writes dL/dp and dL/dt, and dL/dd to *dd.
template <class T>
T knossos_huber_mean_vag(T const* p, T const* t, T d, T* gp, T* gt, T* dd, std::size_t n) {
  return ks::value_and_grad(ks::mean(huber))
      .into(std::tuple<ks::strided_view<T>, ks::strided_view<T>, T&>{ks::view(gp, n), ks::view(gt, n), *dd},
            ks::view(p, n), ks::view(t, n), d);
}

// ---------------------------------------------------------------------------------
// By hand, xsimd.

template <class T>
struct huber_batch {
  using B = xsimd::batch<T>;
  B d, half_d, half = B(T(0.5));
  explicit huber_batch(T dv) : d(dv), half_d(T(0.5) * dv) {}
  B value(B r) const {
    B a = xsimd::abs(r);
    return xsimd::select(a <= d, half * r * r, d * (a - half_d));
  }
};

template <class T>
T hsum(xsimd::batch<T> a0, xsimd::batch<T> a1, xsimd::batch<T> a2, xsimd::batch<T> a3) {
  return xsimd::hadd((a0 + a1) + (a2 + a3));
}

// One pass: the loss summed as it is computed.
template <class T>
T hand_huber_mean_one_pass(T const* p, T const* t, T d, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  huber_batch<T> h(d);
  B a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
  std::size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    a0 += h.value(B::load_unaligned(p + i) - B::load_unaligned(t + i));
    a1 += h.value(B::load_unaligned(p + i + W) - B::load_unaligned(t + i + W));
    a2 += h.value(B::load_unaligned(p + i + 2 * W) - B::load_unaligned(t + i + 2 * W));
    a3 += h.value(B::load_unaligned(p + i + 3 * W) - B::load_unaligned(t + i + 3 * W));
  }
  for (; i + W <= n; i += W) a0 += h.value(B::load_unaligned(p + i) - B::load_unaligned(t + i));
  T s = hsum(a0, a1, a2, a3);
  for (; i < n; ++i) s += huber_scalar<T>(p[i] - t[i], d);
  return s / static_cast<T>(n);
}

// Two passes: the elementwise loss into a temporary (n elements), then its sum.
template <class T>
T hand_huber_mean_two_pass(T const* p, T const* t, T d, T* tmp, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  huber_batch<T> h(d);
  std::size_t i = 0;
  for (; i + W <= n; i += W) h.value(B::load_unaligned(p + i) - B::load_unaligned(t + i)).store_unaligned(tmp + i);
  for (; i < n; ++i) tmp[i] = huber_scalar<T>(p[i] - t[i], d);
  B a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
  for (i = 0; i + 4 * W <= n; i += 4 * W) {
    a0 += B::load_unaligned(tmp + i);
    a1 += B::load_unaligned(tmp + i + W);
    a2 += B::load_unaligned(tmp + i + 2 * W);
    a3 += B::load_unaligned(tmp + i + 3 * W);
  }
  for (; i + W <= n; i += W) a0 += B::load_unaligned(tmp + i);
  T s = hsum(a0, a1, a2, a3);
  for (; i < n; ++i) s += tmp[i];
  return s / static_cast<T>(n);
}

// The backward loop: dL/dp = h'(r) / n, dL/dt = -dL/dp; returns sum of dh/dd (not / n).
template <class T>
T hand_huber_backward(T const* p, T const* t, T d, T* gp, T* gt, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  B const vd(d), mvd(-d), zero(T(0)), inv_n(T(1) / static_cast<T>(n));
  B a0(T(0));
  std::size_t i = 0;
  for (; i + W <= n; i += W) {
    B r = B::load_unaligned(p + i) - B::load_unaligned(t + i);
    B a = xsimd::abs(r);
    auto inside = a <= vd;
    B g = xsimd::select(inside, r, xsimd::select(r < zero, mvd, vd)) * inv_n;
    g.store_unaligned(gp + i);
    (-g).store_unaligned(gt + i);
    a0 += xsimd::select(inside, zero, a - vd);
  }
  T dd = xsimd::hadd(a0);
  for (; i < n; ++i) {
    T r = p[i] - t[i], a = std::abs(r);
    bool inside = a <= d;
    T g = (inside ? r : (r < 0 ? -d : d)) * (T(1) / static_cast<T>(n));
    gp[i] = g;
    gt[i] = -g;
    dd += inside ? T(0) : a - d;
  }
  return dd;
}

// value_and_grad in one pass: loss and dL/dd accumulated, dL/dp and dL/dt stored.
template <class T>
T hand_huber_mean_vag_one_pass(T const* p, T const* t, T d, T* gp, T* gt, T* dd, std::size_t n) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  huber_batch<T> h(d);
  B const vd(d), mvd(-d), zero(T(0)), inv_n(T(1) / static_cast<T>(n));
  B l0(T(0)), l1(T(0)), d0(T(0)), d1(T(0));
  auto step = [&](std::size_t j, B& l, B& dacc) {
    B r = B::load_unaligned(p + j) - B::load_unaligned(t + j);
    B a = xsimd::abs(r);
    auto inside = a <= vd;
    l += h.value(r);
    B g = xsimd::select(inside, r, xsimd::select(r < zero, mvd, vd)) * inv_n;
    g.store_unaligned(gp + j);
    (-g).store_unaligned(gt + j);
    dacc += xsimd::select(inside, zero, a - vd);
  };
  std::size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    step(i, l0, d0);
    step(i + W, l1, d1);
  }
  for (; i + W <= n; i += W) step(i, l0, d0);
  T loss = xsimd::hadd(l0 + l1), ddsum = xsimd::hadd(d0 + d1);
  for (; i < n; ++i) {
    T r = p[i] - t[i], a = std::abs(r);
    bool inside = a <= d;
    loss += huber_scalar(r, d);
    T g = (inside ? r : (r < 0 ? -d : d)) * (T(1) / static_cast<T>(n));
    gp[i] = g;
    gt[i] = -g;
    ddsum += inside ? T(0) : a - d;
  }
  *dd = ddsum / static_cast<T>(n);
  return loss / static_cast<T>(n);
}

// value_and_grad in two passes: the forward loss, then the backward loop.
template <class T>
T hand_huber_mean_vag_two_pass(T const* p, T const* t, T d, T* gp, T* gt, T* dd, std::size_t n) {
  T loss = hand_huber_mean_one_pass(p, t, d, n);
  *dd = hand_huber_backward(p, t, d, gp, gt, n) / static_cast<T>(n);
  return loss;
}

// ---------------------------------------------------------------------------------
// float32 sum of squares.

inline float knossos_sum_squares(float const* x, std::size_t n) { return ks::sum(square)(ks::view(x, n)); }
inline float accumulate_sum_squares(float const* x, std::size_t n) {
  return std::accumulate(x, x + n, 0.0f, [](float s, float v) { return s + v * v; });
}

}  // namespace bench_reduce
