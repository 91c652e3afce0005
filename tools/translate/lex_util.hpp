// Helpers the Julia and F# front ends share: byte classes, numeric literal values,
// and the recursion guard. Header-only and internal to the translator.
#pragma once

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "ast.hpp"

namespace kst::lex {

// Hand-written rather than <cctype> so the locale cannot change what counts as a
// letter, and bytes >= 0x80 are never letters.
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

inline bool is_digit_in(char c, int base) {
  switch (base) {
    case 2: return c == '0' || c == '1';
    case 8: return c >= '0' && c <= '7';
    case 16: return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    default: return is_digit(c);
  }
}

inline int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// How a byte is shown in a message: printable ASCII as itself, the rest escaped,
// so a NUL or a stray UTF-8 byte cannot garble the terminal.
inline std::string show_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("\\x") + hex[u >> 4] + hex[u & 15];
}

// Reads digit (['_'] digit)* in `base` from s[pos]; returns whether any digit was
// read. An underscore not between two digits is left for the caller to reject.
inline bool scan_digits(std::string_view s, std::size_t& pos, int base) {
  bool any = false;
  while (pos < s.size()) {
    if (is_digit_in(s[pos], base)) {
      ++pos;
      any = true;
    } else if (s[pos] == '_' && any && pos + 1 < s.size() && is_digit_in(s[pos + 1], base)) {
      pos += 2;
    } else {
      break;
    }
  }
  return any;
}

inline std::string without_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

/// The value of integer digits (underscores allowed) in `base`; throws when it does
/// not fit in a long long.
inline long long integer_value(std::string_view digits, int base, loc where) {
  long long value = 0;
  for (char c : digits) {
    if (c == '_') continue;
    int d = digit_value(c);
    if (value > (LLONG_MAX - d) / base)
      throw error(where, "integer literal is too large (the limit is 9223372036854775807)");
    value = value * base + d;
  }
  return value;
}

// Rough decimal magnitude of a literal that from_chars found out of range:
// positive means overflow, otherwise underflow.
inline long long decimal_exponent(std::string_view s) {
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

/// The value of a decimal float literal (digits, '.', 'e'; no underscores, no
/// suffix). Too large is an error; too small rounds to zero as the languages do.
inline double float_value(std::string_view plain, loc where) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value);
  if (ec == std::errc::result_out_of_range) {
    if (decimal_exponent(plain) > 0) throw error(where, "float literal is too large");
    return 0;
  }
  if (ec != std::errc{} || ptr != plain.data() + plain.size()) throw error(where, "invalid number literal");
  return value;
}

/// The value of a hexadecimal float such as "1.8p3" (after the 0x prefix).
inline double hex_float_value(std::string_view plain, loc where) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value, std::chars_format::hex);
  if (ec == std::errc::result_out_of_range) {
    std::size_t p = plain.find_first_of("pP");
    if (p != plain.npos && p + 1 < plain.size() && plain[p + 1] == '-') return 0;
    throw error(where, "float literal is too large");
  }
  if (ec != std::errc{} || ptr != plain.data() + plain.size()) throw error(where, "invalid number literal");
  return value;
}

/// Counts parser recursion. Every recursive path of a parser holds one, so hostile
/// input fails with an error instead of overflowing the stack; left-associative
/// loops bump it too, so the AST handed on is never deeper than max_nesting.
class depth_guard {
 public:
  explicit depth_guard(int& depth) : depth_(depth) {}
  depth_guard(depth_guard const&) = delete;
  depth_guard& operator=(depth_guard const&) = delete;
  ~depth_guard() { depth_ -= count_; }
  void bump(loc where, char const* message = "expression nested too deeply") {
    ++depth_;
    ++count_;
    if (depth_ > max_nesting) throw error(where, message);
  }

 private:
  int& depth_;
  int count_ = 0;
};

}  // namespace kst::lex
