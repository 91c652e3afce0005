// Fused map-reduce (issue 14), float and double at N = 16, 4096, 65025, 1M and 16M:
//   reduce/huber_mean/<type>/{knossos,hand_one_pass,hand_two_pass}/N   mean Huber loss
//   reduce/huber_mean_vag/<type>/{knossos,hand_one_pass,hand_two_pass}/N   loss and gradients
//   reduce/sum_squares/f32/{knossos,accumulate,eigen}/N   with rel_err, the relative error
//                                                       against a long double sum
// Names follow bench_activations (<function>/<direction>/<type>/<implementation>/<N>).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "reduce_kernels.hpp"

namespace {

template <class T>
std::vector<T> inputs(std::size_t n, unsigned seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(u(rng));
  return v;
}

template <class T>
constexpr char const* type_name() {
  return sizeof(T) == 4 ? "f32" : "f64";
}

void sizes(benchmark::internal::Benchmark* b) { b->Arg(16)->Arg(4096)->Arg(65025)->Arg(1 << 20)->Arg(1 << 24); }

constexpr double threshold = 0.5;

template <class T, class K>
void huber_mean(benchmark::State& state, K kernel) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto p = inputs<T>(n, 1, -2, 2);
  auto t = inputs<T>(n, 2, -2, 2);
  std::vector<T> tmp(n);
  for (auto _ : state) {
    T loss = kernel(p.data(), t.data(), T(threshold), tmp.data(), n);
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class T, class K>
void huber_mean_vag(benchmark::State& state, K kernel) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto p = inputs<T>(n, 1, -2, 2);
  auto t = inputs<T>(n, 2, -2, 2);
  std::vector<T> gp(n), gt(n);
  T dd{};
  for (auto _ : state) {
    T loss = kernel(p.data(), t.data(), T(threshold), gp.data(), gt.data(), &dd, n);
    benchmark::DoNotOptimize(loss);
    benchmark::DoNotOptimize(gp.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class K>
void sum_squares(benchmark::State& state, K kernel) {
  auto n = static_cast<std::size_t>(state.range(0));
  auto x = inputs<float>(n, 3, 0, 1);
  long double exact = 0;
  for (float v : x) exact += static_cast<long double>(v) * v;
  float s = 0;
  for (auto _ : state) {
    s = kernel(x.data(), n);
    benchmark::DoNotOptimize(s);
  }
  state.counters["rel_err"] = static_cast<double>(std::abs((s - exact) / exact));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class T>
void add_huber() {
  namespace br = bench_reduce;
  std::string const mean = std::string("reduce/huber_mean/") + type_name<T>() + "/";
  sizes(benchmark::RegisterBenchmark((mean + "knossos").c_str(), [](benchmark::State& s) {
    huber_mean<T>(s, [](T const* p, T const* t, T d, T*, std::size_t n) { return br::knossos_huber_mean(p, t, d, n); });
  }));
  sizes(benchmark::RegisterBenchmark((mean + "hand_one_pass").c_str(), [](benchmark::State& s) {
    huber_mean<T>(s, [](T const* p, T const* t, T d, T*, std::size_t n) {
      return br::hand_huber_mean_one_pass(p, t, d, n);
    });
  }));
  sizes(benchmark::RegisterBenchmark((mean + "hand_two_pass").c_str(), [](benchmark::State& s) {
    huber_mean<T>(s, &br::hand_huber_mean_two_pass<T>);
  }));
  std::string const vag = std::string("reduce/huber_mean_vag/") + type_name<T>() + "/";
  sizes(benchmark::RegisterBenchmark((vag + "knossos").c_str(), [](benchmark::State& s) {
    huber_mean_vag<T>(s, &br::knossos_huber_mean_vag<T>);
  }));
  sizes(benchmark::RegisterBenchmark((vag + "hand_one_pass").c_str(), [](benchmark::State& s) {
    huber_mean_vag<T>(s, &br::hand_huber_mean_vag_one_pass<T>);
  }));
  sizes(benchmark::RegisterBenchmark((vag + "hand_two_pass").c_str(), [](benchmark::State& s) {
    huber_mean_vag<T>(s, &br::hand_huber_mean_vag_two_pass<T>);
  }));
}

void add_sum_squares() {
  sizes(benchmark::RegisterBenchmark("reduce/sum_squares/f32/knossos", [](benchmark::State& s) {
    sum_squares(s, &bench_reduce::knossos_sum_squares);
  }));
  sizes(benchmark::RegisterBenchmark("reduce/sum_squares/f32/accumulate", [](benchmark::State& s) {
    sum_squares(s, &bench_reduce::accumulate_sum_squares);
  }));
  sizes(benchmark::RegisterBenchmark("reduce/sum_squares/f32/eigen", [](benchmark::State& s) {
    sum_squares(s, [](float const* x, std::size_t n) {
      return Eigen::Map<Eigen::VectorXf const>(x, static_cast<Eigen::Index>(n)).squaredNorm();
    });
  }));
}

}  // namespace

int main(int argc, char** argv) {
  add_huber<float>();
  add_huber<double>();
  add_sum_squares();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
