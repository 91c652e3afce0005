// The tables of the three languages' expressions: operator spellings, keywords,
// binding powers, prefix operators, augmented assignments, and refusals (a construct
// and why it is not translated). The front ends read them through parser_base.
#include <algorithm>
#include <array>

#include "parser.hpp"

namespace kst {

// What the three languages' binary levels have in common: the six comparisons (the
// equality spelled == or =), + and -, * and / (left-associative).
constexpr std::array<binary_rule, 6> comparisons(int power, op equality) {
  return {comparison(op::lt, power, compare_op::lt), comparison(op::le, power, compare_op::le),
          comparison(op::gt, power, compare_op::gt), comparison(op::ge, power, compare_op::ge),
          comparison(equality, power, compare_op::eq), comparison(op::ne, power, compare_op::ne)};
}

constexpr std::array<binary_rule, 4> sums_and_products(int sum_power, int product_power) {
  return {arith(op::plus, sum_power, sum_power + 1, binary_op::add), arith(op::minus, sum_power, sum_power + 1, binary_op::sub),
          arith(op::star, product_power, product_power + 1, binary_op::mul),
          arith(op::slash, product_power, product_power + 1, binary_op::div)};
}

template <std::size_t... N>
constexpr std::array<binary_rule, (N + ...)> join(std::array<binary_rule, N> const&... parts) {
  std::array<binary_rule, (N + ...)> out{};
  std::size_t i = 0;
  ((std::copy(parts.begin(), parts.end(), out.begin() + static_cast<std::ptrdiff_t>(i)), i += N), ...);
  return out;
}

enum : unsigned { py = 1, jl = 2, fs = 4 };

// Refusals, grouped by what is refused; within a language the first row that matches
// a token gives its message.

constexpr refusal_rule refusals[] = {
    // Values other than numbers and booleans.
    {tok::string, {"*", "*", "*"}, "strings are not supported"},
    {tok::op, {"[ {", "[ {", "[ [| ::"}, "containers are not supported"},
    {tok::op, {"", "", "{"}, "records are not supported"},
    {tok::op, {"", ".. :", ".."}, "ranges are not supported"},
    {tok::op, {"", "=>", ""}, "pairs are not supported"},
    {tok::name, {"None", "", ""}, "None is not supported"},
    {tok::name, {"", "", "null"}, "null is not supported"},
    {tok::name, {"", "", "yield seq"}, "sequences are not supported"},

    // Operators outside the scalar subset.
    {tok::op, {"@ @=", "", ""}, "matrix multiplication (@) is not supported"},
    {tok::op, {"", "\\ \\=", ""}, "left division (\\) is not supported; write b / a"},
    {tok::op, {"", "//", ""}, "rational numbers (//) are not supported; use /"},
    {tok::op, {"", "", "^"}, "'^' joins strings in F#; use ** for powers"},
    {tok::op, {"", "", "@"}, "list concatenation is not supported"},
    {tok::op, {"", "=== !==", ""}, "'{}' is not supported; use == or !="},
    {tok::name, {"is", "", ""}, "'is' is not supported; use == or !="},
    {tok::op, {"", "<: >:", ""}, "type comparisons are not supported"},
    {tok::op, {"", "", ":> :?"}, "type casts and tests are not supported"},
    {tok::op, {"", "::", ""}, "type assertions are only supported on parameters and assignments"},
    {tok::op, {"...", "", ""}, "'...' is not supported"},
    {tok::op, {"", "...", ""}, "splatting (...) is not supported"},
    {tok::op, {"", "$", ""}, "interpolation is not supported"},
    {tok::op, {"| & ^ ~ << >> |= &= ^= <<= >>=", "& | ~ << >> >>> &= |=", "&&& ||| ^^^ ~~~ <<< >>>"},
     "bitwise operators are not supported"},

    // Functions as values.
    {tok::op, {"", "->", ""}, "anonymous functions are not supported; define a named function"},
    {tok::op, {"", "", "->"}, "anonymous functions are not supported; define a function with let"},
    {tok::name, {"lambda", "", ""}, "lambda is not supported; define a function with def"},
    {tok::name, {"", "", "fun"}, "anonymous functions are not supported; define a function with let"},
    {tok::op, {"", "<|", ""}, "'<|' is not supported; call the function"},
    {tok::op, {"", "", "<|"}, "'<|' is not supported; use parentheses or |>"},
    {tok::op, {"", "", ">> <<"}, "function composition is not supported; call the functions"},

    // State: assignments inside expressions, mutation, globals.
    {tok::op, {":=", "", ""}, "assignment expressions (:=) are not supported; assign on a line of its own"},
    {tok::op, {"", "", "<- :="}, "mutation is not supported; bind a new name with let"},
    {tok::op, {"", "", "!"}, "reference cells are not supported"},
    {tok::name, {"", "", "mutable"}, "mutable variables are not supported"},
    {tok::name, {"global nonlocal", "", ""}, "global and nonlocal are not supported"},
    {tok::name, {"", "global", ""}, "global variables are not supported"},
    {tok::name, {"", "const", ""}, "const is only supported at the top level"},

    // Control flow other than if and return.
    {tok::name, {"", "do", ""}, "do blocks are not supported"},
    {tok::name, {"", "", "match function when with"}, "pattern matching is not supported; use if/elif/else"},
    {tok::name, {"with", "", ""}, "with statements are not supported"},
    {tok::name, {"yield", "", ""}, "generators (yield) are not supported"},
    {tok::name, {"async await", "", ""}, "async and await are not supported"},
    {tok::name, {"", "", "return"}, "F# has no return; the last expression of a block is its value"},
    {tok::indent, {"*", "", ""}, "unexpected indent"},
    {tok::name, {"for while break continue", "for while break continue", "for while do done to downto"},
     "loops are not supported"},
    {tok::name, {"try except finally raise", "try catch finally", "try finally exception"},
     "exceptions are not supported"},

    // Definitions other than top-level functions and constants.
    {tok::name, {"def", "function", ""}, "nested functions are not supported; define functions at the top level"},
    {tok::name, {"", "", "rec and"}, "recursion is not supported"},
    {tok::name, {"class", "", ""}, "classes are not supported"},
    {tok::name, {"", "where", ""}, "where clauses are not supported; annotate with a type such as Real"},
    {tok::name, {"", "module baremodule", ""}, "modules are not supported"},
    {tok::name, {"", "macro quote", ""}, "macros are not supported"},
    {tok::op, {"", "@", ""}, "macros are not supported"},
    {tok::name, {"import from", "", ""}, "imports are only allowed at the top level"},
    {tok::name, {"", "using import export", ""}, "using and import are only allowed at the top level"},
    {tok::name, {"", "struct mutable abstract primitive", "type member new class struct interface"},
     "type definitions are not supported"},

    // The rest, named in the message.
    {tok::name, {"in", "in isa", "lazy assert use begin end upcast downcast"}, "'{}' is not supported"},
    {tok::name, {"assert del", "", ""}, "{} is not supported"}};

constexpr augmented_op augmented[] = {
    {py | jl, op::plus_eq, binary_op::add},       {py | jl, op::minus_eq, binary_op::sub},
    {py | jl, op::star_eq, binary_op::mul},       {py | jl, op::slash_eq, binary_op::div},
    {py, op::slash_slash_eq, binary_op::floor_div}, {py, op::star_star_eq, binary_op::pow},
    {jl, op::caret_eq, binary_op::pow},           {py, op::percent_eq, binary_op::mod_floor},
    {jl, op::percent_eq, binary_op::mod_trunc}};

namespace python_tables {

constexpr op_spelling spellings[] = {
    {"**=", op::star_star_eq}, {"//=", op::slash_slash_eq}, {">>=", op::shr_eq}, {"<<=", op::shl_eq},
    {"...", op::ellipsis},     {"**", op::star_star},       {"//", op::slash_slash}, {"<<", op::shl},
    {">>", op::shr},           {"<=", op::le},              {">=", op::ge},          {"==", op::eq_eq},
    {"!=", op::ne},            {"->", op::arrow},           {":=", op::colon_eq},    {"+=", op::plus_eq},
    {"-=", op::minus_eq},      {"*=", op::star_eq},         {"/=", op::slash_eq},    {"%=", op::percent_eq},
    {"&=", op::amp_eq},        {"|=", op::bar_eq},          {"^=", op::caret_eq},    {"@=", op::at_eq},
    {"+", op::plus},           {"-", op::minus},            {"*", op::star},         {"/", op::slash},
    {"%", op::percent},        {"@", op::at},               {"&", op::amp},          {"|", op::bar},
    {"^", op::caret},          {"~", op::tilde},            {"<", op::lt},           {">", op::gt},
    {"(", op::lparen},         {")", op::rparen},           {"[", op::lbracket},     {"]", op::rbracket},
    {"{", op::lbrace},         {"}", op::rbrace},           {",", op::comma},        {":", op::colon},
    {".", op::dot},            {";", op::semicolon},        {"=", op::eq}};

constexpr std::string_view keywords[] = {
    "False", "None",   "True", "and",      "as",  "assert", "async", "await",  "break",  "class",  "continue", "def",
    "del",   "elif",   "else", "except",   "finally", "for", "from", "global", "if",     "import", "in",       "is",
    "lambda", "nonlocal", "not", "or",     "pass", "raise", "return", "try",   "while",  "with",   "yield"};

constexpr auto binary = join(
    std::array{logic(op::none, "or", 1, rule_kind::or_), logic(op::none, "and", 3, rule_kind::and_)},
    comparisons(7, op::eq_eq), sums_and_products(9, 11),
    // ** binds tighter than a unary minus on its left (-x**2 is -(x**2)) and looser
    // than one on its right (2**-1), and associates to the right.
    std::array{arith(op::slash_slash, 11, 12, binary_op::floor_div), arith(op::percent, 11, 12, binary_op::mod_floor),
               arith(op::star_star, 15, 13, binary_op::pow)});

constexpr prefix_rule prefix[] = {
    {op::minus, {}, 13, prefix_kind::negate}, {op::plus, {}, 13, prefix_kind::plus}, {op::none, "not", 5, prefix_kind::not_}};

}  // namespace python_tables

namespace julia_tables {

constexpr std::string_view div_sign = "\xc3\xb7";  // ÷

constexpr op_spelling spellings[] = {
    {"===", op::eq3},      {"!==", op::ne3},        {">>>", op::shr3},       {"...", op::ellipsis},
    {"::", op::colon_colon}, {"==", op::eq_eq},     {"!=", op::ne},          {"<=", op::le},
    {">=", op::ge},        {"&&", op::amp_amp},     {"||", op::bar_bar},     {"+=", op::plus_eq},
    {"-=", op::minus_eq},  {"*=", op::star_eq},     {"/=", op::slash_eq},    {"^=", op::caret_eq},
    {"%=", op::percent_eq}, {"|=", op::bar_eq},     {"&=", op::amp_eq},      {"//", op::slash_slash},
    {"<<", op::shl},       {">>", op::shr},         {"|>", op::pipe_right},  {"<|", op::pipe_left},
    {"->", op::arrow},     {"=>", op::fat_arrow},   {"<:", op::subtype},     {">:", op::supertype},
    {"..", op::dot_dot},   {"\\=", op::backslash_eq}, {"+", op::plus},       {"-", op::minus},
    {"*", op::star},       {"/", op::slash},        {"\\", op::backslash},   {"^", op::caret},
    {"%", op::percent},    {"<", op::lt},           {">", op::gt},           {"=", op::eq},
    {"!", op::bang},       {"(", op::lparen},       {")", op::rparen},       {"[", op::lbracket},
    {"]", op::rbracket},   {"{", op::lbrace},       {"}", op::rbrace},       {",", op::comma},
    {";", op::semicolon},  {":", op::colon},        {"?", op::question},     {".", op::dot},
    {"&", op::amp},        {"|", op::bar},          {"~", op::tilde},        {"$", op::dollar},
    {"@", op::at},         {div_sign, op::divide},  {"\xe2\x89\xa4", op::le}, {"\xe2\x89\xa5", op::ge},
    {"\xe2\x89\xa0", op::ne}, {"\xe2\x88\x9a", op::sqrt_sign}};

constexpr std::string_view keywords[] = {
    "function", "end",    "if",      "elseif", "else",   "return", "local",    "global", "for",  "while",
    "begin",    "let",    "do",      "try",    "catch",  "finally", "struct",  "mutable", "module",
    "baremodule", "using", "import", "export", "const",  "macro",  "quote",    "abstract", "primitive",
    "break",    "continue", "true",  "false",  "where",  "in",     "isa"};

constexpr auto binary = join(
    std::array{logic(op::bar_bar, {}, 1, rule_kind::or_), logic(op::amp_amp, {}, 3, rule_kind::and_)},
    comparisons(5, op::eq_eq), std::array{logic(op::pipe_right, {}, 7, rule_kind::pipe)}, sums_and_products(9, 11),
    // Juxtaposition (2x^2) sits between * and ^; unary minus binds looser than ^.
    std::array{arith(op::divide, 11, 12, binary_op::trunc_div), arith(op::percent, 11, 12, binary_op::mod_trunc),
               arith(op::caret, 15, 13, binary_op::pow)});

constexpr prefix_rule prefix[] = {{op::minus, {}, 13, prefix_kind::negate}, {op::plus, {}, 13, prefix_kind::plus},
                                  {op::bang, {}, 13, prefix_kind::not_}, {op::sqrt_sign, {}, 13, prefix_kind::sqrt}};

}  // namespace julia_tables

namespace fsharp_tables {

constexpr op_spelling spellings[] = {
    {"&&&", op::amp3},     {"|||", op::bar3},     {"^^^", op::caret3},     {"~~~", op::tilde3},   {">>>", op::shr3},
    {"<<<", op::shl3},     {"**", op::star_star}, {"<=", op::le},          {">=", op::ge},        {"<>", op::ne},
    {"&&", op::amp_amp},   {"||", op::bar_bar},   {"|>", op::pipe_right},  {"<|", op::pipe_left}, {">>", op::shr},
    {"<<", op::shl},       {"->", op::arrow},     {"<-", op::left_arrow},  {":=", op::colon_eq},  {"::", op::colon_colon},
    {"..", op::dot_dot},   {":>", op::colon_gt},  {":?", op::colon_q},     {"[<", op::lattr},     {">]", op::rattr},
    {"[|", op::larray},    {"|]", op::rarray},    {"+", op::plus},         {"-", op::minus},      {"*", op::star},
    {"/", op::slash},      {"%", op::percent},    {"=", op::eq},           {"<", op::lt},         {">", op::gt},
    {"(", op::lparen},     {")", op::rparen},     {"[", op::lbracket},     {"]", op::rbracket},   {"{", op::lbrace},
    {"}", op::rbrace},     {",", op::comma},      {";", op::semicolon},    {":", op::colon},      {".", op::dot},
    {"|", op::bar},        {"&", op::amp},        {"!", op::bang},         {"^", op::caret},      {"@", op::at},
    {"?", op::question},   {"#", op::hash},       {"'", op::quote},        {"~", op::tilde},      {"$", op::dollar}};

constexpr std::string_view keywords[] = {
    "abstract", "and",     "as",       "assert",   "base",   "begin",  "class",     "default", "delegate", "do",
    "done",     "downcast", "downto",  "elif",     "else",   "end",    "exception", "extern",  "false",    "finally",
    "fixed",    "for",     "fun",      "function", "global", "if",     "in",        "inherit", "inline",   "interface",
    "internal", "lazy",    "let",      "match",    "member", "module", "mutable",   "namespace", "new",    "null",
    "of",       "open",    "or",       "override", "private", "public", "rec",      "return",  "select",   "sig",
    "static",   "struct",  "then",     "to",       "true",   "try",    "type",      "upcast",  "use",      "val",
    "void",     "when",    "while",    "with",     "yield"};

// Comparisons and |> share one left-associative level, as in F#; ** is
// right-associative and binds looser than a prefix minus: -x ** 2.0 is (-x) ** 2.0.
constexpr auto binary = join(
    std::array{logic(op::bar_bar, {}, 1, rule_kind::or_), logic(op::none, "or", 1, rule_kind::or_),
               logic(op::amp_amp, {}, 3, rule_kind::and_), logic(op::amp, {}, 3, rule_kind::and_)},
    comparisons(5, op::eq), std::array{logic(op::pipe_right, {}, 5, rule_kind::pipe)}, sums_and_products(9, 11),
    std::array{arith(op::percent, 11, 12, binary_op::mod_trunc), arith(op::star_star, 15, 15, binary_op::pow)});

constexpr prefix_rule prefix[] = {{op::minus, {}, 100, prefix_kind::negate}, {op::plus, {}, 100, prefix_kind::plus}};

}  // namespace fsharp_tables

// The grammars the front ends parse with (declared in parser.hpp).
grammar const python_grammar{python_tables::spellings, python_tables::keywords, python_tables::binary,
                             python_tables::prefix, refusals, augmented, int_division::true_division, {},
                             false, false, "True", "False", py};
grammar const julia_grammar{julia_tables::spellings, julia_tables::keywords, julia_tables::binary,
                            julia_tables::prefix, refusals, augmented, int_division::true_division, {},
                            true, true, "true", "false", jl};
grammar const fsharp_grammar{fsharp_tables::spellings, fsharp_tables::keywords, fsharp_tables::binary,
                             fsharp_tables::prefix, refusals, augmented, int_division::truncating,
                             "F# has no chained comparisons; write a < b && b < c", false, false, "true", "false", fs};

}  // namespace kst
