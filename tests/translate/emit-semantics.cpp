// The checker and emitter: what each language's semantics make of a construct, what
// is refused (with message and location), and that every spelling in the name
// tables translates. Whole files are in the golden tests; values are checked end to
// end (e2e/).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "names.hpp"
#include "translate.hpp"
#include "tree.hpp"

namespace {

using kst::language;

std::string translate(std::string const& source, language lang, std::string ns = {}) {
  kst::translate_options options;
  options.lang = lang;
  options.source_name = "t";
  options.namespace_name = std::move(ns);
  return kst::translate(source, options);
}

// The body of the (only, or last) lambda: its bindings and return, one per line.
std::string body(std::string const& source, language lang) {
  std::string out = translate(source, lang);
  std::size_t start = out.rfind(") {\n");
  std::size_t end = out.rfind("\n};");
  REQUIRE(start != std::string::npos);
  return out.substr(start + 4, end - start - 4);
}

std::string returned(std::string const& source, language lang) {
  std::string b = body(source, lang);
  std::size_t r = b.rfind("  return ");
  return b.substr(r + 9, b.size() - r - 10);
}

std::string py(std::string const& e) { return returned("import math, torch\nimport numpy as np\nimport torch.nn.functional as F\ndef f(x, y):\n    return " + e + "\n", language::python); }
std::string jl(std::string const& e) { return returned("f(x, y) = " + e + "\n", language::julia); }
std::string fs(std::string const& e) { return returned("let f (x: float) (y: float) = " + e + "\n", language::fsharp); }

#define CHECK_REFUSED(source, lang, text, l, c) KS_CHECK_ERROR(translate(source, lang), source, text, l, c)

}  // namespace

TEST_CASE("division and remainder follow the source language") {
  // Python: / is true division, // floors, % has the divisor's sign.
  CHECK(py("1 / 3 + x") == "(1.0 / 3) + x");
  CHECK(py("(-7 // 2) * x") == "-4.0 * x");
  CHECK(py("(-7 % 3) * x") == "2.0 * x");
  CHECK(py("x // y") == "ks::floor(x / y)");
  CHECK(py("x % y") == "x - y * ks::floor(x / y)");
  // Julia: / is true division, ÷/div truncate, fld floors, % and rem truncate, mod floors.
  CHECK(jl("1 / 3 + x") == "(1.0 / 3) + x");
  CHECK(jl("(-7 ÷ 2) * x + div(-7, 2) * y") == "-3.0 * x + -3.0 * y");
  CHECK(jl("fld(-7, 2) * x") == "-4.0 * x");
  CHECK(jl("(-7 % 3) * x + rem(-7, 3) * y") == "-1.0 * x + -1.0 * y");
  CHECK(jl("mod(-7, 3) * x") == "2.0 * x");
  CHECK(jl("x ÷ y") == "ks::trunc(x / y)");
  CHECK(jl("rem(x, y)") == "x - y * ks::trunc(x / y)");
  CHECK(jl("mod(x, y)") == "x - y * ks::floor(x / y)");
  // F#: / between ints truncates, % has the dividend's sign.
  CHECK(fs("float (1 / 3) * x + float (-7 / 2) * y") == "0.0 * x + -3.0 * y");
  CHECK(fs("float (-7 % 3) * x") == "-1.0 * x");
  CHECK(fs("x % y") == "x - y * ks::trunc(x / y)");
  CHECK_REFUSED("def f(x):\n    return x + 1 // 0\n", language::python, "division by zero in a constant expression", 2, 18);
  CHECK_REFUSED("f(x) = x * (9223372036854775807 + 1)\n", language::julia, "integer overflow", 1, 33);
}

TEST_CASE("powers, unary minus and juxtaposition") {
  CHECK(py("-x ** 2") == "-ks::pow(x, 2)");
  CHECK(py("2 ** 3 ** 2 + x") == "512.0 + x");
  CHECK(py("2 ** -1 + x ** -1") == "0.5 + ks::pow(x, -1)");
  CHECK(py("x ** y") == "ks::pow(x, y)");
  CHECK(py("x ** 2.5") == "ks::pow(x, 2.5)");
  CHECK(jl("-x^2") == "-ks::pow(x, 2)");
  CHECK(jl("2x^2") == "2.0 * ks::pow(x, 2)");
  CHECK(jl("1/2x") == "1.0 / (2.0 * x)");
  CHECK(jl("2(x + 1) * y") == "2.0 * (x + 1.0) * y");
  CHECK(fs("-x ** 2.0") == "ks::pow(-x, 2)");
  CHECK(fs("-(x ** 2.0)") == "-ks::pow(x, 2)");
  // F# application: exp -x passes -x; exp - x would subtract (and exp is no number).
  CHECK(fs("exp -x") == "ks::exp(-x)");
  CHECK(fs("exp (-x) - x") == "ks::exp(-x) - x");
  CHECK_REFUSED("let f (x: float) = exp - x\n", language::fsharp, "'exp' is a function; call it", 1, 20);
}

TEST_CASE("Julia's implicit result") {
  CHECK(body("function f(x)\n  y = 2x\nend\n", language::julia) == "  auto const y = 2.0 * x;\n  return y;");
  CHECK(body("function f(x)\n  if x > 0\n    y = x\n  else\n    y = -x\n  end\nend\n", language::julia) ==
        "  auto const cond = x > 0.0;\n  auto const y = x;\n  auto const y_1 = -x;\n  return ks::select(cond, y, y_1);");
  CHECK(body("function f(x)\n  x < 0 && return 0.0\n  x\nend\n", language::julia) ==
        "  auto const cond = x < 0.0;\n  return ks::select(cond, 0.0, x);");
  CHECK(body("function f(x)\n  x >= 0 || return 0.0\n  x\nend\n", language::julia) ==
        "  auto const cond = !(x >= 0.0);\n  return ks::select(cond, 0.0, x);");
}

TEST_CASE("literals in every spelling") {
  CHECK(py("1_000 + 0x10 + 0o17 + 0b101 + 1e3 + .5 + x") == "1036.0 + 1000.0 + 0.5 + x");
  CHECK(py("1e999 + x") == "std::numeric_limits<double>::infinity() + x");
  CHECK(py("x if x < 1e30 else float('inf')") == "ks::select(x < 1e+30, x, std::numeric_limits<double>::infinity())");
  CHECK(py("max(x, float(\"-inf\"))") == "ks::max(x, -std::numeric_limits<double>::infinity())");
  CHECK_REFUSED("def f(x):\n    return float('nan')\n", language::python, "only 'inf' and '-inf'", 2, 18);
  CHECK(jl("1_000 + 0x10 + 0b101 + 0x1p3 + x") == "1021.0 + 8.0 + x");
  CHECK(jl("1f0 * x") == "1.0f * x");
  CHECK(fs("1_000.0 + float 0x10 + float 7L + x") == "1000.0 + 16.0 + 7.0 + x");
  CHECK(returned("let f (x: float32) = 1.5f * x\n", language::fsharp) == "1.5f * x");
  CHECK_REFUSED("f(x) = 1e999 * x\n", language::julia, "float literal is too large", 1, 8);
  CHECK_REFUSED("let f (x: float) = 1e999 * x\n", language::fsharp, "float literal is too large", 1, 20);
}

TEST_CASE("keyword arguments, defaults and the caller's defaults") {
  CHECK(py("F.softplus(x, beta=2.0, threshold=10.0)") == "ks::select(x * 2.0 > 10.0, x, ks::log1p(ks::exp(2.0 * x)) / 2.0)");
  CHECK(py("F.softplus(x)") == "ks::softplus(x)");
  CHECK(py("F.leaky_relu(x, negative_slope=0.1)") == "ks::leaky_relu(x, 0.1)");
  CHECK(py("F.leaky_relu(x)") == "ks::leaky_relu(x, 0.01)");  // defaults passed, filled in
  CHECK(py("F.leaky_relu(x, 0.2)") == "ks::leaky_relu(x, 0.2)");
  CHECK(py("torch.clamp(x, min=0)") == "ks::clamp(x, 0.0, std::numeric_limits<double>::infinity())");
  CHECK(py("torch.clamp(x, max=y, min=-1)") == "ks::clamp(x, -1.0, y)");
  CHECK(jl("leakyrelu(x, 0.2)") == "ks::leaky_relu(x, 0.2)");
  CHECK(returned("g(x; beta=2.0) = x * beta\nf(x) = g(x) + g(x; beta=3.0) + g(x, beta=4.0)\n", language::julia) ==
        "g(x, 2.0) + g(x, 3.0) + g(x, 4.0)");
  CHECK(returned("def g(x, a=1, b=2.0):\n    return x * a + b\ndef f(x):\n    return g(x) + g(x, b=3) + g(x, 5)\n", language::python) ==
        "g(x, 1.0, 2.0) + g(x, 1.0, 3.0) + g(x, 5.0, 2.0)");
  CHECK_REFUSED("import torch.nn.functional as F\ndef f(x):\n    return F.softplus(x, betta=2.0)\n", language::python,
                "'torch.nn.functional.softplus' has no parameter 'betta'", 3, 32);
  CHECK_REFUSED("import math\ndef f(x):\n    return math.exp(x, x)\n", language::python, "'math.exp' takes 1 argument(s), 2 given", 3, 12);
  CHECK_REFUSED("def g(x, y):\n    return x\ndef f(x):\n    return g(x, x=1.0)\n", language::python,
                "argument 'x' of 'g' given twice", 4, 19);
  CHECK_REFUSED("def g(x, y):\n    return x\ndef f(x):\n    return g(x)\n", language::python, "'g' takes 2 argument(s), 1 given", 4, 12);
  CHECK_REFUSED("f(x) = round(x, digits=2)\n", language::julia, "'round' has no parameter 'digits'", 1, 24);
  // Keyword-only parameters (Python after a bare *, Julia after ;) are named at calls.
  CHECK(returned("def g(x, *, a, b=2.0):\n    return x * a + b\ndef f(x):\n    return g(x, a=3.0) + g(x, b=1, a=0.5)\n",
                 language::python) == "g(x, 3.0, 2.0) + g(x, 0.5, 1.0)");
  CHECK_REFUSED("def g(x, *, a):\n    return x * a\ndef f(x):\n    return g(x, 3.0)\n", language::python,
                "'g' takes 1 positional argument(s), 2 given", 4, 12);
  CHECK_REFUSED("g(x; a=1.0) = x * a\nf(x) = g(x, 2.0)\n", language::julia, "'g' takes 1 positional argument(s), 2 given",
                2, 8);
  CHECK_REFUSED("def g(x, *args):\n    return x\n", language::python, "*args is not supported", 1, 10);
  CHECK_REFUSED("def g(x, *):\n    return x\n", language::python, "named arguments must follow bare *", 1, 10);
}

TEST_CASE("prefixes and aliases of the math modules") {
  for (char const* e : {"math.exp(x)", "torch.exp(x)", "np.exp(x)", "numpy.exp(x)", "x.exp()"}) CHECK(py(e) == "ks::exp(x)");
  CHECK(returned("from math import exp as e, log\nimport torch.nn.functional as nnf\ndef f(x):\n    return e(x) + log(x) + nnf.relu(x)\n",
                 language::python) == "ks::exp(x) + ks::log(x) + ks::relu(x)");
  CHECK(py("torch.nn.functional.gelu(x)") == "ks::gelu(x)");
  CHECK(jl("gelu_erf(x)") == "ks::gelu(x)");
  CHECK(jl("gelu(x)") == "ks::gelu_tanh(x)");  // NNlib's gelu is the tanh approximation
  for (char const* e : {"exp x", "Math.Exp(x)", "System.Math.Exp x", "dsharp.exp(x)"}) CHECK(fs(e) == "ks::exp(x)");
  CHECK_REFUSED("def f(x):\n    return scipy.special.erf(x)\n", language::python, "unknown function 'scipy.special.erf'", 2, 12);
  CHECK_REFUSED("def f(x):\n    return x.frobnicate()\n", language::python, "unknown function 'torch.frobnicate'", 2, 12);
}

TEST_CASE("module constants") {
  CHECK(body("import math\nC = math.sqrt(2 / math.pi)\nN = 3\ndef f(x):\n    return C * x ** N\n", language::python) ==
        "  auto const C_v = ks::sqrt(2.0 / 3.141592653589793);\n  return C_v * ks::pow(x, 3);");
  CHECK(body("const A = 2.0\nB = A * 3\nf(x) = B * x\n", language::julia) == "  auto const B_v = 2.0 * 3.0;\n  return B_v * x;");
  CHECK(returned("let scale = 1.5\nlet f (x: float) = scale * x\n", language::fsharp) == "1.5 * x");
  CHECK_REFUSED("let f (x: float) = scale * x\nlet scale = 1.5\n", language::fsharp, "'scale' is defined later", 1, 20);
  CHECK_REFUSED("A = B\nB = A\ndef f(x):\n    return A * x\n", language::python, "constant 'A' is defined in terms of itself", 1, 1);
  CHECK_REFUSED("A = 1.0\nA = 2.0\ndef f(x):\n    return A * x\n", language::python, "constant 'A' is already defined", 2, 1);
}

TEST_CASE("F# types: int inference and int/float mixing are refused, never float code for int") {
  char const* why = "is int in F#";
  CHECK_REFUSED("let f x = let a = 1/x in a/(1+a)\n", language::fsharp, why, 1, 7);
  CHECK_REFUSED("let f x = x * x\n", language::fsharp, why, 1, 7);
  CHECK_REFUSED("let f (x: int) = float x\n", language::fsharp, why, 1, 8);
  CHECK_REFUSED("let f (x: float) : int = 1\n", language::fsharp, why, 1, 5);
  CHECK_REFUSED("let f x = exp x - 1 - x\n", language::fsharp, "F# does not mix int and float", 1, 17);
  CHECK_REFUSED("let f (x: float) = x + 1\n", language::fsharp, "F# does not mix int and float", 1, 22);
  CHECK_REFUSED("let f (x: float32) = x + 1.0\n", language::fsharp, "F# does not mix float and float32", 1, 24);
  CHECK_REFUSED("let f (x: float) = 2 ** x\n", language::fsharp, "F# does not mix int and float", 1, 22);
  CHECK_REFUSED("let f x = float (sign x / 2) * x\n", language::fsharp, "integer arithmetic on a value computed at run time", 1, 25);
  CHECK_REFUSED("let f (x: decimal) = x\n", language::fsharp, "type 'decimal' is not supported", 1, 8);
  // What F# itself types as float translates.
  CHECK(returned("let f x = let a = 1.0/x in a/(1.0+a)\n", language::fsharp) == "a / (1.0 + a)");
  CHECK(returned("let f x = exp x - 1.0 - x\n", language::fsharp) == "ks::exp(x) - 1.0 - x");
  CHECK(returned("let inline sq x = x * x\nlet f (x: float) = sq x\n", language::fsharp) == "sq(x)");
  CHECK(returned("let f x = float (sign x) * x + float (3 / 2)\n", language::fsharp) == "t * x + 1.0");
  CHECK(returned("let f (x: float) = pown x 3 + max x 0.0 + abs x\n", language::fsharp) == "ks::pow(x, 3) + ks::max(x, 0.0) + ks::abs(x)");
}

TEST_CASE("names that collide with C++ keywords, reserved names or ours") {
  std::string out = translate("def new(int, ks, std, select):\n    auto = int + ks + std + select\n    return auto\n", language::python);
  CHECK(out.find("inline constexpr auto new_v = [](auto int_v, auto ks_v, auto std_v, auto select) {") != std::string::npos);
  CHECK(out.find("auto const auto_v = int_v + ks_v + std_v + select;") != std::string::npos);
  out = translate("def f(_x, x__y, NAN, M_PI):\n    return _x + x__y + NAN + M_PI\n", language::python);
  CHECK(out.find("[](auto u_x, auto x_u_y, auto NAN_v, auto M_PI_v)") != std::string::npos);
  // the derived namespace of a file whose name is a keyword
  kst::translate_options options;
  options.source_name = "int.py";
  CHECK(kst::translate("def f(x):\n    return x\n", options).find("namespace int_ns {") != std::string::npos);
}

TEST_CASE("comments and strings never reach the output") {
  std::string out = translate(
      "# */ #include <cstdio> \\\n\"\"\"*/ #include <x> \\\\\"\"\"\ndef f(x):\n    '''*/ #error'''\n    return x  # */ \\\n", language::python);
  out += translate("#= */ #include <y> \\ =#\n# #error \\\nf(x) = x # */\n", language::julia);
  out += translate("(* */ #include <z> \\ *)\n// #error \\\nlet f (x: float) = x // */\n", language::fsharp);
  for (char const* bad : {"*/", "#include <c", "#include <x", "#include <y", "#include <z", "#error", "\\"}) {
    CAPTURE(bad);
    CHECK(out.find(bad) == std::string::npos);
  }
}

TEST_CASE("semantic refusals at their location") {
  CHECK_REFUSED("def f(x):\n    if x > 0:\n        return 1.0\n", language::python, "does not return a value on every path", 1, 5);
  CHECK_REFUSED("def f(x):\n    return f(x)\n", language::python, "recursion is not supported", 2, 12);
  CHECK_REFUSED("def f(x):\n    return g(x)\ndef g(x):\n    return x\n", language::python, "'g' is defined later", 2, 12);
  CHECK_REFUSED("def f(x):\n    return y\n", language::python, "unknown name 'y'", 2, 12);
  CHECK_REFUSED("def f(x):\n    if x > 0:\n        y = 1.0\n    return y\n", language::python, "'y' may be used before it is assigned", 4, 12);
  CHECK_REFUSED("def f(x):\n    return x > 0\n", language::python, "return a number, not a condition", 2, 14);
  CHECK_REFUSED("def f(x):\n    if x:\n        return 1.0\n    return 0.0\n", language::python, "a number is used as a condition", 2, 8);
  CHECK_REFUSED("def f(x):\n    return x\ndef f(y):\n    return y\n", language::python, "already defined at line 1", 3, 5);
  CHECK_REFUSED("import torch\ndef f(x):\n    return torch.where(x, x, x)\n", language::python, "a number is used as a condition", 3, 24);
  CHECK_REFUSED("", language::python, "no function definitions found", 1, 1);
}

TEST_CASE("a 2,000-term sum translates into C++ of bounded depth") {
  std::string sum;
  for (int i = 0; i < 2000; ++i) sum += (i ? (i % 7 ? " + " : " - ") : "") + std::to_string(i % 13 + 1) + " * x";
  std::string b = body("def f(x):\n    return " + sum + "\n", language::python);
  // Every statement is short: groups of 32 terms, then groups of those.
  std::size_t longest = 0, lines = 0;
  for (std::size_t start = 0; start < b.size(); ++lines) {
    std::size_t end = std::min(b.find('\n', start), b.size());
    longest = std::max(longest, end - start);
    start = end + 1;
  }
  CHECK(lines == 2000 / 32 + 1 + 2 + 1);
  CHECK(longest < 32 * 16);
  CHECK(b.find("partial_62") != std::string::npos);
  CHECK(b.find("partial_65") == std::string::npos);
  // A subtracted group flips its operators: the value is unchanged.
  std::string small = returned("def f(x):\n    return " + sum.substr(0, sum.find(" * x", 400)) + " * x\n", language::python);
  CHECK(small.find("partial") != std::string::npos);
}

TEST_CASE("--namespace a::b") {
  CHECK(translate("def f(x):\n    return x\n", language::python, "a::b").find("namespace a::b {") != std::string::npos);
}

TEST_CASE("F# modules become C++ namespaces nested in the file's") {
  std::string const source =
      "namespace Stats\n"
      "module Logistic =\n"
      "    let scale = 2.0\n"
      "    let standard (x: float) = 1.0 / (1.0 + exp -x)\n"
      "    let twice (x: float) = Logistic.standard x * scale\n"
      "    module Inner =\n"
      "        let g (x: float) = standard x + twice x\n"
      "    let h (x: float) = Inner.g x\n"
      "let top (x: float) = Logistic.Inner.g x * Logistic.scale\n";
  std::string out = translate(source, language::fsharp, "a::b");
  // Each module opens a namespace once, in source order; calls within one stay plain,
  // calls across modules name the callee from the global namespace.
  CHECK(out.find("namespace a::b {\n\nnamespace Logistic {\n\n// t:4: Logistic.standard\n"
                 "inline constexpr auto standard = [](auto x) {") != std::string::npos);
  CHECK(out.find("  return standard(x) * 2.0;\n") != std::string::npos);
  CHECK(out.find("namespace Inner {\n\n// t:7: Logistic.Inner.g\ninline constexpr auto g = [](auto x) {\n"
                 "  return ::a::b::Logistic::standard(x) + ::a::b::Logistic::twice(x);\n};\n\n"
                 "}  // namespace Inner\n\n// t:8: Logistic.h\n") != std::string::npos);
  CHECK(out.find("  return ::a::b::Logistic::Inner::g(x);\n};\n\n}  // namespace Logistic\n\n// t:9: top\n") !=
        std::string::npos);
  CHECK(out.find("  return ::a::b::Logistic::Inner::g(x) * 2.0;\n};\n\n}  // namespace a::b\n") != std::string::npos);
  // A call names the callee from the global namespace where a local of the lambda
  // (a parameter, a let, a module constant) may have the callee's name.
  CHECK(returned("module A =\n    let g (x: float) = x\n    let k (g: float) = g + A.g g\n", language::fsharp) ==
        "g + ::t::A_v::g(g)");
  CHECK(returned("module Top\nlet rate = exp 0.5\nmodule A =\n    let rate (x: float) = x\n"
                 "    let f (x: float) = rate x * Top.rate\n", language::fsharp) == "::t::A_v::rate(x) * rate");
  // A module constant is a local named by its last part.
  CHECK(returned("module M =\n    let rate = exp 0.5\nlet f (x: float) = M.rate * x\n", language::fsharp) == "rate * x");
  // A module named like a keyword or like ours is renamed as a function would be.
  std::string renamed = translate("module int =\n    let ks (x: float) = x\nlet f (x: float) = int.ks x\n", language::fsharp);
  CHECK(renamed.find("// module 'int' is spelled 'int_v' in C++\nnamespace int_v {\n\n// 'ks' is spelled 'ks_v' in C++\n") !=
        std::string::npos);
  CHECK(renamed.find("return ::t::int_v::ks_v(x);") != std::string::npos);
  // What C++ or the order of the file cannot have, refused at its location.
  CHECK_REFUSED("module Sq =\n    let f (x: float) = x\nlet Sq (x: float) = x\n", language::fsharp,
                "function 'Sq' has the name of a module beside it", 3, 5);
  CHECK_REFUSED("module A =\n    let f (x: float) = x\n    let f (x: float) = x\n", language::fsharp,
                "function 'A.f' is already defined at line 2", 3, 9);
  CHECK_REFUSED("module A =\n    let f (x: float) = g x\n    let g (x: float) = x\n", language::fsharp,
                "'A.g' is defined later in the file; define it before 'A.f'", 2, 24);
  CHECK_REFUSED("module A =\n    let f (x: float) = B.g x\nmodule B =\n    let g (x: float) = x\n", language::fsharp,
                "'B.g' is defined later in the file; define it before 'A.f'", 2, 24);
  CHECK_REFUSED("module A =\n    let f (x: float) = x * c\n    let c = 2.0\n", language::fsharp,
                "'A.c' is defined later in the file; define it before 'A.f'", 2, 28);
  CHECK_REFUSED("module A =\n    let f (x: float) = if x > 0.0 then f (x - 1.0) else x\n", language::fsharp,
                "recursion is not supported ('A.f' calls itself)", 2, 40);
  CHECK_REFUSED("module A =\n    let f (x: float) = x\nlet g (x: float) = f x\n", language::fsharp, "unknown function 'f'", 3, 20);
  CHECK_REFUSED("module A =\n    let f (x: float) = x\nlet g (x: float) = A.h x\n", language::fsharp,
                "unknown function 'A.h'", 3, 20);
  CHECK_REFUSED("module A =\n    let f (x: float) = x\nlet g (x: float) = A.f x x\n", language::fsharp,
                "'A.f' takes 1 ", 3, 20);
  CHECK_REFUSED("module A =\n    let exp = 2.0\n    let c = exp 0.5\n    let f (x: float) = x * c\n", language::fsharp,
                "'A.exp' is a constant, not a function", 3, 13);
  // An un-annotated function that calls what is not defined yet is reported as that,
  // not as int arithmetic.
  CHECK_REFUSED("let f x = g x\nlet g (x: float) = x\n", language::fsharp, "'g' is defined later in the file", 1, 11);
}

TEST_CASE("F# lines continued by a leading infix operator") {
  CHECK(returned("let f (x: float) =\n    x * x\n    + 2.0 * x\n  - 1.0\n", language::fsharp) == "x * x + 2.0 * x - 1.0");
  CHECK(returned("let f (x: float) =\n    x\n    |> exp\n    |> max 0.0\n", language::fsharp) == "ks::max(0.0, ks::exp(x))");
  CHECK_REFUSED("let f (x: float) =\n    x\n    -1.0\n", language::fsharp, "'x' is a variable here, not a function", 2, 5);
}

TEST_CASE("every spelling in the name tables translates, and every vocabulary function is reachable") {
  for (language lang : {language::python, language::julia, language::fsharp}) {
    for (kst::alias const& a : kst::aliases(lang)) {
      kst::library_function const* f = kst::find_library_function(a.function);
      CAPTURE(std::string(a.spelling));
      REQUIRE(f != nullptr);
      int params = 1 + static_cast<int>(std::count(f->params.begin(), f->params.end(), ','));
      int required = params - static_cast<int>(std::count(f->params.begin(), f->params.end(), '='));
      int n = a.arity >= 0 ? a.arity : f->how == kst::emit_kind::fold ? 3 : required;
      static constexpr char const* names[] = {"x", "y", "z"};
      std::string args;
      for (int i = 0; i < n; ++i) {
        std::string arg = names[i];
        if (i == 0 && f->how == kst::emit_kind::select) arg = lang == language::fsharp ? "(x > y)" : "x > y";
        if (lang == language::fsharp && i == 1 && a.type == kst::fsharp_type::pown) arg = "3";
        args += lang == language::fsharp ? " " + (arg.front() == '(' ? arg : arg) : (i ? ", " : "") + arg;
      }
      std::string call = std::string(a.spelling) + (lang == language::fsharp ? args : "(" + args + ")");
      std::string source = lang == language::python ? "def f(x, y, z):\n    return " + call + " + x\n"
                           : lang == language::julia ? "f(x, y, z) = " + call + " + x\n"
                                                     : "let f (x: float) (y: float) (z: float) = " +
                                                           (a.type == kst::fsharp_type::to_int || a.type == kst::fsharp_type::to_float32
                                                                ? "float (" + call + ")"
                                                                : call) +
                                                           " + x\n";
      std::string out;
      try {
        out = translate(source, lang);
      } catch (kst::error const& e) {
        std::string const why = std::string(e.what()) + "\n" + source;
        FAIL(why);
      }
      CHECK(out.find("return ") != std::string::npos);
    }
  }
  for (kst::library_function const& f : kst::library_functions()) {
    bool reachable = false;
    for (language lang : {language::python, language::julia, language::fsharp})
      for (kst::alias const& a : kst::aliases(lang)) reachable = reachable || a.function == f.name;
    // Vocabulary functions used only by other formulas need no spelling.
    CHECK_MESSAGE(reachable, f.name);
  }
}
