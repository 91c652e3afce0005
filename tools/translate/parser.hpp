// What the three parsers share: a pre-lexed token stream with peek/take/expect and
// located errors, refusals as data, the AST builders, nesting limits, call
// arguments, and one binary-expression parser (precedence climbing, as Lua's
// subexpr) driven by each language's table of binding powers. A front end supplies
// its tables and its primary expressions; everything else is here.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "token.hpp"

namespace kst {

constexpr char nested_expression[] = "expression nested too deeply";
constexpr char nested_block[] = "blocks nested too deeply";

enum class rule_kind : unsigned char { arith, compare, and_, or_, pipe };

/// A binary operator of a language: `left` is how strongly it binds its left
/// operand, `right` the minimum power of an operator inside its right operand.
/// Left-associative: right = left + 1; right-associative: right <= left.
struct binary_rule {
  op o = op::none;
  std::string_view keyword;  // instead of o: `and`, `or`
  int left = 0, right = 0;
  rule_kind kind = rule_kind::arith;
  binary_op bop{};
  compare_op cmp{};
};

constexpr binary_rule arith(op o, int left, int right, binary_op bop) {
  return {o, {}, left, right, rule_kind::arith, bop, {}};
}
constexpr binary_rule comparison(op o, int power, compare_op cmp) {
  return {o, {}, power, power + 1, rule_kind::compare, {}, cmp};
}
constexpr binary_rule logic(op o, std::string_view keyword, int power, rule_kind kind) {
  return {o, keyword, power, power + 1, kind, {}, {}};
}

enum class prefix_kind : unsigned char { negate, plus, not_, sqrt };

/// A prefix operator: its operand is parsed with minimum power `power`, and it may
/// only appear where at most `power` is required (Python's `a < not b` is an error).
struct prefix_rule {
  op o = op::none;
  std::string_view keyword;
  int power = 0;
  prefix_kind builds = prefix_kind::negate;
};

/// Tokens the subset refuses wherever they appear, and why: those of `kind` spelled as
/// one of the space-separated words of the language's column (every one of that kind
/// for "*", none for ""). One message, so what the languages refuse alike is written
/// once. A {} in the message stands for the token.
struct refusal_rule {
  tok kind;
  std::array<std::string_view, 3> words;  // Python, Julia, F#: the column of grammar::language bit 1, 2, 4
  std::string_view message;
};

/// `x op= v` means `x = x op v`.
struct augmented_op {
  unsigned languages;
  op o;
  binary_op bop;
};

/// Everything about a language's expressions that is data (languages.cpp).
struct grammar {
  std::span<op_spelling const> spellings;
  std::span<std::string_view const> keywords;
  std::span<binary_rule const> binary;
  std::span<prefix_rule const> prefix;
  std::span<refusal_rule const> refusals;
  std::span<augmented_op const> augmented;
  int_division int_div = int_division::true_division;
  std::string_view unchained;  // the message refusing a < b < c; empty: chains are allowed
  bool newlines_after_operator = false;   // Julia: `x -\n y` continues
  bool semicolon_keywords = false;        // Julia: f(x; k=v)
  std::string_view true_word = "true", false_word = "false";
  unsigned language = 0;  // its bit in the shared tables (refusals, augmented)
};

extern grammar const python_grammar, julia_grammar, fsharp_grammar;

// --- AST builders ------------------------------------------------------------
expr_ptr make_expr(expr_kind kind, loc where);
expr_ptr make_name(loc where, std::string name);
expr_ptr make_number(token const& t);
expr_ptr make_boolean(token const& t, bool value);
expr_ptr make_binary(binary_op op, loc where, expr_ptr lhs, expr_ptr rhs, int_division d);
expr_ptr make_unary(expr_kind kind, char op_char, loc where, expr_ptr operand);
expr_ptr make_call(loc where, std::string name, std::vector<expr_ptr> args);
expr_ptr make_call(loc where, std::string name, expr_ptr arg);  // of one argument
stmt make_return(loc where, expr_ptr value);
stmt make_assign(loc where, std::string target, loc target_where, expr_ptr value);
stmt make_if(loc where, expr_ptr cond);
expr_ptr make_conditional(loc where, expr_ptr cond, expr_ptr then, expr_ptr otherwise);
/// Adds parameter `p` to f under AST name `ast`, refusing a second one of that name.
param& add_param(function& f, token const& p, std::string ast);

/// Counts recursion. Every recursive path of a parser holds one, so hostile input
/// fails with an error instead of overflowing the stack.
class nesting {
 public:
  nesting(int& counter, loc where, char const* message) : depth_(counter) { bump(where, message); }
  nesting(nesting const&) = delete;
  nesting& operator=(nesting const&) = delete;
  ~nesting() { depth_ -= count_; }
  void bump(loc where, char const* message = nested_expression) {
    ++depth_;
    ++count_;
    if (depth_ > max_nesting) throw error(where, message);
  }

 private:
  int& depth_;
  int count_ = 0;
};

/// Local scopes of one function: a binding in an inner scope that would collide with
/// another name of the function gets a fresh AST name, since the AST has one flat
/// scope per function and the source languages nest them.
class scopes {
 public:
  // `all_names`: every name of the file, which a fresh name must avoid too.
  void reset(std::unordered_set<std::string> const* all_names);
  void open() { stack_.emplace_back(); }
  void close();
  std::string bind(std::string const& name);
  // The AST name bind() will give, taken now so that nothing in between takes it.
  std::string reserve(std::string const& name);
  void bind_as(std::string const& name, std::string const& ast);
  std::optional<std::string> lookup(std::string const& name) const;
  bool closed(std::string const& name) const;

 private:
  std::vector<std::vector<std::pair<std::string, std::string>>> stack_;
  std::unordered_set<std::string> used_, closed_;
  std::unordered_set<std::string> const* all_ = nullptr;
};

class parser_base {
 public:
  parser_base(std::vector<token> tokens, grammar const& g);
  virtual ~parser_base() = default;
  parser_base(parser_base const&) = delete;
  parser_base& operator=(parser_base const&) = delete;

 protected:
  // -- tokens ---------------------------------------------------------------
  token const& peek(std::size_t k = 0) const;
  token const& take();
  static bool is(token const& t, op o) { return t.kind == tok::op && t.o == o; }
  static bool is_kw(token const& t, std::string_view kw) { return t.kind == tok::name && t.text == kw; }
  bool at(op o) const { return is(peek(), o); }
  bool accept(op o) { return at(o) && (take(), true); }  // takes o if it is next
  bool accept_kw(std::string_view kw) { return is_kw(peek(), kw) && (take(), true); }
  bool is_keyword(std::string_view s) const;
  bool is_plain_name(token const& t) const { return t.kind == tok::name && !is_keyword(t.text); }
  std::string_view spelling(op o) const;
  std::optional<binary_op> augmented(token const& t) const;
  void skip_newlines();
  // A line break, the end of the input or ';' (Python and Julia).
  static bool ends_statement(token const& t) {
    return t.kind == tok::newline || t.kind == tok::end || is(t, op::semicolon);
  }
  // The tokens of a group from an opening bracket (or INDENT) to the one that closes it,
  // whatever is inside, nested at most max_nesting deep; `mismatch` for a wrong closer.
  void skip_balanced(char const* mismatch);

  // -- errors -----------------------------------------------------------------
  std::optional<std::string> refusal(token const& t) const;
  [[noreturn]] void unexpected(token const& t) const;
  [[noreturn]] static void without_if(token const& t);  // an `else` or `elif` with no if open
  [[noreturn]] void fail(token const& t, std::string const& message) const;  // unless refused
  token const& expect(op o);
  token const& expect_name(char const* what);
  std::string dotted_name(char const* what);  // name(.name)*, joined with dots

  // -- definitions and statements -----------------------------------------------
  // `function` with the name that comes next (after `def`, `function`, `let`).
  function named_function();
  // return value, after which a value is required (`closer`: Julia's `end` ends it too).
  stmt parse_return(std::string_view closer = {});

  // -- expressions --------------------------------------------------------------
  // The binary operator `t` is in the language's table, if it is one (F#'s layout
  // lets a line start with one).
  binary_rule const* binary_for(token const& t) const;
  expr_ptr parse_expression();  // one nesting level, then the language's top form
  expr_ptr parse_binary(int min_power);
  virtual expr_ptr parse_top() { return parse_binary(0); }
  virtual expr_ptr parse_primary() = 0;
  expr_ptr parse_literal();  // a number or a boolean, if one is next
  virtual expr_ptr parse_name() = 0;
  // A literal, a name, or ( e ) (refusing () and tuples with `parens`); null if none is next.
  expr_ptr parse_atom(char const* parens);
  virtual expr_ptr parse_pipe_target(expr_ptr lhs, token const& pipe);
  // The offside rule of F#: the next token lies outside the current construct.
  virtual bool at_stop() const { return false; }
  // Julia's `cond && return x` ends the expression before the `&&`.
  virtual bool stops_before(token const&) const { return false; }
  // name(args...) after the '(' has been seen: positional, then keyword arguments.
  void parse_arguments(expr& call);
  // The name `e` is called when '(' is next: e becomes the call, with its arguments.
  expr_ptr call_if_open(expr_ptr e);
  // The value of `x op= v` (x op v) or `x = v`, after the operator `o`.
  expr_ptr assigned_value(token const& o, expr_ptr target);
  // ( e ), refusing () and (a, b) with the language's word for them.
  expr_ptr parse_parenthesized(char const* refused);
  // After a primary: e[i] and e(...) are refused.
  void refuse_postfix(char const* indexing) const;

  std::vector<token> toks_;
  std::size_t pos_ = 0;
  loc last_end_;   // just after the last token taken (where a body ends)
  int depth_ = 0;  // expression and block nesting
  int paren_ = 0;  // open parentheses
  grammar const& g_;
  std::unordered_set<std::string> names_in_file_;  // fresh names for shadowing locals avoid them

 private:
  prefix_rule const* prefix_for(token const& t) const;
  expr_ptr parse_operand(int min_power);
};

}  // namespace kst
