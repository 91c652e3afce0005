// The relu3 demo: the seed's activation as one generic lambda, its derivative derived
// at compile time, evaluated over a grid, plotted to relu3.svg, and timed against
// hand-written loops (Google Benchmark, medians in this run).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../../benchmarks/kernels.hpp"
#include "svg.hpp"

namespace {

// Collects the median of each benchmark instead of printing Google Benchmark's report.
class collect : public benchmark::BenchmarkReporter {
 public:
  std::map<std::string, double> ns_per_element;
  bool ReportContext(Context const&) override { return true; }
  void ReportRuns(std::vector<Run> const& runs) override {
    for (auto const& r : runs)
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
        ns_per_element[r.run_name.str()] = r.GetAdjustedRealTime() / static_cast<double>(r.run_name.args.empty() ? 1 : std::stod(r.run_name.args));
  }
};

void timing_table() {
  using fwd = void (*)(float const*, float*, std::size_t);
  using vjp = void (*)(float const*, float const*, float*, std::size_t);
  std::vector<std::pair<std::string, fwd>> fwds = {{"knossos", bench::knossos_relu3_fwd<float>},
                                                   {"xsimd", bench::xsimd_relu3_fwd<float>},
                                                   {"scalar_if", bench::scalar_if_relu3_fwd<float>},
                                                   {"branchless", bench::branchless_relu3_fwd<float>},
                                                   {"eigen", bench::eigen_relu3_fwd<float>},
                                                   {"floor", bench::memcpy_floor<float>}};
  std::vector<std::pair<std::string, vjp>> vjps = {{"knossos", bench::knossos_relu3_vjp<float>},
                                                   {"xsimd", bench::xsimd_relu3_vjp<float>},
                                                   {"scalar_if", bench::scalar_if_relu3_vjp<float>},
                                                   {"branchless", bench::branchless_relu3_vjp<float>},
                                                   {"eigen", bench::eigen_relu3_vjp<float>},
                                                   {"floor", bench::mul_floor<float>}};
  std::vector<long> sizes = {65025, 1 << 20};
  auto data = [](std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    std::vector<float> v(n);
    for (auto& e : v) e = u(rng);
    return v;
  };
  for (auto& [name, k] : fwds)
    benchmark::RegisterBenchmark(("fwd/" + name).c_str(), [k = k, data](benchmark::State& s) {
      auto n = static_cast<std::size_t>(s.range(0));
      auto x = data(n, 1);
      std::vector<float> y(n);
      for (auto _ : s) {
        k(x.data(), y.data(), n);
        benchmark::ClobberMemory();
      }
    })->Arg(sizes[0])->Arg(sizes[1]);
  for (auto& [name, k] : vjps)
    benchmark::RegisterBenchmark(("vjp/" + name).c_str(), [k = k, data](benchmark::State& s) {
      auto n = static_cast<std::size_t>(s.range(0));
      auto x = data(n, 1), dy = data(n, 2);
      std::vector<float> dx(n);
      for (auto _ : s) {
        k(x.data(), dy.data(), dx.data(), n);
        benchmark::ClobberMemory();
      }
    })->Arg(sizes[0])->Arg(sizes[1]);

  int argc = 4;
  char a0[] = "relu3_demo", a1[] = "--benchmark_repetitions=5", a2[] = "--benchmark_min_time=0.02",
       a3[] = "--benchmark_report_aggregates_only=true";
  char* argv[] = {a0, a1, a2, a3, nullptr};
  benchmark::Initialize(&argc, argv);
  collect reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\nrelu3 on float32, ns per element (median of 5, this machine, 1 thread)\n\n");
  std::printf("| direction | N | knossos | hand xsimd | scalar if | branchless | Eigen select | floor | knossos / xsimd |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (std::string dir : {"fwd", "vjp"})
    for (long n : sizes) {
      auto get = [&](std::string const& impl) { return reporter.ns_per_element[dir + "/" + impl + "/" + std::to_string(n)]; };
      std::printf("| %s | %ld | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", dir.c_str(), n, get("knossos"),
                  get("xsimd"), get("scalar_if"), get("branchless"), get("eigen"), get("floor"),
                  get("knossos") / get("xsimd"));
    }
  std::printf("\nfloor: memcpy of the same bytes (fwd), y = a * b (vjp). Full suite: benchmarks/compare.py\n");
}

}  // namespace

int main(int argc, char** argv) {
  using bench::relu3;
  std::string svg_path = "relu3.svg";
  bool timings = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-bench")
      timings = false;
    else
      svg_path = a;
  }

  std::printf("relu3(x)  = %s\n", ks::to_string(relu3).c_str());
  std::printf("relu3'(x) = %s\n\n", ks::to_string(ks::grad(relu3)).c_str());

  // Over a grid, with vmap: one fused SIMD loop for the values, one for the derivative.
  std::vector<double> xs(401);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = -1.5 + 4.0 * static_cast<double>(i) / 400;
  auto ys = ks::vmap(relu3)(xs);
  auto dys = ks::vmap(ks::grad(relu3))(xs);

  std::printf("%8s %12s %12s\n", "x", "relu3(x)", "relu3'(x)");
  for (std::size_t i = 50; i <= 350; i += 25) std::printf("%8.3f %12.6f %12.6f\n", xs[i], ys[i], dys[i]);

  example::write_svg(svg_path, xs, {{"relu3(x)", "#1f77b4", ys}, {"relu3'(x)", "#d62728", dys}},
                     "relu3 and its derivative");
  std::printf("\nwrote %s\n", svg_path.c_str());

  if (timings) timing_table();
}
