// Python front end: a tokenizer (INDENT/DEDENT, implicit and explicit line joining,
// every numeric spelling) and a recursive-descent parser for the scalar subset of
// SPEC §4. Constructs outside the subset are refused at their first token with a
// message saying what to write instead.

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "frontends.hpp"

namespace kst {
namespace {

// ---------------------------------------------------------------------------
// Characters. Hand-written rather than <cctype> so the locale cannot change
// what counts as a letter, and bytes >= 0x80 are never letters.

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool is_digit_in(char c, int base) {
  switch (base) {
    case 2:
      return c == '0' || c == '1';
    case 8:
      return c >= '0' && c <= '7';
    case 16:
      return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    default:
      return is_digit(c);
  }
}

int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// How a byte is shown in a message: printable ASCII as itself, the rest escaped,
// so a NUL or a stray UTF-8 byte cannot garble the terminal.
std::string show_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("\\x") + hex[u >> 4] + hex[u & 15];
}

// ---------------------------------------------------------------------------
// Tokens

enum class tok { name, number, string, op, newline, indent, dedent, end };

struct token {
  tok kind = tok::end;
  std::string_view text;  // as written; empty for newline/indent/dedent/end
  loc where;              // first byte
  loc end;                // just after the last byte
  bool is_integer = false;
  long long int_value = 0;
  double float_value = 0;
};

// Longest match first.
constexpr std::string_view operators[] = {
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=",
    "-=",  "*=",  "/=",  "%=",  "&=",  "|=", "^=", "@=", "+",  "-",  "*",  "/",  "%",  "@",  "&",  "|",
    "^",   "~",   "<",   ">",   "(",   ")",  "[",  "]",  "{",  "}",  ",",  ":",  ".",  ";",  "="};

// Produces tokens on demand, so errors surface in source order: a parse error on
// line 2 is reported before a bad literal on line 90.
class lexer {
 public:
  explicit lexer(std::string_view source) : src_(source) {
    if (src_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;  // UTF-8 BOM
  }

  token next() {
    token t = produce();
    last_ = t.kind;
    return t;
  }

 private:
  token produce() {
    if (pending_dedents_ > 0) {
      --pending_dedents_;
      return {tok::dedent, {}, pending_where_, pending_where_};
    }
    for (;;) {
      if (at_line_start_ && bracket_depth_ == 0) {
        token t;
        if (start_line(t)) return t;
      }
      skip_blanks();
      if (pos_ >= src_.size()) return end_of_input();
      if (std::size_t n = newline_length(pos_)) {
        loc w = here();
        consume_newline(n);
        if (bracket_depth_ > 0) continue;  // implicit line joining
        at_line_start_ = true;
        return {tok::newline, {}, w, w};
      }
      return scan_token();
    }
  }

  loc here() const { return {line_, static_cast<int>(pos_ - line_start_) + 1}; }
  loc at(std::size_t p) const { return {line_, static_cast<int>(p - line_start_) + 1}; }

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

  void skip_comment() {
    while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
  }

  // Skips blank and comment-only lines, then measures the indentation of the next
  // logical line. Returns true with an INDENT or DEDENT in `out` if it changed.
  bool start_line(token& out) {
    for (;;) {
      std::size_t indent_start = pos_;
      while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\f')) {
        if (src_[pos_] == '\f') indent_start = pos_ + 1;  // Python resets the count at a form feed
        ++pos_;
      }
      if (pos_ < src_.size() && src_[pos_] == '#') skip_comment();
      if (std::size_t n = newline_length(pos_)) {
        consume_newline(n);
        continue;
      }
      at_line_start_ = false;
      if (pos_ >= src_.size()) return false;
      return indentation(src_.substr(indent_start, pos_ - indent_start), indent_start, out);
    }
  }

  bool indentation(std::string_view indent, std::size_t indent_start, token& out) {
    auto mixed = [&](std::size_t i) {
      throw error(at(indent_start + i), "indentation mixes tabs and spaces; indent with spaces only");
    };
    if (auto i = indent.find_first_not_of(indent.empty() ? ' ' : indent[0]); i != indent.npos) mixed(i);
    loc first = here();
    std::string_view top = indents_.back();
    if (indent == top) return false;
    if (indent.starts_with(top)) {
      indents_.push_back(indent);
      out = {tok::indent, {}, first, first};
      return true;
    }
    if (top.starts_with(indent)) {
      int count = 0;
      while (indents_.back().size() > indent.size()) {
        indents_.pop_back();
        ++count;
      }
      if (indents_.back().size() != indent.size())
        throw error(first, "unindent does not match any outer indentation level");
      pending_dedents_ = count - 1;
      pending_where_ = first;
      out = {tok::dedent, {}, first, first};
      return true;
    }
    // Neither is a prefix of the other: one block used tabs, another spaces.
    std::size_t i = 0;
    while (i < indent.size() && i < top.size() && indent[i] == top[i]) ++i;
    mixed(i);
    return false;
  }

  void skip_blanks() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        skip_comment();
      } else if (c == '\\') {
        loc w = here();
        std::size_t n = newline_length(pos_ + 1);
        if (n) {
          ++pos_;
          consume_newline(n);
        } else if (pos_ + 1 >= src_.size()) {
          throw error(w, "unexpected end of file after line continuation");
        } else {
          throw error(w, "unexpected character after line continuation '\\'");
        }
      } else {
        return;
      }
    }
  }

  token end_of_input() {
    loc w = here();
    if (bracket_depth_ > 0) return {tok::end, {}, w, w};  // the parser reports the unclosed bracket
    if (last_ != tok::newline && last_ != tok::indent && last_ != tok::dedent && last_ != tok::end)
      return {tok::newline, {}, w, w};
    if (indents_.size() > 1) {
      indents_.pop_back();
      return {tok::dedent, {}, w, w};
    }
    return {tok::end, {}, w, w};
  }

  token finish(tok kind, std::size_t start, loc where) {
    token t;
    t.kind = kind;
    t.text = src_.substr(start, pos_ - start);
    t.where = where;
    t.end = here();
    return t;
  }

  token scan_token() {
    char c = src_[pos_];
    if (is_alpha(c)) return scan_name();
    if (is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))) return scan_number();
    if (c == '"' || c == '\'') return scan_string(pos_, here());
    if (is_non_ascii(c)) throw error(here(), "non-ascii characters are only allowed in comments and strings");
    std::string_view rest = src_.substr(pos_);
    for (std::string_view op : operators) {
      if (!rest.starts_with(op)) continue;
      loc w = here();
      std::size_t start = pos_;
      pos_ += op.size();
      if (op == "(" || op == "[" || op == "{") ++bracket_depth_;
      if ((op == ")" || op == "]" || op == "}") && bracket_depth_ > 0) --bracket_depth_;
      return finish(tok::op, start, w);
    }
    if (c == '!') throw error(here(), "unexpected '!'; use 'not' for logical negation");
    throw error(here(), "invalid character '" + show_byte(c) + "'");
  }

  token scan_name() {
    std::size_t start = pos_;
    loc w = here();
    while (pos_ < src_.size() && is_alnum(src_[pos_])) ++pos_;
    if (pos_ < src_.size() && (src_[pos_] == '"' || src_[pos_] == '\'')) {
      std::string prefix;
      for (char c : src_.substr(start, pos_ - start)) prefix += static_cast<char>(c | 0x20);
      static constexpr std::string_view prefixes[] = {"r", "u", "b", "f", "br", "rb", "fr", "rf"};
      if (std::find(std::begin(prefixes), std::end(prefixes), prefix) != std::end(prefixes))
        return scan_string(start, w);
    }
    if (pos_ < src_.size() && is_non_ascii(src_[pos_]))
      throw error(here(), "non-ascii identifiers are not supported");
    return finish(tok::name, start, w);
  }

  // A string is lexed only to be skipped (docstrings) or refused; escapes are not
  // decoded. A backslash protects the next character even in raw strings, as in Python.
  token scan_string(std::size_t start, loc w) {
    char quote = src_[pos_];
    bool triple = src_.substr(pos_, 3) == std::string(3, quote);
    pos_ += triple ? 3 : 1;
    for (;;) {
      if (pos_ >= src_.size())
        throw error(w, triple ? "unterminated triple-quoted string" : "unterminated string");
      char c = src_[pos_];
      if (c == '\\') {
        ++pos_;
        if (std::size_t n = newline_length(pos_)) {
          consume_newline(n);
        } else if (pos_ < src_.size()) {
          ++pos_;
        }
      } else if (std::size_t n = newline_length(pos_)) {
        if (!triple) throw error(w, "unterminated string");
        consume_newline(n);
      } else if (c == quote && (!triple || src_.substr(pos_, 3) == std::string(3, quote))) {
        pos_ += triple ? 3 : 1;
        return finish(tok::string, start, w);
      } else {
        ++pos_;
      }
    }
  }

  // digit (["_"] digit)*, in the given base. Returns whether any digit was read;
  // an underscore not followed by a digit is left for the caller to reject.
  bool digits(int base, bool leading_underscore_ok) {
    bool any = false;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (is_digit_in(c, base)) {
        ++pos_;
        any = true;
      } else if (c == '_' && (any || leading_underscore_ok) && pos_ + 1 < src_.size() &&
                 is_digit_in(src_[pos_ + 1], base)) {
        pos_ += 2;
        any = true;
      } else {
        break;
      }
    }
    return any;
  }

  token scan_number() {
    std::size_t start = pos_;
    loc w = here();
    auto invalid = [&] { throw error(w, "invalid number literal"); };
    auto check_end = [&] {
      if (pos_ < src_.size() && (src_[pos_] == 'j' || src_[pos_] == 'J'))
        throw error(w, "complex numbers are not supported");
      if (pos_ < src_.size() && (is_alnum(src_[pos_]) || is_non_ascii(src_[pos_]))) invalid();
    };
    auto too_large = [&] {
      throw error(w, "integer literal is too large (the limit is 9223372036854775807)");
    };

    if (src_[pos_] == '0' && pos_ + 1 < src_.size()) {
      char p = static_cast<char>(src_[pos_ + 1] | 0x20);
      int base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
      if (base != 0) {
        pos_ += 2;
        std::size_t digits_start = pos_;
        if (!digits(base, true)) invalid();
        if (pos_ < src_.size() && (is_alnum(src_[pos_]) || is_non_ascii(src_[pos_]))) invalid();
        long long value = 0;
        for (char c : src_.substr(digits_start, pos_ - digits_start)) {
          if (c == '_') continue;
          int d = digit_value(c);
          if (value > (LLONG_MAX - d) / base) too_large();
          value = value * base + d;
        }
        token t = finish(tok::number, start, w);
        t.is_integer = true;
        t.int_value = value;
        return t;
      }
    }

    bool is_float = false;
    bool has_int_part = digits(10, false);
    if (pos_ < src_.size() && src_[pos_] == '.') {
      ++pos_;
      is_float = true;
      if (!digits(10, false) && !has_int_part) invalid();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      ++pos_;
      is_float = true;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      if (!digits(10, false)) invalid();
    }
    check_end();
    token t = finish(tok::number, start, w);

    std::string plain;
    for (char c : t.text)
      if (c != '_') plain += c;
    if (!is_float) {
      if (plain.size() > 1 && plain[0] == '0') {
        if (plain.find_first_not_of('0') != plain.npos)
          throw error(w, "leading zeros are not allowed in decimal integers; use 0o for octal");
      }
      long long value = 0;
      for (char c : plain) {
        int d = c - '0';
        if (value > (LLONG_MAX - d) / 10) too_large();
        value = value * 10 + d;
      }
      t.is_integer = true;
      t.int_value = value;
      return t;
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value);
    if (ec == std::errc::result_out_of_range) {
      if (exponent_of(plain) > 0) throw error(w, "float literal is too large");
      value = 0;  // underflow: Python rounds to zero too
    } else if (ec != std::errc{} || ptr != plain.data() + plain.size()) {
      invalid();
    }
    t.float_value = value;
    return t;
  }

  // Rough decimal magnitude of a literal that from_chars found out of range:
  // positive means overflow, otherwise underflow.
  static long long exponent_of(std::string_view s) {
    std::size_t e = s.find_first_of("eE");
    std::string_view mantissa = s.substr(0, e);
    long long exp = 0;
    if (e != s.npos) {
      std::size_t i = e + 1;
      bool negative = i < s.size() && s[i] == '-';
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      for (; i < s.size(); ++i) exp = std::min(exp * 10 + (s[i] - '0'), 1'000'000'000'000LL);
      if (negative) exp = -exp;
    }
    std::size_t point = mantissa.find('.');
    if (point == mantissa.npos) point = mantissa.size();
    std::size_t first = mantissa.find_first_of("123456789");
    if (first == mantissa.npos) return -1;
    long long position =
        first < point ? static_cast<long long>(point - first) : -static_cast<long long>(first - point - 1);
    return position + exp;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  int bracket_depth_ = 0;
  bool at_line_start_ = true;
  tok last_ = tok::newline;  // decides whether a NEWLINE is owed at the end of the input
  std::vector<std::string_view> indents_{std::string_view{}};
  int pending_dedents_ = 0;
  loc pending_where_;
};

// ---------------------------------------------------------------------------
// Parser

constexpr std::string_view keywords[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

bool is_keyword(std::string_view s) {
  return std::find(std::begin(keywords), std::end(keywords), s) != std::end(keywords);
}

constexpr char nested_expression[] = "expression nested too deeply";
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
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

class parser {
 public:
  explicit parser(std::string_view source) : lex_(source) {}

  module parse_module() {
    module m;
    bool first = true;
    for (;;) {
      token const& t = peek();
      if (t.kind == tok::end) break;
      if (t.kind == tok::newline) {
        take();
        continue;
      }
      if (t.kind == tok::indent) throw error(t.where, "unexpected indent");
      if (is_kw(t, "import") || is_kw(t, "from")) {
        parse_import();
        end_simple_statement();
      } else if (is_kw(t, "def") || is_op(t, "@")) {
        m.functions.push_back(parse_function());
      } else if (is_kw(t, "async")) {
        throw error(t.where, "async functions are not supported");
      } else if (t.kind == tok::string && first && is_docstring()) {
        skip_docstring();
        end_simple_statement();
      } else {
        throw error(t.where, "only imports and function definitions are allowed at the top level");
      }
      first = false;
    }
    for (function& f : m.functions) resolve(f);
    return m;
  }

 private:
  // Raises a nesting depth for as long as it lives; every recursion of the parser
  // passes through one, so hostile input fails here instead of overflowing the stack.
  // Expressions and blocks (if/elif) have separate budgets of max_nesting each.
  struct nesting {
    parser& p;
    int& depth;
    int count = 0;
    char const* message;
    nesting(parser& owner, int& counter, char const* what, bool now = true)
        : p(owner), depth(counter), message(what) {
      if (now) bump();
    }
    nesting(nesting const&) = delete;
    nesting& operator=(nesting const&) = delete;
    ~nesting() { depth -= count; }
    // Left-associative chains build left-deep trees without recursing; they count too,
    // so the AST handed on is never deeper than max_nesting allows.
    void bump() {
      ++depth;
      ++count;
      if (depth > max_nesting) throw error(p.peek().where, message);
    }
  };

  // -- tokens ---------------------------------------------------------------

  token const& peek(std::size_t k = 0) {
    while (ahead_.size() <= k) ahead_.push_back(lex_.next());
    return ahead_[k];
  }

  token take() {
    token t = peek();
    ahead_.pop_front();
    // A trailing ';' is not part of the body as far as "where the body ends" goes.
    if (t.kind == tok::name || t.kind == tok::number || t.kind == tok::string ||
        (t.kind == tok::op && t.text != ";"))
      last_end_ = t.end;
    return t;
  }

  static bool is_op(token const& t, std::string_view op) { return t.kind == tok::op && t.text == op; }
  static bool is_kw(token const& t, std::string_view kw) { return t.kind == tok::name && t.text == kw; }
  static bool is_plain_name(token const& t) { return t.kind == tok::name && !is_keyword(t.text); }
  static bool ends_statement(token const& t) {
    return t.kind == tok::newline || t.kind == tok::end || is_op(t, ";");
  }

  static std::string quoted(token const& t) {
    std::string_view text = t.text.substr(0, 30);
    std::string s = "'";
    for (char c : text) s += c;
    if (t.text.size() > text.size()) s += "...";
    return s + "'";
  }

  // A message for a token the subset refuses outright, wherever it appears.
  static std::optional<std::string> refusal(token const& t) {
    switch (t.kind) {
      case tok::string:
        return "strings are not supported";
      case tok::indent:
        return "unexpected indent";
      case tok::op: {
        std::string_view s = t.text;
        if (s == ":=") return "assignment expressions (:=) are not supported; assign on a line of its own";
        if (s == "[" || s == "{") return "containers are not supported";
        if (s == "|" || s == "&" || s == "^" || s == "~" || s == "<<" || s == ">>" || s == "|=" ||
            s == "&=" || s == "^=" || s == "<<=" || s == ">>=")
          return "bitwise operators are not supported";
        if (s == "@" || s == "@=") return "matrix multiplication (@) is not supported";
        if (s == "...") return "'...' is not supported";
        return std::nullopt;
      }
      case tok::name: {
        std::string_view s = t.text;
        if (s == "for" || s == "while" || s == "break" || s == "continue") return "loops are not supported";
        if (s == "lambda") return "lambda is not supported; define a function with def";
        if (s == "def") return "nested functions are not supported; define functions at the top level";
        if (s == "class") return "classes are not supported";
        if (s == "global" || s == "nonlocal") return "global and nonlocal are not supported";
        if (s == "import" || s == "from") return "imports are only allowed at the top level";
        if (s == "with") return "with statements are not supported";
        if (s == "try" || s == "except" || s == "finally" || s == "raise")
          return "exceptions are not supported";
        if (s == "assert") return "assert is not supported";
        if (s == "del") return "del is not supported";
        if (s == "yield") return "generators (yield) are not supported";
        if (s == "async" || s == "await") return "async and await are not supported";
        if (s == "is") return "'is' is not supported; use == or !=";
        if (s == "in") return "'in' is not supported";
        if (s == "None") return "None is not supported";
        return std::nullopt;
      }
      default:
        return std::nullopt;
    }
  }

  [[noreturn]] void unexpected(token const& t) {
    if (auto m = refusal(t)) throw error(t.where, *m);
    switch (t.kind) {
      case tok::end:
        throw error(t.where, "unexpected end of file");
      case tok::newline:
        throw error(t.where, "unexpected end of line");
      case tok::dedent:
        throw error(t.where, "unexpected dedent");
      case tok::number:
        throw error(t.where, "unexpected number " + quoted(t));
      default:
        throw error(t.where, "unexpected " + quoted(t));
    }
  }

  token expect_op(std::string_view op) {
    token const& t = peek();
    if (is_op(t, op)) return take();
    if (auto m = refusal(t)) throw error(t.where, *m);
    if (t.kind == tok::end)
      throw error(t.where, "unexpected end of file; expected '" + std::string(op) + "'");
    throw error(t.where, "expected '" + std::string(op) + "'");
  }

  token expect_name(char const* what) {
    token const& t = peek();
    if (is_plain_name(t)) return take();
    if (auto m = refusal(t)) throw error(t.where, *m);
    throw error(t.where, std::string("expected ") + what);
  }

  // -- top level ------------------------------------------------------------

  std::string dotted_name(char const* what) {
    std::string name(expect_name(what).text);
    while (is_op(peek(), ".")) {
      take();
      name += '.';
      name += expect_name("a name after '.'").text;
    }
    return name;
  }

  void parse_import() {
    if (is_kw(take(), "import")) {
      for (;;) {
        std::string module_name = dotted_name("a module name");
        if (is_kw(peek(), "as")) {
          take();
          bind(std::string(expect_name("a name after 'as'").text), module_name);
        } else {
          std::string head = module_name.substr(0, module_name.find('.'));
          bind(head, head);
        }
        if (!is_op(peek(), ",")) return;
        take();
      }
    }
    if (is_op(peek(), ".") || is_op(peek(), "..."))
      throw error(peek().where, "relative imports are not supported");
    std::string module_name = dotted_name("a module name");
    token const& kw = peek();
    if (!is_kw(kw, "import")) throw error(kw.where, "expected 'import'");
    take();
    if (is_op(peek(), "*"))
      throw error(peek().where, "'import *' is not supported; import the names you use");
    bool parenthesized = is_op(peek(), "(");
    if (parenthesized) take();
    for (;;) {
      token name = expect_name("a name to import");
      std::string local(name.text);
      if (is_kw(peek(), "as")) {
        take();
        local = expect_name("a name after 'as'").text;
      }
      if (module_name != "__future__") bind(local, module_name + "." + std::string(name.text));
      if (!is_op(peek(), ",")) break;
      take();
      if (parenthesized && is_op(peek(), ")")) break;
    }
    if (parenthesized) expect_op(")");
  }

  void bind(std::string local, std::string target) { aliases_[std::move(local)] = std::move(target); }

  // Decorators are skipped: `@dotted.name` or `@dotted.name(...)`, the arguments
  // passed over by bracket matching (no recursion, whatever they contain).
  void skip_decorators() {
    while (is_op(peek(), "@")) {
      take();
      dotted_name("a decorator name");
      if (is_op(peek(), "(")) {
        take();
        long depth = 1;
        while (depth > 0) {
          token t = take();
          if (t.kind == tok::end) throw error(t.where, "unexpected end of file in decorator arguments");
          if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{")) ++depth;
          if (is_op(t, ")") || is_op(t, "]") || is_op(t, "}")) --depth;
        }
      }
      token const& t = peek();
      if (t.kind != tok::newline) unexpected(t);
      take();
    }
    token const& t = peek();
    if (is_kw(t, "class"))
      throw error(t.where, "only imports and function definitions are allowed at the top level");
    if (is_kw(t, "async")) throw error(t.where, "async functions are not supported");
    if (!is_kw(t, "def")) throw error(t.where, "expected 'def' after a decorator");
  }

  function parse_function() {
    skip_decorators();
    take();  // def
    function f;
    token name = expect_name("a function name");
    f.name = name.text;
    f.where = name.where;
    aliases_.erase(f.name);  // a def rebinds the name, as it would in Python
    expect_op("(");
    while (!is_op(peek(), ")")) {
      token const& t = peek();
      if (is_op(t, "*")) throw error(t.where, "*args is not supported");
      if (is_op(t, "**")) throw error(t.where, "**kwargs is not supported");
      if (is_op(t, "/")) throw error(t.where, "positional-only parameters (/) are not supported");
      token p = expect_name("a parameter name");
      for (param const& q : f.params)
        if (q.name == p.text) throw error(p.where, "duplicate parameter '" + q.name + "'");
      f.params.push_back({std::string(p.text), p.where});
      if (is_op(peek(), ":")) {
        take();
        skip_annotation();
      }
      if (is_op(peek(), "=")) throw error(peek().where, "default values are not supported");
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op(")");
    if (is_op(peek(), "->")) {
      take();
      skip_annotation();
    }
    expect_op(":");
    loc body_start = parse_suite(f.body, true);
    f.end_where = last_end_;
    if (f.body.empty()) throw error(body_start, "function body is empty");
    return f;
  }

  // Annotations are skipped, but parsed: a name with optional dots and subscripts,
  // strings ("float"), None, unions with |, and nested lists as in Callable[[float], float].
  void skip_annotation() {
    nesting guard(*this, depth_, nested_expression);
    skip_annotation_atom();
    while (is_op(peek(), "|")) {
      take();
      skip_annotation_atom();
    }
  }

  void skip_annotation_atom() {
    token const& t = peek();
    if (t.kind == tok::string) {
      while (peek().kind == tok::string) take();
    } else if (t.kind == tok::number || is_kw(t, "None") || is_kw(t, "True") || is_kw(t, "False") ||
               is_op(t, "...")) {
      take();
    } else if (is_plain_name(t)) {
      dotted_name("a type");
      while (is_op(peek(), "[")) {
        take();
        skip_annotation_list("]");
      }
    } else if (is_op(t, "[") || is_op(t, "(")) {
      bool square = is_op(take(), "[");
      skip_annotation_list(square ? "]" : ")");
    } else {
      if (t.kind == tok::op) throw error(t.where, "expected a type annotation");
      unexpected(t);
    }
  }

  void skip_annotation_list(std::string_view close) {
    while (!is_op(peek(), close)) {
      skip_annotation();
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op(close);
  }

  // -- statements -----------------------------------------------------------

  bool is_docstring() {
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
    token const& t = peek();
    if (t.kind != tok::indent) throw error(t.where, "expected an indented block");
    take();
    loc start = peek().where;
    bool first = true;
    while (peek().kind != tok::dedent && peek().kind != tok::end) {
      parse_statement(body, docstring_ok && first);
      first = false;
    }
    if (peek().kind == tok::dedent) take();
    return start;
  }

  void parse_statement(std::vector<stmt>& body, bool docstring_ok) {
    token const& t = peek();
    if (is_kw(t, "if")) {
      body.push_back(parse_if());
      return;
    }
    if (is_kw(t, "elif") || is_kw(t, "else"))
      throw error(t.where, "'" + std::string(t.text) + "' without a matching 'if'");
    if (is_op(t, "@"))
      throw error(t.where, "nested functions are not supported; define functions at the top level");
    parse_simple_statements(body, docstring_ok);
  }

  stmt parse_if() {
    nesting guard(*this, block_depth_, is_kw(peek(), "elif") ? "too many elif branches" : nested_block);
    stmt s;
    s.kind = stmt_kind::if_;
    s.where = take().where;  // if / elif
    s.cond = parse_expression();
    expect_op(":");
    parse_suite(s.then_body, false);
    if (is_kw(peek(), "elif")) {
      s.else_body.push_back(parse_if());
    } else if (is_kw(peek(), "else")) {
      take();
      expect_op(":");
      parse_suite(s.else_body, false);
    }
    return s;
  }

  void parse_simple_statements(std::vector<stmt>& body, bool docstring_ok) {
    for (;;) {
      parse_simple(body, docstring_ok);
      docstring_ok = false;
      if (!is_op(peek(), ";")) break;
      take();
      if (peek().kind == tok::newline || peek().kind == tok::end) break;
    }
    end_simple_statement();
  }

  void end_simple_statement() {
    if (is_op(peek(), ";")) {
      take();
      if (peek().kind == tok::newline) take();
      return;
    }
    token const& t = peek();
    if (t.kind == tok::newline) {
      take();
      return;
    }
    if (t.kind == tok::end) return;
    if (is_op(t, ","))
      throw error(t.where, "tuples are not supported; use one value per assignment or return");
    if (is_op(t, "="))
      throw error(t.where, "multiple assignment targets are not supported; assign one name at a time");
    unexpected(t);
  }

  static std::optional<binary_op> augmented(token const& t) {
    if (t.kind != tok::op) return std::nullopt;
    std::string_view s = t.text;
    if (s == "+=") return binary_op::add;
    if (s == "-=") return binary_op::sub;
    if (s == "*=") return binary_op::mul;
    if (s == "/=") return binary_op::div;
    if (s == "//=") return binary_op::floor_div;
    if (s == "%=") return binary_op::mod_floor;
    if (s == "**=") return binary_op::pow;
    return std::nullopt;
  }

  static bool is_assignment_op(token const& t) {
    return is_op(t, "=") || (t.kind == tok::op && t.text.size() >= 2 && t.text.back() == '=' &&
                             t.text != "==" && t.text != "<=" && t.text != ">=" && t.text != "!=");
  }

  void parse_simple(std::vector<stmt>& body, bool docstring_ok) {
    token const& t = peek();
    if (is_kw(t, "return")) {
      stmt s;
      s.kind = stmt_kind::return_;
      s.where = take().where;
      if (ends_statement(peek())) throw error(s.where, "return needs a value");
      s.value = parse_expression();
      body.push_back(std::move(s));
      return;
    }
    if (is_kw(t, "pass")) {
      take();
      return;
    }
    if (t.kind == tok::string && docstring_ok && is_docstring()) {
      skip_docstring();
      return;
    }
    if (t.kind == tok::name && !is_keyword(t.text)) {
      token const& next = peek(1);
      if (is_op(next, "=") || is_op(next, ":") || augmented(next)) {
        parse_assignment(body);
        return;
      }
    }
    if (t.kind == tok::name && is_keyword(t.text) && !is_kw(t, "not") && !is_kw(t, "True") &&
        !is_kw(t, "False") && !is_kw(t, "None") && !is_kw(t, "lambda") && !is_kw(t, "await") &&
        !is_kw(t, "yield"))
      unexpected(t);
    if (is_op(t, "*")) throw error(t.where, "starred expressions are not supported");
    loc start = t.where;
    parse_expression();
    token const& after = peek();
    if (is_assignment_op(after)) {
      if (auto m = refusal(after)) throw error(after.where, *m);
      throw error(start, "only a plain name can be assigned to");
    }
    if (ends_statement(after))
      throw error(start, "an expression statement has no effect; assign or return the value");
  }

  void parse_assignment(std::vector<stmt>& body) {
    token target = take();
    stmt s;
    s.kind = stmt_kind::assign;
    s.where = target.where;
    s.target = target.text;
    s.target_where = target.where;
    token op = take();
    if (is_op(op, ":")) {
      skip_annotation();
      if (!is_op(peek(), "="))
        throw error(peek().where, "an annotated name needs a value: write '" + s.target + ": type = value'");
      take();
      s.value = parse_expression();
    } else if (auto bop = augmented(op)) {
      auto lhs = make_expr(expr_kind::name, target.where);
      lhs->name = s.target;
      s.value = make_binary(*bop, op.where, std::move(lhs), parse_expression());
    } else {
      s.value = parse_expression();
    }
    body.push_back(std::move(s));
  }

  // -- expressions ----------------------------------------------------------

  expr_ptr parse_expression() {
    nesting guard(*this, depth_, nested_expression);
    loc start = peek().where;
    expr_ptr body = parse_or();
    if (!is_kw(peek(), "if")) return body;
    take();
    expr_ptr cond = parse_or();
    if (!is_kw(peek(), "else")) {
      if (auto m = refusal(peek())) throw error(peek().where, *m);
      throw error(peek().where, "expected 'else' in the conditional expression");
    }
    take();
    expr_ptr other = parse_expression();
    auto e = make_expr(expr_kind::if_exp, start);
    e->args.push_back(std::move(cond));
    e->args.push_back(std::move(body));
    e->args.push_back(std::move(other));
    return e;
  }

  expr_ptr parse_or() {
    nesting guard(*this, depth_, nested_expression, false);
    expr_ptr lhs = parse_and();
    while (is_kw(peek(), "or")) {
      loc where = take().where;
      guard.bump();
      auto e = make_expr(expr_kind::or_, where);
      e->args.push_back(std::move(lhs));
      e->args.push_back(parse_and());
      lhs = std::move(e);
    }
    return lhs;
  }

  expr_ptr parse_and() {
    nesting guard(*this, depth_, nested_expression, false);
    expr_ptr lhs = parse_not();
    while (is_kw(peek(), "and")) {
      loc where = take().where;
      guard.bump();
      auto e = make_expr(expr_kind::and_, where);
      e->args.push_back(std::move(lhs));
      e->args.push_back(parse_not());
      lhs = std::move(e);
    }
    return lhs;
  }

  expr_ptr parse_not() {
    if (!is_kw(peek(), "not")) return parse_comparison();
    nesting guard(*this, depth_, nested_expression);
    auto e = make_expr(expr_kind::not_, take().where);
    e->args.push_back(parse_not());
    return e;
  }

  static std::optional<compare_op> comparison(token const& t) {
    if (t.kind != tok::op) return std::nullopt;
    std::string_view s = t.text;
    if (s == "<") return compare_op::lt;
    if (s == "<=") return compare_op::le;
    if (s == ">") return compare_op::gt;
    if (s == ">=") return compare_op::ge;
    if (s == "==") return compare_op::eq;
    if (s == "!=") return compare_op::ne;
    return std::nullopt;
  }

  void refuse_membership() {
    token const& t = peek();
    if (is_kw(t, "is") || is_kw(t, "in")) unexpected(t);
    if (is_kw(t, "not") && is_kw(peek(1), "in")) throw error(t.where, "'in' is not supported");
  }

  expr_ptr parse_comparison() {
    expr_ptr first = parse_arith();
    refuse_membership();
    if (!comparison(peek())) return first;
    auto e = make_expr(expr_kind::compare, peek().where);
    e->args.push_back(std::move(first));
    while (auto op = comparison(peek())) {
      take();
      e->cmp.push_back(*op);
      e->args.push_back(parse_arith());
      refuse_membership();
    }
    return e;
  }

  // `+ -` level, and the bitwise operators Python puts between it and comparisons.
  expr_ptr parse_arith() {
    nesting guard(*this, depth_, nested_expression, false);
    expr_ptr lhs = parse_term();
    for (;;) {
      token const& t = peek();
      binary_op op;
      if (is_op(t, "+")) {
        op = binary_op::add;
      } else if (is_op(t, "-")) {
        op = binary_op::sub;
      } else {
        if (is_op(t, "|") || is_op(t, "&") || is_op(t, "^") || is_op(t, "<<") || is_op(t, ">>"))
          unexpected(t);
        return lhs;
      }
      loc where = take().where;
      guard.bump();
      lhs = make_binary(op, where, std::move(lhs), parse_term());
    }
  }

  expr_ptr parse_term() {
    nesting guard(*this, depth_, nested_expression, false);
    expr_ptr lhs = parse_factor();
    for (;;) {
      token const& t = peek();
      binary_op op;
      if (is_op(t, "*")) {
        op = binary_op::mul;
      } else if (is_op(t, "/")) {
        op = binary_op::div;
      } else if (is_op(t, "//")) {
        op = binary_op::floor_div;
      } else if (is_op(t, "%")) {
        op = binary_op::mod_floor;
      } else {
        if (is_op(t, "@")) unexpected(t);
        return lhs;
      }
      loc where = take().where;
      guard.bump();
      lhs = make_binary(op, where, std::move(lhs), parse_factor());
      lhs->int_div = int_division::true_division;
    }
  }

  expr_ptr parse_factor() {
    token const& t = peek();
    if (is_op(t, "~")) unexpected(t);
    if (!is_op(t, "-") && !is_op(t, "+")) return parse_power();
    nesting guard(*this, depth_, nested_expression);
    token op = take();
    auto e = make_expr(expr_kind::unary, op.where);
    e->op_char = op.text[0];
    e->args.push_back(parse_factor());
    return e;
  }

  // `**` binds tighter than a unary minus on its left (-x**2 is -(x**2)) and looser
  // than one on its right (2**-1), and associates to the right.
  expr_ptr parse_power() {
    expr_ptr base = parse_primary();
    if (!is_op(peek(), "**")) return base;
    nesting guard(*this, depth_, nested_expression);
    loc where = take().where;
    return make_binary(binary_op::pow, where, std::move(base), parse_factor());
  }

  expr_ptr parse_primary() {
    token const& t = peek();
    expr_ptr e;
    if (t.kind == tok::number) {
      token n = take();
      e = make_expr(expr_kind::number, n.where);
      e->text = n.text;
      e->is_integer = n.is_integer;
      e->int_value = n.int_value;
      e->float_value = n.float_value;
    } else if (is_kw(t, "True") || is_kw(t, "False")) {
      token b = take();
      e = make_expr(expr_kind::boolean, b.where);
      e->text = b.text;
      e->int_value = b.text == "True" ? 1 : 0;
    } else if (is_plain_name(t)) {
      e = parse_name();
    } else if (is_op(t, "(")) {
      token open = take();
      if (is_op(peek(), ")")) throw error(open.where, "containers are not supported");
      e = parse_expression();
      token const& close = peek();
      if (is_op(close, ",")) throw error(close.where, "containers are not supported");
      if (is_kw(close, "for")) throw error(close.where, "comprehensions are not supported");
      expect_op(")");
    } else if (is_op(t, "*") || is_op(t, "**")) {
      throw error(t.where, "starred expressions are not supported");
    } else {
      unexpected(t);
    }
    token const& after = peek();
    if (is_op(after, "[")) throw error(after.where, "subscripts are not supported");
    if (is_op(after, ".")) throw error(after.where, "attribute access is only supported on names");
    if (is_op(after, "(")) throw error(after.where, "only named functions can be called");
    return e;
  }

  // A dotted name, and a call if '(' follows. Aliases are resolved later, once the
  // whole module (and every import in it) has been seen.
  expr_ptr parse_name() {
    token first = take();
    auto e = make_expr(expr_kind::name, first.where);
    e->name = first.text;
    while (is_op(peek(), ".")) {
      take();
      token const& part = peek();
      if (!is_plain_name(part)) {
        if (auto m = refusal(part); m && part.kind != tok::name) throw error(part.where, *m);
        throw error(part.where, "expected a name after '.'");
      }
      e->name += '.';
      e->name += take().text;
    }
    if (!is_op(peek(), "(")) return e;
    e->kind = expr_kind::call;
    take();
    bool keywords_seen = false;
    while (!is_op(peek(), ")")) {
      token const& t = peek();
      if (is_op(t, "*") || is_op(t, "**")) throw error(t.where, "starred arguments are not supported");
      if (is_plain_name(t) && is_op(peek(1), "=")) {
        token key = take();
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
      if (!is_op(after, ",")) break;
      take();
    }
    expect_op(")");
    return e;
  }

  // -- alias resolution -----------------------------------------------------

  // Runs on the finished module: like Python, a call resolves its names when it
  // runs, after every top-level import and def; parameters and locals shadow.
  void resolve(function& f) {
    std::unordered_set<std::string> locals;
    for (param const& p : f.params) locals.insert(p.name);
    collect_locals(f.body, locals);
    for (stmt& s : f.body) resolve(s, locals);
  }

  static void collect_locals(std::vector<stmt> const& body, std::unordered_set<std::string>& locals) {
    for (stmt const& s : body) {
      if (s.kind == stmt_kind::assign) locals.insert(s.target);
      collect_locals(s.then_body, locals);
      collect_locals(s.else_body, locals);
    }
  }

  void resolve(stmt& s, std::unordered_set<std::string> const& locals) {
    if (s.value) resolve(*s.value, locals);
    if (s.cond) resolve(*s.cond, locals);
    for (stmt& t : s.then_body) resolve(t, locals);
    for (stmt& t : s.else_body) resolve(t, locals);
  }

  void resolve(expr& e, std::unordered_set<std::string> const& locals) {
    if (e.kind == expr_kind::name || e.kind == expr_kind::call) {
      std::string head = e.name.substr(0, e.name.find('.'));
      if (!locals.contains(head)) {
        if (auto it = aliases_.find(head); it != aliases_.end())
          e.name = it->second + e.name.substr(head.size());
      }
    }
    for (expr_ptr& a : e.args) resolve(*a, locals);
  }

  lexer lex_;
  std::deque<token> ahead_;
  loc last_end_;
  int depth_ = 0;
  int block_depth_ = 0;
  std::unordered_map<std::string, std::string> aliases_;
};

}  // namespace

module parse_python(std::string_view source) {
  parser p(source);
  return p.parse_module();
}

}  // namespace kst
