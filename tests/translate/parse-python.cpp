// The Python front end: source text to kst AST, and every refusal with its
// message and exact line:col.
#include <doctest/doctest.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <string>
#include <string_view>

#include "frontends.hpp"
#include "tree.hpp"

namespace {

using kst::binary_op;
using kst::compare_op;
using kst::expr;
using kst::expr_kind;
using kst::stmt;
using kst::stmt_kind;

constexpr kst::testing::spelling python{{"+", "-", "*", "/", "//", "div", "%", "rem", "**"}, "True", "False"};
std::string show(expr const& e) { return kst::testing::show(e, python); }

// The value of `return <text>` in a one-line function.
kst::module parse(std::string_view source) { return kst::parse_python(source); }

std::string returned(std::string const& text) {
  auto m = parse("def f(x, y, z, a, b, c, d):\n    return " + text + "\n");
  REQUIRE(m.functions.size() == 1);
  REQUIRE(m.functions[0].body.size() == 1);
  REQUIRE(m.functions[0].body[0].kind == stmt_kind::return_);
  return show(*m.functions[0].body[0].value);
}

#define CHECK_PY_ERROR(source, text, l, c) KS_CHECK_ERROR(parse(source), source, text, l, c)

std::string body(std::string_view line) { return "def f(x, y):\n    " + std::string(line) + "\n"; }

}  // namespace

TEST_CASE("python: relu3 from the seed") {
  auto m = parse(
      "import torch\n"
      "\n"
      "def relu3(x: float) -> float:\n"
      "    \"\"\"Cubic ReLU with a smooth transition\"\"\"\n"
      "    if x < 0.0:\n"
      "        return 0.0\n"
      "    elif x < 1.0:\n"
      "        return 1 / 3 * x ** 3\n"
      "    else:\n"
      "        return x - 2 / 3\n");
  REQUIRE(m.functions.size() == 1);
  auto const& f = m.functions[0];
  CHECK(f.name == "relu3");
  CHECK(f.where.line == 3);
  CHECK(f.where.col == 5);
  CHECK(f.end_where.line == 10);
  CHECK(f.end_where.col == 25);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0].name == "x");
  CHECK(f.params[0].where.line == 3);
  CHECK(f.params[0].where.col == 11);
  REQUIRE(f.body.size() == 1);
  stmt const& s = f.body[0];
  CHECK(s.kind == stmt_kind::if_);
  CHECK(s.where.line == 5);
  CHECK(s.where.col == 5);
  CHECK(show(*s.cond) == "(x < 0.0)");
  CHECK(s.cond->where.col == 10);
  REQUIRE(s.then_body.size() == 1);
  CHECK(s.then_body[0].kind == stmt_kind::return_);
  CHECK(s.then_body[0].where.line == 6);
  CHECK(s.then_body[0].where.col == 9);
  CHECK(show(*s.then_body[0].value) == "0.0");
  CHECK_FALSE(s.then_body[0].value->is_integer);
  CHECK(s.then_body[0].value->float_value == 0.0);
  REQUIRE(s.else_body.size() == 1);
  stmt const& elif = s.else_body[0];
  CHECK(elif.kind == stmt_kind::if_);
  CHECK(elif.where.line == 7);
  CHECK(elif.where.col == 5);
  CHECK(show(*elif.cond) == "(x < 1.0)");
  REQUIRE(elif.then_body.size() == 1);
  expr const& cubic = *elif.then_body[0].value;
  CHECK(show(cubic) == "(* (/ 1 3) (** x 3))");
  CHECK(cubic.args[0]->int_div == kst::int_division::true_division);
  CHECK(cubic.args[0]->args[0]->is_integer);
  CHECK(cubic.args[0]->args[0]->int_value == 1);
  REQUIRE(elif.else_body.size() == 1);
  CHECK(show(*elif.else_body[0].value) == "(- x (/ 2 3))");
  CHECK(elif.else_body[0].where.line == 10);
}

TEST_CASE("python: gelu with math.erf and math.sqrt") {
  auto m = parse(
      "import math\n"
      "\n"
      "def gelu(x):\n"
      "    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))\n");
  REQUIRE(m.functions.size() == 1);
  CHECK(show(*m.functions[0].body[0].value) ==
        "(* (* 0.5 x) (+ 1.0 (call math.erf (/ x (call math.sqrt 2.0)))))");
  expr const& erf = *m.functions[0].body[0].value->args[1]->args[1];
  CHECK(erf.kind == expr_kind::call);
  CHECK(erf.where.line == 4);
  CHECK(erf.where.col == 29);
  CHECK(erf.kwnames == std::vector<std::string>{""});
}

TEST_CASE("python: an if that assigns in both branches") {
  auto m = parse(
      "def f(x):\n"
      "    if x > 0:\n"
      "        y = x\n"
      "    else:\n"
      "        y = -x\n"
      "    return y * 2\n");
  auto const& b = m.functions[0].body;
  REQUIRE(b.size() == 2);
  REQUIRE(b[0].then_body.size() == 1);
  REQUIRE(b[0].else_body.size() == 1);
  CHECK(b[0].then_body[0].kind == stmt_kind::assign);
  CHECK(b[0].then_body[0].target == "y");
  CHECK(b[0].then_body[0].target_where.line == 3);
  CHECK(b[0].then_body[0].target_where.col == 9);
  CHECK(show(*b[0].else_body[0].value) == "(u- x)");
  CHECK(b[1].kind == stmt_kind::return_);
  CHECK(m.functions[0].end_where.line == 6);
  CHECK(m.functions[0].end_where.col == 17);
}

TEST_CASE("python: numeric literals in every spelling") {
  struct integer_case {
    char const* text;
    long long value;
  };
  for (auto const& [text_, value] : {integer_case{"1", 1},
                                     {"0", 0},
                                     {"00", 0},
                                     {"0_0", 0},
                                     {"1_000", 1000},
                                     {"0x1F", 31},
                                     {"0X1f", 31},
                                     {"0x_ff", 255},
                                     {"0o17", 15},
                                     {"0O1_7", 15},
                                     {"0b101", 5},
                                     {"0B1_01", 5},
                                     {"9223372036854775807", LLONG_MAX},
                                     {"0x7fffffffffffffff", LLONG_MAX},
                                     {"0o777777777777777777777", LLONG_MAX}}) {
    std::string const text = text_;  // clang 14 cannot capture a structured binding
    CAPTURE(text);
    auto m = parse(body(std::string("return ") + text));
    expr const& e = *m.functions[0].body[0].value;
    CHECK(e.kind == expr_kind::number);
    CHECK(e.is_integer);
    CHECK(e.int_value == value);
    CHECK(e.text == text);
  }
  struct float_case {
    char const* text;
    double value;
  };
  for (auto const& [text_, value] : {float_case{"1.0", 1.0},
                                     {"1.", 1.0},
                                     {".5", 0.5},
                                     {"1e-3", 1e-3},
                                     {"1E+3", 1e3},
                                     {"1_0.5e1_0", 10.5e10},
                                     {"1.e5", 1e5},
                                     {"0.1", 0.1},
                                     {"09.5", 9.5},
                                     {"09e1", 90.0},
                                     {"0e0", 0.0},
                                     {"1e308", 1e308},
                                     {"4.9e-324", 4.9e-324},
                                     {"1e-400", 0.0},
                                     {"1e999", HUGE_VAL},  // Python reads an overflowing literal as inf
                                     {"0.001e312", HUGE_VAL},
                                     {"3.141592653589793238462643383279", 3.141592653589793}}) {
    std::string const text = text_;  // clang 14 cannot capture a structured binding
    CAPTURE(text);
    auto m = parse(body(std::string("return ") + text));
    expr const& e = *m.functions[0].body[0].value;
    CHECK(e.kind == expr_kind::number);
    CHECK_FALSE(e.is_integer);
    CHECK_FALSE(e.is_float32);
    CHECK(e.float_value == value);
    CHECK(e.text == text);
  }
  auto m = parse(body("return True if x else False"));
  expr const& e = *m.functions[0].body[0].value;
  CHECK(e.args[1]->kind == expr_kind::boolean);
  CHECK(e.args[1]->int_value == 1);
  CHECK(e.args[2]->kind == expr_kind::boolean);
  CHECK(e.args[2]->int_value == 0);
}

TEST_CASE("python: precedence and associativity") {
  CHECK(returned("-x**2") == "(u- (** x 2))");
  CHECK(returned("2**3**2") == "(** 2 (** 3 2))");
  CHECK(returned("2**-1") == "(** 2 (u- 1))");
  CHECK(returned("-2**-x**2") == "(u- (** 2 (u- (** x 2))))");
  CHECK(returned("a - b - c") == "(- (- a b) c)");
  CHECK(returned("a / b / c") == "(/ (/ a b) c)");
  CHECK(returned("a + b * c") == "(+ a (* b c))");
  CHECK(returned("(a + b) * c") == "(* (+ a b) c)");
  CHECK(returned("a // b % c * d") == "(* (% (// a b) c) d)");
  CHECK(returned("-a * +b") == "(* (u- a) (u+ b))");
  CHECK(returned("- - x") == "(u- (u- x))");
  CHECK(returned("0 < x <= 1") == "(0 < x <= 1)");
  CHECK(returned("(0 < x) < 1") == "((0 < x) < 1)");
  CHECK(returned("a == b != c >= d > x") == "(a == b != c >= d > x)");
  CHECK(returned("a + 1 < b * 2") == "((+ a 1) < (* b 2))");
  CHECK(returned("not a and b or c") == "(or (and (not a) b) c)");
  CHECK(returned("a or b and not c < d") == "(or a (and b (not (c < d))))");
  CHECK(returned("not not a") == "(not (not a))");
  CHECK(returned("a if b else c if d else x") == "(if b a (if d c x))");
  CHECK(returned("(a if b else c) if d else x") == "(if d (if b a c) x)");
  CHECK(returned("a + b if a < b else a - b") == "(if (a < b) (+ a b) (- a b))");
  CHECK(returned("max(a, b, key=c)") == "(call max a b key=c)");
  CHECK(returned("f(a,)") == "(call f a)");
  CHECK(returned("g()") == "(call g)");
  CHECK(returned("((((x))))") == "x");

  auto m = parse("def f(x, y):\n    return 0 < x <= 1 and x - y // 2 if x else y\n");
  expr const& e = *m.functions[0].body[0].value;
  CHECK(e.kind == expr_kind::if_exp);
  CHECK(e.where.col == 12);  // its start
  expr const& conj = *e.args[1];
  CHECK(conj.kind == expr_kind::and_);
  CHECK(conj.where.col == 23);  // the operator
  expr const& cmp = *conj.args[0];
  CHECK(cmp.kind == expr_kind::compare);
  CHECK(cmp.where.col == 14);  // the first operator
  CHECK(cmp.cmp == std::vector<compare_op>{compare_op::lt, compare_op::le});
  REQUIRE(cmp.args.size() == 3);
  expr const& sub = *conj.args[1];
  CHECK(sub.bop == binary_op::sub);
  CHECK(sub.where.col == 29);
  CHECK(sub.args[1]->bop == binary_op::floor_div);
  CHECK(sub.args[1]->where.col == 33);
  CHECK(sub.args[0]->where.col == 27);
  CHECK(e.args[0]->kind == expr_kind::name);
  CHECK(e.args[0]->where.col == 41);

  auto u = parse(body("return -x % y"));
  expr const& mod = *u.functions[0].body[0].value;
  CHECK(mod.bop == binary_op::mod_floor);
  CHECK(mod.args[0]->kind == expr_kind::unary);
  CHECK(mod.args[0]->op_char == '-');
  CHECK(mod.args[0]->where.col == 12);

  // Nesting well below the limit is fine.
  CHECK(returned(std::string(50, '(') + "x" + std::string(50, ')')) == "x");
  CHECK(returned(std::string(40, '-') + "x").size() == 40 * 4 + 40 + 1);
}

TEST_CASE("python: import aliases resolve to canonical dotted names") {
  auto m = parse(
      "from __future__ import annotations\n"
      "import math, torch\n"
      "import numpy as np\n"
      "import torch.nn.functional as F\n"
      "from math import exp, sqrt as s\n"
      "from torch import nn\n"
      "from math import (log,\n"
      "                  tanh as th,)\n"
      "import scipy.special\n"
      "\n"
      "def f(x):\n"
      "    a = np.exp(x) + F.softplus(x, beta=2.0) + exp(x) + s(x)\n"
      "    b = nn.functional.gelu(x) + log(x) + th(x) + scipy.special.erf(x)\n"
      "    c = math.pi + torch.pi + np.e + max(a, b) + abs(x) + relu3(x)\n"
      "    return a + b + c\n");
  auto const& b = m.functions[0].body;
  CHECK(show(*b[0].value) ==
        "(+ (+ (+ (call numpy.exp x) (call torch.nn.functional.softplus x beta=2.0)) (call math.exp x)) "
        "(call math.sqrt x))");
  CHECK(show(*b[1].value) ==
        "(+ (+ (+ (call torch.nn.functional.gelu x) (call math.log x)) (call math.tanh x)) "
        "(call scipy.special.erf x))");
  CHECK(show(*b[2].value) ==
        "(+ (+ (+ (+ (+ math.pi torch.pi) numpy.e) (call max a b)) (call abs x)) (call relu3 x))");
  expr const& pi = *b[2].value->args[0]->args[0]->args[0]->args[0]->args[0];
  CHECK(pi.kind == expr_kind::name);
  CHECK(pi.where.line == 14);
  CHECK(pi.where.col == 9);

  // Parameters and locals shadow imports; a later def rebinds an imported name;
  // an import after the function still applies, as at Python's call time.
  auto shadow = parse(
      "from math import exp, log, sin\n"
      "import numpy as np\n"
      "def f(exp, y):\n"
      "    if y > 0:\n"
      "        np = 2.0\n"
      "    else:\n"
      "        np = 3.0\n"
      "    return exp(y) + np.exp(y) + log(y) + cos(y) + sin(y)\n"
      "def log(x):\n"
      "    return x\n"
      "from math import cos\n");
  CHECK(show(*shadow.functions[0].body[1].value) ==
        "(+ (+ (+ (+ (call exp y) (call torch.exp np y)) (call log y)) (call math.cos y)) (call math.sin y))");
}

TEST_CASE("python: tensor methods are the torch functions of that name") {
  CHECK(returned("x.exp() + x.clamp(min=0) * x.sigmoid()") ==
        "(+ (call torch.exp x) (* (call torch.clamp x min=0) (call torch.sigmoid x)))");
  CHECK(returned("(x * y).exp().log1p()") == "(call torch.log1p (call torch.exp (* x y)))");
  CHECK(returned("x.pow(2).sum()") == "(call torch.sum (call torch.pow x 2))");
  CHECK_PY_ERROR(body("return x.real"), "'x' is a value; only tensor methods such as x.exp() apply to it", 2, 12);
  CHECK_PY_ERROR(body("return x.data.exp()"), "'x' is a value", 2, 12);
}

TEST_CASE("python: module constants, a __main__ guard, defaults and bare annotations") {
  auto m = parse(
      "import math\n"
      "SQRT_2_PI = math.sqrt(2 / math.pi)\n"
      "EPS: float = 1e-6\n"
      "LIMIT: float\n"
      "def f(x, beta=1.0, threshold: float = 20.0):\n"
      "    y: float\n"
      "    if x > 0:\n"
      "        y = x\n"
      "    else:\n"
      "        y = SQRT_2_PI\n"
      "    return y + EPS\n"
      "if __name__ == \"__main__\":\n"
      "    import sys\n"
      "    for a in sys.argv:\n"
      "        print(f(float(a)))\n");
  REQUIRE(m.constants.size() == 2);
  CHECK(m.constants[0].name == "SQRT_2_PI");
  CHECK(m.constants[0].where.line == 2);
  CHECK(show(*m.constants[0].value) == "(call math.sqrt (/ 2 math.pi))");
  CHECK(m.constants[1].name == "EPS");
  REQUIRE(m.functions.size() == 1);
  auto const& f = m.functions[0];
  REQUIRE(f.params.size() == 3);
  CHECK(f.params[0].default_value == nullptr);
  CHECK(show(*f.params[1].default_value) == "1.0");
  CHECK(show(*f.params[2].default_value) == "20.0");
  REQUIRE(f.body.size() == 2);  // the bare annotation leaves nothing behind
  CHECK(f.body[0].kind == stmt_kind::if_);
  CHECK_PY_ERROR("def f(x=1, y):\n    return x\n", "a parameter without a default cannot follow one with a default", 1,
                 12);
  CHECK_PY_ERROR("if x:\n    pass\n", "only imports, constants and function definitions", 1, 1);
  CHECK_PY_ERROR("X += 1\n", "only imports, constants and function definitions", 1, 1);
}

TEST_CASE("python: decorators, annotations, docstrings, layout") {
  auto m = parse(
      "#!/usr/bin/env python3\r\n"
      "\"\"\"Module docstring.\r\n"
      "   spanning lines\"\"\"\r\n"
      "import torch, knossos, functools, numba\r\n"
      "\r\n"
      "@torch.jit.script\r\n"
      "@knossos.vmap\r\n"
      "@functools.lru_cache(maxsize=None)\r\n"
      "@numba.njit(\"float64(float64)\", cache=True, opts={'a': [1, (2, 3)]})\r\n"
      "def f(x: float, y: torch.Tensor, z: \"float\", w: Optional[float],\r\n"
      "      u: float | None, v: Callable[[float, int], Dict[str, float]],\r\n"
      "      ) -> Tuple[float, ...]:\r\n"
      "    r'''Doc with a \\''' quote''' 'and a continuation'\r\n"
      "    # a comment\r\n"
      "\r\n"
      "    a: float = x + \\\r\n"
      "        y  # trailing comment\r\n"
      "    b = (a +\r\n"
      "         # comment inside brackets\r\n"
      "\r\n"
      "         z); pass; c = w\r\n"
      "    pass\r\n"
      "    if a: return u\r\n"
      "    elif b: return v;\r\n"
      "    return c\r\n"
      "def g(x): return x;\r\n"
      "def h(x):\r\n"
      "\tif x:\r\n"
      "\t\treturn 1\r\n"
      "\treturn 2");
  REQUIRE(m.functions.size() == 3);
  auto const& f = m.functions[0];
  CHECK(f.where.line == 10);
  REQUIRE(f.params.size() == 6);
  CHECK(f.params[5].name == "v");
  CHECK(f.params[5].where.line == 11);
  CHECK(f.params[5].where.col == 24);
  REQUIRE(f.body.size() == 5);
  CHECK(f.body[0].target == "a");
  CHECK(f.body[0].where.line == 16);
  CHECK(show(*f.body[0].value) == "(+ x y)");
  CHECK(f.body[0].value->where.line == 16);
  CHECK(f.body[0].value->where.col == 18);
  CHECK(f.body[1].target == "b");
  CHECK(show(*f.body[1].value) == "(+ a z)");
  CHECK(f.body[2].target == "c");
  CHECK(f.body[2].target_where.line == 21);
  CHECK(f.body[2].target_where.col == 20);
  CHECK(f.body[3].kind == stmt_kind::if_);
  REQUIRE(f.body[3].then_body.size() == 1);
  REQUIRE(f.body[3].else_body.size() == 1);
  CHECK(f.body[3].else_body[0].then_body.size() == 1);
  CHECK(f.end_where.line == 25);
  CHECK(f.end_where.col == 13);
  CHECK(m.functions[1].name == "g");
  CHECK(m.functions[1].body.size() == 1);
  CHECK(m.functions[1].end_where.line == 26);
  CHECK(m.functions[1].end_where.col == 19);
  auto const& h = m.functions[2];
  REQUIRE(h.body.size() == 2);
  CHECK(h.body[1].where.line == 30);
  CHECK(h.body[1].where.col == 2);
  CHECK(h.end_where.line == 30);
  CHECK(h.end_where.col == 10);

  // A UTF-8 byte order mark, form feeds, non-ASCII in comments and docstrings.
  auto bom = parse("\xEF\xBB\xBF# \xC3\xA9t\xC3\xA9\n\fdef f(x):\n    \"\xCF\x80\"\n    return x\n");
  CHECK(bom.functions[0].where.line == 2);
  CHECK(bom.functions[0].where.col == 6);  // the form feed is a byte of the line
  CHECK(parse("").functions.empty());
  CHECK(parse("\n\n# only a comment").functions.empty());
}

TEST_CASE("python: augmented assignment desugars to a binary operation") {
  auto m = parse(
      "def f(x):\n"
      "    y = x\n"
      "    y += 1\n"
      "    y -= 2\n"
      "    y *= 3\n"
      "    y /= 4\n"
      "    y //= 5\n"
      "    y %= 6\n"
      "    y **= 7\n"
      "    return y\n");
  auto const& b = m.functions[0].body;
  REQUIRE(b.size() == 9);
  binary_op const ops[] = {binary_op::add,       binary_op::sub,       binary_op::mul, binary_op::div,
                           binary_op::floor_div, binary_op::mod_floor, binary_op::pow};
  for (int i = 0; i < 7; ++i) {
    stmt const& s = b[static_cast<std::size_t>(i + 1)];
    CAPTURE(i);
    CHECK(s.kind == stmt_kind::assign);
    CHECK(s.target == "y");
    CHECK(s.target_where.line == i + 3);
    CHECK(s.target_where.col == 5);
    REQUIRE(s.value->kind == expr_kind::binary);
    CHECK(s.value->bop == ops[i]);
    CHECK(s.value->where.col == 7);
    CHECK(s.value->args[0]->kind == expr_kind::name);
    CHECK(s.value->args[0]->name == "y");
    CHECK(s.value->args[0]->where.col == 5);
    CHECK(show(*s.value->args[1]) == std::to_string(i + 1));
  }
}

TEST_CASE("python: top-level refusals") {
  char const* top = "only imports, constants and function definitions are allowed at the top level";
  CHECK_PY_ERROR("class A:\n    pass\n", "classes are not supported", 1, 1);
  CHECK_PY_ERROR("print(1)\n", top, 1, 1);
  CHECK_PY_ERROR("import math\n\"not first\"\n", "strings are not supported", 2, 1);
  CHECK_PY_ERROR("@torch.jit.script\nclass A:\n    pass\n", top, 2, 1);
  CHECK_PY_ERROR("@torch.jit.script\nx = 1\n", "expected 'def' after a decorator", 2, 1);
  CHECK_PY_ERROR("async def f(x):\n    return x\n", "async functions are not supported", 1, 1);
  CHECK_PY_ERROR("from . import x\n", "relative imports are not supported", 1, 6);
  CHECK_PY_ERROR("from math import *\n", "'import *' is not supported", 1, 18);
  CHECK_PY_ERROR("import math as\n", "expected a name after 'as'", 1, 15);
  CHECK_PY_ERROR("  import math\n", "unexpected indent", 1, 3);
}

TEST_CASE("python: function header refusals") {
  CHECK_PY_ERROR("def f(x, *args):\n    return x\n", "*args is not supported", 1, 10);
  CHECK_PY_ERROR("def f(x, *):\n    return x\n", "named arguments must follow bare *", 1, 10);
  CHECK_PY_ERROR("def f(x, *, y, *, z):\n    return x\n", "*args is not supported", 1, 16);
  CHECK_PY_ERROR("def f(x, **kwargs):\n    return x\n", "**kwargs is not supported", 1, 10);
  CHECK_PY_ERROR("def f(x, /, y):\n    return x\n", "positional-only parameters", 1, 10);
  CHECK_PY_ERROR("def f(x, x):\n    return x\n", "duplicate parameter 'x'", 1, 10);
  CHECK_PY_ERROR("def f(x)\n    return x\n", "expected ':'", 1, 9);
  CHECK_PY_ERROR("def f(x):\n    \"\"\"Only a docstring.\"\"\"\n", "function body is empty", 2, 5);
  CHECK_PY_ERROR("def f(x):\n    pass\n", "function body is empty", 2, 5);
  CHECK_PY_ERROR("def f(x): pass\n", "function body is empty", 1, 11);
  CHECK_PY_ERROR("def f(x):\nreturn x\n", "expected an indented block", 2, 1);
  CHECK_PY_ERROR("def f(x):\n", "expected an indented block", 2, 1);
  CHECK_PY_ERROR("def f(x: [):\n    return x\n", "expected a type annotation", 1, 11);
}

TEST_CASE("python: statement refusals") {
  CHECK_PY_ERROR(body("for i in x:\n        pass"), "loops are not supported", 2, 5);
  CHECK_PY_ERROR(body("while x:\n        pass"), "loops are not supported", 2, 5);
  CHECK_PY_ERROR(body("return lambda y: y"), "lambda is not supported", 2, 12);
  CHECK_PY_ERROR(body("def g(y):\n        return y"), "nested functions are not supported", 2, 5);
  CHECK_PY_ERROR(body("@dec\n    def g(y):\n        return y"), "nested functions are not supported", 2, 5);
  CHECK_PY_ERROR(body("class A: pass"), "classes are not supported", 2, 5);
  CHECK_PY_ERROR(body("global g"), "global and nonlocal are not supported", 2, 5);
  CHECK_PY_ERROR(body("nonlocal g"), "global and nonlocal are not supported", 2, 5);
  CHECK_PY_ERROR(body("import math"), "imports are only allowed at the top level", 2, 5);
  CHECK_PY_ERROR(body("from math import exp"), "imports are only allowed at the top level", 2, 5);
  CHECK_PY_ERROR(body("with x:\n        pass"), "with statements are not supported", 2, 5);
  CHECK_PY_ERROR(body("try:\n        pass\n    except:\n        pass"), "exceptions are not supported", 2, 5);
  CHECK_PY_ERROR(body("raise ValueError()"), "exceptions are not supported", 2, 5);
  CHECK_PY_ERROR(body("assert x > 0"), "assert is not supported", 2, 5);
  CHECK_PY_ERROR(body("del x"), "del is not supported", 2, 5);
  CHECK_PY_ERROR(body("yield x"), "generators (yield) are not supported", 2, 5);
  CHECK_PY_ERROR(body("y = yield x"), "generators (yield) are not supported", 2, 9);
  CHECK_PY_ERROR(body("return await x"), "async and await are not supported", 2, 12);
  CHECK_PY_ERROR(body("a, b = x, y"), "tuples are not supported", 2, 6);
  CHECK_PY_ERROR(body("return x, y"), "tuples are not supported", 2, 13);
  CHECK_PY_ERROR(body("a = b = x"), "multiple assignment targets are not supported", 2, 11);
  CHECK_PY_ERROR(body("x.y = 1"), "only a plain name can be assigned to", 2, 5);
  CHECK_PY_ERROR(body("x[0] = 1"), "subscripts are not supported", 2, 6);
  CHECK_PY_ERROR(body("return"), "return needs a value", 2, 5);
  CHECK_PY_ERROR(body("return;"), "return needs a value", 2, 5);
  CHECK_PY_ERROR(body("*a = x"), "starred expressions are not supported", 2, 5);
  CHECK_PY_ERROR(body("f(x)"), "an expression statement has no effect", 2, 5);
  CHECK_PY_ERROR(body("y: float"), "function body is empty", 2, 5);
  CHECK_PY_ERROR(body("break"), "loops are not supported", 2, 5);
  CHECK_PY_ERROR(body("else:\n        return x"), "'else' without a matching 'if'", 2, 5);
  CHECK_PY_ERROR(body("..."), "'...' is not supported", 2, 5);
  CHECK_PY_ERROR(body("y = x\n    \"late docstring\"\n    return y"), "strings are not supported", 3, 5);
  CHECK_PY_ERROR(body("if x:\n        \"doc\"\n        return 1\n    return 2"), "strings are not supported",
                 3, 9);
  CHECK_PY_ERROR(body("y = x\n        return y"), "unexpected indent", 3, 9);
  CHECK_PY_ERROR(body("if x: if y: return 1"), "unexpected 'if'", 2, 11);
  CHECK_PY_ERROR(body("y = x y"), "unexpected 'y'", 2, 11);
  CHECK_PY_ERROR(body("y |= x"), "bitwise operators are not supported", 2, 7);
  CHECK_PY_ERROR(body("y @= x"), "matrix multiplication (@) is not supported", 2, 7);
}

TEST_CASE("python: expression refusals") {
  CHECK_PY_ERROR(body("return x[0]"), "subscripts are not supported", 2, 13);
  CHECK_PY_ERROR(body("return f(x)[0]"), "subscripts are not supported", 2, 16);
  CHECK_PY_ERROR(body("return [x]"), "containers are not supported", 2, 12);
  CHECK_PY_ERROR(body("return {x: y}"), "containers are not supported", 2, 12);
  CHECK_PY_ERROR(body("return (x, y)"), "containers are not supported", 2, 14);
  CHECK_PY_ERROR(body("return ()"), "containers are not supported", 2, 12);
  CHECK_PY_ERROR(body("return f([x])"), "containers are not supported", 2, 14);
  CHECK_PY_ERROR(body("return f(x for x in y)"), "comprehensions are not supported", 2, 16);
  CHECK_PY_ERROR(body("if (y := x) > 0:\n        return y\n    return x"), "assignment expressions (:=)", 2,
                 11);
  CHECK_PY_ERROR(body("return f(y := x)"), "assignment expressions (:=)", 2, 16);
  CHECK_PY_ERROR(body("return x is y"), "'is' is not supported", 2, 14);
  CHECK_PY_ERROR(body("return x is not None"), "'is' is not supported", 2, 14);
  CHECK_PY_ERROR(body("return x in y"), "'in' is not supported", 2, 14);
  CHECK_PY_ERROR(body("return x not in y"), "'in' is not supported", 2, 14);
  CHECK_PY_ERROR(body("return 0 < x in y"), "'in' is not supported", 2, 18);
  CHECK_PY_ERROR(body("return x | y"), "bitwise operators are not supported", 2, 14);
  CHECK_PY_ERROR(body("return x ^ y"), "bitwise operators are not supported", 2, 14);
  CHECK_PY_ERROR(body("return x & y"), "bitwise operators are not supported", 2, 14);
  CHECK_PY_ERROR(body("return x << y"), "bitwise operators are not supported", 2, 14);
  CHECK_PY_ERROR(body("return x + y >> 2"), "bitwise operators are not supported", 2, 18);
  CHECK_PY_ERROR(body("return ~x"), "bitwise operators are not supported", 2, 12);
  CHECK_PY_ERROR(body("return -~x"), "bitwise operators are not supported", 2, 13);
  CHECK_PY_ERROR(body("return x @ y"), "matrix multiplication (@) is not supported", 2, 14);
  CHECK_PY_ERROR(body("return None"), "None is not supported", 2, 12);
  CHECK_PY_ERROR(body("return \"a\""), "strings are not supported", 2, 12);
  CHECK_PY_ERROR(body("return f'{x}'"), "strings are not supported", 2, 12);
  CHECK_PY_ERROR(body("return *x"), "starred expressions are not supported", 2, 12);
  CHECK_PY_ERROR(body("return f(*x)"), "starred arguments are not supported", 2, 14);
  CHECK_PY_ERROR(body("return f(**x)"), "starred arguments are not supported", 2, 14);
  CHECK_PY_ERROR(body("return f(a=x, y)"), "positional argument follows keyword argument", 2, 19);
  CHECK_PY_ERROR(body("return f(a=x, a=y)"), "duplicate keyword argument 'a'", 2, 19);
  CHECK_PY_ERROR(body("return f(x)(y)"), "only named functions can be called", 2, 16);
  CHECK_PY_ERROR(body("return (f)(y)"), "only named functions can be called", 2, 15);
  CHECK_PY_ERROR(body("return (x).real"), "attribute access is only supported on names", 2, 15);
  CHECK_PY_ERROR(body("return f(x).real"), "attribute access is only supported on names", 2, 16);
  CHECK_PY_ERROR(body("return math.if"), "expected a name after '.'", 2, 17);
  CHECK_PY_ERROR(body("return x if y"), "expected 'else'", 2, 18);
  CHECK_PY_ERROR(body("return !x"), "use 'not'", 2, 12);
  CHECK_PY_ERROR(body("return x +"), "unexpected end of line", 2, 15);
  CHECK_PY_ERROR(body("return x y"), "unexpected 'y'", 2, 14);
  CHECK_PY_ERROR("def f(x):\n    return f(x", "unexpected end of file; expected ')'", 2, 15);
  CHECK_PY_ERROR("def f(x):\n    return (x +\n", "unexpected end of file", 3, 1);
  CHECK_PY_ERROR(body("return x)"), "unexpected ')'", 2, 13);
}

TEST_CASE("python: lexical errors") {
  CHECK_PY_ERROR(body("return 0x"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 0x_"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 0b2"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 0o8"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1__0"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1_"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1._5"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1e"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1e+"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 1e_5"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return 12abc"), "invalid number literal", 2, 12);
  CHECK_PY_ERROR(body("return x + 09"), "leading zeros", 2, 16);
  CHECK_PY_ERROR(body("return 0_1"), "leading zeros", 2, 12);
  CHECK_PY_ERROR(body("return 1j"), "complex numbers are not supported", 2, 12);
  CHECK_PY_ERROR(body("return 1.5J"), "complex numbers are not supported", 2, 12);
  CHECK_PY_ERROR(body("return 9223372036854775808"), "integer literal is too large", 2, 12);
  CHECK_PY_ERROR(body("return 0x8000000000000000"), "integer literal is too large", 2, 12);
  CHECK_PY_ERROR(body("return " + std::string(5000, '9')), "integer literal is too large", 2, 12);
  CHECK_PY_ERROR(body("return \"abc"), "unterminated string", 2, 12);
  CHECK_PY_ERROR(body("return 'abc\\'"), "unterminated string", 2, 12);
  CHECK_PY_ERROR("def f(x):\n    \"\"\"doc\n    return x\n", "unterminated triple-quoted string", 2, 5);
  CHECK_PY_ERROR("\"\"\"", "unterminated triple-quoted string", 1, 1);
  CHECK_PY_ERROR(std::string("\x00\xff", 2), "invalid character '\\x00'", 1, 1);
  CHECK_PY_ERROR("\xff\xfe", "non-ascii characters are only allowed in comments and strings", 1, 1);
  CHECK_PY_ERROR(body("caf\xC3\xA9 = x"), "non-ascii identifiers are not supported", 2, 8);
  CHECK_PY_ERROR(body("return x \xC3\x97 y"), "non-ascii characters", 2, 14);
  CHECK_PY_ERROR(body("return $x"), "invalid character '$'", 2, 12);
  CHECK_PY_ERROR(body("return x?"), "invalid character '?'", 2, 13);
  CHECK_PY_ERROR(body("return x \\ y"), "unexpected character after line continuation", 2, 14);
  CHECK_PY_ERROR("def f(x):\n    return x \\", "unexpected end of file after line continuation", 2, 14);
}

TEST_CASE("python: indentation errors") {
  char const* mixed = "indentation mixes tabs and spaces";
  CHECK_PY_ERROR("def f(x):\n \treturn x\n", mixed, 2, 2);
  CHECK_PY_ERROR("def f(x):\n\t    return x\n", mixed, 2, 2);
  CHECK_PY_ERROR("def f(x):\n    if x:\n\treturn 1\n    return 2\n", mixed, 3, 1);
  CHECK_PY_ERROR("def f(x):\n\ty = x\n    return y\n", mixed, 3, 1);
  CHECK_PY_ERROR("def f(x):\n    if x:\n    \treturn 1\n", mixed, 3, 5);
  CHECK_PY_ERROR("def f(x):\n    if x:\n        return 1\n  return 2\n", "unindent does not match", 4, 3);
  CHECK_PY_ERROR("def f(x):\n    if x:\n        return 1\n      return 2\n", "unindent does not match", 4, 7);
}

TEST_CASE("python: nesting limits, not stack overflows") {
  CHECK_PY_ERROR(body("return " + std::string(100000, '(')), "expression nested too deeply", 2, 212);
  CHECK_PY_ERROR(body("return " + std::string(100000, '(') + "x" + std::string(100000, ')')),
                 "expression nested too deeply", 2, 212);
  CHECK_PY_ERROR(body("return " + std::string(100000, '-') + "x"), "expression nested too deeply", 2, 211);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  CHECK_PY_ERROR(body("return " + nots + "x"), "expression nested too deeply", 2, 12 + 4 * 199);
  std::string powers, sums, calls;
  for (int i = 0; i < 100000; ++i) {
    powers += "x**";
    sums += "x+";
    calls += "f(";
  }
  CHECK_PY_ERROR(body("return " + powers + "x"), "expression nested too deeply", 2, 13 + 3 * 199);
  // A flat chain is not nesting: it parses whatever its length.
  CHECK(parse(body("return " + sums + "x")).functions.size() == 1);
  CHECK_PY_ERROR(body("return " + calls + "x"), "expression nested too deeply", 2, 12 + 2 * 200);
  CHECK_PY_ERROR(body("y: List" + std::string(100000, '[')), "expression nested too deeply", 2, 212);

  std::string ifs = "def f(x):\n";
  for (int i = 1; i <= 300; ++i) ifs += std::string(static_cast<std::size_t>(i), ' ') + "if x:\n";
  ifs += std::string(301, ' ') + "return x\n";
  CHECK_PY_ERROR(ifs, "blocks nested too deeply", 202, 202);

  std::string elifs = "def f(x):\n    if x < 0:\n        return 0\n";
  for (int i = 1; i <= 300; ++i) elifs += "    elif x < " + std::to_string(i) + ":\n        return 0\n";
  elifs += "    return 1\n";
  CHECK_PY_ERROR(elifs, "too many elif branches", 2 + 2 * 200, 5);
}

TEST_CASE("python: large inputs parse in linear time") {
  std::string source = "import math\n";
  for (int i = 0; i < 10000; ++i)
    source += "def f" + std::to_string(i) + "(x: float) -> float:\n    y = math.exp(-x * x) + " +
              std::to_string(i) + ".5\n    return 0.5 * y if x > 0 else y\n";
  CHECK(source.size() > 800'000);
  auto start = std::chrono::steady_clock::now();
  auto m = parse(source);
  CHECK(m.functions.size() == 10000);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  // One huge docstring and a long flat argument list.
  std::string doc = "def f(x):\n    \"\"\"" + std::string(1'000'000, 'a') + "\"\"\"\n    return max(";
  for (int i = 0; i < 50000; ++i) doc += "x, ";
  doc += "x)\n";
  auto big = parse(doc);
  CHECK(big.functions[0].body[0].value->args.size() == 50001);
}
