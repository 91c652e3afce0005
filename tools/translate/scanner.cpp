#include "scanner.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <limits>
#include <system_error>

namespace kst {

bool is_digit_in(char c, int base) {
  switch (base) {
    case 2: return c == '0' || c == '1';
    case 8: return c >= '0' && c <= '7';
    case 16: return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    default: return is_digit(c);
  }
}

std::string show_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("\\x") + hex[u >> 4] + hex[u & 15];
}

std::string quoted(token const& t) {
  std::string_view text = t.text.substr(0, 30);
  std::string s = "'";
  // UTF-8 sequences are kept whole (π, ÷); other control bytes are escaped.
  for (char c : text) s += is_non_ascii(c) ? std::string(1, c) : show_byte(c);
  if (t.text.size() > text.size()) s += "...";
  return s + "'";
}

std::string without_underscores(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

long long integer_value(std::string_view digits, int base, loc where) {
  long long value = 0;
  for (char c : digits) {
    if (c == '_') continue;
    int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    if (value > (LLONG_MAX - d) / base)
      throw error(where, "integer literal is too large (the limit is 9223372036854775807)");
    value = value * base + d;
  }
  return value;
}

namespace {

// Rough decimal magnitude of a literal that from_chars found out of range:
// positive means overflow, otherwise underflow.
long long decimal_exponent(std::string_view s) {
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
  long long position = first < point ? static_cast<long long>(point - first)
                                     : -static_cast<long long>(first - point - 1);
  return position + exp;
}

double parse_double(std::string_view plain, loc where, std::chars_format format, bool overflow, bool infinity) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value, format);
  if (ec == std::errc::result_out_of_range) {
    if (overflow && infinity) return std::numeric_limits<double>::infinity();
    if (overflow) throw error(where, "float literal is too large");
    return 0;
  }
  if (ec != std::errc{} || ptr != plain.data() + plain.size()) throw error(where, "invalid number literal");
  return value;
}

}  // namespace

double float_value(std::string_view plain, loc where, bool overflow_is_infinity) {
  return parse_double(plain, where, std::chars_format::general, decimal_exponent(plain) > 0, overflow_is_infinity);
}

double hex_float_value(std::string_view plain, loc where) {
  std::size_t p = plain.find_first_of("pP");
  bool negative_exponent = p != plain.npos && p + 1 < plain.size() && plain[p + 1] == '-';
  return parse_double(plain, where, std::chars_format::hex, !negative_exponent, false);
}

scanner::scanner(std::string_view source, trivia blanks, bool newline_tokens)
    : src_(source), blanks_(blanks), newline_tokens_(newline_tokens) {
  if (src_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;  // UTF-8 byte order mark
}

// A lexical error becomes a final error token, so the parser reports problems in
// source order: a parse error on line 2 before a bad literal on line 90.
std::vector<token> scanner::run() {
  std::vector<token> out;
  try {
    for (int last_line = 0;;) {
      token& t = out.emplace_back(next());
      t.first_on_line = t.kind == tok::end || t.where.line > last_line;
      t.space_before = t.space_before || t.first_on_line;
      last_line = t.end.line;
      if (t.kind == tok::end) break;
    }
  } catch (error const& e) {
    token t = marker(tok::error, e.where);
    t.message = e.what();
    out.push_back(std::move(t));
  }
  return out;
}

bool scanner::starts(std::string_view s, std::size_t ahead) const {
  return pos_ + ahead <= src_.size() && src_.substr(pos_ + ahead).starts_with(s);
}

std::size_t scanner::newline_length(std::size_t p) const {
  if (p >= src_.size()) return 0;
  if (src_[p] == '\n') return 1;
  if (src_[p] == '\r') return p + 1 < src_.size() && src_[p + 1] == '\n' ? 2 : 1;
  return 0;
}

void scanner::consume_newline(std::size_t n) {
  pos_ += n;
  ++line_;
  line_start_ = pos_;
}

void scanner::skip_line_comment() {
  while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
}

void scanner::skip_block_comment(std::string_view open, std::string_view close) {
  loc start = here();
  pos_ += open.size();
  long depth = 1;
  while (depth > 0) {
    if (eof()) throw error(start, "unterminated comment; close it with " + std::string(close));
    if (std::size_t n = newline_length(pos_)) {
      consume_newline(n);
    } else if (starts(open)) {
      pos_ += open.size();
      ++depth;
    } else if (starts(close)) {
      pos_ += close.size();
      --depth;
    } else {
      ++pos_;
    }
  }
}

token scanner::next() {
  for (space_ = false;;) {
    if (std::optional<token> owed = line_start()) return *owed;
    if (skip_trivia()) space_ = true;
    if (eof()) return end_of_input();
    std::size_t n = newline_length(pos_);
    if (!n) break;
    token newline = marker(tok::newline, here());
    consume_newline(n);
    space_ = true;
    if (newline_tokens_ && brackets_ == 0) return newline;
  }
  token t = scan();
  t.space_before = space_;
  return t;
}

bool scanner::skip_blanks(trivia const& t) {
  bool any = false;
  for (char c = peek_char(); !eof(); c = peek_char(), any = true) {
    if (c == ' ' || c == '\f' || (c == '\t' && t.tabs)) {
      ++pos_;
    } else if (c == '\t') {
      throw error(here(), "tabs are not allowed in F# code; indent with spaces");
    } else if (!t.block_open.empty() && starts(t.block_open) && (t.not_block.empty() || !starts(t.not_block))) {
      skip_block_comment(t.block_open, t.block_close);
    } else if (!t.line_comment.empty() && starts(t.line_comment)) {
      skip_line_comment();
    } else {
      break;
    }
  }
  return any;
}

token scanner::finish(tok kind, std::size_t start, loc where, op o) const {
  token t;
  t.kind = kind;
  t.o = o;
  t.text = src_.substr(start, pos_ - start);
  t.where = where;
  t.end = here();
  return t;
}

token scanner::marker(tok kind, loc where) {
  token t;
  t.kind = kind;
  t.where = t.end = where;
  return t;
}

token scanner::number_token(std::size_t start, loc where, std::string_view digits, int base, bool is_float,
                            bool overflow_is_infinity) const {
  token t = finish(tok::number, start, where);
  std::string plain = without_underscores(digits);
  if (is_float) {
    t.float_value = float_value(plain, where, overflow_is_infinity);
  } else {
    t.is_integer = true;
    t.int_value = integer_value(plain, base ? base : 10, where);
  }
  return t;
}

token scanner::scan_operator(std::span<op_spelling const> ops) {
  for (op_spelling const& s : ops) {
    if (!starts(s.text)) continue;
    std::size_t start = pos_;
    loc w = here();
    pos_ += s.text.size();
    return finish(tok::op, start, w, s.o);
  }
  return {};
}

token scanner::operator_token(std::span<op_spelling const> ops, std::string_view non_ascii) {
  char c = peek_char();
  loc w = here();
  token t = scan_operator(ops);
  if (t.kind != tok::op)
    throw error(w, is_non_ascii(c) ? std::string(non_ascii) : "invalid character '" + show_byte(c) + "'");
  count_brackets(t);
  return t;
}

token scanner::scan_string(std::size_t start, loc w, string_syntax syntax) {
  char quote = src_[pos_];
  std::string const three(3, quote);
  bool triple = syntax.triple && starts(three);
  pos_ += triple ? 3 : 1;
  for (;;) {
    if (eof()) throw error(w, triple ? "unterminated triple-quoted string" : "unterminated string");
    char c = src_[pos_];
    if (c == '\\' && syntax.escapes) {
      ++pos_;
      if (std::size_t n = newline_length(pos_)) consume_newline(n);
      else if (!eof()) ++pos_;
    } else if (std::size_t n = newline_length(pos_)) {
      if (!triple && !syntax.multiline) throw error(w, "unterminated string");
      consume_newline(n);
    } else if (c == quote && syntax.doubled_quote && peek_char(1) == quote) {
      pos_ += 2;
    } else if (c == quote && (!triple || starts(three))) {
      pos_ += triple ? 3 : 1;
      return finish(tok::string, start, w);
    } else {
      ++pos_;
    }
  }
}

token scanner::scan_char_literal(loc w) {
  std::size_t start = pos_;
  for (++pos_; !eof() && peek_char() != '\'' && !newline_length(pos_);) pos_ += peek_char() == '\\' ? 2 : 1;
  if (peek_char() != '\'') throw error(w, "unterminated character literal");
  ++pos_;
  return finish(tok::string, start, w);
}

void scanner::count_brackets(token const& t) {
  if (t.o == op::lparen || t.o == op::lbracket || t.o == op::lbrace) ++brackets_;
  if ((t.o == op::rparen || t.o == op::rbracket || t.o == op::rbrace) && brackets_ > 0) --brackets_;
}

int scanner::scan_base_prefix(bool any_case) {
  char p = any_case ? static_cast<char>(peek_char(1) | 0x20) : peek_char(1);
  int base = peek_char() != '0' ? 0 : p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
  if (base) pos_ += 2;
  return base;
}

bool scanner::scan_digits(int base, bool leading_underscore) {
  bool any = false;
  while (pos_ < src_.size()) {
    if (is_digit_in(src_[pos_], base)) {
      ++pos_;
      any = true;
    } else if (src_[pos_] == '_' && (any || leading_underscore) && is_digit_in(peek_char(1), base)) {
      pos_ += 2;
      any = true;
    } else {
      break;
    }
  }
  return any;
}

bool scanner::scan_decimal(std::string_view exponent_letters, bool exponent_required, bool float_dot) {
  loc w = here();
  bool is_float = false;
  bool int_part = scan_digits(10);
  if (float_dot && peek_char() == '.' && peek_char(1) != '.') {
    ++pos_;
    is_float = true;
    if (!scan_digits(10) && !int_part) invalid_number(w);
  }
  if (!eof() && exponent_letters.find(src_[pos_]) != std::string_view::npos) {
    std::size_t q = pos_ + 1;
    if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
    if (q < src_.size() && is_digit(src_[q])) {
      pos_ = q;
      scan_digits(10);
      is_float = true;
    } else if (exponent_required) {
      invalid_number(w);
    }
  }
  return is_float;
}

scanner::number_form scanner::scan_number_form(bool leading_underscore) {
  loc w = here();
  int base = scan_base_prefix(true);
  if (!base) return {0, scan_decimal("eE", true)};
  if (!scan_digits(base, leading_underscore)) invalid_number(w);
  return {base, false};
}

}  // namespace kst
