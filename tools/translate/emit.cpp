// Checks a parsed module and emits C++: names are resolved, integer constants are
// folded with the source language's rules, statements become SSA bindings, and
// if-statements become ks::select merges. Everything a branch computes is computed
// on every lane anyway (that is what select on SIMD batches does), so lowering
// control flow to dataflow loses nothing.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "translate.hpp"

namespace kst {
namespace {

enum class vtype { real, integer, boolean };

// Operator precedence of the emitted C++, to parenthesise only where needed.
enum prec : int { p_atom = 0, p_unary = 1, p_mul = 2, p_add = 3, p_rel = 4, p_and = 6, p_or = 7 };

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

std::vector<int> merge_deps(std::initializer_list<value const*> vs) {
  std::vector<int> out;
  for (auto* v : vs) out.insert(out.end(), v->deps.begin(), v->deps.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// `code` of v, parenthesised when its precedence is looser than `allowed`.
std::string operand(value const& v, int allowed) {
  return v.prec > allowed ? "(" + v.code + ")" : v.code;
}

value make(vtype type, std::string code, int prec, std::initializer_list<value const*> from) {
  value r;
  r.type = type;
  r.code = std::move(code);
  r.prec = prec;
  r.deps = merge_deps(from);
  return r;
}

char const* binary_spelling(binary_op op) {
  switch (op) {
    case binary_op::add: return "+";
    case binary_op::sub: return "-";
    case binary_op::mul: return "*";
    case binary_op::div: return "/";
    case binary_op::floor_div: return "//";
    case binary_op::trunc_div: return "\xc3\xb7";
    case binary_op::mod_floor:
    case binary_op::mod_trunc: return "%";
    case binary_op::pow: return "**";
  }
  return "?";
}

char const* compare_spelling(compare_op op) {
  switch (op) {
    case compare_op::lt: return "<";
    case compare_op::le: return "<=";
    case compare_op::gt: return ">";
    case compare_op::ge: return ">=";
    case compare_op::eq: return "==";
    case compare_op::ne: return "!=";
  }
  return "?";
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

// A variable's state at some point of a function body.
struct var_state {
  std::optional<value> v;  // empty: assigned on some paths only
};

using environment = std::map<std::string, var_state>;

// Where control stands after a block: `returned` says on which lanes a return has
// happened, `result` is the value returned there.
struct flow {
  value returned = bool_value(false);
  std::optional<value> result;
};

struct function_info {
  std::string cxx_name;
  std::size_t arity;
  int line;
};

// Turns source identifiers into C++ identifiers that cannot collide with keywords,
// macros, our own temporaries or each other.
class namer {
 public:
  explicit namer(std::set<std::string> source_names) : taken_(std::move(source_names)) {
    for (auto const& n : taken_) safe_[n] = sanitize(n);
  }

  // The C++ name of source identifier `n` (stable within the module).
  std::string const& of(std::string const& n) {
    auto it = safe_.find(n);
    if (it == safe_.end()) it = safe_.emplace(n, sanitize(n)).first;
    return it->second;
  }

  // A name not used anywhere: `base`, `base_1`, `base_2`, ...
  std::string fresh(std::string const& base) {
    std::string candidate = base;
    for (int k = 1; taken_.count(candidate) || used_as_safe(candidate) || is_unsafe_identifier(candidate); ++k)
      candidate = base + "_" + std::to_string(k);
    taken_.insert(candidate);
    return candidate;
  }

  // The C++ name for a new value of source variable `safe`: its own name the first
  // time in a function, then safe_1, safe_2, ...
  std::string variable(std::string const& safe) {
    if (bound_.insert(safe).second) return safe;
    return fresh(safe);
  }

 private:
  bool used_as_safe(std::string const& c) const {
    return std::any_of(safe_.begin(), safe_.end(), [&](auto const& kv) { return kv.second == c && kv.first != c; });
  }

  std::string sanitize(std::string const& n) const {
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
    if (r != n || is_unsafe_identifier(r)) {
      if (is_unsafe_identifier(r)) r += "_v";
      std::string base = r;
      for (int k = 2; taken_.count(r); ++k) r = base + std::to_string(k);
    }
    return r;
  }

  std::set<std::string> taken_;
  std::set<std::string> bound_;
  std::map<std::string, std::string> safe_;
};

void collect_names(expr const& e, std::set<std::string>& out) {
  if (e.kind == expr_kind::name) out.insert(e.name);
  for (auto const& a : e.args) collect_names(*a, out);
}

void collect_names(std::vector<stmt> const& body, std::set<std::string>& out, std::set<std::string>* assigned) {
  for (auto const& s : body) {
    if (s.kind == stmt_kind::assign) {
      out.insert(s.target);
      if (assigned) assigned->insert(s.target);
    }
    if (s.value) collect_names(*s.value, out);
    if (s.cond) collect_names(*s.cond, out);
    collect_names(s.then_body, out, assigned);
    collect_names(s.else_body, out, assigned);
  }
}

class function_lowerer {
 public:
  function_lowerer(function const& f, language lang, std::map<std::string, function_info> const& earlier,
                   namer& names)
      : f_(f), lang_(lang), earlier_(earlier), names_(names) {
    std::set<std::string> all;
    collect_names(f.body, all, &assigned_anywhere_);
  }

  std::string run(std::string const& cxx_name, std::string const& source_name) {
    environment env;
    std::vector<std::string> params;
    std::set<std::string> seen;
    for (auto const& p : f_.params) {
      if (!seen.insert(p.name).second) throw error(p.where, "duplicate parameter '" + p.name + "'");
      std::string n = names_.variable(names_.of(p.name));
      value v;
      v.code = n;
      v.deps = {add_binding(n, "", {})};
      params.push_back(n);
      env[p.name].v = v;
    }
    flow fl = lower_block(f_.body, env, 0);
    if (!(fl.returned.constant && fl.returned.ival)) {
      throw error(f_.where, "function '" + f_.name + "' does not return a value on every path");
    }
    value result = *fl.result;
    if (result.type == vtype::boolean) throw error(f_.where, "function '" + f_.name + "' returns a condition; return a number");
    result = to_real(result, f_.where);

    // Keep only the bindings the result depends on.
    std::vector<bool> live(bindings_.size(), false);
    std::vector<int> work = result.deps;
    while (!work.empty()) {
      int id = work.back();
      work.pop_back();
      if (live[id]) continue;
      live[id] = true;
      for (int d : bindings_[id].deps) work.push_back(d);
    }

    std::ostringstream out;
    out << "// " << source_name << ":" << f_.where.line << ": " << f_.name << "\n";
    out << "inline constexpr auto " << cxx_name << " = [](";
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i) out << ", ";
      if (!live[i]) out << "[[maybe_unused]] ";
      out << "auto " << params[i];
    }
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
    if (v.constant || (v.prec == p_atom && (v.literal || v.deps.size() <= 1) &&
                       v.code.find('(') == std::string::npos))
      return v;
    std::string name = names_.fresh(base);
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
    if (v.type != vtype::boolean)
      throw error(where, "a number is used as a condition; write a comparison such as 'x != 0'");
    return v;
  }

  value select(value const& c, value const& a, value const& b, loc where) {
    if (c.constant) return c.ival ? a : b;
    if (a.constant && b.constant && a.type == b.type && a.ival == b.ival) return a;
    if (a.type == vtype::boolean || b.type == vtype::boolean) {
      value ab = to_bool(a, where), bb = to_bool(b, where);
      value cb = bind(c, "cond");
      return logical_or(logical_and(cb, ab), logical_and(logical_not(cb), bb));
    }
    if (a.type == vtype::integer && b.type == vtype::integer && a.ival == b.ival) return a;
    if (a.code == b.code) return a;
    value ar = to_real(a, where), br = to_real(b, where);
    return make(vtype::real, "ks::select(" + c.code + ", " + ar.code + ", " + br.code + ")", p_atom, {&c, &ar, &br});
  }

  value logical_and(value const& a, value const& b) {
    if (a.constant) return a.ival ? b : a;
    if (b.constant) return b.ival ? a : b;
    return make(vtype::boolean, operand(a, p_rel) + " && " + operand(b, p_rel), p_and, {&a, &b});
  }

  value logical_or(value const& a, value const& b) {
    if (a.constant) return a.ival ? a : b;
    if (b.constant) return b.ival ? b : a;
    // Parenthesise && inside || (-Wparentheses).
    return make(vtype::boolean, operand(a, p_rel) + " || " + operand(b, p_rel), p_or, {&a, &b});
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
        if (e.is_float32) {
          value r = real_value(e.float_value);
          if (std::isfinite(static_cast<float>(e.float_value))) r.code = real_literal(static_cast<float>(e.float_value)) + "f";
          return r;
        }
        return real_value(e.float_value);
      case expr_kind::boolean: return bool_value(e.int_value != 0);
      case expr_kind::name: return lower_name(e, env);
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
      case expr_kind::or_: {
        value a = to_bool(lower(*e.args[0], env, depth + 1), e.args[0]->where);
        value b = to_bool(lower(*e.args[1], env, depth + 1), e.args[1]->where);
        return e.kind == expr_kind::and_ ? logical_and(a, b) : logical_or(a, b);
      }
      case expr_kind::if_exp: {
        value c = to_bool(lower(*e.args[0], env, depth + 1), e.args[0]->where);
        value a = lower(*e.args[1], env, depth + 1);
        value b = lower(*e.args[2], env, depth + 1);
        return select(c, a, b, e.where);
      }
      case expr_kind::compare: return lower_compare(e, env, depth);
      case expr_kind::binary: {
        value a = lower(*e.args[0], env, depth + 1);
        value b = lower(*e.args[1], env, depth + 1);
        return arithmetic(e, a, b);
      }
      case expr_kind::call: return lower_call(e, env, depth);
    }
    throw error(e.where, "unsupported expression");
  }

  value lower_name(expr const& e, environment const& env) {
    if (auto it = env.find(e.name); it != env.end()) {
      if (!it->second.v)
        throw error(e.where, "'" + e.name + "' may be used before it is assigned (not every path assigns it)");
      return *it->second.v;
    }
    if (auto c = find_constant(lang_, e.name)) {
      value r = real_value(0);
      r.literal.reset();
      r.code = *c;
      return r;
    }
    if (assigned_anywhere_.count(e.name)) throw error(e.where, "'" + e.name + "' is used before it is assigned");
    if (earlier_.count(e.name) || e.name == f_.name)
      throw error(e.where, "'" + e.name + "' is a function; call it");
    throw error(e.where, "unknown name '" + e.name + "'");
  }

  value lower_compare(expr const& e, environment const& env, int depth) {
    std::vector<value> xs;
    for (auto const& a : e.args) {
      value v = lower(*a, env, depth + 1);
      if (v.type == vtype::boolean) throw error(a->where, "conditions cannot be compared; compare numbers");
      xs.push_back(v);
    }
    bool all_int = std::all_of(xs.begin(), xs.end(), [](value const& v) { return v.type == vtype::integer; });
    value result = bool_value(true);
    for (std::size_t i = 0; i < e.cmp.size(); ++i) {
      value term;
      if (all_int) {
        term = bool_value(compare_ints(e.cmp[i], xs[i].ival, xs[i + 1].ival));
      } else {
        // A middle operand of a chain is evaluated once, as in the source language.
        if (i + 1 < e.cmp.size()) xs[i + 1] = bind(xs[i + 1], "t");
        value a = to_real(xs[i], e.where), b = to_real(xs[i + 1], e.where);
        term = make(vtype::boolean, operand(a, p_add) + " " + compare_spelling(e.cmp[i]) + " " + operand(b, p_add),
                    p_rel, {&a, &b});
      }
      result = i == 0 ? term : logical_and(result, term);
    }
    return result;
  }

  static long long checked(bool overflow, long long v, loc where) {
    if (overflow) throw error(where, "integer overflow in a constant expression");
    return v;
  }

  value fold_integers(expr const& e, long long a, long long b) {
    long long r = 0;
    switch (e.bop) {
      case binary_op::add: return int_value(checked(__builtin_add_overflow(a, b, &r), r, e.where));
      case binary_op::sub: return int_value(checked(__builtin_sub_overflow(a, b, &r), r, e.where));
      case binary_op::mul: return int_value(checked(__builtin_mul_overflow(a, b, &r), r, e.where));
      default: break;
    }
    if (e.bop == binary_op::pow) {
      if (b < 0) {
        if (a == 0) throw error(e.where, "division by zero in a constant expression");
        return real_value(std::pow(static_cast<double>(a), static_cast<double>(b)));
      }
      if (b == 0) return int_value(1);
      if (a == 0 || a == 1) return int_value(a);
      if (a == -1) return int_value(b % 2 ? -1 : 1);
      long long acc = 1;  // |a| >= 2 overflows within 63 steps
      for (long long k = 0; k < b; ++k) acc = checked(__builtin_mul_overflow(acc, a, &acc), acc, e.where);
      return int_value(acc);
    }
    if (b == 0) throw error(e.where, "division by zero in a constant expression");
    if (a == LLONG_MIN && b == -1) throw error(e.where, "integer overflow in a constant expression");
    long long q = a / b, m = a % b;  // C++ truncates
    bool floor_adjust = m != 0 && ((m < 0) != (b < 0));
    switch (e.bop) {
      case binary_op::div:
        if (e.int_div == int_division::truncating) return int_value(q);
        {
          value r = real_value(static_cast<double>(a) / static_cast<double>(b));
          r.code = "(" + std::to_string(a) + ".0 / " + std::to_string(b) + ")";
          r.prec = p_atom;
          return r;
        }
      case binary_op::floor_div: return int_value(floor_adjust ? q - 1 : q);
      case binary_op::trunc_div: return int_value(q);
      case binary_op::mod_floor: return int_value(floor_adjust ? m + b : m);
      case binary_op::mod_trunc: return int_value(m);
      default: break;
    }
    throw error(e.where, "unsupported integer operation");
  }

  value arithmetic(expr const& e, value a, value b) {
    for (value const* v : {&a, &b})
      if (v->type == vtype::boolean)
        throw error(e.where, std::string("operator '") + binary_spelling(e.bop) + "' applied to a condition");
    if (a.type == vtype::integer && b.type == vtype::integer) return fold_integers(e, a.ival, b.ival);
    if (e.bop == binary_op::pow) {
      std::optional<long long> n;
      if (b.type == vtype::integer) n = b.ival;
      else if (b.literal && std::nearbyint(*b.literal) == *b.literal && std::fabs(*b.literal) <= 1024)
        n = static_cast<long long>(*b.literal);
      value ar = to_real(a, e.where);
      if (n && *n >= -1024 && *n <= 1024)
        return make(vtype::real, "ks::pow(" + ar.code + ", " + std::to_string(*n) + ")", p_atom, {&ar});
      value br = to_real(b, e.where);
      return make(vtype::real, "ks::pow(" + ar.code + ", " + br.code + ")", p_atom, {&ar, &br});
    }
    value ar = to_real(a, e.where), br = to_real(b, e.where);
    auto infix = [&](char const* op, int p) {
      return make(vtype::real, operand(ar, p) + " " + op + " " + operand(br, p - 1), p, {&ar, &br});
    };
    switch (e.bop) {
      case binary_op::add: return infix("+", p_add);
      case binary_op::sub: return infix("-", p_add);
      case binary_op::mul: return infix("*", p_mul);
      case binary_op::div: return infix("/", p_mul);
      case binary_op::floor_div: {
        value q = infix("/", p_mul);
        return make(vtype::real, "ks::floor(" + q.code + ")", p_atom, {&q});
      }
      case binary_op::trunc_div: {
        value q = infix("/", p_mul);
        return make(vtype::real, "ks::trunc(" + q.code + ")", p_atom, {&q});
      }
      case binary_op::mod_floor:
      case binary_op::mod_trunc: {
        ar = bind(ar, "t");
        br = bind(br, "t");
        char const* fn = e.bop == binary_op::mod_floor ? "ks::floor" : "ks::trunc";
        return make(vtype::real,
                    ar.code + " - " + operand(br, p_mul) + " * " + fn + "(" + ar.code + " / " + operand(br, p_mul - 1) + ")",
                    p_add, {&ar, &br});
      }
      case binary_op::pow: break;
    }
    throw error(e.where, "unsupported operator");
  }

  value lower_call(expr const& e, environment const& env, int depth) {
    std::vector<value> args;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (i < e.kwnames.size() && !e.kwnames[i].empty() && !accepts_keywords(e.name))
        throw error(e.args[i]->where, "keyword argument '" + e.kwnames[i] + "' is not supported by '" + e.name + "'");
      args.push_back(lower(*e.args[i], env, depth + 1));
    }
    if (env.count(e.name)) throw error(e.where, "'" + e.name + "' is a variable here, not a function");
    if (auto it = earlier_.find(e.name); it != earlier_.end()) {
      if (args.size() != it->second.arity)
        throw error(e.where, "'" + e.name + "' takes " + std::to_string(it->second.arity) + " argument(s), " +
                                 std::to_string(args.size()) + " given");
      std::string code = it->second.cxx_name + "(";
      std::vector<int> deps;
      for (std::size_t i = 0; i < args.size(); ++i) {
        value a = to_real(args[i], e.args[i]->where);
        code += (i ? ", " : "") + a.code;
        deps.insert(deps.end(), a.deps.begin(), a.deps.end());
      }
      value r = make(vtype::real, code + ")", p_atom, {});
      r.deps = deps;
      return r;
    }
    if (e.name == f_.name) throw error(e.where, "recursion is not supported ('" + e.name + "' calls itself)");
    auto m = find_math_function(lang_, e.name);
    if (!m) {
      if (later_functions_.count(e.name))
        throw error(e.where, "'" + e.name + "' is defined later in the file; define it before '" + f_.name + "'");
      throw error(e.where, "unknown function '" + e.name + "'");
    }
    args = order_keywords(e, std::move(args));
    int n = static_cast<int>(args.size());
    if (n < m->min_args || (m->max_args >= 0 && n > m->max_args)) {
      std::string want = m->min_args == m->max_args ? std::to_string(m->min_args)
                         : m->max_args < 0          ? "at least " + std::to_string(m->min_args)
                                                    : std::to_string(m->min_args) + " or " + std::to_string(m->max_args);
      throw error(e.where, "'" + e.name + "' takes " + want + " argument(s), " + std::to_string(n) + " given");
    }
    if (m->how == lowering::select) {
      value c = to_bool(args[0], e.args[0]->where);
      return select(c, args[1], args[2], e.where);
    }
    if (m->how == lowering::pow) {
      expr fake;
      fake.bop = binary_op::pow;
      fake.where = e.where;
      return arithmetic(fake, args[0], args[1]);
    }
    for (std::size_t i = 0; i < args.size(); ++i) args[i] = to_real(args[i], e.where);
    auto call = [&](std::string_view fn, std::vector<value const*> xs) {
      std::string code = "ks::" + std::string(fn) + "(";
      std::vector<int> deps;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        code += (i ? ", " : "") + xs[i]->code;
        deps.insert(deps.end(), xs[i]->deps.begin(), xs[i]->deps.end());
      }
      value r = make(vtype::real, code + ")", p_atom, {});
      r.deps = deps;
      return r;
    };
    auto lit = [](double v) { return real_value(v); };
    switch (m->how) {
      case lowering::ks_unary:
        if (m->ks_name == "atan" && n == 2) return call("atan2", {&args[0], &args[1]});
        return call(m->ks_name, {&args[0]});
      case lowering::ks_binary: return call(m->ks_name, {&args[0], &args[1]});
      case lowering::ks_clamp: return call("clamp", {&args[0], &args[1], &args[2]});
      case lowering::fold_max:
      case lowering::fold_min: {
        value acc = args.back();
        for (int i = n - 2; i >= 0; --i) acc = call(m->how == lowering::fold_max ? "max" : "min", {&args[i], &acc});
        return acc;
      }
      case lowering::identity: return args[0];
      case lowering::relu: {
        value x = bind(args[0], "t"), zero = lit(0.0);
        value c = make(vtype::boolean, operand(x, p_add) + " > 0.0", p_rel, {&x});
        return select(c, x, zero, e.where);
      }
      case lowering::silu: {
        value x = bind(args[0], "t");
        value s = call("sigmoid", {&x});
        return make(vtype::real, operand(x, p_mul) + " * " + s.code, p_mul, {&x});
      }
      case lowering::gelu: {
        value x = bind(args[0], "t");
        return make(vtype::real, "0.5 * " + operand(x, p_mul) + " * (1.0 + ks::erf(" + operand(x, p_mul) +
                                     " * 0.7071067811865476))", p_mul, {&x});
      }
      case lowering::elu: {
        value x = bind(args[0], "t");
        value c = make(vtype::boolean, operand(x, p_add) + " > 0.0", p_rel, {&x});
        value em = call("expm1", {&x});
        return select(c, x, em, e.where);
      }
      case lowering::square: {
        value x = bind(args[0], "t");
        return make(vtype::real, operand(x, p_mul) + " * " + operand(x, p_mul - 1), p_mul, {&x});
      }
      case lowering::reciprocal: return make(vtype::real, "1.0 / " + operand(args[0], p_mul - 1), p_mul, {&args[0]});
      case lowering::rsqrt: {
        value s = call("sqrt", {&args[0]});
        return make(vtype::real, "1.0 / " + s.code, p_mul, {&s});
      }
      case lowering::log_base: {
        if (n == 1) return call("log", {&args[0]});
        value const& x = m->base_first ? args[1] : args[0];
        value const& base = m->base_first ? args[0] : args[1];
        value lx = call("log", {&x}), lb = call("log", {&base});
        return make(vtype::real, lx.code + " / " + lb.code, p_mul, {&lx, &lb});
      }
      case lowering::log2:
      case lowering::log10: {
        value lx = call("log", {&args[0]});
        char const* k = m->how == lowering::log2 ? "1.4426950408889634" : "0.43429448190325176";
        return make(vtype::real, lx.code + " * " + k, p_mul, {&lx});
      }
      case lowering::copysign: {
        value a = call("abs", {&args[0]});
        value b = args[1];
        value c = make(vtype::boolean, operand(b, p_add) + " < 0.0", p_rel, {&b});
        value neg = make(vtype::real, "-" + a.code, p_unary, {&a});
        return select(c, neg, a, e.where);
      }
      case lowering::select:
      case lowering::pow: break;
    }
    throw error(e.where, "unsupported function '" + e.name + "'");
  }

  static bool accepts_keywords(std::string const& name) {
    return name == "torch.clamp" || name == "torch.clip" || name == "numpy.clip";
  }

  // torch.clamp(x, min=a, max=b): put keyword arguments in their positions.
  static std::vector<value> order_keywords(expr const& e, std::vector<value> args) {
    if (!accepts_keywords(e.name)) return args;
    std::vector<std::optional<value>> slots(3);
    static const std::map<std::string, std::size_t> positions{
        {"input", 0}, {"a", 0}, {"min", 1}, {"a_min", 1}, {"max", 2}, {"a_max", 2}};
    std::size_t next = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string const kw = i < e.kwnames.size() ? e.kwnames[i] : "";
      std::size_t slot = next++;
      if (!kw.empty()) {
        auto it = positions.find(kw);
        if (it == positions.end()) throw error(e.args[i]->where, "unknown keyword argument '" + kw + "'");
        slot = it->second;
      }
      if (slot >= 3 || slots[slot]) throw error(e.args[i]->where, "argument given twice or too many arguments");
      slots[slot] = args[i];
    }
    std::vector<value> out;
    for (auto& s : slots) {
      if (!s) {
        // torch.clamp(x, min=0.0) alone: no upper (or lower) bound.
        value inf;
        inf.code = "std::numeric_limits<double>::infinity()";
        if (&s == &slots[1]) {
          inf.code = "-" + inf.code;
          inf.prec = p_unary;
        }
        if (&s == &slots[0]) throw error(e.where, "'" + e.name + "' needs an input argument");
        out.push_back(inf);
      } else {
        out.push_back(*s);
      }
    }
    return out;
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
          std::string const& base = names_.of(s.target);
          env[s.target].v = bind_variable(v, base);
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
            value r;
            if (!ft.result) r = *fe.result;
            else if (!fe.result) r = *ft.result;
            else r = select(c, *ft.result, *fe.result, s.where);
            add_return(fl, returned, r, s.where);
          }
          break;
        }
      }
    }
    return fl;
  }

  // A return of `v` on the lanes `when` (those that have not returned yet).
  void add_return(flow& fl, value when, value v, loc where) {
    // The result is used once by the next select, so it is not bound; `returned`
    // is used twice.
    if (fl.returned.constant && !fl.returned.ival) {
      fl.returned = bind(when, "returned");
      fl.result = v;
      return;
    }
    fl.result = select(fl.returned, *fl.result, v, where);
    fl.returned = bind(logical_or(fl.returned, when), "returned");
  }

  value bind_variable(value v, std::string const& base) {
    if (v.constant) return v;
    std::string name = names_.variable(base);
    value r;
    r.type = v.type;
    r.code = name;
    r.literal.reset();
    r.deps = {add_binding(name, v.code, v.deps)};
    return r;
  }

  void merge_environments(environment& env, value const& c, flow const& ft, environment const& then_env,
                          flow const& fe, environment const& else_env, loc where) {
    bool then_returned = ft.returned.constant && ft.returned.ival;
    bool else_returned = fe.returned.constant && fe.returned.ival;
    std::set<std::string> vars;
    for (auto const& kv : then_env) vars.insert(kv.first);
    for (auto const& kv : else_env) vars.insert(kv.first);
    for (auto const& name : vars) {
      auto t = then_env.find(name);
      auto e = else_env.find(name);
      std::optional<value> tv = t == then_env.end() ? std::nullopt : t->second.v;
      std::optional<value> ev = e == else_env.end() ? std::nullopt : e->second.v;
      if (then_returned && else_returned) continue;
      if (then_returned) {
        env[name].v = ev;
      } else if (else_returned) {
        env[name].v = tv;
      } else if (!tv || !ev) {
        env[name].v.reset();
      } else if (tv->code == ev->code) {
        env[name].v = tv;
      } else {
        env[name].v = bind_variable(select(c, *tv, *ev, where), names_.of(name));
      }
    }
  }

  function const& f_;
  language lang_;
  std::map<std::string, function_info> const& earlier_;
  namer& names_;
  std::vector<binding> bindings_;
  std::set<std::string> assigned_anywhere_;

 public:
  std::set<std::string> later_functions_;
};

}  // namespace

std::string emit_module(module const& m, translate_options const& options) {
  std::set<std::string> source_names;
  for (auto const& f : m.functions) {
    source_names.insert(f.name);
    for (auto const& p : f.params) source_names.insert(p.name);
    collect_names(f.body, source_names, nullptr);
  }
  if (m.functions.empty()) throw error({1, 1}, "no function definitions found");

  std::string ns = options.namespace_name.empty() ? namespace_from_path(options.source_name) : options.namespace_name;
  if (is_unsafe_identifier(ns)) ns += "_ns";

  std::ostringstream out;
  out << "// Generated by ks-translate from " << options.source_name << ". Do not edit.\n";
  out << "#pragma once\n\n#include <knossos/knossos.hpp>\n\n#include <limits>\n\n";
  out << "namespace " << ns << " {\n\n";

  std::map<std::string, function_info> earlier;
  std::map<std::string, int> defined_at;
  for (std::size_t i = 0; i < m.functions.size(); ++i) {
    auto const& f = m.functions[i];
    if (auto it = defined_at.find(f.name); it != defined_at.end())
      throw error(f.where, "function '" + f.name + "' is already defined at line " + std::to_string(it->second));
    defined_at[f.name] = f.where.line;
    namer names(source_names);
    std::string cxx = names.of(f.name);
    function_lowerer lowerer(f, options.lang, earlier, names);
    for (std::size_t j = i + 1; j < m.functions.size(); ++j) lowerer.later_functions_.insert(m.functions[j].name);
    if (cxx != f.name) out << "// '" << f.name << "' is spelled '" << cxx << "' in C++\n";
    out << lowerer.run(cxx, options.source_name) << "\n";
    earlier[f.name] = {cxx, f.params.size(), f.where.line};
  }
  out << "}  // namespace " << ns << "\n";
  return out.str();
}

}  // namespace kst
