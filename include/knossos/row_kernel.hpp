// knossos: a knossos function's fused loop behind a plain C function pointer, for
// callers that are not templates: a tensor library's glue (knossos/torch.hpp, the
// PyTorch bridge) hands it one row of its iteration at a time. The glue is compiled
// once against the tensor library; each function's kernels are compiled against
// knossos alone. Docs: docs/pytorch.md
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include <knossos/lift.hpp>
#include <knossos/vmap.hpp>

namespace ks {

/// One row of a loop over n elements: operand k (the outputs first, then the inputs)
/// starts at ptr[k] and steps stride[k] elements. An input of stride 0 is one number
/// broadcast along the row; a null output is not wanted (its values are dropped).
using row_fn = void (*)(std::int64_t n, void* const* ptr, std::int64_t const* stride);

namespace detail {

// Elements per piece when a row has broadcast inputs or unwanted outputs: those go
// through buffers of this many elements on the stack (8 KiB in float, 16 in double),
// which stay in the L1 cache, so the loop itself stays contiguous and vectorised.
inline constexpr std::int64_t row_piece = 2048;

// Input I as vmap takes it: a number (Scalars has bit I) or a strided view.
template <std::uint64_t Scalars, std::size_t I, class T>
auto row_argument(T const* in, std::size_t count, std::int64_t stride) {
  if constexpr ((Scalars >> I) & 1U)
    return *in;
  else
    return ks::view(in, count, static_cast<std::ptrdiff_t>(stride));
}

template <class T, std::size_t NI, std::size_t NO, std::uint64_t Scalars, class F, std::size_t... K, std::size_t... I>
void run_views(std::int64_t n, T* const* out, std::int64_t const* out_stride, T const* const* in,
               std::int64_t const* in_stride, std::index_sequence<K...>, std::index_sequence<I...>) {
  auto const count = static_cast<std::size_t>(n);
  auto outs = std::tuple{ks::view(out[K], count, static_cast<std::ptrdiff_t>(out_stride[K]))...};
  ks::vmap(F{}).into(outs, row_argument<Scalars, I>(in[I], count, in_stride[I])...);
}

template <class T, std::size_t NI, std::size_t NO, std::uint64_t Scalars, class F>
void run_row(std::int64_t n, void* const* ptr, std::int64_t const* stride) {
  std::array<T*, NO> out{};
  std::array<T const*, NI> in{};
  std::array<std::int64_t, NO> out_stride{};
  std::array<std::int64_t, NI> in_stride{};
  bool direct = true;
  for (std::size_t k = 0; k < NO; ++k) {
    out[k] = static_cast<T*>(ptr[k]);
    out_stride[k] = stride[k];
    direct = direct && out[k] != nullptr;
  }
  for (std::size_t k = 0; k < NI; ++k) {
    in[k] = static_cast<T const*>(ptr[NO + k]);
    in_stride[k] = (Scalars >> k) & 1U ? 1 : stride[NO + k];  // a number: its stride is never read
    direct = direct && (in_stride[k] != 0 || n == 1);
  }
  auto const ks_ = std::make_index_sequence<NO>{};
  auto const is = std::make_index_sequence<NI>{};
  if (direct)
    return run_views<T, NI, NO, Scalars, F>(n, out.data(), out_stride.data(), in.data(), in_stride.data(), ks_, is);

  // Broadcast numbers fill a buffer once; unwanted outputs land in one; the rest of
  // the operands step through the row piece by piece.
  alignas(64) T buffer[NI + NO][row_piece];
  std::array<T*, NO> piece_out{};
  std::array<T const*, NI> piece_in{};
  std::array<std::int64_t, NO> piece_out_stride{};
  std::array<std::int64_t, NI> piece_in_stride{};
  for (std::size_t k = 0; k < NI; ++k) {
    if (in_stride[k] != 0) continue;
    std::fill_n(buffer[k], std::min(n, row_piece), *in[k]);
    piece_in[k] = buffer[k];
    piece_in_stride[k] = 1;
  }
  for (std::size_t k = 0; k < NO; ++k) {
    if (out[k]) continue;
    piece_out[k] = buffer[NI + k];
    piece_out_stride[k] = 1;
  }
  for (std::int64_t begin = 0; begin < n; begin += row_piece) {
    std::int64_t const m = std::min(row_piece, n - begin);
    for (std::size_t k = 0; k < NI; ++k) {
      if (in_stride[k] == 0) continue;
      bool const number = (Scalars >> k) & 1U;
      piece_in[k] = number ? in[k] : in[k] + begin * in_stride[k];
      piece_in_stride[k] = in_stride[k];
    }
    for (std::size_t k = 0; k < NO; ++k) {
      if (!out[k]) continue;
      piece_out[k] = out[k] + begin * out_stride[k];
      piece_out_stride[k] = out_stride[k];
    }
    run_views<T, NI, NO, Scalars, F>(m, piece_out.data(), piece_out_stride.data(), piece_in.data(),
                                     piece_in_stride.data(), ks_, is);
  }
}

template <class F, class T, std::size_t... I>
auto result_on(std::index_sequence<I...>) -> decltype(ks::lift(F{})((static_cast<void>(I), T{})...));

template <class F, class T, std::size_t NI>
inline constexpr std::size_t outputs_on =
    result_count<std::remove_cvref_t<decltype(detail::result_on<F, T>(std::make_index_sequence<NI>{}))>>;

}  // namespace detail

/// The fused loop of f over NI inputs of element type T (float or double), as a
/// row_fn. f must be a captureless lambda or another empty, default-constructible
/// function object (what ks-translate writes), so the loop is one plain function.
/// Outputs: one per value f returns (a tuple gives several). Scalars: the inputs (bit
/// k for input k) that are always one number (stride 0, a Python number): the kernel
/// reads each once and keeps it in a register, as it would a constant, instead of
/// broadcasting it through a buffer.
template <class T, std::size_t NI, std::uint64_t Scalars = 0, class F>
constexpr row_fn row_kernel(F const&) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "ks::row_kernel<T, N>(f): T is float or double");
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "ks::row_kernel<T, N>(f): pass a captureless lambda (a function object without state)");
  static_assert(NI < 64 && Scalars < (std::uint64_t{1} << NI) && Scalars + 1 != (std::uint64_t{1} << NI),
                "ks::row_kernel<T, N, Scalars>: a bit per input, and at least one input an array");
  return &detail::run_row<T, NI, detail::outputs_on<F, T, NI>, Scalars, F>;
}

/// How many values f returns on NI arguments of type T (the outputs of its row kernel).
template <class T, std::size_t NI, class F>
inline constexpr std::size_t row_outputs = detail::outputs_on<F, T, NI>;

}  // namespace ks
