// F# front end: a lexer (nested (* *) comments, typed numeric suffixes) and a
// recursive-descent parser with a light offside rule for the scalar subset of
// SPEC §4. A block is the lines indented deeper than the construct opening it; its
// last expression is its value, made explicit here as return_ or assign.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "frontends.hpp"
#include "lex_util.hpp"

namespace kst {
namespace {

using namespace lex;

enum class tok { name, number, string, op, end, error };

struct token {
  tok kind = tok::end;
  std::string_view text;
  loc where;
  loc end;
  bool first_on_line = false;
  bool space_before = false;
  bool is_integer = false;
  bool is_float32 = false;
  long long int_value = 0;
  double float_value = 0;
  std::string message;  // tok::error
};

constexpr std::string_view operators[] = {
    "&&&", "|||", "^^^", "~~~", ">>>", "<<<", "**", "<=", ">=", "<>", "&&", "||", "|>", "<|", ">>", "<<", "->",
    "<-",  ":=",  "::",  "..",  ":>",  ":?",  "[<", ">]", "[|", "|]", "+",  "-",  "*",  "/",  "%",  "=",  "<",
    ">",   "(",   ")",   "[",   "]",   "{",   "}",  ",",  ";",  ":",  ".",  "|",  "&",  "!",  "^",  "@",  "?",
    "#",   "'",   "~",   "$"};

// Lexes the whole input up front; a lexical error becomes a final error token so
// the parser still reports problems in source order.
class lexer {
 public:
  explicit lexer(std::string_view source) : src_(source) {
    if (src_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;
  }

  std::vector<token> run() {
    std::vector<token> out;
    try {
      for (;;) {
        token t = next();
        bool done = t.kind == tok::end;
        out.push_back(std::move(t));
        if (done) break;
      }
    } catch (error const& e) {
      token t;
      t.kind = tok::error;
      t.where = t.end = e.where;
      t.message = e.what();
      out.push_back(std::move(t));
    }
    return out;
  }

 private:
  loc here() const { return {line_, static_cast<int>(pos_ - line_start_) + 1}; }

  std::size_t newline_length(std::size_t p) const {
    if (p >= src_.size()) return 0;
    if (src_[p] == '\n') return 1;
    if (src_[p] == '\r') return p + 1 < src_.size() && src_[p + 1] == '\n' ? 2 : 1;
    return 0;
  }

  void consume_newline(std::size_t n) {
    pos_ += n;
    ++line_;
    line_start_ = pos_;
    first_ = true;
  }

  void skip_block_comment() {
    loc start = here();
    pos_ += 2;
    long depth = 1;
    while (depth > 0) {
      if (pos_ >= src_.size()) throw error(start, "unterminated comment; close it with *)");
      if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
      } else if (src_.compare(pos_, 2, "(*") == 0) {
        pos_ += 2;
        ++depth;
      } else if (src_.compare(pos_, 2, "*)") == 0) {
        pos_ += 2;
        --depth;
      } else {
        ++pos_;
      }
    }
  }

  token next() {
    bool space = first_;
    for (;;) {
      if (pos_ >= src_.size()) {
        token t;
        t.kind = tok::end;
        t.where = t.end = here();
        t.first_on_line = true;
        return t;
      }
      char c = src_[pos_];
      if (c == ' ') {
        ++pos_;
        space = true;
      } else if (c == '\t') {
        throw error(here(), "tabs are not allowed in F# code; indent with spaces");
      } else if (src_.compare(pos_, 2, "(*") == 0 && src_.compare(pos_, 3, "(*)") != 0) {
        skip_block_comment();
        space = true;
      } else if (src_.compare(pos_, 2, "//") == 0) {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      } else if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
        space = true;
      } else {
        bool first = first_;
        first_ = false;
        token t = scan();
        t.first_on_line = first;
        t.space_before = space;
        return t;
      }
    }
  }

  token finish(tok kind, std::size_t start, loc where) {
    token t;
    t.kind = kind;
    t.text = src_.substr(start, pos_ - start);
    t.where = where;
    t.end = here();
    return t;
  }

  token scan() {
    char c = src_[pos_];
    loc w = here();
    std::size_t start = pos_;
    if (is_alpha(c)) {
      while (pos_ < src_.size() && (is_alnum(src_[pos_]) || src_[pos_] == '\'')) ++pos_;
      if (pos_ < src_.size() && is_non_ascii(src_[pos_])) throw error(here(), "non-ascii names are not supported");
      token t = finish(tok::name, start, w);
      if (t.text.find('\'') != std::string_view::npos) throw error(w, "names containing ' are not supported");
      return t;
    }
    if (c == '`' && src_.compare(pos_, 2, "``") == 0) throw error(w, "``quoted names`` are not supported");
    if (is_digit(c)) return number();
    if (c == '.' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))
      throw error(w, "a float literal needs a digit before '.'; write 0.5");
    if (c == '"' || (c == '@' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"') ||
        (c == '$' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"'))
      return string();
    if (c == '\'' && pos_ + 2 < src_.size() && (src_[pos_ + 1] == '\\' || src_[pos_ + 2] == '\'')) {
      ++pos_;
      while (pos_ < src_.size() && src_[pos_] != '\'' && !newline_length(pos_)) pos_ += src_[pos_] == '\\' ? 2 : 1;
      if (pos_ >= src_.size() || src_[pos_] != '\'') throw error(w, "unterminated character literal");
      ++pos_;
      return finish(tok::string, start, w);
    }
    if (is_non_ascii(c)) throw error(w, "non-ascii characters are only allowed in comments and strings");
    std::string_view rest = src_.substr(pos_);
    for (std::string_view op : operators) {
      if (!rest.starts_with(op)) continue;
      pos_ += op.size();
      return finish(tok::op, start, w);
    }
    throw error(w, "invalid character '" + show_byte(c) + "'");
  }

  token string() {
    loc w = here();
    std::size_t start = pos_;
    bool verbatim = src_[pos_] == '@';
    if (src_[pos_] == '@' || src_[pos_] == '$') ++pos_;
    bool triple = src_.compare(pos_, 3, "\"\"\"") == 0;
    pos_ += triple ? 3 : 1;
    for (;;) {
      if (pos_ >= src_.size()) throw error(w, triple ? "unterminated triple-quoted string" : "unterminated string");
      char c = src_[pos_];
      if (c == '\\' && !verbatim && !triple) {
        ++pos_;
        if (std::size_t n = newline_length(pos_)) {
          consume_newline(n);
          first_ = false;
        } else if (pos_ < src_.size()) {
          ++pos_;
        }
      } else if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
        first_ = false;
      } else if (c == '"' && verbatim && !triple && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"') {
        pos_ += 2;
      } else if (c == '"' && (!triple || src_.compare(pos_, 3, "\"\"\"") == 0)) {
        pos_ += triple ? 3 : 1;
        return finish(tok::string, start, w);
      } else {
        ++pos_;
      }
    }
  }

  token number() {
    loc w = here();
    std::size_t start = pos_;
    auto invalid = [&] { throw error(w, "invalid number literal"); };
    int base = 10;
    if (src_[pos_] == '0' && pos_ + 1 < src_.size()) {
      char p = static_cast<char>(src_[pos_ + 1] | 0x20);
      base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
    }
    bool is_float = false;
    std::size_t digits_start = pos_;
    if (base != 10) {
      pos_ += 2;
      digits_start = pos_;
      if (!scan_digits(src_, pos_, base)) invalid();
    } else {
      scan_digits(src_, pos_, 10);
      // 1. is a float, 1..2 is a range
      if (pos_ < src_.size() && src_[pos_] == '.' && !(pos_ + 1 < src_.size() && src_[pos_ + 1] == '.')) {
        ++pos_;
        is_float = true;
        if (pos_ < src_.size() && src_[pos_] == '_') invalid();
        scan_digits(src_, pos_, 10);
      }
      if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
        ++pos_;
        is_float = true;
        if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
        if (!scan_digits(src_, pos_, 10)) invalid();
      }
    }
    std::size_t digits_end = pos_;
    while (pos_ < src_.size() && is_alnum(src_[pos_])) ++pos_;
    std::string_view suffix = src_.substr(digits_end, pos_ - digits_end);
    if (pos_ < src_.size() && (is_non_ascii(src_[pos_]) || src_[pos_] == '\'')) invalid();
    token t = finish(tok::number, start, w);
    std::string plain = without_underscores(src_.substr(digits_start, digits_end - digits_start));

    if (suffix == "m" || suffix == "M") throw error(w, "decimal literals are not supported; use a float such as 1.0");
    if (suffix == "LF" || suffix == "lf") throw error(w, "hexadecimal float literals are not supported");
    if (suffix == "I" || suffix == "Q" || suffix == "R" || suffix == "Z" || suffix == "N" || suffix == "G")
      throw error(w, "big integer literals are not supported");
    if (suffix == "u" || suffix == "uy" || suffix == "us" || suffix == "ul" || suffix == "UL" || suffix == "un" ||
        suffix == "uL" || suffix == "Ul")
      throw error(w, "unsigned integers are not supported; use a signed integer or a float");
    bool float_suffix = suffix == "f" || suffix == "F";
    if (is_float || float_suffix) {
      if (base != 10) invalid();
      if (!suffix.empty() && !float_suffix) invalid();
      t.float_value = float_value(plain, w);
      t.is_float32 = float_suffix;
      return t;
    }
    long long limit = 0;
    char const* type = "";
    if (suffix.empty() || suffix == "l") limit = 2147483647, type = "int";
    else if (suffix == "L" || suffix == "n") limit = 9223372036854775807LL, type = "int64";
    else if (suffix == "y") limit = 127, type = "sbyte";
    else if (suffix == "s") limit = 32767, type = "int16";
    else invalid();
    t.is_integer = true;
    t.int_value = integer_value(plain, base, w);
    if (t.int_value > limit)
      throw error(w, std::string("integer literal is too large for ") + type + (limit < 9223372036854775807LL ? "; add L for int64" : ""));
    return t;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  bool first_ = true;
};

// ---------------------------------------------------------------------------
// Parser

constexpr std::string_view keywords[] = {
    "abstract", "and",    "as",       "assert",   "base",     "begin",    "class",  "default", "delegate",
    "do",       "done",   "downcast", "downto",   "elif",     "else",     "end",    "exception", "extern",
    "false",    "finally", "fixed",   "for",      "fun",      "function", "global", "if",      "in",
    "inherit",  "inline", "interface", "internal", "lazy",    "let",      "match",  "member",  "module",
    "mutable",  "namespace", "new",   "null",     "of",       "open",     "or",     "override", "private",
    "public",   "rec",    "return",   "select",   "sig",      "static",   "struct", "then",    "to",
    "true",     "try",    "type",     "upcast",   "use",      "val",      "void",   "when",    "while",
    "with",     "yield"};

bool is_keyword(std::string_view s) {
  return std::find(std::begin(keywords), std::end(keywords), s) != std::end(keywords);
}

constexpr char nested_block[] = "blocks nested too deeply";

expr_ptr make_expr(expr_kind kind, loc where) {
  auto e = std::make_unique<expr>();
  e->kind = kind;
  e->where = where;
  return e;
}

expr_ptr make_binary(binary_op op, loc where, expr_ptr lhs, expr_ptr rhs) {
  auto e = make_expr(expr_kind::binary, where);
  e->bop = op;
  e->int_div = int_division::truncating;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

// The value of a block or branch before it is lowered to statements: a plain
// expression, or an if whose branches carry their own local bindings.
struct block;
struct value {
  expr_ptr e;
  loc where;
  expr_ptr cond;
  std::unique_ptr<block> then_b, else_b;
};
struct block {
  std::vector<stmt> stmts;
  value result;
};

// Where a block's value goes: returned, or bound to a local.
struct sink {
  std::string target;  // empty: return
  loc target_where;
  loc let_where;
};

void lower(value&& v, sink const& to, std::vector<stmt>& out);

void lower(block&& b, sink const& to, std::vector<stmt>& out) {
  for (stmt& s : b.stmts) out.push_back(std::move(s));
  lower(std::move(b.result), to, out);
}

void lower(value&& v, sink const& to, std::vector<stmt>& out) {
  stmt s;
  if (v.e) {
    s.kind = to.target.empty() ? stmt_kind::return_ : stmt_kind::assign;
    s.where = to.target.empty() ? v.e->where : to.let_where;
    s.target = to.target;
    s.target_where = to.target_where;
    s.value = std::move(v.e);
  } else {
    s.kind = stmt_kind::if_;
    s.where = v.where;
    s.cond = std::move(v.cond);
    sink inner = to;
    lower(std::move(*v.then_b), inner, s.then_body);
    lower(std::move(*v.else_b), inner, s.else_body);
  }
  out.push_back(std::move(s));
}

class parser {
 public:
  explicit parser(std::string_view source) : toks_(lexer(source).run()) {
    for (token const& t : toks_)
      if (t.kind == tok::name) all_names_.insert(std::string(t.text));
  }

  module parse_module() {
    module m;
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::end) break;
      if (!t.first_on_line) unexpected(t);
      if (is_kw(t, "open") || is_kw(t, "namespace") || is_op(t, "#")) {
        skip_line();
      } else if (is_kw(t, "module")) {
        skip_line_checking_module();
      } else if (is_op(t, "[<")) {
        skip_attribute();
      } else if (is_kw(t, "let")) {
        m.functions.push_back(parse_function());
      } else if (is_kw(t, "type")) {
        throw error(t.where, "type definitions are not supported");
      } else {
        if (auto msg = refusal(t)) throw error(t.where, *msg);
        throw error(t.where, "only functions (let), open, module and namespace are allowed at the top level");
      }
    }
    return m;
  }

 private:
  struct context {
    int col;    // a line starting at or left of this column ends the construct
    int paren;  // layout applies only outside parentheses opened inside it
  };

  // -- tokens ---------------------------------------------------------------

  token const& peek(std::size_t k = 0) const {
    token const& t = toks_[std::min(pos_ + k, toks_.size() - 1)];
    if (t.kind == tok::error) throw error(t.where, t.message);
    return t;
  }

  token const& take() {
    token const& t = peek();
    if (t.kind != tok::end) {
      ++pos_;
      last_end_ = t.end;
      if (is_op(t, "(")) ++paren_;
      if (is_op(t, ")") && paren_ > 0) --paren_;
    }
    return t;
  }

  static bool is_op(token const& t, std::string_view op) { return t.kind == tok::op && t.text == op; }
  static bool is_kw(token const& t, std::string_view kw) { return t.kind == tok::name && t.text == kw; }
  static bool is_plain_name(token const& t) { return t.kind == tok::name && !is_keyword(t.text); }

  // The offside rule: does the next token lie outside the innermost construct?
  bool at_stop() const {
    token const& t = peek();
    if (t.kind == tok::end) return true;
    if (pos_ == item_start_) return false;  // the token that opens the current line of a block
    if (!t.first_on_line || ctx_.empty() || paren_ != ctx_.back().paren) return false;
    return t.where.col <= ctx_.back().col;
  }

  struct context_scope {
    parser& p;
    context_scope(parser& owner, int col) : p(owner) { p.ctx_.push_back({col, p.paren_}); }
    ~context_scope() { p.ctx_.pop_back(); }
    context_scope(context_scope const&) = delete;
    context_scope& operator=(context_scope const&) = delete;
  };

  static std::string quoted(token const& t) {
    std::string_view text = t.text.substr(0, 30);
    std::string s = "'";
    for (char c : text) s += show_byte(c);
    if (t.text.size() > text.size()) s += "...";
    return s + "'";
  }

  static std::optional<std::string> refusal(token const& t) {
    if (t.kind == tok::string) return "strings are not supported";
    if (t.kind == tok::op) {
      std::string_view s = t.text;
      if (s == "[" || s == "[|" || s == "::") return "containers are not supported";
      if (s == "{") return "records are not supported";
      if (s == "<-" || s == ":=") return "mutation is not supported; bind a new name with let";
      if (s == "!") return "reference cells are not supported";
      if (s == "&&&" || s == "|||" || s == "^^^" || s == "~~~" || s == "<<<" || s == ">>>")
        return "bitwise operators are not supported";
      if (s == ">>" || s == "<<") return "function composition is not supported; call the functions";
      if (s == "<|") return "'<|' is not supported; use parentheses or |>";
      if (s == "^") return "'^' joins strings in F#; use ** for powers";
      if (s == "->") return "anonymous functions are not supported; define a function with let";
      if (s == "..") return "ranges are not supported";
      if (s == ":>" || s == ":?") return "type casts and tests are not supported";
      if (s == "@") return "list concatenation is not supported";
      return std::nullopt;
    }
    if (t.kind == tok::name) {
      std::string_view s = t.text;
      if (s == "for" || s == "while" || s == "do" || s == "done" || s == "to" || s == "downto") return "loops are not supported";
      if (s == "match" || s == "function" || s == "when" || s == "with") return "pattern matching is not supported; use if/elif/else";
      if (s == "fun") return "anonymous functions are not supported; define a function with let";
      if (s == "mutable") return "mutable variables are not supported";
      if (s == "rec" || s == "and") return "recursion is not supported";
      if (s == "try" || s == "finally" || s == "exception") return "exceptions are not supported";
      if (s == "type" || s == "member" || s == "new" || s == "class" || s == "struct" || s == "interface")
        return "type definitions are not supported";
      if (s == "yield" || s == "seq") return "sequences are not supported";
      if (s == "return") return "F# has no return; the last expression of a block is its value";
      if (s == "null") return "null is not supported";
      if (s == "lazy" || s == "assert" || s == "use" || s == "begin" || s == "end" || s == "upcast" || s == "downcast")
        return "'" + std::string(s) + "' is not supported";
    }
    return std::nullopt;
  }

  [[noreturn]] void unexpected(token const& t) {
    if (auto m = refusal(t)) throw error(t.where, *m);
    switch (t.kind) {
      case tok::end: throw error(t.where, "unexpected end of file");
      case tok::number: throw error(t.where, "unexpected number " + quoted(t));
      default: throw error(t.where, "unexpected " + quoted(t));
    }
  }

  void expect_op(std::string_view op) {
    token const& t = peek();
    if (is_op(t, op) && (op == ")" || !at_stop())) {
      take();
      return;
    }
    if (auto m = refusal(t)) throw error(t.where, *m);
    if (t.kind == tok::end) throw error(t.where, "unexpected end of file; expected '" + std::string(op) + "'");
    throw error(t.where, "expected '" + std::string(op) + "'");
  }

  token const& expect_name(char const* what) {
    token const& t = peek();
    if (is_plain_name(t)) return take();
    if (auto m = refusal(t)) throw error(t.where, *m);
    throw error(t.where, std::string("expected ") + what);
  }

  // -- top level ------------------------------------------------------------

  void skip_line() {
    take();
    while (!peek().first_on_line) take();
  }

  void skip_line_checking_module() {
    take();
    while (!peek().first_on_line) {
      if (is_op(peek(), "=")) throw error(peek().where, "nested modules are not supported; write 'module Name' at the top");
      take();
    }
  }

  void skip_attribute() {
    token const& open = take();
    while (!is_op(peek(), ">]")) {
      if (peek().kind == tok::end) throw error(open.where, "unterminated attribute; close it with >]");
      take();
    }
    take();
  }

  // let [inline] [private] f params [: type] = body
  function parse_function() {
    token const& let = take();
    for (;;) {
      token const& t = peek();
      if (is_kw(t, "rec")) throw error(t.where, "recursion is not supported");
      if (is_kw(t, "mutable")) throw error(t.where, "mutable variables are not supported");
      if (!is_kw(t, "inline") && !is_kw(t, "private") && !is_kw(t, "internal") && !is_kw(t, "public")) break;
      take();
    }
    function f;
    token const& name = expect_name("a function name");
    f.name = std::string(name.text);
    f.where = name.where;
    scopes_.assign(1, {});
    used_.clear();
    closed_.clear();
    bool any_group = false;
    while (!is_op(peek(), "=") && !is_op(peek(), ":")) {
      token const& t = peek();
      if (is_plain_name(t)) {
        add_param(f, take());
      } else if (is_op(t, "(")) {
        parse_param_group(f);
      } else {
        unexpected(t);
      }
      any_group = true;
    }
    if (!any_group) throw error(name.where, "top-level values are not supported; define a function with parameters");
    if (is_op(peek(), ":")) {
      take();
      skip_type();
    }
    expect_op("=");
    context_scope top(*this, let.where.col);
    block b = parse_body("the body of '" + f.name + "'");
    f.end_where = last_end_;
    lower(std::move(b), sink{}, f.body);
    if (!peek().first_on_line) unexpected(peek());
    return f;
  }

  void add_param(function& f, token const& p) {
    std::string name(p.text);
    if (name == "_") throw error(p.where, "unnamed parameters are not supported");
    for (param const& q : f.params)
      if (q.name == name) throw error(p.where, "duplicate parameter '" + name + "'");
    f.params.push_back({name, p.where});
    scopes_.back().emplace_back(name, name);
    used_.insert(name);
  }

  // (x), (x: float), (x: float, y: float), (x, y) and () for no parameters.
  void parse_param_group(function& f) {
    take();
    if (is_op(peek(), ")")) {
      take();
      return;
    }
    for (;;) {
      token const& t = peek();
      if (!is_plain_name(t)) {
        if (auto m = refusal(t)) throw error(t.where, *m);
        throw error(t.where, "expected a parameter name");
      }
      add_param(f, take());
      if (is_op(peek(), ":")) {
        take();
        skip_type();
      }
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op(")");
  }

  // float, float32, System.Double, 'a; collections and function types are refused.
  void skip_type() {
    token const& t = peek();
    if (is_op(t, "'")) {
      take();
      expect_name("a type variable name");
    } else {
      if (!is_plain_name(t)) {
        if (auto m = refusal(t)) throw error(t.where, *m);
        throw error(t.where, "expected a type");
      }
      take();
      while (is_op(peek(), ".")) {
        take();
        expect_name("a type name after '.'");
      }
    }
    token const& after = peek();
    if (is_op(after, "[") || is_op(after, "*") ||
        (after.kind == tok::name && (after.text == "list" || after.text == "array" || after.text == "seq" ||
                                     after.text == "option")))
      throw error(after.where, "containers are not supported");
    if (is_op(after, "->")) throw error(after.where, "function-typed parameters are not supported");
    if (is_op(after, "<")) throw error(after.where, "generic and unit-of-measure types are not supported");
  }

  // After `=` or `then`/`else`: the rest of the line, or an indented block.
  block parse_body(std::string const& what) {
    token const& t = peek();
    if (t.kind == tok::end) throw error(t.where, "unexpected end of file; expected " + what);
    if (t.first_on_line) {
      if (paren_ == ctx_.back().paren && t.where.col <= ctx_.back().col)
        throw error(t.where, what + " must be indented more than the line that opens it");
      return parse_block();
    }
    block b;
    b.result = parse_value();
    return b;
  }

  // Lines at one column: local lets, then the value.
  block parse_block() {
    lex::depth_guard guard(depth_);
    guard.bump(peek().where, nested_block);
    int col = peek().where.col;
    context_scope layout(*this, col);
    ++blocks_;
    bool nested = blocks_ > 1;
    if (nested) scopes_.emplace_back();
    block b;
    for (;;) {
      item_start_ = pos_;
      token const& t = peek();
      if (is_kw(t, "let")) {
        token const& let = t;
        bool in = parse_local_let(b.stmts);
        token const& next = peek();
        if (in && !at_stop()) continue;
        if (next.first_on_line && next.kind != tok::end && paren_ == ctx_.back().paren && next.where.col == col)
          continue;
        if (at_stop() || next.kind == tok::end)
          throw error(let.where, "a block cannot end with a let; add the resulting value on the line after it");
        unexpected(next);
      }
      loc item_where = t.where;
      b.result = parse_value();
      token const& next = peek();
      if (next.first_on_line && paren_ == ctx_.back().paren && next.where.col == col && next.kind != tok::end &&
          !is_kw(next, "elif") && !is_kw(next, "else") && !is_kw(next, "then"))
        throw error(item_where, "only the last line of a block may be an expression; bind this one with let");
      break;
    }
    if (nested) {
      for (auto const& [name, ast] : scopes_.back()) closed_.insert(name);
      scopes_.pop_back();
    }
    --blocks_;
    return b;
  }

  // let name [: type] = value [in]; returns whether `in` followed.
  bool parse_local_let(std::vector<stmt>& out) {
    token const& let = take();
    token const& t = peek();
    if (is_kw(t, "rec")) throw error(t.where, "recursion is not supported");
    if (is_kw(t, "mutable")) throw error(t.where, "mutable variables are not supported");
    if (is_kw(t, "inline")) throw error(t.where, "local functions are not supported; define functions at the top level");
    if (is_op(t, "(")) throw error(t.where, "tuples are not supported; bind one name per let");
    token const& name = expect_name("a name after 'let'");
    token const& after = peek();
    if (is_plain_name(after) || is_op(after, "("))
      throw error(after.where, "local functions are not supported; define functions at the top level");
    if (is_op(after, ",")) throw error(after.where, "tuples are not supported; bind one name per let");
    if (is_op(after, ":")) {
      take();
      skip_type();
    }
    expect_op("=");
    block b;
    {
      context_scope layout(*this, let.where.col);
      b = parse_body("the value of '" + std::string(name.text) + "'");
    }
    std::string ast = bind(std::string(name.text));
    lower(std::move(b), sink{ast, name.where, let.where}, out);
    if (is_kw(peek(), "in")) {
      take();
      return true;
    }
    return false;
  }

  // -- names and scopes -----------------------------------------------------

  // A local in an inner block that would collide with another name of the function
  // gets a fresh name: the AST has one flat scope per function, F# has nested ones.
  std::string bind(std::string name) {
    std::string ast = name;
    if (scopes_.size() > 1 && used_.contains(name)) {
      for (int k = 2;; ++k) {
        ast = name + "_" + std::to_string(k);
        if (!used_.contains(ast) && !all_names_.contains(ast)) break;
      }
    }
    used_.insert(ast);
    scopes_.back().emplace_back(name, ast);
    return ast;
  }

  std::optional<std::string> lookup(std::string const& name) const {
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s)
      for (auto it = s->rbegin(); it != s->rend(); ++it)
        if (it->first == name) return it->second;
    return std::nullopt;
  }

  // -- values and expressions -----------------------------------------------

  value parse_value() {
    token const& t = peek();
    if (is_kw(t, "if")) return parse_if();
    if (is_kw(t, "let")) throw error(t.where, "put a local let on its own line");
    value v;
    v.e = parse_expression();
    return v;
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

  value parse_if() {
    lex::depth_guard guard(depth_);
    token const& kw = take();  // if / elif
    guard.bump(kw.where, is_kw(kw, "elif") ? "too many elif branches" : nested_block);
    int if_col = kw.where.col;
    value v;
    v.where = kw.where;
    v.cond = parse_expression();
    if (!accept_clause("then", if_col)) {
      if (auto m = refusal(peek())) throw error(peek().where, *m);
      throw error(peek().where, "expected 'then'");
    }
    v.then_b = std::make_unique<block>(parse_body("the 'then' branch"));
    v.else_b = std::make_unique<block>();
    if (is_kw(peek(), "elif") && accept_clause("elif", if_col)) {
      --pos_;  // parse_if takes the elif itself
      v.else_b->result = parse_if();
    } else if (accept_clause("else", if_col)) {
      *v.else_b = parse_body("the 'else' branch");
    } else {
      throw error(kw.where, "an if used as a value needs an else branch");
    }
    // Plain branches become a conditional expression.
    if (v.then_b->stmts.empty() && v.then_b->result.e && v.else_b->stmts.empty() && v.else_b->result.e) {
      auto e = make_expr(expr_kind::if_exp, kw.where);
      e->args.push_back(std::move(v.cond));
      e->args.push_back(std::move(v.then_b->result.e));
      e->args.push_back(std::move(v.else_b->result.e));
      value plain;
      plain.e = std::move(e);
      return plain;
    }
    return v;
  }

  expr_ptr parse_expression() {
    lex::depth_guard guard(depth_);
    guard.bump(peek().where);
    return parse_or();
  }

  bool next_is(std::string_view op) const { return !at_stop() && is_op(peek(), op); }

  expr_ptr parse_or() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_and();
    while (next_is("||") || (!at_stop() && is_kw(peek(), "or"))) {
      token const& op = take();
      guard.bump(op.where);
      auto e = make_expr(expr_kind::or_, op.where);
      e->args.push_back(std::move(lhs));
      e->args.push_back(parse_and());
      lhs = std::move(e);
    }
    return lhs;
  }

  expr_ptr parse_and() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_comparison();
    while (next_is("&&") || next_is("&")) {
      token const& op = take();
      guard.bump(op.where);
      auto e = make_expr(expr_kind::and_, op.where);
      e->args.push_back(std::move(lhs));
      e->args.push_back(parse_comparison());
      lhs = std::move(e);
    }
    return lhs;
  }

  std::optional<compare_op> comparison() const {
    if (at_stop()) return std::nullopt;
    token const& t = peek();
    if (t.kind != tok::op) return std::nullopt;
    std::string_view s = t.text;
    if (s == "<") return compare_op::lt;
    if (s == "<=") return compare_op::le;
    if (s == ">") return compare_op::gt;
    if (s == ">=") return compare_op::ge;
    if (s == "=") return compare_op::eq;
    if (s == "<>") return compare_op::ne;
    return std::nullopt;
  }

  // Comparisons and |> share one left-associative level, as in F#.
  expr_ptr parse_comparison() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_arith();
    bool compared = false;
    for (;;) {
      if (auto op = comparison()) {
        token const& o = take();
        if (compared)
          throw error(o.where, "F# has no chained comparisons; write a < b && b < c");
        guard.bump(o.where);
        auto e = make_expr(expr_kind::compare, o.where);
        e->cmp.push_back(*op);
        e->args.push_back(std::move(lhs));
        e->args.push_back(parse_arith());
        lhs = std::move(e);
        compared = true;
      } else if (next_is("|>")) {
        token const& o = take();
        guard.bump(o.where);
        lhs = pipe(std::move(lhs));
        compared = false;
      } else {
        return lhs;
      }
    }
  }

  // x |> f is f x; x |> max 0.0 is max 0.0 x.
  expr_ptr pipe(expr_ptr lhs) {
    token const& t = peek();
    if (!is_plain_name(t) || at_stop()) throw error(t.where, "the right side of |> must be a function");
    expr_ptr f = parse_application();
    if (f->kind == expr_kind::name) {
      if (f->name == "not") {
        auto e = make_expr(expr_kind::not_, f->where);
        e->args.push_back(std::move(lhs));
        return e;
      }
      f->kind = expr_kind::call;
    } else if (f->kind != expr_kind::call) {
      throw error(t.where, "the right side of |> must be a function");
    }
    f->args.push_back(std::move(lhs));
    f->kwnames.emplace_back();
    return f;
  }

  expr_ptr parse_arith() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_term();
    for (;;) {
      binary_op op;
      if (next_is("+")) op = binary_op::add;
      else if (next_is("-")) op = binary_op::sub;
      else return lhs;
      token const& o = take();
      guard.bump(o.where);
      lhs = make_binary(op, o.where, std::move(lhs), parse_term());
    }
  }

  expr_ptr parse_term() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_power();
    for (;;) {
      binary_op op;
      if (next_is("*")) op = binary_op::mul;
      else if (next_is("/")) op = binary_op::div;
      else if (next_is("%")) op = binary_op::mod_trunc;
      else {
        if (!at_stop() && peek().kind == tok::op && refusal(peek()) && !is_op(peek(), "[")) unexpected(peek());
        return lhs;
      }
      token const& o = take();
      guard.bump(o.where);
      lhs = make_binary(op, o.where, std::move(lhs), parse_power());
    }
  }

  // ** is right-associative and binds looser than a prefix minus: in F#
  // -x ** 2.0 is (-x) ** 2.0.
  expr_ptr parse_power() {
    expr_ptr base = parse_prefix();
    if (!next_is("**")) return base;
    lex::depth_guard guard(depth_);
    token const& o = take();
    guard.bump(o.where);
    return make_binary(binary_op::pow, o.where, std::move(base), parse_power());
  }

  expr_ptr parse_prefix() {
    token const& t = peek();
    if (is_kw(t, "if")) {
      value v = parse_if();
      if (!v.e) throw error(v.where, "an if with local lets in its branches must be a whole let value or a block's result");
      return std::move(v.e);
    }
    if (!is_op(t, "-") && !is_op(t, "+")) return parse_application();
    lex::depth_guard guard(depth_);
    token const& op = take();
    guard.bump(op.where);
    auto e = make_expr(expr_kind::unary, op.where);
    e->op_char = op.text[0];
    e->args.push_back(parse_prefix());
    return e;
  }

  // Can the next token be an argument in `f a b`? `f -x` passes -x, `f - x` subtracts.
  bool starts_argument() const {
    if (at_stop()) return false;
    token const& t = peek();
    if (t.kind == tok::number || is_plain_name(t) || is_op(t, "(") || is_kw(t, "true") || is_kw(t, "false"))
      return true;
    if (is_op(t, "-") && t.space_before) {
      token const& n = peek(1);
      return n.where.line == t.end.line && n.where.col == t.end.col;
    }
    return false;
  }

  expr_ptr parse_application() {
    token const& head_tok = peek();
    expr_ptr head = parse_atom();
    if (head->kind != expr_kind::name || !starts_argument()) return head;
    lex::depth_guard guard(depth_);
    guard.bump(head_tok.where);
    std::vector<expr_ptr> args;
    while (starts_argument()) {
      guard.bump(peek().where);
      if (is_op(peek(), "-")) {
        token const& op = take();
        auto e = make_expr(expr_kind::unary, op.where);
        e->op_char = '-';
        e->args.push_back(parse_atom());
        args.push_back(std::move(e));
      } else if (is_op(peek(), "(")) {
        std::vector<expr_ptr> group = parse_parenthesized();
        // f (a, b): a tupled call, as .NET methods and tupled functions take
        if (group.size() > 1 && (!args.empty() || starts_argument()))
          throw error(group[1]->where, "tuples are not supported");
        for (expr_ptr& g : group) args.push_back(std::move(g));
      } else {
        args.push_back(parse_atom());
      }
    }
    if (head->name == "not") {
      if (args.size() != 1) throw error(head->where, "not takes one argument");
      auto e = make_expr(expr_kind::not_, head->where);
      e->args.push_back(std::move(args[0]));
      return e;
    }
    head->kind = expr_kind::call;
    for (expr_ptr& a : args) {
      head->args.push_back(std::move(a));
      head->kwnames.emplace_back();
    }
    return head;
  }

  // ( e ) or ( e, e, ... ): the caller decides whether a tuple is allowed.
  std::vector<expr_ptr> parse_parenthesized() {
    token const& open = take();
    std::vector<expr_ptr> out;
    if (is_op(peek(), ")")) throw error(open.where, "unit values () are not supported");
    for (;;) {
      out.push_back(parse_expression());
      if (!is_op(peek(), ",")) break;
      take();
    }
    token const& close = peek();
    if (!is_op(close, ")")) {
      if (auto m = refusal(close)) throw error(close.where, *m);
      if (close.kind == tok::end) throw error(close.where, "unexpected end of file; expected ')'");
      throw error(close.where, "expected ')'");
    }
    take();
    return out;
  }

  expr_ptr parse_atom() {
    token const& t = peek();
    if (at_stop()) {
      if (t.kind == tok::end) throw error(t.where, "unexpected end of file; expected an expression");
      throw error(t.where, "expected an expression (check the indentation)");
    }
    expr_ptr e;
    if (t.kind == tok::number) {
      token const& n = take();
      e = make_expr(expr_kind::number, n.where);
      e->text = std::string(n.text);
      e->is_integer = n.is_integer;
      e->is_float32 = n.is_float32;
      e->int_value = n.int_value;
      e->float_value = n.float_value;
    } else if (is_kw(t, "true") || is_kw(t, "false")) {
      token const& b = take();
      e = make_expr(expr_kind::boolean, b.where);
      e->text = std::string(b.text);
      e->int_value = b.text == "true" ? 1 : 0;
    } else if (is_plain_name(t)) {
      e = parse_name();
    } else if (is_op(t, "(")) {
      std::vector<expr_ptr> group = parse_parenthesized();
      if (group.size() > 1) throw error(group[1]->where, "tuples are not supported");
      e = std::move(group[0]);
    } else if (is_kw(t, "if")) {
      throw error(t.where, "put the if in parentheses to use it as an argument");
    } else if (is_kw(t, "not")) {
      unexpected(t);
    } else {
      unexpected(t);
    }
    token const& after = peek();
    if (!after.space_before && (is_op(after, "[") || is_op(after, ".")) && after.kind != tok::end)
      throw error(after.where, is_op(after, "[") ? "indexing is not supported" : "member access is not supported here");
    return e;
  }

  // A dotted name; a local may not be dotted, a global keeps its spelling for the
  // checker (Math.Exp, System.Math.PI).
  expr_ptr parse_name() {
    token const& first = take();
    auto e = make_expr(expr_kind::name, first.where);
    std::string head(first.text);
    if (head == "seq" && is_op(peek(), "{")) throw error(first.where, "sequences are not supported");
    std::optional<std::string> local = lookup(head);
    bool dotted = is_op(peek(), ".") && !peek().space_before;
    if (local) {
      if (dotted && is_op(peek(1), "[")) throw error(peek().where, "indexing is not supported");
      if (dotted) throw error(peek().where, "member access is not supported on local values");
      e->name = *local;
      return e;
    }
    if (!dotted && closed_.contains(head))
      throw error(first.where, "'" + head + "' is not defined here; it is local to an inner block");
    e->name = head;
    while (is_op(peek(), ".") && !peek().space_before) {
      take();
      token const& part = peek();
      if (!is_plain_name(part)) {
        if (is_op(part, "[")) throw error(part.where, "indexing is not supported");
        throw error(part.where, "expected a name after '.'");
      }
      e->name += '.';
      e->name += take().text;
    }
    return e;
  }

  std::vector<token> toks_;
  std::size_t pos_ = 0;
  loc last_end_;
  int depth_ = 0;
  int paren_ = 0;
  int blocks_ = 0;
  std::size_t item_start_ = static_cast<std::size_t>(-1);
  std::vector<context> ctx_;
  std::vector<std::vector<std::pair<std::string, std::string>>> scopes_;
  std::unordered_set<std::string> used_, closed_, all_names_;
};

}  // namespace

module parse_fsharp(std::string_view source) {
  parser p(source);
  return p.parse_module();
}

}  // namespace kst
