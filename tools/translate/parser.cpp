#include "parser.hpp"

#include <algorithm>
#include <bit>

#include "scanner.hpp"

namespace kst {

expr_ptr make_expr(expr_kind kind, loc where) {
  auto e = std::make_unique<expr>();
  e->kind = kind;
  e->where = where;
  return e;
}

expr_ptr make_name(loc where, std::string name) {
  auto e = make_expr(expr_kind::name, where);
  e->name = std::move(name);
  return e;
}

expr_ptr make_number(token const& t) {
  auto e = make_expr(expr_kind::number, t.where);
  e->text = std::string(t.text);
  e->is_integer = t.is_integer;
  e->is_float32 = t.is_float32;
  e->int_value = t.int_value;
  e->float_value = t.float_value;
  return e;
}

expr_ptr make_boolean(token const& t, bool value) {
  auto e = make_expr(expr_kind::boolean, t.where);
  e->text = std::string(t.text);
  e->int_value = value ? 1 : 0;
  return e;
}

expr_ptr make_binary(binary_op op, loc where, expr_ptr lhs, expr_ptr rhs, int_division d) {
  auto e = make_expr(expr_kind::binary, where);
  e->bop = op;
  e->int_div = d;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

expr_ptr make_unary(expr_kind kind, char op_char, loc where, expr_ptr operand) {
  auto e = make_expr(kind, where);
  e->op_char = op_char;
  e->args.push_back(std::move(operand));
  return e;
}

expr_ptr make_call(loc where, std::string name, std::vector<expr_ptr> args) {
  auto e = make_expr(expr_kind::call, where);
  e->name = std::move(name);
  e->args = std::move(args);
  e->kwnames.assign(e->args.size(), "");
  return e;
}

expr_ptr make_call(loc where, std::string name, expr_ptr arg) {
  std::vector<expr_ptr> args;
  args.push_back(std::move(arg));
  return make_call(where, std::move(name), std::move(args));
}

namespace {
stmt make_stmt(stmt_kind kind, loc where, expr_ptr value, expr_ptr cond) {
  stmt s;
  s.kind = kind;
  s.where = where;
  s.value = std::move(value);
  s.cond = std::move(cond);
  return s;
}
}  // namespace

stmt make_return(loc where, expr_ptr value) { return make_stmt(stmt_kind::return_, where, std::move(value), nullptr); }

stmt make_assign(loc where, std::string target, loc target_where, expr_ptr value) {
  stmt s = make_stmt(stmt_kind::assign, where, std::move(value), nullptr);
  s.target = std::move(target);
  s.target_where = target_where;
  return s;
}

stmt make_if(loc where, expr_ptr cond) { return make_stmt(stmt_kind::if_, where, nullptr, std::move(cond)); }

expr_ptr make_conditional(loc where, expr_ptr cond, expr_ptr then, expr_ptr otherwise) {
  auto e = make_expr(expr_kind::if_exp, where);
  e->args.push_back(std::move(cond));
  e->args.push_back(std::move(then));
  e->args.push_back(std::move(otherwise));
  return e;
}

param& add_param(function& f, token const& p, std::string ast) {
  for (param const& q : f.params)
    if (q.name == ast) throw error(p.where, "duplicate parameter '" + std::string(p.text) + "'");
  return f.params.emplace_back(param{std::move(ast), p.where, nullptr, {}});
}

// --- scopes --------------------------------------------------------------------

void scopes::reset(std::unordered_set<std::string> const* all_names) {
  stack_.assign(1, {});
  used_.clear();
  closed_.clear();
  all_ = all_names;
}

void scopes::close() {
  for (auto const& [name, ast] : stack_.back()) closed_.insert(name);
  stack_.pop_back();
}

std::string scopes::reserve(std::string const& name) {
  std::string ast = name;
  if (stack_.size() > 1 && used_.contains(name)) {
    for (int k = 2;; ++k) {
      ast = name + "_" + std::to_string(k);
      if (!used_.contains(ast) && !(all_ && all_->contains(ast))) break;
    }
  }
  used_.insert(ast);
  return ast;
}

void scopes::bind_as(std::string const& name, std::string const& ast) { stack_.back().emplace_back(name, ast); }

std::string scopes::bind(std::string const& name) {
  std::string ast = reserve(name);
  bind_as(name, ast);
  return ast;
}

std::optional<std::string> scopes::lookup(std::string const& name) const {
  for (auto s = stack_.rbegin(); s != stack_.rend(); ++s)
    for (auto it = s->rbegin(); it != s->rend(); ++it)
      if (it->first == name) return it->second;
  return std::nullopt;
}

bool scopes::closed(std::string const& name) const { return closed_.contains(name); }

// --- tokens --------------------------------------------------------------------

parser_base::parser_base(std::vector<token> tokens, grammar const& g) : toks_(std::move(tokens)), g_(g) {
  for (token const& t : toks_)
    if (t.kind == tok::name) names_in_file_.emplace(t.text);
}

token const& parser_base::peek(std::size_t k) const {
  token const& t = toks_[std::min(pos_ + k, toks_.size() - 1)];
  if (t.kind == tok::error) throw error(t.where, t.message);
  return t;
}

token const& parser_base::take() {
  token const& t = peek();
  if (t.kind == tok::end) return t;
  ++pos_;
  // A trailing ';' is not part of a body as far as "where the body ends" goes.
  bool visible = t.kind == tok::name || t.kind == tok::number || t.kind == tok::string || t.kind == tok::op;
  if (visible && t.o != op::semicolon) last_end_ = t.end;
  if (t.o == op::lparen) ++paren_;
  if (t.o == op::rparen && paren_ > 0) --paren_;
  return t;
}

bool parser_base::is_keyword(std::string_view s) const {
  return std::find(g_.keywords.begin(), g_.keywords.end(), s) != g_.keywords.end();
}

std::string_view parser_base::spelling(op o) const {
  for (op_spelling const& s : g_.spellings)
    if (s.o == o) return s.text;
  return "?";
}

std::optional<binary_op> parser_base::augmented(token const& t) const {
  for (augmented_op const& a : g_.augmented)
    if ((a.languages & g_.language) && is(t, a.o)) return a.bop;
  return std::nullopt;
}

void parser_base::skip_newlines() {
  while (peek().kind == tok::newline) take();
}

void parser_base::skip_balanced(char const* mismatch) {
  std::vector<op> closers;  // op::none: the DEDENT that closes an INDENT
  auto closer = [](token const& t) {
    if (t.kind == tok::indent) return op::none;
    return is(t, op::lparen) ? op::rparen : is(t, op::lbracket) ? op::rbracket : op::rbrace;
  };
  do {
    token const& t = take();
    bool opens = is(t, op::lparen) || is(t, op::lbracket) || is(t, op::lbrace) || t.kind == tok::indent;
    bool closes = is(t, op::rparen) || is(t, op::rbracket) || is(t, op::rbrace) || t.kind == tok::dedent;
    if (opens && closers.size() == max_nesting) throw error(t.where, nested_expression);
    if (opens) closers.push_back(closer(t));
    else if (t.kind == tok::end) throw error(t.where, "unexpected end of file");
    else if (closes && t.o != closers.back()) throw error(t.where, mismatch);
    else if (closes) closers.pop_back();
  } while (!closers.empty());
}

// --- errors --------------------------------------------------------------------

std::optional<std::string> parser_base::refusal(token const& t) const {
  for (refusal_rule const& r : g_.refusals) {
    std::string_view column = r.words[static_cast<std::size_t>(std::countr_zero(g_.language))];
    if (column.empty() || r.kind != t.kind) continue;
    std::string words = " " + std::string(column) + " ";
    if (column != "*" && words.find(" " + std::string(t.text) + " ") == std::string::npos) continue;
    std::string message(r.message);
    if (auto braces = message.find("{}"); braces != std::string::npos) message.replace(braces, 2, t.text);
    return message;
  }
  return std::nullopt;
}

void parser_base::unexpected(token const& t) const {
  if (auto m = refusal(t)) throw error(t.where, *m);
  switch (t.kind) {
    case tok::end: throw error(t.where, "unexpected end of file");
    case tok::newline: throw error(t.where, "unexpected end of line");
    case tok::dedent: throw error(t.where, "unexpected dedent");
    case tok::number: throw error(t.where, "unexpected number " + quoted(t));
    default: throw error(t.where, "unexpected " + quoted(t));
  }
}

void parser_base::without_if(token const& t) {
  throw error(t.where, "'" + std::string(t.text) + "' without a matching 'if'");
}

void parser_base::fail(token const& t, std::string const& message) const {
  if (auto m = refusal(t)) throw error(t.where, *m);
  throw error(t.where, message);
}

token const& parser_base::expect(op o) {
  token const& t = peek();
  if (is(t, o) && (o == op::rparen || !at_stop())) return take();
  std::string want = "'" + std::string(spelling(o)) + "'";
  if (t.kind == tok::end && !refusal(t)) throw error(t.where, "unexpected end of file; expected " + want);
  fail(t, "expected " + want);
}

token const& parser_base::expect_name(char const* what) {
  token const& t = peek();
  if (is_plain_name(t) && !at_stop()) return take();
  fail(t, std::string("expected ") + what);
}

std::string parser_base::dotted_name(char const* what) {
  std::string name(expect_name(what).text);
  while (accept(op::dot)) name += "." + std::string(expect_name("a name after '.'").text);
  return name;
}

// --- definitions and statements ------------------------------------------------

function parser_base::named_function() {
  function f;
  token const& name = expect_name("a function name");
  f.name = std::string(name.text);
  f.where = name.where;
  return f;
}

stmt parser_base::parse_return(std::string_view closer) {
  loc where = take().where;
  token const& t = peek();
  if (ends_statement(t) || (!closer.empty() && is_kw(t, closer))) throw error(where, "return needs a value");
  return make_return(where, parse_expression());
}

// --- expressions ---------------------------------------------------------------

binary_rule const* parser_base::binary_for(token const& t) const {
  for (binary_rule const& r : g_.binary) {
    if (r.keyword.empty() ? is(t, r.o) : is_kw(t, r.keyword)) return &r;
  }
  return nullptr;
}

prefix_rule const* parser_base::prefix_for(token const& t) const {
  for (prefix_rule const& r : g_.prefix) {
    if (r.keyword.empty() ? is(t, r.o) : is_kw(t, r.keyword)) return &r;
  }
  return nullptr;
}

expr_ptr parser_base::parse_literal() {
  token const& t = peek();
  if (t.kind == tok::number) return make_number(take());
  if (!is_kw(t, g_.true_word) && !is_kw(t, g_.false_word)) return nullptr;
  take();
  return make_boolean(t, t.text == g_.true_word);
}

expr_ptr parser_base::parse_expression() {
  nesting guard(depth_, peek().where, nested_expression);
  return parse_top();
}

// Precedence climbing. A left-associative chain (a + b + c + ...) is built by the
// loop, not by recursion, so only real nesting counts against max_nesting.
expr_ptr parser_base::parse_binary(int min_power) {
  expr_ptr lhs = parse_operand(min_power);
  expr* chain = nullptr;  // the comparison this loop is extending: 0 < x <= 1
  for (;;) {
    if (at_stop()) return lhs;
    token const& t = peek();
    binary_rule const* r = binary_for(t);
    if (!r || r->left < min_power || stops_before(t)) return lhs;
    token const& o = take();
    nesting guard(depth_, o.where, nested_expression);
    if (g_.newlines_after_operator) skip_newlines();
    switch (r->kind) {
      case rule_kind::pipe:
        lhs = parse_pipe_target(std::move(lhs), o);
        chain = nullptr;
        continue;
      case rule_kind::compare:
        if (chain && chain == lhs.get()) {
          if (!g_.unchained.empty()) throw error(o.where, std::string(g_.unchained));
          chain->cmp.push_back(r->cmp);
          chain->args.push_back(parse_binary(r->right));
          continue;
        }
        lhs = make_binary(binary_op{}, o.where, std::move(lhs), parse_binary(r->right), g_.int_div);
        lhs->kind = expr_kind::compare;
        lhs->cmp.push_back(r->cmp);
        chain = lhs.get();
        continue;
      case rule_kind::and_:
      case rule_kind::or_:
        lhs = make_binary(binary_op{}, o.where, std::move(lhs), parse_binary(r->right), g_.int_div);
        lhs->kind = r->kind == rule_kind::and_ ? expr_kind::and_ : expr_kind::or_;
        break;
      case rule_kind::arith:
        lhs = make_binary(r->bop, o.where, std::move(lhs), parse_binary(r->right), g_.int_div);
        break;
    }
    chain = nullptr;
  }
}

expr_ptr parser_base::parse_operand(int min_power) {
  token const& t = peek();
  prefix_rule const* p = at_stop() ? nullptr : prefix_for(t);
  if (!p) return parse_primary();
  if (p->power < min_power) unexpected(t);
  nesting guard(depth_, t.where, nested_expression);
  take();
  expr_ptr operand = parse_binary(p->power);
  switch (p->builds) {
    case prefix_kind::negate: return make_unary(expr_kind::unary, '-', t.where, std::move(operand));
    case prefix_kind::plus: return make_unary(expr_kind::unary, '+', t.where, std::move(operand));
    case prefix_kind::not_: return make_unary(expr_kind::not_, 0, t.where, std::move(operand));
    case prefix_kind::sqrt: break;
  }
  return make_call(t.where, "sqrt", std::move(operand));
}

expr_ptr parser_base::parse_pipe_target(expr_ptr, token const& pipe) { unexpected(pipe); }

void parser_base::parse_arguments(expr& call) {
  bool keywords = false;
  while (!at(op::rparen)) {
    token const& t = peek();
    if (is(t, op::star) || is(t, op::star_star)) throw error(t.where, "starred arguments are not supported");
    if (g_.semicolon_keywords && is(t, op::semicolon)) {
      take();
      keywords = true;
      continue;
    }
    if (is_plain_name(t) && is(peek(1), op::eq)) {
      token const& key = take();
      take();
      if (std::find(call.kwnames.begin(), call.kwnames.end(), key.text) != call.kwnames.end())
        throw error(key.where, "duplicate keyword argument '" + std::string(key.text) + "'");
      call.kwnames.emplace_back(key.text);
      keywords = true;
    } else {
      if (keywords) throw error(t.where, "positional argument follows keyword argument");
      call.kwnames.emplace_back();
    }
    call.args.push_back(parse_expression());
    token const& after = peek();
    if (is_kw(after, "for")) throw error(after.where, "comprehensions are not supported");
    if (is(after, op::ellipsis)) unexpected(after);
    if (g_.semicolon_keywords && is(after, op::semicolon)) continue;
    if (!is(after, op::comma)) break;
    take();
  }
  expect(op::rparen);
}

expr_ptr parser_base::call_if_open(expr_ptr e) {
  if (!at(op::lparen)) return e;
  e->kind = expr_kind::call;
  take();
  parse_arguments(*e);
  return e;
}

expr_ptr parser_base::assigned_value(token const& o, expr_ptr target) {
  if (g_.newlines_after_operator) skip_newlines();
  expr_ptr value = parse_expression();
  if (auto bop = augmented(o)) return make_binary(*bop, o.where, std::move(target), std::move(value), g_.int_div);
  return value;
}

expr_ptr parser_base::parse_atom(char const* parens) {
  if (expr_ptr e = parse_literal()) return e;
  if (is_plain_name(peek())) return parse_name();
  return at(op::lparen) ? parse_parenthesized(parens) : nullptr;
}

expr_ptr parser_base::parse_parenthesized(char const* refused) {
  token const& open = take();
  if (at(op::rparen)) throw error(open.where, refused);
  expr_ptr e = parse_expression();
  token const& close = peek();
  if (is(close, op::comma)) throw error(close.where, refused);
  if (is_kw(close, "for")) throw error(close.where, "comprehensions are not supported");
  if (is(close, op::semicolon)) throw error(close.where, "blocks in parentheses are not supported");
  if (is(close, op::eq)) throw error(close.where, "assignments inside expressions are not supported");
  expect(op::rparen);
  return e;
}

void parser_base::refuse_postfix(char const* indexing) const {
  token const& after = peek();
  if (is(after, op::lbracket)) throw error(after.where, indexing);
  if (is(after, op::lparen)) throw error(after.where, "only named functions can be called");
}

}  // namespace kst
