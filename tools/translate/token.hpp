// The one token type of every front end: a kind, an operator kind (an enum, so the
// parsers compare enums, not strings), the text as written and where it is.
#pragma once

#include <string>
#include <string_view>

#include "ast.hpp"

namespace kst {

enum class tok : unsigned char { name, number, string, op, newline, indent, dedent, end, error };

// Every operator spelling of the three languages. A front end's operator table maps
// its spellings onto these (Julia's ≤ is op::le, F#'s <> is op::ne, F#'s = is op::eq).
enum class op : unsigned char {
  none,
  // arithmetic
  plus, minus, star, slash, percent, star_star, caret, slash_slash, backslash, divide, sqrt_sign,
  // comparison (eq is a single '=': assignment in Python and Julia, equality in F#)
  lt, gt, le, ge, eq, eq_eq, ne, eq3, ne3,
  // logic and bits
  amp, bar, tilde, bang, amp_amp, bar_bar, amp3, bar3, caret3, tilde3, shl, shr, shl3, shr3,
  // functions and types
  pipe_right, pipe_left, arrow, fat_arrow, left_arrow, colon, colon_colon, colon_eq, colon_gt, colon_q,
  subtype, supertype,
  // punctuation
  dot, dot_dot, ellipsis, comma, semicolon, at, dollar, hash, quote, question,
  lparen, rparen, lbracket, rbracket, lbrace, rbrace, lattr, rattr, larray, rarray,
  // augmented assignment
  plus_eq, minus_eq, star_eq, slash_eq, slash_slash_eq, percent_eq, star_star_eq, caret_eq, amp_eq, bar_eq,
  shl_eq, shr_eq, at_eq, backslash_eq,
};

struct token {
  tok kind = tok::end;
  op o = op::none;
  std::string_view text;       // as written; empty for newline/indent/dedent/end
  loc where;                   // first byte
  loc end;                     // just after the last byte
  bool space_before = false;   // Julia juxtaposition and F# application look at spacing
  bool first_on_line = false;  // F#'s offside rule
  bool is_integer = false;
  bool is_float32 = false;
  long long int_value = 0;
  double float_value = 0;
  std::string message;  // tok::error: the lexical error, reported when the parser gets here
};

/// One spelling of an operator in a language's table (longest spellings first).
struct op_spelling {
  std::string_view text;
  op o;
};

}  // namespace kst
