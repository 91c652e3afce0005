// The glue of knossos.vmap: one small PyTorch extension, compiled once per torch version
// (python/knossos/_glue.py), that defines a torch operator for each knossos function at
// run time and runs the function's row kernels over tensors. The kernels are compiled
// against knossos alone (python/knossos/_build.py), so a new function never compiles
// the torch headers, and are loaded here with dlopen when an operator first needs them.
//
// For a function f of k arguments, three operators in the namespace `knossos`:
//   NAME(Tensor x0, ..., Tensor x{k-1}) -> Tensor                       vmap(f)
//   NAME_vjp(Tensor x0, ..., Tensor dy, bool[] needed) -> Tensor[]      vmap(vjp(f)), the needed gradients
//   NAME_vjp2(Tensor x0, ..., Tensor dy, Tensor g0, ..., bool[] needed) -> Tensor[]
//                                                                        vmap(vjp(vjp(f))), for double backward
// each with a CPU kernel and an autograd formula (the next one down); a third derivative
// raises. Shapes and dtypes for fake tensors (torch.compile, export) are registered in
// Python (python/knossos/_ops.py).
#include <dlfcn.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/extension.h>

#include <knossos/torch.hpp>

namespace {

namespace py = pybind11;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The kernels of one function, by pass, dtype and variant; what a kernel library
// exports (extern "C" knossos_rows / knossos_row_count) for one pass and dtype.
enum pass : int { fwd = 0, vjp = 1, vjp2 = 2 };
constexpr char const* pass_names[] = {"fwd", "vjp", "vjp2"};
// vjp's variants: every gradient, or the first argument's only (a function of one
// tensor and some numbers, or a loss of a prediction).
constexpr int all_outputs = 0, first_output = 1, n_variants = 2;

// Kernels specialised for inputs that are one number (a Python number, or an expanded
// scalar such as the gradient of .sum()) are built for masks below this, in the
// background, for calls of at least this many elements; meanwhile the general kernel
// (mask 0) runs, which reads such inputs through a buffer.
constexpr std::uint64_t n_masks = 64;
constexpr std::int64_t specialise_from = 4096;

struct kernels {
  std::array<std::atomic<ks::row_fn>, n_masks> by_mask{};
};

struct function_entry {
  std::string name;
  std::size_t arity = 0;
  py::object resolver;  // (pass, dtype, mask, wait) -> path of the kernel library ("" if not built yet)
  std::array<std::array<std::array<kernels, n_variants>, 2>, 3> rows{};  // pass, dtype, variant
  std::array<std::array<std::array<std::atomic<bool>, n_masks>, 2>, 3> requested{};
  std::array<std::optional<c10::OperatorHandle>, 3> ops{};
  std::atomic<std::uint64_t> threads{0};  // torch threads that ran rows in the last call
  std::atomic<std::uint64_t> mask_used{0};  // the mask of the kernel the last call ran (0: the general one)
};

// Puts the kernels of a library (every variant it has) in their slots.
void install_library(function_entry& e, pass p, int d, std::uint64_t mask, std::string const& path) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  TORCH_CHECK(lib, "knossos: cannot load the kernel library ", path, ": ", dlerror());
  auto const* table = static_cast<ks::row_fn const*>(dlsym(lib, "knossos_rows"));
  auto const* count = static_cast<int const*>(dlsym(lib, "knossos_row_count"));
  TORCH_CHECK(table && count, "knossos: ", path, " is not a knossos kernel library");
  for (int v = 0; v < *count && v < n_variants; ++v)
    e.rows[p][d][v].by_mask[mask].store(table[v], std::memory_order_release);
}

// The library of a pass, dtype and mask from the resolver. Not waiting, it may not be
// built yet: then the resolver starts its build, which calls `install` when done.
void load(function_entry& e, pass p, int d, std::uint64_t mask, bool wait) {
  std::string path;
  {
    py::gil_scoped_acquire gil;
    path = e.resolver(pass_names[p], d ? "float64" : "float32", mask, wait).cast<std::string>();
  }
  if (!path.empty()) install_library(e, p, d, mask, path);
}

// The kernel for a call: the one specialised for its mask when it is built, else the
// general one (built now if need be). Kernels are resolved without a lock of our own: the
// resolver (Python) serialises builds, and it releases the GIL while the compiler runs,
// so a C++ lock held across it could deadlock against a thread waiting for the GIL. Two
// threads may both load a library; dlopen counts references and the pointers are the same.
ks::row_fn rows_of(function_entry& e, pass p, at::ScalarType dtype, int variant, std::uint64_t mask) {
  int const d = dtype == at::kDouble ? 1 : 0;
  auto& slots = e.rows[p][d][variant].by_mask;
  if (mask != 0 && mask < n_masks) {
    ks::row_fn f = slots[mask].load(std::memory_order_acquire);
    if (!f && !e.requested[p][d][mask].exchange(true)) {
      load(e, p, d, mask, /*wait=*/false);  // starts its build, or finds it built
      f = slots[mask].load(std::memory_order_acquire);
    }
    if (f) {
      e.mask_used.store(mask, std::memory_order_relaxed);
      return f;
    }
  }
  e.mask_used.store(0, std::memory_order_relaxed);
  if (ks::row_fn f = slots[0].load(std::memory_order_acquire)) return f;
  load(e, p, d, 0, /*wait=*/true);
  ks::row_fn f = slots[0].load(std::memory_order_acquire);
  TORCH_CHECK(f, "knossos: the ", pass_names[p], " library of ", e.name, " has no kernel variant ", variant);
  return f;
}

// The inputs that are one number for the whole loop (bit k: input k): 0-dim or
// one-element tensors, or tensors expanded from one element (every stride 0). Zero when
// the call is small or every input is such a number.
std::uint64_t scalar_mask(std::vector<at::Tensor> const& xs) {
  std::uint64_t mask = 0;
  std::int64_t numel = 1;
  for (std::size_t k = 0; k < xs.size() && k < 64; ++k) {
    at::Tensor const& x = xs[k];
    bool number = x.numel() == 1;
    if (!number && x.numel() > 1) {
      number = true;
      for (std::int64_t s : x.strides()) number = number && s == 0;
    }
    if (number) mask |= std::uint64_t{1} << k;
    numel = std::max(numel, x.numel());
  }
  bool const all = xs.size() < 64 && mask + 1 == (std::uint64_t{1} << xs.size());
  return numel < specialise_from || all ? 0 : mask;
}

std::vector<at::Tensor> pop_tensors(torch::jit::Stack& stack, std::size_t first, std::size_t n) {
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (std::size_t k = 0; k < n; ++k) out.push_back(stack[first + k].toTensor());
  return out;
}

std::vector<bool> to_bools(c10::IValue const& v) {
  std::vector<bool> out;
  for (bool b : v.toBoolList()) out.push_back(b);
  return out;
}

// The wanted ones of a list, in order.
std::vector<at::Tensor> wanted_only(std::vector<at::Tensor> const& all, std::vector<bool> const& wanted) {
  std::vector<at::Tensor> out;
  for (std::size_t k = 0; k < wanted.size(); ++k)
    if (wanted[k]) out.push_back(all[k]);
  return out;
}

// How many tensors a pass's operator takes (a bool[] `needed` follows, but in fwd).
std::size_t tensor_count(pass p, std::size_t arity) { return p == fwd ? arity : p == vjp ? arity + 1 : 2 * arity + 1; }

c10::List<bool> bool_list(std::vector<bool> const& v) {
  c10::List<bool> out;
  out.reserve(v.size());
  for (bool b : v) out.push_back(b);
  return out;
}

bool any(std::vector<bool> const& v) {
  for (bool b : v)
    if (b) return true;
  return false;
}

// ---- CPU kernels ------------------------------------------------------------------------

struct cpu_kernel final : c10::OperatorKernel {
  function_entry* e;
  pass p;
  cpu_kernel(function_entry* entry, pass which) : e(entry), p(which) {}

  void operator()(c10::OperatorHandle const&, c10::DispatchKeySet, torch::jit::Stack* stack) {
    std::size_t const k = e->arity;
    std::size_t const n_in = tensor_count(p, k);
    std::size_t const first = stack->size() - n_in - (p == fwd ? 0 : 1);
    std::vector<at::Tensor> const originals = pop_tensors(*stack, first, n_in);
    std::vector<bool> needed = p == fwd ? std::vector<bool>{} : to_bools(stack->back());
    stack->resize(first);
    e->threads.store(0, std::memory_order_relaxed);
    at::ScalarType dtype{};
    std::vector<at::Tensor> const xs = ks::torch_glue::in_loop_dtype(originals, dtype);
    std::uint64_t const mask = scalar_mask(xs);
    using ks::torch_glue::result_layout;
    if (p == fwd) {
      auto out = ks::torch_glue::run_rows(rows_of(*e, fwd, dtype, all_outputs, mask), {true}, xs,
                                          result_layout::elementwise, &e->threads);
      stack->emplace_back(std::move(out.front()));
      return;
    }
    TORCH_CHECK(needed.size() == (p == vjp ? k : k + 1), "knossos: ", e->name, pass_names[p], ": needed has ",
                needed.size(), " entries");
    std::vector<at::Tensor> grads;
    if (any(needed)) {
      bool const only_first = p == vjp && k > 1 && needed[0];
      bool rest = false;
      for (std::size_t i = 1; i < needed.size(); ++i) rest = rest || needed[i];
      if (only_first && !rest) {
        auto g = ks::torch_glue::run_rows(rows_of(*e, vjp, dtype, first_output, mask), {true}, xs, result_layout::contiguous,
                                          &e->threads);
        grads = ks::torch_glue::to_input_shapes(std::move(g), originals);
      } else {
        auto g = ks::torch_glue::run_rows(rows_of(*e, p, dtype, all_outputs, mask), needed, xs, result_layout::contiguous,
                                          &e->threads);
        grads = wanted_only(ks::torch_glue::to_input_shapes(std::move(g), originals), needed);
      }
    }
    stack->emplace_back(c10::IValue(c10::List<at::Tensor>(grads)));
  }
};

// ---- autograd ---------------------------------------------------------------------------

// Calls op below autograd (its CPU kernel, or a fake/meta one while tracing).
torch::jit::Stack call_below(c10::OperatorHandle const& op, torch::jit::Stack stack) {
  at::AutoDispatchBelowADInplaceOrView guard;
  op.callBoxed(&stack);
  return stack;
}

torch::jit::Stack call(c10::OperatorHandle const& op, torch::jit::Stack stack) {
  op.callBoxed(&stack);
  return stack;
}

torch::jit::Stack stack_of(std::vector<at::Tensor> const& xs) {
  torch::jit::Stack s;
  for (auto const& x : xs) s.emplace_back(x);
  return s;
}

std::vector<at::Tensor> tensors_of(c10::IValue const& v) { return v.toTensorVector(); }

function_entry* entry_of(AutogradContext* ctx) {
  return reinterpret_cast<function_entry*>(ctx->saved_data["entry"].toInt());
}

// vmap(f); backward: NAME_vjp.
struct fwd_function : torch::autograd::Function<fwd_function> {
  static at::Tensor forward(AutogradContext* ctx, std::int64_t entry, at::TensorList xs) {
    auto* e = reinterpret_cast<function_entry*>(entry);
    ctx->saved_data["entry"] = entry;
    ctx->save_for_backward(xs.vec());
    return call_below(*e->ops[fwd], stack_of(xs.vec())).front().toTensor();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    function_entry* e = entry_of(ctx);
    std::size_t const k = e->arity;
    variable_list out(1 + k);
    std::vector<bool> needed(k);
    for (std::size_t i = 0; i < k; ++i) needed[i] = ctx->needs_input_grad(i);
    if (!grads[0].defined() || !any(needed)) return out;
    auto s = stack_of(ctx->get_saved_variables());
    s.emplace_back(grads[0]);
    s.emplace_back(bool_list(needed));
    auto g = tensors_of(call(*e->ops[vjp], std::move(s)).front());
    for (std::size_t i = 0, j = 0; i < k; ++i)
      if (needed[i]) out[1 + i] = g[j++];
    return out;
  }
};

// vmap(vjp(f)); backward: NAME_vjp2. Inputs x..., dy; outputs the needed gradients.
struct vjp_function : torch::autograd::Function<vjp_function> {
  static variable_list forward(AutogradContext* ctx, std::int64_t entry, std::vector<bool> needed, at::TensorList xs) {
    auto* e = reinterpret_cast<function_entry*>(entry);
    ctx->saved_data["entry"] = entry;
    ctx->saved_data["needed"] = bool_list(needed);
    ctx->save_for_backward(xs.vec());
    auto s = stack_of(xs.vec());
    s.emplace_back(bool_list(needed));
    return tensors_of(call_below(*e->ops[vjp], std::move(s)).front());
  }

  // The cotangents of the gradients returned, zeros for those not computed.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    function_entry* e = entry_of(ctx);
    std::size_t const k = e->arity;
    std::vector<bool> const needed = to_bools(ctx->saved_data["needed"]);
    variable_list out(2 + k + 1);  // entry, needed, x..., dy
    std::vector<bool> needed2(k + 1);
    for (std::size_t i = 0; i <= k; ++i) needed2[i] = ctx->needs_input_grad(i);
    if (!any(needed2)) return out;
    auto xs = ctx->get_saved_variables();
    auto s = stack_of(xs);
    for (std::size_t i = 0, j = 0; i < k; ++i) {
      at::Tensor g;
      if (needed[i]) g = grads[j++];
      s.emplace_back(g.defined() ? g : at::zeros({}, xs[i].options()));
    }
    s.emplace_back(bool_list(needed2));
    auto g2 = tensors_of(call(*e->ops[vjp2], std::move(s)).front());
    for (std::size_t i = 0, j = 0; i <= k; ++i)
      if (needed2[i]) out[2 + i] = g2[j++];
    return out;
  }
};

// Autograd kernels (boxed: the arity is known at run time only).
struct autograd_kernel final : c10::OperatorKernel {
  function_entry* e;
  pass p;
  autograd_kernel(function_entry* entry, pass which) : e(entry), p(which) {}

  void operator()(c10::OperatorHandle const& op, c10::DispatchKeySet, torch::jit::Stack* stack) {
    std::size_t const k = e->arity;
    auto const entry = reinterpret_cast<std::int64_t>(e);
    std::size_t const n_tensors = tensor_count(p, k);
    std::size_t const first = stack->size() - n_tensors - (p == fwd ? 0 : 1);
    bool requires_grad = false;
    if (at::GradMode::is_enabled())
      for (std::size_t i = first; i < first + n_tensors; ++i)
        requires_grad = requires_grad || (*stack)[i].toTensor().requires_grad();
    if (!requires_grad) {  // nothing to record: straight to the kernel, as torch's own operators do
      at::AutoDispatchBelowADInplaceOrView guard;
      op.callBoxed(stack);
      return;
    }
    if (p == fwd) {
      auto xs = pop_tensors(*stack, stack->size() - k, k);
      stack->resize(stack->size() - k);
      stack->emplace_back(fwd_function::apply(entry, at::TensorList(xs)));
      return;
    }
    if (p == vjp) {
      std::vector<bool> needed = to_bools(stack->back());
      auto xs = pop_tensors(*stack, stack->size() - k - 2, k + 1);
      stack->resize(stack->size() - k - 2);
      stack->emplace_back(c10::List<at::Tensor>(vjp_function::apply(entry, needed, at::TensorList(xs))));
      return;
    }
    // vjp2: no formula of its own. Its results carry a node that raises when reached,
    // so a third derivative is an error, never a silent zero.
    torch::jit::Stack s(stack->begin() + static_cast<std::ptrdiff_t>(first), stack->end());
    stack->resize(first);
    auto out = tensors_of(call_below(op, std::move(s)).front());
    if (!out.empty()) {
      for (auto& t : out) t = t.detach().requires_grad_(true);  // DelayedError links only those that do
      auto error = std::make_shared<torch::autograd::DelayedError>(
          "knossos: " + e->name + ": third derivatives are not supported (knossos.vmap functions are "
          "differentiable twice)",
          static_cast<int>(out.size()));
      out = error->apply(std::move(out));
    }
    stack->emplace_back(c10::List<at::Tensor>(out));
  }
};

// ---- definitions ------------------------------------------------------------------------

std::vector<std::unique_ptr<torch::Library>>& libraries() {
  // Never destroyed: operators stay defined until the process ends.
  static auto* libs = new std::vector<std::unique_ptr<torch::Library>>;
  return *libs;
}

std::string tensor_params(char const* prefix, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += "Tensor " + std::string(prefix) + std::to_string(i) + ", ";
  return s;
}

// Defines knossos::NAME, NAME_vjp and NAME_vjp2 for a function of `arity` arguments;
// `resolver(pass, dtype, mask, wait)` returns the path of a kernel library (building
// it, or with wait false starting its build and returning "" if it is not there yet;
// mask: the inputs that are one number, see scalar_mask). Returns the entry's
// address (an opaque handle for threads_used).
std::int64_t define(std::string const& name, std::int64_t arity, py::object resolver) {
  TORCH_CHECK(arity >= 1, "knossos: a function needs at least one argument");
  auto* e = new function_entry;  // lives as long as the operators: to the end of the process
  e->name = name;
  e->arity = static_cast<std::size_t>(arity);
  e->resolver = std::move(resolver);
  std::size_t const k = e->arity;
  std::string const x = tensor_params("x", k);
  std::string const names[] = {name, name + "_vjp", name + "_vjp2"};
  std::string const schemas[] = {
      names[0] + "(" + x.substr(0, x.size() - 2) + ") -> Tensor",
      names[1] + "(" + x + "Tensor dy, bool[] needed) -> Tensor[]",
      names[2] + "(" + x + "Tensor dy, " + tensor_params("g", k) + "bool[] needed) -> Tensor[]",
  };
  auto lib = std::make_unique<torch::Library>(torch::Library::FRAGMENT, "knossos", c10::nullopt, __FILE__, __LINE__);
  for (int p = 0; p < 3; ++p) {
    lib->def(schemas[p].c_str());
    lib->impl(names[p].c_str(),
              torch::dispatch(c10::DispatchKey::CPU,
                              torch::CppFunction::makeFromBoxedFunctor(std::make_unique<cpu_kernel>(e, pass(p)))));
    lib->impl(names[p].c_str(),
              torch::dispatch(c10::DispatchKey::Autograd,
                              torch::CppFunction::makeFromBoxedFunctor(std::make_unique<autograd_kernel>(e, pass(p)))));
  }
  for (int p = 0; p < 3; ++p)
    e->ops[p] = c10::Dispatcher::singleton().findSchemaOrThrow(("knossos::" + names[p]).c_str(), "");
  libraries().push_back(std::move(lib));
  return reinterpret_cast<std::int64_t>(e);
}

// A library built in the background (see load): its kernels take their slots.
void install(std::int64_t handle, std::string const& pass_name, std::string const& dtype, std::uint64_t mask,
             std::string const& path) {
  int p = 0;
  while (p < 3 && pass_name != pass_names[p]) ++p;
  TORCH_CHECK(p < 3 && mask < n_masks, "knossos: no kernel slot for ", pass_name, " mask ", mask);
  py::gil_scoped_release no_gil;
  install_library(*reinterpret_cast<function_entry*>(handle), pass(p), dtype == "float64" ? 1 : 0, mask, path);
}

// Which torch threads ran rows in the last call of the function (a bit per thread).
std::uint64_t threads_used(std::int64_t handle) {
  return reinterpret_cast<function_entry*>(handle)->threads.load(std::memory_order_relaxed);
}

// The inputs (bits) the kernel of the function's last call was specialised for as
// numbers; 0: the general kernel ran.
std::uint64_t mask_used(std::int64_t handle) {
  return reinterpret_cast<function_entry*>(handle)->mask_used.load(std::memory_order_relaxed);
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("define", &define, "Defines the operators of a knossos function");
  m.def("threads_used", &threads_used, "Torch threads that ran rows in a function's last call (bits)");
  m.def("mask_used", &mask_used, "The number-argument mask of the kernel a function's last call ran (0: general)");
  m.def("install", &install, "Loads a kernel library built in the background into its function's slots");
}
