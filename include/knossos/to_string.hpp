// knossos: ks::to_string(f), the captured expression of f (or of grad(f), ...) in
// readable infix form. Docs: docs/scalar-functions.md
#pragma once

#include <charconv>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <knossos/lift.hpp>

namespace ks::detail {

template <class T>
void print_number(std::string& out, T v) {
  char buf[64];
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
    return;
  } else {
    auto r = std::is_same_v<T, long double> ? std::to_chars(buf, buf + sizeof buf, static_cast<double>(v))
                                            : std::to_chars(buf, buf + sizeof buf, v);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    bool negative = v < 0;
    if (negative) out += '(';
    out += s;
    if (negative) out += ')';
  }
}

struct printer {
  std::vector<std::string> names;

  template <class E>
  static constexpr int precedence() {
    if constexpr (is_node_v<E>)
      return decltype(std::declval<E>().op)::prec;
    else
      return prec_atom;
  }

  // Print e; parenthesise when it binds less tightly than its context requires.
  template <class E>
  void print(std::string& out, E const& e, int min_prec) const {
    bool parens = precedence<E>() < min_prec;
    if (parens) out += '(';
    print_bare(out, e);
    if (parens) out += ')';
  }

  template <class Op, class... A>
  void print_bare(std::string& out, node<Op, A...> const& e) const {
    if constexpr (Op::style == notation::infix) {
      // Left-associative: the right operand of a - b, a / b needs parentheses at equal
      // precedence, a + b and a * b too so the printed tree is the traced one.
      print(out, std::get<0>(e.args), Op::prec);
      out += ' ';
      out += e.op.name;
      out += ' ';
      print(out, std::get<1>(e.args), Op::prec + 1);
    } else if constexpr (Op::style == notation::prefix) {
      out += e.op.name;
      print(out, std::get<0>(e.args), Op::prec);
    } else {
      out += e.op.name;
      out += '(';
      std::apply(
          [&](auto const&... a) {
            bool first = true;
            ((out += first ? "" : ", ", first = false, print(out, a, 0)), ...);
          },
          e.args);
      if constexpr (requires { e.op.n; }) {  // integer power: the exponent is in the op
        out += ", ";
        out += std::to_string(e.op.n);
      }
      out += ')';
    }
  }
  template <std::size_t I>
  void print_bare(std::string& out, var<I> const&) const {
    out += names[I];
  }
  template <class T>
  void print_bare(std::string& out, constant<T> const& c) const {
    print_number(out, c.value);
  }
  template <std::intmax_t N>
  void print_bare(std::string& out, static_num<N> const&) const {
    if (N < 0) out += '(';
    out += std::to_string(N);
    if (N < 0) out += ')';
  }
  template <class T>
    requires std::is_arithmetic_v<T>
  void print_bare(std::string& out, T const& v) const {
    print_number(out, v);
  }
  template <class... T>
  void print_bare(std::string& out, std::tuple<T...> const& t) const {
    out += '(';
    std::apply(
        [&](auto const&... a) {
          bool first = true;
          ((out += first ? "" : ", ", first = false, print(out, a, 0)), ...);
        },
        t);
    out += ')';
  }
};

inline std::vector<std::string> default_names(std::size_t n) {
  std::vector<std::string> names;
  static constexpr std::string_view xyz[] = {"x", "y", "z"};
  for (std::size_t i = 0; i < n; ++i) names.emplace_back(n <= 3 ? std::string(xyz[i]) : "x" + std::to_string(i));
  return names;
}

template <class F, std::size_t... I>
auto trace_any(F const& f, std::index_sequence<I...>) {
  return lift(f)(var<I>{}...);
}

}  // namespace ks::detail

namespace ks {

/// The expression f computes, in infix form: `ks::to_string(relu3)` prints
/// "select(x < 0, 0, select(x < 1, x * x * x / 3, x - 0.6666666666666666))". Arguments
/// are named x, y, z (x0, x1, ... beyond three) unless `names` are given.
/// Docs: docs/scalar-functions.md
template <class F>
std::string to_string(F const& f, std::initializer_list<std::string_view> names = {}) {
  static_assert(detail::callable_object<F>, "ks::to_string: expected a function object");
  constexpr std::size_t n = detail::arity_of<F>();
  static_assert(n <= detail::max_arity,
                "ks::to_string: the function cannot be traced: its parameters must be `auto`");
  detail::printer p{detail::default_names(n)};
  if (names.size() != 0 && names.size() != n)
    throw std::invalid_argument("ks::to_string: " + std::to_string(names.size()) + " names given for a function of " +
                                std::to_string(n) + " arguments");
  std::size_t i = 0;
  for (auto name : names) p.names[i++] = std::string(name);
  std::string out;
  p.print(out, detail::trace_any(f, std::make_index_sequence<n>{}), 0);
  return out;
}

}  // namespace ks
