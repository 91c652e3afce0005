// ks::torch_glue: vmap over ATen tensors (shapes, strides, broadcasting, dtypes,
// gradients summed to input shapes, autograd, type errors). Needs libtorch.
#include <knossos/torch.hpp>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <doctest/doctest.h>

#include <cmath>

namespace {

inline constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0.0, 0.0, ks::select(x < 1.0, (1.0 / 3) * (x * x * x), x - 2.0 / 3));
};
inline constexpr auto mix = [](auto x, auto y) { return x * y + ks::exp(-y); };

at::Tensor relu3_ref(at::Tensor const& x) {
  return at::where(x < 0, at::zeros_like(x), at::where(x < 1, x * x * x / 3, x - 2.0 / 3));
}

bool same(at::Tensor const& a, at::Tensor const& b, double tol = 1e-12) {
  return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() &&
         (a.numel() == 0 || at::allclose(a, b, tol, tol));
}

}  // namespace

TEST_CASE("forward over contiguous, transposed, sliced and expanded tensors") {
  at::manual_seed(0);
  auto base = at::randn({12, 10}, at::kDouble) * 2;
  for (auto const& x : {base, base.t(), base.slice(0, 1, 12, 3).slice(1, 0, 10, 2),
                        base.select(1, 3).unsqueeze(1).expand({12, 4}), base.reshape({3, 4, 10}).permute({2, 0, 1})}) {
    auto y = ks::torch_glue::apply<1>(relu3, {x});
    CHECK(same(y, relu3_ref(x)));
  }
  // A dense permuted input keeps its layout: a flat loop over its memory.
  CHECK((ks::torch_glue::apply<1>(relu3, {base.t()}).strides() == base.t().strides()));
}

TEST_CASE("broadcasting: tensors of broadcastable shapes and 0-dim numbers") {
  auto x = at::randn({3, 1, 4}, at::kDouble);
  auto y = at::randn({5, 1}, at::kDouble);
  auto z = ks::torch_glue::apply<2>(mix, {x, y});
  CHECK((z.sizes() == at::IntArrayRef({3, 5, 4})));
  CHECK(same(z, x * y + at::exp(-y)));
  auto s = at::scalar_tensor(0.5, at::kDouble);
  CHECK(same(ks::torch_glue::apply<2>(mix, {x, s}), x * 0.5 + std::exp(-0.5)));
  CHECK(same(ks::torch_glue::apply<2>(mix, {s, y}), 0.5 * y + at::exp(-y)));
  CHECK_THROWS_AS(ks::torch_glue::apply<2>(mix, {at::ones({3}), at::ones({4})}), c10::Error);
}

TEST_CASE("backward: gradients summed back to each input's shape") {
  auto x = at::randn({3, 1, 4}, at::kDouble);
  auto y = at::randn({5, 1}, at::kDouble);
  auto g = at::randn({3, 5, 4}, at::kDouble);
  auto grads = ks::torch_glue::apply_vjp<2>(mix, {x, y}, g);
  REQUIRE(grads.size() == 2);
  CHECK(same(grads[0], (g * y).sum(std::vector<std::int64_t>{1}, true)));
  CHECK(same(grads[1], (g * (x - at::exp(-y))).sum(std::vector<std::int64_t>{0, 2}).reshape({5, 1})));
  // An expanded (stride 0) output gradient, as sum().backward() gives.
  auto ones = at::ones({1}, at::kDouble).expand({3, 5, 4});
  auto g2 = ks::torch_glue::apply_vjp<2>(mix, {x, y}, ones);
  CHECK(same(g2[0], y.sum().expand({3, 1, 4})));
}

TEST_CASE("dtypes: float32 stays float32, torch's promotion, empty tensors") {
  auto x = at::randn({100});
  auto y = ks::torch_glue::apply<1>(relu3, {x});
  CHECK((y.scalar_type() == at::kFloat));
  CHECK(same(y, relu3_ref(x), 1e-6));
  CHECK((ks::torch_glue::apply<2>(mix, {x, at::randn({100}, at::kDouble)}).scalar_type() == at::kDouble));
  // A 0-dim tensor (what a Python number becomes) does not promote a tensor with
  // dimensions, as in torch: float32 result, and the gradient comes back as float64.
  auto half = at::scalar_tensor(0.5, at::kDouble);
  auto z = ks::torch_glue::apply<2>(mix, {x, half});
  CHECK((z.scalar_type() == at::kFloat));
  CHECK(same(z, x * 0.5f + std::exp(-0.5f), 1e-6));
  CHECK((ks::torch_glue::apply<2>(mix, {at::scalar_tensor(1.0, at::kFloat), half}).scalar_type() == at::kDouble));
  auto grads = ks::torch_glue::apply_vjp<2>(mix, {x, half}, at::ones({100}));
  CHECK((grads[1].scalar_type() == at::kDouble));
  CHECK(grads[1].item<double>() == doctest::Approx((x - std::exp(-0.5f)).sum().item<double>()).epsilon(1e-5));
  auto e = at::empty({0, 3}, at::kDouble);
  CHECK((ks::torch_glue::apply<1>(relu3, {e}).sizes() == e.sizes()));
  CHECK((ks::torch_glue::apply_vjp<1>(relu3, {e}, e)[0].sizes() == e.sizes()));
}

TEST_CASE("a permuted layout shared by the inputs is kept, and computed right") {
  auto a = at::randn({4, 5, 6}, at::kDouble).permute({2, 0, 1});  // dense, not contiguous
  auto b = at::randn({4, 5, 6}, at::kDouble).permute({2, 0, 1});
  auto z = ks::torch_glue::apply<2>(mix, {a, b});
  CHECK((z.strides() == a.strides()));
  CHECK(same(z, a * b + at::exp(-b)));
  // Two layouts: the result's is the one torch's own elementwise operators choose.
  auto c = at::randn({6, 4, 5}, at::kDouble);
  auto w = ks::torch_glue::apply<2>(mix, {a, c});
  CHECK((w.strides() == (a * c).strides()));
  CHECK(same(w, a * c + at::exp(-c)));
}

TEST_CASE("apply_vjp computes only the gradients asked for") {
  auto x = at::randn({3, 4}, at::kDouble);
  auto y = at::randn({4}, at::kDouble);
  auto g = at::randn({3, 4}, at::kDouble);
  auto grads = ks::torch_glue::apply_vjp<2>(mix, {x, y}, g, {true, false});
  CHECK(same(grads[0], g * y));
  CHECK_FALSE(grads[1].defined());
}

TEST_CASE("integer tensors are a TypeError") {
  CHECK_THROWS_AS(ks::torch_glue::apply<1>(relu3, {at::ones({3}, at::kLong)}), c10::TypeError);
  CHECK_THROWS_AS(ks::torch_glue::apply<1>(relu3, {at::empty({3}, at::TensorOptions().device(at::kMeta))}),
                  c10::TypeError);
}

TEST_CASE("vmap_autograd: backward through autograd is vmap(vjp(f))") {
  auto x = (at::randn({6, 7}, at::kDouble) * 2).set_requires_grad(true);
  auto y = ks::torch_glue::vmap_autograd<1>(relu3, {x});
  CHECK(y.requires_grad());
  auto g = at::randn({6, 7}, at::kDouble);
  y.backward(g);
  auto expected = at::where(x < 0, at::zeros_like(x), at::where(x < 1, x * x, at::ones_like(x))) * g;
  CHECK(same(x.grad(), expected.detach()));
}

TEST_CASE("vmap_autograd: only inputs that require grad get one; no silent second derivative") {
  auto x = (at::randn({5}, at::kDouble) + 3).set_requires_grad(true);
  auto y = at::randn({5}, at::kDouble);  // no gradient wanted
  auto z = ks::torch_glue::vmap_autograd<2>(mix, {x, y});
  z.sum().backward();
  CHECK(same(x.grad(), y));
  CHECK_FALSE(y.grad().defined());

  // create_graph=True: the first derivative is right, differentiating it again raises.
  auto x2 = (at::rand({5}, at::kDouble) + 1.5).set_requires_grad(true);  // relu3' = 1 there
  auto out = ks::torch_glue::vmap_autograd<1>(relu3, {x2});
  auto first = torch::autograd::grad({out.sum()}, {x2}, {}, /*retain_graph=*/true, /*create_graph=*/true);
  CHECK(same(first[0].detach(), at::ones_like(x2)));
  CHECK_THROWS_WITH(first[0].sum().backward(), doctest::Contains("second derivatives through ks::torch_glue::vmap_autograd are not supported"));
}
