// Julia front end: nested #= =# comments, numeric juxtaposition (2x), Julia's
// literal spellings and Unicode operators, `end`-delimited blocks, let blocks with
// their own scope, `cond && return x`, keyword arguments after ';', and the
// function's implicit result, made explicit with return_ statements so the checker
// sees one model for all languages. Expressions are the shared core's.

#include <algorithm>
#include <string>
#include <unordered_set>

#include "frontends.hpp"
#include "parser.hpp"
#include "scanner.hpp"

namespace kst {
namespace {

constexpr std::string_view div_sign = "\xc3\xb7";  // ÷
constexpr std::string_view pi_name = "\xcf\x80";   // π
constexpr std::string_view e_name = "\xe2\x84\xaf";  // ℯ

constexpr char non_ascii[] = "non-ascii names and operators are not supported (except π, ℯ, ÷, ≤, ≥, ≠ and √)";
constexpr char broadcasting[] = "broadcasting is not supported; knossos vmaps the scalar function for you";
// Marks an expression statement until we know whether it is a function's result.
constexpr char expression_marker[] = "\x01";

// Comments # and #= =# (nested); a line break outside brackets ends a statement.
class lexer final : public scanner {
 public:
  explicit lexer(std::string_view source) : scanner(source, {"#", "#=", "=#", {}, true}, true) {}

 private:
  token scan() override {
    char c = peek_char();
    loc w = here();
    std::size_t start = pos_;
    bool value = value_before_ && !space_;  // x ' is not a transpose
    value_before_ = true;
    if (is_alpha(c)) {
      // `x!=y` is x != y, not the name x!
      while (is_alnum(peek_char()) || (peek_char() == '!' && peek_char(1) != '=')) ++pos_;
      if (is_non_ascii(peek_char())) throw error(here(), non_ascii);
      return finish(tok::name, start, w);
    }
    if (is_digit(c) || (c == '.' && is_digit(peek_char(1)))) return number();
    value_before_ = false;
    if (c == '"') return scan_string(start, w, {true, true, true, false});
    if (c == '\'') {
      if (value) throw error(w, "transpose (') is not supported");
      return scan_char_literal(w);
    }
    if (starts(pi_name) || starts(e_name)) {
      pos_ += starts(pi_name) ? pi_name.size() : e_name.size();
      if (is_alnum(peek_char()) || is_non_ascii(peek_char())) throw error(w, non_ascii);
      value_before_ = true;
      return finish(tok::name, start, w);
    }
    if (c == '.' && (std::string_view("+-*/^<>=!&|%\\~(").find(peek_char(1)) != std::string_view::npos ||
                     starts(div_sign, 1) || starts("\xe2\x89", 1)))  // .÷ .≤ .≥ .≠
      throw error(w, broadcasting);
    token t = operator_token(julia_grammar.spellings, non_ascii);
    value_before_ = t.o == op::rparen || t.o == op::rbracket || t.o == op::rbrace;
    return t;
  }

  token number() {
    loc w = here();
    std::size_t start = pos_;
    int base = scan_base_prefix(false);
    if (base) {
      std::size_t digits = pos_;
      bool any = scan_digits(base);
      if (base == 16 && (peek_char() == '.' || peek_char() == 'p' || peek_char() == 'P')) {
        if (peek_char() == '.') ++pos_;
        if (!scan_digits(16) && !any) invalid_number(w);
        if (peek_char() != 'p' && peek_char() != 'P') throw error(w, "a hexadecimal float needs a binary exponent such as p0");
        ++pos_;
        if (peek_char() == '+' || peek_char() == '-') ++pos_;
        if (!scan_digits(10) || is_digit(peek_char()) || peek_char() == '_') invalid_number(w);
        token t = finish(tok::number, start, w);
        t.float_value = hex_float_value(without_underscores(src_.substr(digits, pos_ - digits)), w);
        return t;
      }
      if (!any || is_alnum(peek_char()) || is_non_ascii(peek_char())) invalid_number(w);
      return number_token(start, w, src_.substr(digits, pos_ - digits), base, false);
    }
    bool is_float = scan_decimal("eEf", false);
    // A literal may run straight into a name (2x) but not into more digits.
    if (is_digit(peek_char()) || peek_char() == '_') invalid_number(w);
    std::string text(src_.substr(start, pos_ - start));
    std::size_t f = text.find('f');  // 1f0, 2.5f-3: Float32
    if (f != std::string::npos) text[f] = 'e';
    token t = number_token(start, w, text, 0, is_float);
    t.is_float32 = f != std::string::npos;
    return t;
  }

  bool value_before_ = false;  // a ' right after a value is a transpose
};

class parser : parser_base {
 public:
  explicit parser(std::string_view source) : parser_base(lexer(source).run(), julia_grammar) {}

  module parse_module() {
    module m;
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::end) break;
      if (t.kind == tok::newline || is(t, op::semicolon)) {
        take();
      } else if (is_kw(t, "using") || is_kw(t, "import") || is_kw(t, "export")) {
        // Nothing to bind: the checker knows the math names under their plain spellings.
        for (take(); !ends_statement(peek()); take())
          if (peek().kind == tok::string) unexpected(peek());
      } else if (t.kind == tok::string) {
        skip_docstring();
      } else if (is_kw(t, "const") || (is_plain_name(t) && is(peek(1), op::eq))) {
        if (is_kw(t, "const")) take();
        token const& name = expect_name("a constant name");
        expect(op::eq);
        m.constants.push_back({std::string(name.text), name.where, parse_expression()});
      } else {
        m.functions.push_back(parse_function());
        defined_.insert(m.functions.back().name);
      }
    }
    return m;
  }

 private:
  void skip_docstring() {
    token const& s = take();
    skip_newlines();
    token const& t = peek();
    if (!is_kw(t, "function") && !is(t, op::at) && !(is_plain_name(t) && is(peek(1), op::lparen)))
      throw error(s.where, "strings are not supported");
  }

  function parse_function() {
    token const& first = peek();
    if (is(first, op::at)) {
      take();
      if (!is_kw(peek(), "inline") || peek().space_before) throw error(first.where, "macros are not supported (only @inline)");
      take();
      skip_newlines();
      if (!is_kw(peek(), "function") && !(is_plain_name(peek()) && is(peek(1), op::lparen)))
        throw error(peek().where, "expected a function definition after @inline");
    }
    token const& t = peek();
    bool long_form = is_kw(t, "function");
    if (!long_form && !(is_plain_name(t) && is(peek(1), op::lparen))) {
      if (auto m = refusal(t); m && t.kind == tok::name) throw error(t.where, *m);
      if (t.kind != tok::name && t.kind != tok::number && t.kind != tok::op) unexpected(t);
      throw error(t.where, "only function definitions, constants, using and import are allowed at the top level");
    }
    loc start = long_form ? take().where : t.where;
    scopes_.reset(&names_in_file_);
    function f = parse_signature();
    if (long_form) {
      parse_block(f.body, start, "function");
    } else {
      if (!at(op::eq)) throw error(f.where, "only function definitions, constants, using and import are allowed at the top level");
      take();
      skip_newlines();
      parse_statement(f.body);
    }
    f.end_where = last_end_;
    if (long_form) take();  // end
    token const& after = peek();
    if (!long_form && !ends_statement(after)) end_statement_error(after, f.body.back().where);
    finish_body(f.body, true);
    return f;
  }

  function parse_signature() {
    function f = named_function();
    if (at(op::dot)) throw error(peek().where, "only plain function names can be defined");
    if (at(op::lbrace)) throw error(peek().where, "type parameters are not supported");
    expect(op::lparen);
    bool keywords = false;
    while (!at(op::rparen)) {
      if (!keywords && accept(op::semicolon)) {
        keywords = true;
        continue;
      }
      if (at(op::colon_colon)) throw error(peek().where, "unnamed parameters are not supported");
      token const& p = expect_name("a parameter name");
      add_param(f, p, scopes_.bind(std::string(p.text)));
      f.params.back().keyword_only = keywords;
      if (at(op::colon_colon)) skip_type();
      if (accept(op::eq)) f.params.back().default_value = parse_expression();
      else if (keywords) throw error(p.where, "a keyword parameter needs a default value: " + std::string(p.text) + "=...");
      if (at(op::ellipsis)) throw error(peek().where, "varargs are not supported");
      if (at(op::semicolon)) continue;
      if (!accept(op::comma)) break;
    }
    expect(op::rparen);
    if (at(op::colon_colon)) skip_type();
    if (is_kw(peek(), "where")) unexpected(peek());
    return f;
  }

  // `::` and a scalar type such as Float64, Real or Base.Float32. Parametric types
  // are refused: the functions we translate take and return scalars.
  void skip_type() {
    take();
    loc where = peek().where;
    std::string type = dotted_name("a type name");
    std::string_view last = std::string_view(type).substr(type.rfind('.') + 1);
    if (last == "String" || last == "AbstractString") throw error(where, "strings are not supported");
    if (one_of(last, {"Vector", "Array", "Matrix", "AbstractVector", "AbstractArray", "AbstractMatrix", "Tuple",
                      "NTuple", "Dict", "Set"}))
      throw error(where, "containers are not supported");
    if (at(op::lbrace))
      throw error(peek().where, "parametric types are not supported; annotate with a scalar type such as Float64");
  }

  // -- statements -----------------------------------------------------------

  // Parses statements up to `end`, `elseif` or `else` (left for the caller); only
  // `if` accepts the last two.
  void parse_block(std::vector<stmt>& body, loc opener, std::string_view what) {
    nesting guard(depth_, peek().where, nested_block);
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::newline || is(t, op::semicolon)) {
        take();
        continue;
      }
      if (t.kind == tok::end) throw error(opener, "'" + std::string(what) + "' has no matching 'end'");
      if (is_kw(t, "end")) return;
      if (is_kw(t, "elseif") || is_kw(t, "else")) {
        if (what == "if") return;
        without_if(t);
      }
      parse_statement(body);
      token const& after = peek();
      if (!ends_statement(after) && !is_kw(after, "end") && !is_kw(after, "else") && !is_kw(after, "elseif"))
        end_statement_error(after, t.where);
    }
  }

  void parse_statement(std::vector<stmt>& body) {
    token const& t = peek();
    if (is_kw(t, "if")) {
      body.push_back(parse_if());
    } else if (is_kw(t, "begin")) {
      parse_block(body, take().where, "begin");
      take();
    } else if (is_kw(t, "let")) {
      parse_let(body);
    } else if (is_kw(t, "return")) {
      body.push_back(parse_return("end"));
    } else if (is_kw(t, "local")) {
      take();
      if (!is_plain_name(peek()) || (!is(peek(1), op::eq) && !is(peek(1), op::colon_colon)))
        throw error(peek().where, "a local needs a name and a value: local x = ...");
      parse_assignment(body, true);
    } else if (is_plain_name(t) && (is(peek(1), op::eq) || is(peek(1), op::colon_colon) || augmented(peek(1)))) {
      parse_assignment(body, false);
    } else {
      if (t.kind == tok::name && is_keyword(t.text) && !is_kw(t, "true") && !is_kw(t, "false")) unexpected(t);
      expr_ptr e = parse_expression();
      if ((at(op::amp_amp) || at(op::bar_bar)) && is_kw(peek(1), "return")) {
        // cond && return x, cond || return x: an early return
        loc where = e->where;
        stmt s = make_if(where, at(op::amp_amp) ? std::move(e) : make_unary(expr_kind::not_, 0, where, std::move(e)));
        take();
        parse_statement(s.then_body);
        body.push_back(std::move(s));
        return;
      }
      body.push_back(make_return(t.where, std::move(e)));
      body.back().target = expression_marker;
    }
  }

  bool stops_before(token const& t) const override {
    return (is(t, op::amp_amp) || is(t, op::bar_bar)) && is_kw(peek(1), "return");
  }

  // let a = 1/x, b = a + 1 ... end: the names it binds are its own (renamed in the
  // AST when they shadow another name); each right side sees the bindings before
  // it, but not its own (let x = x + 1); its last expression is its value.
  void parse_let(std::vector<stmt>& body) {
    token const& let = take();
    scopes_.open();
    while (is_plain_name(peek())) {
      token const& name = take();
      expect(op::eq);
      expr_ptr value = parse_expression();
      body.push_back(make_assign(name.where, scopes_.bind(std::string(name.text)), name.where, std::move(value)));
      if (!accept(op::comma)) break;
    }
    parse_block(body, let.where, "let");
    take();  // end
    scopes_.close();
  }

  [[noreturn]] void end_statement_error(token const& t, loc start) {
    if (is(t, op::comma)) throw error(t.where, "tuples are not supported");
    if (is(t, op::eq) || augmented(t)) throw error(start, "only a plain name can be assigned to");
    if (t.kind == tok::number || is_plain_name(t) || is(t, op::lparen))
      throw error(t.where, "unexpected " + quoted(t) + "; put one statement per line or separate with ';'");
    unexpected(t);
  }

  void parse_assignment(std::vector<stmt>& body, bool local) {
    token const& target = take();
    std::string name(target.text);
    std::optional<std::string> bound = scopes_.lookup(name);
    if (at(op::colon_colon)) {
      skip_type();
      if (!at(op::eq)) throw error(peek().where, "an annotated name needs a value: x::Float64 = ...");
    }
    expr_ptr value = assigned_value(take(), name_ref(target));
    std::string ast = bound && !local ? *bound : scopes_.bind(name);
    if (at(op::eq)) throw error(peek().where, "chained assignment is not supported; assign one name at a time");
    body.push_back(make_assign(target.where, ast, target.where, std::move(value)));
  }

  stmt parse_if() {
    nesting guard(depth_, peek().where, is_kw(peek(), "elseif") ? "too many elseif branches" : nested_block);
    loc where = take().where;  // if / elseif
    stmt s = make_if(where, parse_expression());
    parse_block(s.then_body, s.where, "if");
    if (is_kw(peek(), "elseif")) {
      s.else_body.push_back(parse_if());
      return s;  // the innermost elseif consumed the `end`
    }
    if (is_kw(peek(), "else")) {
      parse_block(s.else_body, take().where, "if");
      if (!is_kw(peek(), "end")) unexpected(peek());
    }
    take();  // end
    return s;
  }

  // Makes Julia's implicit result explicit: the last statement of the body returns
  // its value (an assignment returns the assigned value; an if does so per branch).
  // Elsewhere an expression statement does nothing and is refused.
  static void finish_body(std::vector<stmt>& body, bool tail) {
    for (std::size_t i = 0; i < body.size(); ++i) {
      stmt& s = body[i];
      bool last = tail && i + 1 == body.size();
      if (s.kind == stmt_kind::return_ && s.target == expression_marker) {
        if (!last) throw error(s.where, "this expression has no effect; assign or return its value");
        s.target.clear();
      } else if (s.kind == stmt_kind::if_) {
        finish_body(s.then_body, last);
        finish_body(s.else_body, last);
      } else if (s.kind == stmt_kind::assign && last) {
        body.push_back(make_return(s.target_where, make_name(s.target_where, s.target)));
        return;
      }
    }
  }

  // -- expressions ----------------------------------------------------------

  expr_ptr parse_top() override {
    expr_ptr cond = parse_binary(0);
    if (!at(op::question)) return cond;
    take();
    skip_newlines();
    loc where = cond->where;
    expr_ptr then = parse_expression();
    skip_newlines();
    if (!accept(op::colon)) fail(peek(), "expected ':' in the conditional expression c ? a : b");
    skip_newlines();
    return make_conditional(where, std::move(cond), std::move(then), parse_expression());
  }

  // x |> f is f(x); the right side must name a function.
  expr_ptr parse_pipe_target(expr_ptr lhs, token const&) override {
    if (!is_plain_name(peek())) throw error(peek().where, "the right side of |> must be a function name");
    loc where = peek().where;
    std::string name = dotted_name("a function name");
    if (at(op::lparen)) throw error(peek().where, "the right side of |> must be a function name");
    return make_call(where, std::move(name), std::move(lhs));
  }

  expr_ptr name_ref(token const& t) {
    std::string name(t.text);
    if (auto ast = scopes_.lookup(name)) return make_name(t.where, *ast);
    if (scopes_.closed(name)) throw error(t.where, "'" + name + "' is not defined here; it is local to a let block");
    return make_name(t.where, name);
  }

  expr_ptr parse_primary() override {
    token const& t = peek();
    expr_ptr e = parse_atom("tuples are not supported");
    token const& next = peek();
    // A literal against a name or '(' multiplies it, binding tighter than * and
    // looser than ^: 2x^2 is 2*(x^2), 1/2x is 1/(2x).
    if (e && e->kind == expr_kind::number && !next.space_before && (is_plain_name(next) || is(next, op::lparen))) {
      nesting guard(depth_, next.where, nested_expression);
      return make_binary(binary_op::mul, next.where, std::move(e), parse_binary(14), int_division::true_division);
    }
    if (!e && is_kw(t, "if")) throw error(t.where, "'if' is a statement here; use c ? a : b for a conditional value");
    if (!e && (is_kw(t, "begin") || is_kw(t, "let")))
      throw error(t.where, std::string(t.text) + " blocks are only supported as statements");
    if (!e && is(t, op::colon)) throw error(t.where, "symbols are not supported");
    if (!e) unexpected(t);
    refuse_postfix("indexing is not supported");
    if (at(op::colon_colon)) unexpected(peek());
    if (at(op::lbrace)) throw error(peek().where, "parametric types are not supported");
    return e;
  }

  // A dotted name, and a call if '(' follows. div/rem/mod/fld become operators
  // unless the file defines a function of that name.
  expr_ptr parse_name() override {
    token const& first = peek();
    if (!is(peek(1), op::dot) && !is(peek(1), op::lparen)) {
      take();
      return name_ref(first);
    }
    auto e = make_name(first.where, dotted_name("a name"));
    if (at(op::lbracket)) throw error(peek().where, "indexing is not supported");
    if (at(op::lparen) && peek().space_before) throw error(peek().where, "remove the space before '(' in a call");
    e = call_if_open(std::move(e));
    if (e->kind != expr_kind::call) return e;
    if (is_kw(peek(), "do")) unexpected(peek());
    static constexpr std::pair<std::string_view, binary_op> integer_ops[] = {
        {"div", binary_op::trunc_div}, {"rem", binary_op::mod_trunc}, {"mod", binary_op::mod_floor}, {"fld", binary_op::floor_div}};
    bool keywords = std::any_of(e->kwnames.begin(), e->kwnames.end(), [](auto const& k) { return !k.empty(); });
    if (e->args.size() == 2 && !keywords && !defined_.contains(e->name)) {
      for (auto [name, op] : integer_ops)
        if (e->name == name)
          return make_binary(op, e->where, std::move(e->args[0]), std::move(e->args[1]), int_division::true_division);
    }
    return e;
  }

  std::unordered_set<std::string> defined_;
  scopes scopes_;
};

}  // namespace

module parse_julia(std::string_view source) { return parser(source).parse_module(); }

}  // namespace kst
