// The F# front end: source text to kst AST, the light offside rule, block values made
// explicit, and every refusal with its message and exact line:col.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <string_view>

#include "frontends.hpp"
#include "tree.hpp"

namespace {

using kst::expr;
using kst::expr_kind;
using kst::int_division;
using kst::stmt;
using kst::stmt_kind;

constexpr kst::testing::spelling spelled{{"+", "-", "*", "/", "//", "div", "mod", "%", "**"}, "true", "false"};
std::string show(expr const& e) { return kst::testing::show(e, spelled); }
std::string show(std::vector<stmt> const& body) { return kst::testing::show(body, spelled); }

kst::module parse(std::string_view source) { return kst::parse_fsharp(source); }

std::string body_of(std::string_view source) {
  auto m = parse(source);
  REQUIRE(m.functions.size() == 1);
  return show(m.functions[0].body);
}

std::string returned(std::string const& text) {
  auto m = parse("let f x y z =\n    " + text + "\n");
  REQUIRE(m.functions.size() == 1);
  REQUIRE(m.functions[0].body.size() == 1);
  REQUIRE(m.functions[0].body[0].kind == stmt_kind::return_);
  return show(*m.functions[0].body[0].value);
}

expr const& literal(std::string const& text) {
  static kst::module keep;
  keep = parse("let f () = " + text + "\n");
  return *keep.functions.at(0).body.at(0).value;
}

kst::testing::failure failure_of(std::string_view source) {
  return kst::testing::failure_of([&] { parse(source); });
}

#define CHECK_FAILS(source, text, l, c) KS_CHECK_ERROR(parse(source), source, text, l, c)

}  // namespace

TEST_CASE("fsharp: relu3") {
  auto m = parse(
      "module Activations\n"
      "open System\n"
      "\n"
      "/// relu cubed, smoothed\n"
      "let relu3 (x: float) : float =\n"
      "    if x < 0.0 then 0.0\n"
      "    elif x < 1.0 then 1.0 / 3.0 * x ** 3.0\n"
      "    else x - 2.0 / 3.0\n");
  REQUIRE(m.functions.size() == 1);
  auto const& f = m.functions[0];
  CHECK(f.name == "relu3");
  CHECK(f.where.line == 5);
  CHECK(f.where.col == 5);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0].where.col == 12);
  CHECK(show(f.body) == "return (if (x < 0.0) 0.0 (if (x < 1.0) (* (/ 1.0 3.0) (** x 3.0)) (- x (/ 2.0 3.0))))");
  CHECK(f.end_where.line == 8);
  CHECK(f.end_where.col == 23);
  auto const& e = *f.body[0].value;
  CHECK(e.where.line == 6);
  CHECK(e.where.col == 5);
  CHECK(e.args[2]->where.line == 7);  // elif
  CHECK(e.args[2]->args[1]->args[0]->int_div == int_division::truncating);
}

TEST_CASE("fsharp: gelu, calls and conversions") {
  auto m = parse(
      "namespace Knossos.Demo\n"
      "(* gelu, tanh approximation (* nested *) *)\n"
      "let inline gelu (x: float) =\n"
      "    0.5 * x * (1.0 + System.Math.Tanh(sqrt (2.0 / Math.PI) * (x + 0.044715 * x ** 3.0)))\n"
      "let g (x: float, y: float) : float = Math.Max(x, y) + max x y + exp x + float 3 + float32 x\n"
      "let h x y = gelu (x + 1.0) * Math.Exp x + pown x 3 |> abs\n"
      "let p x = x |> max 0.0 |> not\n");
  REQUIRE(m.functions.size() == 4);
  CHECK(show(m.functions[0].body) ==
        "return (* (* 0.5 x) (+ 1.0 (call System.Math.Tanh (* (call sqrt (/ 2.0 Math.PI)) (+ x (* 0.044715 (** x 3.0)))))))");
  CHECK(m.functions[1].params.size() == 2);
  CHECK(show(m.functions[1].body) ==
        "return (+ (+ (+ (+ (call Math.Max x y) (call max x y)) (call exp x)) (call float 3)) (call float32 x))");
  CHECK(show(m.functions[2].body) == "return (call abs (+ (* (call gelu (+ x 1.0)) (call Math.Exp x)) (call pown x 3)))");
  CHECK(show(m.functions[3].body) == "return (not (call max 0.0 x))");
}

TEST_CASE("fsharp: local lets and ifs that bind") {
  CHECK(body_of("let f x =\n    let y = if x > 0.0 then x else 0.0\n    let z : float = y * 2.0\n    z + 1.0\n") ==
        "y = (if (x > 0.0) x 0.0); z = (* y 2.0); return (+ z 1.0)");
  CHECK(body_of("let f x =\n"
                "    let y =\n"
                "        if x > 0.0 then\n"
                "            let t = x * 2.0\n"
                "            t + 1.0\n"
                "        else\n"
                "            0.0\n"
                "    y\n") == "if (x > 0.0) { t = (* x 2.0); y = (+ t 1.0) } else { y = 0.0 }; return y");
  CHECK(body_of("let f x =\n"
                "    if x > 0.0 then\n"
                "        let t = x * 2.0\n"
                "        t\n"
                "    elif x < -1.0 then -x\n"
                "    else\n"
                "        let t = 3.0\n"
                "        t\n") ==
        "if (x > 0.0) { t = (* x 2.0); return t } else { if (x < (u- 1.0)) { return (u- x) } else { t_2 = 3.0; return t_2 } }");
  // an inner binding never clobbers an outer one of the same name
  CHECK(body_of("let f x =\n    let t = x\n    let y =\n        let t = 2.0\n        t\n    t + y\n") ==
        "t = x; t_2 = 2.0; y = t_2; return (+ t y)");
  CHECK(body_of("let f x =\n    let y = x in y * y\n") == "y = x; return (* y y)");
  CHECK(body_of("let f x = let a = 1.0 / x in a / (1.0 + a)") == "a = (/ 1.0 x); return (/ a (+ 1.0 a))");
  CHECK(body_of("let f x = let a = 1.0 in let b = a + x in b * b") == "a = 1.0; b = (+ a x); return (* b b)");
  CHECK(body_of("let f x = let a = 1.0\n          a + x\n") == "a = 1.0; return (+ a x)");
  CHECK(body_of("let f x =\n    let x = x + 1.0\n    x\n") == "x = (+ x 1.0); return x");
  CHECK(body_of("let f x = if x > 0.0 then 1.0 else 2.0") == "return (if (x > 0.0) 1.0 2.0)");
  CHECK(body_of("let f x =\n    x +\n      1.0\n") == "return (+ x 1.0)");
  CHECK(body_of("let f x = exp (\n    x + 1.0\n)\n") == "return (call exp (+ x 1.0))");
}

TEST_CASE("fsharp: several modifiers (a hang the fuzzer found)") {
  auto m = parse("let inline private f (x: float) = x\nlet private inline internal g (x: float) = x\n");
  REQUIRE(m.functions.size() == 2);
  CHECK(m.functions[0].is_inline);
  CHECK(m.functions[1].is_inline);
}

TEST_CASE("fsharp: module constants and annotations") {
  auto m = parse("[<Literal>]\nlet Alpha = 1.6732632423543772\nlet scale : float = 1.05\nlet f (x: float) (n: int) : float =\n"
                 "    let y : float = x * Alpha * scale\n    y\n");
  REQUIRE(m.constants.size() == 2);
  CHECK(m.constants[0].name == "Alpha");
  CHECK(m.constants[0].where.line == 2);
  CHECK(m.constants[1].name == "scale");
  REQUIRE(m.functions.size() == 1);
  CHECK(m.functions[0].params[0].type == "float");
  CHECK(m.functions[0].params[1].type == "int");
  CHECK(m.functions[0].result_type == "float");
  CHECK(m.functions[0].body[0].type == "float");
}

TEST_CASE("fsharp: precedence") {
  CHECK(returned("-x ** 2.0") == "(** (u- x) 2.0)");
  CHECK(returned("-(x ** 2.0)") == "(u- (** x 2.0))");
  CHECK(returned("x ** y ** z") == "(** x (** y z))");
  CHECK(returned("x + y * z % 2.0") == "(+ x (% (* y z) 2.0))");
  CHECK(returned("x - 1.0") == "(- x 1.0)");
  CHECK(returned("exp -x") == "(call exp (u- x))");
  CHECK(returned("exp - x") == "(- exp x)");
  CHECK(returned("- x") == "(u- x)");
  CHECK(returned("-exp x") == "(u- (call exp x))");
  CHECK(returned("exp x * 2.0") == "(* (call exp x) 2.0)");
  CHECK(returned("x < y || y >= z && not (x = y)") == "(or (x < y) (and (y >= z) (not (x == y))))");
  CHECK(returned("x <> y") == "(x != y)");
  CHECK(returned("x <= 1.0 && true || false") == "(or (and (x <= 1.0) true) false)");
  CHECK(returned("1.0 + if x > 0.0 then x else y") == "(+ 1.0 (if (x > 0.0) x y))");
  CHECK(returned("Math.PI * x") == "(* Math.PI x)");
  CHECK(returned("1 / 3 + 7 % 2") == "(+ (/ 1 3) (% 7 2))");
}

TEST_CASE("fsharp: numeric literals") {
  struct int_case {
    char const* text;
    long long value;
  };
  for (auto const& c : {int_case{"1", 1}, {"1L", 1}, {"1_000", 1000}, {"0x1F", 31}, {"0b101", 5}, {"0o17", 15},
                        {"2147483647", 2147483647}, {"9223372036854775807L", 9223372036854775807LL}, {"7y", 7},
                        {"7s", 7}, {"7l", 7}, {"7n", 7}}) {
    CAPTURE(c.text);
    expr const& e = literal(c.text);
    CHECK(e.kind == expr_kind::number);
    CHECK(e.is_integer);
    CHECK(e.int_value == c.value);
    CHECK(e.text == c.text);
  }
  struct float_case {
    char const* text;
    double value;
    bool f32;
  };
  for (auto const& c : {float_case{"1.0", 1.0, false}, {"1.", 1.0, false}, {"1e3", 1000.0, false},
                        {"1.5e-3", 1.5e-3, false}, {"1E+2", 100.0, false}, {"1.0f", 1.0, true}, {"1.0F", 1.0, true},
                        {"1f", 1.0, true}, {"2.5e1f", 25.0, true}, {"1_000.25", 1000.25, false}, {"1e-999", 0.0, false}}) {
    CAPTURE(c.text);
    expr const& e = literal(c.text);
    CHECK(e.kind == expr_kind::number);
    CHECK_FALSE(e.is_integer);
    CHECK(e.float_value == c.value);
    CHECK(e.is_float32 == c.f32);
  }
  CHECK(literal("true").kind == expr_kind::boolean);
  CHECK(literal("false").int_value == 0);
}

TEST_CASE("fsharp: errors at the offending token") {
  CHECK_FAILS("let rec f x = f x", "recursion is not supported", 1, 5);
  CHECK_FAILS("let f x =\n    for i in 1..3 do\n        x\n", "loops are not supported", 2, 5);
  CHECK_FAILS("let f x =\n    while x > 0.0 do x\n", "loops are not supported", 2, 5);
  CHECK_FAILS("let f x =\n    match x with\n    | _ -> 1.0\n", "pattern matching is not supported", 2, 5);
  CHECK_FAILS("let f x = fun y -> y", "anonymous functions are not supported", 1, 11);
  CHECK_FAILS("let f x = [x; 1.0]", "containers are not supported", 1, 11);
  CHECK_FAILS("let f x = [|x|]", "containers are not supported", 1, 11);
  CHECK_FAILS("let f x = (x, 1.0)", "tuples are not supported", 1, 15);
  CHECK_FAILS("let f x = \"s\"", "strings are not supported", 1, 11);
  CHECK_FAILS("let f x = 'c'", "strings are not supported", 1, 11);
  CHECK_FAILS("let f x =\n    let mutable y = x\n    y\n", "mutable variables are not supported", 2, 9);
  CHECK_FAILS("let f x =\n    x <- 1.0\n    x\n", "mutation is not supported", 2, 7);
  CHECK_FAILS("let f x = { X = x }", "records are not supported", 1, 11);
  CHECK_FAILS("let f x = seq { yield x }", "sequences are not supported", 1, 11);
  CHECK_FAILS("let f x = 0.0 < x < 1.0", "F# has no chained comparisons", 1, 19);
  CHECK_FAILS("let f x = 1.0m", "decimal literals are not supported", 1, 11);
  CHECK_FAILS("let f x = 1.0M", "decimal literals are not supported", 1, 11);
  CHECK_FAILS("let f x = 1I", "big integer literals are not supported", 1, 11);
  CHECK_FAILS("let f x = 1u", "unsigned integers are not supported", 1, 11);
  CHECK_FAILS("let f x = 2147483648", "too large for int; add L", 1, 11);
  CHECK_FAILS("let f x = 99999999999999999999L", "integer literal is too large", 1, 11);
  CHECK_FAILS("let f x = 1e999", "float literal is too large", 1, 11);
  CHECK_FAILS("let f x = .5", "write 0.5", 1, 11);
  CHECK_FAILS("let f x = 1.5x", "invalid number literal", 1, 11);
  CHECK_FAILS("let f x = x ^ 2.0", "use ** for powers", 1, 13);
  CHECK_FAILS("let c =\n    let t = 3.0\n    t\n", "a constant's value must be one expression", 1, 5);
  CHECK_FAILS("let f x x = x", "duplicate parameter 'x'", 1, 9);
  CHECK_FAILS("let f (x: float list) = x", "containers are not supported", 1, 17);
  CHECK_FAILS("type P = { X: float }", "type definitions are not supported", 1, 1);
  CHECK_FAILS("module M =\n    let f x = x\n", "nested modules are not supported", 1, 10);
  CHECK_FAILS("printfn \"hi\"", "only functions (let), open, module and namespace", 1, 1);
  CHECK_FAILS("let f x =\n    let y = x\n", "a block cannot end with a let", 2, 5);
  CHECK_FAILS("let f x =\n    x + 1.0\n    x\n", "only the last line of a block may be an expression", 2, 5);
  CHECK_FAILS("let f x =\nx", "must be indented more", 2, 1);
  CHECK_FAILS("let f x = if x > 0.0 then 1.0", "needs an else branch", 1, 11);
  CHECK_FAILS("let f x =\n    let g y = y\n    g x\n", "local functions are not supported", 2, 11);
  CHECK_FAILS("let f x =\n    let y = if x > 0.0 then\n                let t = 1.0\n                t\n            else 0.0\n    y\n", "(no error)", 0, 0);
  CHECK_FAILS("let f x = 1.0 + (if x > 0.0 then\n                  let t = 1.0\n                  t\n                 else 0.0)",
              "must be a whole let value", 1, 18);
  CHECK_FAILS("let f x =\n    let y =\n        let t = 2.0\n        t\n    t\n", "'t' is not defined here", 5, 5);
  CHECK_FAILS("let f x = x.[0]", "indexing is not supported", 1, 12);
  CHECK_FAILS("let f x = x.Length", "member access is not supported", 1, 12);
  CHECK_FAILS("let f x = x >> exp", "function composition is not supported", 1, 13);
  CHECK_FAILS("let f x = (x + 1.0", "expected ')'", 1, 19);
  CHECK_FAILS("let f x = return x", "F# has no return", 1, 11);
  CHECK_FAILS("let f x' = x'", "names containing ' are not supported", 1, 7);
  CHECK_FAILS("let f x =\n\tx", "tabs are not allowed", 2, 1);
  CHECK_FAILS("(* never closed\nlet f x = x", "unterminated comment", 1, 1);
  CHECK_FAILS("let f x = x + 1.0 )", "unexpected ')'", 1, 19);
  CHECK_FAILS("let f _ = 1.0", "unnamed parameters are not supported", 1, 7);
}

TEST_CASE("fsharp: deep nesting, garbage and large inputs fail cleanly") {
  CHECK(failure_of("let f x = " + std::string(100000, '(') + "x").message == "expression nested too deeply");
  CHECK(failure_of("let f x = " + std::string(100000, '-') + "x").message == "expression nested too deeply");
  CHECK(failure_of("let f x = exp" + std::string(100000, ' ') + "x").message == "(no error)");
  std::string chain = "let f x = x";
  for (int i = 0; i < 100000; ++i) chain += "+x";
  CHECK(failure_of(chain).message == "(no error)");  // a flat chain is not nesting
  std::string args = "let f x = g";
  for (int i = 0; i < 100000; ++i) args += " x";
  CHECK(failure_of(args).message == "expression nested too deeply");
  std::string ifs = "let f x =\n";
  for (int i = 0; i < 5000; ++i) ifs += std::string(static_cast<std::size_t>(i + 1), ' ') + "if x > 0.0 then\n";
  CHECK(failure_of(ifs).message.find("nested too deeply") != std::string::npos);
  CHECK(failure_of(std::string("\xff\xfe\x00\x01", 4)).message.find("non-ascii") != std::string::npos);
  CHECK(failure_of(std::string("let f x = \x01", 11)).message == "invalid character '\\x01'");
  for (int b = 0; b < 256; ++b) {
    std::string src = "let f (x: float) =\n    let y = if x > 0.0 then x else 1.0\n    y ** 2.0\n";
    for (std::size_t i = 0; i < src.size(); i += 3) {
      std::string s = src;
      s[i] = static_cast<char>(b);
      try {
        parse(s);
      } catch (kst::error const&) {
      }
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "let f" + std::to_string(i) + " x =\n    let y = x * 2.0 // c\n    y ** 2.0 - 1.0\n";
  CHECK(parse(big).functions.size() == 20000);
  CHECK(failure_of("let f x = 1.0\n\"" + std::string(1000000, 'a')).message == "unterminated string");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
