// The Julia front end: source text to kst AST, implicit returns made explicit, and
// every refusal with its message and exact line:col.
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

constexpr kst::testing::spelling spelled{{"+", "-", "*", "/", "//", "div", "mod", "rem", "^"}, "true", "false"};
std::string show(expr const& e) { return kst::testing::show(e, spelled); }
std::string show(std::vector<stmt> const& body) { return kst::testing::show(body, spelled); }

kst::module parse(std::string_view source) { return kst::parse_julia(source); }

std::string body_of(std::string_view source) {
  auto m = parse(source);
  REQUIRE(m.functions.size() == 1);
  return show(m.functions[0].body);
}

std::string returned(std::string const& text) {
  auto m = parse("f(x, y, z) = " + text + "\n");
  REQUIRE(m.functions.size() == 1);
  REQUIRE(m.functions[0].body.size() == 1);
  REQUIRE(m.functions[0].body[0].kind == stmt_kind::return_);
  return show(*m.functions[0].body[0].value);
}

expr const& literal(std::string const& text) {
  static kst::module keep;
  keep = parse("f() = " + text + "\n");
  return *keep.functions.at(0).body.at(0).value;
}

kst::testing::failure failure_of(std::string_view source) {
  return kst::testing::failure_of([&] { parse(source); });
}

#define CHECK_FAILS(source, text, l, c) KS_CHECK_ERROR(parse(source), source, text, l, c)

}  // namespace

TEST_CASE("julia: relu3, long form with if/elseif/else") {
  auto m = parse(
      "# relu3\n"
      "function relu3(x)\n"
      "    if x < 0\n"
      "        return 0.0\n"
      "    elseif x < 1\n"
      "        return x^3 / 3\n"
      "    else\n"
      "        return x - 2/3\n"
      "    end\n"
      "end\n");
  REQUIRE(m.functions.size() == 1);
  auto const& f = m.functions[0];
  CHECK(f.name == "relu3");
  CHECK(f.where.line == 2);
  CHECK(f.where.col == 10);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0].name == "x");
  CHECK(f.params[0].where.col == 16);
  CHECK(show(f.body) ==
        "if (x < 0) { return 0.0 } else { if (x < 1) { return (/ (^ x 3) 3) } else { return (- x (/ 2 3)) } }");
  CHECK(f.end_where.line == 9);
  CHECK(f.end_where.col == 8);
  auto const& s = f.body[0];
  CHECK(s.where.line == 3);
  CHECK(s.where.col == 5);
  CHECK(s.else_body[0].where.line == 5);
  auto const& div = *s.else_body[0].else_body[0].value->args[1];
  CHECK(div.bop == kst::binary_op::div);
  CHECK(div.int_div == int_division::true_division);
  CHECK(div.where.col == 21);
}

TEST_CASE("julia: relu3 short form with nested ternaries, gelu with erf") {
  CHECK(body_of("relu3s(x) = x < 0 ? 0.0 : x < 1 ? x^3/3 : x - 2/3\n") ==
        "return (if (x < 0) 0.0 (if (x < 1) (/ (^ x 3) 3) (- x (/ 2 3))))");
  auto m = parse(
      "using SpecialFunctions\n"
      "import Base: exp, log\n"
      "using LinearAlgebra: dot, norm\n"
      "\"\"\"\n    gelu(x)\n\nGaussian error linear unit.\n\"\"\"\n"
      "gelu(x::Float64)::Float64 = 0.5 * x * (1 + erf(x / sqrt(2)))\n"
      "\"short doc\"\n"
      "@inline function g2(x::Real, y::AbstractFloat)::Float64\n"
      "    gelu(x) + SpecialFunctions.erfc(y)\n"
      "end\n");
  REQUIRE(m.functions.size() == 2);
  CHECK(m.functions[0].name == "gelu");
  CHECK(m.functions[0].where.line == 9);
  CHECK(show(m.functions[0].body) == "return (* (* 0.5 x) (+ 1 (call erf (/ x (call sqrt 2)))))");
  CHECK(show(m.functions[1].body) == "return (+ (call gelu x) (call SpecialFunctions.erfc y))");
}

TEST_CASE("julia: implicit returns") {
  CHECK(body_of("function f(x)\n  y = 2x\n  y + 1\nend") == "y = (* 2 x); return (+ y 1)");
  CHECK(body_of("function f(x)\n  y = 2x\nend") == "y = (* 2 x); return y");
  CHECK(body_of("function f(x)\n  local y::Float64 = x\n  y += 1; y *= 2\n  y ^= 2\nend") ==
        "y = x; y = (+ y 1); y = (* y 2); y = (^ y 2); return y");
  CHECK(body_of("function f(x)\n  if x > 0\n    x\n  elseif x < -1\n    t = -x\n  else\n    0.0\n  end\nend") ==
        "if (x > 0) { return x } else { if (x < (u- 1)) { t = (u- x); return t } else { return 0.0 } }");
  CHECK(body_of("function f(x)\n  if x > 0\n    return x\n  end\n  begin\n    z = x; z\n  end\nend") ==
        "if (x > 0) { return x }; z = x; return z");
  CHECK(body_of("function f(x) x^2 end") == "return (^ x 2)");
  CHECK(body_of("f(x) = begin\n  y = x\n  y * y\nend\n") == "y = x; return (* y y)");
  // an if that is not last keeps its branches as they are
  CHECK(body_of("function f(x)\n  if x > 0\n    y = 1\n  else\n    y = 2\n  end\n  return y\nend") ==
        "if (x > 0) { y = 1 } else { y = 2 }; return y");
  auto m = parse("function f(x)\n  x +\n    1\nend\n");
  CHECK(m.functions[0].end_where.line == 3);
  CHECK(m.functions[0].end_where.col == 6);
}

TEST_CASE("julia: precedence") {
  CHECK(returned("-x^2") == "(u- (^ x 2))");
  CHECK(returned("2x^2") == "(* 2 (^ x 2))");
  CHECK(returned("3(x+1)") == "(* 3 (+ x 1))");
  CHECK(returned("2x*y") == "(* (* 2 x) y)");
  CHECK(returned("2^-x") == "(^ 2 (u- x))");
  CHECK(returned("x^y^z") == "(^ x (^ y z))");
  CHECK(returned("2π * x") == "(* (* 2 π) x)");
  CHECK(returned("ℯ^x + pi") == "(+ (^ ℯ x) pi)");
  CHECK(returned("0 < x <= 1") == "(0 < x <= 1)");
  CHECK(returned("x ≤ y ≥ z ≠ 1 == 2 != 3") == "(x <= y >= z != 1 == 2 != 3)");
  CHECK(returned("!(x > 0) || y > 0 && z > 0") == "(or (not (x > 0)) (and (y > 0) (z > 0)))");
  CHECK(returned("x ÷ y + x % y") == "(+ (div x y) (rem x y))");
  CHECK(returned("div(x, y) - rem(x, y) + mod(x, y) * fld(x, y)") ==
        "(+ (- (div x y) (rem x y)) (* (mod x y) (// x y)))");
  CHECK(returned("ifelse(x > 0, x, 0.0)") == "(call ifelse (x > 0) x 0.0)");
  CHECK(returned("x |> exp |> Base.log") == "(call Base.log (call exp x))");
  CHECK(returned("√x + round(x, digits=2)") == "(+ (call sqrt x) (call round x digits=2))");
  CHECK(returned("x > 0 ? true : false") == "(if (x > 0) true false)");
  CHECK(returned("Math.PI + Base.MathConstants.pi") == "(+ Math.PI Base.MathConstants.pi)");
  CHECK(returned("-(-x)") == "(u- (u- x))");
  CHECK(returned("x -\n y") == "(- x y)");
  CHECK(returned("(x\n + y)") == "(+ x y)");
}

TEST_CASE("julia: div between integers is true division; div() defined by the user stays a call") {
  auto m = parse("div(a, b) = a\nf(x) = div(x, 2) + 1/3\n");
  auto const& e = *m.functions[1].body[0].value;
  CHECK(show(e) == "(+ (call div x 2) (/ 1 3))");
  CHECK(e.args[1]->int_div == int_division::true_division);
  CHECK(e.where.col == 18);
}

TEST_CASE("julia: numeric literals") {
  struct int_case {
    char const* text;
    long long value;
  };
  for (auto const& c : {int_case{"1", 1}, {"1_000", 1000}, {"0x1F", 31}, {"0b101", 5}, {"0o17", 15},
                             {"0x7fffffffffffffff", 9223372036854775807LL}, {"9223372036854775807", 9223372036854775807LL}}) {
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
  for (auto const& c :
       {float_case{"1.0", 1.0, false}, {"1.", 1.0, false}, {".5", 0.5, false}, {"1e-3", 1e-3, false},
        {"1E3", 1000.0, false}, {"1_000.5", 1000.5, false}, {"1f0", 1.0, true}, {"1.5f-3", 1.5e-3, true},
        {"0x1p3", 8.0, false}, {"0x1.8p1", 3.0, false}, {"1e-400", 0.0, false}, {"2.5e+2", 250.0, false}}) {
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

TEST_CASE("julia: errors at the offending token") {
  CHECK_FAILS("function f(x)\n  for i in 1:3\n  end\nend", "loops are not supported", 2, 3);
  CHECK_FAILS("function f(x)\n  while x > 0\n  end\nend", "loops are not supported", 2, 3);
  CHECK_FAILS("f(x) = [x, 1]", "containers are not supported", 1, 8);
  CHECK_FAILS("f(x) = (x, 1)", "tuples are not supported", 1, 10);
  CHECK_FAILS("f(x) = x[1]", "indexing is not supported", 1, 9);
  CHECK_FAILS("f(x) = \"s\"", "strings are not supported", 1, 8);
  CHECK_FAILS("\"doc\"\nx = 1", "strings are not supported", 1, 1);
  CHECK_FAILS("f(x) = x .+ 1", "broadcasting is not supported; knossos vmaps", 1, 10);
  CHECK_FAILS("f(x) = exp.(x)", "broadcasting is not supported", 1, 11);
  CHECK_FAILS("@fastmath f(x) = x", "macros are not supported", 1, 1);
  CHECK_FAILS("f(x) = @show x", "macros are not supported", 1, 8);
  CHECK_FAILS("function f(x)\n  y = let z = 1\n  z end\nend", "let blocks are only supported as statements", 2, 7);
  CHECK_FAILS("function f(x)\n  try\n  end\nend", "exceptions are not supported", 2, 3);
  CHECK_FAILS("struct P\n x\nend", "type definitions are not supported", 1, 1);
  CHECK_FAILS("module M\nend", "modules are not supported", 1, 1);
  CHECK_FAILS("f(x) = map(x) do y\n y\nend", "do blocks are not supported", 1, 15);
  CHECK_FAILS("f(x) = x \\ 2", "left division", 1, 10);
  CHECK_FAILS("f(x::Vector{Float64}) = x", "containers are not supported", 1, 6);
  CHECK_FAILS("f(x::Complex{Float64}) = x", "parametric types are not supported", 1, 13);
  CHECK_FAILS("f(x::T) where T<:Real = x", "where clauses are not supported", 1, 9);
  CHECK_FAILS("f(x; y) = x", "a keyword parameter needs a default value", 1, 6);
  CHECK_FAILS("f(x, x) = x", "duplicate parameter 'x'", 1, 6);
  CHECK_FAILS("x + 1", "only function definitions, constants, using and import", 1, 1);
  CHECK_FAILS("function f(x)\n  const c = 1\nend", "const is only supported at the top level", 2, 3);
  CHECK_FAILS("function f(x)\n  global y = x\nend", "global variables are not supported", 2, 3);
  CHECK_FAILS("function f(x)\n  x + 1\n  x\nend", "this expression has no effect", 2, 3);
  CHECK_FAILS("function f(x)\n  return\nend", "return needs a value", 2, 3);
  CHECK_FAILS("function f(x)\n  x + 1\n", "'function' has no matching 'end'", 1, 1);
  CHECK_FAILS("function f(x)\n  else\nend", "'else' without a matching 'if'", 2, 3);
  CHECK_FAILS("f(x) = 99999999999999999999", "integer literal is too large", 1, 8);
  CHECK_FAILS("f(x) = 1e999", "float literal is too large", 1, 8);
  CHECK_FAILS("f(x) = 1__0", "invalid number literal", 1, 8);
  CHECK_FAILS("f(x) = 0x", "invalid number literal", 1, 8);
  CHECK_FAILS("f(x) = x'", "transpose (') is not supported", 1, 9);
  CHECK_FAILS("f(x) = 'a'", "strings are not supported", 1, 8);
  CHECK_FAILS("f(x) = x -> x", "anonymous functions are not supported", 1, 10);
  CHECK_FAILS("f(x) = x === 1", "'===' is not supported", 1, 10);
  CHECK_FAILS("f(x) = 1:3", "ranges are not supported", 1, 9);
  CHECK_FAILS("f(x) = x ? 1", "expected ':'", 1, 13);
  CHECK_FAILS("f(x) = 1 + if x > 0 1 else 2 end", "use c ? a : b", 1, 12);
  CHECK_FAILS("f(x) = (x + 1", "expected ')'", 1, 14);
  CHECK_FAILS("f(x) = x y", "unexpected 'y'", 1, 10);
  CHECK_FAILS("function f(x)\n  x = y = 1\nend", "chained assignment", 2, 9);
  CHECK_FAILS("function f(x)\n  2x = 1\nend", "only a plain name can be assigned to", 2, 3);
  CHECK_FAILS("#= open #= nested =#\nf(x) = x\n", "unterminated comment", 1, 1);
  CHECK_FAILS("f(α) = α", "non-ascii names and operators are not supported", 1, 3);
  CHECK_FAILS("f(x) = exp (x)", "remove the space", 1, 12);
  CHECK_FAILS("f(x) = x ⊕ 1", "non-ascii names", 1, 10);
}

TEST_CASE("julia: comments and layout") {
  auto m = parse(
      "#= a block comment #= nested =# still comment =#\n"
      "# line comment\r\n"
      "function f(x) # trailing\r\n"
      "    y = x #= inline =# + 1; z = y\n"
      "    z\n"
      "end\n"
      "g(x) =\n    f(x)\n");
  REQUIRE(m.functions.size() == 2);
  CHECK(show(m.functions[0].body) == "y = (+ x 1); z = y; return z");
  CHECK(show(m.functions[1].body) == "return (call f x)");
  CHECK(m.functions[1].where.line == 7);
}

TEST_CASE("julia: deep nesting, garbage and large inputs fail cleanly") {
  kst::testing::failure deep = failure_of("f(x) = " + std::string(100000, '(') + "x");
  CHECK(deep.message == "expression nested too deeply");
  CHECK(failure_of("f(x) = " + std::string(100000, '-') + "x").message == "expression nested too deeply");
  CHECK(failure_of("f(x) = x" + std::string(100000, '^') ).message != "(no error)");
  std::string chain = "f(x) = x";
  for (int i = 0; i < 100000; ++i) chain += "+x";
  CHECK(failure_of(chain).message == "(no error)");  // a flat chain is not nesting
  std::string ifs = "function f(x)\n";
  for (int i = 0; i < 5000; ++i) ifs += "if x > 0\n";
  CHECK(failure_of(ifs).message.find("nested too deeply") != std::string::npos);
  CHECK(failure_of(std::string("\xff\xfe\x00\x01", 4)).message.find("non-ascii names") != std::string::npos);
  CHECK(failure_of(std::string("f(x) = \x01", 8)).message == "invalid character '\\x01'");
  // every byte value in every position: an error or a module, never a crash
  for (int b = 0; b < 256; ++b) {
    std::string src = "function f(x)\n  y = x + 1\n  y\nend\n";
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
  for (int i = 0; i < 20000; ++i) big += "f" + std::to_string(i) + "(x) = x^2 + 2x - 1 # c\n";
  CHECK(parse(big).functions.size() == 20000);
  kst::testing::failure unterminated = failure_of("f(x) = 1\n\"" + std::string(1000000, 'a'));
  CHECK(unterminated.message == "unterminated string");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
