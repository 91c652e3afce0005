// What the three lexers share: a cursor over the source with line/column locations,
// comments, operators matched from a table, digits and literal values, quoted
// strings, and the pre-lexed token vector (a lexical error becomes a final error
// token, so the parser still reports problems in source order). Each front end keeps
// only its own lexical rules: indentation, juxtaposition, literal suffixes.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "token.hpp"

namespace kst {

// Hand-written rather than <cctype> so the locale cannot change what counts as a
// letter, and bytes >= 0x80 are never letters.
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool is_digit_in(char c, int base);
/// Whether `s` is one of `words` (a literal's suffix, a keyword among a few).
inline bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

/// How a byte is shown in a message: printable ASCII as itself, the rest escaped.
std::string show_byte(char c);
/// A token as quoted in a message: at most 30 bytes, control bytes escaped.
std::string quoted(token const& t);

/// The value of integer digits (underscores allowed) in `base`; too large is an error.
long long integer_value(std::string_view digits, int base, loc where);
/// The value of a decimal float (no underscores, no suffix): too large is an error
/// (Julia, F#) or infinity (Python's 1e999), too small rounds to zero as the
/// languages do.
double float_value(std::string_view plain, loc where, bool overflow_is_infinity = false);
/// The value of a hexadecimal float such as "1.8p3" (after the 0x prefix).
double hex_float_value(std::string_view plain, loc where);
std::string without_underscores(std::string_view s);

/// How a language spells a quoted string.
struct string_syntax {
  bool triple = true;          // """...""" (and '''...''' where ' quotes strings)
  bool multiline = false;      // a single-quoted string may span lines
  bool escapes = true;         // a backslash protects the next character
  bool doubled_quote = false;  // "" inside is one quote (F# verbatim @"...")
};

/// How a language writes comments, and whether tabs are blanks.
struct trivia {
  std::string_view line_comment;           // "#", "//"
  std::string_view block_open, block_close;  // nested: "#=" "=#", "(*" "*)"
  std::string_view not_block;              // "(*)" is an operator, not a comment
  bool tabs = true;
};

class scanner {
 public:
  // `blanks`: the language's comments; `newline_tokens`: whether a line break outside
  // brackets is a token (Julia) or a blank (F#). Python's lexer reads lines itself.
  scanner(std::string_view source, trivia blanks, bool newline_tokens);
  virtual ~scanner() = default;
  scanner(scanner const&) = delete;
  scanner& operator=(scanner const&) = delete;

  // Lexes everything, ending with tok::end. A token is first on its line when no
  // token ends on that line before it (F#'s offside rule), and then has blanks before it.
  std::vector<token> run();

 protected:
  loc here() const { return at(pos_); }
  loc at(std::size_t p) const { return {line_, static_cast<int>(p - line_start_) + 1}; }
  bool eof() const { return pos_ >= src_.size(); }
  bool starts(std::string_view s, std::size_t ahead = 0) const;
  char peek_char(std::size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

  std::size_t newline_length(std::size_t p) const;
  void consume_newline(std::size_t n);
  void skip_line_comment();
  // Nested block comments (#= =#, (* *)): anything may be inside.
  void skip_block_comment(std::string_view open, std::string_view close);

  // Skips blanks and comments up to the next token or line break; whether it skipped any.
  bool skip_blanks(trivia const& t);

  token finish(tok kind, std::size_t start, loc where, op o = op::none) const;
  static token marker(tok kind, loc where);  // newline, indent, dedent, end

  // One token per call, the last one tok::end: line_start(), blanks and line breaks,
  // then scan().
  virtual token next();
  // A token owed before anything else is read (Python's INDENT and DEDENT); none by default.
  virtual std::optional<token> line_start() { return std::nullopt; }
  // The blanks and comments before a token (Python adds its backslash line joining).
  virtual bool skip_trivia() { return skip_blanks(blanks_); }
  // What the end of the input gives (Python owes a NEWLINE and DEDENTs first).
  virtual token end_of_input() { return marker(tok::end, here()); }
  // The token at the cursor, after the blanks; space_ says whether there were any.
  virtual token scan() = 0;

  // The number that started at `start`: an integer of `digits` in `base` (0: decimal),
  // or a float (Python reads an overflowing one as inf).
  token number_token(std::size_t start, loc where, std::string_view digits, int base, bool is_float,
                     bool overflow_is_infinity = false) const;
  // The longest spelling of `ops` at the cursor, or a token of kind end.
  token scan_operator(std::span<op_spelling const> ops);
  // The operator at the cursor, counted if it is a bracket; no spelling of `ops` there is
  // an invalid character (`non_ascii` says why for a byte >= 0x80).
  token operator_token(std::span<op_spelling const> ops, std::string_view non_ascii);
  token scan_string(std::size_t start, loc where, string_syntax syntax);
  // 'a' or '\n': lexed only to be refused as a string.
  token scan_char_literal(loc where);
  // Counts open brackets: Python and Julia join lines inside them.
  void count_brackets(token const& t);

  // digit (['_'] digit)* in `base`; whether any digit was read. With leading_underscore
  // a '_' may come first (Python's 0x_ff). An underscore not between digits is left.
  bool scan_digits(int base, bool leading_underscore = false);
  // The base a prefix 0x, 0o or 0b gives (in either case with any_case), consumed; 0 if none.
  int scan_base_prefix(bool any_case);
  // digits ['.' digits] [exponent]: whether it is a float. An exponent letter not
  // followed by digits is an error when exponent_required, else left (Julia's 2e is 2*e).
  bool scan_decimal(std::string_view exponent_letters, bool exponent_required, bool float_dot = true);
  // A prefix 0x, 0o or 0b (in either case) and digits in that base, or a decimal with
  // an optional exponent e or E: Python's and F#'s numbers before their suffixes.
  struct number_form {
    int base;  // 0: decimal
    bool is_float;
  };
  number_form scan_number_form(bool leading_underscore);

  [[noreturn]] static void invalid_number(loc where) { throw error(where, "invalid number literal"); }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  int brackets_ = 0;
  bool space_ = false;
  trivia blanks_;
  bool newline_tokens_;
};

}  // namespace kst
