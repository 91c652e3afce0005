// The one small AST that every front end (Python, Julia, F#) produces and the
// checker/emitter consumes. Front ends resolve their own syntax and operator
// spellings into the semantic forms below; they do no name resolution beyond
// module aliases (Python `import numpy as np` turns `np.exp` into `numpy.exp`).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace kst {

/// A position in the source: 1-based line and 1-based column (in bytes).
struct loc {
  int line = 0;
  int col = 0;
};

/// Every error the translator reports: a message (no "error:" prefix) and where.
struct error : std::runtime_error {
  loc where;
  error(loc w, std::string const& message) : std::runtime_error(message), where(w) {}
};

/// How deep expressions and blocks may nest before a front end must stop with an
/// error (not a stack overflow).
inline constexpr int max_nesting = 200;

enum class binary_op {
  add,        // +
  sub,        // -
  mul,        // *
  div,        // /   (true division on floats; between two integers see int_div)
  floor_div,  // Python //
  trunc_div,  // Julia ÷ (div)
  mod_floor,  // Python %   (result has the sign of the divisor)
  mod_trunc,  // Julia %/rem, F# %   (result has the sign of the dividend)
  pow,        // ** or ^
};

/// What `/` means between two integer operands in the source language.
enum class int_division {
  true_division,  // Python, Julia: 1/3 == 0.333...
  truncating,     // F#: 1/3 == 0
};

enum class compare_op { lt, le, gt, ge, eq, ne };

enum class expr_kind {
  number,   // literal: text, is_integer, int_value / float_value
  name,     // a parameter or local: name
  unary,    // -a or +a: op_char, args[0]
  not_,     // logical not: args[0]
  binary,   // args[0] bop args[1]
  compare,  // chained: args[0] cmp[0] args[1] cmp[1] args[2] ...
  and_,     // args[0] && args[1]
  or_,      // args[0] || args[1]
  if_exp,   // args[0] ? args[1] : args[2]   (condition first)
  call,     // name(args...), name possibly dotted ("math.exp"); kwargs named
  boolean,  // true/false literal: int_value is 1 or 0
};

struct expr;
using expr_ptr = std::unique_ptr<expr>;

struct expr {
  expr() = default;
  expr(expr&&) = default;
  expr& operator=(expr&&) = default;
  // Iterative: a 100,000-term sum is a left-deep tree that recursion would overflow on.
  ~expr();

  expr_kind kind{};
  loc where;

  // number
  std::string text;          // the literal as written (for diagnostics)
  bool is_integer = false;   // an integer literal (Python 3, Julia 3, F# 3 / 3L)
  bool is_float32 = false;   // a single-precision literal (Julia 1f0, F# 1.0f)
  long long int_value = 0;   // valid when is_integer (and for boolean)
  double float_value = 0;    // valid when !is_integer

  // name, call
  std::string name;

  // unary: '-' or '+'
  char op_char = 0;
  binary_op bop{};
  int_division int_div = int_division::true_division;  // binary div only
  std::vector<compare_op> cmp;                           // compare only

  std::vector<expr_ptr> args;
  std::vector<std::string> kwnames;  // call only: parallel to args, "" = positional
};

enum class stmt_kind {
  assign,     // target = value
  return_,    // return value
  if_,        // if cond: then_body else: else_body (elif = an if_ alone in else_body)
};

struct stmt {
  stmt_kind kind{};
  loc where;
  std::string target;  // assign
  loc target_where;    // assign: where the target name is
  std::string type;    // assign: the annotation as written (F# `let z : float = ...`), if any
  expr_ptr value;      // assign, return_
  expr_ptr cond;       // if_
  std::vector<stmt> then_body, else_body;
};

struct param {
  std::string name;
  loc where;
  expr_ptr default_value;  // f(x, beta=1.0): used by calls in the file that leave it out
  std::string type;        // the annotation as written (F# `x: float`), if any
  bool keyword_only = false;  // Python after `*`, Julia after `;`: calls in the file name it
};

struct function {
  std::string name;  // F#: qualified by the modules it is in ("Logistic.standard"), uses too
  loc where;      // of the name
  loc end_where;  // where the body ends: reported for "a path with no return"
  std::vector<param> params;
  std::vector<stmt> body;
  std::string result_type;  // the annotation as written, if any
  bool is_inline = false;   // F# `let inline`: parameters nothing constrains stay generic
};

/// A module-level constant: Python `C = ...`, Julia `const C = ...`, F# `let c = ...`.
struct constant {
  std::string name;  // F#: qualified by the modules it is in, as a function's
  loc where;
  expr_ptr value;
};

struct module {
  std::vector<constant> constants;
  std::vector<function> functions;
};

/// Calls f on every node of the tree below (and including) root, without recursion.
template <class F>
void for_each_node(expr const& root, F&& f) {
  std::vector<expr const*> work{&root};
  while (!work.empty()) {
    expr const* e = work.back();
    work.pop_back();
    f(*e);
    for (auto const& a : e->args) work.push_back(a.get());
  }
}

template <class F>
void for_each_node(expr& root, F&& f) {
  std::vector<expr*> work{&root};
  while (!work.empty()) {
    expr* e = work.back();
    work.pop_back();
    f(*e);
    for (auto& a : e->args) work.push_back(a.get());
  }
}

/// Calls f on every statement of a body, those in branches too (blocks nest at most
/// max_nesting deep, so recursion is bounded here).
template <class Body, class F>
void for_each_stmt(Body& body, F&& f) {
  for (auto& s : body) {
    f(s);
    for_each_stmt(s.then_body, f);
    for_each_stmt(s.else_body, f);
  }
}

/// Calls f on the root of every expression of a body (values and conditions).
template <class Body, class F>
void for_each_expr(Body& body, F&& f) {
  for_each_stmt(body, [&](auto& s) {
    if (s.value) f(*s.value);
    if (s.cond) f(*s.cond);
  });
}

/// The names a function binds: its parameters, then the targets of its assignments.
std::vector<std::string> bound_names(function const& f);

/// The parts of a dotted name: "Logistic.standard" is {"Logistic", "standard"}.
std::vector<std::string> name_parts(std::string const& name);

/// The tree as an S-expression, one function per paragraph (ks-translate --dump-ast).
std::string dump(module const& m);

}  // namespace kst
