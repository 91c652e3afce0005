// knossos: traced values. A generic lambda called with placeholders returns an
// expression-template object: its type is the computation, its members hold the
// captured constants by value. Docs: docs/scalar-functions.md
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <utility>

#include <knossos/config.hpp>

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
};

template <class T>
concept traced = std::derived_from<std::remove_cvref_t<T>, expr_tag>;

template <class... T>
inline constexpr bool any_traced = (traced<T> || ...);

// Placeholder for argument I of the traced function.
template <std::size_t I>
struct var : expr_tag {
  static constexpr std::size_t index = I;
};

// A number captured from user code: a literal or a captured variable. It is weak: it
// takes the type of the values it meets, so `x - 2.0 / 3` stays in float for float x.
template <class T>
struct constant : expr_tag {
  T value;
  constexpr constant() = default;
  constexpr explicit constant(T v) : value(v) {}
};

// A number known from the type alone (0, 1, -1, ...), produced by differentiation.
// It is not traced: combined with a plain number it gives a plain number, combined
// with an expression an expression, and it folds away where it can (0 * e -> 0).
template <std::intmax_t N>
struct static_num {
  static constexpr std::intmax_t value = N;
};
using zero_t = static_num<0>;
using one_t = static_num<1>;

template <class T>
struct is_static_num : std::false_type {};
template <std::intmax_t N>
struct is_static_num<static_num<N>> : std::true_type {};
template <class T>
concept static_number = is_static_num<std::remove_cvref_t<T>>::value;

template <class T>
inline constexpr bool is_zero = std::is_same_v<std::remove_cvref_t<T>, zero_t>;
template <class T>
inline constexpr bool is_one = std::is_same_v<std::remove_cvref_t<T>, one_t>;
template <class T>
inline constexpr bool is_minus_one = std::is_same_v<std::remove_cvref_t<T>, static_num<-1>>;

template <class T>
struct is_constant : std::false_type {};
template <class T>
struct is_constant<constant<T>> : std::true_type {};
template <class T>
inline constexpr bool is_constant_v = is_constant<std::remove_cvref_t<T>>::value;

template <class T>
struct is_var : std::false_type {};
template <std::size_t I>
struct is_var<var<I>> : std::true_type {};
template <class T>
inline constexpr bool is_var_v = is_var<std::remove_cvref_t<T>>::value;

// An operation applied to operands. Op is a tag type (see ops.hpp, math.hpp) that
// carries the value, batch form, derivative rule and printed name of the operation.
template <class Op, class... Args>
struct node : expr_tag {
  [[no_unique_address]] Op op;
  std::tuple<Args...> args;
  constexpr node() = default;
  constexpr explicit node(Op o, Args... a) : op(o), args(std::move(a)...) {}
};

template <class T>
struct is_node : std::false_type {};
template <class Op, class... A>
struct is_node<node<Op, A...>> : std::true_type {};
template <class T>
inline constexpr bool is_node_v = is_node<std::remove_cvref_t<T>>::value;

// What may appear as an operand of an expression.
template <class T>
concept operand = traced<T> || static_number<T> || std::is_arithmetic_v<std::remove_cvref_t<T>>;

// An operand as stored in a node: numbers from user code become weak constants.
template <class T>
KS_INLINE constexpr auto wrap(T const& x) {
  if constexpr (traced<T> || static_number<T>)
    return x;
  else
    return constant<T>(x);
}
template <class T>
using wrapped_t = decltype(detail::wrap(std::declval<T>()));

// Does expression E depend on argument I / on any argument?
template <std::size_t I, class E>
struct uses_var : std::false_type {};
template <std::size_t I>
struct uses_var<I, var<I>> : std::true_type {};
template <std::size_t I, class Op, class... A>
struct uses_var<I, node<Op, A...>> : std::bool_constant<(uses_var<I, A>::value || ...)> {};

template <class E>
struct has_vars : std::false_type {};
template <std::size_t I>
struct has_vars<var<I>> : std::true_type {};
template <class Op, class... A>
struct has_vars<node<Op, A...>> : std::bool_constant<(has_vars<A>::value || ...)> {};

// Number of nodes and leaves in the expression tree E (used to show that derivatives
// stay linear in the size of the function).
template <class E>
struct tree_size : std::integral_constant<std::size_t, 1> {};
template <class Op, class... A>
struct tree_size<node<Op, A...>> : std::integral_constant<std::size_t, 1 + (tree_size<A>::value + ... + 0)> {};
template <class E>
inline constexpr std::size_t tree_size_v = tree_size<std::remove_cvref_t<E>>::value;

// The number v in the type world of x: a plain number or batch of x's scalar type, or
// a weak constant when x is an expression.
template <class X, class T>
KS_INLINE constexpr auto lit_like(T v) {
  using XX = std::remove_cvref_t<X>;
  if constexpr (traced<XX> || static_number<XX>)
    return constant<T>(v);
  else if constexpr (is_batch_v<XX>)
    return XX(static_cast<scalar_of_t<XX>>(v));
  else
    return static_cast<XX>(v);
}

// A number known at trace time: a weak constant or a static number.
template <class T>
inline constexpr bool is_foldable = is_constant_v<T> || static_number<T>;
template <class T>
KS_INLINE constexpr auto value_of(T const& x) {
  if constexpr (static_number<T>)
    return static_cast<double>(T::value);
  else
    return x.value;
}

// Widest constant type for folding: constants are weak, so folding happens in double
// (or long double when one side already is), then converts to the evaluation type.
template <class A, class B>
using fold_t = std::conditional_t<std::is_same_v<A, long double> || std::is_same_v<B, long double>,
                                  long double, double>;

// ---------------------------------------------------------------------------------
// Arithmetic on anything knossos computes with: plain numbers, batches, static
// numbers and expressions. Simplification (0 * e -> 0, 1 * e -> e, constants folded)
// happens here, so every expression built by tracing or by differentiation is small.

template <class A>
KS_INLINE constexpr auto neg(A const& a);
template <class A, class B>
KS_INLINE constexpr auto add(A const& a, B const& b);
template <class A, class B>
KS_INLINE constexpr auto sub(A const& a, B const& b);
template <class A, class B>
KS_INLINE constexpr auto mul(A const& a, B const& b);
template <class A, class B>
KS_INLINE constexpr auto div(A const& a, B const& b);

// Precedences for printing, as in C++ (higher binds tighter).
enum class notation { infix, prefix, call };
inline constexpr int prec_or = 1, prec_and = 2, prec_eq = 3, prec_cmp = 4, prec_add = 5,
                     prec_mul = 6, prec_unary = 7, prec_atom = 8;

// Each operation: how to compute it on plain numbers and batches (`eval`), how to
// differentiate it (`vjp`: the adjoint contribution to each operand, given the
// operands' values, the result and the result's adjoint), and how to print it.
struct add_op {
  static constexpr std::string_view name = "+";
  static constexpr notation style = notation::infix;
  static constexpr int prec = prec_add;
  template <class A, class B>
  KS_INLINE static constexpr auto eval(A const& a, B const& b) { return a + b; }
  template <class A, class B>
  KS_INLINE static constexpr auto build(A const& a, B const& b) { return detail::add(a, b); }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const&, B const&, R const&, G const& g) {
    return std::tuple{g, g};
  }
};

struct sub_op {
  static constexpr std::string_view name = "-";
  static constexpr notation style = notation::infix;
  static constexpr int prec = prec_add;
  template <class A, class B>
  KS_INLINE static constexpr auto eval(A const& a, B const& b) { return a - b; }
  template <class A, class B>
  KS_INLINE static constexpr auto build(A const& a, B const& b) { return detail::sub(a, b); }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const&, B const&, R const&, G const& g) {
    return std::tuple{g, detail::neg(g)};
  }
};

struct mul_op {
  static constexpr std::string_view name = "*";
  static constexpr notation style = notation::infix;
  static constexpr int prec = prec_mul;
  template <class A, class B>
  KS_INLINE static constexpr auto eval(A const& a, B const& b) { return a * b; }
  template <class A, class B>
  KS_INLINE static constexpr auto build(A const& a, B const& b) { return detail::mul(a, b); }
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const& a, B const& b, R const&, G const& g) {
    return std::tuple{detail::mul(g, b), detail::mul(g, a)};
  }
};

struct div_op {
  static constexpr std::string_view name = "/";
  static constexpr int cost = 4;
  static constexpr notation style = notation::infix;
  static constexpr int prec = prec_mul;
  template <class A, class B>
  KS_INLINE static constexpr auto eval(A const& a, B const& b) { return a / b; }
  template <class A, class B>
  KS_INLINE static constexpr auto build(A const& a, B const& b) { return detail::div(a, b); }
  // d(a/b) = g/b da - g*r/b db, written with the result r so a/b is not recomputed.
  template <class A, class B, class R, class G>
  KS_INLINE static constexpr auto vjp(A const&, B const& b, R const& r, G const& g) {
    auto gb = detail::div(g, b);
    return std::tuple{gb, detail::neg(detail::mul(gb, r))};
  }
};

struct neg_op {
  static constexpr std::string_view name = "-";
  static constexpr notation style = notation::prefix;
  static constexpr int prec = prec_unary;
  template <class A>
  KS_INLINE static constexpr auto eval(A const& a) { return -a; }
  template <class A>
  KS_INLINE static constexpr auto build(A const& a) { return detail::neg(a); }
  template <class A, class R, class G>
  KS_INLINE static constexpr auto vjp(A const&, R const&, G const& g) {
    return std::tuple{detail::neg(g)};
  }
};

// Comparisons and logic: their results are conditions, which are never differentiated.
#define KS_COMPARISON(NAME, SYM, PREC)                                        \
  struct NAME {                                                               \
    static constexpr std::string_view name = #SYM;                            \
    static constexpr notation style = notation::infix;                        \
    static constexpr int prec = PREC;                                         \
    static constexpr bool is_condition = true;                                \
    template <class A, class B>                                               \
    KS_INLINE static constexpr auto eval(A const& a, B const& b) {            \
      return a SYM b;                                                         \
    }                                                                         \
  };
KS_COMPARISON(less_op, <, prec_cmp)
KS_COMPARISON(less_equal_op, <=, prec_cmp)
KS_COMPARISON(greater_op, >, prec_cmp)
KS_COMPARISON(greater_equal_op, >=, prec_cmp)
KS_COMPARISON(equal_op, ==, prec_eq)
KS_COMPARISON(not_equal_op, !=, prec_eq)
KS_COMPARISON(and_op, &&, prec_and)
KS_COMPARISON(or_op, ||, prec_or)
#undef KS_COMPARISON

struct not_op {
  static constexpr std::string_view name = "!";
  static constexpr notation style = notation::prefix;
  static constexpr int prec = prec_unary;
  static constexpr bool is_condition = true;
  template <class A>
  KS_INLINE static constexpr auto eval(A const& a) { return !a; }
};

template <class Op>
concept condition_op = requires { requires Op::is_condition; };

template <class E>
inline constexpr bool is_neg_node = false;
template <class A>
inline constexpr bool is_neg_node<node<neg_op, A>> = true;

template <class A>
KS_INLINE constexpr auto neg(A const& a) {
  if constexpr (static_number<A>)
    return static_num<-A::value>{};
  else if constexpr (is_constant_v<A>)
    return constant<decltype(-a.value)>(-a.value);
  else if constexpr (is_neg_node<A>)
    return std::get<0>(a.args);  // -(-e) -> e
  else if constexpr (traced<A>)
    return node<neg_op, A>(neg_op{}, a);
  else
    return -a;
}

template <class A, class B>
KS_INLINE constexpr auto add(A const& a, B const& b) {
  if constexpr (is_zero<A>)
    return b;
  else if constexpr (is_zero<B>)
    return a;
  else if constexpr (static_number<A> && static_number<B>)
    return static_num<A::value + B::value>{};
  else if constexpr (is_foldable<A> && is_foldable<B>)
    return constant<fold_t<decltype(value_of(a)), decltype(value_of(b))>>(value_of(a) + value_of(b));
  else if constexpr (any_traced<A, B>)
    return node<add_op, wrapped_t<A>, wrapped_t<B>>(add_op{}, detail::wrap(a), detail::wrap(b));
  else if constexpr (static_number<A>)
    return detail::lit_like<B>(A::value) + b;
  else if constexpr (static_number<B>)
    return a + detail::lit_like<A>(B::value);
  else
    return a + b;
}

template <class A, class B>
KS_INLINE constexpr auto sub(A const& a, B const& b) {
  if constexpr (is_zero<B>)
    return a;
  else if constexpr (is_zero<A>)
    return detail::neg(b);
  else if constexpr (static_number<A> && static_number<B>)
    return static_num<A::value - B::value>{};
  else if constexpr (is_foldable<A> && is_foldable<B>)
    return constant<fold_t<decltype(value_of(a)), decltype(value_of(b))>>(value_of(a) - value_of(b));
  else if constexpr (any_traced<A, B>)
    return node<sub_op, wrapped_t<A>, wrapped_t<B>>(sub_op{}, detail::wrap(a), detail::wrap(b));
  else if constexpr (static_number<A>)
    return detail::lit_like<B>(A::value) - b;
  else if constexpr (static_number<B>)
    return a - detail::lit_like<A>(B::value);
  else
    return a - b;
}

template <class A, class B>
KS_INLINE constexpr auto mul(A const& a, B const& b) {
  if constexpr (is_zero<A> || is_zero<B>)
    return zero_t{};
  else if constexpr (is_one<A>)
    return b;
  else if constexpr (is_one<B>)
    return a;
  else if constexpr (is_minus_one<A>)
    return detail::neg(b);
  else if constexpr (is_minus_one<B>)
    return detail::neg(a);
  else if constexpr (static_number<A> && static_number<B>)
    return static_num<A::value * B::value>{};
  else if constexpr (is_foldable<A> && is_foldable<B>)
    return constant<fold_t<decltype(value_of(a)), decltype(value_of(b))>>(value_of(a) * value_of(b));
  else if constexpr (any_traced<A, B>)
    return node<mul_op, wrapped_t<A>, wrapped_t<B>>(mul_op{}, detail::wrap(a), detail::wrap(b));
  else if constexpr (static_number<A>)
    return detail::lit_like<B>(A::value) * b;
  else if constexpr (static_number<B>)
    return a * detail::lit_like<A>(B::value);
  else
    return a * b;
}

template <class A, class B>
KS_INLINE constexpr auto div(A const& a, B const& b) {
  if constexpr (is_zero<A>)
    return zero_t{};
  else if constexpr (is_one<B>)
    return a;
  else if constexpr (is_minus_one<B>)
    return detail::neg(a);
  else if constexpr (is_foldable<A> && is_foldable<B>) {
    using T = fold_t<decltype(value_of(a)), decltype(value_of(b))>;
    return constant<T>(static_cast<T>(value_of(a)) / static_cast<T>(value_of(b)));
  } else if constexpr (any_traced<A, B>)
    return node<div_op, wrapped_t<A>, wrapped_t<B>>(div_op{}, detail::wrap(a), detail::wrap(b));
  else if constexpr (static_number<A>)
    return detail::lit_like<B>(A::value) / b;
  else if constexpr (static_number<B>)
    return a / detail::lit_like<A>(B::value);
  else
    return a / b;
}

// Apply an operation: build a node when an operand is traced, compute otherwise.
template <class Op, class... A>
KS_INLINE constexpr auto apply(Op const& op, A const&... a) {
  if constexpr (any_traced<A...>) {
    if constexpr (requires { Op::build(a...); })
      return Op::build(a...);
    else
      return node<Op, wrapped_t<A>...>(op, detail::wrap(a)...);
  } else {
    return op.eval(a...);
  }
}

// ---------------------------------------------------------------------------------
// The operators users write on traced values. They live in ks::detail so argument-
// dependent lookup finds them for every node type, and only for node types.

template <class A, class B>
  requires(any_traced<A, B> && operand<A> && operand<B>)
KS_INLINE constexpr auto operator+(A const& a, B const& b) { return detail::add(a, b); }
template <class A, class B>
  requires(any_traced<A, B> && operand<A> && operand<B>)
KS_INLINE constexpr auto operator-(A const& a, B const& b) { return detail::sub(a, b); }
template <class A, class B>
  requires(any_traced<A, B> && operand<A> && operand<B>)
KS_INLINE constexpr auto operator*(A const& a, B const& b) { return detail::mul(a, b); }
template <class A, class B>
  requires(any_traced<A, B> && operand<A> && operand<B>)
KS_INLINE constexpr auto operator/(A const& a, B const& b) { return detail::div(a, b); }
template <traced A>
KS_INLINE constexpr auto operator-(A const& a) { return detail::neg(a); }
template <traced A>
KS_INLINE constexpr auto operator+(A const& a) { return a; }

#define KS_COMPARISON_OPERATOR(SYM, OP)                                           \
  template <class A, class B>                                                     \
    requires(any_traced<A, B> && operand<A> && operand<B>)                        \
  KS_INLINE constexpr auto operator SYM(A const& a, B const& b) {                 \
    return node<OP, wrapped_t<A>, wrapped_t<B>>(OP{}, detail::wrap(a), detail::wrap(b));          \
  }
KS_COMPARISON_OPERATOR(<, less_op)
KS_COMPARISON_OPERATOR(<=, less_equal_op)
KS_COMPARISON_OPERATOR(>, greater_op)
KS_COMPARISON_OPERATOR(>=, greater_equal_op)
KS_COMPARISON_OPERATOR(==, equal_op)
KS_COMPARISON_OPERATOR(!=, not_equal_op)
KS_COMPARISON_OPERATOR(&&, and_op)
KS_COMPARISON_OPERATOR(||, or_op)
#undef KS_COMPARISON_OPERATOR

template <traced A>
KS_INLINE constexpr auto operator!(A const& a) { return node<not_op, A>(not_op{}, a); }

// Compound assignment would change the type of the variable, which C++ cannot do;
// say what to write instead.
template <traced A, class B>
constexpr A& operator+=(A& a, B const&) {
  static_assert(always_false<A, B>,
                "knossos: `x += y` cannot change the type of a traced variable; "
                "write `auto x2 = x + y;` instead");
  return a;
}
template <traced A, class B>
constexpr A& operator-=(A& a, B const&) {
  static_assert(always_false<A, B>,
                "knossos: `x -= y` cannot change the type of a traced variable; "
                "write `auto x2 = x - y;` instead");
  return a;
}
template <traced A, class B>
constexpr A& operator*=(A& a, B const&) {
  static_assert(always_false<A, B>,
                "knossos: `x *= y` cannot change the type of a traced variable; "
                "write `auto x2 = x * y;` instead");
  return a;
}
template <traced A, class B>
constexpr A& operator/=(A& a, B const&) {
  static_assert(always_false<A, B>,
                "knossos: `x /= y` cannot change the type of a traced variable; "
                "write `auto x2 = x / y;` instead");
  return a;
}

}  // namespace ks::detail
