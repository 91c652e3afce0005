// knossos: ks::vmap(f) lifts a scalar function to arrays as one fused SIMD loop.
// Docs: docs/vmap.md
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <knossos/arch.hpp>
#include <knossos/error.hpp>
#include <knossos/lift.hpp>
#include <knossos/parallel.hpp>

namespace ks {

/// A non-owning view of n elements at ptr, `stride` elements apart: how to pass a
/// pointer and a size (or a strided column of a raw buffer) to ks::vmap.
template <class T>
struct strided_view {
  T* data;
  std::size_t size;
  std::ptrdiff_t stride = 1;
};

/// view(ptr, n[, stride]): a pointer and a size as a vmap argument or output.
template <class T>
constexpr strided_view<T> view(T* data, std::size_t size, std::ptrdiff_t stride = 1) {
  return {data, size, stride};
}

/// Tag for ks::vmap(f, ks::par): the loop is split across threads.
struct par_t {};
inline constexpr par_t par{};

namespace detail {

// An array's memory as a 2-D plane: element (i, j) is data[i * row_stride + j * col_stride].
// One-dimensional arrays are n x 1.
template <class T>
struct plane {
  T* data;
  std::size_t rows;
  std::size_t cols;
  std::ptrdiff_t row_stride;
  std::ptrdiff_t col_stride;
  bool vector_like = true;  // 1-D: matches any array with as many elements in a line

  std::size_t size() const { return rows * cols; }
};

template <class T>
struct is_element : std::bool_constant<std::is_same_v<T, float> || std::is_same_v<T, double>> {};

// Eigen objects are recognised by their shape, so that this header needs no Eigen
// include and the answer does not depend on include order. Their data() and size()
// do not make them contiguous (a block or a row is strided): <knossos/eigen.hpp>
// says how to read each one, and without it they are refused.
template <class A>
concept eigen_dense_like = requires(A const& a) {
  typename A::Scalar;
  typename A::PlainObject;
  typename A::StorageKind;
  A::RowsAtCompileTime;
  A::ColsAtCompileTime;
  A::InnerStrideAtCompileTime;
  a.rows();
  a.cols();
  a.derived();
};

// Eigen::Tensor, TensorMap and TensorFixedSize, the tensors <knossos/eigen_tensor.hpp> reads.
template <class A>
concept eigen_tensor_like = requires(A const& a) {
  typename A::Scalar;
  typename A::Dimensions;
  A::NumIndices;
  a.dimensions();
  a.data();
};

// A contiguous sized range: std::vector, std::array, std::span, ... Having data() and
// size() is not enough: Eigen blocks have both and skip elements.
template <class A>
concept contiguous_sized = std::ranges::contiguous_range<A> && std::ranges::sized_range<A> &&
                           !eigen_dense_like<A> && !eigen_tensor_like<A>;

template <class A>
struct range_traits {
  static constexpr bool is_array = false;
};
template <contiguous_sized A>
struct range_traits<A> {
  static constexpr bool is_array = true;
  using element = std::ranges::range_value_t<A>;
  static auto describe(A& a) {
    using P = std::remove_reference_t<std::ranges::range_reference_t<A>>;
    return detail::plane<P>{std::ranges::data(a), std::ranges::size(a), 1, 1, 1, true};
  }
  static auto make_result(A const& a) {
    if constexpr (requires { std::tuple_size<A>::value; })
      return std::array<element, std::tuple_size<A>::value>{};
    else
      return std::vector<element>(std::ranges::size(a));
  }
};

}  // namespace detail

/// How vmap sees an array type: `describe(a)` gives its memory layout as a plane,
/// `make_result(a)` a new container like it (same kind and shape). Contiguous ranges
/// (std::vector, std::array, std::span) by default; specialised for ks::view, in
/// <knossos/eigen.hpp> for Eigen and in <knossos/eigen_tensor.hpp> for Eigen::Tensor.
/// Specialise it (is_array, element, describe, make_result) for another array type.
template <class A, class = void>
struct array_traits : detail::range_traits<A> {};

template <class T>
struct array_traits<strided_view<T>> {
  static constexpr bool is_array = true;
  using element = std::remove_const_t<T>;
  static auto describe(strided_view<T> const& v) { return detail::plane<T>{v.data, v.size, 1, v.stride, 1, true}; }
  static auto make_result(strided_view<T> const& v) { return std::vector<element>(v.size); }
};

namespace detail {

template <class A>
inline constexpr bool is_array_v = array_traits<std::remove_cvref_t<A>>::is_array;

template <class A>
using element_t = typename array_traits<std::remove_cvref_t<A>>::element;

// The element type of the first array among As.
template <class... As>
struct first_element {
  using type = void;
};
template <class A, class... Rest>
struct first_element<A, Rest...> {
  static auto pick() {
    if constexpr (is_array_v<A>)
      return std::type_identity<element_t<A>>{};
    else
      return std::type_identity<typename first_element<Rest...>::type>{};
  }
  using type = typename decltype(pick())::type;
};

template <class T, class A>
constexpr bool element_is() {
  if constexpr (is_array_v<A>)
    return std::is_same_v<element_t<A>, T>;
  else
    return true;
}
template <class T, class... As>
constexpr bool elements_agree() {
  return (element_is<T, As>() && ...);
}

// What an argument of vmap is, for the diagnostics: each kind that is not an array
// or a number gets its own message, naming what to write instead.
enum class argument_kind { array, number, eigen_without_header, eigen_expression, tensor_without_header, other };

template <class A>
constexpr argument_kind kind_of() {
  using U = std::remove_cvref_t<A>;
  if constexpr (is_array_v<U>)
    return argument_kind::array;
  else if constexpr (std::is_arithmetic_v<U>)
    return argument_kind::number;
  else if constexpr (eigen_dense_like<U>)
    // Only Eigen objects stored in memory have data(); products, sums and other
    // expressions are computed on access.
    return requires(U& u) { u.data(); } ? argument_kind::eigen_without_header : argument_kind::eigen_expression;
  else if constexpr (eigen_tensor_like<U>)
    return argument_kind::tensor_without_header;
  else
    return argument_kind::other;
}

template <argument_kind K, class... A>
inline constexpr bool any_kind = ((kind_of<A>() == K) || ...);

// The function a user called, which the compile-time messages name: vmap, or a
// reduction (reduce.hpp), whose arguments follow vmap's rules.
enum class entry { vmap, sum, mean, reduce };

constexpr std::string_view entry_name(entry e) {
  switch (e) {
    case entry::sum: return "ks::sum";
    case entry::mean: return "ks::mean";
    case entry::reduce: return "ks::reduce";
    default: return "ks::vmap";
  }
}

// static_assert(cond, "<the name of entry E>" text): a message must be a string
// literal, so each name is written out. Used in templates where cond depends on a
// template parameter (the branches not taken are not checked).
#define KS_ASSERT_NAMED(E, cond, text)                                        \
  if constexpr ((E) == ::ks::detail::entry::vmap) {                           \
    static_assert(cond, "ks::vmap" text);                                     \
  } else if constexpr ((E) == ::ks::detail::entry::sum) {                     \
    static_assert(cond, "ks::sum" text);                                      \
  } else if constexpr ((E) == ::ks::detail::entry::mean) {                    \
    static_assert(cond, "ks::mean" text);                                     \
  } else {                                                                    \
    static_assert(cond, "ks::reduce" text);                                   \
  }

// The Eigen objects and tensors that need an adapter header, or an .eval(): shared by
// the checks of arguments and of outputs.
template <entry E, class... A>
constexpr bool eigen_kinds_valid() {
  KS_ASSERT_NAMED(E, !(any_kind<argument_kind::eigen_without_header, A...>),
                  ": Eigen objects are arrays only with #include <knossos/eigen.hpp>");
  KS_ASSERT_NAMED(E, !(any_kind<argument_kind::eigen_expression, A...>),
                  ": an Eigen expression (a product such as W * X, a sum, ...) is not stored in memory: "
                  "pass (W * X).eval(), or compute it inside f");
  KS_ASSERT_NAMED(E, !(any_kind<argument_kind::tensor_without_header, A...>),
                  ": Eigen::Tensor, TensorMap and TensorFixedSize are arrays with "
                  "#include <knossos/eigen_tensor.hpp> (other tensor expressions: evaluate them into a Tensor)");
  return !any_kind<argument_kind::eigen_without_header, A...> && !any_kind<argument_kind::eigen_expression, A...> &&
         !any_kind<argument_kind::tensor_without_header, A...>;
}

// Checks the arguments of vmap(f)(a...) (or of vmap(f).into(out, a...), or of a
// reduction E), one message for one mistake. Called where a constant is needed, so that
// g++ and clang check it before anything else in the call: the message is the first
// error.
template <entry E, class... A>
constexpr bool arguments_valid() {
  using T = typename first_element<A...>::type;
  constexpr bool eigen_ok = eigen_kinds_valid<E, A...>();
  KS_ASSERT_NAMED(E, !(any_kind<argument_kind::other, A...>),
                  "(f)(args...): each argument must be an array (std::vector, std::array, std::span or another "
                  "contiguous range; ks::view(ptr, n[, stride]); Eigen objects with <knossos/eigen.hpp>; a type with "
                  "a ks::array_traits specialisation) or a number");
  constexpr bool kinds_ok = eigen_ok && !any_kind<argument_kind::other, A...>;
  constexpr bool has_array = any_kind<argument_kind::array, A...>;
  KS_ASSERT_NAMED(E, (!kinds_ok || has_array), "(f)(args...): at least one argument must be an array");
  if constexpr (kinds_ok && has_array) {
    KS_ASSERT_NAMED(E, is_element<T>::value, ": arrays of float or double only");
    KS_ASSERT_NAMED(E, (!is_element<T>::value || elements_agree<T, A...>()),
                    ": all arrays must have the same element type");
    return is_element<T>::value && elements_agree<T, A...>();
  } else {
    return false;
  }
}

// Checks the outputs of vmap(f).into(outs..., a...): writable arrays of T.
template <entry E, class T, class... O>
constexpr bool outputs_valid(std::type_identity<std::tuple<O...>>) {
  if constexpr (!eigen_kinds_valid<E, O...>()) {
    return false;
  } else {
    KS_ASSERT_NAMED(E, (is_array_v<O> && ...), "(f).into: outputs must be arrays (or std::ignore)");
    if constexpr ((is_array_v<O> && ...)) {
      constexpr bool writable = (requires(O& o) {
        { array_traits<std::remove_cvref_t<O>>::describe(o) } -> std::same_as<plane<T>>;
      } && ...);
      KS_ASSERT_NAMED(E, writable, "(f).into: outputs must be writable arrays of the inputs' element type");
      return writable;
    } else {
      return false;
    }
  }
}

// An output not wanted: its result is not computed (see pick_fn).
template <class O>
inline constexpr bool is_ignore_v = std::is_same_v<std::remove_cvref_t<O>, std::remove_cvref_t<decltype(std::ignore)>>;

// The positions of the elements of a std::tuple type that are not std::ignore.
template <class Tuple>
constexpr auto wanted_positions() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    constexpr std::array<bool, sizeof...(J)> wanted{!is_ignore_v<std::tuple_element_t<J, Tuple>>...};
    std::array<std::size_t, (std::size_t{!is_ignore_v<std::tuple_element_t<J, Tuple>>} + ... + 0)> p{};
    std::size_t k = 0;
    for (std::size_t j = 0; j < wanted.size(); ++j)
      if (wanted[j]) p[k++] = j;
    return p;
  }(std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

// The elements of t at positions P (a std::array), as a tuple: references stay
// references, anything else is copied.
template <auto P, class Tuple>
auto elements_at(Tuple& t) {
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    return std::tuple<std::conditional_t<std::is_lvalue_reference_v<std::tuple_element_t<P[J], Tuple>>,
                                         std::tuple_element_t<P[J], Tuple>,
                                         std::remove_cvref_t<std::tuple_element_t<P[J], Tuple>>>...>(
        std::get<P[J]>(t)...);
  }(std::make_index_sequence<P.size()>{});
}

// Results K... of the knossos function F: its program with the other results pruned,
// so the work only they needed is not done (an ignored output of vmap(f).into, an
// ignored gradient of a reduction), whatever the optimiser would have removed.
template <class F, std::size_t... K>
struct pick_fn : kfunction<pick_fn<F, K...>> {
  [[no_unique_address]] F f;

  template <std::size_t N>
  static constexpr bool compile_time = F::template compile_time<N>;
  template <std::size_t N>
  static constexpr bool accepts = F::template accepts<N>;
  template <std::size_t N>
  static constexpr std::size_t outputs = sizeof...(K);

  template <std::size_t N>
  constexpr std::vector<int> trace_into(builder& b, int const* args) const {
    auto const all = f.template trace_into<N>(b, args);
    return {all[K]...};
  }
  template <std::size_t N>
  static constexpr std::vector<int> static_into(builder& b, int const* args) {
    auto const all = detail::static_graph_into<F, N>(b, args);
    return {all[K]...};
  }
  template <std::size_t N>
  constexpr void numbers(long double*& out) const {
    f.template numbers<N>(out);
  }
  template <std::size_t N>
  static constexpr void check() {
    F::template check<N>();
  }
};

// pick_fn of the results at positions P (a std::array).
template <auto P, class F>
auto pick(F const& f) {
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    return pick_fn<F, P[J]...>{{}, f};
  }(std::make_index_sequence<P.size()>{});
}

// One loop argument: an array (pointer and stride along the loop), or a broadcast scalar.
template <class T>
struct lane_source {
  T const* data = nullptr;  // null: broadcast `value`
  std::ptrdiff_t stride = 0;
  T value{};
};
template <class T>
struct lane_sink {
  T* data;
  std::ptrdiff_t stride;
};

template <class B>
using element_of_batch = typename B::value_type;

// Load B::size elements of a source starting at i: a vector load when contiguous, a
// gather through a small buffer when strided. Broadcast scalars are one register.
// Whether an argument is an array or a broadcast number is known from its type: Array.
template <class B, bool Contiguous, bool Array, class T>
KS_INLINE B load(lane_source<T> const& s, std::size_t i) {
  if constexpr (!Array) {
    return B(s.value);
  } else if constexpr (Contiguous) {
    return B::load_unaligned(s.data + i);
  } else {
    alignas(64) T buf[B::size];
    for (std::size_t k = 0; k < B::size; ++k) buf[k] = s.data[static_cast<std::ptrdiff_t>(i + k) * s.stride];
    return B::load_aligned(buf);
  }
}

template <class B, bool Contiguous, class T>
KS_INLINE void store(lane_sink<T> const& s, std::size_t i, B const& v) {
  if constexpr (Contiguous) {
    v.store_unaligned(s.data + i);
  } else {
    alignas(64) T buf[B::size];
    v.store_aligned(buf);
    for (std::size_t k = 0; k < B::size; ++k) s.data[static_cast<std::ptrdiff_t>(i + k) * s.stride] = buf[k];
  }
}

// The last count < B::size elements: lanes past count repeat the last valid element,
// so the function only ever sees values from the input, and only valid lanes are stored.
template <class B, bool Array, class T>
KS_INLINE B load_partial(lane_source<T> const& s, std::size_t i, std::size_t count) {
  if constexpr (!Array) return B(s.value);
  alignas(64) T buf[B::size];
  for (std::size_t k = 0; k < B::size; ++k)
    buf[k] = s.data[static_cast<std::ptrdiff_t>(i + (k < count ? k : count - 1)) * s.stride];
  return B::load_aligned(buf);
}

template <class B, class T>
KS_INLINE void store_partial(lane_sink<T> const& s, std::size_t i, std::size_t count, B const& v) {
  alignas(64) T buf[B::size];
  v.store_aligned(buf);
  for (std::size_t k = 0; k < count; ++k) s.data[static_cast<std::ptrdiff_t>(i + k) * s.stride] = buf[k];
}

template <class R>
inline constexpr std::size_t result_count = 1;
template <class... R>
inline constexpr std::size_t result_count<std::tuple<R...>> = sizeof...(R);

template <std::size_t K, class R>
KS_INLINE auto const& result_at(R const& r) {
  if constexpr (is_std_tuple_v<R>)
    return std::get<K>(r);
  else
    return r;
}

// The fused loop over [begin, end): load every input, evaluate, store every output.
// One pass over memory, no temporaries. Contiguous: unit strides everywhere, so the
// body is plain vector loads and stores; the tail is handled once, outside the loop.
// One batch: load every input at i, evaluate, store every output.
template <class B, bool Contiguous, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T,
          std::size_t... I, std::size_t... K>
KS_INLINE void step(Fn const& fn, std::size_t i, std::array<lane_source<T>, NI> const& in,
                    std::array<lane_sink<T>, NO> const& out, std::index_sequence<I...>, std::index_sequence<K...>) {
  auto r = fn(load<B, Contiguous, IsArray[I]>(in[I], i)...);
  (store<B, Contiguous>(out[K], i, B(result_at<K>(r))), ...);
}

// [begin, end) holds a whole number of batches. (Written `i < end`: with the bound
// `i + B::size <= end` g++ 12 spilled a derivative's tape to the stack, 3x slower.)
template <class B, bool Contiguous, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T>
KS_FLATTEN void run_1d(Fn const& fn, std::size_t begin, std::size_t end, std::array<lane_source<T>, NI> in,
                       std::array<lane_sink<T>, NO> out) {
  for (std::size_t i = begin; i < end; i += B::size)
    step<B, Contiguous, IsArray>(fn, i, in, out, std::make_index_sequence<NI>{}, std::make_index_sequence<NO>{});
}

// The last count < B::size elements: a separate function, so the main loop stays small.
template <class B, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T, std::size_t... I,
          std::size_t... K>
[[gnu::noinline]] void run_tail(Fn const& fn, std::size_t i, std::size_t count, std::array<lane_source<T>, NI> in,
                                std::array<lane_sink<T>, NO> out, std::index_sequence<I...>,
                                std::index_sequence<K...>) {
  auto r = fn(load_partial<B, IsArray[I]>(in[I], i, count)...);
  (store_partial<B>(out[K], i, count, B(result_at<K>(r))), ...);
}

// Non-temporal stores: for outputs far larger than the caches, writing around them
// saves reading each destination line first (what makes memcpy twice as fast as a
// plain store loop at 2^24 elements). Needs 64-byte aligned destinations.
inline constexpr std::size_t stream_threshold_bytes = std::size_t{16} << 20;

template <class B, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T, std::size_t... I,
          std::size_t... K>
KS_INLINE void step_stream(Fn const& fn, std::size_t i, std::array<lane_source<T>, NI> const& in,
                           std::array<lane_sink<T>, NO> const& out, std::index_sequence<I...>,
                           std::index_sequence<K...>) {
  auto r = fn(load<B, true, IsArray[I]>(in[I], i)...);
  (store_stream<B>(out[K].data + i, B(result_at<K>(r))), ...);
}

template <class B, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T>
KS_FLATTEN void run_1d_stream(Fn const& fn, std::size_t begin, std::size_t end, std::array<lane_source<T>, NI> in,
                              std::array<lane_sink<T>, NO> out) {
  for (std::size_t i = begin; i < end; i += B::size)
    step_stream<B, IsArray>(fn, i, in, out, std::make_index_sequence<NI>{}, std::make_index_sequence<NO>{});
  stream_fence();
}

// [begin, end) split as: a plain head until every output is aligned for streaming,
// the streamed middle, a plain rest. Returns false when streaming does not apply.
// Only for targets with streaming stores (see arch.hpp).
template <class B, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T>
bool run_streaming(Fn const& fn, std::size_t begin, std::size_t end, std::array<lane_source<T>, NI> const& in,
                   std::array<lane_sink<T>, NO> const& out) {
  constexpr std::size_t align = sizeof(typename B::register_type);
  if ((end - begin) * sizeof(T) * NO < stream_threshold_bytes) return false;
  auto misalign = [&](T const* p) { return reinterpret_cast<std::uintptr_t>(p + begin) % align; };
  std::uintptr_t m = misalign(out[0].data);
  if (m % sizeof(T) != 0) return false;
  for (auto const& o : out)
    if (misalign(o.data) != m) return false;
  // An output that is also an input is read right before it is written: streaming
  // would only add the cost of evicting it.
  for (auto const& o : out)
    for (auto const& s : in)
      if (s.data == o.data) return false;
  std::size_t head = m == 0 ? 0 : (align - m) / sizeof(T);
  std::size_t body_end = begin + head + (end - begin - head) / B::size * B::size;
  if (head) run_tail<B, IsArray>(fn, begin, head, in, out, std::make_index_sequence<NI>{}, std::make_index_sequence<NO>{});
  run_1d_stream<B, IsArray>(fn, begin + head, body_end, in, out);
  if (body_end < end)
    run_tail<B, IsArray>(fn, body_end, end - body_end, in, out, std::make_index_sequence<NI>{}, std::make_index_sequence<NO>{});
  return true;
}

template <class B, auto IsArray, class Fn, std::size_t NI, std::size_t NO, class T>
void run_segment(Fn const& fn, std::size_t begin, std::size_t end, std::array<lane_source<T>, NI> const& in,
                 std::array<lane_sink<T>, NO> const& out, bool contiguous) {
  if constexpr (has_stream_store<B>)
    if (contiguous && run_streaming<B, IsArray>(fn, begin, end, in, out)) return;
  std::size_t full = begin + (end - begin) / B::size * B::size;
  if (contiguous)
    run_1d<B, true, IsArray>(fn, begin, full, in, out);
  else
    run_1d<B, false, IsArray>(fn, begin, full, in, out);
  if (full < end)
    run_tail<B, IsArray>(fn, full, end - full, in, out, std::make_index_sequence<NI>{}, std::make_index_sequence<NO>{});
}

template <class P>
std::string shape_of(P const& p) {
  if (p.vector_like) return std::to_string(p.size()) + " elements";
  return std::to_string(p.rows) + "x" + std::to_string(p.cols);
}

// Do the two planes' memory ranges overlap?
template <class T, class U>
bool overlaps(plane<T> const& a, plane<U> const& b) {
  auto range = [](auto const& p) {
    auto lo = reinterpret_cast<std::uintptr_t>(p.data);
    auto hi = lo;
    auto extend = [&](std::ptrdiff_t steps) {
      auto off = steps * static_cast<std::ptrdiff_t>(sizeof(*p.data));
      if (off < 0) lo -= static_cast<std::uintptr_t>(-off);
      else hi += static_cast<std::uintptr_t>(off);
    };
    if (p.rows > 0 && p.cols > 0) {
      extend(static_cast<std::ptrdiff_t>(p.rows - 1) * p.row_stride);
      extend(static_cast<std::ptrdiff_t>(p.cols - 1) * p.col_stride);
    }
    return std::pair{lo, hi + sizeof(*p.data)};
  };
  if (a.size() == 0 || b.size() == 0) return false;
  auto [alo, ahi] = range(a);
  auto [blo, bhi] = range(b);
  return alo < bhi && blo < ahi;
}

template <class T, class U>
bool same_layout(plane<T> const& a, plane<U> const& b) {
  return static_cast<void const*>(a.data) == static_cast<void const*>(b.data) && a.row_stride == b.row_stride &&
         a.col_stride == b.col_stride && a.rows == b.rows && a.cols == b.cols;
}

// A 1-D plane reshaped to match a 2-D vector-shaped reference (1 x n or n x 1).
template <class P, class R>
P conform(P p, R const& ref) {
  if (p.vector_like && !ref.vector_like && ref.rows == 1 && p.size() == ref.cols)
    return P{p.data, 1, p.size(), 0, p.row_stride, false};
  return p;
}

template <class P, class R>
bool same_shape(P const& p, R const& ref) {
  if (p.vector_like || ref.vector_like) {
    if (p.size() != ref.size()) return false;
    auto line = [](auto const& q) { return q.vector_like || q.rows == 1 || q.cols == 1; };
    return line(p) && line(ref);
  }
  return p.rows == ref.rows && p.cols == ref.cols;
}

// The first array among the arguments.
template <class A, class... Rest>
constexpr auto& first_array(A& a, Rest&... rest) {
  if constexpr (is_array_v<A>)
    return a;
  else
    return first_array(rest...);
}

template <class P>
std::ptrdiff_t line_stride(P const& p) {
  return p.rows == 1 && p.cols != 1 ? p.col_stride : p.row_stride;
}

template <class T>
auto const_plane(plane<T> const& p) {
  return plane<T const>{p.data, p.rows, p.cols, p.row_stride, p.col_stride, p.vector_like};
}

// The loop over the arrays: `outer` runs of `inner` elements; run o starts at the base
// pointers shifted by o * outer stride. A flat loop over everything is outer == 1.
template <class T, std::size_t NI, std::size_t NO>
struct loop_plan {
  std::array<lane_source<T>, NI> src{};
  std::array<lane_sink<T>, NO> dst{};
  std::array<std::ptrdiff_t, NI> src_outer{};
  std::array<std::ptrdiff_t, NO> dst_outer{};
  std::size_t inner = 0;
  std::size_t outer = 0;
  bool contiguous = true;

  std::pair<std::array<lane_source<T>, NI>, std::array<lane_sink<T>, NO>> run(std::size_t o) const {
    auto s = src;
    auto d = dst;
    for (std::size_t k = 0; k < NI; ++k)
      if (s[k].data) s[k].data += static_cast<std::ptrdiff_t>(o) * src_outer[k];
    for (std::size_t k = 0; k < NO; ++k) d[k].data += static_cast<std::ptrdiff_t>(o) * dst_outer[k];
    return {s, d};
  }
};

// Check shapes and overlaps (throwing before anything is written), then choose the
// loop: flat and contiguous when every array is, else along the reference's
// contiguous dimension, gathering where an array is strided.
template <class T, std::size_t NI, std::size_t NO>
loop_plan<T, NI, NO> plan_loop(std::array<plane<T const>, NI> in, std::array<bool, NI> const& is_array,
                               std::array<T, NI> const& scalars, std::array<plane<T>, NO> out) {
  std::size_t ref_index = 0;
  while (!is_array[ref_index]) ++ref_index;
  plane<T const> const ref = in[ref_index];
  for (std::size_t k = 0; k < NI; ++k) {
    if (!is_array[k]) continue;
    in[k] = conform(in[k], ref);
    if (!same_shape(in[k], ref))
      KNOSSOS_THROW(std::invalid_argument("ks::vmap: argument " + std::to_string(k + 1) + " has " + shape_of(in[k]) +
                                          " but argument " + std::to_string(ref_index + 1) + " has " + shape_of(ref)));
  }
  for (std::size_t k = 0; k < NO; ++k) {
    out[k] = conform(out[k], ref);
    if (!same_shape(out[k], ref))
      KNOSSOS_THROW(std::invalid_argument("ks::vmap: output " + std::to_string(k + 1) + " has " + shape_of(out[k]) +
                                          " but argument " + std::to_string(ref_index + 1) + " has " + shape_of(ref)));
    // In place is fine (each element is read before it is written); a shifted overlap
    // would read elements already overwritten.
    for (std::size_t j = 0; j < NI; ++j)
      if (is_array[j] && overlaps(out[k], in[j]) && !same_layout(out[k], in[j]))
        KNOSSOS_THROW(std::invalid_argument("ks::vmap: output " + std::to_string(k + 1) + " overlaps argument " +
                                            std::to_string(j + 1) + " without being the same array"));
    for (std::size_t j = 0; j < k; ++j)
      if (overlaps(out[k], out[j]))
        KNOSSOS_THROW(std::invalid_argument("ks::vmap: outputs " + std::to_string(j + 1) + " and " +
                                            std::to_string(k + 1) + " overlap"));
  }

  loop_plan<T, NI, NO> plan;
  if (ref.size() == 0) return plan;
  auto line = [](auto const& p) { return p.vector_like || p.rows == 1 || p.cols == 1; };
  auto dense = [](auto const& p, bool row_major) {
    return row_major ? (p.col_stride == 1 && p.row_stride == static_cast<std::ptrdiff_t>(p.cols))
                     : (p.row_stride == 1 && p.col_stride == static_cast<std::ptrdiff_t>(p.rows));
  };
  auto every = [&](auto&& pred) {
    bool ok = true;
    for (std::size_t k = 0; k < NI; ++k) ok = ok && (!is_array[k] || pred(in[k]));
    for (auto const& p : out) ok = ok && pred(p);
    return ok;
  };
  bool lines = every(line);
  bool flat = lines || every([&](auto const& p) { return dense(p, true); }) ||
              every([&](auto const& p) { return dense(p, false); });
  // Inner dimension: rows (down a column) when the reference is column-major.
  bool rows_inner = ref.row_stride == 1 || (ref.col_stride != 1 && ref.row_stride < ref.col_stride);
  auto inner_stride = [&](auto const& p) -> std::ptrdiff_t {
    if (flat) return lines ? line_stride(p) : 1;
    return rows_inner ? p.row_stride : p.col_stride;
  };
  auto outer_stride = [&](auto const& p) -> std::ptrdiff_t {
    if (flat) return 0;
    return rows_inner ? p.col_stride : p.row_stride;
  };
  plan.inner = flat ? ref.size() : (rows_inner ? ref.rows : ref.cols);
  plan.outer = flat ? 1 : (rows_inner ? ref.cols : ref.rows);
  for (std::size_t k = 0; k < NI; ++k) {
    if (is_array[k]) {
      plan.src[k] = {in[k].data, inner_stride(in[k]), T{}};
      plan.src_outer[k] = outer_stride(in[k]);
      plan.contiguous = plan.contiguous && plan.src[k].stride == 1;
    } else {
      plan.src[k] = {nullptr, 0, scalars[k]};
    }
  }
  for (std::size_t k = 0; k < NO; ++k) {
    plan.dst[k] = {out[k].data, inner_stride(out[k])};
    plan.dst_outer[k] = outer_stride(out[k]);
    plan.contiguous = plan.contiguous && plan.dst[k].stride == 1;
  }
  return plan;
}

}  // namespace detail
}  // namespace ks

namespace ks::detail {

// Below this many elements ks::par runs serially: splitting costs more than it saves.
inline constexpr std::size_t par_threshold = 131072;
// Elements per parallel work item (a multiple of every batch size).
inline constexpr std::size_t par_chunk = 16384;

// The common case, decided in a few comparisons: every array one-dimensional,
// contiguous, of one size, no output overlapping an input unless it is that input.
// Returns false (having done nothing) for anything else, which plan_loop handles
// (and reports, for a mismatch).
template <class B, auto IsArray, class Fn, class T, std::size_t NI, std::size_t NO>
bool run_contiguous_impl(Fn const& fn, std::array<plane<T const>, NI> const& in, std::array<T, NI> const& scalars,
                         std::array<plane<T>, NO> const& out, bool parallel) {
  constexpr std::array<bool, NI> is_array = IsArray;
  std::size_t n = 0;
  bool have_n = false;
  auto simple = [&](auto const& p) {
    if (!p.vector_like || p.row_stride != 1) return false;
    if (!have_n) {
      n = p.rows;
      have_n = true;
    }
    return p.rows == n;
  };
  for (std::size_t k = 0; k < NI; ++k)
    if (is_array[k] && !simple(in[k])) return false;
  for (auto const& p : out)
    if (!simple(p)) return false;
  for (auto const& o : out) {
    auto olo = reinterpret_cast<std::uintptr_t>(o.data), ohi = olo + n * sizeof(T);
    for (std::size_t k = 0; k < NI; ++k) {
      if (!is_array[k] || static_cast<void const*>(in[k].data) == static_cast<void const*>(o.data)) continue;
      auto ilo = reinterpret_cast<std::uintptr_t>(in[k].data), ihi = ilo + n * sizeof(T);
      if (olo < ihi && ilo < ohi) return false;
    }
  }
  if (NO > 1)
    for (std::size_t k = 0; k < NO; ++k)
      for (std::size_t j = 0; j < k; ++j)
        if (out[k].data == out[j].data) return false;
  std::array<lane_source<T>, NI> src{};
  std::array<lane_sink<T>, NO> dst{};
  for (std::size_t k = 0; k < NI; ++k)
    src[k] = is_array[k] ? lane_source<T>{in[k].data, 1, T{}} : lane_source<T>{nullptr, 0, scalars[k]};
  for (std::size_t k = 0; k < NO; ++k) dst[k] = {out[k].data, 1};
  if (!parallel || n < par_threshold) {
    run_segment<B, IsArray>(fn, 0, n, src, dst, true);
  } else {
    std::size_t items = (n + par_chunk - 1) / par_chunk;
    thread_pool::instance().run(items, [&](std::size_t item) {
      run_segment<B, IsArray>(fn, item * par_chunk, std::min(n, (item + 1) * par_chunk), src, dst, true);
    });
  }
  return true;
}

template <class Out>
auto as_output_tuple(Out& out) {
  if constexpr (is_std_tuple_v<Out>)
    return out;
  else
    return std::tie(out);
}

template <class F, bool Parallel>
struct vmap_fn {
  F f;  // a knossos function (see ks::lift)

  // The result type of f on batches of T, for arguments A...
  template <class T, class... A>
  using batch_result_t = decltype(std::declval<F const&>()(
      std::declval<std::conditional_t<true, xsimd::batch<T>, A>>()...));

  /// Evaluate f over the arrays (and broadcast numbers) a..., returning a new container
  /// like the first array (a std::tuple of them when f returns several values).
  template <class... A>
  auto operator()(A const&... a) const {
    if constexpr (arguments_valid<entry::vmap, A...>()) return apply_valid(a...);
  }

  /// Evaluate f over a..., writing into preallocated outputs: one array, or std::tie of
  /// several when f returns several values, std::ignore for a result not wanted (it is
  /// not computed). No allocation; an output may be one of the inputs (in place).
  /// Sizes are checked before anything is written.
  template <class Out, class... A>
  void into(Out&& out, A const&... a) const {
    if constexpr (arguments_valid<entry::vmap, A...>()) into_valid(out, a...);
  }

  template <class... A>
  auto apply_valid(A const&... a) const {
    using T = typename first_element<A...>::type;
    auto const& first = first_array(a...);
    using Traits = array_traits<std::remove_cvref_t<decltype(first)>>;
    constexpr std::size_t n_out = result_count<batch_result_t<T, A...>>;
    if constexpr (n_out == 1) {
      auto out = Traits::make_result(first);
      into_valid(out, a...);
      return out;
    } else {
      auto outs = [&]<std::size_t... K>(std::index_sequence<K...>) {
        return std::tuple{(static_cast<void>(K), Traits::make_result(first))...};
      }(std::make_index_sequence<n_out>{});
      std::apply(
          [&](auto&... o) {
            auto tied = std::tie(o...);
            into_valid(tied, a...);
          },
          outs);
      return outs;
    }
  }

  template <class Out, class... A>
  void into_valid(Out& out, A const&... a) const {
    using T = typename first_element<A...>::type;
    using R = batch_result_t<T, A...>;
    constexpr std::size_t no = result_count<R>;
    auto outs = as_output_tuple(out);
    using O = decltype(outs);
    static_assert(std::tuple_size_v<O> == no,
                  "ks::vmap(f).into(out, args...): pass one output per result of f (std::tie(a, b) for two; "
                  "std::ignore for one not wanted)");
    if constexpr (std::tuple_size_v<O> == no) {
      static constexpr auto wanted = wanted_positions<O>();
      static_assert(wanted.size() > 0, "ks::vmap(f).into: every output is std::ignore: there is nothing to compute");
      auto kept = elements_at<wanted>(outs);
      if constexpr (wanted.size() > 0 && outputs_valid<entry::vmap, T>(std::type_identity<decltype(kept)>{})) {
        if constexpr (wanted.size() == no)
          run_loop(f, outs, a...);
        else
          run_loop(detail::pick<wanted>(f), kept, a...);
      }
    }
  }

  template <class Fn, class Outs, class... A>
  void run_loop(Fn const& fn, Outs& outs, A const&... a) const {
    using T = typename first_element<A...>::type;
    using B = xsimd::batch<T>;
    constexpr std::size_t ni = sizeof...(A);
    constexpr std::size_t no = std::tuple_size_v<Outs>;

    std::array<plane<T const>, ni> in_planes{};
    // Which arguments are arrays (the others broadcast) is known from their types.
    static constexpr std::array<bool, ni> is_array{is_array_v<A>...};
    std::array<T, ni> scalars{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&](auto const& arg) {
            using Arg = std::remove_cvref_t<decltype(arg)>;
            if constexpr (is_array_v<Arg>) {
              in_planes[I] = const_plane(array_traits<Arg>::describe(const_cast<Arg&>(arg)));
            } else {
              scalars[I] = static_cast<T>(arg);
            }
          }(a),
          ...);
    }(std::make_index_sequence<ni>{});

    std::array<plane<T>, no> out_planes{};
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&](auto& o) {
            using O = std::remove_cvref_t<decltype(o)>;
            out_planes[K] = array_traits<O>::describe(o);
          }(std::get<K>(outs)),
          ...);
    }(std::make_index_sequence<no>{});

    if (run_contiguous_impl<B, is_array>(fn, in_planes, scalars, out_planes, Parallel)) return;
    auto const plan = plan_loop<T>(in_planes, is_array, scalars, out_planes);
    if (plan.inner == 0) return;
    std::size_t total = plan.inner * plan.outer;
    if (!Parallel || total < par_threshold) {
      for (std::size_t o = 0; o < plan.outer; ++o) {
        auto [s, d] = plan.run(o);
        run_segment<B, is_array>(fn, 0, plan.inner, s, d, plan.contiguous);
      }
    } else {
      std::size_t per = (plan.inner + par_chunk - 1) / par_chunk;
      thread_pool::instance().run(plan.outer * per, [&](std::size_t item) {
        std::size_t o = item / per;
        std::size_t begin = (item % per) * par_chunk;
        std::size_t end = std::min(plan.inner, begin + par_chunk);
        auto [s, d] = plan.run(o);
        run_segment<B, is_array>(fn, begin, end, s, d, plan.contiguous);
      });
    }
  }
};

}  // namespace ks::detail

namespace ks {

/// vmap(f): f lifted to arrays, as one fused SIMD loop with no temporaries. Scalars
/// broadcast; the result is a container like the first array argument. Works for any
/// knossos function: vmap(grad(f)), vmap(vjp(f)), vmap(value_and_grad(f)), ...
/// Docs: docs/vmap.md
template <class F>
auto vmap(F const& f) {
  auto lifted = ks::lift(f);
  return detail::vmap_fn<decltype(lifted), false>{lifted};
}

/// vmap(f, ks::par): the same loop split across threads for large arrays.
template <class F>
auto vmap(F const& f, par_t) {
  auto lifted = ks::lift(f);
  return detail::vmap_fn<decltype(lifted), true>{lifted};
}

}  // namespace ks
