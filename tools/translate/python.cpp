// Python front end: INDENT/DEDENT and line joining, Python's literal spellings,
// imports and their aliases, decorators and annotations, tensor methods (x.exp()),
// and the statement forms of SPEC §4. Expressions are the shared core's, driven by
// Python's tables in languages.cpp.

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "frontends.hpp"
#include "parser.hpp"
#include "scanner.hpp"

namespace kst {
namespace {

// Lines, their indentation (INDENT and DEDENT tokens), joined inside brackets and
// after a backslash; comments #.
class lexer final : public scanner {
 public:
  explicit lexer(std::string_view source) : scanner(source, {"#", {}, {}, {}, true}, true) {}

 private:
  token next() override {
    token t = scanner::next();
    last_ = t.kind;
    return t;
  }

  // DEDENTs still owed; at the start of a logical line (outside brackets), blank and
  // comment-only lines skipped, its indentation: an INDENT or DEDENT if it changed.
  std::optional<token> line_start() override {
    if (pending_dedents_ > 0) {
      --pending_dedents_;
      return marker(tok::dedent, pending_where_);
    }
    if (last_ != tok::newline || brackets_ > 0) return std::nullopt;
    for (;;) {
      std::size_t indent_start = pos_;
      for (char c = peek_char(); c == ' ' || c == '\t' || c == '\f'; c = peek_char()) {
        if (c == '\f') indent_start = pos_ + 1;  // Python resets the count at a form feed
        ++pos_;
      }
      if (peek_char() == '#') skip_line_comment();
      if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
        continue;
      }
      if (eof()) return std::nullopt;
      return indentation(src_.substr(indent_start, pos_ - indent_start), indent_start);
    }
  }

  std::optional<token> indentation(std::string_view indent, std::size_t indent_start) {
    auto mixed = [&](std::size_t i) {
      throw error(at(indent_start + i), "indentation mixes tabs and spaces; indent with spaces only");
    };
    if (auto i = indent.find_first_not_of(indent.empty() ? ' ' : indent[0]); i != indent.npos) mixed(i);
    loc first = here();
    std::string_view top = indents_.back();
    if (indent == top) return std::nullopt;
    if (indent.starts_with(top)) {
      indents_.push_back(indent);
      return marker(tok::indent, first);
    }
    if (!top.starts_with(indent)) {  // neither is a prefix: one block used tabs, another spaces
      std::size_t i = 0;
      while (i < indent.size() && i < top.size() && indent[i] == top[i]) ++i;
      mixed(i);
    }
    int count = 0;
    for (; indents_.back().size() > indent.size(); ++count) indents_.pop_back();
    if (indents_.back().size() != indent.size())
      throw error(first, "unindent does not match any outer indentation level");
    pending_dedents_ = count - 1;
    pending_where_ = first;
    return marker(tok::dedent, first);
  }

  // Blanks, comments and a backslash that joins the next line.
  bool skip_trivia() override {
    bool any = false;
    for (; scanner::skip_blanks(blanks_) || peek_char() == '\\'; any = true) {
      if (peek_char() != '\\') continue;
      loc w = here();
      std::size_t n = newline_length(pos_ + 1);
      if (!n)
        throw error(w, pos_ + 1 >= src_.size() ? "unexpected end of file after line continuation"
                                               : "unexpected character after line continuation '\\'");
      ++pos_;
      consume_newline(n);
    }
    return any;
  }

  token end_of_input() override {
    loc w = here();
    if (brackets_ > 0) return marker(tok::end, w);  // the parser reports the unclosed bracket
    if (last_ != tok::newline && last_ != tok::indent && last_ != tok::dedent && last_ != tok::end)
      return marker(tok::newline, w);
    if (indents_.size() > 1) {
      indents_.pop_back();
      return marker(tok::dedent, w);
    }
    return marker(tok::end, w);
  }

  token scan() override {
    char c = peek_char();
    loc w = here();
    if (is_alpha(c)) return scan_name();
    if (is_digit(c) || (c == '.' && is_digit(peek_char(1)))) return scan_number();
    if (c == '"' || c == '\'') return scan_string(pos_, w, {});
    if (c == '!' && peek_char(1) != '=') throw error(w, "unexpected '!'; use 'not' for logical negation");
    return operator_token(python_grammar.spellings, "non-ascii characters are only allowed in comments and strings");
  }

  token scan_name() {
    std::size_t start = pos_;
    loc w = here();
    while (is_alnum(peek_char())) ++pos_;
    if (peek_char() == '"' || peek_char() == '\'') {
      std::string prefix;
      for (char c : src_.substr(start, pos_ - start)) prefix += static_cast<char>(c | 0x20);
      if (one_of(prefix, {"r", "u", "b", "f", "br", "rb", "fr", "rf"})) return scan_string(start, w, {});
    }
    if (is_non_ascii(peek_char())) throw error(here(), "non-ascii identifiers are not supported");
    return finish(tok::name, start, w);
  }

  token scan_number() {
    std::size_t start = pos_;
    loc w = here();
    auto [base, is_float] = scan_number_form(true);
    if (!base && (peek_char() == 'j' || peek_char() == 'J')) throw error(w, "complex numbers are not supported");
    if (is_alnum(peek_char()) || is_non_ascii(peek_char())) invalid_number(w);
    std::string_view text = src_.substr(start, pos_ - start);
    std::string plain = without_underscores(text);
    if (!base && !is_float && plain.size() > 1 && plain[0] == '0' && plain.find_first_not_of('0') != plain.npos)
      throw error(w, "leading zeros are not allowed in decimal integers; use 0o for octal");
    return number_token(start, w, base ? text.substr(2) : text, base, is_float, true);  // 1e999 is inf in Python
  }

  tok last_ = tok::newline;  // decides whether a NEWLINE is owed at the end of the input
  std::vector<std::string_view> indents_{std::string_view{}};
  int pending_dedents_ = 0;
  loc pending_where_;
};

class parser : parser_base {
 public:
  explicit parser(std::string_view source) : parser_base(lexer(source).run(), python_grammar) {}

  module parse_module() {
    module m;
    for (bool first = true; peek().kind != tok::end; first = false) {
      token const& t = peek();
      if (t.kind == tok::newline) {
        take();
      } else if (is_kw(t, "import") || is_kw(t, "from")) {
        parse_import();
        end_simple_statement();
      } else if (is_kw(t, "def") || is(t, op::at) || is_kw(t, "async")) {
        m.functions.push_back(parse_function());  // an async def is refused there
      } else if (t.kind == tok::string && first && is_docstring()) {
        skip_docstring();
        end_simple_statement();
      } else if (is_kw(t, "if") && is_kw(peek(1), "__name__")) {
        skip_main_guard();
      } else if (is_plain_name(t) && (is(peek(1), op::eq) || is(peek(1), op::colon))) {
        std::vector<stmt> one;
        parse_assignment(one);
        end_simple_statement();
        if (!one.empty()) m.constants.push_back({one[0].target, one[0].target_where, std::move(one[0].value)});
      } else {
        fail(t, "only imports, constants and function definitions are allowed at the top level");
      }
    }
    for (constant& c : m.constants) resolve(*c.value, {});
    for (function& f : m.functions) resolve(f);
    return m;
  }

 private:
  // -- top level ------------------------------------------------------------

  // import a.b [as c], ...; from a.b import x [as y], ... (parenthesised or not)
  void parse_import() {
    if (is_kw(take(), "import")) {
      do {
        std::string module_name = dotted_name("a module name");
        std::string head = module_name.substr(0, module_name.find('.'));
        if (accept_kw("as")) aliases_[std::string(expect_name("a name after 'as'").text)] = module_name;
        else aliases_[head] = head;
      } while (accept(op::comma));
      return;
    }
    if (at(op::dot) || at(op::ellipsis)) throw error(peek().where, "relative imports are not supported");
    std::string module_name = dotted_name("a module name");
    if (!accept_kw("import")) throw error(peek().where, "expected 'import'");
    if (at(op::star)) throw error(peek().where, "'import *' is not supported; import the names you use");
    bool parenthesized = accept(op::lparen);
    for (;;) {
      token const& name = expect_name("a name to import");
      std::string local(name.text), target = module_name + "." + local;
      if (accept_kw("as")) local = expect_name("a name after 'as'").text;
      if (module_name != "__future__") aliases_[local] = target;
      if (!accept(op::comma)) break;
      if (parenthesized && at(op::rparen)) break;
    }
    if (parenthesized) expect(op::rparen);
  }

  // `if __name__ == "__main__":` runs only as a script; its block is skipped whole.
  void skip_main_guard() {
    while (!ends_statement(peek()) && !accept(op::colon)) take();
    if (!accept_newline()) return skip_to_newline();
    if (peek().kind != tok::indent) throw error(peek().where, "expected an indented block");
    skip_balanced("unexpected dedent");
  }

  bool accept_newline() { return peek().kind == tok::newline && (take(), true); }
  void skip_to_newline() {
    while (!ends_statement(peek())) take();
  }

  // Decorators are skipped: `@dotted.name` or `@dotted.name(...)`, whatever the
  // arguments contain.
  void skip_decorators() {
    while (at(op::at)) {
      take();
      dotted_name("a decorator name");
      if (at(op::lparen)) skip_balanced("expected ')'");
      if (peek().kind != tok::newline) unexpected(peek());
      take();
    }
    token const& t = peek();
    if (is_kw(t, "class"))
      throw error(t.where, "only imports, constants and function definitions are allowed at the top level");
    if (is_kw(t, "async")) throw error(t.where, "async functions are not supported");
    if (!is_kw(t, "def")) throw error(t.where, "expected 'def' after a decorator");
  }

  function parse_function() {
    skip_decorators();
    take();  // def
    function f = named_function();
    aliases_.erase(f.name);  // a def rebinds the name, as it would in Python
    expect(op::lparen);
    bool keyword_only = false;  // after a bare `*`
    while (!at(op::rparen)) {
      token const& t = peek();
      if (is(t, op::star)) {  // a bare `*`: the parameters after it are keyword-only
        if (is(peek(1), op::rparen) || (is(peek(1), op::comma) && is(peek(2), op::rparen)))
          throw error(t.where, "named arguments must follow bare *");
        if (keyword_only || !is(peek(1), op::comma)) throw error(t.where, "*args is not supported");
        take();
        take();
        keyword_only = true;
        continue;
      }
      if (is(t, op::star_star)) throw error(t.where, "**kwargs is not supported");
      if (is(t, op::slash)) throw error(t.where, "positional-only parameters (/) are not supported");
      token const& p = expect_name("a parameter name");
      add_param(f, p, std::string(p.text));
      f.params.back().keyword_only = keyword_only;
      if (accept(op::colon)) skip_annotation();
      if (accept(op::eq)) f.params.back().default_value = parse_expression();
      else if (!keyword_only && f.params.size() > 1 && f.params[f.params.size() - 2].default_value)
        throw error(p.where, "a parameter without a default cannot follow one with a default");
      if (!accept(op::comma)) break;
    }
    expect(op::rparen);
    if (accept(op::arrow)) skip_annotation();
    expect(op::colon);
    loc body_start = parse_suite(f.body, true);
    f.end_where = last_end_;
    if (f.body.empty()) throw error(body_start, "function body is empty");
    return f;
  }

  // Annotations are skipped: the tokens up to a ',', '=', ':' or ')' outside brackets,
  // or the end of the line (float, Optional[float], Callable[[float], float], "float").
  void skip_annotation() {
    for (bool any = false;; any = true) {
      token const& t = peek();
      if (is(t, op::lparen) || is(t, op::lbracket)) {
        skip_balanced("expected a type annotation");
      } else if (is(t, op::comma) || is(t, op::eq) || is(t, op::colon) || is(t, op::rparen) || is(t, op::rbracket) ||
                 t.kind == tok::newline || t.kind == tok::end) {
        if (!any) fail(t, "expected a type annotation");
        return;
      } else {
        take();
      }
    }
  }

  // -- statements -----------------------------------------------------------

  bool is_docstring() const {
    std::size_t k = 0;
    while (peek(k).kind == tok::string) ++k;
    return k > 0 && ends_statement(peek(k));
  }

  void skip_docstring() {
    while (peek().kind == tok::string) take();
  }

  // After ':' — an indented block, or simple statements on the same line.
  // Returns where the body starts (for "function body is empty").
  loc parse_suite(std::vector<stmt>& body, bool docstring_ok) {
    if (peek().kind != tok::newline) {
      loc start = peek().where;
      parse_simple_statements(body, docstring_ok);
      return start;
    }
    take();
    if (peek().kind != tok::indent) throw error(peek().where, "expected an indented block");
    take();
    loc start = peek().where;
    for (bool first = docstring_ok; peek().kind != tok::dedent && peek().kind != tok::end; first = false) {
      token const& t = peek();
      if (is_kw(t, "if")) body.push_back(parse_if());
      else if (is_kw(t, "elif") || is_kw(t, "else")) without_if(t);
      else if (is(t, op::at))
        throw error(t.where, "nested functions are not supported; define functions at the top level");
      else parse_simple_statements(body, first);
    }
    if (peek().kind == tok::dedent) take();
    return start;
  }

  stmt parse_if() {
    nesting guard(block_depth_, peek().where, is_kw(peek(), "elif") ? "too many elif branches" : nested_block);
    loc where = take().where;  // if / elif
    stmt s = make_if(where, parse_expression());
    expect(op::colon);
    parse_suite(s.then_body, false);
    if (is_kw(peek(), "elif")) {
      s.else_body.push_back(parse_if());
    } else if (accept_kw("else")) {
      expect(op::colon);
      parse_suite(s.else_body, false);
    }
    return s;
  }

  void parse_simple_statements(std::vector<stmt>& body, bool docstring_ok) {
    for (;; docstring_ok = false) {
      parse_simple(body, docstring_ok);
      if (!accept(op::semicolon)) break;
      if (peek().kind == tok::newline || peek().kind == tok::end) break;
    }
    end_simple_statement();
  }

  void end_simple_statement() {
    token const& t = peek();
    if (is(t, op::semicolon) || t.kind == tok::newline) {
      if (is(take(), op::semicolon) && peek().kind == tok::newline) take();
      return;
    }
    if (t.kind == tok::end) return;
    if (is(t, op::comma)) throw error(t.where, "tuples are not supported; use one value per assignment or return");
    if (is(t, op::eq)) throw error(t.where, "multiple assignment targets are not supported; assign one name at a time");
    unexpected(t);
  }

  void parse_simple(std::vector<stmt>& body, bool docstring_ok) {
    token const& t = peek();
    if (is_kw(t, "return")) return body.push_back(parse_return());
    if (accept_kw("pass")) return;
    if (t.kind == tok::string && docstring_ok && is_docstring()) return skip_docstring();
    if (is_plain_name(t) && (is(peek(1), op::eq) || is(peek(1), op::colon) || augmented(peek(1))))
      return parse_assignment(body);
    bool starts_expression = one_of(t.text, {"not", "True", "False", "None", "lambda", "await", "yield"});
    if (t.kind == tok::name && is_keyword(t.text) && !starts_expression) unexpected(t);
    if (is(t, op::star)) throw error(t.where, "starred expressions are not supported");
    loc start = t.where;
    parse_expression();
    token const& after = peek();
    if (is(after, op::eq) || augmented(after) || refusal(after)) {
      if (auto m = refusal(after)) throw error(after.where, *m);
      throw error(start, "only a plain name can be assigned to");
    }
    if (ends_statement(after)) throw error(start, "an expression statement has no effect; assign or return the value");
  }

  // x = v, x op= v, x: T = v, and a bare annotation x: T (the value comes later).
  void parse_assignment(std::vector<stmt>& body) {
    token const& target = take();
    token const* o = &take();
    if (is(*o, op::colon)) {
      skip_annotation();
      if (!at(op::eq)) return;
      o = &take();
    }
    expr_ptr value = assigned_value(*o, make_name(target.where, std::string(target.text)));
    body.push_back(make_assign(target.where, std::string(target.text), target.where, std::move(value)));
  }

  // -- expressions ----------------------------------------------------------

  // `a if c else b` binds loosest; c is an or-test, b may be another conditional.
  expr_ptr parse_top() override {
    loc start = peek().where;
    expr_ptr body = parse_or_test();
    if (!is_kw(peek(), "if")) return body;
    take();
    expr_ptr cond = parse_or_test();
    if (!accept_kw("else")) fail(peek(), "expected 'else' in the conditional expression");
    return make_conditional(start, std::move(cond), std::move(body), parse_expression());
  }

  expr_ptr parse_or_test() {
    expr_ptr e = parse_binary(0);
    if (is_kw(peek(), "not") && is_kw(peek(1), "in")) throw error(peek().where, "'in' is not supported");
    return e;
  }

  expr_ptr parse_primary() override {
    token const& t = peek();
    expr_ptr e = parse_atom("containers are not supported");
    if (!e && (is(t, op::star) || is(t, op::star_star))) throw error(t.where, "starred expressions are not supported");
    if (!e) unexpected(t);
    // A method of a computed value, (a + b).exp(), is the torch function of that name.
    while (at(op::dot) && is_plain_name(peek(1)) && is(peek(2), op::lparen)) {
      take();
      token const& method = take();
      e = call_if_open(make_call(method.where, "torch." + std::string(method.text), std::move(e)));
    }
    if (at(op::dot)) throw error(peek().where, "attribute access is only supported on names");
    refuse_postfix("subscripts are not supported");
    return e;
  }

  // A dotted name, and a call if '(' follows. Aliases are resolved later, once the
  // whole module (and every import in it) has been seen.
  expr_ptr parse_name() override {
    token const& first = take();
    if (first.text == "float" && at(op::lparen) && peek(1).kind == tok::string && is(peek(2), op::rparen))
      return infinity();
    auto e = make_name(first.where, std::string(first.text));
    while (accept(op::dot)) {
      token const& part = peek();
      if (!is_plain_name(part)) {
        if (auto m = refusal(part); m && part.kind != tok::name) throw error(part.where, *m);
        throw error(part.where, "expected a name after '.'");
      }
      e->name += '.';
      e->name += take().text;
    }
    return call_if_open(std::move(e));
  }

  // float('inf') and float('-inf'): the only strings translated.
  expr_ptr infinity() {
    take();
    token const& s = take();
    take();
    std::string text;
    for (char c : s.text.substr(1, s.text.size() - 2)) text += static_cast<char>(c | 0x20);
    if (!one_of(text, {"inf", "+inf", "-inf", "infinity", "-infinity"}))
      throw error(s.where, "strings are not supported (float() of a string: only 'inf' and '-inf')");
    expr_ptr inf = make_name(s.where, "math.inf");
    return text.front() == '-' ? make_unary(expr_kind::unary, '-', s.where, std::move(inf)) : std::move(inf);
  }

  // -- alias resolution -----------------------------------------------------

  // Runs on the finished module: like Python, a call resolves its names when it
  // runs, after every top-level import and def; parameters and locals shadow. A
  // method of a local (x.exp()) is the torch function of that name.
  void resolve(function& f) {
    std::vector<std::string> bound = bound_names(f);
    std::unordered_set<std::string> locals(bound.begin(), bound.end());
    for (param& p : f.params)
      if (p.default_value) resolve(*p.default_value, {});
    for_each_expr(f.body, [&](expr& e) { resolve(e, locals); });
  }

  void resolve(expr& root, std::unordered_set<std::string> const& locals) {
    for_each_node(root, [&](expr& e) {
      if (e.kind != expr_kind::name && e.kind != expr_kind::call) return;
      std::string head = e.name.substr(0, e.name.find('.'));
      if (locals.contains(head) && head.size() < e.name.size()) {
        std::string member = e.name.substr(head.size() + 1);
        if (e.kind == expr_kind::name || member.find('.') != std::string::npos)
          throw error(e.where, "'" + head + "' is a value; only tensor methods such as " + head + ".exp() apply to it");
        e.name = "torch." + member;
        e.args.insert(e.args.begin(), make_name(e.where, head));
        e.kwnames.insert(e.kwnames.begin(), "");
      } else if (auto it = aliases_.find(head); it != aliases_.end() && !locals.contains(head)) {
        e.name = it->second + e.name.substr(head.size());
      }
    });
  }

  int block_depth_ = 0;
  std::unordered_map<std::string, std::string> aliases_;
};

}  // namespace

module parse_python(std::string_view source) { return parser(source).parse_module(); }

}  // namespace kst
