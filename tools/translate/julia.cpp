// Julia front end: a lexer (nested #= =# comments, numeric juxtaposition, every
// numeric spelling) and a recursive-descent parser for the scalar subset of SPEC §4.
// Julia returns the value of a function's last expression; the parser makes that
// explicit with return_ statements so the checker sees one model for all languages.

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

enum class tok { name, number, string, op, newline, end, error };

struct token {
  tok kind = tok::end;
  std::string_view text;
  loc where;
  loc end;                    // just after the last byte
  bool space_before = false;  // juxtaposition (2x) needs none
  bool is_integer = false;
  bool is_float32 = false;
  long long int_value = 0;
  double float_value = 0;
  std::string message;  // tok::error
};

constexpr std::string_view operators[] = {
    "===", "!==", ">>>", "...", "::", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "^=",
    "%=",  "|=",  "&=",  "//", "<<", ">>", "|>", "<|", "->", "=>", "<:", ">:", "..", "\\=", "+",  "-",
    "*",   "/",   "\\",  "^",  "%",  "<",  ">",  "=",  "!",  "(",  ")",  "[",  "]",  "{",  "}",  ",",
    ";",   ":",   "?",   ".",  "&",  "|",  "~",  "$",  "@"};

// Julia's Unicode operators we understand, and the two constants spelled in Greek.
constexpr std::string_view div_sign = "\xc3\xb7";     // ÷
constexpr std::string_view le_sign = "\xe2\x89\xa4";  // ≤
constexpr std::string_view ge_sign = "\xe2\x89\xa5";  // ≥
constexpr std::string_view ne_sign = "\xe2\x89\xa0";  // ≠
constexpr std::string_view sqrt_sign = "\xe2\x88\x9a";  // √
constexpr std::string_view pi_name = "\xcf\x80";        // π
constexpr std::string_view e_name = "\xe2\x84\xaf";     // ℯ
constexpr std::string_view unicode_ops[] = {div_sign, le_sign, ge_sign, ne_sign, sqrt_sign};

constexpr char non_ascii[] =
    "non-ascii names and operators are not supported (except π, ℯ, ÷, ≤, ≥, ≠ and √)";
constexpr char broadcasting[] = "broadcasting is not supported; knossos vmaps the scalar function for you";

// Lexes the whole input up front. A lexical error becomes a final error token, so
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
      t.where = e.where;
      t.end = e.where;
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
  }

  // #= ... =# nests; anything may be inside.
  void skip_block_comment() {
    loc start = here();
    pos_ += 2;
    long depth = 1;
    while (depth > 0) {
      if (pos_ >= src_.size()) throw error(start, "unterminated comment; close it with =#");
      if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
      } else if (src_.compare(pos_, 2, "#=") == 0) {
        pos_ += 2;
        ++depth;
      } else if (src_.compare(pos_, 2, "=#") == 0) {
        pos_ += 2;
        --depth;
      } else {
        ++pos_;
      }
    }
  }

  token next() {
    bool space = false;
    for (;;) {
      if (pos_ >= src_.size()) {
        token t;
        t.kind = tok::end;
        t.where = t.end = here();
        return t;
      }
      char c = src_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
        space = true;
      } else if (src_.compare(pos_, 2, "#=") == 0) {
        skip_block_comment();
        space = true;
      } else if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      } else if (std::size_t n = newline_length(pos_)) {
        loc w = here();
        consume_newline(n);
        space = true;
        if (brackets_ > 0) continue;  // Julia joins lines inside brackets
        token t;
        t.kind = tok::newline;
        t.where = t.end = w;
        return t;
      } else {
        if (space) last_adjacent_value_ = false;  // x ' is not a transpose
        token t = scan();
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
      while (pos_ < src_.size() && (is_alnum(src_[pos_]) || src_[pos_] == '!')) {
        // `x!=y` is x != y, not the name x!
        if (src_[pos_] == '!' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '=') break;
        ++pos_;
      }
      if (pos_ < src_.size() && is_non_ascii(src_[pos_]))
        throw error(here(), non_ascii);
      last_adjacent_value_ = true;
      return finish(tok::name, start, w);
    }
    if (is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))) return number();
    if (c == '"') return string();
    if (c == '\'') {
      if (last_adjacent_value_) throw error(w, "transpose (') is not supported");
      return char_literal();
    }
    std::string_view rest = src_.substr(pos_);
    if (rest.starts_with(pi_name) || rest.starts_with(e_name)) {
      pos_ += rest.starts_with(pi_name) ? pi_name.size() : e_name.size();
      if (pos_ < src_.size() && (is_alnum(src_[pos_]) || is_non_ascii(src_[pos_])))
        throw error(w, non_ascii);
      return finish(tok::name, start, w);
    }
    for (std::string_view op : unicode_ops) {
      if (rest.starts_with(op)) {
        pos_ += op.size();
        return finish(tok::op, start, w);
      }
    }
    if (is_non_ascii(c)) throw error(w, non_ascii);
    if (c == '.' && pos_ + 1 < src_.size()) {
      char d = src_[pos_ + 1];
      if (std::string_view("+-*/^<>=!&|%\\~").find(d) != std::string_view::npos ||
          rest.substr(1).starts_with(div_sign) || rest.substr(1).starts_with(le_sign) ||
          rest.substr(1).starts_with(ge_sign) || rest.substr(1).starts_with(ne_sign))
        throw error(w, broadcasting);
    }
    for (std::string_view op : operators) {
      if (!rest.starts_with(op)) continue;
      pos_ += op.size();
      if (op == "(" || op == "[" || op == "{") ++brackets_;
      if ((op == ")" || op == "]" || op == "}") && brackets_ > 0) --brackets_;
      token t = finish(tok::op, start, w);
      last_adjacent_value_ = op == ")" || op == "]" || op == "}";
      return t;
    }
    throw error(w, "invalid character '" + show_byte(c) + "'");
  }

  // Returns after noting whether a following ' would be a transpose.
  token value_token(token t) {
    last_adjacent_value_ = true;
    return t;
  }

  token string() {
    loc w = here();
    std::size_t start = pos_;
    bool triple = src_.compare(pos_, 3, "\"\"\"") == 0;
    pos_ += triple ? 3 : 1;
    for (;;) {
      if (pos_ >= src_.size()) throw error(w, triple ? "unterminated triple-quoted string" : "unterminated string");
      char c = src_[pos_];
      if (c == '\\') {
        ++pos_;
        if (std::size_t n = newline_length(pos_)) consume_newline(n);
        else if (pos_ < src_.size()) ++pos_;
      } else if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);  // Julia strings may span lines
      } else if (c == '"' && (!triple || src_.compare(pos_, 3, "\"\"\"") == 0)) {
        pos_ += triple ? 3 : 1;
        last_adjacent_value_ = false;
        return finish(tok::string, start, w);
      } else {
        ++pos_;
      }
    }
  }

  token char_literal() {
    loc w = here();
    std::size_t start = pos_++;
    while (pos_ < src_.size() && src_[pos_] != '\'' && !newline_length(pos_)) pos_ += src_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= src_.size() || src_[pos_] != '\'') throw error(w, "unterminated character literal");
    ++pos_;
    last_adjacent_value_ = false;
    return finish(tok::string, start, w);
  }

  token number() {
    loc w = here();
    std::size_t start = pos_;
    auto invalid = [&] { throw error(w, "invalid number literal"); };
    auto check_end = [&] {
      // A literal may run straight into a name (2x) but not into more digits or a dot.
      if (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) invalid();
    };
    if (src_[pos_] == '0' && pos_ + 1 < src_.size()) {
      char p = src_[pos_ + 1];
      int base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
      if (base != 0) {
        pos_ += 2;
        std::size_t digits_start = pos_;
        bool any = scan_digits(src_, pos_, base);
        if (base == 16 && pos_ < src_.size() && (src_[pos_] == '.' || src_[pos_] == 'p' || src_[pos_] == 'P'))
          return hex_float(start, digits_start, w, any);
        if (!any) invalid();
        if (pos_ < src_.size() && (is_alnum(src_[pos_]) || is_non_ascii(src_[pos_]))) invalid();
        token t = finish(tok::number, start, w);
        t.is_integer = true;
        t.int_value = integer_value(src_.substr(digits_start, pos_ - digits_start), base, w);
        return value_token(std::move(t));
      }
    }
    bool is_float = false;
    bool float32 = false;
    bool has_int = scan_digits(src_, pos_, 10);
    if (pos_ < src_.size() && src_[pos_] == '.') {
      // `1.+x` is ambiguous in Julia itself; 1. followed by a name is 1.0 * name
      if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '.') invalid();
      ++pos_;
      is_float = true;
      if (pos_ < src_.size() && src_[pos_] == '_') invalid();
      bool frac = scan_digits(src_, pos_, 10);
      if (!frac && !has_int) invalid();
    }
    if (pos_ + 1 < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E' || src_[pos_] == 'f')) {
      std::size_t q = pos_ + 1;
      if (src_[q] == '+' || src_[q] == '-') ++q;
      if (q < src_.size() && is_digit(src_[q])) {
        float32 = src_[pos_] == 'f';
        is_float = true;
        pos_ = q;
        scan_digits(src_, pos_, 10);
      }
    }
    check_end();
    token t = finish(tok::number, start, w);
    std::string plain = without_underscores(t.text);
    if (!is_float) {
      t.is_integer = true;
      t.int_value = integer_value(plain, 10, w);
      return value_token(std::move(t));
    }
    if (float32) plain[plain.find('f')] = 'e';
    t.float_value = float_value(plain, w);
    t.is_float32 = float32;
    return value_token(std::move(t));
  }

  token hex_float(std::size_t start, std::size_t digits_start, loc w, bool any) {
    auto invalid = [&] { throw error(w, "invalid number literal"); };
    if (src_[pos_] == '.') {
      ++pos_;
      if (!scan_digits(src_, pos_, 16) && !any) invalid();
    } else if (!any) {
      invalid();
    }
    if (pos_ >= src_.size() || (src_[pos_] != 'p' && src_[pos_] != 'P'))
      throw error(w, "a hexadecimal float needs a binary exponent such as p0");
    ++pos_;
    if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
    if (!scan_digits(src_, pos_, 10)) invalid();
    if (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) invalid();
    token t = finish(tok::number, start, w);
    std::string plain = without_underscores(src_.substr(digits_start, pos_ - digits_start));
    t.float_value = hex_float_value(plain, w);
    return value_token(std::move(t));
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  int brackets_ = 0;
  bool last_adjacent_value_ = false;

};

// ---------------------------------------------------------------------------
// Parser

constexpr std::string_view keywords[] = {
    "function", "end",    "if",     "elseif", "else",   "return",   "local", "global",   "for",
    "while",    "begin",  "let",    "do",     "try",    "catch",    "finally", "struct", "mutable",
    "module",   "baremodule", "using", "import", "export", "const", "macro",  "quote",    "abstract",
    "primitive", "break", "continue", "true",  "false",  "where",    "in",    "isa"};

bool is_keyword(std::string_view s) {
  for (std::string_view k : keywords)
    if (k == s) return true;
  return false;
}

constexpr char nested_block[] = "blocks nested too deeply";
// Marks an expression statement until we know whether it is a function's result.
constexpr char expression_marker[] = "\x01";

expr_ptr make_expr(expr_kind kind, loc where) {
  auto e = std::make_unique<expr>();
  e->kind = kind;
  e->where = where;
  return e;
}

expr_ptr make_binary(binary_op op, loc where, expr_ptr lhs, expr_ptr rhs) {
  auto e = make_expr(expr_kind::binary, where);
  e->bop = op;
  e->int_div = int_division::true_division;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

class parser {
 public:
  explicit parser(std::string_view source) : toks_(lexer(source).run()) {}

  module parse_module() {
    module m;
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::end) break;
      if (t.kind == tok::newline || is_op(t, ";")) {
        take();
        continue;
      }
      if (is_kw(t, "using") || is_kw(t, "import") || is_kw(t, "export")) {
        skip_import();
      } else if (t.kind == tok::string) {
        skip_docstring();
      } else {
        m.functions.push_back(parse_function());
        defined_.insert(m.functions.back().name);
      }
    }
    return m;
  }

 private:
  // -- tokens ---------------------------------------------------------------

  token const& peek(std::size_t k = 0) const {
    std::size_t i = std::min(pos_ + k, toks_.size() - 1);
    token const& t = toks_[i];
    if (t.kind == tok::error) throw error(t.where, t.message);
    return t;
  }

  token const& take() {
    token const& t = peek();
    if (t.kind != tok::end) {
      ++pos_;
      if (t.kind != tok::newline) last_end_ = t.end;
    }
    return t;
  }

  static bool is_op(token const& t, std::string_view op) { return t.kind == tok::op && t.text == op; }
  static bool is_kw(token const& t, std::string_view kw) { return t.kind == tok::name && t.text == kw; }
  static bool is_plain_name(token const& t) { return t.kind == tok::name && !is_keyword(t.text); }

  void skip_newlines() {
    while (peek().kind == tok::newline) take();
  }

  static std::string quoted(token const& t) {
    std::string_view text = t.text.substr(0, 30);
    std::string s = "'";
    for (char c : text) s += is_non_ascii(c) ? std::string(1, c) : show_byte(c);
    if (t.text.size() > text.size()) s += "...";
    return s + "'";
  }

  // A message for a token the subset refuses wherever it appears.
  static std::optional<std::string> refusal(token const& t) {
    if (t.kind == tok::string) return "strings are not supported";
    if (t.kind == tok::op) {
      std::string_view s = t.text;
      if (s == "[" || s == "{") return "containers are not supported";
      if (s == "@") return "macros are not supported";
      if (s == "$") return "interpolation is not supported";
      if (s == "->") return "anonymous functions are not supported; define a named function";
      if (s == "\\" || s == "\\=") return "left division (\\) is not supported; write b / a";
      if (s == "//") return "rational numbers (//) are not supported; use /";
      if (s == "&" || s == "|" || s == "~" || s == "<<" || s == ">>" || s == ">>>" || s == "&=" || s == "|=")
        return "bitwise operators are not supported";
      if (s == "===" || s == "!==") return "'" + std::string(s) + "' is not supported; use == or !=";
      if (s == "...") return "splatting (...) is not supported";
      if (s == ".." || s == ":") return "ranges are not supported";
      if (s == "::") return "type assertions are only supported on parameters and assignments";
      if (s == "=>") return "pairs are not supported";
      if (s == "<:" || s == ">:") return "type comparisons are not supported";
      if (s == "<|") return "'<|' is not supported; call the function";
      return std::nullopt;
    }
    if (t.kind == tok::name) {
      std::string_view s = t.text;
      if (s == "for" || s == "while" || s == "break" || s == "continue") return "loops are not supported";
      if (s == "let") return "let blocks are not supported; assign locals in the function body";
      if (s == "do") return "do blocks are not supported";
      if (s == "try" || s == "catch" || s == "finally") return "exceptions are not supported";
      if (s == "struct" || s == "mutable" || s == "abstract" || s == "primitive") return "type definitions are not supported";
      if (s == "module" || s == "baremodule") return "modules are not supported";
      if (s == "macro" || s == "quote") return "macros are not supported";
      if (s == "global" || s == "const") return "global variables are not supported";
      if (s == "function") return "nested functions are not supported; define functions at the top level";
      if (s == "using" || s == "import" || s == "export") return "using and import are only allowed at the top level";
      if (s == "where") return "where clauses are not supported; annotate with a type such as Real";
      if (s == "in" || s == "isa") return "'" + std::string(s) + "' is not supported";
    }
    return std::nullopt;
  }

  [[noreturn]] void unexpected(token const& t) {
    if (auto m = refusal(t)) throw error(t.where, *m);
    switch (t.kind) {
      case tok::end: throw error(t.where, "unexpected end of file");
      case tok::newline: throw error(t.where, "unexpected end of line");
      case tok::number: throw error(t.where, "unexpected number " + quoted(t));
      default: throw error(t.where, "unexpected " + quoted(t));
    }
  }

  void expect_op(std::string_view op) {
    token const& t = peek();
    if (is_op(t, op)) {
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

  // `using A, B`, `using A: a, b`, `import Base: exp`: nothing to bind, since the
  // checker knows the math names under their plain spellings.
  void skip_import() {
    take();
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::newline || t.kind == tok::end || is_op(t, ";")) return;
      if (t.kind == tok::string) unexpected(t);
      take();
    }
  }

  void skip_docstring() {
    token const& s = take();
    skip_newlines();
    token const& t = peek();
    bool before_function = is_kw(t, "function") || is_op(t, "@") || (is_plain_name(t) && is_op(peek(1), "("));
    if (!before_function) throw error(s.where, "strings are not supported");
  }

  function parse_function() {
    token const& first = peek();
    if (is_op(first, "@")) {
      take();
      token const& m = peek();
      if (!is_kw(m, "inline") || m.space_before) throw error(first.where, "macros are not supported (only @inline)");
      take();
      skip_newlines();
      token const& after = peek();
      if (!is_kw(after, "function") && !(is_plain_name(after) && is_op(peek(1), "(")))
        throw error(after.where, "expected a function definition after @inline");
    }
    token const& t = peek();
    if (is_kw(t, "function")) return parse_long_function();
    if (is_plain_name(t) && is_op(peek(1), "(")) return parse_short_function();
    if (auto m = refusal(t); m && t.kind == tok::name) throw error(t.where, *m);
    if (is_kw(t, "if") || is_kw(t, "begin") || is_kw(t, "return"))
      throw error(t.where, "only function definitions, using and import are allowed at the top level");
    if (t.kind == tok::name || t.kind == tok::number || t.kind == tok::op)
      throw error(t.where, "only function definitions, using and import are allowed at the top level");
    unexpected(t);
  }

  void parse_signature(function& f) {
    token const& name = expect_name("a function name");
    f.name = std::string(name.text);
    f.where = name.where;
    if (is_op(peek(), ".")) throw error(peek().where, "only plain function names can be defined");
    if (is_op(peek(), "{")) throw error(peek().where, "type parameters are not supported");
    expect_op("(");
    while (!is_op(peek(), ")")) {
      token const& t = peek();
      if (is_op(t, ";")) throw error(t.where, "keyword arguments are not supported");
      if (is_op(t, "::")) throw error(t.where, "unnamed parameters are not supported");
      token const& p = expect_name("a parameter name");
      for (param const& q : f.params)
        if (q.name == p.text) throw error(p.where, "duplicate parameter '" + q.name + "'");
      f.params.push_back({std::string(p.text), p.where});
      if (is_op(peek(), "::")) {
        take();
        skip_type();
      }
      if (is_op(peek(), "=")) throw error(peek().where, "default values are not supported");
      if (is_op(peek(), "...")) throw error(peek().where, "varargs are not supported");
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op(")");
    if (is_op(peek(), "::")) {
      take();
      skip_type();
    }
    if (is_kw(peek(), "where")) unexpected(peek());
  }

  // A scalar type such as Float64, Real or Base.Float32. Parametric types are
  // refused: the functions we translate take and return scalars.
  void skip_type() {
    token const& t = expect_name("a type name");
    std::string_view name = t.text;
    while (is_op(peek(), ".")) {
      take();
      name = expect_name("a type name after '.'").text;
    }
    static constexpr std::string_view containers[] = {"Vector", "Array", "Matrix", "AbstractVector", "AbstractArray",
                                                       "AbstractMatrix", "Tuple", "NTuple", "Dict", "Set",
                                                       "AbstractString", "String"};
    for (std::string_view c : containers)
      if (c == name) throw error(t.where, c.ends_with("String") ? "strings are not supported" : "containers are not supported");
    if (is_op(peek(), "{")) throw error(peek().where, "parametric types are not supported; annotate with a scalar type such as Float64");
  }

  function parse_short_function() {
    function f;
    parse_signature(f);
    if (!is_op(peek(), "="))
      throw error(f.where, "only function definitions, using and import are allowed at the top level");
    take();
    skip_newlines();
    if (is_kw(peek(), "begin")) {
      token const& b = take();
      parse_block(f.body, b.where, "begin");
      take();  // end
    } else {
      stmt s;
      s.kind = stmt_kind::return_;
      s.where = peek().where;
      s.value = parse_expression();
      f.body.push_back(std::move(s));
    }
    f.end_where = last_end_;
    token const& t = peek();
    if (t.kind != tok::newline && t.kind != tok::end && !is_op(t, ";")) end_statement_error(t, f.body.back().where);
    finish_body(f.body, true);
    return f;
  }

  function parse_long_function() {
    token const& kw = take();
    function f;
    parse_signature(f);
    parse_block(f.body, kw.where, "function");
    f.end_where = last_end_;
    take();  // end
    finish_body(f.body, true);
    return f;
  }

  // -- statements -----------------------------------------------------------

  // Parses statements up to `end`, `elseif` or `else` (left for the caller); only
  // `if` accepts the last two.
  void parse_block(std::vector<stmt>& body, loc opener, std::string_view what) {
    lex::depth_guard guard(depth_);
    guard.bump(peek().where, nested_block);
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::newline || is_op(t, ";")) {
        take();
        continue;
      }
      if (t.kind == tok::end)
        throw error(opener, "'" + std::string(what) + "' has no matching 'end'");
      if (is_kw(t, "end")) return;
      if (is_kw(t, "elseif") || is_kw(t, "else")) {
        if (what == "if") return;
        throw error(t.where, "'" + std::string(t.text) + "' without a matching 'if'");
      }
      parse_statement(body);
    }
  }

  void parse_statement(std::vector<stmt>& body) {
    token const& t = peek();
    loc start = t.where;
    if (is_kw(t, "if")) {
      body.push_back(parse_if());
    } else if (is_kw(t, "begin")) {
      token const& b = take();
      parse_block(body, b.where, "begin");
      take();
    } else if (is_kw(t, "return")) {
      stmt s;
      s.kind = stmt_kind::return_;
      s.where = take().where;
      token const& n = peek();
      if (n.kind == tok::newline || n.kind == tok::end || is_op(n, ";") || is_kw(n, "end"))
        throw error(s.where, "return needs a value");
      s.value = parse_expression();
      body.push_back(std::move(s));
    } else if (is_kw(t, "local")) {
      take();
      if (!is_plain_name(peek()) || (!is_op(peek(1), "=") && !is_op(peek(1), "::")))
        throw error(peek().where, "a local needs a name and a value: local x = ...");
      parse_assignment(body);
    } else if (is_plain_name(t) && (is_op(peek(1), "=") || is_op(peek(1), "::") || augmented(peek(1)))) {
      parse_assignment(body);
    } else {
      if (t.kind == tok::name && is_keyword(t.text) && !is_kw(t, "true") && !is_kw(t, "false")) unexpected(t);
      stmt s;
      s.kind = stmt_kind::return_;
      s.where = start;
      s.target = expression_marker;
      s.value = parse_expression();
      body.push_back(std::move(s));
    }
    token const& after = peek();
    if (after.kind == tok::newline || after.kind == tok::end || is_op(after, ";") || is_kw(after, "end") ||
        is_kw(after, "else") || is_kw(after, "elseif"))
      return;
    end_statement_error(after, start);
  }

  [[noreturn]] void end_statement_error(token const& t, loc start) {
    if (is_op(t, ",")) throw error(t.where, "tuples are not supported");
    if (is_op(t, "=") || augmented(t)) throw error(start, "only a plain name can be assigned to");
    if (t.kind == tok::number || (t.kind == tok::name && !is_keyword(t.text)) || is_op(t, "("))
      throw error(t.where, "unexpected " + quoted(t) + "; put one statement per line or separate with ';'");
    unexpected(t);
  }

  static std::optional<binary_op> augmented(token const& t) {
    if (t.kind != tok::op) return std::nullopt;
    std::string_view s = t.text;
    if (s == "+=") return binary_op::add;
    if (s == "-=") return binary_op::sub;
    if (s == "*=") return binary_op::mul;
    if (s == "/=") return binary_op::div;
    if (s == "^=") return binary_op::pow;
    if (s == "%=") return binary_op::mod_trunc;
    return std::nullopt;
  }

  void parse_assignment(std::vector<stmt>& body) {
    token const& target = take();
    stmt s;
    s.kind = stmt_kind::assign;
    s.where = target.where;
    s.target = std::string(target.text);
    s.target_where = target.where;
    if (is_op(peek(), "::")) {
      take();
      skip_type();
      if (!is_op(peek(), "=")) throw error(peek().where, "an annotated name needs a value: x::Float64 = ...");
    }
    token const& op = take();
    if (auto bop = augmented(op)) {
      auto lhs = make_expr(expr_kind::name, target.where);
      lhs->name = s.target;
      skip_newlines();
      s.value = make_binary(*bop, op.where, std::move(lhs), parse_expression());
    } else {
      skip_newlines();
      s.value = parse_expression();
    }
    if (is_op(peek(), "=")) throw error(peek().where, "chained assignment is not supported; assign one name at a time");
    body.push_back(std::move(s));
  }

  stmt parse_if() {
    lex::depth_guard guard(depth_);
    token const& kw = take();  // if / elseif
    guard.bump(kw.where, is_kw(kw, "elseif") ? "too many elseif branches" : nested_block);
    stmt s;
    s.kind = stmt_kind::if_;
    s.where = kw.where;
    s.cond = parse_expression();
    parse_block(s.then_body, kw.where, "if");
    token const& t = peek();
    if (is_kw(t, "elseif")) {
      s.else_body.push_back(parse_if());
      return s;  // the innermost elseif consumed the `end`
    }
    if (is_kw(t, "else")) {
      token const& e = take();
      parse_block(s.else_body, e.where, "if");
      if (!is_kw(peek(), "end")) unexpected(peek());
    }
    take();  // end
    return s;
  }

  // Makes Julia's implicit result explicit: the last statement of the body returns
  // its value (an assignment returns the assigned value; an if does so per branch).
  // Elsewhere an expression statement does nothing and is refused.
  void finish_body(std::vector<stmt>& body, bool tail) {
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
        stmt r;
        r.kind = stmt_kind::return_;
        r.where = s.target_where;
        r.value = make_expr(expr_kind::name, s.target_where);
        r.value->name = s.target;
        body.push_back(std::move(r));
        return;
      }
    }
  }

  // -- expressions ----------------------------------------------------------

  expr_ptr parse_expression() {
    lex::depth_guard guard(depth_);
    guard.bump(peek().where);
    expr_ptr cond = parse_or();
    if (!is_op(peek(), "?")) return cond;
    token const& q = take();
    skip_newlines();
    auto e = make_expr(expr_kind::if_exp, q.where);
    e->where = cond->where;
    e->args.push_back(std::move(cond));
    e->args.push_back(parse_expression());
    skip_newlines();
    if (!is_op(peek(), ":")) {
      if (auto m = refusal(peek())) throw error(peek().where, *m);
      throw error(peek().where, "expected ':' in the conditional expression c ? a : b");
    }
    take();
    skip_newlines();
    e->args.push_back(parse_expression());
    return e;
  }

  expr_ptr parse_or() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_and();
    while (is_op(peek(), "||")) {
      token const& op = take();
      guard.bump(op.where);
      skip_newlines();
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
    while (is_op(peek(), "&&")) {
      token const& op = take();
      guard.bump(op.where);
      skip_newlines();
      auto e = make_expr(expr_kind::and_, op.where);
      e->args.push_back(std::move(lhs));
      e->args.push_back(parse_comparison());
      lhs = std::move(e);
    }
    return lhs;
  }

  static std::optional<compare_op> comparison(token const& t) {
    if (t.kind != tok::op) return std::nullopt;
    std::string_view s = t.text;
    if (s == "<") return compare_op::lt;
    if (s == "<=" || s == le_sign) return compare_op::le;
    if (s == ">") return compare_op::gt;
    if (s == ">=" || s == ge_sign) return compare_op::ge;
    if (s == "==") return compare_op::eq;
    if (s == "!=" || s == ne_sign) return compare_op::ne;
    return std::nullopt;
  }

  void refuse_comparison_like(token const& t) {
    if (is_op(t, "===") || is_op(t, "!==") || is_op(t, "<:") || is_op(t, ">:") || is_kw(t, "in") || is_kw(t, "isa"))
      unexpected(t);
  }

  expr_ptr parse_comparison() {
    expr_ptr first = parse_pipe();
    refuse_comparison_like(peek());
    if (!comparison(peek())) return first;
    auto e = make_expr(expr_kind::compare, peek().where);
    e->args.push_back(std::move(first));
    while (auto op = comparison(peek())) {
      take();
      skip_newlines();
      e->cmp.push_back(*op);
      e->args.push_back(parse_pipe());
      refuse_comparison_like(peek());
    }
    return e;
  }

  // x |> f is f(x); the right side must name a function.
  expr_ptr parse_pipe() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_arith();
    while (is_op(peek(), "|>")) {
      token const& op = take();
      guard.bump(op.where);
      skip_newlines();
      if (!is_plain_name(peek())) throw error(peek().where, "the right side of |> must be a function name");
      auto call = make_expr(expr_kind::call, peek().where);
      call->name = dotted_name();
      if (is_op(peek(), "(")) throw error(peek().where, "the right side of |> must be a function name");
      call->args.push_back(std::move(lhs));
      call->kwnames.emplace_back();
      lhs = std::move(call);
    }
    return lhs;
  }

  expr_ptr parse_arith() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_term();
    for (;;) {
      token const& t = peek();
      binary_op op;
      if (is_op(t, "+")) op = binary_op::add;
      else if (is_op(t, "-")) op = binary_op::sub;
      else if (is_op(t, "|") || is_op(t, "<<") || is_op(t, ">>") || is_op(t, ">>>")) unexpected(t);
      else return lhs;
      token const& o = take();
      guard.bump(o.where);
      skip_newlines();
      lhs = make_binary(op, o.where, std::move(lhs), parse_term());
    }
  }

  expr_ptr parse_term() {
    lex::depth_guard guard(depth_);
    expr_ptr lhs = parse_unary();
    for (;;) {
      token const& t = peek();
      binary_op op;
      if (is_op(t, "*")) op = binary_op::mul;
      else if (is_op(t, "/")) op = binary_op::div;
      else if (is_op(t, div_sign)) op = binary_op::trunc_div;
      else if (is_op(t, "%")) op = binary_op::mod_trunc;
      else if (is_op(t, "\\") || is_op(t, "&") || is_op(t, "//")) unexpected(t);
      else return lhs;
      token const& o = take();
      guard.bump(o.where);
      skip_newlines();
      lhs = make_binary(op, o.where, std::move(lhs), parse_unary());
    }
  }

  // Unary operators bind looser than ^ (-x^2 is -(x^2)) and tighter than *.
  expr_ptr parse_unary() {
    token const& t = peek();
    if (!is_op(t, "-") && !is_op(t, "+") && !is_op(t, "!") && !is_op(t, sqrt_sign)) {
      if (is_op(t, "~")) unexpected(t);
      return parse_juxtaposition();
    }
    lex::depth_guard guard(depth_);
    token const& op = take();
    guard.bump(op.where);
    expr_ptr operand = parse_unary();
    expr_ptr e;
    if (is_op(op, "!")) {
      e = make_expr(expr_kind::not_, op.where);
    } else if (is_op(op, sqrt_sign)) {
      e = make_expr(expr_kind::call, op.where);
      e->name = "sqrt";
      e->kwnames.emplace_back();
    } else {
      e = make_expr(expr_kind::unary, op.where);
      e->op_char = op.text[0];
    }
    e->args.push_back(std::move(operand));
    return e;
  }

  // A numeric literal written against a name or '(' multiplies it, binding tighter
  // than * and looser than ^: 2x^2 is 2*(x^2).
  expr_ptr parse_juxtaposition() {
    token const& t = peek();
    token const& next = peek(1);
    if (t.kind != tok::number || next.space_before || !(is_plain_name(next) || is_op(next, "(")))
      return parse_power();
    lex::depth_guard guard(depth_);
    guard.bump(next.where);
    expr_ptr number = parse_number();
    loc where = peek().where;
    return make_binary(binary_op::mul, where, std::move(number), parse_power());
  }

  expr_ptr parse_power() {
    expr_ptr base = parse_primary();
    if (!is_op(peek(), "^")) return base;
    lex::depth_guard guard(depth_);
    token const& op = take();
    guard.bump(op.where);
    skip_newlines();
    return make_binary(binary_op::pow, op.where, std::move(base), parse_unary());
  }

  expr_ptr parse_number() {
    token const& n = take();
    auto e = make_expr(expr_kind::number, n.where);
    e->text = std::string(n.text);
    e->is_integer = n.is_integer;
    e->is_float32 = n.is_float32;
    e->int_value = n.int_value;
    e->float_value = n.float_value;
    return e;
  }

  std::string dotted_name() {
    std::string name(take().text);
    while (is_op(peek(), ".")) {
      token const& dot = take();
      token const& part = peek();
      if (is_op(part, "(")) throw error(dot.where, broadcasting);
      if (!is_plain_name(part)) throw error(part.where, "expected a name after '.'");
      name += '.';
      name += take().text;
    }
    return name;
  }

  expr_ptr parse_primary() {
    token const& t = peek();
    expr_ptr e;
    if (t.kind == tok::number) {
      e = parse_number();
    } else if (is_kw(t, "true") || is_kw(t, "false")) {
      token const& b = take();
      e = make_expr(expr_kind::boolean, b.where);
      e->text = std::string(b.text);
      e->int_value = b.text == "true" ? 1 : 0;
    } else if (is_plain_name(t)) {
      e = parse_name();
    } else if (is_op(t, "(")) {
      token const& open = take();
      if (is_op(peek(), ")")) throw error(open.where, "tuples are not supported");
      e = parse_expression();
      token const& close = peek();
      if (is_op(close, ",")) throw error(close.where, "tuples are not supported");
      if (is_kw(close, "for")) throw error(close.where, "comprehensions are not supported");
      if (is_op(close, ";")) throw error(close.where, "blocks in parentheses are not supported");
      if (is_op(close, "=")) throw error(close.where, "assignments inside expressions are not supported");
      expect_op(")");
    } else if (is_kw(t, "if")) {
      throw error(t.where, "'if' is a statement here; use c ? a : b for a conditional value");
    } else if (is_kw(t, "begin")) {
      throw error(t.where, "begin blocks are only supported as statements");
    } else if (is_op(t, ":")) {
      throw error(t.where, "symbols are not supported");
    } else {
      unexpected(t);
    }
    token const& after = peek();
    if (is_op(after, "[")) throw error(after.where, "indexing is not supported");
    if (is_op(after, "(")) throw error(after.where, "only named functions can be called");
    if (is_op(after, "::")) unexpected(after);
    if (is_op(after, "{")) throw error(after.where, "parametric types are not supported");
    return e;
  }

  // A dotted name, and a call if '(' follows. div/rem/mod/fld become operators
  // unless the file defines a function of that name.
  expr_ptr parse_name() {
    loc where = peek().where;
    auto e = make_expr(expr_kind::name, where);
    e->name = dotted_name();
    if (is_op(peek(), "[")) throw error(peek().where, "indexing is not supported");
    if (!is_op(peek(), "(")) return e;
    if (peek().space_before) throw error(peek().where, "remove the space before '(' in a call");
    e->kind = expr_kind::call;
    take();
    bool keywords_seen = false;
    while (!is_op(peek(), ")")) {
      token const& t = peek();
      if (is_op(t, ";")) throw error(t.where, "keyword arguments after ';' are not supported; write name=value");
      if (is_plain_name(t) && is_op(peek(1), "=")) {
        token const& key = take();
        take();
        for (std::string const& k : e->kwnames)
          if (k == key.text) throw error(key.where, "duplicate keyword argument '" + k + "'");
        e->kwnames.emplace_back(key.text);
        keywords_seen = true;
      } else {
        if (keywords_seen) throw error(t.where, "positional argument follows keyword argument");
        e->kwnames.emplace_back();
      }
      e->args.push_back(parse_expression());
      token const& after = peek();
      if (is_kw(after, "for")) throw error(after.where, "comprehensions are not supported");
      if (is_op(after, "...")) unexpected(after);
      if (!is_op(after, ",")) break;
      take();
    }
    expect_op(")");
    if (is_kw(peek(), "do")) unexpected(peek());
    static constexpr std::pair<std::string_view, binary_op> integer_ops[] = {
        {"div", binary_op::trunc_div}, {"rem", binary_op::mod_trunc}, {"mod", binary_op::mod_floor},
        {"fld", binary_op::floor_div}};
    if (e->args.size() == 2 && !keywords_seen && !defined_.contains(e->name)) {
      for (auto [name, op] : integer_ops) {
        if (e->name == name) return make_binary(op, where, std::move(e->args[0]), std::move(e->args[1]));
      }
    }
    return e;
  }

  std::vector<token> toks_;
  std::size_t pos_ = 0;
  loc last_end_;
  int depth_ = 0;
  std::unordered_set<std::string> defined_;
};

}  // namespace

module parse_julia(std::string_view source) {
  parser p(source);
  return p.parse_module();
}

}  // namespace kst
