// knossos: running a program on numbers or SIMD batches. A program (ir.hpp) is fixed
// at compile time: every node, operand and storage slot is a constant, so running it is
// straight-line code, as a person would write it (no tape, no interpretation), and on
// plain numbers it is a constant expression. Docs: docs/scalar-functions.md
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <knossos/ir.hpp>

namespace ks::detail {

// A program in arrays of fixed capacity; the counts say how much of each is used.
template <std::size_t NN, std::size_t NO, std::size_t NI, std::size_t NB>
struct fixed_program {
  std::array<gnode, NN> nodes{};
  std::array<int, NO> outputs{};
  std::array<sched_item, NI> items{};
  std::array<sched_block, NB> blocks{};
  std::array<int, NN> slot_of{};
  int n_args = 0;
  int n_slots = 0;
  int n_vals = 0;
  int n_conds = 0;
  int n_heavy = 0;  // transcendental functions (cost 16 and up)
  std::size_t n_nodes = 0;
  std::size_t n_outputs = 0;
  std::size_t n_items = 0;
  std::size_t n_blocks = 0;

  constexpr bool fits() const { return n_nodes <= NN && n_outputs <= NO && n_items <= NI && n_blocks <= NB; }
  constexpr graph_view view() const {
    return {nodes.data(), static_cast<int>(n_nodes), outputs.data(), static_cast<int>(n_outputs), n_args};
  }
};

// A program with more transcendental functions than this calls their batch forms out of
// line: inlined, each is a hundred instructions or more, and the compilers' optimisers
// slow down more than linearly on one huge loop body (a function nested 150 deep with
// 30 sines took 35 s to compile for its vmap(vjp)). Below it they are inlined.
inline constexpr int heavy_cost = 16;
inline constexpr int heavy_inline_limit = 12;

template <op O, class V>
[[gnu::noinline]] V call_out_of_line(V const& x) {
  return op_def<O>::eval(x);
}

// The program Src::build() makes, scheduled, in arrays of capacity NN, NO, NI, NB (its
// counts are right even when it does not fit, and then nothing else is).
template <std::size_t NN, std::size_t NO, std::size_t NI, std::size_t NB, class Src>
constexpr fixed_program<NN, NO, NI, NB> fix_program() {
  graph g = Src::build();
  schedule s = make_schedule(g);
  fixed_program<NN, NO, NI, NB> p;
  p.n_nodes = g.nodes.size();
  p.n_outputs = g.outputs.size();
  p.n_items = s.items.size();
  p.n_blocks = s.blocks.size();
  if (!p.fits()) return p;
  for (std::size_t i = 0; i < p.n_nodes; ++i) {
    p.nodes[i] = g.nodes[i];
    p.slot_of[i] = s.slot_of[i];
    if (g.nodes[i].code != op::custom && info(g.nodes[i].code).cost >= heavy_cost) ++p.n_heavy;
  }
  for (std::size_t i = 0; i < p.n_outputs; ++i) p.outputs[i] = g.outputs[i];
  for (std::size_t i = 0; i < p.n_items; ++i) p.items[i] = s.items[i];
  for (std::size_t i = 0; i < p.n_blocks; ++i) p.blocks[i] = s.blocks[i];
  p.n_args = g.n_args;
  p.n_slots = g.n_slots;
  p.n_vals = s.n_vals;
  p.n_conds = s.n_conds;
  return p;
}

// C++20 cannot keep a constexpr vector, so a program is built into fixed arrays: first
// with a capacity that should hold it (spare elements cost the compilers almost
// nothing), and only when that does not fit, again at the sizes the first build counted.
// A source may estimate its size (Src::capacity: a derivative's from its function's).
inline constexpr std::size_t program_capacity = 1024;

template <class Src>
constexpr std::size_t capacity_of() {
  if constexpr (requires { Src::capacity; })
    return Src::capacity;
  else
    return program_capacity;
}

template <class Src, std::size_t C = capacity_of<Src>()>
struct first_build {
  static constexpr auto value = fix_program<C, 64, 2 * C, C / 2, Src>();
};

template <class Src, bool Fits = first_build<Src>::value.fits()>
struct compiled {
  static constexpr auto const& value = first_build<Src>::value;
};

template <class Src>
struct compiled<Src, false> {
  static constexpr auto const& counted = first_build<Src>::value;
  static constexpr auto value =
      fix_program<counted.n_nodes, counted.n_outputs, counted.n_items, counted.n_blocks, Src>();
};

// How a step reads an operand: a literal (its value is passed in, as a number or a
// condition), or a storage slot of values (arguments, run-time numbers and computed
// values, in that order) or of conditions.
enum class src : unsigned char { none, number, truth, value, cond };

struct operand_ref {
  src kind = src::none;
  int index = 0;
  long double lit = 0;
};

template <class Fixed>
constexpr operand_ref operand_of(Fixed const& p, int node) {
  gnode const& n = p.nodes[static_cast<std::size_t>(node)];
  if (n.code == op::lit) return {n.boolean ? src::truth : src::number, 0, n.value};
  if (n.code == op::arg) return {src::value, static_cast<int>(n.n), 0};
  if (n.code == op::slot) return {src::value, p.n_args + static_cast<int>(n.n), 0};
  int const slot = p.slot_of[static_cast<std::size_t>(node)];
  if (n.boolean) return {src::cond, slot, 0};
  return {src::value, p.n_args + p.n_slots + slot, 0};
}

// What one step of a program does, apart from where its operands and result live: the
// operation and the kinds of its operands. Steps of the same shape share one function
// (exec below) in every program of a translation unit; the slots and literals are its
// arguments, constants wherever it is inlined. A shape with code lit does nothing (the
// item is a block).
struct step_shape {
  op code = op::lit;
  int arity = 0;
  bool boolean = false;      // the result is a condition
  bool out_of_line = false;  // a transcendental function in a program with many (on batches)
  src s0 = src::none, s1 = src::none, s2 = src::none;
};

// One item of the schedule: a step, or (block >= 0) a nested block.
struct step {
  step_shape shape{};
  int block = -1;
  int out = 0;
  std::array<int, 3> in{};
  std::array<long double, 3> lit{};
  long long n = 0;  // integer exponent
  custom_desc const* desc = nullptr;
};

template <std::size_t NI, class Fixed>
constexpr std::array<step, NI> make_steps(Fixed const& p) {
  std::array<step, NI> r{};
  for (std::size_t t = 0; t < NI; ++t) {
    sched_item const it = p.items[t];
    step& s = r[t];
    if (it.block) {
      s.block = it.index;
      continue;
    }
    gnode const& n = p.nodes[static_cast<std::size_t>(it.index)];
    s.shape.code = n.code;
    s.shape.arity = n.arity();
    s.shape.boolean = n.boolean;
    s.shape.out_of_line = n.code != op::custom && n.code != op::opaque && s.shape.arity == 1 &&
                          p.n_heavy > heavy_inline_limit && info(n.code).cost >= heavy_cost;
    s.out = operand_of(p, it.index).index;
    s.n = n.n;
    s.desc = n.desc;
    int const k = n.code == op::custom ? 1 : s.shape.arity;  // a custom value is its operand 0
    src* kinds[3] = {&s.shape.s0, &s.shape.s1, &s.shape.s2};
    for (int j = 0; j < k && j < 3; ++j) {
      operand_ref const o = operand_of(p, n.arg[static_cast<std::size_t>(j)]);
      *kinds[j] = o.kind;
      s.in[static_cast<std::size_t>(j)] = o.index;
      s.lit[static_cast<std::size_t>(j)] = o.lit;
    }
  }
  return r;
}

template <class P>
struct program_steps {
  static constexpr auto value = make_steps<P::value.n_items>(P::value);
};

// The state of one run: values (arguments, run-time numbers, computed values) and
// conditions in their slots. V is a number type or a batch; M what comparing two V gives.
template <class P, class V>
struct machine {
  using value = V;
  using M = decltype(std::declval<V>() < std::declval<V>());
  std::array<V, static_cast<std::size_t>(P::value.n_args + P::value.n_slots + P::value.n_vals)> v{};
  std::array<M, static_cast<std::size_t>(P::value.n_conds)> c{};
};

template <src K, class Mach, class T>
KS_INLINE constexpr decltype(auto) read(Mach const& m, int i, T lit) {
  using V = typename Mach::value;
  using M = typename Mach::M;
  if constexpr (K == src::number)
    return V(lit);
  else if constexpr (K == src::truth)
    return M(lit != 0);
  else if constexpr (K == src::cond)
    return m.c[static_cast<std::size_t>(i)];
  else
    return m.v[static_cast<std::size_t>(i)];
}

// An opaque function on V: the C++ function itself, lane by lane on batches.
template <class V, std::size_t K, class T>
V call_opaque(T (*scalar)(T const*), std::array<V, K> const& x) {
  if constexpr (is_batch_v<V>) {
    alignas(64) T lanes[K][V::size];
    for (std::size_t k = 0; k < K; ++k) x[k].store_aligned(lanes[k]);
    alignas(64) T out[V::size];
    for (std::size_t i = 0; i < V::size; ++i) {
      T args[K + 1];
      for (std::size_t k = 0; k < K; ++k) args[k] = lanes[k][i];
      out[i] = scalar(args);
    }
    return V::load_aligned(out);
  } else {
    return scalar(x.data());
  }
}

template <class T>
constexpr auto opaque_call(custom_desc const* d) {
  if constexpr (std::is_same_v<T, float>)
    return d ? d->f32 : nullptr;
  else if constexpr (std::is_same_v<T, double>)
    return d ? d->f64 : nullptr;
  else
    return d ? d->f80 : nullptr;
}

// The value of one step of shape S, its operands read from m (slots i0, i1, i2) or
// given (literals l0, l1, l2).
template <step_shape S, class Mach, class T>
KS_INLINE constexpr auto compute([[maybe_unused]] Mach const& m, [[maybe_unused]] int i0, [[maybe_unused]] int i1,
                                 [[maybe_unused]] int i2, [[maybe_unused]] T l0, [[maybe_unused]] T l1,
                                 [[maybe_unused]] T l2, [[maybe_unused]] long long n,
                                 [[maybe_unused]] std::type_identity_t<T (*)(T const*)> fn) {
  using V = typename Mach::value;
  using M = typename Mach::M;
#define KS_OPERAND(J) detail::read<S.s##J>(m, i##J, l##J)
  if constexpr (S.code == op::custom) {
    return V(KS_OPERAND(0));
  } else if constexpr (S.code == op::opaque) {
    if constexpr (S.arity == 1)
      return detail::call_opaque<V>(fn, std::array<V, 1>{KS_OPERAND(0)});
    else if constexpr (S.arity == 2)
      return detail::call_opaque<V>(fn, std::array<V, 2>{KS_OPERAND(0), KS_OPERAND(1)});
    else
      return detail::call_opaque<V>(fn, std::array<V, 3>{KS_OPERAND(0), KS_OPERAND(1), KS_OPERAND(2)});
  } else if constexpr (S.code == op::select) {
    if constexpr (S.boolean) {
      M const& k = KS_OPERAND(0);
      return M((k && KS_OPERAND(1)) || (!k && KS_OPERAND(2)));
    } else {
      return op_def<op::select>::eval(KS_OPERAND(0), KS_OPERAND(1), KS_OPERAND(2));
    }
  } else if constexpr (S.code == op::ipow) {
    if constexpr (S.arity == 1) {
      return op_def<op::ipow>::power(V(KS_OPERAND(0)), n);
    } else {
      V const& e = KS_OPERAND(1);
      long long ee = 0;
      if constexpr (is_batch_v<V>)
        ee = static_cast<long long>(e.get(0));
      else
        ee = static_cast<long long>(e);
      return op_def<op::ipow>::power(V(KS_OPERAND(0)), ee);
    }
  } else if constexpr (S.arity == 1) {
    if constexpr (is_batch_v<V> && S.out_of_line)
      return detail::call_out_of_line<S.code, V>(KS_OPERAND(0));
    else
      return op_def<S.code>::eval(KS_OPERAND(0));
  } else if constexpr (S.arity == 2) {
    return op_def<S.code>::eval(KS_OPERAND(0), KS_OPERAND(1));
  } else {
    return op_def<S.code>::eval(KS_OPERAND(0), KS_OPERAND(1), KS_OPERAND(2));
  }
#undef KS_OPERAND
}

// One step of shape S: its value stored in slot `out` (of values or of conditions).
template <step_shape S, class Mach, class T>
KS_INLINE constexpr void exec(Mach& m, int out, int i0, int i1, int i2, T l0, T l1, T l2, long long n,
                              std::type_identity_t<T (*)(T const*)> fn) {
  if constexpr (S.code == op::lit)
    return;
  else if constexpr (S.boolean)
    m.c[static_cast<std::size_t>(out)] = detail::compute<S>(m, i0, i1, i2, l0, l1, l2, n, fn);
  else
    m.v[static_cast<std::size_t>(out)] = detail::compute<S>(m, i0, i1, i2, l0, l1, l2, n, fn);
}

template <class P, int B, class Mach>
constexpr void run_block(Mach& m);

// Nested block B, run when its condition holds (on batches: for some lane, or always
// when it is cheap, then blended by the selects after it). B < 0: nothing.
template <class P, int B, class Mach>
KS_INLINE constexpr void run_guarded(Mach& m) {
  if constexpr (B >= 0) {
    using T = scalar_of_t<typename Mach::value>;
    constexpr sched_block blk = P::value.blocks[static_cast<std::size_t>(B)];
    constexpr operand_ref r = operand_of(P::value, blk.cond);
    auto const& c = detail::read<r.kind>(m, r.index, static_cast<T>(r.lit));
    if constexpr (is_batch_bool_v<decltype(c)>) {
      if constexpr (blk.batch_guard) {
        if (blk.side ? xsimd::any(c) : !xsimd::all(c)) run_block<P, B>(m);
      } else {
        run_block<P, B>(m);
      }
    } else {
      if (static_cast<bool>(c) == blk.side) run_block<P, B>(m);
    }
  }
}

// The parts of step t of P, as numbers: a call of one of these with constant arguments
// is folded by the front end (reading P's array directly would leave loads from it to
// the optimiser, and make the array part of the object file).
enum class part { block, out, in0, in1, in2 };
template <class P>
constexpr int step_part(int t, part f) {
  step const& s = program_steps<P>::value[static_cast<std::size_t>(t)];
  switch (f) {
    case part::block: return s.block;
    case part::out: return s.out;
    case part::in0: return s.in[0];
    case part::in1: return s.in[1];
    default: return s.in[2];
  }
}
template <class P>
constexpr long long step_exponent(int t) {
  return program_steps<P>::value[static_cast<std::size_t>(t)].n;
}
template <class P, class T>
constexpr T step_literal(int t, int j) {
  return static_cast<T>(program_steps<P>::value[static_cast<std::size_t>(t)].lit[static_cast<std::size_t>(j)]);
}
template <class P, class T>
constexpr auto step_function(int t) {
  return detail::opaque_call<T>(program_steps<P>::value[static_cast<std::size_t>(t)].desc);
}

// Items [First, First + sizeof...(K)) of the schedule, in one fold: a step is a call of
// the function of its shape, a block a call of run_guarded. (The conditional names both
// for every item; the untaken one is a no-op shared by all items.)
template <class P, int First, class Mach, int... K>
KS_INLINE constexpr void run_steps(Mach& m, std::integer_sequence<int, K...>) {
  using T = scalar_of_t<typename Mach::value>;
  constexpr auto const& s = program_steps<P>::value;
  ((std::bool_constant<(s[First + K].block >= 0)>::value
        ? detail::run_guarded<P, s[First + K].block, Mach>(m)
        : detail::exec<s[First + K].shape>(
              m, step_part<P>(First + K, part::out), step_part<P>(First + K, part::in0),
              step_part<P>(First + K, part::in1), step_part<P>(First + K, part::in2),
              step_literal<P, T>(First + K, 0), step_literal<P, T>(First + K, 1), step_literal<P, T>(First + K, 2),
              step_exponent<P>(First + K), step_function<P, T>(First + K))),
   ...);
}

// Items [First, First + Count) as folds of at most 64 (compilers limit how deep one
// fold expression may nest), grouped again by 64 above that.
template <class P, int First, int Count, class Mach>
constexpr void run_items(Mach& m);

template <class P, int First, int Chunk, int Count, class Mach, int... C>
KS_INLINE constexpr void run_chunks(Mach& m, std::integer_sequence<int, C...>) {
  (detail::run_items<P, First + C * Chunk, (Count - C * Chunk < Chunk ? Count - C * Chunk : Chunk)>(m), ...);
}

template <class P, int First, int Count, class Mach>
KS_INLINE constexpr void run_items(Mach& m) {
  if constexpr (Count <= 64) {
    detail::run_steps<P, First>(m, std::make_integer_sequence<int, Count>{});
  } else {
    constexpr int chunk = [] {
      int c = 64;
      while (c * 64 < Count) c *= 64;
      return c;
    }();
    detail::run_chunks<P, First, chunk, Count>(m, std::make_integer_sequence<int, (Count + chunk - 1) / chunk>{});
  }
}

template <class P, int B, class Mach>
constexpr void run_block(Mach& m) {
  constexpr sched_block blk = P::value.blocks[static_cast<std::size_t>(B)];
  detail::run_items<P, blk.first, blk.count>(m);
}

// Output O of program P.
template <class P, std::size_t O, class Mach>
KS_INLINE constexpr auto output(Mach const& m) {
  using T = scalar_of_t<typename Mach::value>;
  constexpr operand_ref r = operand_of(P::value, P::value.outputs[O]);
  return detail::read<r.kind>(m, r.index, static_cast<T>(r.lit));
}

// Run program P on arguments of type V (numbers: the run-time constants). One output is
// returned as it is, several as a std::tuple.
template <class P, class V, class... A>
constexpr auto run(long double const* numbers, A const&... args) {
  machine<P, V> m;
  std::size_t k = 0;
  ((m.v[k++] = args), ...);
  for (std::size_t i = 0; i < static_cast<std::size_t>(P::value.n_slots); ++i) m.v[k + i] = detail::number_as<V>(numbers[i]);
  if constexpr (!P::value.blocks.empty()) run_block<P, 0>(m);
  return [&]<std::size_t... O>(std::index_sequence<O...>) {
    if constexpr (sizeof...(O) == 1)
      return detail::output<P, 0>(m);
    else
      return std::tuple{detail::output<P, O>(m)...};
  }(std::make_index_sequence<P::value.n_outputs>{});
}

}  // namespace ks::detail
