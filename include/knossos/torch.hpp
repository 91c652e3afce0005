// knossos: PyTorch tensors (ATen) as ks::vmap arguments. Views float32/float64 CPU
// tensors of any shape and strides without copying, broadcasts several tensors by
// torch's rules, and runs vmap(f) (forward) or vmap(vjp(f)) (backward, gradients
// summed back to each input's shape), separately or joined as one autograd function
// (vmap_autograd) whose backward never enters Python. Opt-in, as ATen is a heavy
// include; needs libtorch's headers. Docs: docs/pytorch.md
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <ATen/EmptyTensor.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/functions/basic_ops.h>

#include <knossos/knossos.hpp>

namespace ks::torch_glue {

/// Elements per parallel work item (at::parallel_for, which follows torch.set_num_threads).
inline constexpr std::int64_t grain_size = 32768;

/// Throws c10::TypeError (Python: TypeError) unless t is a float32 or float64 CPU tensor.
inline void check_tensor(at::Tensor const& t, std::size_t index) {
  TORCH_CHECK_TYPE(t.defined(), "knossos: argument ", index + 1, " is an undefined tensor");
  TORCH_CHECK_TYPE(t.device().is_cpu(), "knossos: argument ", index + 1, " is on device ", t.device().str(),
                   "; knossos kernels run on CPU tensors only (move it with .cpu())");
  TORCH_CHECK_TYPE(t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble, "knossos: argument ",
                   index + 1, " has dtype ", c10::toString(t.scalar_type()),
                   "; knossos kernels take float32 or float64 tensors");
}

namespace detail {

// One contiguous run of the loop: n elements; input k at in[k] with stride in_stride[k]
// (0: one number broadcast), output k at out[k] with stride out_stride[k].
template <class T, std::size_t NI, std::size_t NO>
struct row {
  std::array<T const*, NI> in{};
  std::array<std::ptrdiff_t, NI> in_stride{};
  std::array<T*, NO> out{};
  std::array<std::ptrdiff_t, NO> out_stride{};
  std::size_t n = 0;
};

// Runs the vmapped function over one row. Inputs whose bit is set in Mask are passed
// as numbers (their stride is 0), the others as strided views.
template <std::size_t Mask, class VF, class T, std::size_t NI, std::size_t NO, std::size_t... I, std::size_t... K>
void run_row(VF const& vf, row<T, NI, NO> const& r, std::index_sequence<I...>, std::index_sequence<K...>) {
  auto arg = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
    if constexpr ((Mask >> J) & 1U)
      return *r.in[J];
    else
      return ks::view(r.in[J], r.n, r.in_stride[J]);
  };
  if constexpr (NO == 1) {
    vf.into(ks::view(r.out[0], r.n, r.out_stride[0]), arg(std::integral_constant<std::size_t, I>{})...);
  } else {
    auto outs = std::tuple{ks::view(r.out[K], r.n, r.out_stride[K])...};
    vf.into(outs, arg(std::integral_constant<std::size_t, I>{})...);
  }
}

// Calls body(std::integral_constant<std::size_t, Mask>) for the run-time mask of
// broadcast-number inputs. With Specialise, each pattern of up to two inputs gets its
// own instantiation (a broadcast register, and the other inputs still contiguous,
// instead of a stride-0 gather that makes the whole loop a gather); otherwise, or
// beyond two inputs, one instantiation (Mask 0, strided views) serves every pattern,
// to bound compile time.
template <std::size_t NI, bool Specialise, class Body>
void with_mask(std::size_t mask, Body&& body) {
  constexpr std::size_t all = (std::size_t{1} << NI) - 1;
  if constexpr (Specialise && NI <= 2) {
    if (mask == all) mask = 0;  // every input one number: a gather of stride 0 is fine
    [&]<std::size_t... M>(std::index_sequence<M...>) {
      static_cast<void>(((mask == M ? (body(std::integral_constant<std::size_t, M>{}), true) : false) || ...));
    }(std::make_index_sequence<all>{});
  } else {
    static_cast<void>(mask);
    body(std::integral_constant<std::size_t, 0>{});
  }
}

// The loop over operands that all have one shape (inputs already expanded to it):
// dimensions in the order the outputs lie in memory, those of size 1 dropped,
// neighbours merged where every operand's memory allows, the innermost last.
struct loop_shape {
  std::vector<std::int64_t> sizes;
  std::vector<std::vector<std::int64_t>> strides;  // per operand, per dimension
};

inline loop_shape coalesce(at::IntArrayRef sizes, std::vector<at::IntArrayRef> const& operand_strides) {
  // Outermost first by the first operand's (an output's) strides, so a result that keeps
  // a transposed input's layout is still one flat loop over memory.
  std::vector<std::size_t> order(sizes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto const& lead = operand_strides.front();
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lead[a] > lead[b]; });

  loop_shape s;
  s.strides.resize(operand_strides.size());
  for (std::size_t d : order) {
    if (sizes[d] == 1) continue;
    bool merge = !s.sizes.empty();
    for (std::size_t k = 0; k < operand_strides.size() && merge; ++k)
      merge = s.strides[k].back() == operand_strides[k][d] * sizes[d];
    if (merge) {
      s.sizes.back() *= sizes[d];
      for (std::size_t k = 0; k < operand_strides.size(); ++k) s.strides[k].back() = operand_strides[k][d];
    } else {
      s.sizes.push_back(sizes[d]);
      for (std::size_t k = 0; k < operand_strides.size(); ++k) s.strides[k].push_back(operand_strides[k][d]);
    }
  }
  if (s.sizes.empty()) {  // a single element
    s.sizes.push_back(1);
    for (auto& st : s.strides) st.push_back(1);
  }
  return s;
}

// Runs vf over operands of one shape: inputs `in` (any strides, 0 where broadcast),
// outputs `out` (freshly allocated, one layout). Splits the work with at::parallel_for.
template <class T, bool Specialise, class VF, std::size_t NI, std::size_t NO>
void run(VF const& vf, std::array<at::Tensor, NI> const& in, std::array<at::Tensor, NO> const& out) {
  std::int64_t const numel = out[0].numel();
  if (numel == 0) return;
  std::vector<at::IntArrayRef> strides;
  for (auto const& t : out) strides.push_back(t.strides());
  for (auto const& t : in) strides.push_back(t.strides());
  loop_shape const s = coalesce(out[0].sizes(), strides);
  std::size_t const dims = s.sizes.size();
  std::int64_t const inner = s.sizes.back();
  std::int64_t const rows = numel / inner;

  row<T, NI, NO> base;
  std::size_t mask = 0;
  for (std::size_t k = 0; k < NO; ++k) {
    base.out[k] = out[k].template data_ptr<T>();
    base.out_stride[k] = s.strides[k].back();
  }
  for (std::size_t k = 0; k < NI; ++k) {
    base.in[k] = in[k].template data_ptr<T>();
    base.in_stride[k] = s.strides[NO + k].back();
    if (base.in_stride[k] == 0) mask |= std::size_t{1} << k;
  }

  with_mask<NI, Specialise>(mask, [&](auto m) {
    constexpr std::size_t M = decltype(m)::value;
    auto const is = std::make_index_sequence<NI>{};
    auto const ks_ = std::make_index_sequence<NO>{};
    if (rows == 1) {  // one flat run: split it into chunks
      at::parallel_for(0, inner, grain_size, [&](std::int64_t b, std::int64_t e) {
        row<T, NI, NO> r = base;
        for (std::size_t k = 0; k < NI; ++k) r.in[k] += b * r.in_stride[k];
        for (std::size_t k = 0; k < NO; ++k) r.out[k] += b * r.out_stride[k];
        r.n = static_cast<std::size_t>(e - b);
        run_row<M>(vf, r, is, ks_);
      });
      return;
    }
    std::int64_t const rows_per_item = std::max<std::int64_t>(1, grain_size / inner);
    at::parallel_for(0, rows, rows_per_item, [&](std::int64_t rb, std::int64_t re) {
      // The multi-index of row rb over the outer dimensions, then stepped like an odometer.
      std::vector<std::int64_t> index(dims - 1, 0);
      std::int64_t rest = rb;
      for (std::size_t d = dims - 1; d-- > 0;) {
        index[d] = rest % s.sizes[d];
        rest /= s.sizes[d];
      }
      for (std::int64_t ro = rb; ro < re; ++ro) {
        row<T, NI, NO> r = base;
        r.n = static_cast<std::size_t>(inner);
        for (std::size_t d = 0; d + 1 < dims; ++d) {
          for (std::size_t k = 0; k < NO; ++k) r.out[k] += index[d] * s.strides[k][d];
          for (std::size_t k = 0; k < NI; ++k) r.in[k] += index[d] * s.strides[NO + k][d];
        }
        run_row<M>(vf, r, is, ks_);
        for (std::size_t d = dims - 1; d-- > 0;) {
          if (++index[d] < s.sizes[d]) break;
          index[d] = 0;
        }
      }
    });
  });
}

// The broadcast of two shapes, by torch's rules (aligned at the right, 1 stretches).
inline std::vector<std::int64_t> broadcast_shape(std::vector<std::int64_t> a, at::IntArrayRef b, std::size_t index) {
  if (a.size() < b.size()) a.insert(a.begin(), b.size() - a.size(), 1);
  std::size_t const off = a.size() - b.size();
  for (std::size_t d = 0; d < b.size(); ++d) {
    std::int64_t& s = a[off + d];
    TORCH_CHECK(s == b[d] || s == 1 || b[d] == 1, "knossos: argument ", index + 1, " has shape ", b,
                ", which does not broadcast with the shape ", at::IntArrayRef(a), " of the arguments before it");
    if (s == 1) s = b[d];
  }
  return a;
}

// A gradient of the broadcast shape summed back to an input's shape.
inline at::Tensor sum_to(at::Tensor const& g, at::IntArrayRef shape) {
  std::size_t const lead = static_cast<std::size_t>(g.dim()) - shape.size();
  std::vector<std::int64_t> dims;
  for (std::size_t d = 0; d < static_cast<std::size_t>(g.dim()); ++d)
    if (d < lead || (shape[d - lead] == 1 && g.size(static_cast<std::int64_t>(d)) != 1))
      dims.push_back(static_cast<std::int64_t>(d));
  if (dims.empty()) return g.reshape(shape);
  return g.sum(dims, /*keepdim=*/true).reshape(shape);
}

// The dtype the loop runs in, by torch's promotion rule for tensors of one category:
// tensors with dimensions decide, 0-dim ones (Python numbers) only when there are no
// others; float64 if any deciding tensor is, else float32.
inline at::ScalarType loop_dtype(at::TensorList inputs) {
  bool any_dims = false;
  for (auto const& t : inputs) any_dims = any_dims || t.dim() > 0;
  for (auto const& t : inputs)
    if ((t.dim() > 0 || !any_dims) && t.scalar_type() == at::kDouble) return at::kDouble;
  return at::kFloat;
}

// Inputs checked, brought to one dtype and expanded to their broadcast shape, with
// the memory layout of the results: that of the inputs when every full-size input
// shares one dense layout (so transposed or channels-last tensors stay flat loops),
// else contiguous.
struct prepared {
  std::vector<at::Tensor> expanded;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> strides;
  at::ScalarType dtype = at::kFloat;
};

inline prepared prepare(at::TensorList inputs, std::size_t arity, at::Tensor const* extra = nullptr) {
  TORCH_CHECK(inputs.size() == arity, "knossos: the function takes ", arity, " arguments, got ", inputs.size());
  prepared p;
  for (std::size_t k = 0; k < inputs.size(); ++k) check_tensor(inputs[k], k);
  if (extra) check_tensor(*extra, inputs.size());
  p.dtype = loop_dtype(inputs);
  std::vector<std::int64_t> shape;
  for (std::size_t k = 0; k < inputs.size(); ++k) shape = broadcast_shape(shape, inputs[k].sizes(), k);
  if (extra) shape = broadcast_shape(shape, extra->sizes(), inputs.size());
  p.sizes = shape;

  std::int64_t numel = 1;
  for (auto s : shape) numel *= s;
  bool have_layout = false, shared = true;
  auto consider = [&](at::Tensor const& t) {
    if (t.sizes() != at::IntArrayRef(shape) || (t.numel() == 1 && numel != 1)) return;
    if (!t.is_non_overlapping_and_dense()) {
      shared = false;
    } else if (!have_layout) {
      p.strides = t.strides().vec();
      have_layout = true;
    } else if (t.strides() != at::IntArrayRef(p.strides)) {
      shared = false;
    }
  };
  for (auto const& t : inputs) consider(t);
  if (extra) consider(*extra);
  if (!shared || !have_layout) {  // row-major
    p.strides.assign(shape.size(), 1);
    for (std::size_t d = shape.size(); d-- > 1;) p.strides[d - 1] = p.strides[d] * std::max<std::int64_t>(shape[d], 1);
  }

  auto bring = [&](at::Tensor const& t) {
    at::Tensor u = t.scalar_type() == p.dtype ? t : t.to(p.dtype);
    return u.sizes() == at::IntArrayRef(shape) ? u : u.expand(shape);
  };
  for (auto const& t : inputs) p.expanded.push_back(bring(t));
  if (extra) p.expanded.push_back(bring(*extra));
  return p;
}

template <std::size_t N, std::size_t... I>
std::array<at::Tensor, N> to_array(std::vector<at::Tensor> const& v, std::index_sequence<I...>) {
  return {v[I]...};
}

inline at::Tensor new_result(prepared const& p) {
  return at::detail::empty_strided_cpu(p.sizes, p.strides, p.dtype);
}

}  // namespace detail

/// Forward: vmap(f) over N tensors broadcast together (Python numbers: 0-dim tensors);
/// a new tensor of the broadcast shape, in the dtype torch's promotion gives.
template <std::size_t N, class F>
at::Tensor apply(F const& f, at::TensorList inputs) {
  auto p = detail::prepare(inputs, N);
  at::Tensor out = detail::new_result(p);
  auto in = detail::to_array<N>(p.expanded, std::make_index_sequence<N>{});
  auto vf = ks::vmap(f);
  if (p.dtype == at::kDouble)
    detail::run<double, true>(vf, in, std::array<at::Tensor, 1>{out});
  else
    detail::run<float, true>(vf, in, std::array<at::Tensor, 1>{out});
  return out;
}

/// Backward: vmap(vjp(f)) over the N inputs and the output gradient `grad`; one
/// gradient per input, of that input's shape and dtype (summed over broadcast
/// dimensions), or an undefined tensor where `needed[k]` is false.
template <std::size_t N, class F>
std::vector<at::Tensor> apply_vjp(F const& f, at::TensorList inputs, at::Tensor const& grad,
                                  std::array<bool, N> const& needed) {
  auto p = detail::prepare(inputs, N, &grad);
  std::array<at::Tensor, N> outs;
  for (auto& o : outs) o = detail::new_result(p);
  auto in = detail::to_array<N + 1>(p.expanded, std::make_index_sequence<N + 1>{});
  // No per-pattern instantiations here: in training the output gradient is a full
  // tensor, and every extension pays for each instantiation in compile time.
  auto vf = ks::vmap(ks::vjp(f));
  if (p.dtype == at::kDouble)
    detail::run<double, false>(vf, in, outs);
  else
    detail::run<float, false>(vf, in, outs);
  std::vector<at::Tensor> grads(N);
  for (std::size_t k = 0; k < N; ++k) {
    if (!needed[k]) continue;
    at::Tensor g = outs[k];
    if (g.sizes() != inputs[k].sizes()) g = detail::sum_to(g, inputs[k].sizes());
    if (g.scalar_type() != inputs[k].scalar_type()) g = g.to(inputs[k].scalar_type());
    grads[k] = g;
  }
  return grads;
}

/// apply_vjp with every gradient needed.
template <std::size_t N, class F>
std::vector<at::Tensor> apply_vjp(F const& f, at::TensorList inputs, at::Tensor const& grad) {
  std::array<bool, N> all;
  all.fill(true);
  return apply_vjp<N>(f, inputs, grad, all);
}

/// vmap(f) as a torch::autograd::Function: forward apply<N>(f, ...), backward
/// apply_vjp<N>(f, ...), both in C++. F must be a captureless lambda (a translated function).
template <class F, std::size_t N>
struct autograd_function : torch::autograd::Function<autograd_function<F, N>> {
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "ks::torch_glue::vmap_autograd: pass a captureless lambda (as ks-translate emits)");

  /// Saves the inputs (the backward needs them, not the output) and runs vmap(f).
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, at::TensorList xs) {
    ctx->save_for_backward(xs.vec());
    return apply<N>(F{}, xs);
  }

  /// vmap(vjp(f)) at the saved inputs, for the inputs that need a gradient.
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto xs = ctx->get_saved_variables();
    if (!grads[0].defined()) return torch::autograd::variable_list(N);
    std::array<bool, N> needed{};
    for (std::size_t k = 0; k < N; ++k) needed[k] = ctx->needs_input_grad(k);
    // With create_graph=True the gradients would have no history through this kernel,
    // and a second derivative would silently miss its terms: as Python's
    // @once_differentiable does, they get a node that raises if it is ever reached.
    bool const graph = at::GradMode::is_enabled() &&
                       (grads[0].requires_grad() ||
                        std::any_of(xs.begin(), xs.end(), [](at::Tensor const& x) { return x.requires_grad(); }));
    torch::autograd::variable_list out;
    {
      at::NoGradGuard no_grad;
      out = apply_vjp<N>(F{}, xs, grads[0], needed);
    }
    if (!graph) return out;
    for (auto& g : out)
      if (g.defined()) g = g.detach().requires_grad_(true);
    auto error = std::make_shared<torch::autograd::DelayedError>(
        "knossos.vmap: second derivatives are not supported (the backward of a knossos kernel is not "
        "differentiable; compute a first derivative without create_graph=True)",
        static_cast<int>(N));
    return error->apply(std::move(out));
  }
};

/// vmap(f) over tensors with autograd support: what a PyTorch extension exposes.
template <std::size_t N, class F>
at::Tensor vmap_autograd(F const&, at::TensorList xs) {
  return autograd_function<F, N>::apply(xs);
}

}  // namespace ks::torch_glue
