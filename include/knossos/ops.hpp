// knossos: the operation registry. Each operation is declared once, here: its code,
// printed name, notation, cost, its value on numbers and on SIMD batches, and its
// derivative rule (the partial derivatives as terms of the derivative graph, see
// ir.hpp). The public function objects (ks::exp, ...), the evaluator, the
// differentiator, the printer and the tests all read this table. Conventions at kinks
// follow PyTorch's autograd. Docs: docs/scalar-functions.md
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include <knossos/concrete.hpp>
#include <knossos/simd_dispatch.hpp>

// X(name, cost): every operation with a partial-derivative rule or a value, in the
// order of the op enum. Leaves (arguments, literals, runtime constants) come first.
#define KS_ARITHMETIC_OPS(X) X(add) X(sub) X(mul) X(div) X(neg)
#define KS_CONDITION_OPS(X) X(lt) X(le) X(gt) X(ge) X(eq) X(ne) X(logical_and) X(logical_or) X(logical_not)
#define KS_MATH_OPS(X)                                                                                   \
  X(exp) X(log) X(log1p) X(expm1) X(sqrt) X(cbrt) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) X(sinh) \
  X(cosh) X(tanh) X(erf) X(erfc) X(sigmoid) X(abs) X(sign) X(floor) X(ceil) X(round) X(trunc)           \
  X(nearbyint) X(log2) X(log10) X(exp2) X(asinh) X(acosh) X(atanh) X(atan2) X(hypot) X(copysign) X(max) X(min) \
  X(clamp) X(pow) X(ipow)
#define KS_ALL_OPS(X) KS_ARITHMETIC_OPS(X) KS_CONDITION_OPS(X) X(select) KS_MATH_OPS(X) X(custom) X(opaque)

namespace ks::detail {

enum class op : std::uint8_t {
  arg,   // argument n of the function
  lit,   // a number known when tracing (weak: it takes the type it meets)
  slot,  // a number known only at run time (a value captured by a lambda): slot n
#define KS_OP_ENUM(NAME) NAME,
  KS_ALL_OPS(KS_OP_ENUM)
#undef KS_OP_ENUM
};

// How an operation prints; precedences as in C++ (higher binds tighter).
enum class notation : std::uint8_t { infix, prefix, call };
inline constexpr int prec_or = 1, prec_and = 2, prec_eq = 3, prec_cmp = 4, prec_add = 5, prec_mul = 6,
                     prec_unary = 7, prec_atom = 8;

// What every entry of the registry has (partials and eval are per entry):
//   name, arity, style, prec, cost (in vector multiplies, for branch decisions),
//   condition (the result is a boolean: never differentiated).
template <op O>
struct op_def;

struct call_op_base {
  static constexpr notation style = notation::call;
  static constexpr int prec = prec_atom;
  static constexpr int cost = 16;
  static constexpr bool condition = false;
};
template <int Cost = 1>
struct arith_base {
  static constexpr notation style = notation::infix;
  static constexpr int prec = prec_add;
  static constexpr int cost = Cost;
  static constexpr bool condition = false;
  static constexpr int arity = 2;
};

inline constexpr long double two_over_sqrt_pi = 1.1283791670955125738961589031215452L;
inline constexpr long double ln2 = 0.69314718055994530941723212145817657L;
inline constexpr long double ln10 = 2.30258509299404568401799145468436421L;

// The partial-derivative rules are written against the derivative builder `b` (ir.hpp):
// b.E(n) is node n as a monomial (products are seen through, so like terms collect),
// b.atom(n) node n as one opaque factor, b.num(v) a number, b.node(op, ...) a new node.
// They are templates so this file does not depend on the builder.

template <>
struct op_def<op::add> : arith_base<> {
  static constexpr std::string_view name = "+";
  template <class T>
  static constexpr auto eval(T const& a, T const& b) { return a + b; }
  template <class B, class N>
  static constexpr void partials(B& b, N const&, int, auto* d) {
    d[0] = b.num(1);
    d[1] = b.num(1);
  }
};
template <>
struct op_def<op::sub> : arith_base<> {
  static constexpr std::string_view name = "-";
  template <class T>
  static constexpr auto eval(T const& a, T const& b) { return a - b; }
  template <class B, class N>
  static constexpr void partials(B& b, N const&, int, auto* d) {
    d[0] = b.num(1);
    d[1] = b.num(-1);
  }
};
template <>
struct op_def<op::mul> : arith_base<> {
  static constexpr std::string_view name = "*";
  static constexpr int prec = prec_mul;
  template <class T>
  static constexpr auto eval(T const& a, T const& b) { return a * b; }
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int, auto* d) {
    d[0] = b.E(n.arg[1]);
    d[1] = b.E(n.arg[0]);
  }
};
template <>
struct op_def<op::div> : arith_base<4> {
  static constexpr std::string_view name = "/";
  static constexpr int prec = prec_mul;
  template <class T>
  static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return simd::div(a, b);  // correctly rounded on NEON too
    else
      return a / b;
  }
  // d(a/b) = da / b - r db / b. r is seen through as a * b^-1, so that factors cancel
  // (logit's x^-1 * x at 0), except for a quotient by a hypot (hypot's partial x / h):
  // there r stays one factor, so that its derivative r * r' / h never forms x * x / h^3,
  // whose parts overflow where the quotient does not (x = 1e200).
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int self, auto* d) {
    d[0] = b.E(n.arg[1]).inverse();
    d[1] = (b[n.arg[1]].code == op::hypot ? b.atom(self) : b.E(self)) * b.E(n.arg[1]).inverse() * b.num(-1);
  }
};
template <>
struct op_def<op::neg> : arith_base<> {
  static constexpr std::string_view name = "-";
  static constexpr notation style = notation::prefix;
  static constexpr int prec = prec_unary;
  static constexpr int arity = 1;
  template <class T>
  static constexpr auto eval(T const& a) { return -a; }
  template <class B, class N>
  static constexpr void partials(B& b, N const&, int, auto* d) {
    d[0] = b.num(-1);
  }
};

// Comparisons and logic: their results are conditions, which are never differentiated.
#define KS_CONDITION(NAME, SYM, PREC)                              \
  template <>                                                      \
  struct op_def<op::NAME> {                                        \
    static constexpr std::string_view name = #SYM;                 \
    static constexpr notation style = notation::infix;             \
    static constexpr int prec = PREC;                              \
    static constexpr int cost = 1;                                 \
    static constexpr bool condition = true;                        \
    static constexpr int arity = 2;                                \
    template <class T, class U>                                    \
    static constexpr auto eval(T const& a, U const& b) {           \
      return a SYM b;                                              \
    }                                                              \
  };
KS_CONDITION(lt, <, prec_cmp)
KS_CONDITION(le, <=, prec_cmp)
KS_CONDITION(gt, >, prec_cmp)
KS_CONDITION(ge, >=, prec_cmp)
KS_CONDITION(eq, ==, prec_eq)
KS_CONDITION(ne, !=, prec_eq)
KS_CONDITION(logical_and, &&, prec_and)
KS_CONDITION(logical_or, ||, prec_or)
template <>
struct op_def<op::logical_not> {
  static constexpr std::string_view name = "!";
  static constexpr notation style = notation::prefix;
  static constexpr int prec = prec_unary;
  static constexpr int cost = 1;
  static constexpr bool condition = true;
  static constexpr int arity = 1;
  template <class T>
  static constexpr auto eval(T const& a) {
    return !a;
  }
};
#undef KS_CONDITION

// select(c, a, b): c ? a : b elementwise. Its derivative is the derivative of the
// branch taken (ir.hpp: adjoints leaving a branch are masked by its condition).
template <>
struct op_def<op::select> : call_op_base {
  static constexpr std::string_view name = "select";
  static constexpr int arity = 3;
  static constexpr int cost = 1;
  template <class C, class T>
  static constexpr T eval(C const& c, T const& a, T const& b) {
    if constexpr (is_batch_bool_v<C>)
      return xsimd::select(c, a, b);
    else
      return c ? a : b;
  }
};

// KS_UNARY(name, scalar value of x (type T), batch value of x, partial derivative)
// Unary functions cost a transcendental's 16 multiplies, except the few that are one or
// two vector instructions (what decides whether a branch region is worth a lane test).
constexpr int unary_cost(op o) {
  switch (o) {
    case op::abs: case op::floor: case op::ceil: case op::round: case op::trunc: case op::nearbyint:
      return 1;
    case op::sign: case op::sqrt:
      return 4;
    default:
      return 16;
  }
}

#define KS_UNARY(NAME, SCALAR, BATCH, PARTIAL)                                               \
  template <>                                                                                \
  struct op_def<op::NAME> : call_op_base {                                                   \
    static constexpr int cost = unary_cost(op::NAME);                                        \
    static constexpr std::string_view name = #NAME;                                          \
    static constexpr int arity = 1;                                                          \
    template <class T>                                                                       \
    static constexpr auto eval(T const& x) {                                                 \
      if constexpr (is_batch_v<T>)                                                           \
        return T(BATCH);                                                                     \
      else                                                                                   \
        return static_cast<T>(SCALAR);                                                       \
    }                                                                                        \
    template <class B, class N>                                                              \
    static constexpr void partials([[maybe_unused]] B& b, [[maybe_unused]] N const& n,       \
                                   [[maybe_unused]] int self, auto* d) {                     \
      [[maybe_unused]] int const x = n.arg[0];                                               \
      d[0] = PARTIAL;                                                                        \
    }                                                                                        \
  };

// clang-format off
KS_UNARY(exp,   std::exp(x),   simd::exp(x),   b.atom(self))
KS_UNARY(log,   std::log(x),   simd::log(x),   b.E(x).inverse())
KS_UNARY(log1p, std::log1p(x), simd::log1p(x), b.atom(b.node(op::add, b.lit(1), x)).inverse())
// expm1' = exp(x), not expm1(x) + 1, which loses everything below 1e-16 relative.
KS_UNARY(expm1, std::expm1(x), simd::expm1(x), b.atom(b.node(op::exp, x)))
KS_UNARY(sqrt,  std::sqrt(x),  simd::sqrt(x),  b.atom(self).inverse() * b.num(0.5))
KS_UNARY(cbrt,  std::cbrt(x),  simd::cbrt(x),  (b.atom(self) * b.atom(self)).inverse() * b.num(1.0 / 3))
KS_UNARY(sin,   std::sin(x),   simd::sin(x),   b.atom(b.node(op::cos, x)))
KS_UNARY(cos,   std::cos(x),   simd::cos(x),   b.atom(b.node(op::sin, x)) * b.num(-1))
KS_UNARY(tan,   std::tan(x),   simd::tan(x),   b.num(1) + b.atom(self) * b.atom(self))
KS_UNARY(asin,  std::asin(x),  simd::asin(x),
         b.atom(b.node(op::sqrt, b.node(op::sub, b.lit(1), b.node(op::mul, x, x)))).inverse())
KS_UNARY(acos,  std::acos(x),  simd::acos(x),
         b.atom(b.node(op::sqrt, b.node(op::sub, b.lit(1), b.node(op::mul, x, x)))).inverse() * b.num(-1))
KS_UNARY(atan,  std::atan(x),  simd::atan(x),
         b.atom(b.node(op::add, b.lit(1), b.node(op::mul, x, x))).inverse())
KS_UNARY(sinh,  std::sinh(x),  simd::sinh(x),  b.atom(b.node(op::cosh, x)))
KS_UNARY(cosh,  std::cosh(x),  simd::cosh(x),  b.atom(b.node(op::sinh, x)))
KS_UNARY(tanh,  std::tanh(x),  simd::tanh(x),  b.num(1) - b.atom(self) * b.atom(self))
KS_UNARY(erf,   std::erf(x),   simd::erf(x),
         b.atom(b.node(op::exp, b.node(op::neg, b.node(op::mul, x, x)))) * b.num(two_over_sqrt_pi))
KS_UNARY(erfc,  std::erfc(x),  simd::erfc(x),
         b.atom(b.node(op::exp, b.node(op::neg, b.node(op::mul, x, x)))) * b.num(-two_over_sqrt_pi))
// sigmoid' = sigmoid(x) sigmoid(-x): accurate in both tails, where r (1 - r) is 0.
KS_UNARY(sigmoid, T(1) / (T(1) + std::exp(-x)), simd::sigmoid(x),
         b.atom(self) * b.atom(b.node(op::sigmoid, b.node(op::neg, x))))
// |x|' = sign(x), so abs'(0) = 0 as in PyTorch.
KS_UNARY(abs,   std::abs(x),   simd::abs(x),   b.atom(b.node(op::sign, x)))
// Piecewise constant: derivative 0 everywhere (PyTorch's convention at the jumps too).
KS_UNARY(sign,  (T(0) < x) - (x < T(0)), simd::sign(x), b.zero())
KS_UNARY(floor, std::floor(x), simd::floor(x), b.zero())
KS_UNARY(ceil,  std::ceil(x),  simd::ceil(x),  b.zero())
KS_UNARY(round, std::round(x), simd::round(x), b.zero())
KS_UNARY(trunc, std::trunc(x), simd::trunc(x), b.zero())
// Round half to even (Python's round, torch.round, Julia's round, .NET Math.Round).
KS_UNARY(nearbyint, std::nearbyint(x), simd::nearbyint(x), b.zero())
KS_UNARY(log2,  std::log2(x),  simd::log2(x),  b.E(x).inverse() * b.num(1 / ln2))
KS_UNARY(log10, std::log10(x), simd::log10(x), b.E(x).inverse() * b.num(1 / ln10))
KS_UNARY(exp2,  std::exp2(x),  simd::exp2(x),  b.atom(self) * b.num(ln2))
// As torch: asinh' = (x^2 + 1)^-1/2, acosh' = (x^2 - 1)^-1/2, atanh' = 1 / (1 - x^2).
KS_UNARY(asinh, std::asinh(x), simd::asinh(x),
         b.atom(b.node(op::sqrt, b.node(op::add, b.node(op::mul, x, x), b.lit(1)))).inverse())
KS_UNARY(acosh, std::acosh(x), simd::acosh(x),
         b.atom(b.node(op::sqrt, b.node(op::sub, b.node(op::mul, x, x), b.lit(1)))).inverse())
KS_UNARY(atanh, std::atanh(x), simd::atanh(x),
         b.atom(b.node(op::sub, b.lit(1), b.node(op::mul, x, x))).inverse())
// clang-format on
#undef KS_UNARY

template <>
struct op_def<op::atan2> : call_op_base {
  static constexpr std::string_view name = "atan2";
  static constexpr int arity = 2;
  template <class T>
  static constexpr auto eval(T const& y, T const& x) {
    if constexpr (is_batch_v<T>)
      return T(simd::atan2(y, x));
    else
      return static_cast<T>(std::atan2(y, x));
  }
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int, auto* d) {
    int y = n.arg[0], x = n.arg[1];
    auto s = b.atom(b.node(op::add, b.node(op::mul, x, x), b.node(op::mul, y, y))).inverse();
    d[0] = b.E(x) * s;
    d[1] = b.E(y) * s * b.num(-1);
  }
};

template <>
struct op_def<op::hypot> : call_op_base {
  static constexpr std::string_view name = "hypot";
  static constexpr int arity = 2;
  template <class T>
  static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return T(simd::hypot(a, b));
    else
      return static_cast<T>(std::hypot(a, b));
  }
  // x / h and y / h, each one factor (a quotient node), so that differentiating them
  // again gives 1 / h - (x / h)^2 / h and -(x / h) (y / h) / h: no x^2 or h^3, which
  // overflow where h does not (1e200).
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int self, auto* d) {
    d[0] = b.atom(b.node(op::div, n.arg[0], self));
    d[1] = b.atom(b.node(op::div, n.arg[1], self));
  }
};

// copysign(x, y): |x| with the sign of y (-0 included). d/dx = copysign(x, y) / x, 0 at
// x == 0, and d/dy = 0, as torch.copysign.
template <>
struct op_def<op::copysign> : call_op_base {
  static constexpr std::string_view name = "copysign";
  static constexpr int arity = 2;
  static constexpr int cost = 2;
  template <class T>
  static constexpr auto eval(T const& x, T const& y) {
    if constexpr (is_batch_v<T>)
      return T(simd::copysign(x, y));
    else
      return static_cast<T>(std::copysign(x, y));
  }
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int self, auto* d) {
    int x = n.arg[0];
    d[0] = b.atom(b.node(op::select, b.node(op::eq, x, b.lit(0)), b.lit(0), b.node(op::div, self, x)));
    d[1] = b.zero();
  }
};

// max/min: the larger (smaller) operand gets the adjoint, ties split it in half, as
// torch.maximum/minimum do.
template <op Cmp>
struct extremum {
  static constexpr int arity = 2;
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int, auto* d) {
    int x = n.arg[0], y = n.arg[1];
    int tie = b.node(op::select, b.node(op::eq, x, y), b.lit(0.5), b.lit(0));
    d[0] = b.atom(b.node(op::select, b.node(Cmp, x, y), b.lit(1), tie));
    d[1] = b.atom(b.node(op::select, b.node(Cmp, y, x), b.lit(1), tie));
  }
};
template <>
struct op_def<op::max> : call_op_base, extremum<op::gt> {
  static constexpr std::string_view name = "max";
  template <class T>
  static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return T(simd::max(a, b));
    else
      return a < b ? b : a;
  }
};
template <>
struct op_def<op::min> : call_op_base, extremum<op::lt> {
  static constexpr std::string_view name = "min";
  template <class T>
  static constexpr auto eval(T const& a, T const& b) {
    if constexpr (is_batch_v<T>)
      return T(simd::min(a, b));
    else
      return b < a ? b : a;
  }
};

// clamp(x, lo, hi) = min(max(x, lo), hi), as torch.clamp with tensor bounds: x gets
// the adjoint where lo <= x <= hi, lo where x < lo <= hi, hi everywhere else (also
// where lo > hi, because then the value is hi).
template <>
struct op_def<op::clamp> : call_op_base {
  static constexpr std::string_view name = "clamp";
  static constexpr int arity = 3;
  template <class T>
  static constexpr auto eval(T const& x, T const& lo, T const& hi) {
    return op_def<op::min>::eval(op_def<op::max>::eval(x, lo), hi);
  }
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int, auto* d) {
    int x = n.arg[0], lo = n.arg[1], hi = n.arg[2];
    int inside = b.node(op::logical_and, b.node(op::ge, x, lo), b.node(op::le, x, hi));
    int below = b.node(op::logical_and, b.node(op::lt, x, lo), b.node(op::le, lo, hi));
    d[0] = b.atom(b.node(op::select, inside, b.lit(1), b.lit(0)));
    d[1] = b.atom(b.node(op::select, below, b.lit(1), b.lit(0)));
    d[2] = b.atom(b.node(op::select, inside, b.lit(0), b.node(op::select, below, b.lit(0), b.lit(1))));
  }
};

// pow(x, y) with a floating or traced exponent. As torch.pow: d/dx is 0 where y == 0,
// d/dy is 0 where x == 0 and y >= 0 (instead of 0 * log 0 = nan).
template <>
struct op_def<op::pow> : call_op_base {
  static constexpr std::string_view name = "pow";
  static constexpr int arity = 2;
  template <class T>
  static constexpr auto eval(T const& x, T const& y) {
    if constexpr (is_batch_v<T>)
      return T(simd::pow(x, y));
    else
      return static_cast<T>(std::pow(x, y));
  }
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int self, auto* d) {
    int x = n.arg[0], y = n.arg[1];
    int dx = b.node(op::mul, y, b.node(op::pow, x, b.node(op::sub, y, b.lit(1))));
    int dy = b.node(op::mul, self, b.node(op::log, x));
    int x_zero_y_nonneg = b.node(op::logical_and, b.node(op::eq, x, b.lit(0)), b.node(op::ge, y, b.lit(0)));
    d[0] = b.atom(b.node(op::select, b.node(op::eq, y, b.lit(0)), b.lit(0), dx));
    d[1] = b.atom(b.node(op::select, x_zero_y_nonneg, b.lit(0), dy));
  }
};

// pow(x, n) with an integer exponent n (held in the node): exact repeated
// multiplication, as the source languages' integer powers are.
template <>
struct op_def<op::ipow> : call_op_base {
  static constexpr std::string_view name = "pow";
  static constexpr int arity = 1;
  static constexpr int cost = 2;
  template <class T>
  static constexpr T power(T x, long long n) {
    if (n < 0) return op_def<op::div>::eval(T(1), power(x, -n));
    T result = T(1);
    bool first = true;
    while (n > 0) {
      if (n & 1) {
        result = first ? x : result * x;
        first = false;
      }
      n >>= 1;
      if (n > 0) x = x * x;
    }
    return result;
  }
  template <class T, class N>
  static constexpr T eval_node(N const& n, T const& x) {
    return power(x, n.n);
  }
  // n x^(n-1); for n = 0 this is 0 everywhere, as torch.pow gives. (With the exponent an
  // operand, a number read at run time, the same rule as nodes.)
  template <class B, class N>
  static constexpr void partials(B& b, N const& n, int, auto* d) {
    int x = n.arg[0], e = n.arg[1];
    if (e >= 0) {
      int term = b.node(op::mul, e, b.ipow_by(x, b.node(op::sub, e, b.lit(1))));
      d[0] = b.atom(b.node(op::select, b.node(op::eq, e, b.lit(0)), b.lit(0), term));
    } else if (n.n == 0) {
      d[0] = b.zero();
    } else {
      d[0] = b.E(x).power(n.n - 1) * b.num(static_cast<long double>(n.n));
    }
  }
};

// A function with a user-given derivative (ks::with_derivative). Operand 0 is its
// value (the function's own graph, inlined); the rest are its arguments, which get the
// partials of the user's rule.
template <>
struct op_def<op::custom> : call_op_base {
  static constexpr std::string_view name = "custom";
  static constexpr int arity = -1;
  static constexpr int cost = 0;
};
// An opaque function: not traced, evaluated on numbers (lane by lane on batches) by the
// C++ function itself; its derivative is the user's rule.
template <>
struct op_def<op::opaque> : call_op_base {
  static constexpr std::string_view name = "opaque";
  static constexpr int arity = -1;
};

// The registry's table of properties by op code, for code that has the code as a value.
struct op_info {
  std::string_view name;
  int arity = 0;
  notation style = notation::call;
  int prec = prec_atom;
  int cost = 0;
  bool condition = false;
};
constexpr op_info info(op o) {
  switch (o) {
#define KS_OP_INFO(NAME) \
  case op::NAME:         \
    return {op_def<op::NAME>::name, op_def<op::NAME>::arity, op_def<op::NAME>::style, op_def<op::NAME>::prec, op_def<op::NAME>::cost, op_def<op::NAME>::condition};
    KS_ALL_OPS(KS_OP_INFO)
#undef KS_OP_INFO
    default:
      return {"", 0, notation::call, prec_atom, 0, false};
  }
}

}  // namespace ks::detail
