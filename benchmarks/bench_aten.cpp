// ATen eager, written like the PyTorch reference of the seed (relu3 as masks
// multiplied and summed), and ATen's built-in gelu / gelu_backward. Its own process:
// ATen's fresh allocations disturb the loops measured next to it. Same names as
// bench_activations with implementation "aten".
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <string>

namespace {

at::Tensor relu3_reference(at::Tensor const& x) {
  // As vrelu3_pytorch in the seed: every branch for every element, masks summed.
  auto mask1_inf = x > 1;
  auto mask0_1 = (x > 0) & ~mask1_inf;
  auto val_0_1 = 1.0 / 3 * x.pow(3);
  auto val_1_inf = x - 2.0 / 3;
  return mask0_1 * val_0_1 + mask1_inf * val_1_inf;
}

at::ScalarType scalar_type(std::string const& t) { return t == "f32" ? at::kFloat : at::kDouble; }

void relu3_fwd(benchmark::State& state, std::string t) {
  auto x = at::rand({state.range(0)}, scalar_type(t)) * 4 - 2;
  for (auto _ : state) benchmark::DoNotOptimize(relu3_reference(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void relu3_vjp(benchmark::State& state, std::string t) {
  auto x = (at::rand({state.range(0)}, scalar_type(t)) * 4 - 2).requires_grad_(true);
  auto dy = at::rand({state.range(0)}, scalar_type(t));
  for (auto _ : state) {
    auto y = relu3_reference(x);
    auto g = torch::autograd::grad({y}, {x}, {dy});
    benchmark::DoNotOptimize(g[0]);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void gelu_fwd(benchmark::State& state, std::string t) {
  auto x = at::rand({state.range(0)}, scalar_type(t)) * 4 - 2;
  for (auto _ : state) benchmark::DoNotOptimize(at::gelu(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void gelu_vjp(benchmark::State& state, std::string t) {
  auto x = at::rand({state.range(0)}, scalar_type(t)) * 4 - 2;
  auto dy = at::rand({state.range(0)}, scalar_type(t));
  for (auto _ : state) benchmark::DoNotOptimize(at::gelu_backward(dy, x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(1);
  // Types spelled out: in C++20, std::pair{"...", f} deduces an array and a function
  // type instead of decaying them.
  using bench_fn = void (*)(benchmark::State&, std::string);
  std::pair<std::string, bench_fn> const kernels[] = {
      {"relu3/fwd/", relu3_fwd}, {"relu3/vjp/", relu3_vjp}, {"gelu/fwd/", gelu_fwd}, {"gelu/vjp/", gelu_vjp}};
  for (std::string t : {"f32", "f64"}) {
    for (auto const& [name, fn] : kernels) {
      benchmark::RegisterBenchmark((name + t + "/aten").c_str(), fn, t)
          ->Arg(16)->Arg(65025)->Arg(1 << 20)->Arg(1 << 24);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
