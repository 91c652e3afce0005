// F# types, as far as they change what a function computes: F# never converts
// between int and float, infers int where only integer literals meet (`let f x =
// let a = 1/x in a/(1+a)` is int -> int, and 1/x truncates there), and refuses int
// mixed with float. The emitter writes float code, so a function F# types as int is
// refused here, as is an expression F# itself would refuse. Unification over type
// variables, with F#'s defaults: a variable only math functions constrain is float,
// one only arithmetic constrains is int (except in `let inline`, which stays generic).
#include <map>
#include <unordered_map>

#include "frontends.hpp"
#include "names.hpp"

namespace kst {
namespace {

enum class ty : unsigned char { unknown, int_, float_, float32, bool_ };

char const* name_of(ty t) {
  switch (t) {
    case ty::int_: return "int";
    case ty::float_: return "float";
    case ty::float32: return "float32";
    case ty::bool_: return "bool";
    case ty::unknown: break;
  }
  return "?";
}

class checker {
 public:
  void constant(kst::constant const& c) {
    unknown_ = false;
    int t = expression(*c.value);
    constants_[c.name] = unknown_ ? t : resolve(t);  // an unknown name is the emitter's to report
  }

  void check(function const& f) {
    std::size_t first_var = vars_.size();
    env_.clear();
    int_ops_.clear();
    unknown_ = false;
    std::vector<int> params;
    for (param const& p : f.params) {
      params.push_back(annotated(p.type, p.where));
      env_[p.name] = params.back();
    }
    result_ = annotated(f.result_type, f.where);
    body(f.body);
    // What an unknown name stands for is not int: the emitter says what it is instead
    // (unknown, defined later, recursion).
    if (unknown_) return;
    for (std::size_t v = first_var; v < vars_.size(); ++v) {
      var& x = vars_[find(static_cast<int>(v))];
      if (x.t == ty::unknown && (x.floating || !f.is_inline)) x.t = x.floating ? ty::float_ : ty::int_;
    }
    auto refuse_int = [&](loc where, std::string const& what) {
      throw error(where, what + " is int in F#: F# infers int where only integer literals and arithmetic meet, and "
                               "ks-translate writes float code; annotate a parameter (x: float) or use float literals (1.0)");
    };
    for (std::size_t i = 0; i < params.size(); ++i) {
      ty t = vars_[find(params[i])].t;
      if (t == ty::int_) refuse_int(f.params[i].where, "parameter '" + f.params[i].name + "' of '" + f.name + "'");
      if (t == ty::bool_) throw error(f.params[i].where, "parameter '" + f.params[i].name + "' is a bool; parameters must be numbers");
    }
    if (vars_[find(result_)].t == ty::int_) refuse_int(f.where, "the result of '" + f.name + "'");
    for (auto const& [where, v] : int_ops_)
      if (vars_[find(v)].t == ty::int_)
        throw error(where, "integer arithmetic on a value computed at run time is not supported; convert it with float first");
    functions_[f.name] = {params, result_};
  }

 private:
  struct var {
    int parent;
    ty t = ty::unknown;
    bool floating = false;  // a floating-point-only operation (exp, **) applies to it
  };
  struct signature {
    std::vector<int> params;
    int result;
  };
  struct typed {
    int type;
    bool constant;  // known at translation time (integer literals and arithmetic on them)
  };

  int fresh(ty t = ty::unknown) {
    vars_.push_back({static_cast<int>(vars_.size()), t, false});
    return vars_.back().parent;
  }

  int find(int v) {
    while (vars_[v].parent != v) v = vars_[v].parent = vars_[vars_[v].parent].parent;
    return v;
  }

  int resolve(int v) {
    var& x = vars_[find(v)];
    if (x.t == ty::unknown) x.t = x.floating ? ty::float_ : ty::int_;
    return v;
  }

  [[noreturn]] static void mismatch(ty a, ty b, loc where) {
    if (a > b) std::swap(a, b);
    if (a == ty::int_ && (b == ty::float_ || b == ty::float32))
      throw error(where, std::string("F# does not mix int and ") + name_of(b) +
                             " in one expression; write a float literal such as 1.0, or convert with float");
    throw error(where, std::string("F# does not mix ") + name_of(a) + " and " + name_of(b) + " in one expression");
  }

  void need_floating(int v, loc where) {
    var& x = vars_[find(v)];
    if (x.t == ty::int_)
      throw error(where, "this function needs a float in F# and gets an int; write a float literal such as 1.0, or convert with float");
    x.floating = true;
  }

  int unify(int a, int b, loc where) {
    a = find(a);
    b = find(b);
    if (a == b) return a;
    var &x = vars_[a], &y = vars_[b];
    if (x.t != ty::unknown && y.t != ty::unknown && x.t != y.t) mismatch(x.t, y.t, where);
    ty t = x.t != ty::unknown ? x.t : y.t;
    bool floating = x.floating || y.floating;
    if (floating && t == ty::int_) mismatch(ty::int_, ty::float_, where);  // exp x - 1
    y.parent = a;
    x.t = t;
    x.floating = floating;
    return a;
  }

  int annotated(std::string const& type, loc where) {
    if (type.empty() || type.front() == '\'') return fresh();
    static const std::map<std::string, ty> names{
        {"float", ty::float_},   {"double", ty::float_},   {"System.Double", ty::float_}, {"Double", ty::float_},
        {"float32", ty::float32}, {"single", ty::float32}, {"System.Single", ty::float32}, {"Single", ty::float32},
        {"int", ty::int_},       {"int32", ty::int_},      {"int64", ty::int_},           {"System.Int32", ty::int_},
        {"bool", ty::bool_}};
    auto it = names.find(type);
    if (it == names.end()) throw error(where, "type '" + type + "' is not supported; use float");
    return fresh(it->second);
  }

  void body(std::vector<stmt> const& stmts) {
    for (stmt const& s : stmts) {
      switch (s.kind) {
        case stmt_kind::assign: {
          int t = expression(*s.value);
          if (!s.type.empty()) t = unify(annotated(s.type, s.where), t, s.value->where);
          env_[s.target] = t;
          break;
        }
        case stmt_kind::return_: unify(result_, expression(*s.value), s.value->where); break;
        case stmt_kind::if_: {
          unify(fresh(ty::bool_), expression(*s.cond), s.cond->where);
          auto const outer = env_;
          body(s.then_body);
          auto const then_env = std::move(env_);
          env_ = outer;
          body(s.else_body);
          // A binding both branches assign (let y = if c then a else b) has one type.
          for (auto const& [name, t] : then_env) {
            auto before = outer.find(name);
            bool then_assigns = before == outer.end() || before->second != t;
            auto it = env_.find(name);
            bool else_assigns = it != env_.end() && (before == outer.end() || before->second != it->second);
            if (then_assigns && else_assigns) unify(it->second, t, s.where);
            else if (then_assigns) env_[name] = t;
          }
          break;
        }
      }
    }
  }

  // The type of an expression, children first, without recursion (long chains).
  int expression(expr const& root) {
    std::unordered_map<expr const*, typed> done;
    std::vector<std::pair<expr const*, bool>> work{{&root, false}};
    while (!work.empty()) {
      auto [e, children_done] = work.back();
      if (!children_done) {
        work.back().second = true;
        for (auto const& a : e->args) work.push_back({a.get(), false});
        continue;
      }
      work.pop_back();
      std::vector<typed> args;
      for (auto const& a : e->args) args.push_back(done.at(a.get()));
      done[e] = rule(*e, args);
    }
    return done.at(&root).type;
  }

  typed rule(expr const& e, std::vector<typed> const& a) {
    auto all_constant = [&] {
      for (typed const& t : a)
        if (!t.constant) return false;
      return true;
    };
    switch (e.kind) {
      case expr_kind::number:
        return {fresh(e.is_integer ? ty::int_ : e.is_float32 ? ty::float32 : ty::float_), e.is_integer};
      case expr_kind::boolean: return {fresh(ty::bool_), true};
      case expr_kind::name: {
        if (auto it = env_.find(e.name); it != env_.end()) return {it->second, false};
        if (auto it = constants_.find(e.name); it != constants_.end()) return {it->second, true};
        if (find_constant(language::fsharp, e.name)) return {fresh(ty::float_), true};
        unknown_ = true;  // the emitter reports the unknown name
        return {fresh(), false};
      }
      case expr_kind::unary: return a[0];
      case expr_kind::not_:
      case expr_kind::and_:
      case expr_kind::or_: return {fresh(ty::bool_), all_constant()};
      case expr_kind::compare:
        for (std::size_t i = 1; i < a.size(); ++i) unify(a[0].type, a[i].type, e.where);
        return {fresh(ty::bool_), all_constant()};
      case expr_kind::if_exp: return {unify(a[1].type, a[2].type, e.where), all_constant()};
      case expr_kind::binary: {
        int t = unify(a[0].type, a[1].type, e.where);
        if (e.bop == binary_op::pow) need_floating(t, e.where);
        if (!all_constant()) int_ops_.emplace_back(e.where, t);
        return {t, all_constant()};
      }
      case expr_kind::call: return call(e, a);
    }
    return {fresh(), false};
  }

  typed call(expr const& e, std::vector<typed> const& a) {
    if (auto it = functions_.find(e.name); it != functions_.end() && it->second.params.size() == a.size()) {
      for (std::size_t i = 0; i < a.size(); ++i) unify(it->second.params[i], a[i].type, e.args[i]->where);
      return {it->second.result, false};
    }
    alias const* f = find_alias(language::fsharp, e.name, static_cast<int>(a.size()));
    unknown_ = unknown_ || !f;
    if (!f || a.empty()) return {fresh(), false};
    switch (f->type) {
      case fsharp_type::floating:
      case fsharp_type::numeric: {
        int t = a[0].type;
        for (std::size_t i = 1; i < a.size(); ++i) t = unify(t, a[i].type, e.args[i]->where);
        if (f->type == fsharp_type::floating) need_floating(t, e.where);
        return {t, false};
      }
      case fsharp_type::to_int: return {fresh(ty::int_), false};
      case fsharp_type::to_float: return {fresh(ty::float_), false};
      case fsharp_type::to_float32: return {fresh(ty::float32), false};
      case fsharp_type::pown:
        need_floating(a[0].type, e.where);
        if (a.size() == 2) unify(fresh(ty::int_), a[1].type, e.args[1]->where);
        return {a[0].type, false};
    }
    return {fresh(), false};
  }

  std::vector<var> vars_;
  std::map<std::string, int> env_, constants_;
  std::map<std::string, signature> functions_;
  std::vector<std::pair<loc, int>> int_ops_;  // arithmetic on a run-time value, whatever its type turns out
  int result_ = 0;
  bool unknown_ = false;  // the function names something the file and the vocabulary do not define
};

}  // namespace

void check_fsharp_types(module const& m) {
  checker c;
  for (constant const& k : m.constants) c.constant(k);
  for (function const& f : m.functions) c.check(f);
}

}  // namespace kst
