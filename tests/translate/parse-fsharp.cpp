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

// The names of the functions a module defines, and what each returns.
std::string functions_of(std::string_view source) {
  std::string out;
  for (auto const& f : parse(source).functions) out += (out.empty() ? "" : "\n") + f.name + ": " + show(f.body);
  return out;
}

TEST_CASE("fsharp: namespaces and nested modules") {
  // The issue's library file: a namespace, an open, doc comments, a module whose
  // functions are named by their path.
  auto m = parse(
      "namespace Stats.SpecialFunctions\n"
      "\n"
      "open System\n"
      "\n"
      "/// Logistic functions\n"
      "module Logistic =\n"
      "\n"
      "    /// the standard logistic function\n"
      "    let standard x = 1.0 / (1.0 + exp -x)\n"
      "\n"
      "    let generic x0 L k x = L / (1.0 + exp (k * (x0 - x)))\n");
  REQUIRE(m.functions.size() == 2);
  CHECK(m.functions[0].name == "Logistic.standard");
  CHECK(m.functions[0].where.line == 9);
  CHECK(m.functions[0].where.col == 9);
  CHECK(m.functions[1].name == "Logistic.generic");
  CHECK(show(m.functions[1].body) == "return (/ L (+ 1.0 (call exp (* k (- x0 x)))))");

  // Qualified uses: from another module, from the module itself, from a nested one,
  // through the namespace; unqualified: the module's own and its enclosing modules'.
  CHECK(functions_of("namespace Stats\n"
                     "module Logistic =\n"
                     "    let standard x = 1.0 / (1.0 + exp -x)\n"
                     "    let twice x = Logistic.standard x + standard x\n"
                     "module Other =\n"
                     "    let scale = 2.0\n"
                     "    let f x = Logistic.standard x * scale\n"
                     "    module Deeper =\n"
                     "        module Deepest =\n"
                     "            let g x = f x + Other.f x + Stats.Logistic.twice x + scale\n"
                     "        let h x = Deepest.g x + Other.Deeper.Deepest.g x\n"
                     "    let k x = Deeper.h x\n"
                     "let top x = Other.Deeper.Deepest.g x + Other.scale\n") ==
        "Logistic.standard: return (/ 1.0 (+ 1.0 (call exp (u- x))))\n"
        "Logistic.twice: return (+ (call Logistic.standard x) (call Logistic.standard x))\n"
        "Other.f: return (* (call Logistic.standard x) Other.scale)\n"
        "Other.Deeper.Deepest.g: return (+ (+ (+ (call Other.f x) (call Other.f x)) (call Logistic.twice x)) Other.scale)\n"
        "Other.Deeper.h: return (+ (call Other.Deeper.Deepest.g x) (call Other.Deeper.Deepest.g x))\n"
        "Other.k: return (call Other.Deeper.h x)\n"
        "top: return (+ (call Other.Deeper.Deepest.g x) Other.scale)");
  CHECK(parse("module Outer =\n    let c = 0.5\n    let f x = x\n").constants.at(0).name == "Outer.c");

  // A name means the latest definition before the use that the use can see: an
  // inner one shadows an outer one from its definition on, a local shadows both.
  CHECK(functions_of("let g x = x\n"
                     "module A =\n"
                     "    let f x = g x\n"
                     "    let g x = 2.0 * x\n"
                     "    let h x = g x\n"
                     "    let k g = g + A.g g\n"
                     "let t x = g x + A.g x\n") ==
        "g: return x\nA.f: return (call g x)\nA.g: return (* 2.0 x)\nA.h: return (call A.g x)\n"
        "A.k: return (+ g (call A.g g))\nt: return (+ (call g x) (call A.g x))");

  // The file's own module name qualifies too; open, [<AutoOpen>], abbreviations,
  // access modifiers, and a module named like a .NET one shadows it.
  CHECK(functions_of("module Top\n"
                     "[<AutoOpen>]\n"
                     "module private Helpers =\n"
                     "    let sq x = x * x\n"
                     "module Use =\n"
                     "    open Helpers\n"
                     "    open System\n"
                     "    let f x = sq x + Helpers.sq x + Top.Helpers.sq x\n"
                     "let g x = sq x + Top.g2 x\n"
                     "module U = Use\n"
                     "module M = System.Math\n"
                     "let h x = U.f x + M.Exp x + Math.Exp x\n"
                     "module Math =\n"
                     "    let Exp x = x\n"
                     "let k x = Math.Exp x\n") ==
        "Helpers.sq: return (* x x)\n"
        "Use.f: return (+ (+ (call Helpers.sq x) (call Helpers.sq x)) (call Helpers.sq x))\n"
        "g: return (+ (call Helpers.sq x) (call Top.g2 x))\n"
        "h: return (+ (+ (call Use.f x) (call System.Math.Exp x)) (call Math.Exp x))\n"
        "Math.Exp: return x\n"
        "k: return (call Math.Exp x)");

  // Opening a module opens its [<AutoOpen>] modules too.
  CHECK(functions_of("module A =\n    [<AutoOpen>]\n    module B =\n        let h x = x\n    let g x = h x\n"
                     "module C =\n    open A\n    let k x = h x + B.h x\n") ==
        "A.B.h: return x\nA.g: return (call A.B.h x)\nC.k: return (+ (call A.B.h x) (call A.B.h x))");

  // An attribute may share the module's line.
  CHECK(functions_of("[<AutoOpen>] module A =\n    let f x = x\nlet g x = f x\n") == "A.f: return x\ng: return (call A.f x)");

  // Modules end where a line starts at or left of their `module`; the same
  // namespace may be declared again (its modules stay apart).
  CHECK(functions_of("namespace N\n"
                     "    module A =\n"
                     "        let f x = x\n"
                     "    module B =\n"
                     "        let f x = A.f x\n"
                     "namespace N\n"
                     "module C =\n"
                     "  let f x = B.f x\n") ==
        "A.f: return x\nB.f: return (call A.f x)\nC.f: return (call B.f x)");

  // A name that is only defined later (or is the function itself) gets the later
  // definition's name, for the emitter's message; a vocabulary function keeps its own.
  CHECK(functions_of("module A =\n    let f x = g x + exp x\n    let g x = f x\n    let exp x = x\n") ==
        "A.f: return (+ (call A.g x) (call exp x))\nA.g: return (call A.f x)\nA.exp: return x");
  CHECK(functions_of("module A =\n    let f x = f x\n") == "A.f: return (call A.f x)");
}

TEST_CASE("fsharp: module errors at the offending token") {
  CHECK_FAILS("module A =\n    let f x = x\nmodule A =\n    let g x = x\n", "module 'A' is already defined at line 1", 3, 8);
  CHECK_FAILS("module A =\n    let f x = x\n  let g x = x\n", "does not line up with the declarations of module 'A' (column 5)", 3, 3);
  CHECK_FAILS("module A =\n    let f x = x\n      let g x = x\n", "does not line up with the declarations of module 'A'", 3, 7);
  CHECK_FAILS("namespace A\nmodule M =\n    let f x = x\nnamespace B\n", "a second namespace or module name in one file", 4, 11);
  CHECK_FAILS("module A\nnamespace B\n", "put 'B' in a file of its own", 2, 11);
  CHECK_FAILS("module rec A =\n    let f x = x\n", "recursion is not supported", 1, 8);
  CHECK_FAILS("namespace rec A\n", "recursion is not supported", 1, 11);
  CHECK_FAILS("module A =\n    let rec f x = f x\n", "recursion is not supported", 2, 9);
  CHECK_FAILS("module A =\n    type T = { X: float }\n", "type definitions are not supported", 2, 5);
  CHECK_FAILS("module A =\n    type C() =\n        member this.X = 1.0\n", "type definitions are not supported", 2, 5);
  CHECK_FAILS("module A =\n    let f x =\n        match x with\n        | Some y -> y\n        | None -> 0.0\n",
              "pattern matching is not supported", 3, 9);
  CHECK_FAILS("module A =\n    let f x = { X = x }\n", "records are not supported", 2, 15);
  CHECK_FAILS("module A =\n    printfn \"hi\"\n", "only functions (let), open and modules are allowed in a module", 2, 5);
  CHECK_FAILS("module A =\n", "expected the body of module 'A'", 2, 1);
  CHECK_FAILS("module A =\nlet f x = x\n", "the body of module 'A' must be indented more", 2, 1);
  CHECK_FAILS("module A.B =\n    let f x = x\n", "the name of a nested module is one identifier", 1, 8);
  CHECK_FAILS("module A = begin\n    let f x = x\nend\n", "'begin' is not supported", 1, 12);
  CHECK_FAILS("module A =\n    let f x = x\n    namespace B\n", "only functions (let), open and modules", 3, 5);
  CHECK_FAILS("module A = B C\n", "unexpected 'C'", 1, 14);
  CHECK_FAILS("namespace A B\n", "unexpected 'B'", 1, 13);
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += std::string(static_cast<std::size_t>(i), ' ') + "module M =\n";
  CHECK(failure_of(deep + std::string(300, ' ') + "let f x = x\n").message == "blocks nested too deeply");
}

TEST_CASE("fsharp: a line starting with an infix operator continues the expression") {
  // The F# formatter's long sums: the operator at the block's column, or left of it
  // by its width and one (the F# spec's exceptions to the offside rule).
  CHECK(body_of("let beale (x0: float) x1 =\n"
                "    (1.5 - x0 + x0 * x1) ** 2.0\n"
                "    + (2.25 - x0 + x0 * x1 ** 2.0) ** 2.0\n"
                "    + (2.625 - x0 + x0 * x1 ** 3.0) ** 2.0\n") ==
        "return (+ (+ (** (+ (- 1.5 x0) (* x0 x1)) 2.0) (** (+ (- 2.25 x0) (* x0 (** x1 2.0))) 2.0)) "
        "(** (+ (- 2.625 x0) (* x0 (** x1 3.0))) 2.0))");
  CHECK(body_of("let f x =\n      x * 2.0\n    + 1.0\n    - x\n") == "return (- (+ (* x 2.0) 1.0) x)");
  CHECK(body_of("let f x =\n      x\n   ** 2.0\n") == "return (** x 2.0)");
  CHECK(body_of("let f x =\n      x\n   |> exp\n   |> max 0.0\n") == "return (call max 0.0 (call exp x))");
  CHECK(body_of("let f x =\n    x\n    |> exp\n") == "return (call exp x)");
  CHECK(body_of("let f x =\n       x > 0.0\n    && x < 1.0\n    || x > 2.0\n") ==
        "return (or (and (x > 0.0) (x < 1.0)) (x > 2.0))");
  CHECK(body_of("let f x =\n    x\n    <> 1.0\n") == "return (x != 1.0)");
  CHECK(body_of("let f x =\n    x\n    % 2.0\n    * 3.0\n    / 4.0\n") == "return (/ (* (% x 2.0) 3.0) 4.0)");
  // In a let's value, in its block, and in branches.
  CHECK(body_of("let f x =\n    let s =\n        x * x\n        + 2.0 * x\n      + 1.0\n    s\n") ==
        "s = (+ (+ (* x x) (* 2.0 x)) 1.0); return s");
  CHECK(body_of("let f x =\n    if x > 0.0 then\n        x\n        + 1.0\n    else\n        x\n      - 1.0\n") ==
        "return (if (x > 0.0) (+ x 1.0) (- x 1.0))");
  // The operator alone at the end of a line, and a continuation inside parentheses.
  CHECK(body_of("let f x =\n    x *\n    2.0 +\n    1.0\n") == "return (+ (* x 2.0) 1.0)");
  CHECK(body_of("let f x =\n    let y = x *\n            2.0\n    y\n") == "y = (* x 2.0); return y");
  CHECK(body_of("let f x =\n    exp (x\n  + 1.0) * (2.0\n    + x)\n") == "return (* (call exp (+ x 1.0)) (+ 2.0 x))");
  CHECK(body_of("let f x =\n    (\n        x + 1.0\n    )\n    * 2.0\n") == "return (* (+ x 1.0) 2.0)");
  CHECK(body_of("let f x =\n    max (x + 1.0)\n        (x\n         - 1.0)\n") == "return (call max (+ x 1.0) (- x 1.0))");
  // After a let, a line at the block's column is the next line of the block, even
  // one that starts with '-' (F# ends the let there too).
  CHECK(body_of("let f x =\n    let y = x * 2.0\n    -y\n") == "y = (* x 2.0); return (u- y)");
  CHECK(body_of("let f x =\n    let y =\n        x * 2.0\n    - 1.0\n") == "y = (* x 2.0); return (u- 1.0)");
  // A line with a prefix minus glued to its operand passes it as an argument, as in F#.
  CHECK(body_of("let f x =\n    exp x\n    -1.0\n") == "return (call exp x (u- 1.0))");
  // Further left than the operator's width and one, the line is outside the block.
  CHECK_FAILS("let f x =\n    x\n  * 2.0\n", "(no error)", 0, 0);
  CHECK_FAILS("let f x =\n    x\n * 2.0\n", "only functions (let), open, module and namespace", 3, 2);
  CHECK_FAILS("let f x =\n    x\n** 2.0\n", "only functions (let), open, module and namespace", 3, 1);
  // < > = are no infix operators for F#'s layout: the line is the block's next one.
  CHECK_FAILS("let f x =\n    x\n    = 1.0\n", "only the last line of a block may be an expression", 2, 5);
  CHECK_FAILS("let f x =\n    x\n    < 1.0\n", "only the last line of a block may be an expression", 2, 5);
  // A refused operator there is named.
  CHECK_FAILS("let f x =\n    x\n    >> exp\n", "function composition is not supported", 3, 5);
  CHECK_FAILS("let f x =\n    x\n    ^ y\n", "'^' joins strings in F#", 3, 5);
}

TEST_CASE("fsharp: if/then/else over several lines") {
  CHECK(body_of("let f x =\n    if x > 0.0\n    then x\n    elif x < -1.0\n    then -x\n    else 0.0\n") ==
        "return (if (x > 0.0) x (if (x < (u- 1.0)) (u- x) 0.0))");
  CHECK(body_of("let f x =\n    if x > 0.0 then x\n    else if x < -1.0 then -x\n    else if x < -2.0 then 1.0\n    else 0.0\n") ==
        "return (if (x > 0.0) x (if (x < (u- 1.0)) (u- x) (if (x < (u- 2.0)) 1.0 0.0)))");
  CHECK(body_of("let f x =\n    if x > 0.0 then\n        x\n    else if x < -1.0 then\n        -x\n    else\n        0.0\n") ==
        "return (if (x > 0.0) x (if (x < (u- 1.0)) (u- x) 0.0))");
  CHECK(body_of("let f x =\n    if x > 0.0\n       && x < 1.0\n    then\n        x\n    else\n        0.0\n") ==
        "return (if (and (x > 0.0) (x < 1.0)) x 0.0)");
  CHECK(body_of("let f x =\n    let y =\n        if x > 0.0\n        then x\n        else 0.0\n    y\n") ==
        "y = (if (x > 0.0) x 0.0); return y");
  CHECK(body_of("let f x =\n    1.0\n    + if x > 0.0 then x else 0.0\n") == "return (+ 1.0 (if (x > 0.0) x 0.0))");
  CHECK(body_of("let f x =\n    x * (if x > 0.0 then 1.0\n         else 2.0)\n") == "return (* x (if (x > 0.0) 1.0 2.0))");
  CHECK(body_of("let f x =\n    if x > 0.0 then\n        let t = x * 2.0\n        t\n    else if x < 1.0 then\n"
                "        let t = 3.0\n        t\n    else\n        0.0\n") ==
        "if (x > 0.0) { t = (* x 2.0); return t } else { if (x < 1.0) { t_2 = 3.0; return t_2 } else { return 0.0 } }");
  CHECK_FAILS("let f x =\n    if x > 0.0 then x\n  else 0.0\n", "needs an else branch", 2, 5);
  std::string chain = "let f x =\n    if x > 0.0 then 0.0\n";
  for (int i = 0; i < 300; ++i) chain += "    else if x > 1.0 then 1.0\n";
  CHECK(failure_of(chain + "    else 2.0\n").message == "expression nested too deeply");
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
  CHECK_FAILS("module M =\n    module N\n    let f x = x\n", "a module inside a module is declared with '='", 2, 5);
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
