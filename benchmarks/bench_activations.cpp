// relu3 and gelu (forward and vjp), huber (vjp and value_and_grad), softplus (forward
// and vjp) and Black-Scholes (value_and_grad), float and double, at N = 16, 4096, 65025,
// 1M and 16M: knossos against the hand-written baselines in the same binary. Benchmark names are
// <function>/<direction>/<type>/<implementation>/<N>; benchmarks/compare.py turns a
// run into tables of ns per element and ratios.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels.hpp"
#include "suite.hpp"

namespace {

using fwd_kernel_f = void (*)(float const*, float*, std::size_t);
using fwd_kernel_d = void (*)(double const*, double*, std::size_t);
using vjp_kernel_f = void (*)(float const*, float const*, float*, std::size_t);
using vjp_kernel_d = void (*)(double const*, double const*, double*, std::size_t);

// Inputs spread over every branch of relu3 (and gelu's interesting range), in an order
// that defeats branch prediction, as activations do.
template <class T>
std::vector<T> inputs(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(u(rng));
  return v;
}

template <class T, class K>
void run_fwd(benchmark::State& state, K kernel) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto x = inputs<T>(n, 1);
  std::vector<T> y(n);
  for (auto _ : state) {
    kernel(x.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class T, class K>
void run_vjp(benchmark::State& state, K kernel) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto x = inputs<T>(n, 1);
  auto dy = inputs<T>(n, 2);
  std::vector<T> dx(n);
  for (auto _ : state) {
    kernel(x.data(), dy.data(), dx.data(), n);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class T>
constexpr char const* type_name() {
  return sizeof(T) == 4 ? "f32" : "f64";
}

void sizes(benchmark::internal::Benchmark* b) { b->Arg(16)->Arg(4096)->Arg(65025)->Arg(1 << 20)->Arg(1 << 24); }

template <class T, class K>
void add_fwd(std::string const& fn, std::string const& impl, K kernel) {
  auto* b = benchmark::RegisterBenchmark((fn + "/fwd/" + type_name<T>() + "/" + impl).c_str(),
                                         [kernel](benchmark::State& s) { run_fwd<T>(s, kernel); });
  sizes(b);
}

template <class T, class K>
void add_vjp(std::string const& fn, std::string const& impl, K kernel) {
  auto* b = benchmark::RegisterBenchmark((fn + "/vjp/" + type_name<T>() + "/" + impl).c_str(),
                                         [kernel](benchmark::State& s) { run_vjp<T>(s, kernel); });
  sizes(b);
}

// A kernel of suite.hpp (any number of inputs and outputs), knossos or hand-written.
template <class T>
void add_case(bench::kernel_case<T> const& c, bool knossos) {
  std::string name = std::string(c.fn) + "/" + std::string(c.kind) + "/" + type_name<T>() + "/" +
                     (knossos ? "knossos" : "xsimd");
  auto kernel = knossos ? c.knossos : c.xsimd;
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [c, kernel](benchmark::State& state) {
    auto n = static_cast<std::size_t>(state.range(0));
    bench::case_buffers<T> buf(c, n);
    for (auto _ : state) {
      kernel(buf.in_ptr.data(), buf.out_ptr.data(), n);
      benchmark::DoNotOptimize(buf.out_ptr.data());
      benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  });
  sizes(b);
}

template <class T>
void register_all() {
  using namespace bench;
  add_fwd<T>("relu3", "knossos", knossos_relu3_fwd<T>);
  add_fwd<T>("relu3", "xsimd", xsimd_relu3_fwd<T>);
  add_fwd<T>("relu3", "scalar_if", scalar_if_relu3_fwd<T>);
  add_fwd<T>("relu3", "branchless", branchless_relu3_fwd<T>);
  add_fwd<T>("relu3", "eigen", eigen_relu3_fwd<T>);
  add_fwd<T>("relu3", "memcpy", memcpy_floor<T>);
  add_vjp<T>("relu3", "knossos", knossos_relu3_vjp<T>);
  add_vjp<T>("relu3", "xsimd", xsimd_relu3_vjp<T>);
  add_vjp<T>("relu3", "scalar_if", scalar_if_relu3_vjp<T>);
  add_vjp<T>("relu3", "branchless", branchless_relu3_vjp<T>);
  add_vjp<T>("relu3", "eigen", eigen_relu3_vjp<T>);
  add_vjp<T>("relu3", "mul", mul_floor<T>);
  add_fwd<T>("gelu", "knossos", knossos_gelu_fwd<T>);
  add_fwd<T>("gelu", "xsimd", xsimd_gelu_fwd<T>);
  add_fwd<T>("gelu", "scalar_if", scalar_gelu_fwd<T>);
  add_fwd<T>("gelu", "eigen", eigen_gelu_fwd<T>);
  add_fwd<T>("gelu", "memcpy", memcpy_floor<T>);
  add_vjp<T>("gelu", "knossos", knossos_gelu_vjp<T>);
  add_vjp<T>("gelu", "xsimd", xsimd_gelu_vjp<T>);
  add_vjp<T>("gelu", "scalar_if", scalar_gelu_vjp<T>);
  add_vjp<T>("gelu", "eigen", eigen_gelu_vjp<T>);
  add_vjp<T>("gelu", "mul", mul_floor<T>);
  for (auto const& c : suite<T>()) {
    if (c.fn == "relu3" || c.fn == "gelu") continue;  // registered above, with more baselines
    add_case(c, true);
    add_case(c, false);
  }
  add_fwd<T>("softplus", "memcpy", memcpy_floor<T>);
  add_vjp<T>("softplus", "mul", mul_floor<T>);
}

// ks::par against serial, where the work is compute-bound (gelu).
void add_par() {
  for (char const* impl : {"knossos_serial", "knossos_par"}) {
    bool par = std::string(impl) == "knossos_par";
    auto* b = benchmark::RegisterBenchmark((std::string("gelu/fwd/f32/") + impl).c_str(), [par](benchmark::State& s) {
      run_fwd<float>(s, [par](float const* x, float* y, std::size_t n) {
        if (par)
          ks::vmap(bench::gelu, ks::par).into(ks::view(y, n), ks::view(x, n));
        else
          ks::vmap(bench::gelu).into(ks::view(y, n), ks::view(x, n));
      });
    });
    b->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();
  }
}

// Branch-aware select: a function whose taken branch is expensive, on inputs where
// every lane of a batch agrees (all negative) and where lanes disagree (mixed). knossos
// skips the branch no lane takes; the hand-written xsimd blend computes both always.
inline constexpr auto gated = [](auto x) {
  return ks::select(x < 0, 0, ks::erf(x) * ks::exp(-x * x) + ks::log1p(x * x));
};

void add_branch_aware() {
  for (bool negative : {false, true}) {
    std::string fn = negative ? "gated_negative" : "gated_mixed";
    auto input = [negative](std::size_t n) {
      auto x = inputs<float>(n, 3);
      if (negative)
        for (auto& e : x) e = -std::abs(e) - 1e-3f;
      return x;
    };
    auto* k = benchmark::RegisterBenchmark((fn + "/fwd/f32/knossos").c_str(), [input](benchmark::State& st) {
      auto n = static_cast<std::size_t>(st.range(0));
      auto x = input(n);
      std::vector<float> y(n);
      for (auto _ : st) {
        ks::vmap(gated).into(ks::view(y.data(), n), ks::view(x.data(), n));
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
      }
      st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
    });
    k->Arg(65025);
    auto* h = benchmark::RegisterBenchmark((fn + "/fwd/f32/xsimd").c_str(), [input](benchmark::State& st) {
      using B = xsimd::batch<float>;
      auto n = static_cast<std::size_t>(st.range(0));
      auto x = input(n);
      std::vector<float> y(n);
      for (auto _ : st) {
        std::size_t i = 0;
        for (; i + B::size <= n; i += B::size) {
          B v = B::load_unaligned(x.data() + i);
          B taken = xsimd::erf(v) * xsimd::exp(-v * v) + xsimd::log1p(v * v);
          xsimd::select(v < B(0.0f), B(0.0f), taken).store_unaligned(y.data() + i);
        }
        for (; i < n; ++i) y[i] = gated(x[i]);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
      }
      st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * n));
    });
    h->Arg(65025);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all<float>();
  register_all<double>();
  add_par();
  add_branch_aware();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
