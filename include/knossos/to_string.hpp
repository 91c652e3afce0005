// knossos: ks::to_string(f), the captured expression of f (or of grad(f), ...) in
// readable infix form. Docs: docs/scalar-functions.md
#pragma once

#include <charconv>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <knossos/error.hpp>
#include <knossos/lift.hpp>

namespace ks::detail {

inline void print_number(std::string& out, long double v, bool boolean) {
  if (boolean) {
    out += v != 0 ? "true" : "false";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<double>(v));
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  if (v < 0) out += '(';
  out += s;
  if (v < 0) out += ')';
}

// Prints a graph. A value used several times whose text is long is given a name
// (t1 = ...; ...) so the text stays linear in the size of the graph.
inline std::string print_graph(graph const& g, std::vector<std::string> const& names) {
  std::size_t const n = g.nodes.size();
  std::vector<int> uses(n, 0);
  for (auto const& nd : g.nodes)
    for (int k = 0; k < nd.arity(); ++k) ++uses[static_cast<std::size_t>(nd.arg[static_cast<std::size_t>(k)])];
  for (int o : g.outputs) ++uses[static_cast<std::size_t>(o)];
  std::vector<std::string> text(n);
  std::vector<int> prec(n, prec_atom);
  std::string bindings;
  int bound = 0;
  auto operand = [&](int i, int min_prec) {
    auto const& s = text[static_cast<std::size_t>(i)];
    return prec[static_cast<std::size_t>(i)] < min_prec ? "(" + s + ")" : s;
  };
  for (std::size_t i = 0; i < n; ++i) {
    gnode const& nd = g.nodes[i];
    std::string s;
    if (nd.code == op::arg) {
      s = names[static_cast<std::size_t>(nd.n)];
    } else if (nd.code == op::lit) {
      print_number(s, nd.value, nd.boolean);
    } else if (nd.code == op::slot) {
      s = "c" + std::to_string(nd.n);
    } else if (nd.code == op::custom || nd.code == op::opaque) {
      s = std::string(nd.name) + "(";
      for (int k = nd.code == op::custom ? 1 : 0, first = k; k < nd.arity(); ++k)
        s += (k == first ? "" : ", ") + operand(nd.arg[static_cast<std::size_t>(k)], 0);
      s += ")";
    } else {
      op_info const inf = info(nd.code);
      if (inf.style == notation::infix) {
        // Left-associative: the right operand needs parentheses at equal precedence.
        s = operand(nd.arg[0], inf.prec) + " " + std::string(inf.name) + " " + operand(nd.arg[1], inf.prec + 1);
      } else if (inf.style == notation::prefix) {
        s = std::string(inf.name) + operand(nd.arg[0], inf.prec);
      } else {
        s = std::string(inf.name) + "(";
        for (int k = 0; k < nd.arity(); ++k) s += (k ? ", " : "") + operand(nd.arg[static_cast<std::size_t>(k)], 0);
        if (nd.code == op::ipow && nd.arity() == 1) s += ", " + std::to_string(nd.n);
        s += ")";
      }
      prec[i] = inf.prec;
    }
    if (uses[i] > 1 && !nd.is_leaf() && s.size() > 16) {
      std::string name = "t" + std::to_string(++bound);
      bindings += name + " = " + s + "; ";
      s = name;
      prec[i] = prec_atom;
    }
    text[i] = std::move(s);
  }
  std::string result;
  if (g.outputs.size() == 1) {
    result = text[static_cast<std::size_t>(g.outputs[0])];
  } else {
    result = "(";
    for (std::size_t k = 0; k < g.outputs.size(); ++k)
      result += (k ? ", " : "") + text[static_cast<std::size_t>(g.outputs[k])];
    result += ")";
  }
  return bindings + result;
}

inline std::vector<std::string> default_names(std::size_t n) {
  std::vector<std::string> names;
  static constexpr std::string_view xyz[] = {"x", "y", "z"};
  for (std::size_t i = 0; i < n; ++i) names.emplace_back(n <= 3 ? std::string(xyz[i]) : "x" + std::to_string(i));
  return names;
}

}  // namespace ks::detail

namespace ks {

/// The expression f computes, in infix form: `ks::to_string(relu3)` prints
/// "select(x < 0, 0, select(x < 1, x * x * x / 3, x - 0.6666666666666666))". Arguments
/// are named x, y, z (x0, x1, ... beyond three) unless `names` are given. Values used
/// several times are named once (t1 = ...; ...). Docs: docs/scalar-functions.md
template <class F>
std::string to_string(F const& f, std::initializer_list<std::string_view> names = {}) {
  static_assert(detail::callable_object<F>, "ks::to_string: expected a function object");
  auto k = ks::lift(f);
  constexpr std::size_t n = detail::arity_of<decltype(k)>();
  static_assert(n <= detail::max_arity, "ks::to_string: the function cannot be traced: its parameters must be `auto`");
  auto printed = detail::default_names(n);
  if (names.size() != 0 && names.size() != n)
    KNOSSOS_THROW(std::invalid_argument("ks::to_string: " + std::to_string(names.size()) +
                                        " names given for a function of " + std::to_string(n) + " arguments"));
  std::size_t i = 0;
  for (auto name : names) printed[i++] = std::string(name);
  detail::builder b;
  std::array<int, n + 1> args{};
  for (std::size_t j = 0; j < n; ++j) args[j] = b.arg(static_cast<int>(j));
  b.g.outputs = k.template trace_into<n>(b, args.data());
  return detail::print_graph(detail::prune(b.g), printed);
}

}  // namespace ks
