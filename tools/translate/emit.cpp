// Checks a parsed module and emits C++: names are resolved, integer constants are
// folded with the source language's rules, statements become SSA bindings, and
// if-statements become ks::select merges. Everything a branch computes is computed
// on every lane anyway (that is what select on SIMD batches does), so lowering
// control flow to dataflow loses nothing. What a call means comes from the tables
// of names.cpp; this file knows no function of the library by name.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "frontends.hpp"
#include "translate.hpp"

namespace kst {
namespace {

enum class vtype { real, integer, boolean };

// Operator precedence of the emitted C++, to parenthesise only where needed.
enum prec : int { p_atom = 0, p_unary = 1, p_mul = 2, p_add = 3, p_rel = 4, p_and = 6, p_or = 7 };

// A chain longer than this (a + b + ... or a * b * ...) is evaluated in groups of
// this many terms, each bound to a local, so that neither the C++ expression nor the
// traced expression type grows deeper than about 2 * chain_group * log(n) / log(chain_group).
constexpr std::size_t chain_group = 32;

struct value {
  vtype type = vtype::real;
  std::string code;
  bool constant = false;          // integer (always) or a folded boolean
  long long ival = 0;             // the integer, or 0/1 for a constant boolean
  std::optional<double> literal;  // a real written as a literal
  int prec = p_atom;
  std::vector<int> deps;  // ids of the bindings the code names
};

struct binding {
  std::string name;
  std::string code;
  std::vector<int> deps;
};

std::string real_literal(double v) {
  if (std::isinf(v)) return v > 0 ? "std::numeric_limits<double>::infinity()" : "-std::numeric_limits<double>::infinity()";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

value real_value(double v) {
  value r;
  r.code = real_literal(v);
  r.literal = v;
  r.prec = (v < 0 || std::signbit(v)) ? p_unary : p_atom;
  return r;
}

value int_value(long long v) {
  value r;
  r.type = vtype::integer;
  r.constant = true;
  r.ival = v;
  r.code = v == LLONG_MIN ? "(-9223372036854775807LL - 1)" : std::to_string(v);
  r.prec = v < 0 ? p_unary : p_atom;
  return r;
}

value bool_value(bool v) {
  value r;
  r.type = vtype::boolean;
  r.constant = true;
  r.ival = v;
  r.code = v ? "true" : "false";
  return r;
}

// `code` of v, parenthesised when its precedence is looser than `allowed`.
std::string operand(value const& v, int allowed) { return v.prec > allowed ? "(" + v.code + ")" : v.code; }

value make(vtype type, std::string code, int prec, std::initializer_list<value const*> from) {
  value r;
  r.type = type;
  r.code = std::move(code);
  r.prec = prec;
  for (auto* v : from) r.deps.insert(r.deps.end(), v->deps.begin(), v->deps.end());
  std::sort(r.deps.begin(), r.deps.end());
  r.deps.erase(std::unique(r.deps.begin(), r.deps.end()), r.deps.end());
  return r;
}

char const* binary_spelling(binary_op op) {
  static constexpr char const* s[] = {"+", "-", "*", "/", "//", "\xc3\xb7", "%", "%", "**"};
  return s[static_cast<int>(op)];
}

char const* compare_spelling(compare_op op) {
  static constexpr char const* s[] = {"<", "<=", ">", ">=", "==", "!="};
  return s[static_cast<int>(op)];
}

bool compare_ints(compare_op op, long long a, long long b) {
  switch (op) {
    case compare_op::lt: return a < b;
    case compare_op::le: return a <= b;
    case compare_op::gt: return a > b;
    case compare_op::ge: return a >= b;
    case compare_op::eq: return a == b;
    case compare_op::ne: return a != b;
  }
  return false;
}

// A variable's state at some point of a function body: empty when assigned on some
// paths only.
using environment = std::map<std::string, std::optional<value>>;

// Where control stands after a block: `returned` says on which lanes a return has
// happened, `result` is the value returned there.
struct flow {
  value returned = bool_value(false);
  std::optional<value> result;
};

// A function the calls can bind to: a vocabulary function or one defined in the file.
struct callee {
  std::string spelling;  // as the source wrote it, for messages
  std::vector<param> const* params;
  std::vector<std::size_t> order;  // positional argument i binds params[order[i]]
  bool variadic = false;           // fold: two or more positional arguments
  bool vocabulary = false;         // defaults are in the vocabulary's names
};



// The vocabulary's parameters and formulas, parsed once from names.cpp.
struct formula_book {
  module m;
  std::map<std::string_view, function const*> by_name;
  formula_book() {
    std::string source;
    for (library_function const& f : library_functions())
      source += "def " + std::string(f.name) + "(" + std::string(f.params) + "):\n    return " +
                std::string(f.formula.empty() ? "0.0" : f.formula) + "\n";
    m = parse_python(source);
    for (function const& f : m.functions) by_name[f.name] = &f;
  }
  static formula_book const& get() {
    static formula_book const book;
    return book;
  }
};

// Turns source identifiers into C++ identifiers that cannot collide with keywords,
// macros, our own temporaries or each other.
class namer {
 public:
  explicit namer(std::set<std::string> source_names) : source_(std::move(source_names)) {
    for (auto const& n : source_) of(n);
  }

  // The C++ name of source identifier `n` (stable within the module).
  std::string const& of(std::string const& n) {
    auto it = safe_.find(n);
    if (it != safe_.end()) return it->second;
    std::string r = sanitize(n);
    if (r != n || is_unsafe_identifier(r)) {
      if (is_unsafe_identifier(r)) r += "_v";
      std::string base = r;
      for (int k = 2; source_.count(r) || renamed_.count(r); ++k) r = base + std::to_string(k);
    }
    if (r != n) renamed_.insert(r);
    return safe_.emplace(n, r).first->second;
  }

  void start_function() {
    fresh_.clear();
    bound_.clear();
  }

  // A name not used anywhere in the function: `base`, `base_1`, `base_2`, ...
  std::string fresh(std::string const& base) {
    std::string candidate = base;
    for (int k = 1; source_.count(candidate) || renamed_.count(candidate) || fresh_.count(candidate) ||
                    is_unsafe_identifier(candidate);
         ++k)
      candidate = base + "_" + std::to_string(k);
    fresh_.insert(candidate);
    return candidate;
  }

  // The C++ name for a new value of source variable `safe`: its own name the first
  // time in a function, then safe_1, safe_2, ...
  std::string variable(std::string const& safe) {
    if (bound_.insert(safe).second) return safe;
    return fresh(safe);
  }

 private:
  static std::string sanitize(std::string const& n) {
    std::string r;
    static constexpr char hex[] = "0123456789abcdef";
    for (unsigned char c : n) {
      if (std::isalnum(c) || c == '_') {
        if (c == '_' && !r.empty() && r.back() == '_') r += 'u';
        r += static_cast<char>(c);
      } else {
        r += 'x';
        r += hex[c >> 4];
        r += hex[c & 15];
      }
    }
    if (r.empty() || r.front() == '_' || std::isdigit(static_cast<unsigned char>(r.front()))) r = "u" + r;
    return r;
  }

  std::set<std::string> source_, renamed_, fresh_, bound_;
  std::map<std::string, std::string> safe_;
};

// F# definitions in modules are named by their path ("Logistic.standard"); each
// module is a C++ namespace inside the file's.
std::string unqualified(std::string const& name) { return name_parts(name).back(); }

struct module_info {
  language lang;
  std::map<std::string, constant const*> constants;
  std::map<std::string, std::string> cxx_names;   // functions defined so far, fully qualified (::ns::f)
  std::map<std::string, function const*> earlier;  // ... and their parameters
  std::set<std::string> later;
  std::set<std::string> constant_locals;  // the names constants have as locals of a lambda
};

class function_lowerer {
 public:
  // `scope`: the C++ namespace the lambda is defined in, as "::ns::Module::".
  function_lowerer(function const& f, module_info const& mod, namer& names, std::string scope)
      : f_(f), mod_(mod), resolve_(mod.lang), names_(names), scope_(std::move(scope)) {
    for_each_stmt(f.body, [&](stmt const& s) {
      if (s.kind == stmt_kind::assign) assigned_anywhere_.insert(s.target);
    });
    for (std::string const& name : bound_names(f)) locals_.insert(name);
  }

  std::string run(std::string const& cxx_name, std::string const& source_name) {
    names_.start_function();
    environment env;
    std::vector<std::string> params;
    for (auto const& p : f_.params) {
      if (env.count(p.name)) throw error(p.where, "duplicate parameter '" + p.name + "'");
      std::string n = names_.variable(names_.of(p.name));
      value v;
      v.code = n;
      v.deps = {add_binding(n, "", {})};
      params.push_back(n);
      env[p.name] = v;
    }
    flow fl = lower_block(f_.body, env, 0);
    if (!(fl.returned.constant && fl.returned.ival))
      throw error(f_.where, "function '" + f_.name + "' does not return a value on every path");
    value result = *fl.result;
    if (result.type == vtype::boolean) throw error(f_.where, "function '" + f_.name + "' returns a condition; return a number");
    result = to_real(result, f_.where);

    // Keep only the bindings the result depends on.
    std::vector<bool> live(bindings_.size(), false);
    for (std::vector<int> work = result.deps; !work.empty();) {
      int id = work.back();
      work.pop_back();
      if (live[id]) continue;
      live[id] = true;
      for (int d : bindings_[id].deps) work.push_back(d);
    }

    std::ostringstream out;
    out << "// " << source_name << ":" << f_.where.line << ": " << f_.name << "\n";
    out << "inline constexpr auto " << cxx_name << " = [](";
    for (std::size_t i = 0; i < params.size(); ++i)
      out << (i ? ", " : "") << (live[i] ? "" : "[[maybe_unused]] ") << "auto " << params[i];
    out << ") {\n";
    for (std::size_t i = params.size(); i < bindings_.size(); ++i)
      if (live[i]) out << "  auto const " << bindings_[i].name << " = " << bindings_[i].code << ";\n";
    out << "  return " << result.code << ";\n};\n";
    return out.str();
  }

 private:
  int add_binding(std::string name, std::string code, std::vector<int> deps) {
    bindings_.push_back({std::move(name), std::move(code), std::move(deps)});
    return static_cast<int>(bindings_.size()) - 1;
  }

  // A value bound to a C++ local named after `base`, so later uses do not repeat its code.
  value bind(value v, std::string const& base) {
    if (v.constant || v.literal || (v.prec == p_atom && v.deps.size() <= 1 && v.code.find('(') == std::string::npos))
      return v;
    return bind_variable(v, names_.fresh(base));
  }

  value bind_variable(value const& v, std::string const& name) {
    if (v.constant) return v;
    value r;
    r.type = v.type;
    r.code = name;
    r.deps = {add_binding(name, v.code, v.deps)};
    return r;
  }

  value to_real(value const& v, loc where) {
    if (v.type == vtype::boolean)
      throw error(where, "a condition is used as a number; use a conditional expression to pick a number");
    if (v.type == vtype::integer) {
      value r = real_value(static_cast<double>(v.ival));
      r.code = v.code.front() == '(' ? v.code : std::to_string(v.ival) + ".0";
      return r;
    }
    return v;
  }

  value to_bool(value const& v, loc where) {
    if (v.type != vtype::boolean) throw error(where, "a number is used as a condition; write a comparison such as 'x != 0'");
    return v;
  }

  value select(value const& c, value const& a, value const& b, loc where) {
    if (c.constant) return c.ival ? a : b;
    if (a.constant && b.constant && a.type == b.type && a.ival == b.ival) return a;
    if (a.type == vtype::boolean || b.type == vtype::boolean) {
      value ab = to_bool(a, where), bb = to_bool(b, where);
      value cb = bind(c, "cond");
      return logical(true, logical(false, cb, ab), logical(false, logical_not(cb), bb));
    }
    if (a.code == b.code) return a;
    value ar = to_real(a, where), br = to_real(b, where);
    return make(vtype::real, "ks::select(" + c.code + ", " + ar.code + ", " + br.code + ")", p_atom, {&c, &ar, &br});
  }

  // a && b (or, with `disjunction`, a || b), && parenthesised inside || (-Wparentheses).
  value logical(bool disjunction, value const& a, value const& b) {
    if (a.constant) return (a.ival != 0) == disjunction ? a : b;
    if (b.constant) return (b.ival != 0) == disjunction ? b : a;
    return make(vtype::boolean, operand(a, p_rel) + (disjunction ? " || " : " && ") + operand(b, p_rel),
                disjunction ? p_or : p_and, {&a, &b});
  }

  value logical_not(value const& a) {
    if (a.constant) return bool_value(!a.ival);
    return make(vtype::boolean, "!" + operand(a, p_atom), p_unary, {&a});
  }

  static void check_depth(int depth, loc where) {
    if (depth > 4 * max_nesting) throw error(where, "expression nested too deeply");
  }

  // --- expressions -------------------------------------------------------------

  value lower(expr const& e, environment const& env, int depth) {
    check_depth(depth, e.where);
    switch (e.kind) {
      case expr_kind::number:
        if (e.is_integer) return int_value(e.int_value);
        if (e.is_float32 && std::isfinite(static_cast<float>(e.float_value))) {
          value r = real_value(e.float_value);
          r.code = real_literal(static_cast<float>(e.float_value)) + "f";
          return r;
        }
        return real_value(e.float_value);
      case expr_kind::boolean: return bool_value(e.int_value != 0);
      case expr_kind::name: return lower_name(e, env, depth);
      case expr_kind::unary: {
        value a = lower(*e.args[0], env, depth + 1);
        if (a.type == vtype::boolean) throw error(e.where, std::string("unary '") + e.op_char + "' applied to a condition");
        if (e.op_char == '+') return a;
        if (a.type == vtype::integer) {
          if (a.ival == LLONG_MIN) throw error(e.where, "integer overflow in a constant expression");
          return int_value(-a.ival);
        }
        if (a.literal) return real_value(-*a.literal);
        return make(vtype::real, "-" + operand(a, p_unary), p_unary, {&a});
      }
      case expr_kind::not_: return logical_not(to_bool(lower(*e.args[0], env, depth + 1), e.args[0]->where));
      case expr_kind::and_:
      case expr_kind::or_:
      case expr_kind::binary: return lower_chain(e, env, depth);
      case expr_kind::if_exp: {
        value c = to_bool(lower(*e.args[0], env, depth + 1), e.args[0]->where);
        value a = lower(*e.args[1], env, depth + 1);
        value b = lower(*e.args[2], env, depth + 1);
        return select(c, a, b, e.where);
      }
      case expr_kind::compare: return lower_compare(e, env, depth);
      case expr_kind::call: return lower_call(e, env, depth);
    }
    throw error(e.where, "unsupported expression");
  }

  value lower_name(expr const& e, environment const& env, int depth) {
    if (auto it = env.find(e.name); it != env.end()) {
      if (!it->second) throw error(e.where, "'" + e.name + "' may be used before it is assigned (not every path assigns it)");
      return *it->second;
    }
    if (resolve_) {
      if (auto it = mod_.constants.find(e.name); it != mod_.constants.end()) return module_constant(*it->second, e, depth);
    }
    if (auto c = find_constant(resolve_, e.name)) {
      value r = real_value(0);
      r.literal.reset();
      r.code = *c;
      r.prec = c->front() == '-' ? p_unary : p_atom;
      return r;
    }
    if (assigned_anywhere_.count(e.name)) throw error(e.where, "'" + e.name + "' is used before it is assigned");
    if (mod_.earlier.count(e.name) || e.name == f_.name || (resolve_ && find_alias(*resolve_, e.name, 1)))
      throw error(e.where, "'" + e.name + "' is a function; call it");
    throw error(e.where, "unknown name '" + e.name + "'");
  }

  // A module-level constant, computed once per function that uses it (a local of
  // the lambda: the lambdas stay self-contained and constexpr).
  value module_constant(constant const& c, expr const& use, int depth) {
    if (auto it = constants_.find(c.name); it != constants_.end()) return it->second;
    if (mod_.lang == language::fsharp && c.where.line > f_.where.line)
      throw error(use.where, "'" + c.name + "' is defined later in the file; define it before '" + f_.name + "'");
    if (!computing_.insert(c.name).second) throw error(c.where, "constant '" + c.name + "' is defined in terms of itself");
    value v = lower(*c.value, {}, depth + 1);
    computing_.erase(c.name);
    if (v.type == vtype::boolean) throw error(c.where, "constant '" + c.name + "' is a condition; constants must be numbers");
    if (!v.constant && !v.literal) v = bind_variable(v, names_.variable(names_.of(unqualified(c.name))));
    return constants_[c.name] = v;
  }

  value lower_compare(expr const& e, environment const& env, int depth) {
    std::vector<value> xs;
    for (auto const& a : e.args) {
      value v = lower(*a, env, depth + 1);
      if (v.type == vtype::boolean) throw error(a->where, "conditions cannot be compared; compare numbers");
      xs.push_back(v);
    }
    bool all_int = std::all_of(xs.begin(), xs.end(), [](value const& v) { return v.type == vtype::integer; });
    std::vector<value> terms;
    for (std::size_t i = 0; i < e.cmp.size(); ++i) {
      if (all_int) {
        terms.push_back(bool_value(compare_ints(e.cmp[i], xs[i].ival, xs[i + 1].ival)));
        continue;
      }
      // A middle operand of a chain is evaluated once, as in the source language.
      if (i + 1 < e.cmp.size()) xs[i + 1] = bind(xs[i + 1], "t");
      value a = to_real(xs[i], e.where), b = to_real(xs[i + 1], e.where);
      terms.push_back(make(vtype::boolean, operand(a, p_add) + " " + compare_spelling(e.cmp[i]) + " " + operand(b, p_add),
                           p_rel, {&a, &b}));
    }
    return fold_logical(false, std::move(terms));
  }

  // Conjunctions and disjunctions of many terms, in groups bound to locals.
  value fold_logical(bool disjunction, std::vector<value> terms) {
    while (terms.size() > chain_group) {
      std::vector<value> groups;
      for (std::size_t i = 0; i < terms.size(); i += chain_group) {
        value acc = terms[i];
        for (std::size_t j = i + 1; j < std::min(i + chain_group, terms.size()); ++j) acc = logical(disjunction, acc, terms[j]);
        groups.push_back(bind(acc, "cond"));
      }
      terms = std::move(groups);
    }
    value acc = terms[0];
    for (std::size_t j = 1; j < terms.size(); ++j) acc = logical(disjunction, acc, terms[j]);
    return acc;
  }

  // One term of a chain: `inverse` when it is subtracted (or divided by).
  struct term {
    bool inverse;
    value v;
    loc where;
  };

  static int chain_group_of(expr const& e) {
    if (e.kind == expr_kind::and_) return 3;
    if (e.kind == expr_kind::or_) return 4;
    if (e.kind != expr_kind::binary) return 0;
    if (e.bop == binary_op::add || e.bop == binary_op::sub) return 1;
    // F#'s truncating `/` groups too: between integers (a / b) / c is a / (b * c).
    if (e.bop == binary_op::mul || e.bop == binary_op::div) return 2;
    return 5 + static_cast<int>(e.bop);  // not regrouped, but walked the same way
  }

  // The left spine of one operator group (a + b - c + ..., a and b and ...), walked
  // without recursion, so only real nesting counts against the depth limit.
  value lower_chain(expr const& e, environment const& env, int depth) {
    int group = chain_group_of(e);
    std::vector<expr const*> spine{&e};
    while (chain_group_of(*spine.back()->args[0]) == group) spine.push_back(spine.back()->args[0].get());
    if (group == 3 || group == 4) {
      std::vector<value> terms{to_bool(lower(*spine.back()->args[0], env, depth + 1), spine.back()->args[0]->where)};
      for (auto it = spine.rbegin(); it != spine.rend(); ++it)
        terms.push_back(to_bool(lower(*(*it)->args[1], env, depth + 1), (*it)->args[1]->where));
      return fold_logical(group == 4, std::move(terms));
    }
    value acc = lower(*spine.back()->args[0], env, depth + 1);
    if (spine.size() < chain_group || group > 2) {
      for (auto it = spine.rbegin(); it != spine.rend(); ++it)
        acc = arithmetic((*it)->bop, (*it)->int_div, (*it)->where, acc, lower(*(*it)->args[1], env, depth + 1));
      return acc;
    }
    std::vector<term> terms{{false, acc, e.where}};
    for (auto it = spine.rbegin(); it != spine.rend(); ++it)
      terms.push_back({(*it)->bop == binary_op::sub || (*it)->bop == binary_op::div, lower(*(*it)->args[1], env, depth + 1),
                       (*it)->where});
    binary_op plus = group == 1 ? binary_op::add : binary_op::mul, minus = group == 1 ? binary_op::sub : binary_op::div;
    while (terms.size() > chain_group) {
      std::vector<term> groups;
      for (std::size_t i = 0; i < terms.size(); i += chain_group) {
        // A group that is subtracted as a whole has its own operators flipped:
        // s - a + b is s - (a - b).
        value g = terms[i].v;
        for (std::size_t j = i + 1; j < std::min(i + chain_group, terms.size()); ++j)
          g = arithmetic(terms[j].inverse != terms[i].inverse ? minus : plus, e.int_div, terms[j].where, g, terms[j].v);
        groups.push_back({terms[i].inverse, bind(g, "partial"), terms[i].where});
      }
      terms = std::move(groups);
    }
    acc = terms[0].v;
    for (std::size_t j = 1; j < terms.size(); ++j)
      acc = arithmetic(terms[j].inverse ? minus : plus, e.int_div, terms[j].where, acc, terms[j].v);
    return acc;
  }

  // a op b on integers, refusing overflow (the arguments of a call are evaluated in
  // no fixed order, so the result is read only after the builtin has written it).
  template <class Op>
  static value checked(Op op, long long a, long long b, loc where) {
    long long r = 0;
    if (op(a, b, &r)) throw error(where, "integer overflow in a constant expression");
    return int_value(r);
  }

  value fold_integers(binary_op op, int_division d, loc where, long long a, long long b) {
    auto add = [](long long x, long long y, long long* r) { return __builtin_add_overflow(x, y, r); };
    auto sub = [](long long x, long long y, long long* r) { return __builtin_sub_overflow(x, y, r); };
    auto mul = [](long long x, long long y, long long* r) { return __builtin_mul_overflow(x, y, r); };
    switch (op) {
      case binary_op::add: return checked(add, a, b, where);
      case binary_op::sub: return checked(sub, a, b, where);
      case binary_op::mul: return checked(mul, a, b, where);
      default: break;
    }
    if (op == binary_op::pow) {
      if (b < 0) {
        if (a == 0) throw error(where, "division by zero in a constant expression");
        return real_value(std::pow(static_cast<double>(a), static_cast<double>(b)));
      }
      if (b == 0) return int_value(1);
      if (a == 0 || a == 1) return int_value(a);
      if (a == -1) return int_value(b % 2 ? -1 : 1);
      value acc = int_value(1);  // |a| >= 2 overflows within 63 steps
      for (long long k = 0; k < b; ++k) acc = checked(mul, acc.ival, a, where);
      return acc;
    }
    if (b == 0) throw error(where, "division by zero in a constant expression");
    if (a == LLONG_MIN && b == -1) throw error(where, "integer overflow in a constant expression");
    long long q = a / b, m = a % b;  // C++ truncates
    bool floor_adjust = m != 0 && ((m < 0) != (b < 0));
    switch (op) {
      case binary_op::div:
        if (d == int_division::truncating) return int_value(q);
        {
          value v = real_value(static_cast<double>(a) / static_cast<double>(b));
          v.code = "(" + std::to_string(a) + ".0 / " + std::to_string(b) + ")";
          v.prec = p_atom;
          return v;
        }
      case binary_op::floor_div: return int_value(floor_adjust ? q - 1 : q);
      case binary_op::trunc_div: return int_value(q);
      case binary_op::mod_floor: return int_value(floor_adjust ? m + b : m);
      case binary_op::mod_trunc: return int_value(m);
      default: break;
    }
    throw error(where, "unsupported integer operation");
  }

  value arithmetic(binary_op op, int_division d, loc where, value a, value b) {
    for (value const* v : {&a, &b})
      if (v->type == vtype::boolean)
        throw error(where, std::string("operator '") + binary_spelling(op) + "' applied to a condition");
    if (a.type == vtype::integer && b.type == vtype::integer) return fold_integers(op, d, where, a.ival, b.ival);
    value ar = to_real(a, where);
    if (op == binary_op::pow) {
      // An integral exponent stays exact: ks::pow(x, 3) multiplies.
      std::optional<long long> n;
      if (b.type == vtype::integer) n = b.ival;
      else if (b.literal && std::nearbyint(*b.literal) == *b.literal && std::fabs(*b.literal) <= 1024)
        n = static_cast<long long>(*b.literal);
      if (n && *n >= -1024 && *n <= 1024) return make(vtype::real, "ks::pow(" + ar.code + ", " + std::to_string(*n) + ")", p_atom, {&ar});
    }
    value br = to_real(b, where);
    auto infix = [&](char const* op_text, int p) {
      return make(vtype::real, operand(ar, p) + " " + op_text + " " + operand(br, p - 1), p, {&ar, &br});
    };
    auto rounded = [&](char const* fn, value const& q) { return make(vtype::real, std::string(fn) + "(" + q.code + ")", p_atom, {&q}); };
    switch (op) {
      case binary_op::add: return infix("+", p_add);
      case binary_op::sub: return infix("-", p_add);
      case binary_op::mul: return infix("*", p_mul);
      case binary_op::div: return infix("/", p_mul);
      case binary_op::floor_div: return rounded("ks::floor", infix("/", p_mul));
      case binary_op::trunc_div: return rounded("ks::trunc", infix("/", p_mul));
      case binary_op::mod_floor:
      case binary_op::mod_trunc: {
        ar = bind(ar, "t");
        br = bind(br, "t");
        char const* fn = op == binary_op::mod_floor ? "ks::floor" : "ks::trunc";
        return make(vtype::real, ar.code + " - " + operand(br, p_mul) + " * " + fn + "(" + ar.code + " / " + operand(br, p_mul - 1) + ")",
                    p_add, {&ar, &br});
      }
      case binary_op::pow: return make(vtype::real, "ks::pow(" + ar.code + ", " + br.code + ")", p_atom, {&ar, &br});
    }
    throw error(where, "unsupported operator");
  }

  // --- calls -------------------------------------------------------------------

  // A function of the file as this lambda names it: plainly in its own namespace,
  // unless a local of the lambda may have that name; otherwise from the global
  // namespace (a module may be named like anything outside).
  std::string callee_name(std::string const& function) const {
    std::string const& qualified = mod_.cxx_names.at(function);
    std::string rest = qualified.starts_with(scope_) ? qualified.substr(scope_.size()) : std::string();
    std::string name = unqualified(function);
    bool shadowed = locals_.contains(name) || mod_.constant_locals.contains(name);
    return rest.empty() || rest.find("::") != std::string::npos || shadowed ? qualified : rest;
  }

  static std::string takes(std::size_t lo, std::size_t hi) {
    if (lo == hi) return std::to_string(lo);
    return std::to_string(lo) + " to " + std::to_string(hi);
  }

  // Binds a call's arguments to the callee's parameters: positional ones in order,
  // keyword ones by name, the rest from the defaults (lowered where the callee was
  // defined: among the module constants, or the vocabulary).
  std::vector<value> bind_arguments(callee const& c, expr const& call, std::vector<value> args, int depth) {
    auto const& params = *c.params;
    std::size_t positional = 0;
    while (positional < call.kwnames.size() && call.kwnames[positional].empty()) ++positional;
    if (c.variadic) {
      if (positional != args.size() || args.size() < 2)
        throw error(call.where, "'" + c.spelling + "' takes two or more arguments, " + std::to_string(args.size()) + " given");
      return args;
    }
    std::size_t required = 0;
    for (param const& p : params) required += !p.default_value;
    if (positional > c.order.size() && c.order.size() < params.size()) {  // keyword-only parameters
      std::size_t positional_required = 0;
      for (std::size_t k : c.order) positional_required += !params[k].default_value;
      throw error(call.where, "'" + c.spelling + "' takes " + takes(positional_required, c.order.size()) +
                                  " positional argument(s), " + std::to_string(positional) + " given");
    }
    if (positional > c.order.size() || (args.size() < required && positional == args.size()))
      throw error(call.where, "'" + c.spelling + "' takes " + takes(required, params.size()) + " argument(s), " +
                                  std::to_string(args.size()) + " given");
    std::vector<std::optional<value>> slots(params.size());
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::size_t slot = params.size();
      if (i < positional) {
        slot = c.order[i];
      } else {
        for (std::size_t k = 0; k < params.size(); ++k)
          if (params[k].name == call.kwnames[i]) slot = k;
        if (slot == params.size())
          throw error(call.args[i]->where, "'" + c.spelling + "' has no parameter '" + call.kwnames[i] + "'");
      }
      if (slots[slot]) throw error(call.args[i]->where, "argument '" + params[slot].name + "' of '" + c.spelling + "' given twice");
      slots[slot] = std::move(args[i]);
    }
    std::vector<value> out;
    for (std::size_t k = 0; k < params.size(); ++k) {
      if (slots[k]) {
        out.push_back(*slots[k]);
        continue;
      }
      if (!params[k].default_value)
        throw error(call.where, "'" + c.spelling + "' needs its argument '" + params[k].name + "'");
      std::optional<language> outer = resolve_;
      if (c.vocabulary) resolve_.reset();
      out.push_back(lower(*params[k].default_value, {}, depth + 1));
      resolve_ = outer;
      defaulted_.push_back(k);
    }
    return out;
  }

  value call_code(std::string const& fn, std::vector<value> const& args, loc where) {
    std::string code = fn + "(";
    value r;
    for (std::size_t i = 0; i < args.size(); ++i) {
      value a = to_real(args[i], where);
      code += (i ? ", " : "") + a.code;
      r.deps.insert(r.deps.end(), a.deps.begin(), a.deps.end());
    }
    r.code = code + ")";
    return r;
  }

  value lower_call(expr const& e, environment const& env, int depth) {
    std::vector<value> args;
    for (auto const& a : e.args) args.push_back(lower(*a, env, depth + 1));
    if (env.count(e.name)) throw error(e.where, "'" + e.name + "' is a variable here, not a function");
    if (resolve_ && mod_.constants.count(e.name)) throw error(e.where, "'" + e.name + "' is a constant, not a function");
    std::vector<std::size_t> in_order;
    if (auto it = mod_.earlier.find(e.name); resolve_ && it != mod_.earlier.end()) {
      for (std::size_t k = 0; k < it->second->params.size(); ++k)
        if (!it->second->params[k].keyword_only) in_order.push_back(k);
      defaulted_.clear();
      auto bound = bind_arguments({e.name, &it->second->params, in_order, false, false}, e, std::move(args), depth);
      return call_code(callee_name(e.name), bound, e.where);
    }
    if (resolve_ && e.name == f_.name) throw error(e.where, "recursion is not supported ('" + e.name + "' calls itself)");
    std::string_view name = e.name;
    std::string_view order;
    if (resolve_) {
      alias const* a = find_alias(*resolve_, e.name, static_cast<int>(args.size()));
      if (!a) {
        if (mod_.later.count(e.name))
          throw error(e.where, "'" + e.name + "' is defined later in the file; define it before '" + f_.name + "'");
        throw error(e.where, "unknown function '" + e.name + "'");
      }
      name = a->function;
      order = a->order;
    }
    library_function const* lib = find_library_function(name);
    if (!lib) throw error(e.where, "unknown function '" + e.name + "'");
    function const* formula = formula_book::get().by_name.at(name);
    callee c{e.name, &formula->params, {}, lib->how == emit_kind::fold, true};
    for (std::size_t k = 0; k < formula->params.size(); ++k) c.order.push_back(k);
    if (!order.empty()) {
      c.order.clear();
      for (std::size_t start = 0; start < order.size();) {
        std::size_t end = std::min(order.find(',', start), order.size());
        std::string_view p = order.substr(start, end - start);
        while (p.starts_with(' ')) p.remove_prefix(1);
        for (std::size_t k = 0; k < formula->params.size(); ++k)
          if (formula->params[k].name == p) c.order.push_back(k);
        start = end + 1;
      }
    }
    defaulted_.clear();
    std::vector<value> bound = bind_arguments(c, e, std::move(args), depth);
    return call_library(*lib, *formula, std::move(bound), e, depth);
  }

  value call_library(library_function const& lib, function const& formula, std::vector<value> args, expr const& e, int depth) {
    switch (lib.how) {
      case emit_kind::select: return select(to_bool(args[0], e.args[0]->where), args[1], args[2], e.where);
      case emit_kind::power: return arithmetic(binary_op::pow, int_division::true_division, e.where, args[0], args[1]);
      case emit_kind::fold: {
        value acc = to_real(args.back(), e.where);
        for (std::size_t i = args.size() - 1; i-- > 0;) acc = call_code("ks::" + std::string(lib.ks), {args[i], acc}, e.where);
        return acc;
      }
      case emit_kind::call: break;
    }
    for (value& a : args)
      if (a.type == vtype::boolean) throw error(e.where, "a condition is passed to '" + e.name + "'; pass a number");
    std::size_t leading = 0;
    while (leading < formula.params.size() && !formula.params[leading].default_value) ++leading;
    bool defaults_untouched = defaulted_.size() == formula.params.size() - leading;
    if (!lib.ks.empty() && (lib.formula.empty() || defaults_untouched)) {
      if (!lib.formula.empty()) args.resize(leading);
      return call_code("ks::" + std::string(lib.ks), args, e.where);
    }
    // The formula, over the arguments bound to locals, in the vocabulary's own names.
    environment inner;
    for (std::size_t k = 0; k < args.size(); ++k) inner[formula.params[k].name] = bind(to_real(args[k], e.where), "t");
    std::optional<language> outer = resolve_;
    resolve_.reset();
    value v = lower(*formula.body.at(0).value, inner, depth + 1);
    resolve_ = outer;
    return v;
  }

  // --- statements --------------------------------------------------------------

  flow lower_block(std::vector<stmt> const& body, environment& env, int depth) {
    check_depth(depth, body.empty() ? f_.where : body.front().where);
    flow fl;
    for (auto const& s : body) {
      if (fl.returned.constant && fl.returned.ival) break;  // unreachable, as after a return
      switch (s.kind) {
        case stmt_kind::assign: {
          value v = lower(*s.value, env, 0);
          env[s.target] = v.constant ? v : bind_variable(v, names_.variable(names_.of(s.target)));
          break;
        }
        case stmt_kind::return_: {
          value v = lower(*s.value, env, 0);
          if (v.type == vtype::boolean) throw error(s.value->where, "a function must return a number, not a condition");
          add_return(fl, bool_value(true), v, s.where);
          break;
        }
        case stmt_kind::if_: {
          value c = to_bool(lower(*s.cond, env, 0), s.cond->where);
          if (c.constant) {
            flow inner = lower_block(c.ival ? s.then_body : s.else_body, env, depth + 1);
            if (inner.result) add_return(fl, inner.returned, *inner.result, s.where);
            break;
          }
          c = bind(c, "cond");
          environment then_env = env, else_env = env;
          flow ft = lower_block(s.then_body, then_env, depth + 1);
          flow fe = lower_block(s.else_body, else_env, depth + 1);
          merge_environments(env, c, ft, then_env, fe, else_env, s.where);
          // Which lanes returned inside the if, and with what.
          value returned = select(c, ft.returned, fe.returned, s.where);
          if (!(returned.constant && !returned.ival)) {
            value r = !ft.result ? *fe.result : !fe.result ? *ft.result : select(c, *ft.result, *fe.result, s.where);
            add_return(fl, returned, r, s.where);
          }
          break;
        }
      }
    }
    return fl;
  }

  // A return of `v` on the lanes `when` (those that have not returned yet). The
  // result is used once by the next select, so it is not bound; `returned` is used twice.
  void add_return(flow& fl, value when, value v, loc where) {
    if (fl.returned.constant && !fl.returned.ival) {
      fl.returned = bind(when, "returned");
      fl.result = v;
      return;
    }
    fl.result = select(fl.returned, *fl.result, v, where);
    fl.returned = bind(logical(true, fl.returned, when), "returned");
  }

  void merge_environments(environment& env, value const& c, flow const& ft, environment const& then_env, flow const& fe,
                          environment const& else_env, loc where) {
    bool then_returned = ft.returned.constant && ft.returned.ival;
    bool else_returned = fe.returned.constant && fe.returned.ival;
    if (then_returned && else_returned) return;
    std::set<std::string> vars;
    for (auto const& kv : then_env) vars.insert(kv.first);
    for (auto const& kv : else_env) vars.insert(kv.first);
    for (auto const& name : vars) {
      auto t = then_env.find(name);
      auto e = else_env.find(name);
      std::optional<value> tv = t == then_env.end() ? std::nullopt : t->second;
      std::optional<value> ev = e == else_env.end() ? std::nullopt : e->second;
      if (then_returned) env[name] = ev;
      else if (else_returned) env[name] = tv;
      else if (!tv || !ev) env[name].reset();
      else if (tv->code == ev->code) env[name] = tv;
      else env[name] = bind_variable(select(c, *tv, *ev, where), names_.variable(names_.of(name)));
    }
  }

  function const& f_;
  module_info const& mod_;
  std::optional<language> resolve_;  // empty while lowering a vocabulary formula
  namer& names_;
  std::string scope_;
  std::vector<binding> bindings_;
  std::set<std::string> assigned_anywhere_, computing_;
  std::set<std::string> locals_;  // the source names of the parameters and locals
  std::map<std::string, value> constants_;
  std::vector<std::size_t> defaulted_;  // the parameters the last bound call left to their defaults
};

}  // namespace

std::string emit_module(module const& m, translate_options const& options) {
  if (m.functions.empty()) throw error({1, 1}, "no function definitions found");
  std::set<std::string> source_names;
  module_info mod{options.lang, {}, {}, {}, {}, {}};
  std::set<std::string> modules;  // of F# definitions, as "A" and "A.B"
  auto add_definition = [&](std::string const& name) {
    source_names.insert(name);
    std::vector<std::string> path = name_parts(name);
    source_names.insert(path.begin(), path.end());
  };
  for (auto const& c : m.constants) {
    if (mod.constants.count(c.name)) throw error(c.where, "constant '" + c.name + "' is already defined");
    mod.constants[c.name] = &c;
    mod.constant_locals.insert(unqualified(c.name));
    add_definition(c.name);
  }
  for (auto const& f : m.functions) {
    add_definition(f.name);
    for (std::size_t dot = f.name.find('.'); dot != std::string::npos; dot = f.name.find('.', dot + 1))
      modules.insert(f.name.substr(0, dot));
    mod.later.insert(f.name);
    for (std::string const& name : bound_names(f)) source_names.insert(name);
    for_each_expr(f.body, [&](expr const& root) {
      for_each_node(root, [&](expr const& e) {
        if (e.kind == expr_kind::name) source_names.insert(e.name);
      });
    });
  }

  std::string ns = options.namespace_name.empty() ? namespace_from_path(options.source_name) : options.namespace_name;
  if (is_unsafe_identifier(ns)) ns += "_ns";

  std::ostringstream out;
  out << "// Generated by ks-translate from " << options.source_name << ". Do not edit.\n";
  out << "#pragma once\n\n#include <knossos/knossos.hpp>\n\n#include <limits>\n\n";
  out << "namespace " << ns << " {\n\n";
  namer names(source_names);
  std::map<std::string, int> defined_at;
  std::vector<std::string> open;  // the C++ namespaces of modules open in the output
  for (auto const& f : m.functions) {
    if (auto it = defined_at.find(f.name); it != defined_at.end())
      throw error(f.where, "function '" + f.name + "' is already defined at line " + std::to_string(it->second));
    if (modules.contains(f.name))
      throw error(f.where, "function '" + f.name + "' has the name of a module beside it, and C++ cannot have both in "
                           "one namespace; rename one of them");
    defined_at[f.name] = f.where.line;
    mod.later.erase(f.name);
    // Into the namespace of f's module: close those it is not in, open the rest.
    std::vector<std::string> path = name_parts(f.name);
    std::string const name = path.back();
    path.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < path.size() && open[common] == names.of(path[common])) ++common;
    for (; open.size() > common; open.pop_back()) out << "}  // namespace " << open.back() << "\n\n";
    for (; open.size() < path.size(); out << "namespace " << open.back() << " {\n\n") {
      std::string const& module_name = path[open.size()];
      open.push_back(names.of(module_name));
      if (open.back() != module_name) out << "// module '" << module_name << "' is spelled '" << open.back() << "' in C++\n";
    }
    std::string scope = "::" + ns + "::";
    for (std::string const& n : open) scope += n + "::";
    std::string cxx = names.of(name);
    if (cxx != name) out << "// '" << name << "' is spelled '" << cxx << "' in C++\n";
    out << function_lowerer(f, mod, names, scope).run(cxx, options.source_name) << "\n";
    mod.cxx_names[f.name] = scope + cxx;
    mod.earlier[f.name] = &f;
  }
  for (; !open.empty(); open.pop_back()) out << "}  // namespace " << open.back() << "\n\n";
  out << "}  // namespace " << ns << "\n";
  return out.str();
}

}  // namespace kst
