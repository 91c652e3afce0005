// knossos: knossos functions. ks::lift(f) turns a scalar generic lambda into one; every
// transformation (grad, vjp, vmap, ...) starts from it. A knossos function of N
// arguments has a program: a graph built once at compile time, pruned and scheduled
// (ir.hpp), which eval.hpp runs on numbers or batches. Docs: docs/scalar-functions.md
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include <knossos/eval.hpp>
#include <knossos/expr.hpp>

namespace ks::detail {

// Base of every callable knossos returns (lift, grad, vjp, ...). K (the derived type)
// provides, for N arguments:
//   accepts<N>          can it be called with N arguments;
//   outputs<N>          how many values it returns;
//   compile_time<N>     is its graph built by a compile-time trace of a default-
//                       constructed K (true unless it holds run-time values);
//   trace_into<N>(b, args) const   its graph appended to builder b, args bound to nodes
//                                  (from this object: at compile time or at run time);
//   static_into<N>(b, args)        the same from K's type alone (run-time values become
//                                  slots), used when compile_time<N> is false;
//   numbers<N>(out) const          those slots' run-time values, in order;
//   check<N>()                     static_asserts with what to write instead.
template <class K>
struct kfunction;

struct function_tag {};

template <class F>
concept knossos_function = std::derived_from<std::remove_cvref_t<F>, function_tag>;

template <class F>
concept callable_object = std::is_class_v<std::remove_cvref_t<F>>;

template <class T>
struct is_std_tuple : std::false_type {};
template <class... T>
struct is_std_tuple<std::tuple<T...>> : std::true_type {};
template <class T>
inline constexpr bool is_std_tuple_v = is_std_tuple<std::remove_cvref_t<T>>::value;

// The graph of K with N arguments, the way K builds it.
template <class K, std::size_t N>
constexpr std::vector<int> static_graph_into(builder& b, int const* args) {
  if constexpr (K::template compile_time<N>)
    return K{}.template trace_into<N>(b, args);
  else
    return K::template static_into<N>(b, args);
}

template <class K, std::size_t N>
struct program_source {
  // A transformation's program is a small multiple of its function's (K::growth).
  static constexpr std::size_t capacity = [] {
    if constexpr (requires { K::template growth<N>; }) {
      using F = typename K::function_type;
      return K::template growth<N> * compiled<program_source<F, K::template inner_arity<N>>>::value.n_nodes + 64;
    } else {
      return program_capacity;
    }
  }();

  static constexpr graph build() {
    if constexpr (requires { K::template own_graph<N>(); }) {
      return K::template own_graph<N>();  // a transformation's graph is built pruned
    } else {
      builder b;
      std::array<int, N + 1> args{};
      for (std::size_t i = 0; i < N; ++i) args[i] = b.arg(static_cast<int>(i));
      b.g.outputs = detail::static_graph_into<K, N>(b, args.data());
      return prune(b.g);
    }
  }
};

template <class K, std::size_t N>
using program_t = compiled<program_source<K, N>>;

// The evaluation context for arguments a...: their common concrete type.
template <class... A>
using context_t = common_concrete_t<A...>;

// A graph built in its own builder with N arguments by `inner`, transformed by `body`
// (which returns the new outputs), then appended to b with args bound.
template <std::size_t N, class Inner, class Body>
constexpr graph transformed_graph(Inner const& inner, Body const& body) {
  diff_builder d{graph{}};
  std::array<int, N + 1> own{};
  for (std::size_t i = 0; i < N; ++i) own[i] = d.arg(static_cast<int>(i));
  d.g.outputs = body(d, own.data(), inner);
  return prune(d.g);
}

template <std::size_t N, class Inner, class Body>
constexpr std::vector<int> transformed(builder& b, int const* args, Inner const& inner, Body const& body) {
  graph g = transformed_graph<N>(inner, body);
  graph_view v{g.nodes.data(), static_cast<int>(g.nodes.size()), g.outputs.data(), static_cast<int>(g.outputs.size()),
               g.n_args};
  return inline_program(b, v, args, b.g.n_slots);
}

template <class K>
struct kfunction : function_tag {
  // Call with numbers or batches (evaluate), tracers (record) or trees (build a node).
  template <class... A>
  constexpr auto operator()(A const&... a) const {
    static_assert(((operand<A> || concrete<A>) && ...),
                  "knossos: arguments must be numbers, xsimd batches or traced values");
    constexpr std::size_t n = sizeof...(A);
    static_assert(K::template accepts<n>,
                  "knossos: the function cannot be called with this many arguments, or its "
                  "parameters are not `auto` (write [](auto x, auto y) { ... })");
    if constexpr (K::template accepts<n>) {
      K const& self = static_cast<K const&>(*this);
      constexpr std::size_t outs = K::template outputs<n>;
      if constexpr (any_tracer<A...>) {
        builder* b = builder_of(a...);
        std::array<int, n + 1> ids{detail::node_of(*b, a)...};
        auto r = self.template trace_into<n>(*b, ids.data());
        return [&]<std::size_t... O>(std::index_sequence<O...>) {
          if constexpr (outs == 1)
            return tracer{{}, b, r[0]};
          else
            return std::tuple{tracer{{}, b, r[O]}...};
        }(std::make_index_sequence<outs>{});
      } else if constexpr (any_tree<A...>) {
        return [&]<std::size_t... O>(std::index_sequence<O...>) {
          if constexpr (outs == 1)
            return node<call_tag<K, 0>, wrapped_t<A>...>(call_tag<K, 0>{self}, detail::wrap(a)...);
          else
            return std::tuple{node<call_tag<K, O>, wrapped_t<A>...>(call_tag<K, O>{self}, detail::wrap(a)...)...};
        }(std::make_index_sequence<outs>{});
      } else {
        K::template check<n>();
        using P = program_t<K, n>;
        using V = context_t<A...>;
        std::array<long double, P::value.n_slots + 1> numbers{};
        if constexpr (P::value.n_slots > 0) {
          long double* out = numbers.data();
          self.template numbers<n>(out);
        }
        // Returned as a copy (what the code did while results went through a shaping
        // hook): with the result returned directly, g++ 12 -O3 gave huber's vjp in
        // double one instruction more per batch, over bench.icount's bound.
        auto const r = detail::run<P, V>(numbers.data(), detail::to_concrete<V>(a)...);
        return r;
      }
    }
  }

  template <std::size_t N>
  static constexpr void check() {}
  template <std::size_t N>
  constexpr void numbers(long double*&) const {}
};

// A call of a knossos function inside a tree: its graph inlined, its numbers appended.
template <class K, std::size_t Out, class... A>
struct tree_to_graph<node<call_tag<K, Out>, A...>> {
  static constexpr int into(builder& b, int const* args) {
    std::array<int, sizeof...(A) + 1> ids{};
    std::size_t k = 0;
    ((ids[k++] = tree_to_graph<A>::into(b, args)), ...);
    return detail::static_graph_into<K, sizeof...(A)>(b, ids.data())[Out];
  }
};

// ---------------------------------------------------------------------------------
// ks::lift: the knossos function of a plain callable.

template <class F, std::size_t... I>
constexpr auto call_with_tracers(F const& f, builder& b, int const* args, std::index_sequence<I...>) {
  return f(tracer{{}, &b, args[I]}...);
}

template <class F, std::size_t N>
constexpr int probe_trace() {
  builder b;
  std::array<int, N + 1> args{};
  for (std::size_t i = 0; i < N; ++i) args[i] = b.arg(static_cast<int>(i));
  (void)detail::call_with_tracers(F{}, b, args.data(), std::make_index_sequence<N>{});
  return 1;
}
template <int>
struct constant_probe {};

// A function object with one call operator that is not a template: a lambda whose
// parameters are not `auto`. It would take traced values through their conversion to
// double (expr.hpp) and compute a number, so it is not called with them.
template <class F>
concept plain_call = requires { &F::operator(); };

template <class F, class Seq>
struct invocable_with;
template <class F, std::size_t... I>
struct invocable_with<F, std::index_sequence<I...>> {
  template <std::size_t>
  using tracer_t = tracer;
  static constexpr bool tracers = !plain_call<F> && std::is_invocable_v<F const&, tracer_t<I>...>;
  static constexpr bool trees = !plain_call<F> && std::is_invocable_v<F const&, var<I>...>;
};

// Can F be traced at compile time with N arguments: it holds nothing (a lambda without
// captures) and its body is a constant expression on tracers.
template <class F, std::size_t N>
constexpr bool compile_time_traceable() {
  if constexpr (std::is_empty_v<F> && std::is_default_constructible_v<F> &&
                invocable_with<F, std::make_index_sequence<N>>::tracers)
    return requires { typename constant_probe<detail::probe_trace<F, N>()>; };
  else
    return false;
}

// What a function may return: a number or a traced value, or several in a std::tuple.
template <class R>
struct valid_result : std::bool_constant<operand<R>> {};
template <class... R>
struct valid_result<std::tuple<R...>> : std::bool_constant<(operand<R> && ...)> {};

// The outputs of a traced result: one node, or a std::tuple of them.
template <class R>
constexpr std::vector<int> result_nodes(builder& b, R const& r) {
  std::vector<int> out;
  auto one = [&](auto const& x) {
    using X = std::remove_cvref_t<decltype(x)>;
    if constexpr (is_tracer_v<X>)
      out.push_back(x.id);
    else if constexpr (operand<X>)
      out.push_back(detail::node_of(b, x));
    else
      out.push_back(b.lit(0));  // refused by result_arity, which runs first
  };
  if constexpr (is_std_tuple_v<R>)
    std::apply([&](auto const&... x) { (one(x), ...); }, r);
  else
    one(r);
  return out;
}
template <class R>
constexpr std::size_t result_arity() {
  static_assert(valid_result<std::remove_cvref_t<R>>::value,
                "knossos: a function returns a number or a traced value, or several of them as a flat std::tuple: "
                "write return std::tuple{a, b}; (not std::pair, nor a tuple of tuples)");
  if constexpr (is_std_tuple_v<R>)
    return std::tuple_size_v<std::remove_cvref_t<R>>;
  else
    return 1;
}

template <class F>
struct lifted : kfunction<lifted<F>> {
  [[no_unique_address]] F f;

  template <std::size_t N>
  static constexpr bool compile_time = detail::compile_time_traceable<F, N>();

  // (Callable with trees is asked only when it must be: asking instantiates the body,
  // and a body written for tracers, with loops or updates, does not compile on trees.)
  template <std::size_t N>
  static constexpr bool accepts = [] {
    if constexpr (invocable_with<F, std::make_index_sequence<N>>::tracers)
      return true;
    else
      return invocable_with<F, std::make_index_sequence<N>>::trees;
  }();

  template <std::size_t N>
  static constexpr auto tree_of(F const& f) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) { return f(var<I>{}...); }(std::make_index_sequence<N>{});
  }

  template <std::size_t N>
  static constexpr std::size_t outputs = [] {
    if constexpr (invocable_with<F, std::make_index_sequence<N>>::tracers)
      return result_arity<decltype(detail::call_with_tracers(std::declval<F const&>(), std::declval<builder&>(),
                                                             nullptr, std::make_index_sequence<N>{}))>();
    else
      return result_arity<decltype(tree_of<N>(std::declval<F const&>()))>();
  }();

  template <std::size_t N>
  constexpr std::vector<int> trace_into(builder& b, int const* args) const {
    if constexpr (invocable_with<F, std::make_index_sequence<N>>::tracers)
      return result_nodes(b, detail::call_with_tracers(f, b, args, std::make_index_sequence<N>{}));
    else
      return static_into<N>(b, args);
  }

  template <std::size_t N>
  static constexpr std::vector<int> static_into(builder& b, int const* args) {
    using R = decltype(tree_of<N>(std::declval<F const&>()));
    std::vector<int> out;
    auto one = [&]<class X>(std::type_identity<X>) {
      if constexpr (is_tree_v<X>)
        out.push_back(tree_to_graph<X>::into(b, args));
      else
        out.push_back(b.slot());  // a number the function returned as it is
    };
    if constexpr (is_std_tuple_v<R>)
      [&]<class... X>(std::type_identity<std::tuple<X...>>) { (one(std::type_identity<X>{}), ...); }(
          std::type_identity<R>{});
    else
      one(std::type_identity<R>{});
    return out;
  }

  template <std::size_t N>
  constexpr void numbers(long double*& out) const {
    if constexpr (!compile_time<N>) {
      auto r = tree_of<N>(f);
      auto one = [&](auto const& x) {
        if constexpr (is_tree_v<decltype(x)>)
          detail::tree_numbers(x, out);
        else
          *out++ = static_cast<long double>(x);
      };
      if constexpr (is_std_tuple_v<decltype(r)>)
        std::apply([&](auto const&... x) { (one(x), ...); }, r);
      else
        one(r);
    }
  }
};

// The smallest number of arguments f can be called with (max_arity + 1 if none).
inline constexpr std::size_t max_arity = 16;
template <class F, std::size_t N = 0>
constexpr std::size_t arity_of() {
  if constexpr (N > max_arity)
    return N;
  else if constexpr (std::remove_cvref_t<F>::template accepts<N>)
    return N;
  else
    return arity_of<F, N + 1>();
}

}  // namespace ks::detail

namespace ks {

/// The knossos function of a scalar generic lambda: it is traced, so literals are weak,
/// locals are shared, `select` is branch-aware, and it runs on numbers, batches and
/// traced values. A knossos function is returned unchanged. Docs: docs/scalar-functions.md
template <class F>
constexpr auto lift(F const& f) {
  static_assert(detail::callable_object<F>,
                "ks::lift: expected a function object, e.g. a generic lambda [](auto x) { ... }");
  if constexpr (detail::knossos_function<F>)
    return f;
  else
    return detail::lifted<F>{{}, f};
}

}  // namespace ks
