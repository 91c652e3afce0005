// knossos: running a program on numbers or SIMD batches. A program (ir.hpp) is fixed
// at compile time: every node, operand and storage slot is a constant, so running it is
// straight-line code, as a person would write it (no tape, no interpretation), and on
// plain numbers it is a constant expression. Docs: docs/scalar-functions.md
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
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

// The state of one run: values and conditions in their slots, arguments, run-time
// numbers. V is a number type or a batch; M what comparing two V gives.
template <class P, class V>
struct machine {
  using value = V;
  using M = decltype(std::declval<V>() < std::declval<V>());
  std::array<V, static_cast<std::size_t>(P::value.n_vals)> v{};
  std::array<M, static_cast<std::size_t>(P::value.n_conds)> c{};
  std::array<V, static_cast<std::size_t>(P::value.n_args)> a{};
  std::array<V, static_cast<std::size_t>(P::value.n_slots)> s{};
};

template <class P, int I, class Mach>
constexpr decltype(auto) get(Mach const& m) {
  constexpr gnode n = P::value.nodes[static_cast<std::size_t>(I)];
  using M = typename Mach::M;
  using V = typename Mach::value;
  if constexpr (n.code == op::lit) {
    if constexpr (n.boolean)
      return M(n.value != 0);
    else
      return detail::number_as<V>(n.value);
  } else if constexpr (n.code == op::arg) {
    return m.a[static_cast<std::size_t>(n.n)];
  } else if constexpr (n.code == op::slot) {
    return m.s[static_cast<std::size_t>(n.n)];
  } else if constexpr (n.boolean) {
    return m.c[static_cast<std::size_t>(P::value.slot_of[static_cast<std::size_t>(I)])];
  } else {
    return m.v[static_cast<std::size_t>(P::value.slot_of[static_cast<std::size_t>(I)])];
  }
}

// An opaque function on V: the C++ function itself, lane by lane on batches.
template <class V, std::size_t K>
V call_opaque(custom_desc const& d, std::array<V, K> const& x) {
  using T = scalar_of_t<V>;
  auto scalar = [&](T const* args) -> T {
    if constexpr (std::is_same_v<T, float>)
      return d.f32(args);
    else if constexpr (std::is_same_v<T, double>)
      return d.f64(args);
    else
      return d.f80(args);
  };
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

template <class P, int I, class Mach>
constexpr void run_node(Mach& m) {
  constexpr gnode n = P::value.nodes[static_cast<std::size_t>(I)];
  constexpr int k = n.arity();
  using M = typename Mach::M;
  using V = typename Mach::value;
  auto result = [&] {
    if constexpr (n.code == op::custom) {
      return get<P, n.arg[0]>(m);
    } else if constexpr (n.code == op::opaque) {
      return [&]<int... J>(std::integer_sequence<int, J...>) {
        return detail::call_opaque<V>(*n.desc, std::array<V, sizeof...(J)>{get<P, n.arg[J]>(m)...});
      }(std::make_integer_sequence<int, k>{});
    } else if constexpr (n.code == op::select) {
      if constexpr (n.boolean) {
        M const& c = get<P, n.arg[0]>(m);
        return M((c && get<P, n.arg[1]>(m)) || (!c && get<P, n.arg[2]>(m)));
      } else {
        return op_def<op::select>::eval(get<P, n.arg[0]>(m), get<P, n.arg[1]>(m), get<P, n.arg[2]>(m));
      }
    } else if constexpr (n.code == op::ipow) {
      if constexpr (k == 1) {
        return op_def<op::ipow>::power(V(get<P, n.arg[0]>(m)), n.n);
      } else {
        auto e = get<P, n.arg[1]>(m);
        long long ee = 0;
        if constexpr (is_batch_v<V>)
          ee = static_cast<long long>(e.get(0));
        else
          ee = static_cast<long long>(e);
        return op_def<op::ipow>::power(V(get<P, n.arg[0]>(m)), ee);
      }
    } else if constexpr (k == 1) {
      if constexpr (is_batch_v<V> && P::value.n_heavy > heavy_inline_limit && info(n.code).cost >= heavy_cost)
        return detail::call_out_of_line<n.code, V>(get<P, n.arg[0]>(m));
      else
        return op_def<n.code>::eval(get<P, n.arg[0]>(m));
    } else if constexpr (k == 2) {
      return op_def<n.code>::eval(get<P, n.arg[0]>(m), get<P, n.arg[1]>(m));
    } else {
      return op_def<n.code>::eval(get<P, n.arg[0]>(m), get<P, n.arg[1]>(m), get<P, n.arg[2]>(m));
    }
  }();
  constexpr auto slot = static_cast<std::size_t>(P::value.slot_of[static_cast<std::size_t>(I)]);
  if constexpr (n.boolean)
    m.c[slot] = result;
  else
    m.v[slot] = result;
}

template <class P, int B, class Mach>
constexpr void run_block(Mach& m);

template <class P, int T, class Mach>
constexpr void run_item(Mach& m) {
  constexpr sched_item it = P::value.items[static_cast<std::size_t>(T)];
  if constexpr (it.block) {
    constexpr sched_block blk = P::value.blocks[static_cast<std::size_t>(it.index)];
    auto const& c = get<P, blk.cond>(m);
    if constexpr (is_batch_bool_v<decltype(c)>) {
      if constexpr (blk.batch_guard) {
        if (blk.side ? xsimd::any(c) : !xsimd::all(c)) run_block<P, it.index>(m);
      } else {
        run_block<P, it.index>(m);
      }
    } else {
      if (static_cast<bool>(c) == blk.side) run_block<P, it.index>(m);
    }
  } else {
    run_node<P, it.index>(m);
  }
}

// f.operator()<I>() for I in [First, First + Count), as nested folds of at most 64
// (compilers limit how deep one fold expression may nest).
template <int First, int Count, class F>
constexpr void for_each_index(F const& f) {
  if constexpr (Count <= 64) {
    [&]<int... K>(std::integer_sequence<int, K...>) {
      (f.template operator()<First + K>(), ...);
    }(std::make_integer_sequence<int, Count>{});
  } else {
    constexpr int chunk = [] {
      int c = 64;
      while (c * 64 < Count) c *= 64;
      return c;
    }();
    [&]<int... C>(std::integer_sequence<int, C...>) {
      (detail::for_each_index<First + C * chunk, (Count - C * chunk < chunk ? Count - C * chunk : chunk)>(f), ...);
    }(std::make_integer_sequence<int, (Count + chunk - 1) / chunk>{});
  }
}

template <class P, int B, class Mach>
constexpr void run_block(Mach& m) {
  constexpr sched_block blk = P::value.blocks[static_cast<std::size_t>(B)];
  detail::for_each_index<blk.first, blk.count>([&]<int T>() { run_item<P, T>(m); });
}

// Run program P on arguments of type V (numbers: the run-time constants). One output is
// returned as it is, several as a std::tuple.
template <class P, class V, class... A>
constexpr auto run(long double const* numbers, A const&... args) {
  machine<P, V> m;
  std::size_t k = 0;
  ((m.a[k++] = args), ...);
  for (std::size_t i = 0; i < m.s.size(); ++i) m.s[i] = detail::number_as<V>(numbers[i]);
  if constexpr (!P::value.blocks.empty()) run_block<P, 0>(m);
  return [&]<std::size_t... O>(std::index_sequence<O...>) {
    if constexpr (sizeof...(O) == 1)
      return get<P, P::value.outputs[0]>(m);
    else
      return std::tuple{get<P, P::value.outputs[O]>(m)...};
  }(std::make_index_sequence<P::value.n_outputs>{});
}

}  // namespace ks::detail
