// What the translator's tests share: an expression or a body as a compact prefix
// form, so precedence tests read like the tree ((- (** x 2)), "if (x < 0) { return 0.0 }"),
// and the error a translation ends in, with its location.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"

namespace kst::testing {

/// How a language's tests spell the tree: the binary operators (in binary_op order)
/// and the booleans.
struct spelling {
  char const* ops[9];
  char const* true_word;
  char const* false_word;
};

inline std::string show(expr const& e, spelling const& s) {
  auto args = [&](std::string head) {
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      head += ' ';
      if (e.kind == expr_kind::call && !e.kwnames[i].empty()) head += e.kwnames[i] + "=";
      head += show(*e.args[i], s);
    }
    return head + ")";
  };
  switch (e.kind) {
    case expr_kind::number: return e.text;
    case expr_kind::name: return e.name;
    case expr_kind::boolean: return e.int_value ? s.true_word : s.false_word;
    case expr_kind::unary: return args(std::string("(u") + e.op_char);
    case expr_kind::not_: return args("(not");
    case expr_kind::and_: return args("(and");
    case expr_kind::or_: return args("(or");
    case expr_kind::if_exp: return args("(if");
    case expr_kind::call: return args("(call " + e.name);
    case expr_kind::binary: return args(std::string("(") + s.ops[static_cast<int>(e.bop)]);
    case expr_kind::compare: {
      static constexpr char const* cmp[] = {"<", "<=", ">", ">=", "==", "!="};
      std::string out = "(" + show(*e.args[0], s);
      for (std::size_t i = 0; i < e.cmp.size(); ++i)
        out += std::string(" ") + cmp[static_cast<int>(e.cmp[i])] + " " + show(*e.args[i + 1], s);
      return out + ")";
    }
  }
  return "?";
}

/// Statements as one line each: "x = e", "return e", "if c { ... } else { ... }".
inline std::string show(std::vector<stmt> const& body, spelling const& s) {
  std::string out;
  for (stmt const& st : body) {
    if (!out.empty()) out += "; ";
    switch (st.kind) {
      case stmt_kind::assign: out += st.target + " = " + show(*st.value, s); break;
      case stmt_kind::return_: out += "return " + show(*st.value, s); break;
      case stmt_kind::if_:
        out += "if " + show(*st.cond, s) + " { " + show(st.then_body, s) + " }";
        if (!st.else_body.empty()) out += " else { " + show(st.else_body, s) + " }";
        break;
    }
  }
  return out;
}

struct failure {
  std::string message;
  int line = 0;
  int col = 0;
};

/// The error `f()` ends in, or "(no error)".
template <class F>
failure failure_of(F&& f) {
  try {
    f();
  } catch (error const& e) {
    return {e.what(), e.where.line, e.where.col};
  }
  return {"(no error)"};
}

/// Source text as one line, control characters escaped, for a test's context.
inline std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u >= 0x7f) out += "\\x" + std::to_string(u);
    else out += c;
  }
  return out;
}

}  // namespace kst::testing

// The failure `f` (a kst::testing::failure) has a message containing `text` at l:c.
#define KS_CHECK_FAILURE(f, source, text, l, c)                                \
  do {                                                                         \
    INFO("source: ", kst::testing::printable(source));                         \
    INFO("got: ", (f).line, ":", (f).col, ": ", (f).message);                  \
    CHECK((f).message.find(text) != std::string::npos);                        \
    CHECK((f).line == (l));                                                    \
    CHECK((f).col == (c));                                                     \
  } while (false)

// Evaluating `expression` ends in an error containing `text` at l:c.
#define KS_CHECK_ERROR(expression, source, text, l, c)                                        \
  do {                                                                                       \
    kst::testing::failure f_ = kst::testing::failure_of([&] { static_cast<void>(expression); }); \
    KS_CHECK_FAILURE(f_, source, text, l, c);                                                \
  } while (false)
