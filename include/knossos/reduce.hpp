// knossos: fused map-reduce. ks::sum(f), ks::mean(f) and ks::reduce(f, op[, init]) evaluate
// a scalar function over arrays and reduce the results in the same SIMD pass, with no
// temporary array; value_and_grad and grad of sum and mean also write (or, for a
// broadcast number, sum) the gradient of every argument in that one pass.
// Docs: docs/reduce.md
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <knossos/diff.hpp>
#include <knossos/lift.hpp>
#include <knossos/parallel.hpp>
#include <knossos/vmap.hpp>

namespace ks {

/// Reduction operations for ks::reduce: function objects on numbers and SIMD batches
/// with an identity (the value that lanes past the end of an array are masked to).
/// std::plus<> and std::multiplies<> are accepted as op_sum and op_prod; any other op
/// is a function object callable on two numbers and on two xsimd batches, with a
/// member `template <class T> static constexpr T identity()`. Docs: docs/reduce.md
struct op_sum_t {
  template <class T>
  static constexpr T identity() {
    return T(0);
  }
  template <class V>
  KS_INLINE V operator()(V const& a, V const& b) const {
    return a + b;
  }
};
struct op_prod_t {
  template <class T>
  static constexpr T identity() {
    return T(1);
  }
  template <class V>
  KS_INLINE V operator()(V const& a, V const& b) const {
    return a * b;
  }
};
struct op_max_t {
  template <class T>
  static constexpr T identity() {
    return -std::numeric_limits<T>::infinity();
  }
  template <class V>
  KS_INLINE V operator()(V const& a, V const& b) const {
    if constexpr (detail::is_batch_v<V>)
      return xsimd::max(a, b);
    else
      return a < b ? b : a;
  }
};
struct op_min_t {
  template <class T>
  static constexpr T identity() {
    return std::numeric_limits<T>::infinity();
  }
  template <class V>
  KS_INLINE V operator()(V const& a, V const& b) const {
    if constexpr (detail::is_batch_v<V>)
      return xsimd::min(a, b);
    else
      return b < a ? b : a;
  }
};
inline constexpr op_sum_t op_sum{};
inline constexpr op_prod_t op_prod{};
inline constexpr op_max_t op_max{};
inline constexpr op_min_t op_min{};

}  // namespace ks

namespace ks::detail {

// The reduction op of a function object: the standard ones mapped onto ours.
template <class Op>
struct reduction_op_of {
  using type = Op;
};
template <class T>
struct reduction_op_of<std::plus<T>> {
  using type = op_sum_t;
};
template <class T>
struct reduction_op_of<std::multiplies<T>> {
  using type = op_prod_t;
};
template <class Op>
using reduction_op_t = typename reduction_op_of<std::remove_cvref_t<Op>>::type;

template <class Op>
concept reduction_op = requires(Op const& op, xsimd::batch<float> b, float x) {
  { Op::template identity<float>() } -> std::convertible_to<float>;
  { op(b, b) } -> std::convertible_to<xsimd::batch<float>>;
  { op(x, x) } -> std::convertible_to<float>;
};

// ks::reduce(f, op) without an init: the op's identity.
struct no_init {};

// What the loop does with each result of the per-element function: combine it into
// accumulator `index`, or store it into output array `index`. (A result not wanted is
// not one: it is pruned from the function, see pick_fn.)
enum class role_kind { accumulate, store };
struct result_role {
  role_kind kind = role_kind::accumulate;
  std::size_t index = 0;
};

// Elements per block: 128 batches, 32 per accumulator. Each block's partial results are
// combined pairwise with the others (below), so a float32 sum of 2^24 elements adds at
// most 32 numbers one after another into any lane: its error grows with log n, not n.
// (With 16, the work between blocks cost 10% more instructions per element.)
template <class B>
inline constexpr std::size_t reduce_block = 128 * B::size;
static_assert(par_chunk % reduce_block<xsimd::batch<float>> == 0, "a chunk holds whole blocks");

// Pairwise (cascade) combination of a sequence of values, as a binary counter: level k
// holds the combination of 2^k consecutive values. The result depends only on the
// sequence, so a serial and a parallel loop that push the same values agree bit for bit.
template <class V, std::size_t Levels>
struct cascade {
  std::array<V, Levels> level;
  std::uint64_t used = 0;

  template <class Combine>
  KS_INLINE void push(V v, Combine const& combine) {
    std::size_t k = 0;
    for (; (used >> k) & 1u; ++k) {
      v = combine(level[k], v);
      used &= ~(std::uint64_t{1} << k);
    }
    level[k] = v;
    used |= std::uint64_t{1} << k;
  }
  template <class Combine>
  KS_INLINE V finish(V const& identity, Combine const& combine) const {
    if (used == 0) return identity;
    std::uint64_t rest = used;
    V r = level[static_cast<std::size_t>(std::countr_zero(rest))];
    for (rest &= rest - 1; rest != 0; rest &= rest - 1)
      r = combine(level[static_cast<std::size_t>(std::countr_zero(rest))], r);
    return r;
  }
};

// The loop's accumulators: NA batches, one per accumulated result.
template <class B, std::size_t NA>
using acc_set = std::array<B, NA>;

template <class Op, class B, std::size_t NA>
KS_INLINE acc_set<B, NA> combine_sets(Op const& op, acc_set<B, NA> const& a, acc_set<B, NA> const& b) {
  acc_set<B, NA> r;
  for (std::size_t k = 0; k < NA; ++k) r[k] = op(a[k], b[k]);
  return r;
}

template <class Op, class B, std::size_t NA>
KS_INLINE acc_set<B, NA> identity_set(Op const&) {
  acc_set<B, NA> r;
  for (auto& v : r) v = B(Op::template identity<typename B::value_type>());
  return r;
}

// One batch at i: evaluate, then accumulate or store (scaled when Scale) each result.
template <class B, bool Contiguous, auto IsArray, auto Roles, bool Scale, class Fn, class Op, std::size_t NI,
          std::size_t NO, std::size_t NA, class T, std::size_t... I, std::size_t... K>
KS_INLINE void reduce_step(Fn const& fn, [[maybe_unused]] Op const& op, std::size_t i,
                           std::array<lane_source<T>, NI> const& in,
                           [[maybe_unused]] std::array<lane_sink<T>, NO> const& out,
                           [[maybe_unused]] B const& scale, [[maybe_unused]] acc_set<B, NA>& acc,
                           std::index_sequence<I...>, std::index_sequence<K...>) {
  auto r = fn(load<B, Contiguous, IsArray[I]>(in[I], i)...);
  (
      [&](B const& v) {
        constexpr result_role role = Roles[K];
        if constexpr (role.kind == role_kind::accumulate) {
          acc[role.index] = op(acc[role.index], v);
        } else if constexpr (role.kind == role_kind::store) {
          if constexpr (Scale)
            store<B, Contiguous>(out[role.index], i, v * scale);
          else
            store<B, Contiguous>(out[role.index], i, v);
        }
      }(B(result_at<K>(r))),
      ...);
}

// The last count < B::size elements: lanes past count are masked to the identity
// before they are accumulated, and not stored.
template <class B, auto IsArray, auto Roles, bool Scale, class Fn, class Op, std::size_t NI, std::size_t NO,
          std::size_t NA, class T, std::size_t... I, std::size_t... K>
[[gnu::noinline]] void reduce_tail(Fn const& fn, [[maybe_unused]] Op const& op, std::size_t i, std::size_t count,
                                   std::array<lane_source<T>, NI> const& in,
                                   [[maybe_unused]] std::array<lane_sink<T>, NO> const& out,
                                   [[maybe_unused]] B const& scale, [[maybe_unused]] acc_set<B, NA>& acc,
                                   std::index_sequence<I...>,
                                   std::index_sequence<K...>) {
  auto r = fn(load_partial<B, IsArray[I]>(in[I], i, count)...);
  (
      [&](B const& v) {
        constexpr result_role role = Roles[K];
        if constexpr (role.kind == role_kind::accumulate) {
          alignas(64) T buf[B::size];
          v.store_aligned(buf);
          for (std::size_t k = count; k < B::size; ++k) buf[k] = Op::template identity<T>();
          acc[role.index] = op(acc[role.index], B::load_aligned(buf));
        } else if constexpr (role.kind == role_kind::store) {
          store_partial<B>(out[role.index], i, count, Scale ? B(v * scale) : v);
        }
      }(B(result_at<K>(r))),
      ...);
}

// [begin, end) with end - begin <= reduce_block<B>: four independent accumulators (so
// additions overlap instead of waiting for each other), then single batches, then the
// tail; the four combined pairwise.
template <class B, bool Contiguous, auto IsArray, auto Roles, bool Scale, std::size_t NA, class Fn, class Op,
          std::size_t NI, std::size_t NO, class T>
KS_FLATTEN acc_set<B, NA> reduce_range(Fn const& fn, Op const& op, std::size_t begin, std::size_t end,
                                       std::array<lane_source<T>, NI> in, std::array<lane_sink<T>, NO> out,
                                       B scale) {
  constexpr std::size_t W = B::size;
  auto is = std::make_index_sequence<NI>{};
  auto rs = std::make_index_sequence<Roles.size()>{};
  acc_set<B, NA> a0 = identity_set<Op, B, NA>(op), a1 = a0, a2 = a0, a3 = a0;
  std::size_t i = begin;
  for (; i + 4 * W <= end; i += 4 * W) {
    reduce_step<B, Contiguous, IsArray, Roles, Scale>(fn, op, i, in, out, scale, a0, is, rs);
    reduce_step<B, Contiguous, IsArray, Roles, Scale>(fn, op, i + W, in, out, scale, a1, is, rs);
    reduce_step<B, Contiguous, IsArray, Roles, Scale>(fn, op, i + 2 * W, in, out, scale, a2, is, rs);
    reduce_step<B, Contiguous, IsArray, Roles, Scale>(fn, op, i + 3 * W, in, out, scale, a3, is, rs);
  }
  for (; i + W <= end; i += W) reduce_step<B, Contiguous, IsArray, Roles, Scale>(fn, op, i, in, out, scale, a0, is, rs);
  if (i < end) reduce_tail<B, IsArray, Roles, Scale>(fn, op, i, end - i, in, out, scale, a0, is, rs);
  return combine_sets(op, combine_sets(op, a0, a1), combine_sets(op, a2, a3));
}

// One work item (at most par_chunk elements): its blocks combined pairwise.
template <class B, bool Contiguous, auto IsArray, auto Roles, bool Scale, std::size_t NA, class Fn, class Op,
          std::size_t NI, std::size_t NO, class T>
acc_set<B, NA> reduce_chunk(Fn const& fn, Op const& op, std::size_t begin, std::size_t end,
                            std::array<lane_source<T>, NI> const& in, std::array<lane_sink<T>, NO> const& out,
                            B const& scale) {
  auto combine = [&](acc_set<B, NA> const& x, acc_set<B, NA> const& y) { return combine_sets(op, x, y); };
  cascade<acc_set<B, NA>, 32> blocks;
  for (std::size_t b = begin; b < end; b += reduce_block<B>) {
    std::size_t e = std::min(end, b + reduce_block<B>);
    blocks.push(reduce_range<B, Contiguous, IsArray, Roles, Scale, NA>(fn, op, b, e, in, out, scale), combine);
  }
  return blocks.finish(identity_set<Op, B, NA>(op), combine);
}

// The whole reduction over a planned loop: the elements split into work items of
// par_chunk elements (per run of the plan), each reduced on its own, their results
// combined pairwise in item order, whether the items ran on one thread or several.
// Returns the NA totals, each a batch's lanes combined pairwise.
template <class B, auto IsArray, auto Roles, bool Scale, std::size_t NA, class Fn, class Op, class T, std::size_t NI,
          std::size_t NO>
std::array<T, NA> reduce_loop(Fn const& fn, Op const& op, loop_plan<T, NI, NO> const& plan, T scale_value,
                              bool parallel) {
  using set = acc_set<B, NA>;
  auto combine = [&](set const& x, set const& y) { return combine_sets(op, x, y); };
  B const scale(scale_value);
  std::size_t const per = plan.inner == 0 ? 0 : (plan.inner + par_chunk - 1) / par_chunk;
  std::size_t const items = plan.outer * per;
  auto item_result = [&](std::size_t item) {
    std::size_t o = item / per;
    std::size_t begin = (item % per) * par_chunk;
    std::size_t end = std::min(plan.inner, begin + par_chunk);
    auto [s, d] = plan.run(o);
    if (plan.contiguous)
      return reduce_chunk<B, true, IsArray, Roles, Scale, NA>(fn, op, begin, end, s, d, scale);
    else
      return reduce_chunk<B, false, IsArray, Roles, Scale, NA>(fn, op, begin, end, s, d, scale);
  };
  cascade<set, 64> chunks;
  if (!parallel || plan.inner * plan.outer < par_threshold) {
    for (std::size_t item = 0; item < items; ++item) chunks.push(item_result(item), combine);
  } else {
    std::vector<set> partial(items);
    thread_pool::instance().run(items, [&](std::size_t item) { partial[item] = item_result(item); });
    for (auto const& p : partial) chunks.push(p, combine);
  }
  set total = chunks.finish(identity_set<Op, B, NA>(op), combine);
  std::array<T, NA> result{};
  for (std::size_t k = 0; k < NA; ++k) {
    alignas(64) T lanes[B::size];
    total[k].store_aligned(lanes);
    for (std::size_t w = B::size / 2; w >= 1; w /= 2)
      for (std::size_t j = 0; j < w; ++j) lanes[j] = op(lanes[j], lanes[j + w]);
    result[k] = lanes[0];
  }
  return result;
}

// ---------------------------------------------------------------------------------
// Arguments and outputs.

// The input planes and broadcast numbers of a..., as vmap reads them.
template <class T, class... A>
auto input_planes(A const&... a) {
  constexpr std::size_t ni = sizeof...(A);
  std::array<plane<T const>, ni> planes{};
  std::array<T, ni> scalars{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&](auto const& arg) {
          using Arg = std::remove_cvref_t<decltype(arg)>;
          if constexpr (is_array_v<Arg>)
            planes[I] = const_plane(array_traits<Arg>::describe(const_cast<Arg&>(arg)));
          else
            scalars[I] = static_cast<T>(arg);
        }(a),
        ...);
  }(std::make_index_sequence<ni>{});
  return std::pair{planes, scalars};
}

// The checks of plan_loop, with the reduction's name in the message: every array
// has the reference's shape, and each gradient output (out_arg[k]: the argument it is
// the gradient of) has it too, overlapping no input unless it is that input, nor
// another output. Thrown before anything is written.
template <class T, std::size_t NI, std::size_t NO>
void check_shapes(std::string_view name, std::array<plane<T const>, NI> const& in, std::array<bool, NI> const& is_array,
                  std::array<plane<T>, NO> const& out, std::array<std::size_t, NO> const& out_arg) {
  // The messages are built only when thrown: this runs on every call.
  auto arg = [](std::size_t k) { return "argument " + std::to_string(k + 1); };
  auto output = [&](std::size_t k) { return std::string(name) + ": the gradient output for " + arg(out_arg[k]); };
  std::size_t ref_index = 0;
  while (!is_array[ref_index]) ++ref_index;
  plane<T const> const ref = in[ref_index];
  for (std::size_t k = 0; k < NI; ++k)
    if (is_array[k] && !same_shape(conform(in[k], ref), ref))
      KNOSSOS_THROW(std::invalid_argument(std::string(name) + ": " + arg(k) + " has " + shape_of(in[k]) + " but " +
                                          arg(ref_index) + " has " + shape_of(ref)));
  if constexpr (NO > 0) {
    // Each array's memory as bytes [lo, hi), computed once (overlaps() computes both
    // ranges on every call).
    auto bytes = [](auto const& p) {
      auto lo = reinterpret_cast<std::uintptr_t>(p.data), hi = lo;
      auto extend = [&](std::size_t count, std::ptrdiff_t stride) {
        if (count == 0) return;
        std::ptrdiff_t off = static_cast<std::ptrdiff_t>(count - 1) * stride * static_cast<std::ptrdiff_t>(sizeof(T));
        if (off < 0)
          lo -= static_cast<std::uintptr_t>(-off);
        else
          hi += static_cast<std::uintptr_t>(off);
      };
      extend(p.rows, p.row_stride);
      extend(p.cols, p.col_stride);
      return std::pair{lo, hi + sizeof(T)};
    };
    auto meet = [](auto const& a, auto const& b) { return a.first < b.second && b.first < a.second; };
    std::array<std::pair<std::uintptr_t, std::uintptr_t>, NI> in_bytes{};
    for (std::size_t j = 0; j < NI; ++j)
      if (is_array[j] && in[j].size() > 0) in_bytes[j] = bytes(in[j]);
    std::array<std::pair<std::uintptr_t, std::uintptr_t>, NO> out_bytes{};
    for (std::size_t k = 0; k < NO; ++k) {
      plane<T> const o = conform(out[k], ref);
      if (!same_shape(o, ref))
        KNOSSOS_THROW(std::invalid_argument(output(k) + " has " + shape_of(out[k]) + " but " + arg(ref_index) +
                                            " has " + shape_of(ref)));
      if (o.size() == 0) continue;
      out_bytes[k] = bytes(o);
      for (std::size_t j = 0; j < NI; ++j)
        if (is_array[j] && meet(out_bytes[k], in_bytes[j]) && !same_layout(o, conform(in[j], ref)))
          KNOSSOS_THROW(std::invalid_argument(output(k) + " overlaps " + arg(j) + " without being the same array"));
      for (std::size_t j = 0; j < k; ++j)
        if (meet(out_bytes[k], out_bytes[j]))
          KNOSSOS_THROW(std::invalid_argument(output(k) + " overlaps the gradient output for " + arg(out_arg[j])));
    }
  }
}

// The loop of plan_loop for the common case, decided in a few comparisons: every array
// one-dimensional and contiguous (their sizes and overlaps are checked already).
// Anything else: plan_loop.
template <class T, std::size_t NI, std::size_t NO>
loop_plan<T, NI, NO> plan_reduction(std::array<plane<T const>, NI> const& in, std::array<bool, NI> const& is_array,
                                    std::array<T, NI> const& scalars, std::array<plane<T>, NO> const& out) {
  bool simple = true;
  std::size_t n = 0;
  for (std::size_t k = 0; k < NI; ++k)
    if (is_array[k]) {
      simple = simple && in[k].vector_like && in[k].row_stride == 1;
      n = in[k].size();
    }
  for (auto const& o : out) simple = simple && o.vector_like && o.row_stride == 1;
  if (!simple) return plan_loop<T>(in, is_array, scalars, out);
  loop_plan<T, NI, NO> plan;
  for (std::size_t k = 0; k < NI; ++k)
    plan.src[k] = is_array[k] ? lane_source<T>{in[k].data, 1, T{}} : lane_source<T>{nullptr, 0, scalars[k]};
  for (std::size_t k = 0; k < NO; ++k) plan.dst[k] = {out[k].data, 1};
  plan.inner = n;
  plan.outer = n == 0 ? 0 : 1;
  return plan;
}

// The gradient of a broadcast number is written to a number variable.
template <class O>
inline constexpr bool number_output = std::is_lvalue_reference_v<O> &&
                                      std::is_arithmetic_v<std::remove_reference_t<O>> &&
                                      !std::is_const_v<std::remove_reference_t<O>>;

// ---------------------------------------------------------------------------------
// The reduction objects.

template <class F, class Op, class Init, bool Mean, bool Parallel>
struct reduction {
  using function_type = F;
  F f;  // a knossos function (see ks::lift)
  [[no_unique_address]] Op op;
  [[no_unique_address]] Init init;

  // The function the user called, for the messages.
  static constexpr entry who = Mean                                                             ? entry::mean
                               : std::is_same_v<Op, op_sum_t> && std::is_same_v<Init, no_init> ? entry::sum
                                                                                                : entry::reduce;
  static constexpr std::string_view name() { return entry_name(who); }

  /// The reduction of f over the arrays (and broadcast numbers) a..., as a number of
  /// the arrays' element type.
  template <class... A>
  auto operator()(A const&... a) const {
    if constexpr (arguments_valid<who, A...>()) {
      KS_ASSERT_NAMED(who, F::template accepts<sizeof...(A)>,
                      "(f): f cannot be called with this many arguments, or its parameters are not `auto`");
      constexpr std::size_t outs = [] {
        if constexpr (F::template accepts<sizeof...(A)>)
          return F::template outputs<sizeof...(A)>;
        else
          return std::size_t{1};
      }();
      KS_ASSERT_NAMED(who, outs == 1, "(f): f must return one value");
      if constexpr (F::template accepts<sizeof...(A)> && outs == 1) {
        constexpr std::array<result_role, 1> roles{result_role{role_kind::accumulate, 0}};
        std::tuple<> none;
        return with_init(run<roles, 1>(f, op, none, std::array<std::size_t, 0>{}, a...)[0]);
      }
    }
  }

  // Runs g (whose results have the given roles) over a..., storing into the arrays of
  // `outs` (the gradients of the arguments out_arg); returns the accumulated totals, the
  // value first when there is one, divided by n for a mean.
  template <auto Roles, std::size_t NA, class G, class GOp, class Outs, std::size_t NO, class... A>
  auto run(G const& g, GOp const& gop, Outs& outs, std::array<std::size_t, NO> const& out_arg, A const&... a) const {
    using T = typename first_element<A...>::type;
    using B = xsimd::batch<T>;
    static constexpr std::array<bool, sizeof...(A)> is_array{is_array_v<A>...};
    auto [in, scalars] = input_planes<T>(a...);
    std::array<plane<T>, NO> out_planes{};
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((out_planes[K] = array_traits<std::remove_cvref_t<std::tuple_element_t<K, Outs>>>::describe(std::get<K>(outs))),
       ...);
    }(std::make_index_sequence<NO>{});
    check_shapes<T>(name(), in, is_array, out_planes, out_arg);
    auto const plan = plan_reduction<T>(in, is_array, scalars, out_planes);
    std::size_t const n = plan.inner * plan.outer;
    T const inv_n = n == 0 ? T(0) : T(1) / static_cast<T>(n);
    auto totals = reduce_loop<B, is_array, Roles, Mean, NA>(g, gop, plan, inv_n, Parallel);
    if constexpr (Mean)
      for (auto& t : totals) t = n == 0 ? std::numeric_limits<T>::quiet_NaN() : t / static_cast<T>(n);
    return totals;
  }

  // The reduced value combined with init, when there is one.
  template <class T>
  T with_init(T value) const {
    if constexpr (std::is_same_v<Init, no_init>)
      return value;
    else
      return op(static_cast<T>(init), value);
  }
};

template <class R>
struct is_reduction : std::false_type {};
template <class F, class Op, class Init, bool Mean, bool Parallel>
struct is_reduction<reduction<F, Op, Init, Mean, Parallel>> : std::true_type {};

// value_and_grad (WithValue) or grad<I...> of a sum or mean: one loop evaluates
// value_and_grad(f) or grad<I...>(f) per batch, accumulates the value and the
// gradients of broadcast numbers, and stores those of arrays (divided by n for a mean).
template <class R, bool WithValue, std::size_t... Is>
struct reduction_grad {
  R r;

  // The arguments differentiated, for a call with N arguments.
  template <std::size_t N>
  static constexpr auto chosen() {
    if constexpr (WithValue || sizeof...(Is) == 0)
      return [] {
        std::array<std::size_t, N> c{};
        for (std::size_t i = 0; i < N; ++i) c[i] = i;
        return c;
      }();
    else
      return std::array<std::size_t, sizeof...(Is)>{Is...};
  }

  /// The value (for value_and_grad) and the gradient of each argument: an array like the
  /// argument for an array, a number for a broadcast number. value_and_grad gives a
  /// std::tuple (value, d/da0, d/da1, ...); grad one gradient or a std::tuple of them.
  template <class... A>
  auto operator()(A const&... a) const {
    if constexpr (arguments_valid<R::who, A...>() && args_ok<A...>()) {
      using T = typename first_element<A...>::type;
      static constexpr auto c = chosen<sizeof...(A)>();
      std::tuple<A const&...> args{a...};
      auto grads = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return std::tuple{[&]<std::size_t Arg>(std::integral_constant<std::size_t, Arg>) {
          using Ai = std::remove_cvref_t<std::tuple_element_t<Arg, std::tuple<A...>>>;
          if constexpr (is_array_v<Ai>)
            return array_traits<Ai>::make_result(std::get<Arg>(args));
          else
            return T{};
        }(std::integral_constant<std::size_t, c[J]>{})...};
      }(std::make_index_sequence<c.size()>{});
      auto tied = std::apply([](auto&... g) { return std::tie(g...); }, grads);
      if constexpr (WithValue) {
        T value = into_valid(tied, a...);
        return std::tuple_cat(std::tuple{value}, std::move(grads));
      } else {
        into_valid(tied, a...);
        if constexpr (c.size() == 1)
          return std::move(std::get<0>(grads));
        else
          return grads;
      }
    }
  }

  /// The same into preallocated outputs, one per gradient in order (std::tie of several):
  /// an array for an array argument, a number variable for a broadcast one, std::ignore
  /// for a gradient not wanted. value_and_grad returns the value; nothing is allocated
  /// (except, under ks::par, one partial result per chunk).
  template <class Out, class... A>
  auto into(Out&& out, A const&... a) const {
    if constexpr (arguments_valid<R::who, A...>() && args_ok<A...>()) {
      auto outs = as_output_tuple(out);
      return into_valid(outs, a...);
    }
  }

  template <class... A>
  static constexpr bool args_ok() {
    constexpr std::size_t n = sizeof...(A);
    using Fn = typename R::function_type;
    KS_ASSERT_NAMED(R::who, Fn::template accepts<n>,
                    "(f): f cannot be called with this many arguments, or its parameters are not `auto`");
    if constexpr (Fn::template accepts<n>) {
      KS_ASSERT_NAMED(R::who, Fn::template outputs<n> == 1, "(f): f must return one value");
      KS_ASSERT_NAMED(R::who, ((Is < n) && ...), "(f) under ks::grad<I...>: an argument index is out of range");
      return Fn::template outputs<n> == 1 && ((Is < n) && ...);
    } else {
      return false;
    }
  }

  template <class Outs, class... A>
  auto into_valid(Outs& outs, A const&... a) const {
    using T = typename first_element<A...>::type;
    constexpr std::size_t ni = sizeof...(A);
    static constexpr auto c = chosen<ni>();
    constexpr std::size_t ng = c.size();
    using O = std::remove_cvref_t<Outs>;
    KS_ASSERT_NAMED(R::who, std::tuple_size_v<O> == ng,
                    "(f) under ks::value_and_grad / ks::grad: .into(outs, args...) takes one output per gradient "
                    "(std::tie of several; std::ignore for one not wanted)");
    if constexpr (std::tuple_size_v<O> == ng) {
      static constexpr std::array<bool, ni> is_array{is_array_v<A>...};
      // For each gradient: 0 ignored, 1 an array output, 2 a number output.
      static constexpr auto kinds = []<std::size_t... J>(std::index_sequence<J...>) {
        return std::array<int, ng>{(is_ignore_v<std::tuple_element_t<J, O>> ? 0 : is_array[c[J]] ? 1 : 2)...};
      }(std::make_index_sequence<ng>{});
      constexpr bool outputs_ok = []<std::size_t... J>(std::index_sequence<J...>) {
        return ((kinds[J] != 1 || is_array_v<std::tuple_element_t<J, O>>) && ...) &&
               ((kinds[J] != 2 || number_output<std::tuple_element_t<J, O>>) && ...);
      }(std::make_index_sequence<ng>{});
      KS_ASSERT_NAMED(R::who, outputs_ok,
                      "(f) under ks::value_and_grad / ks::grad: .into: the output for an array argument must be an "
                      "array, for a broadcast number a number variable (or std::ignore)");
      constexpr std::size_t na = [] {
        std::size_t k = WithValue ? 1 : 0;
        for (int kind : kinds) k += kind == 2;
        return k;
      }();
      // The results of value_and_grad(f) or grad<I...>(f) wanted (the value first for
      // WithValue), the others pruned away, and the role of each.
      static constexpr std::size_t first_grad = WithValue ? 1 : 0;
      static constexpr std::size_t n_wanted = [] {
        std::size_t k = first_grad;
        for (int kind : kinds) k += kind != 0;
        return k;
      }();
      KS_ASSERT_NAMED(R::who, n_wanted > 0, "(f) under ks::grad: .into: every output is std::ignore: there is nothing to compute");
      static constexpr auto wanted = [] {
        std::array<std::size_t, n_wanted> w{};
        std::size_t k = 0;
        if (WithValue) w[k++] = 0;
        for (std::size_t j = 0; j < ng; ++j)
          if (kinds[j] != 0) w[k++] = first_grad + j;
        return w;
      }();
      static constexpr auto roles = [] {
        std::array<result_role, n_wanted> rs{};
        std::size_t store = 0, acc = 0, k = 0;
        if (WithValue) rs[k++] = {role_kind::accumulate, acc++};
        for (int kind : kinds)
          if (kind != 0) rs[k++] = kind == 1 ? result_role{role_kind::store, store++} : result_role{role_kind::accumulate, acc++};
        return rs;
      }();
      if constexpr (outputs_ok && n_wanted > 0) {
        // The array outputs, in order, as their own tuple, and the argument of each.
        static constexpr std::size_t n_arrays = [] {
          std::size_t k = 0;
          for (int kind : kinds) k += kind == 1;
          return k;
        }();
        static constexpr auto array_at = [] {
          std::array<std::size_t, n_arrays> p{};
          std::size_t k = 0;
          for (std::size_t j = 0; j < ng; ++j)
            if (kinds[j] == 1) p[k++] = j;
          return p;
        }();
        auto arrays = elements_at<array_at>(outs);
        static constexpr auto out_arg = [] {
          std::array<std::size_t, array_at.size()> args{};
          for (std::size_t k = 0; k < array_at.size(); ++k) args[k] = c[array_at[k]];
          return args;
        }();
        auto all = [&] {
          if constexpr (WithValue)
            return ks::value_and_grad(r.f);
          else
            return ks::grad<Is...>(r.f);
        }();
        auto g = [&] {
          if constexpr (n_wanted == first_grad + ng)
            return all;
          else
            return detail::pick<wanted>(all);
        }();
        static_assert(outputs_valid<R::who, T>(std::type_identity<decltype(arrays)>{}));
        auto totals = r.template run<roles, na>(g, op_sum, arrays, out_arg, a...);
        if constexpr (WithValue) totals[0] = r.with_init(totals[0]);
        // Write the gradients of broadcast numbers.
        [[maybe_unused]] std::size_t acc = WithValue ? 1 : 0;
        [&]<std::size_t... J>(std::index_sequence<J...>) {
          (
              [&] {
                if constexpr (kinds[J] == 2) std::get<J>(outs) = totals[acc++];
              }(),
              ...);
        }(std::make_index_sequence<ng>{});
        if constexpr (WithValue) return static_cast<T>(totals[0]);
      }
    }
  }
};

template <class R>
constexpr void check_differentiable() {
  using Op = std::remove_cvref_t<decltype(std::declval<R>().op)>;
  static_assert(std::is_same_v<Op, op_sum_t>,
                "ks::grad / ks::value_and_grad of a reduction: only ks::sum and ks::mean (and ks::reduce with "
                "op_sum) are differentiable");
}

}  // namespace ks::detail

namespace ks {

/// sum(f)(a...): the sum of f over the arrays a... (numbers broadcast), in one fused
/// SIMD pass with pairwise accumulation. ks::grad and ks::value_and_grad of it
/// differentiate in the same pass. Docs: docs/reduce.md
template <class F>
auto sum(F const& f) {
  auto lifted = ks::lift(f);
  return detail::reduction<decltype(lifted), op_sum_t, detail::no_init, false, false>{lifted, {}, {}};
}
/// sum(f, ks::par): the same split across threads; the result does not depend on the
/// number of threads.
template <class F>
auto sum(F const& f, par_t) {
  auto lifted = ks::lift(f);
  return detail::reduction<decltype(lifted), op_sum_t, detail::no_init, false, true>{lifted, {}, {}};
}

/// mean(f)(a...): sum(f)(a...) / n (NaN for no elements). Docs: docs/reduce.md
template <class F>
auto mean(F const& f) {
  auto lifted = ks::lift(f);
  return detail::reduction<decltype(lifted), op_sum_t, detail::no_init, true, false>{lifted, {}, {}};
}
/// mean(f, ks::par): split across threads, independent of their number.
template <class F>
auto mean(F const& f, par_t) {
  auto lifted = ks::lift(f);
  return detail::reduction<decltype(lifted), op_sum_t, detail::no_init, true, true>{lifted, {}, {}};
}

namespace detail {
template <bool Parallel, class F, class Op, class Init>
auto make_reduce(F const& f, Op const&, Init init) {
  using RO = reduction_op_t<Op>;
  static_assert(reduction_op<RO>,
                "ks::reduce(f, op): op must be ks::op_sum, op_prod, op_max, op_min, std::plus<>, std::multiplies<>, "
                "or a function object on numbers and xsimd batches with a static identity<T>()");
  auto lifted = ks::lift(f);
  return reduction<decltype(lifted), RO, Init, false, Parallel>{lifted, RO{}, init};
}
}  // namespace detail

/// reduce(f, op)(a...): op over f's values (op_sum, op_prod, op_max, op_min, std::plus<>,
/// std::multiplies<>); with init, op(init, that). Docs: docs/reduce.md
template <class F, class Op>
auto reduce(F const& f, Op const& op) {
  return detail::make_reduce<false>(f, op, detail::no_init{});
}
template <class F, class Op, class Init>
  requires std::is_arithmetic_v<Init>
auto reduce(F const& f, Op const& op, Init init) {
  return detail::make_reduce<false>(f, op, init);
}
/// reduce(f, op[, init], ks::par): split across threads, independent of their number.
template <class F, class Op>
auto reduce(F const& f, Op const& op, par_t) {
  return detail::make_reduce<true>(f, op, detail::no_init{});
}
template <class F, class Op, class Init>
  requires std::is_arithmetic_v<Init>
auto reduce(F const& f, Op const& op, Init init, par_t) {
  return detail::make_reduce<true>(f, op, init);
}

/// value_and_grad(sum(f)) / value_and_grad(mean(f)): the value and the gradient of every
/// argument in one pass. Docs: docs/reduce.md
template <class F, class Op, class Init, bool Mean, bool Parallel>
auto value_and_grad(detail::reduction<F, Op, Init, Mean, Parallel> const& r) {
  detail::check_differentiable<detail::reduction<F, Op, Init, Mean, Parallel>>();
  return detail::reduction_grad<detail::reduction<F, Op, Init, Mean, Parallel>, true>{r};
}

/// grad(sum(f)), grad<I...>(mean(f)): gradients of the reduction in one pass.
/// Docs: docs/reduce.md
template <std::size_t... I, class F, class Op, class Init, bool Mean, bool Parallel>
auto grad(detail::reduction<F, Op, Init, Mean, Parallel> const& r) {
  detail::check_differentiable<detail::reduction<F, Op, Init, Mean, Parallel>>();
  return detail::reduction_grad<detail::reduction<F, Op, Init, Mean, Parallel>, false, I...>{r};
}

}  // namespace ks
