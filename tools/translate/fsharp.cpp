// F# front end: nested (* *) comments, typed numeric suffixes, a light offside
// rule (a block is the lines indented deeper than the construct opening it; its
// last expression is its value, made explicit here as return_ or assign; a line
// that starts with an infix operator continues the expression, as F#'s exceptions
// to the offside rule allow), function application by juxtaposition (`exp -x`
// passes -x, `exp - x` subtracts), |>, nested let scopes, and namespaces and nested
// modules (their names are resolved by fsharp_modules.cpp). Expressions are the
// shared core's; types are checked later (fsharp_types.cpp), since F# gives `1/x`
// integer meaning when x is an int.

#include <algorithm>
#include <string>
#include <unordered_set>

#include "frontends.hpp"
#include "fsharp_modules.hpp"
#include "parser.hpp"
#include "scanner.hpp"

namespace kst {
namespace {

// Comments // and (* *) (nested, but (*) is an operator); no tabs; line breaks are
// blanks, the offside rule reads the tokens' columns.
class lexer final : public scanner {
 public:
  explicit lexer(std::string_view source) : scanner(source, {"//", "(*", "*)", "(*)", false}, false) {}

 private:
  token scan() override {
    char c = peek_char();
    loc w = here();
    std::size_t start = pos_;
    if (is_alpha(c)) {
      while (is_alnum(peek_char()) || peek_char() == '\'') ++pos_;
      if (is_non_ascii(peek_char())) throw error(here(), "non-ascii names are not supported");
      token t = finish(tok::name, start, w);
      if (t.text.find('\'') != std::string_view::npos) throw error(w, "names containing ' are not supported");
      return t;
    }
    if (starts("``")) throw error(w, "``quoted names`` are not supported");
    if (is_digit(c)) return number();
    if (c == '.' && is_digit(peek_char(1))) throw error(w, "a float literal needs a digit before '.'; write 0.5");
    if (c == '"') return scan_string(start, w, {true, true, true, false});
    if ((c == '@' || c == '$') && peek_char(1) == '"') {
      ++pos_;
      if (c == '$') return scan_string(start, w, {true, true, true, false});
      return scan_string(start, w, {false, true, false, true});
    }
    if (c == '\'' && (peek_char(1) == '\\' || peek_char(2) == '\'')) return scan_char_literal(w);
    return operator_token(fsharp_grammar.spellings, "non-ascii characters are only allowed in comments and strings");
  }

  token number() {
    loc w = here();
    std::size_t start = pos_;
    auto [base, is_float] = scan_number_form(false);
    std::size_t digits_end = pos_;
    while (is_alnum(peek_char())) ++pos_;
    std::string_view suffix = src_.substr(digits_end, pos_ - digits_end);
    if (is_non_ascii(peek_char()) || peek_char() == '\'') invalid_number(w);
    std::size_t digits = start + (base ? 2 : 0);
    if (one_of(suffix, {"m", "M"})) throw error(w, "decimal literals are not supported; use a float such as 1.0");
    if (one_of(suffix, {"LF", "lf"})) throw error(w, "hexadecimal float literals are not supported");
    if (one_of(suffix, {"I", "Q", "R", "Z", "N", "G"})) throw error(w, "big integer literals are not supported");
    if (one_of(suffix, {"u", "uy", "us", "ul", "UL", "un", "uL", "Ul"}))
      throw error(w, "unsigned integers are not supported; use a signed integer or a float");
    bool float_suffix = one_of(suffix, {"f", "F"});
    if ((is_float || float_suffix) && (base || (!suffix.empty() && !float_suffix))) invalid_number(w);
    token t = number_token(start, w, src_.substr(digits, digits_end - digits), base, is_float || float_suffix);
    t.is_float32 = float_suffix;
    if (!t.is_integer) return t;
    struct kind {
      std::string_view suffix;
      long long limit;
      char const* type;
    };
    static constexpr kind kinds[] = {{"", 2147483647, "int"}, {"l", 2147483647, "int"}, {"L", 9223372036854775807LL, "int64"},
                                     {"n", 9223372036854775807LL, "int64"}, {"y", 127, "sbyte"}, {"s", 32767, "int16"}};
    auto k = std::find_if(std::begin(kinds), std::end(kinds), [&](kind const& x) { return x.suffix == suffix; });
    if (k == std::end(kinds)) invalid_number(w);
    if (t.int_value > k->limit)
      throw error(w, std::string("integer literal is too large for ") + k->type + (k->limit < 9223372036854775807LL ? "; add L for int64" : ""));
    return t;
  }
};

// Where the value of a body goes: returned, or bound by a let (whose AST name is
// reserved before the body is parsed: the body still sees the outer binding).
struct sink {
  std::string target;  // empty: return
  loc target_where;
  loc let_where;
  std::string type;

  stmt deliver(expr_ptr e) const {
    loc where = e->where;
    if (target.empty()) return make_return(where, std::move(e));
    stmt s = make_assign(let_where, target, target_where, std::move(e));
    s.type = type;
    return s;
  }
};

class parser : parser_base {
 public:
  explicit parser(std::string_view source) : parser_base(lexer(source).run(), fsharp_grammar) {}

  module parse_module() {
    module m;
    parse_declarations(m, nullptr);
    modules_.name_later_definitions(m);
    return m;
  }

 private:
  struct context {
    int col;     // a line starting at or left of this column ends the construct
    int paren;   // layout applies only outside parentheses opened inside it
    bool block;  // a block of lines (F#'s SeqBlock), where a leading infix operator continues
  };

  // An infix operator as F#'s layout counts them: not < > =, which F# leaves out.
  bool infix(token const& t) const { return binary_for(t) && !is(t, op::lt) && !is(t, op::gt) && !is(t, op::eq); }

  // The offside rule: does the next token lie outside the innermost construct? In a
  // block, a line may start with an infix operator left of the block's column by the
  // operator's width plus one, or at that column, and continue the expression (the
  // F# spec's exceptions to the offside rule); after an operator that ends a line,
  // its operand may start at the block's column (F# opens a block there).
  bool at_stop() const override {
    token const& t = peek();
    if (t.kind == tok::end) return true;
    if (pos_ == item_start_) return false;  // the token that opens the current line of a block
    if (!t.first_on_line || ctx_.empty() || paren_ != ctx_.back().paren) return false;
    context const& c = ctx_.back();
    if (c.block && infix(t)) return t.where.col + static_cast<int>(t.text.size()) + 1 < c.col;
    if (c.block && t.where.col == c.col && pos_ > 0 && infix(toks_[pos_ - 1])) return false;
    return t.where.col <= c.col;
  }

  struct context_scope {
    parser& p;
    context_scope(parser& owner, int col, bool block = false) : p(owner) { p.ctx_.push_back({col, p.paren_, block}); }
    ~context_scope() { p.ctx_.pop_back(); }
    context_scope(context_scope const&) = delete;
    context_scope& operator=(context_scope const&) = delete;
  };

  // -- declarations ------------------------------------------------------------

  // A `module M =` being parsed: a line starting at or left of the column of its
  // line ends it, and its declarations line up at the column of the first one.
  struct module_layout {
    std::string name;
    int keyword_col;
    int body_col;
  };

  // The declarations of the file (`in` null) or of a nested module.
  void parse_declarations(module& m, module_layout const* in) {
    bool attributed = false, auto_open = false;  // after [<...>], and whether it said AutoOpen
    int line_col = 0;                             // where the declaration's line starts
    for (token const* t = &peek(); t->kind != tok::end; t = &peek()) {
      if (t->first_on_line) line_col = t->where.col;
      if (t->first_on_line && in && t->where.col <= in->keyword_col) return;
      if (!t->first_on_line && !attributed) unexpected(*t);
      if (t->first_on_line && in && t->where.col != in->body_col)
        fail(*t, "this line does not line up with the declarations of module '" + in->name + "' (column " +
                     std::to_string(in->body_col) + "); check the indentation");
      attributed = false;
      if (is(*t, op::lattr)) {
        auto_open = parse_attributes() || auto_open;
        attributed = true;
        continue;
      }
      if (is_kw(*t, "module")) parse_module_declaration(m, in, auto_open, line_col);
      else if (is_kw(*t, "namespace") && !in) parse_namespace();
      else if (is_kw(*t, "open")) parse_open();
      else if (is(*t, op::hash)) skip_line();
      else if (is_kw(*t, "let")) parse_definition(m);
      else if (in) fail(*t, "only functions (let), open and modules are allowed in a module");
      else fail(*t, "only functions (let), open, module and namespace are allowed at the top level");
      auto_open = false;
    }
  }

  // [< ... >]: skipped; returns whether it makes a module AutoOpen.
  bool parse_attributes() {
    token const& open = take();
    bool auto_open = false;
    for (; !at(op::rattr); take()) {
      if (peek().kind == tok::end) throw error(open.where, "unterminated attribute; close it with >]");
      auto_open = auto_open || is_kw(peek(), "AutoOpen") || is_kw(peek(), "AutoOpenAttribute");
    }
    take();
    return auto_open;
  }

  void skip_line() {
    for (take(); !peek().first_on_line; take()) {
    }
  }

  // A declaration ends its line.
  void end_of_declaration() const {
    if (!peek().first_on_line) unexpected(peek());
  }

  // namespace A.B, or namespace global
  void parse_namespace() {
    take();
    if (is_kw(peek(), "rec")) unexpected(peek());
    token const& name = peek();
    modules_.declare_file_name(accept_kw("global") ? std::string() : dotted_name("a namespace name"), name.where);
    end_of_declaration();
  }

  // open A.B (the rest of the line is skipped: open type System.Math)
  void parse_open() {
    take();
    if (is_plain_name(peek())) modules_.open(dotted_name("a module name"));
    if (!peek().first_on_line) skip_line();
  }

  // module A.B (the file's name, first), module M = (a nested module, its body
  // indented below), or module M = A.B (an abbreviation).
  void parse_module_declaration(module& m, module_layout const* in, bool auto_open, int line_col) {
    token const& kw = take();
    while (is_kw(peek(), "private") || is_kw(peek(), "internal") || is_kw(peek(), "public")) take();
    if (is_kw(peek(), "rec")) unexpected(peek());
    token const& name_tok = peek();
    std::string name = dotted_name("a module name");
    if (!at(op::eq)) {
      if (in) throw error(kw.where, "a module inside a module is declared with '=': module " + name + " =");
      modules_.declare_file_name(name, name_tok.where);
      return end_of_declaration();
    }
    take();
    if (name.find('.') != std::string::npos) throw error(name_tok.where, "the name of a nested module is one identifier");
    token const& body = peek();
    if (!body.first_on_line) {
      modules_.abbreviate(name, dotted_name("a module name"));
      return end_of_declaration();
    }
    if (body.kind == tok::end) throw error(body.where, "unexpected end of file; expected the body of module '" + name + "'");
    if (body.where.col <= line_col)
      throw error(body.where, "the body of module '" + name + "' must be indented more than the line that opens it");
    nesting guard(depth_, kw.where, nested_block);
    module_layout layout{name, line_col, body.where.col};
    modules_.enter(name, name_tok.where, auto_open);
    parse_declarations(m, &layout);
    modules_.leave();
  }

  // Returns whether `inline` was among them.
  bool skip_modifiers() {
    bool is_inline = false;
    for (token const* t = &peek(); is_kw(*t, "inline") || is_kw(*t, "private") || is_kw(*t, "internal") ||
                                   is_kw(*t, "public") || is_kw(*t, "rec") || is_kw(*t, "mutable");
         t = &peek()) {
      if (is_kw(*t, "rec") || is_kw(*t, "mutable")) unexpected(*t);
      bool this_one = is_kw(take(), "inline");  // taken first: `inline private` must not loop
      is_inline = is_inline || this_one;
    }
    return is_inline;
  }

  // let [inline] [private] f params [: type] = body, or a constant: let c [: type] = value
  void parse_definition(module& m) {
    token const& let = take();
    bool is_inline = skip_modifiers();
    function f = named_function();
    f.is_inline = is_inline;
    scopes_.reset(&names_in_file_);
    bool constant = at(op::eq) || at(op::colon);
    while (!at(op::eq) && !at(op::colon)) {
      if (is_plain_name(peek())) add_parameter(f, take(), {});
      else if (at(op::lparen)) parse_param_group(f);
      else unexpected(peek());
    }
    if (at(op::colon)) f.result_type = skip_type();
    expect(op::eq);
    context_scope top(*this, let.where.col);
    parse_body("the body of '" + f.name + "'", sink{}, f.body);
    f.end_where = last_end_;
    if (!peek().first_on_line) unexpected(peek());
    f.name = modules_.define(f.name, f.where, !constant);
    if (!constant) return m.functions.push_back(std::move(f));
    if (f.body.size() != 1 || f.body[0].kind != stmt_kind::return_)
      throw error(f.where, "a constant's value must be one expression");
    m.constants.push_back({f.name, f.where, std::move(f.body[0].value)});
  }

  void add_parameter(function& f, token const& p, std::string type) {
    if (p.text == "_") throw error(p.where, "unnamed parameters are not supported");
    add_param(f, p, scopes_.bind(std::string(p.text))).type = std::move(type);
  }

  // (x), (x: float), (x: float, y: float), (x, y) and () for no parameters.
  void parse_param_group(function& f) {
    take();
    while (!at(op::rparen)) {
      if (!is_plain_name(peek())) fail(peek(), "expected a parameter name");
      token const& p = take();
      add_parameter(f, p, at(op::colon) ? skip_type() : std::string());
      if (!accept(op::comma)) break;
    }
    expect(op::rparen);
  }

  // `:` and float, float32, System.Double or 'a; collections and function types are refused.
  std::string skip_type() {
    take();
    std::string type = accept(op::quote) ? "'" + dotted_name("a type variable name") : dotted_name("a type");
    token const& after = peek();
    if (is(after, op::lbracket) || is(after, op::star) ||
        (after.kind == tok::name && (after.text == "list" || after.text == "array" || after.text == "seq" || after.text == "option")))
      throw error(after.where, "containers are not supported");
    if (is(after, op::arrow)) throw error(after.where, "function-typed parameters are not supported");
    if (is(after, op::lt)) throw error(after.where, "generic and unit-of-measure types are not supported");
    return type;
  }

  // After `=` or `then`/`else`: the rest of the line (lets with `in`, then a value),
  // or an indented block; its value goes to `to`.
  void parse_body(std::string const& what, sink const& to, std::vector<stmt>& out) {
    token const& t = peek();
    if (t.kind == tok::end) throw error(t.where, "unexpected end of file; expected " + what);
    if (t.first_on_line && paren_ == ctx_.back().paren && t.where.col <= ctx_.back().col)
      throw error(t.where, what + " must be indented more than the line that opens it");
    if (t.first_on_line || is_kw(t, "let")) return parse_block(to, out);
    parse_value(to, out);
  }

  // Lines at one column: local lets (or let ... in), then the value.
  void parse_block(sink const& to, std::vector<stmt>& out) {
    nesting guard(depth_, peek().where, nested_block);
    int col = peek().where.col;
    context_scope layout(*this, col, true);
    bool nested = ++blocks_ > 1;
    if (nested) scopes_.open();
    for (;;) {
      item_start_ = pos_;
      token const& t = peek();
      if (is_kw(t, "let")) {
        bool in = parse_local_let(out);
        token const& next = peek();
        if (in && !at_stop()) continue;
        if (next.first_on_line && next.kind != tok::end && paren_ == ctx_.back().paren && next.where.col == col) continue;
        if (at_stop() || next.kind == tok::end)
          throw error(t.where, "a block cannot end with a let; add the resulting value on the line after it");
        unexpected(next);
      }
      parse_value(to, out);
      token const& next = peek();
      if (next.first_on_line && paren_ == ctx_.back().paren && next.where.col == col && next.kind != tok::end &&
          !is_kw(next, "elif") && !is_kw(next, "else") && !is_kw(next, "then")) {
        if (refusal(next)) unexpected(next);  // a line starting with >> or :: says what it is
        throw error(t.where, "only the last line of a block may be an expression; bind this one with let");
      }
      break;
    }
    if (nested) scopes_.close();
    --blocks_;
  }

  // let name [: type] = value [in]; returns whether `in` followed.
  bool parse_local_let(std::vector<stmt>& out) {
    token const& let = take();
    token const& t = peek();
    if (is_kw(t, "rec") || is_kw(t, "mutable")) unexpected(t);
    if (is_kw(t, "inline")) throw error(t.where, "local functions are not supported; define functions at the top level");
    if (is(t, op::lparen)) throw error(t.where, "tuples are not supported; bind one name per let");
    token const& name = expect_name("a name after 'let'");
    token const& after = peek();
    if (is_plain_name(after) || is(after, op::lparen))
      throw error(after.where, "local functions are not supported; define functions at the top level");
    if (is(after, op::comma)) throw error(after.where, "tuples are not supported; bind one name per let");
    std::string type = at(op::colon) ? skip_type() : std::string();
    expect(op::eq);
    std::string ast = scopes_.reserve(std::string(name.text));
    {
      context_scope layout(*this, let.where.col);
      parse_body("the value of '" + std::string(name.text) + "'", sink{ast, name.where, let.where, type}, out);
    }
    scopes_.bind_as(std::string(name.text), ast);
    return accept_kw("in");
  }

  // -- values and expressions -----------------------------------------------

  void parse_value(sink const& to, std::vector<stmt>& out) {
    if (is_kw(peek(), "if")) return parse_if(to, out);
    if (is_kw(peek(), "let")) throw error(peek().where, "put a local let on its own line");
    out.push_back(to.deliver(parse_expression()));
  }

  // Accepts then/elif/else aligned with their `if` or indented past the enclosing
  // construct, or on the same line.
  bool accept_clause(std::string_view kw, int if_col) {
    token const& t = peek();
    if (!is_kw(t, kw)) return false;
    if (t.first_on_line && paren_ == ctx_.back().paren && t.where.col < if_col && t.where.col <= ctx_.back().col)
      return false;
    take();
    return true;
  }

  // An if whose branches deliver to `to`; plain branches become one conditional
  // expression. `clause_col`: the column of the first `if` of an elif or else-if chain,
  // where its clauses may line up.
  void parse_if(sink const& to, std::vector<stmt>& out, int clause_col = 0) {
    bool chained = is_kw(peek(), "elif") || clause_col != 0;
    nesting guard(depth_, peek().where, chained ? "too many elif branches" : nested_block);
    token const& kw = take();  // if / elif
    int col = clause_col != 0 ? clause_col : kw.where.col;
    stmt s = make_if(kw.where, parse_expression());
    if (!accept_clause("then", col)) fail(peek(), "expected 'then'");
    parse_body("the 'then' branch", to, s.then_body);
    if (is_kw(peek(), "elif") && accept_clause("elif", col)) {
      --pos_;  // parse_if takes the elif itself
      parse_if(to, s.else_body, col);
    } else if (accept_clause("else", col)) {
      // else if ... on one line: its then/elif/else may line up with the first if
      if (is_kw(peek(), "if") && !peek().first_on_line) parse_if(to, s.else_body, col);
      else parse_body("the 'else' branch", to, s.else_body);
    } else {
      throw error(kw.where, "an if used as a value needs an else branch");
    }
    if (s.then_body.size() != 1 || s.else_body.size() != 1 || s.then_body[0].kind == stmt_kind::if_ ||
        s.else_body[0].kind == stmt_kind::if_)
      return out.push_back(std::move(s));
    out.push_back(to.deliver(make_conditional(kw.where, std::move(s.cond), std::move(s.then_body[0].value),
                                              std::move(s.else_body[0].value))));
  }

  // x |> f is f x; x |> max 0.0 is max 0.0 x.
  expr_ptr parse_pipe_target(expr_ptr lhs, token const&) override {
    token const& t = peek();
    if (!is_plain_name(t) || at_stop()) throw error(t.where, "the right side of |> must be a function");
    expr_ptr f = parse_application();
    if (f->kind == expr_kind::name && f->name == "not") return make_unary(expr_kind::not_, 0, f->where, std::move(lhs));
    if (f->kind != expr_kind::name && f->kind != expr_kind::call) throw error(t.where, "the right side of |> must be a function");
    f->kind = expr_kind::call;
    f->args.push_back(std::move(lhs));
    f->kwnames.emplace_back();
    return f;
  }

  expr_ptr parse_primary() override {
    if (!is_kw(peek(), "if")) return parse_application();
    loc where = peek().where;
    std::vector<stmt> plain;
    parse_if(sink{}, plain);
    if (plain[0].kind != stmt_kind::return_)
      throw error(where, "an if with local lets in its branches must be a whole let value or a block's result");
    return std::move(plain[0].value);
  }

  // Can the next token be an argument in `f a b`? `f -x` passes -x, `f - x` subtracts.
  bool starts_argument() const {
    if (at_stop()) return false;
    token const& t = peek();
    if (t.kind == tok::number || is_plain_name(t) || is(t, op::lparen) || is_kw(t, "true") || is_kw(t, "false")) return true;
    if (!is(t, op::minus) || !t.space_before) return false;
    token const& n = peek(1);
    return n.where.line == t.end.line && n.where.col == t.end.col;
  }

  expr_ptr parse_application() {
    token const& head_tok = peek();
    expr_ptr head = parse_atom();
    if (head->kind != expr_kind::name || !starts_argument()) return head;
    nesting guard(depth_, head_tok.where, nested_expression);
    std::vector<expr_ptr> args;
    while (starts_argument()) {
      guard.bump(peek().where);
      if (at(op::minus)) {
        token const& o = take();
        args.push_back(make_unary(expr_kind::unary, '-', o.where, parse_atom()));
      } else if (at(op::lparen)) {
        std::vector<expr_ptr> group = parse_parenthesized();
        // f (a, b): a tupled call, as .NET methods and tupled functions take
        if (group.size() > 1 && (!args.empty() || starts_argument())) throw error(group[1]->where, "tuples are not supported");
        for (expr_ptr& g : group) args.push_back(std::move(g));
      } else {
        args.push_back(parse_atom());
      }
    }
    if (head->name == "not") {
      if (args.size() != 1) throw error(head->where, "not takes one argument");
      return make_unary(expr_kind::not_, 0, head->where, std::move(args[0]));
    }
    return make_call(head->where, head->name, std::move(args));
  }

  // ( e ) or ( e, e, ... ): the caller decides whether a tuple is allowed.
  std::vector<expr_ptr> parse_parenthesized() {
    token const& open = take();
    std::vector<expr_ptr> out;
    if (at(op::rparen)) throw error(open.where, "unit values () are not supported");
    for (;;) {
      out.push_back(parse_expression());
      if (!accept(op::comma)) break;
    }
    expect(op::rparen);
    return out;
  }

  expr_ptr parse_atom() {
    token const& t = peek();
    if (at_stop()) {
      if (t.kind == tok::end) throw error(t.where, "unexpected end of file; expected an expression");
      throw error(t.where, "expected an expression (check the indentation)");
    }
    expr_ptr e = is(t, op::lparen) ? nullptr : parser_base::parse_atom("");
    if (!e && is(t, op::lparen)) {
      std::vector<expr_ptr> group = parse_parenthesized();
      if (group.size() > 1) throw error(group[1]->where, "tuples are not supported");
      e = std::move(group[0]);
    }
    if (!e && is_kw(t, "if")) throw error(t.where, "put the if in parentheses to use it as an argument");
    if (!e) unexpected(t);
    token const& after = peek();
    if (!after.space_before && (is(after, op::lbracket) || is(after, op::dot)) && after.kind != tok::end)
      throw error(after.where, is(after, op::lbracket) ? "indexing is not supported" : "member access is not supported here");
    return e;
  }

  // A dotted name; a local may not be dotted, a global keeps its spelling for the
  // checker (Math.Exp, System.Math.PI).
  expr_ptr parse_name() override {
    token const& first = take();
    std::string head(first.text);
    if (head == "seq" && at(op::lbrace)) throw error(first.where, "sequences are not supported");
    bool dotted = at(op::dot) && !peek().space_before;
    if (std::optional<std::string> local = scopes_.lookup(head)) {
      if (dotted && is(peek(1), op::lbracket)) throw error(peek().where, "indexing is not supported");
      if (dotted) throw error(peek().where, "member access is not supported on local values");
      return make_name(first.where, *local);
    }
    if (!dotted && scopes_.closed(head))
      throw error(first.where, "'" + head + "' is not defined here; it is local to an inner block");
    auto e = make_name(first.where, head);
    while (at(op::dot) && !peek().space_before) {
      take();
      token const& part = peek();
      if (!is_plain_name(part)) throw error(part.where, is(part, op::lbracket) ? "indexing is not supported" : "expected a name after '.'");
      e->name += '.';
      e->name += take().text;
    }
    e->name = modules_.resolve(e->name);  // Logistic.standard: a definition of the file
    return e;
  }

  std::size_t item_start_ = static_cast<std::size_t>(-1);
  int blocks_ = 0;
  std::vector<context> ctx_;
  scopes scopes_;
  fsharp_modules modules_;
};

}  // namespace

module parse_fsharp(std::string_view source) { return parser(source).parse_module(); }

}  // namespace kst
