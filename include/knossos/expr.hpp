// knossos: traced values. A generic lambda called with traced arguments records its
// body instead of computing it. Two kinds exist:
//  - `tracer`, used at compile time for functions that hold no run-time state (the
//    common case: every plain lambda): each operation appends a node to a constexpr
//    graph (ir.hpp), so locals are shared and loops unroll;
//  - expression trees (`var`, `constant`, `node`), for functions that capture run-time
//    values: the structure is the type, captured numbers are read at run time.
// Docs: docs/scalar-functions.md
#pragma once

#include <concepts>
#include <tuple>
#include <utility>

#include <knossos/ir.hpp>

namespace ks::detail {

// Every traced type derives from expr_tag. Branching on one with `if`, `?:` or a
// conversion to bool is a trace-time error: the branch would be chosen once, for all
// inputs, while tracing.
struct expr_tag {
  template <class T = void>
  explicit constexpr operator bool() const {
    static_assert(always_false<T>,
                  "knossos: cannot branch on a traced value (if, ?:, bool conversion); "
                  "write ks::select(cond, a, b) instead");
    return false;
  }
  // std::exp(x) on a traced x: <cmath> has no overload for it, and the compilers would
  // list every one they tried (two hundred lines) without naming the fix. Through this
  // conversion std::exp(double) is the one chosen, and this message the first error.
  // (operator bool above stays the better match for a condition.)
  template <class T = void>
  constexpr operator double() const {
    static_assert(always_false<T>,
                  "knossos: a traced value is not a number: use ks::exp, ks::sqrt, ks::pow, ... instead of std::exp, "
                  "std::sqrt, std::pow, ... (<cmath> cannot take it)");
    return 0;
  }
};

template <class T>
concept traced = std::derived_from<std::remove_cvref_t<T>, expr_tag>;

// A traced value during a compile-time trace: node `id` of the graph being built.
struct tracer : expr_tag {
  builder* b = nullptr;
  int id = -1;

  // A traced local may be reassigned (y = y * x, y += x): the trace simply continues.
  constexpr tracer& operator+=(auto const& o);
  constexpr tracer& operator-=(auto const& o);
  constexpr tracer& operator*=(auto const& o);
  constexpr tracer& operator/=(auto const& o);
};

template <class T>
inline constexpr bool is_tracer_v = std::is_same_v<std::remove_cvref_t<T>, tracer>;
template <class... T>
inline constexpr bool any_tracer = (is_tracer_v<T> || ...);

// ---------------------------------------------------------------------------------
// Expression trees, for functions with run-time state (see lift.hpp).

// Placeholder for argument I.
template <std::size_t I>
struct var : expr_tag {
  static constexpr std::size_t index = I;
};

// A number from user code, read at run time (a captured value). Weak: it takes the
// type of the values it meets.
template <class T>
struct constant : expr_tag {
  T value{};
  constexpr constant() = default;
  constexpr explicit constant(T v) : value(v) {}
};

// The operation of a tree node: a registry op, or a call of a knossos function K
// (output `Out` of it), which the tree holds by value.
template <op O>
struct op_tag {};
template <class K, std::size_t Out>
struct call_tag {
  K k;
};

template <class Tag, class... Args>
struct node : expr_tag {
  [[no_unique_address]] Tag tag;
  std::tuple<Args...> args;
  constexpr node() = default;
  constexpr explicit node(Tag t, Args... a) : tag(std::move(t)), args(std::move(a)...) {}
};

template <class T>
struct is_tree : std::false_type {};
template <std::size_t I>
struct is_tree<var<I>> : std::true_type {};
template <class T>
struct is_tree<constant<T>> : std::true_type {};
template <class Tag, class... A>
struct is_tree<node<Tag, A...>> : std::true_type {};
template <class T>
inline constexpr bool is_tree_v = is_tree<std::remove_cvref_t<T>>::value;
template <class... T>
inline constexpr bool any_tree = (is_tree_v<T> || ...);

// What may appear as an operand of a traced operation.
template <class T>
concept operand = traced<T> || std::is_arithmetic_v<std::remove_cvref_t<T>>;

template <class T>
constexpr auto wrap(T const& x) {
  if constexpr (traced<T>)
    return x;
  else
    return constant<T>(x);
}
template <class T>
using wrapped_t = decltype(detail::wrap(std::declval<T>()));

// ---------------------------------------------------------------------------------
// Recording operations.

template <class... A>
constexpr builder* builder_of(A const&... a) {
  builder* b = nullptr;
  ((b = b ? b : [&]() -> builder* {
     if constexpr (is_tracer_v<A>)
       return a.b;
     else
       return nullptr;
   }()),
   ...);
  return b;
}

// The node of x in b: a tracer's own, or a literal.
template <class T>
constexpr int node_of(builder& b, T const& x) {
  if constexpr (is_tracer_v<T>)
    return x.id;
  else if constexpr (std::is_same_v<T, bool>)
    return b.boolean(x);
  else
    return b.lit(static_cast<long double>(x), std::is_same_v<T, long double>);
}

// Apply registry op O: record it (tracer), build a tree node (trees), or compute it.
template <op O, class... A>
constexpr auto apply_op(A const&... a) {
  if constexpr (any_tracer<A...>) {
    static_assert(!any_tree<A...>, "knossos: values from two different traces were combined");
    builder* b = builder_of(a...);
    int ids[] = {detail::node_of(*b, a)...};
    if constexpr (sizeof...(A) == 1)
      return tracer{{}, b, b->node(O, ids[0])};
    else if constexpr (sizeof...(A) == 2)
      return tracer{{}, b, b->node(O, ids[0], ids[1])};
    else
      return tracer{{}, b, b->node(O, ids[0], ids[1], ids[2])};
  } else if constexpr (any_tree<A...>) {
    return node<op_tag<O>, wrapped_t<A>...>(op_tag<O>{}, detail::wrap(a)...);
  } else {
    using V = common_concrete_t<A...>;
    return op_def<O>::eval(detail::to_concrete<V>(a)...);
  }
}

constexpr tracer& tracer::operator+=(auto const& o) { return *this = detail::apply_op<op::add>(*this, o); }
constexpr tracer& tracer::operator-=(auto const& o) { return *this = detail::apply_op<op::sub>(*this, o); }
constexpr tracer& tracer::operator*=(auto const& o) { return *this = detail::apply_op<op::mul>(*this, o); }
constexpr tracer& tracer::operator/=(auto const& o) { return *this = detail::apply_op<op::div>(*this, o); }

// ---------------------------------------------------------------------------------
// The operators users write on traced values. They live in ks::detail so argument-
// dependent lookup finds them for traced types only.

#define KS_BINARY_OPERATOR(SYM, OP)                                        \
  template <class A, class B>                                              \
    requires((traced<A> || traced<B>) && operand<A> && operand<B>)         \
  constexpr auto operator SYM(A const& a, B const& b) {                    \
    return detail::apply_op<op::OP>(a, b);                                 \
  }
KS_BINARY_OPERATOR(+, add)
KS_BINARY_OPERATOR(-, sub)
KS_BINARY_OPERATOR(*, mul)
KS_BINARY_OPERATOR(/, div)
KS_BINARY_OPERATOR(<, lt)
KS_BINARY_OPERATOR(<=, le)
KS_BINARY_OPERATOR(>, gt)
KS_BINARY_OPERATOR(>=, ge)
KS_BINARY_OPERATOR(==, eq)
KS_BINARY_OPERATOR(!=, ne)
KS_BINARY_OPERATOR(&&, logical_and)
KS_BINARY_OPERATOR(||, logical_or)
#undef KS_BINARY_OPERATOR

template <traced A>
constexpr auto operator-(A const& a) { return detail::apply_op<op::neg>(a); }
template <traced A>
constexpr auto operator+(A const& a) { return a; }
template <traced A>
constexpr auto operator!(A const& a) { return detail::apply_op<op::logical_not>(a); }

// A tree's type is its structure, so a tree variable cannot be reassigned; say what to
// write instead.
#define KS_TREE_COMPOUND(SYM)                                                                      \
  template <class A, class B>                                                                      \
    requires(is_tree_v<A>)                                                                         \
  constexpr A& operator SYM(A& a, B const&) {                                                      \
    static_assert(always_false<A, B>,                                                              \
                  "knossos: a traced variable of a function that captures run-time values cannot " \
                  "be updated in place; write `auto y2 = y + x;`, or pass the captured values as " \
                  "arguments (then loops and updates work)");                                      \
    return a;                                                                                      \
  }
KS_TREE_COMPOUND(+=)
KS_TREE_COMPOUND(-=)
KS_TREE_COMPOUND(*=)
KS_TREE_COMPOUND(/=)
#undef KS_TREE_COMPOUND

// ---------------------------------------------------------------------------------
// Trees into graphs (at compile time, from the type alone) and their run-time numbers
// (in the same order). Knossos functions called inside a tree provide both.

template <class E>
struct tree_to_graph;

template <std::size_t I>
struct tree_to_graph<var<I>> {
  static constexpr int into(builder&, int const* args) { return args[I]; }
};
template <class T>
struct tree_to_graph<constant<T>> {
  static constexpr int into(builder& b, int const*) {
    if constexpr (std::is_same_v<T, bool>)
      return b.slot();  // a run-time condition: 0 or 1, compared below
    else
      return b.slot();
  }
};
template <op O, class... A>
struct tree_to_graph<node<op_tag<O>, A...>> {
  static constexpr int into(builder& b, int const* args) {
    // Operands in order (function arguments are evaluated in no fixed order; the slots
    // must be numbered as tree_numbers reads them).
    std::array<int, sizeof...(A)> ids{};
    std::size_t k = 0;
    ((ids[k++] = tree_to_graph<A>::into(b, args)), ...);
    if constexpr (O == op::ipow)
      return b.ipow_by(ids[0], ids[1]);
    else if constexpr (sizeof...(A) == 1)
      return b.node(O, ids[0]);
    else if constexpr (sizeof...(A) == 2)
      return b.node(O, ids[0], ids[1]);
    else
      return b.node(O, ids[0], ids[1], ids[2]);
  }
};

template <class T>
constexpr void tree_numbers(constant<T> const& e, long double*& out) {
  *out++ = static_cast<long double>(e.value);
}
template <std::size_t I>
constexpr void tree_numbers(var<I> const&, long double*&) {}
template <class Tag, class... A>
constexpr void tree_numbers(node<Tag, A...> const& e, long double*& out) {
  std::apply([&](auto const&... a) { (detail::tree_numbers(a, out), ...); }, e.args);
  if constexpr (requires { e.tag.k; }) e.tag.k.template numbers<sizeof...(A)>(out);
}

}  // namespace ks::detail
