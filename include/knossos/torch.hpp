// knossos: PyTorch tensors (ATen) as the operands of knossos loops. Float32/float64 CPU
// tensors of any shape and strides are read in place, broadcast together by torch's
// rules, and walked by ATen's TensorIterator (so at::parallel_for splits the work as
// torch.set_num_threads says); each row is handed to a row kernel (ks::row_kernel, in
// <knossos/row_kernel.hpp>). apply/apply_vjp/vmap_autograd do this for a function
// compiled into the same extension; run_rows is the untyped core that the Python
// bridge's glue calls with kernels compiled elsewhere. Opt-in, as ATen is a heavy
// include; needs libtorch's headers. Docs: docs/pytorch.md
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/functions/basic_ops.h>

#include <knossos/knossos.hpp>
#include <knossos/row_kernel.hpp>

namespace ks::torch_glue {

/// Throws c10::TypeError (Python: TypeError) unless t is a strided float32 or float64
/// CPU tensor.
inline void check_tensor(at::Tensor const& t, std::size_t index) {
  TORCH_CHECK_TYPE(t.defined(), "knossos: argument ", index + 1, " is an undefined tensor");
  TORCH_CHECK_TYPE(t.device().is_cpu(), "knossos: argument ", index + 1, " is on device ", t.device().str(),
                   "; knossos kernels run on CPU tensors only (move it with .cpu())");
  TORCH_CHECK_TYPE(t.layout() == at::kStrided, "knossos: argument ", index + 1, " has layout ", t.layout(),
                   "; knossos kernels take dense (strided) tensors (convert with .to_dense())");
  TORCH_CHECK_TYPE(t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble, "knossos: argument ",
                   index + 1, " has dtype ", c10::toString(t.scalar_type()),
                   "; knossos kernels take float32 or float64 tensors");
}

/// The dtype a loop over these inputs runs in, by torch's promotion rule for tensors of
/// one category: tensors with dimensions decide, 0-dim ones (Python numbers) only when
/// there are no others; float64 if any deciding tensor is, else float32.
inline at::ScalarType loop_dtype(at::TensorList inputs) {
  bool any_dims = false;
  for (auto const& t : inputs) any_dims = any_dims || t.dim() > 0;
  for (auto const& t : inputs)
    if ((t.dim() > 0 || !any_dims) && t.scalar_type() == at::kDouble) return at::kDouble;
  return at::kFloat;
}

/// How run_rows places its outputs in memory.
enum class result_layout {
  elementwise,  ///< as torch's elementwise operators do (a transposed input gives a transposed result)
  contiguous,   ///< row-major (gradients: they are summed to their inputs' shapes anyway)
};

/// Runs row kernel `row` of n_out outputs over `inputs` (already checked and of one
/// dtype), broadcast together. Output k is computed only where wanted[k]: the others are
/// undefined tensors, and the kernel gets a null pointer for them. Rows are split
/// between torch's threads (at::parallel_for, through TensorIterator).
/// `threads`, when given, gets bit at::get_thread_num() set for each thread that ran rows.
inline std::vector<at::Tensor> run_rows(row_fn row, std::vector<bool> const& wanted, std::vector<at::Tensor> const& inputs,
                                        result_layout layout = result_layout::elementwise,
                                        std::atomic<std::uint64_t>* threads = nullptr) {
  std::size_t const n_out = wanted.size();
  at::TensorIteratorConfig config;
  config.check_all_same_dtype(true).set_check_mem_overlap(false);
  std::vector<std::size_t> operand_of(n_out + inputs.size(), SIZE_MAX);  // row operand -> iterator operand
  std::size_t next = 0;
  at::Tensor shape_source;
  if (layout == result_layout::contiguous) {
    std::vector<std::int64_t> shape;
    for (auto const& t : inputs) shape = at::infer_size(shape, t.sizes());
    shape_source = at::empty(shape, inputs.front().options());
  }
  for (std::size_t k = 0; k < n_out; ++k) {
    if (!wanted[k]) continue;
    operand_of[k] = next++;
    if (layout == result_layout::contiguous)
      config.add_owned_output(next == 1 ? shape_source : at::empty_like(shape_source));
    else
      config.add_owned_output(at::Tensor());
  }
  TORCH_CHECK(next > 0, "knossos: no output wanted");
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    config.add_input(inputs[k]);
    operand_of[n_out + k] = next++;
  }
  at::TensorIterator iter = config.build();
  std::size_t const n_operands = operand_of.size();
  std::size_t const n_iter = next;
  std::int64_t const element = static_cast<std::int64_t>(inputs.front().element_size());
  iter.for_each([&](char** data, std::int64_t const* strides, std::int64_t size0, std::int64_t size1) {
    if (threads) threads->fetch_or(std::uint64_t{1} << (at::get_thread_num() % 64), std::memory_order_relaxed);
    c10::SmallVector<void*, 16> ptr(n_operands, nullptr);
    c10::SmallVector<std::int64_t, 16> stride(n_operands, 1);
    for (std::size_t k = 0; k < n_operands; ++k)
      if (operand_of[k] != SIZE_MAX) stride[k] = strides[operand_of[k]] / element;
    for (std::int64_t j = 0; j < size1; ++j) {
      for (std::size_t k = 0; k < n_operands; ++k)
        if (operand_of[k] != SIZE_MAX) ptr[k] = data[operand_of[k]] + j * strides[n_iter + operand_of[k]];
      row(size0, ptr.data(), stride.data());
    }
  });
  std::vector<at::Tensor> out(n_out);
  for (std::size_t k = 0; k < n_out; ++k)
    if (wanted[k]) out[k] = iter.output(static_cast<std::int64_t>(operand_of[k]));
  return out;
}

/// Checks every input (check_tensor) and that their shapes broadcast (a RuntimeError
/// naming the argument and both shapes); returns the dtype the loop runs in.
inline at::ScalarType check_inputs(at::TensorList inputs) {
  std::vector<std::int64_t> shape;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    check_tensor(inputs[k], k);
    at::IntArrayRef b = inputs[k].sizes();
    std::size_t const n = std::max(shape.size(), b.size());
    std::vector<std::int64_t> next(n, 1);
    for (std::size_t d = 0; d < n; ++d) {
      std::int64_t const x = d + shape.size() >= n ? shape[d + shape.size() - n] : 1;
      std::int64_t const y = d + b.size() >= n ? b[d + b.size() - n] : 1;
      TORCH_CHECK(x == y || x == 1 || y == 1, "knossos: argument ", k + 1, " has shape ", b,
                  ", which does not broadcast with the shape ", at::IntArrayRef(shape), " of the arguments before it");
      next[d] = x == 1 ? y : x;
    }
    shape = std::move(next);
  }
  return loop_dtype(inputs);
}

/// The inputs checked (check_inputs) and brought to the loop's dtype, which is `dtype`
/// on return (a 0-dim float64 number meeting float32 tensors becomes float32).
inline std::vector<at::Tensor> in_loop_dtype(at::TensorList inputs, at::ScalarType& dtype) {
  dtype = check_inputs(inputs);
  std::vector<at::Tensor> out;
  out.reserve(inputs.size());
  for (auto const& t : inputs) out.push_back(t.scalar_type() == dtype ? t : t.to(dtype));
  return out;
}

/// Gradients of the broadcast shape (undefined where not computed) brought to their
/// inputs' shapes (summed over broadcast dimensions) and dtypes.
inline std::vector<at::Tensor> to_input_shapes(std::vector<at::Tensor> grads, at::TensorList inputs) {
  for (std::size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined()) continue;
    if (grads[k].sizes() != inputs[k].sizes()) grads[k] = at::sum_to(grads[k], inputs[k].sizes());
    if (grads[k].scalar_type() != inputs[k].scalar_type()) grads[k] = grads[k].to(inputs[k].scalar_type());
  }
  return grads;
}

namespace detail {

inline std::vector<at::Tensor> prepare(at::TensorList inputs, std::size_t arity, at::ScalarType& dtype) {
  TORCH_CHECK(inputs.size() == arity, "knossos: the function takes ", arity, " arguments, got ", inputs.size());
  return in_loop_dtype(inputs, dtype);
}

template <std::size_t NI, class F>
row_fn row_for(F const& f, at::ScalarType dtype) {
  return dtype == at::kDouble ? row_kernel<double, NI>(f) : row_kernel<float, NI>(f);
}

}  // namespace detail

/// Forward: vmap(f) over N tensors broadcast together (Python numbers: 0-dim tensors);
/// a new tensor of the broadcast shape, in the dtype torch's promotion gives.
template <std::size_t N, class F>
at::Tensor apply(F const& f, at::TensorList inputs) {
  at::ScalarType dtype{};
  auto xs = detail::prepare(inputs, N, dtype);
  return run_rows(detail::row_for<N>(f, dtype), {true}, xs).front();
}

/// Backward: vmap(vjp(f)) over the N inputs and the output gradient `grad`; one
/// gradient per input, of that input's shape and dtype (summed over broadcast
/// dimensions), or an undefined tensor where `needed[k]` is false (not computed).
template <std::size_t N, class F>
std::vector<at::Tensor> apply_vjp(F const& f, at::TensorList inputs, at::Tensor const& grad,
                                  std::array<bool, N> const& needed) {
  std::vector<at::Tensor> all(inputs.begin(), inputs.end());
  all.push_back(grad);
  at::ScalarType dtype{};
  auto xs = detail::prepare(all, N + 1, dtype);
  return to_input_shapes(run_rows(detail::row_for<N + 1>(ks::vjp(f), dtype),
                                  std::vector<bool>(needed.begin(), needed.end()), xs, result_layout::contiguous),
                         inputs);
}

/// apply_vjp with every gradient needed.
template <std::size_t N, class F>
std::vector<at::Tensor> apply_vjp(F const& f, at::TensorList inputs, at::Tensor const& grad) {
  std::array<bool, N> all;
  all.fill(true);
  return apply_vjp<N>(f, inputs, grad, all);
}

/// vmap(f) as a torch::autograd::Function: forward apply<N>(f, ...), backward
/// apply_vjp<N>(f, ...), both in C++. F must be a captureless lambda (a translated
/// function). A second derivative through it raises (the Python bridge's ops, built on
/// run_rows, are differentiable twice).
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
    bool any = false;
    for (std::size_t k = 0; k < N; ++k) any = (needed[k] = ctx->needs_input_grad(k)) || any;
    if (!any) return torch::autograd::variable_list(N);
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
        "knossos: second derivatives through ks::torch_glue::vmap_autograd are not supported (compute a first "
        "derivative without create_graph=True; knossos.vmap's ops are differentiable twice)",
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
