// The kernels of kernels.hpp as one table, each behind the same signature (input
// arrays, output arrays, n), with the inputs they are measured on: what the timing
// benchmark registers for huber, softplus and Black-Scholes, and what the
// instruction-count benchmark (bench_icount.cpp) walks for every kernel.
#pragma once

#include <cstddef>
#include <random>
#include <string_view>
#include <vector>

#include "kernels.hpp"

namespace bench {

// huber's threshold in the benchmarks: inputs in [-2, 2] fall on both sides of it.
inline constexpr double huber_threshold = 1.0;

template <class T>
using kernel_fn = void (*)(T const* const* in, T* const* out, std::size_t n);

// fn/kind as in the benchmark names (relu3/fwd, huber/value_and_grad, ...); the two
// implementations compute the same outputs from the same inputs.
template <class T>
struct kernel_case {
  std::string_view fn;
  std::string_view kind;
  std::size_t inputs;
  std::size_t outputs;
  kernel_fn<T> knossos;
  kernel_fn<T> xsimd;
};

template <class T>
std::vector<kernel_case<T>> suite() {
  using P = T const* const*;
  using Q = T* const*;
  using std::size_t;
  constexpr T d = T(huber_threshold);
  return {
      {"relu3", "fwd", 1, 1, [](P i, Q o, size_t n) { knossos_relu3_fwd<T>(i[0], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_relu3_fwd<T>(i[0], o[0], n); }},
      {"relu3", "vjp", 2, 1, [](P i, Q o, size_t n) { knossos_relu3_vjp<T>(i[0], i[1], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_relu3_vjp<T>(i[0], i[1], o[0], n); }},
      {"gelu", "fwd", 1, 1, [](P i, Q o, size_t n) { knossos_gelu_fwd<T>(i[0], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_gelu_fwd<T>(i[0], o[0], n); }},
      {"gelu", "vjp", 2, 1, [](P i, Q o, size_t n) { knossos_gelu_vjp<T>(i[0], i[1], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_gelu_vjp<T>(i[0], i[1], o[0], n); }},
      {"huber", "vjp", 2, 2, [](P i, Q o, size_t n) { knossos_huber_vjp<T>(i[0], d, i[1], o[0], o[1], n); },
       [](P i, Q o, size_t n) { xsimd_huber_vjp<T>(i[0], d, i[1], o[0], o[1], n); }},
      {"huber", "value_and_grad", 1, 3,
       [](P i, Q o, size_t n) { knossos_huber_value_and_grad<T>(i[0], d, o[0], o[1], o[2], n); },
       [](P i, Q o, size_t n) { xsimd_huber_value_and_grad<T>(i[0], d, o[0], o[1], o[2], n); }},
      {"softplus", "fwd", 1, 1, [](P i, Q o, size_t n) { knossos_softplus_fwd<T>(i[0], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_softplus_fwd<T>(i[0], o[0], n); }},
      {"softplus", "vjp", 2, 1, [](P i, Q o, size_t n) { knossos_softplus_vjp<T>(i[0], i[1], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_softplus_vjp<T>(i[0], i[1], o[0], n); }},
      {"black_scholes", "value_and_grad", 5, 6,
       [](P i, Q o, size_t n) { knossos_black_scholes_value_and_grad<T>(i[0], i[1], i[2], i[3], i[4], o, n); },
       [](P i, Q o, size_t n) { xsimd_black_scholes_value_and_grad<T>(i[0], i[1], i[2], i[3], i[4], o, n); }},
      {"chained", "vjp", 2, 1, [](P i, Q o, size_t n) { knossos_chained_vjp<T>(i[0], i[1], o[0], n); },
       [](P i, Q o, size_t n) { xsimd_chained_vjp<T>(i[0], i[1], o[0], n); }},
  };
}

// Input k of function fn at n elements, in an order that defeats branch prediction:
// activations (and dy) uniform in [-2, 2], the chained locals' x in [-0.5, 1]; Black-Scholes S and K in [50, 150], T in
// [0.05, 2] years, r in [0, 0.1], sigma in [0.05, 0.6].
template <class T>
std::vector<T> case_input(std::string_view fn, std::size_t k, std::size_t n, unsigned seed) {
  double lo = -2, hi = 2;
  if (fn == "chained" && k == 0) {
    lo = -0.5;  // where the chain stays bounded: 0.9 x + 0.1 in [-0.35, 1]
    hi = 1;
  }
  if (fn == "black_scholes") {
    constexpr double bounds[5][2] = {{50, 150}, {50, 150}, {0.05, 2}, {0, 0.1}, {0.05, 0.6}};
    lo = bounds[k][0];
    hi = bounds[k][1];
  }
  std::mt19937 rng(seed + static_cast<unsigned>(k));
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(u(rng));
  return v;
}

// The arrays of one call: inputs filled, outputs zeroed, and the pointer tables.
template <class T>
struct case_buffers {
  std::vector<std::vector<T>> in, out;
  std::vector<T const*> in_ptr;
  std::vector<T*> out_ptr;

  case_buffers(kernel_case<T> const& c, std::size_t n, unsigned seed = 1) {
    for (std::size_t k = 0; k < c.inputs; ++k) in.push_back(case_input<T>(c.fn, k, n, seed));
    out.assign(c.outputs, std::vector<T>(n));
    for (auto& v : in) in_ptr.push_back(v.data());
    for (auto& v : out) out_ptr.push_back(v.data());
  }
  case_buffers(case_buffers const&) = delete;  // the pointer tables point into this one
  case_buffers& operator=(case_buffers const&) = delete;
};

}  // namespace bench
