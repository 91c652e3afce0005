// knossos: the compile-time program representation. A traced function is a graph of
// nodes in topological order, built once at compile time (constexpr) and hash-consed,
// so a local used k times is one node, and types, instantiations and generated code
// grow with the number of distinct subexpressions, never with the unfolded tree.
// Differentiation, simplification and scheduling are constexpr passes over this graph;
// eval.hpp turns the result into straight-line code. Docs: docs/derivatives.md
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include <knossos/ops.hpp>

namespace ks::detail {

struct custom_desc;

// One operation of a program. Operands are indices of earlier nodes.
struct gnode {
  op code = op::lit;
  bool boolean = false;  // the value is a condition (never differentiated)
  bool wide = false;     // a literal from long double: folded in long double
  std::array<int, 4> arg{-1, -1, -1, -1};
  long double value = 0;  // literal
  long long n = 0;        // argument index, runtime-constant slot, integer exponent
  custom_desc const* desc = nullptr;  // custom / opaque functions
  std::string_view name;              // custom / opaque functions, for printing

  constexpr int arity() const {
    int k = 0;
    while (k < 4 && arg[k] >= 0) ++k;
    return k;
  }
  constexpr bool is_leaf() const { return code == op::arg || code == op::lit || code == op::slot; }
};

constexpr std::uint64_t bits_of(long double v) { return std::bit_cast<std::uint64_t>(static_cast<double>(v)); }

constexpr bool same_node(gnode const& a, gnode const& b) {
  return a.code == b.code && a.boolean == b.boolean && a.wide == b.wide && a.arg == b.arg &&
         a.n == b.n && a.desc == b.desc && a.name == b.name &&
         (a.code != op::lit || (a.value == b.value && bits_of(a.value) == bits_of(b.value)));
}

constexpr std::uint64_t hash_node(gnode const& g) {
  std::uint64_t h = static_cast<std::uint64_t>(g.code) + (g.boolean ? 0x100u : 0u);
  auto mix = [&](std::uint64_t v) { h = (h ^ v) * 0x9E3779B97F4A7C15ull; h ^= h >> 32; };
  for (int a : g.arg) mix(static_cast<std::uint64_t>(a + 1));
  mix(static_cast<std::uint64_t>(g.n));
  if (g.code == op::lit) mix(bits_of(g.value));
  // The table indexes by the low bits: fold the high bits in (a double's low bits are
  // often all zero).
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return h;
}

// A read-only view of a program's nodes (for descriptors that point at other programs).
struct graph_view {
  gnode const* nodes = nullptr;
  int n_nodes = 0;
  int const* outputs = nullptr;
  int n_outputs = 0;
  int n_args = 0;
};

// What a custom function's node points to: the program of its derivative rule (one
// output per argument) and, for an opaque function, the function itself on numbers.
struct custom_desc {
  graph_view rule;
  int arity = 0;
  float (*f32)(float const*) = nullptr;
  double (*f64)(double const*) = nullptr;
  long double (*f80)(long double const*) = nullptr;
};

struct graph {
  std::vector<gnode> nodes;
  std::vector<int> outputs;
  int n_args = 0;
  int n_slots = 0;
};

constexpr bool foldable(op o) {
  switch (o) {
    case op::add: case op::sub: case op::mul: case op::div: case op::neg:
    case op::lt: case op::le: case op::gt: case op::ge: case op::eq: case op::ne:
    case op::logical_and: case op::logical_or: case op::logical_not: case op::select:
      return true;
    default:
      return false;
  }
}

// Builds a graph: every node is looked up first (hash-consing), numbers are folded as
// C++ would fold them (in double, or long double if a literal was), and exact
// identities (x * 1, x / 1, x - 0, -(-x), select with a known or irrelevant condition)
// are applied. Nothing here changes a value's rounding: the forward program computes
// what the user wrote. (Derivative terms are simplified further, see poly below.)
class builder {
 public:
  graph g;
  // Set while derivative terms are built: a masked term (select with a zero arm) takes
  // a factor into its arm, and two masked terms on one condition add as one select.
  // Exact except that an inf or nan factor no longer reaches the lanes the mask zeroes,
  // which is the point of the mask (a branch not taken never poisons a derivative).
  bool adjoint_rules = false;

  constexpr builder() = default;
  constexpr explicit builder(graph from) : g(std::move(from)) { rehash(); }

  constexpr gnode const& operator[](int i) const { return g.nodes[static_cast<std::size_t>(i)]; }
  constexpr int size() const { return static_cast<int>(g.nodes.size()); }

  constexpr int add(gnode const& n) {
    if (4 * (g.nodes.size() + 1) > 3 * table_.size()) grow();
    std::size_t mask = table_.size() - 1;
    for (std::size_t i = hash_node(n) & mask;; i = (i + 1) & mask) {
      int id = table_[i];
      if (id < 0) {
        g.nodes.push_back(n);
        table_[i] = static_cast<int>(g.nodes.size()) - 1;
        return table_[i];
      }
      if (same_node(g.nodes[static_cast<std::size_t>(id)], n)) return id;
    }
  }

  constexpr int arg(int k) {
    gnode n;
    n.code = op::arg;
    n.n = k;
    if (k >= g.n_args) g.n_args = k + 1;
    return add(n);
  }
  constexpr int lit(long double v, bool wide = false) {
    gnode n;
    n.code = op::lit;
    n.value = wide ? v : static_cast<long double>(static_cast<double>(v));
    n.wide = wide;
    return add(n);
  }
  constexpr int boolean(bool v) {
    gnode n;
    n.code = op::lit;
    n.boolean = true;
    n.value = v ? 1 : 0;
    return add(n);
  }
  constexpr int slot() {
    gnode n;
    n.code = op::slot;
    n.n = g.n_slots++;
    return add(n);
  }

  constexpr bool is_lit(int i) const { return (*this)[i].code == op::lit; }
  constexpr bool is_lit(int i, long double v) const {
    return is_lit(i) && !(*this)[i].boolean && (*this)[i].value == v;
  }

  // A node computing `code` on the operands, folded and simplified where exact.
  constexpr int node(op code, int a, int b = -1, int c = -1) {
    gnode n;
    n.code = code;
    n.arg = {a, b, c, -1};
    n.boolean = info(code).condition;
    int k = n.arity();
    bool all_lit = true;
    for (int i = 0; i < k; ++i) all_lit = all_lit && is_lit(n.arg[static_cast<std::size_t>(i)]);
    if (all_lit && foldable(code)) return fold(n);
    if (adjoint_rules) {
      if (int r = adjoint_rule(code, a, b); r >= 0) return r;
    }
    switch (code) {
      case op::mul:
        if (is_lit(b, 1)) return a;
        if (is_lit(a, 1)) return b;
        if (is_lit(b, -1)) return node(op::neg, a);
        if (is_lit(a, -1)) return node(op::neg, b);
        break;
      case op::div:
        if (is_lit(b, 1)) return a;
        break;
      case op::sub:
        if (is_lit(b, 0) && bits_of((*this)[b].value) == 0) return a;
        break;
      case op::neg:
        if ((*this)[a].code == op::neg) return (*this)[a].arg[0];
        break;
      case op::select:
        if (is_lit(a)) return (*this)[a].value != 0 ? b : c;
        if (b == c) return b;
        // select(c, select(c, x, y), z) = select(c, x, z)
        if ((*this)[b].code == op::select && (*this)[b].arg[0] == a) return node(op::select, a, (*this)[b].arg[1], c);
        if ((*this)[c].code == op::select && (*this)[c].arg[0] == a) return node(op::select, a, b, (*this)[c].arg[2]);
        n.boolean = (*this)[b].boolean;
        break;
      default:
        break;
    }
    return add(n);
  }

  // a^e with e an operand (a number known at run time), rounded to an integer.
  constexpr int ipow_by(int a, int e) {
    if (is_lit(e)) return ipow(a, static_cast<long long>((*this)[e].value));
    gnode n;
    n.code = op::ipow;
    n.arg = {a, e, -1, -1};
    return add(n);
  }

  constexpr int ipow(int a, long long e) {
    if (e == 1) return a;
    gnode n;
    n.code = op::ipow;
    n.arg = {a, -1, -1, -1};
    n.n = e;
    return add(n);
  }

 private:
  std::vector<int> table_;

  constexpr void grow() {
    std::size_t size = table_.empty() ? 64 : table_.size() * 2;
    while (4 * (g.nodes.size() + 1) > 3 * size) size *= 2;
    table_.assign(size, -1);
    for (std::size_t id = 0; id < g.nodes.size(); ++id) {
      for (std::size_t i = hash_node(g.nodes[id]) & (size - 1);; i = (i + 1) & (size - 1)) {
        if (table_[i] < 0) {
          table_[i] = static_cast<int>(id);
          break;
        }
      }
    }
  }
  constexpr void rehash() {
    table_.clear();
    grow();
  }

  constexpr bool zero_armed(int i) const {
    gnode const& n = (*this)[i];
    return n.code == op::select && !n.boolean && (is_lit(n.arg[1], 0) || is_lit(n.arg[2], 0));
  }
  // select(c, u, 0) * s = select(c, u * s, 0); select(c, u, 0) + select(c, 0, v) =
  // select(c, u, v). -1: no rule applies.
  constexpr int adjoint_rule(op code, int a, int b) {
    if (code == op::mul) {
      if (!zero_armed(a)) std::swap(a, b);
      if (!zero_armed(a) || is_lit(b)) return -1;
      gnode const s = (*this)[a];
      auto arm = [&](int u) { return is_lit(u, 0) ? u : node(op::mul, u, b); };
      int t = arm(s.arg[1]);
      return node(op::select, s.arg[0], t, arm(s.arg[2]));
    }
    if (code == op::add && zero_armed(a) && zero_armed(b) && (*this)[a].arg[0] == (*this)[b].arg[0]) {
      gnode const p = (*this)[a], q = (*this)[b];
      auto arm = [&](int u, int v) { return is_lit(u, 0) ? v : is_lit(v, 0) ? u : -1; };
      int t = arm(p.arg[1], q.arg[1]), f = arm(p.arg[2], q.arg[2]);
      if (t >= 0 && f >= 0) return node(op::select, p.arg[0], t, f);
    }
    return -1;
  }

  // Numbers fold as C++ folds them: double arithmetic unless a literal was long double.
  constexpr int fold(gnode const& n) {
    auto v = [&](int k) { return (*this)[n.arg[static_cast<std::size_t>(k)]].value; };
    bool wide = false;
    for (int i = 0; i < n.arity(); ++i) wide = wide || (*this)[n.arg[static_cast<std::size_t>(i)]].wide;
    auto num = [&](long double x, long double y, auto f) {
      if (wide) return lit(f(x, y), true);
      return lit(f(static_cast<double>(x), static_cast<double>(y)));
    };
    switch (n.code) {
      case op::add: return num(v(0), v(1), [](auto x, auto y) { return x + y; });
      case op::sub: return num(v(0), v(1), [](auto x, auto y) { return x - y; });
      case op::mul: return num(v(0), v(1), [](auto x, auto y) { return x * y; });
      case op::div: return num(v(0), v(1), [](auto x, auto y) { return x / y; });
      case op::neg: return lit(-v(0), wide);
      case op::lt: return boolean(v(0) < v(1));
      case op::le: return boolean(v(0) <= v(1));
      case op::gt: return boolean(v(0) > v(1));
      case op::ge: return boolean(v(0) >= v(1));
      case op::eq: return boolean(v(0) == v(1));
      case op::ne: return boolean(v(0) != v(1));
      case op::logical_and: return boolean(v(0) != 0 && v(1) != 0);
      case op::logical_or: return boolean(v(0) != 0 || v(1) != 0);
      case op::logical_not: return boolean(v(0) == 0);
      case op::select: return v(0) != 0 ? n.arg[1] : n.arg[2];
      default: return add(n);
    }
  }
};

// Copy the program `v` into b with its arguments bound to `args` and its runtime
// constants starting at slot `first_slot`; returns the ids of its outputs.
constexpr std::vector<int> inline_program(builder& b, graph_view v, int const* args, int first_slot = 0) {
  std::vector<int> map(static_cast<std::size_t>(v.n_nodes), -1);
  for (int i = 0; i < v.n_nodes; ++i) {
    gnode n = v.nodes[i];
    int id = -1;
    if (n.code == op::arg) {
      id = args[n.n];
    } else if (n.code == op::slot) {
      n.n += first_slot;
      if (n.n >= b.g.n_slots) b.g.n_slots = static_cast<int>(n.n) + 1;
      id = b.add(n);
    } else if (n.code == op::lit) {
      id = b.add(n);
    } else {
      for (auto& a : n.arg)
        if (a >= 0) a = map[static_cast<std::size_t>(a)];
      if (n.code == op::ipow)
        id = n.arg[1] >= 0 ? b.ipow_by(n.arg[0], n.arg[1]) : b.ipow(n.arg[0], n.n);
      else if (n.code == op::custom || n.code == op::opaque)
        id = b.add(n);
      else
        id = b.node(n.code, n.arg[0], n.arg[1], n.arg[2]);
    }
    map[static_cast<std::size_t>(i)] = id;
  }
  std::vector<int> out;
  for (int k = 0; k < v.n_outputs; ++k) out.push_back(map[static_cast<std::size_t>(v.outputs[k])]);
  return out;
}

// ---------------------------------------------------------------------------------
// Derivative terms. An adjoint is kept as a short sum of monomials c * f1^k1 * f2^k2...
// over graph nodes, with products and quotients seen through, until it is needed as a
// node. So the three contributions of x*x*x collect into 3 x^2, and (1/3) * 3 folds to
// 1: the derivative of relu3 is select(x < 0, 0, select(x < 1, x * x, 1)), what a
// person writes. Capacities are small and fixed: past them a sum or product becomes a
// node, which keeps every step O(1) and the derivative linear in the function's size.
// Monomials and their factor lists live in arenas of the builder (immutable once
// written), so a poly is three integers: the compilers' constant evaluators copy
// aggregates member by member, and this is most of the compile time.

inline constexpr int max_factors = 6;
inline constexpr int max_terms = 6;

struct factor {
  int node = -1;
  int power = 0;
};

// c * (factors [first, first + nf) of the arena), sorted by node.
struct mono {
  long double coef = 1;
  bool wide = false;
  int first = 0;
  int nf = 0;
};

constexpr long double coef_mul(long double a, long double b, bool wide) {
  return wide ? a * b : static_cast<long double>(static_cast<double>(a) * static_cast<double>(b));
}
constexpr long double coef_add(long double a, long double b, bool wide) {
  return wide ? a + b : static_cast<long double>(static_cast<double>(a) + static_cast<double>(b));
}
constexpr long double coef_inv(long double a, bool wide) {
  return wide ? 1 / a : static_cast<long double>(1.0 / static_cast<double>(a));
}

class diff_builder;

// A sum of monomials [first, first + nt) of the builder's arena. The operators can turn
// an overflowing sum or product into a node, so a poly knows its builder.
struct poly {
  diff_builder* b = nullptr;
  int first = 0;
  int nt = 0;

  constexpr bool zero() const { return nt == 0; }
  constexpr poly inverse() const;
  constexpr poly power(long long k) const;
  friend constexpr poly operator*(poly const& p, poly const& q);
  friend constexpr poly operator+(poly const& p, poly const& q);
  friend constexpr poly operator-(poly const& p, poly const& q);
};

// The builder the derivative rules in ops.hpp see.
class diff_builder : public builder {
 public:
  int late = -1;  // a factor to multiply in last (the seed), so products reuse the function's

  constexpr explicit diff_builder(graph from) : builder(std::move(from)) {}

  constexpr mono term(poly const& p, int i) const { return monos_[static_cast<std::size_t>(p.first + i)]; }
  constexpr factor fac(mono const& m, int i) const { return factors_[static_cast<std::size_t>(m.first + i)]; }

  // Monomials (values) stored contiguously as one poly.
  constexpr poly store(mono const* m, int n) {
    poly p{this, static_cast<int>(monos_.size()), n};
    for (int i = 0; i < n; ++i) monos_.push_back(m[i]);
    return p;
  }
  constexpr mono make_term(long double coef, bool wide, factor const* f, int nf) {
    mono m{coef, wide, static_cast<int>(factors_.size()), nf};
    for (int i = 0; i < nf; ++i) factors_.push_back(f[i]);
    return m;
  }

  constexpr poly zero() { return poly{this, 0, 0}; }
  constexpr poly num(long double v, bool wide = false) {
    if (v == 0) return zero();
    mono m{wide ? v : static_cast<long double>(static_cast<double>(v)), wide, 0, 0};
    return store(&m, 1);
  }
  // Node i as one factor.
  constexpr poly atom(int i) {
    if (is_lit(i)) return num((*this)[i].value, (*this)[i].wide);
    factor f{i, 1};
    mono m = make_term(1, false, &f, 1);
    return store(&m, 1);
  }

  constexpr bool same_factors(mono const& a, mono const& c) const {
    if (a.nf != c.nf) return false;
    for (int i = 0; i < a.nf; ++i) {
      factor x = fac(a, i), y = fac(c, i);
      if (x.node != y.node || x.power != y.power) return false;
    }
    return true;
  }

  // a * c as a new monomial; false if it has too many factors.
  constexpr bool mono_mul(mono const& a, mono const& c, mono& out) {
    std::array<factor, max_factors> f{};
    int n = 0, i = 0, j = 0;
    while (i < a.nf || j < c.nf) {
      factor next;
      if (j >= c.nf || (i < a.nf && fac(a, i).node < fac(c, j).node)) {
        next = fac(a, i++);
      } else if (i >= a.nf || fac(c, j).node < fac(a, i).node) {
        next = fac(c, j++);
      } else {
        next = {fac(a, i).node, fac(a, i).power + fac(c, j).power};
        ++i;
        ++j;
        if (next.power == 0) continue;
      }
      if (n == max_factors) return false;
      f[static_cast<std::size_t>(n++)] = next;
    }
    bool wide = a.wide || c.wide;
    out = make_term(coef_mul(a.coef, c.coef, wide), wide, f.data(), n);
    return true;
  }

  // Node i as a monomial: products, quotients, negations and integer powers seen
  // through (a few levels deep), anything else one factor.
  constexpr poly E(int i, int depth = 0) {
    gnode const n = (*this)[i];
    if (depth < 6) {
      switch (n.code) {
        case op::mul: {
          poly r = mono_product(E(n.arg[0], depth + 1), E(n.arg[1], depth + 1));
          if (r.nt >= 0) return r;
          break;
        }
        case op::div: {
          poly r = mono_product(E(n.arg[0], depth + 1), E(n.arg[1], depth + 1).inverse());
          if (r.nt >= 0) return r;
          break;
        }
        case op::neg: {
          poly r = E(n.arg[0], depth + 1);
          if (r.nt != 1) return r;
          mono m = term(r, 0);
          m.coef = -m.coef;
          return store(&m, 1);
        }
        case op::ipow:
          if (n.arg[1] < 0) return E(n.arg[0], depth + 1).power(n.n);
          break;
        default:
          break;
      }
    }
    return atom(i);
  }

  // The product of two monomials, or nt == -1 if it does not fit.
  constexpr poly mono_product(poly const& a, poly const& c) {
    if (a.zero() || c.zero()) return zero();
    mono m;
    if (a.nt != 1 || c.nt != 1 || !mono_mul(term(a, 0), term(c, 0), m)) return poly{this, 0, -1};
    return store(&m, 1);
  }

  // The poly as a node.
  constexpr int make(poly const& p) {
    if (p.nt == 0) return lit(0);
    int result = -1;
    for (int i = 0; i < p.nt; ++i) {
      mono m = term(p, i);
      bool negative = m.coef < 0;
      if (negative && result >= 0) m.coef = -m.coef;
      int t = make_mono(m);
      result = result < 0 ? t : node(negative ? op::sub : op::add, result, t);
    }
    return result;
  }

  constexpr int make_mono(mono const& m) {
    auto product = [&](int sign) {
      int r = -1;
      auto times = [&](int f, int k) {
        int fk = k == 1 ? f : k == 2 ? node(op::mul, f, f) : k == 3 ? node(op::mul, node(op::mul, f, f), f) : ipow(f, k);
        r = r < 0 ? fk : node(op::mul, r, fk);
      };
      for (int late_pass = 0; late_pass < 2; ++late_pass)
        for (int i = 0; i < m.nf; ++i) {
          factor f = fac(m, i);
          if ((f.node == late) == (late_pass == 1) && f.power * sign > 0) times(f.node, f.power * sign);
        }
      return r;
    };
    int num_part = product(1), den = product(-1);
    if (num_part < 0 && den < 0) return lit(m.coef, m.wide);
    if (den >= 0) {
      if (num_part < 0) return node(op::div, lit(m.coef, m.wide), den);
      num_part = node(op::div, num_part, den);
    }
    if (m.coef == 1) return num_part;
    if (m.coef == -1) return node(op::neg, num_part);
    return node(op::mul, lit(m.coef, m.wide), num_part);
  }

 private:
  std::vector<factor> factors_;
  std::vector<mono> monos_;
};

// Like terms collect; past capacity, each side becomes a node.
constexpr poly operator+(poly const& p, poly const& q) {
  diff_builder* b = p.b ? p.b : q.b;
  if (q.zero()) return p;
  if (p.zero()) return q;
  std::array<mono, max_terms> r{};
  int n = 0;
  for (int i = 0; i < p.nt; ++i) r[static_cast<std::size_t>(n++)] = b->term(p, i);
  for (int j = 0; j < q.nt; ++j) {
    mono const m = b->term(q, j);
    int same = -1;
    for (int i = 0; i < n && same < 0; ++i)
      if (b->same_factors(r[static_cast<std::size_t>(i)], m)) same = i;
    if (same >= 0) {
      mono& e = r[static_cast<std::size_t>(same)];
      e.wide = e.wide || m.wide;
      e.coef = coef_add(e.coef, m.coef, e.wide);
      if (e.coef == 0) {
        for (int k = same; k + 1 < n; ++k) r[static_cast<std::size_t>(k)] = r[static_cast<std::size_t>(k + 1)];
        --n;
      }
      continue;
    }
    if (n == max_terms) return b->atom(b->make(p)) + b->atom(b->make(q));
    r[static_cast<std::size_t>(n++)] = m;
  }
  return b->store(r.data(), n);
}

constexpr poly operator-(poly const& p, poly const& q) {
  if (q.zero()) return p;
  std::array<mono, max_terms> r{};
  for (int i = 0; i < q.nt; ++i) {
    r[static_cast<std::size_t>(i)] = q.b->term(q, i);
    r[static_cast<std::size_t>(i)].coef = -r[static_cast<std::size_t>(i)].coef;
  }
  return p + q.b->store(r.data(), q.nt);
}

// A sum times a monomial distributes (so terms can collect); a sum times a sum
// becomes a node times a sum.
constexpr poly operator*(poly const& p, poly const& q) {
  diff_builder* b = p.b ? p.b : q.b;
  if (p.zero() || q.zero()) return b->zero();
  if (p.nt > 1 && q.nt > 1) return b->atom(b->make(p)) * q;
  poly const& single = p.nt == 1 ? p : q;
  poly const& many = p.nt == 1 ? q : p;
  mono const s = b->term(single, 0);
  std::array<mono, max_terms> r{};
  for (int i = 0; i < many.nt; ++i) {
    if (!b->mono_mul(b->term(many, i), s, r[static_cast<std::size_t>(i)])) {
      mono m;
      b->mono_mul(b->term(b->atom(b->make(single)), 0), b->term(b->atom(b->make(many)), 0), m);
      return b->store(&m, 1);
    }
  }
  // The products of distinct monomials by one monomial are distinct: nothing collects.
  return b->store(r.data(), many.nt);
}

constexpr poly poly::inverse() const {
  if (nt == 0) return b->num(std::numeric_limits<double>::infinity());
  if (nt != 1) return b->atom(b->make(*this)).inverse();
  mono const m = b->term(*this, 0);
  std::array<factor, max_factors> f{};
  for (int i = 0; i < m.nf; ++i) f[static_cast<std::size_t>(i)] = {b->fac(m, i).node, -b->fac(m, i).power};
  mono r = b->make_term(coef_inv(m.coef, m.wide), m.wide, f.data(), m.nf);
  return b->store(&r, 1);
}

constexpr poly poly::power(long long k) const {
  if (k == 0) return b->num(1);
  if (nt == 0) return k > 0 ? *this : b->num(std::numeric_limits<double>::infinity());
  if (nt != 1) return b->atom(b->make(*this)).power(k);
  mono const m = b->term(*this, 0);
  long double c = 1;
  for (long long i = 0; i < (k < 0 ? -k : k); ++i) c = coef_mul(c, m.coef, m.wide);
  std::array<factor, max_factors> f{};
  for (int i = 0; i < m.nf; ++i)
    f[static_cast<std::size_t>(i)] = {b->fac(m, i).node, b->fac(m, i).power * static_cast<int>(k)};
  mono r = b->make_term(k < 0 ? coef_inv(c, m.wide) : c, m.wide, f.data(), m.nf);
  return b->store(&r, 1);
}

// ---------------------------------------------------------------------------------
// Regions: where a node's value is needed. A node used only inside the `a` branch of
// select(c, a, b) lives in region (c, true) under its user's region, and so on down.
// Evaluation computes a region only when some lane takes it (or always, for cheap
// regions on batches); differentiation masks every adjoint that leaves a region with
// its condition, so a branch not taken never poisons a derivative with nan or inf.

struct region {
  int parent = -1;
  int cond = -1;
  bool side = false;
  int depth = 0;
};

struct region_map {
  std::vector<region> r{region{}};
  std::vector<int> of;  // region of each node; -1: not needed

  constexpr int child(int parent, int cond, bool side) {
    for (std::size_t i = 1; i < r.size(); ++i)
      if (r[i].parent == parent && r[i].cond == cond && r[i].side == side) return static_cast<int>(i);
    r.push_back({parent, cond, side, r[static_cast<std::size_t>(parent)].depth + 1});
    return static_cast<int>(r.size()) - 1;
  }
  constexpr int lca(int a, int b) const {
    while (a != b) {
      if (r[static_cast<std::size_t>(a)].depth >= r[static_cast<std::size_t>(b)].depth)
        a = r[static_cast<std::size_t>(a)].parent;
      else
        b = r[static_cast<std::size_t>(b)].parent;
    }
    return a;
  }
  constexpr int operator[](int node) const { return of[static_cast<std::size_t>(node)]; }
};

constexpr region_map find_regions(graph const& g, std::vector<int> const& roots) {
  region_map m;
  m.of.assign(g.nodes.size(), -1);
  for (int root : roots) m.of[static_cast<std::size_t>(root)] = 0;
  for (int u = static_cast<int>(g.nodes.size()) - 1; u >= 0; --u) {
    int ru = m.of[static_cast<std::size_t>(u)];
    if (ru < 0) continue;
    gnode const& n = g.nodes[static_cast<std::size_t>(u)];
    for (int k = 0; k < n.arity(); ++k) {
      int v = n.arg[static_cast<std::size_t>(k)];
      int induced = ru;
      if (n.code == op::select && k > 0) induced = m.child(ru, n.arg[0], k == 1);
      int& rv = m.of[static_cast<std::size_t>(v)];
      rv = rv < 0 ? induced : m.lca(rv, induced);
    }
  }
  return m;
}

// Does node i depend on an argument in `wrt`? (Others get no adjoint.)
constexpr std::vector<char> depends_on(graph const& g, std::vector<char> const& wrt_arg) {
  std::vector<char> d(g.nodes.size(), false);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    gnode const& n = g.nodes[i];
    if (n.boolean) continue;
    if (n.code == op::arg) {
      d[i] = static_cast<std::size_t>(n.n) < wrt_arg.size() && wrt_arg[static_cast<std::size_t>(n.n)];
      continue;
    }
    int first = n.code == op::custom ? 1 : 0;  // a custom value's own graph is not differentiated
    for (int k = first; k < n.arity(); ++k)
      if (d[static_cast<std::size_t>(n.arg[static_cast<std::size_t>(k)])]) d[i] = true;
  }
  return d;
}

template <op O>
inline constexpr bool has_partials = requires(diff_builder& b, gnode const& n, poly* d) { op_def<O>::partials(b, n, 0, d); };

template <op O>
constexpr void op_partials(diff_builder& b, gnode const& n, int u, poly* d) {
  if constexpr (has_partials<O>) op_def<O>::partials(b, n, u, d);
}

// The partial derivatives of node u with respect to its operands (the registry's rule).
constexpr void partials(diff_builder& b, int u, poly* d) {
  gnode const n = b[u];
  switch (n.code) {
#define KS_PARTIALS_CASE(NAME)          \
  case op::NAME:                        \
    op_partials<op::NAME>(b, n, u, d);  \
    break;
    KS_ALL_OPS(KS_PARTIALS_CASE)
#undef KS_PARTIALS_CASE
    default:
      break;
  }
  if (n.code == op::custom || n.code == op::opaque) {
    // The user's rule, one output per argument, inlined with the arguments bound.
    int first = n.code == op::custom ? 1 : 0;
    std::array<int, 4> args{};
    for (int k = first; k < n.arity(); ++k) args[static_cast<std::size_t>(k - first)] = n.arg[static_cast<std::size_t>(k)];
    auto outs = inline_program(b, n.desc->rule, args.data());
    for (int k = first; k < n.arity(); ++k) d[k] = b.atom(outs[static_cast<std::size_t>(k - first)]);
  }
}

// Reverse accumulation over the graph in b: the adjoints of the arguments in `wrt` of
// output `root`, seeded with node `seed`; returns one node per wrt entry. Work and new
// nodes are linear in the graph's size.
constexpr std::vector<int> differentiate(diff_builder& b, int root, int seed, std::vector<int> const& wrt) {
  int const m = b.size();
  std::vector<char> wrt_arg(static_cast<std::size_t>(b.g.n_args), false);
  for (int w : wrt) wrt_arg[static_cast<std::size_t>(w)] = true;
  auto const live = depends_on(b.g, wrt_arg);
  region_map regions = find_regions(b.g, {root});
  b.late = seed;
  b.adjoint_rules = true;

  struct entry {
    int region = 0;
    poly p;
  };
  std::vector<std::vector<entry>> adj(static_cast<std::size_t>(m));
  auto push = [&](int v, int region, poly const& p) {
    if (p.zero() || !live[static_cast<std::size_t>(v)]) return;
    for (auto& e : adj[static_cast<std::size_t>(v)])
      if (e.region == region) {
        e.p = e.p + p;
        return;
      }
    adj[static_cast<std::size_t>(v)].push_back({region, p});
  };
  // All contributions to v as one poly in v's region: each branch's sum is masked by
  // its condition where it leaves the branch (deepest first, both sides in one select).
  // An argument's adjoint is a result: it leaves every branch, whatever region the
  // argument's value lives in (elu's alpha is used only where x <= 0).
  auto finish = [&](int v) {
    auto& es = adj[static_cast<std::size_t>(v)];
    int home = b[v].code == op::arg ? 0 : regions[v];
    for (;;) {
      int deepest = -1;
      for (std::size_t i = 0; i < es.size(); ++i)
        if (es[i].region != home &&
            (deepest < 0 || regions.r[static_cast<std::size_t>(es[i].region)].depth >
                                regions.r[static_cast<std::size_t>(es[static_cast<std::size_t>(deepest)].region)].depth))
          deepest = static_cast<int>(i);
      if (deepest < 0) break;
      int const dreg = es[static_cast<std::size_t>(deepest)].region;
      region const rg = regions.r[static_cast<std::size_t>(dreg)];
      int sibling_region = -1;
      for (std::size_t i = 1; i < regions.r.size(); ++i)
        if (regions.r[i].parent == rg.parent && regions.r[i].cond == rg.cond && regions.r[i].side != rg.side)
          sibling_region = static_cast<int>(i);
      poly sides[2] = {b.zero(), b.zero()};
      for (std::size_t i = 0; i < es.size();) {
        if (es[i].region == dreg || es[i].region == sibling_region) {
          bool side = regions.r[static_cast<std::size_t>(es[i].region)].side;
          sides[side ? 1 : 0] = es[i].p;
          es.erase(es.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      int masked = b.node(op::select, rg.cond, b.make(sides[1]), b.make(sides[0]));
      bool found = false;
      for (auto& e : es)
        if (e.region == rg.parent) {
          e.p = e.p + b.atom(masked);
          found = true;
        }
      if (!found) es.push_back({rg.parent, b.atom(masked)});
    }
    return es.empty() ? b.zero() : es[0].p;
  };

  push(root, regions[root], b.is_lit(seed) ? b.num(b[seed].value) : b.atom(seed));
  std::vector<int> result(wrt.size(), -1);
  std::vector<int> arg_adjoint(static_cast<std::size_t>(b.g.n_args), -1);
  for (int u = root; u >= 0; --u) {
    if (adj[static_cast<std::size_t>(u)].empty()) continue;
    poly const g = finish(u);
    gnode const n = b[u];
    if (n.code == op::arg) {
      arg_adjoint[static_cast<std::size_t>(n.n)] = b.make(g);
      continue;
    }
    if (n.is_leaf() || n.boolean || g.zero()) continue;
    int ru = regions[u];
    if (n.code == op::select) {
      push(n.arg[1], regions.child(ru, n.arg[0], true), g);
      push(n.arg[2], regions.child(ru, n.arg[0], false), g);
      continue;
    }
    std::array<poly, 4> d{b.zero(), b.zero(), b.zero(), b.zero()};
    partials(b, u, d.data());
    // A multi-term adjoint times a partial that is not a constant: make the adjoint a
    // node first. Distributing it instead would expand the chain rule's product
    // g * (2a - 1) * (2b - 1) * ... term by term, as no person writes it.
    poly gg = g;
    bool scaled_only = true;
    for (int k = 0; k < n.arity(); ++k) {
      poly const& dk = d[static_cast<std::size_t>(k)];
      scaled_only = scaled_only && (dk.zero() || (dk.nt == 1 && b.term(dk, 0).nf == 0));
    }
    if (g.nt > 1 && !scaled_only) gg = b.atom(b.make(g));
    for (int k = 0; k < n.arity(); ++k)
      if (!d[static_cast<std::size_t>(k)].zero()) push(n.arg[static_cast<std::size_t>(k)], ru, gg * d[static_cast<std::size_t>(k)]);
  }
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    int a = arg_adjoint[static_cast<std::size_t>(wrt[i])];
    result[i] = a >= 0 ? a : b.lit(0);
  }
  return result;
}

// Only the nodes the outputs need, renumbered in order.
constexpr graph prune(graph const& g) {
  std::vector<char> need(g.nodes.size(), false);
  for (int o : g.outputs) need[static_cast<std::size_t>(o)] = true;
  for (int i = static_cast<int>(g.nodes.size()) - 1; i >= 0; --i) {
    if (!need[static_cast<std::size_t>(i)]) continue;
    gnode const& n = g.nodes[static_cast<std::size_t>(i)];
    for (int k = 0; k < n.arity(); ++k) need[static_cast<std::size_t>(n.arg[static_cast<std::size_t>(k)])] = true;
  }
  graph r;
  r.n_args = g.n_args;
  r.n_slots = g.n_slots;
  std::vector<int> map(g.nodes.size(), -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (!need[i]) continue;
    gnode n = g.nodes[i];
    for (auto& a : n.arg)
      if (a >= 0) a = map[static_cast<std::size_t>(a)];
    map[i] = static_cast<int>(r.nodes.size());
    r.nodes.push_back(n);
  }
  for (int o : g.outputs) r.outputs.push_back(map[static_cast<std::size_t>(o)]);
  return r;
}

// ---------------------------------------------------------------------------------
// Scheduling: the program as nested blocks (a block per region, run when its
// condition holds for some lane), and storage slots reused once a value is dead.

// Below this cost a region is computed for every batch and blended; at or above it,
// only when some lane takes it. Testing the lanes costs a few instructions and, on
// mixed data, mispredicted branches: worth it only to skip a transcendental function
// or as much arithmetic (huber's outer arm, a few multiplies, runs faster blended).
inline constexpr int branch_test_cost = 16;

struct sched_item {
  bool block = false;
  int index = 0;  // node id, or block id
};
struct sched_block {
  int first = 0;
  int count = 0;
  int cond = -1;
  bool side = false;
  bool batch_guard = false;  // on batches: test the lanes (else compute and blend)
  int cost = 0;
};

struct schedule {
  std::vector<sched_item> items;
  std::vector<sched_block> blocks;
  std::vector<int> slot_of;  // storage slot of each computed node (values and conditions separately)
  int n_vals = 0;
  int n_conds = 0;
};

// Emits the members of region r below node `limit` not yet emitted, as one block; a
// select met on the way first gets blocks of its branch regions (what it needs of
// them). A region closed by several selects thus becomes several blocks, each placed
// where its members' operands are ready. Returns the block's id.
struct block_emitter {
  graph const& g;
  region_map const& regions;
  std::vector<std::vector<int>> const& members;
  std::vector<std::vector<int>> const& children;  // child regions of each region
  std::vector<std::size_t> cursor;
  schedule& s;

  constexpr int emit(int r, int limit) {
    int id = static_cast<int>(s.blocks.size());
    s.blocks.push_back({});
    std::vector<sched_item> items;
    int cost = 0;
    auto const& mine = members[static_cast<std::size_t>(r)];
    auto& next = cursor[static_cast<std::size_t>(r)];
    while (next < mine.size() && mine[next] < limit) {
      int u = mine[next++];
      gnode const& nd = g.nodes[static_cast<std::size_t>(u)];
      if (nd.code == op::select)
        for (int c : children[static_cast<std::size_t>(r)]) {
          auto const& cm = members[static_cast<std::size_t>(c)];
          std::size_t cc = cursor[static_cast<std::size_t>(c)];
          if (regions.r[static_cast<std::size_t>(c)].cond == nd.arg[0] && cc < cm.size() && cm[cc] < u) {
            int child = emit(c, u);
            cost += s.blocks[static_cast<std::size_t>(child)].cost;
            items.push_back({true, child});
          }
        }
      cost += nd.code == op::custom ? 0 : info(nd.code).cost;
      items.push_back({false, u});
    }
    sched_block& b = s.blocks[static_cast<std::size_t>(id)];
    b.first = static_cast<int>(s.items.size());
    b.count = static_cast<int>(items.size());
    b.cond = regions.r[static_cast<std::size_t>(r)].cond;
    b.side = regions.r[static_cast<std::size_t>(r)].side;
    b.cost = cost;
    b.batch_guard = r != 0 && cost >= branch_test_cost;
    for (auto const& it : items) s.items.push_back(it);
    return id;
  }
};

constexpr schedule make_schedule(graph const& g) {
  schedule s;
  std::size_t const n = g.nodes.size();
  region_map regions = find_regions(g, g.outputs);
  std::size_t const nr = regions.r.size();
  std::vector<std::vector<int>> members(nr), children(nr);
  for (std::size_t i = 0; i < n; ++i) {
    int r = regions.of[i];
    if (r >= 0 && !g.nodes[i].is_leaf()) members[static_cast<std::size_t>(r)].push_back(static_cast<int>(i));
  }
  for (std::size_t c = 1; c < nr; ++c) children[static_cast<std::size_t>(regions.r[c].parent)].push_back(static_cast<int>(c));
  block_emitter e{g, regions, members, children, std::vector<std::size_t>(nr, 0), s};
  e.emit(0, static_cast<int>(n));
  // Slots: linear scan over the execution order (blocks inline where they occur).
  std::vector<int> order;
  std::vector<std::pair<int, int>> stack{{0, 0}};
  while (!stack.empty()) {
    auto& [blk, pos] = stack.back();
    sched_block const& b = s.blocks[static_cast<std::size_t>(blk)];
    if (pos == b.count) {
      stack.pop_back();
      continue;
    }
    sched_item const it = s.items[static_cast<std::size_t>(b.first + pos++)];
    if (it.block)
      stack.push_back({it.index, 0});
    else
      order.push_back(it.index);
  }
  std::vector<int> last_use(n, -1);
  for (std::size_t t = 0; t < order.size(); ++t) {
    gnode const& nd = g.nodes[static_cast<std::size_t>(order[t])];
    for (int k = 0; k < nd.arity(); ++k) last_use[static_cast<std::size_t>(nd.arg[static_cast<std::size_t>(k)])] = static_cast<int>(t);
  }
  for (int o : g.outputs) last_use[static_cast<std::size_t>(o)] = static_cast<int>(order.size());
  s.slot_of.assign(n, -1);
  std::vector<int> free_vals, free_conds;
  std::vector<std::vector<int>> dies(order.size() + 1);
  for (std::size_t i = 0; i < n; ++i)
    if (last_use[i] >= 0 && !g.nodes[i].is_leaf()) dies[static_cast<std::size_t>(last_use[i])].push_back(static_cast<int>(i));
  for (std::size_t t = 0; t < order.size(); ++t) {
    int u = order[t];
    bool cond = g.nodes[static_cast<std::size_t>(u)].boolean;
    auto& pool = cond ? free_conds : free_vals;
    int& count = cond ? s.n_conds : s.n_vals;
    // Operands dying here free their slots first: an operation may write where its
    // operand was (the values are read before the result is stored).
    for (int d : dies[t]) {
      bool dc = g.nodes[static_cast<std::size_t>(d)].boolean;
      (dc ? free_conds : free_vals).push_back(s.slot_of[static_cast<std::size_t>(d)]);
    }
    if (last_use[static_cast<std::size_t>(u)] < 0) continue;  // computed, never used (cannot happen after prune)
    if (!pool.empty()) {
      s.slot_of[static_cast<std::size_t>(u)] = pool.back();
      pool.pop_back();
    } else {
      s.slot_of[static_cast<std::size_t>(u)] = count++;
    }
  }
  return s;
}

}  // namespace ks::detail
