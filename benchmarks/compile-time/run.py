#!/usr/bin/env python3
"""Compile-time benchmark: how long the compiler takes, and how much memory it needs,
for functions that stress the derivative machinery (issue 12). It times the compiler,
not the program: each case is one translation unit that instantiates ks::grad, ks::vjp,
ks::hessian and ks::vmap(ks::vjp) of its function(s) and is compiled once per run.

    run.py --cxx g++ [--flag F ...] [--repeat R] [--only NAME ...] [--list]

Prints a Markdown table: wall time (median of R compiles), user CPU, and peak resident
memory of the compiler, for each case, and the include-only baseline. A case that fails
to compile is reported as such, with the compiler's last line.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# ---------------------------------------------------------------------------------
# The cases. Each returns (function definitions, list of (name, arity)).


def chained(n):
    # a1 = x * 0.9 + 0.1; a_{k+1} = a_k * a_k - a_k: every local used twice by the next.
    body = "    auto a = x * 0.9 + 0.1;\n" + "    a = a * a - a;\n" * (n - 1)
    return f"constexpr auto f0 = [](auto x) {{\n{body}    return a;\n}};\n", [("f0", 1)]


def horner(degree):
    coefs = [round(1.0 / (k + 1), 6) for k in range(degree + 1)]
    expr = f"{coefs[-1]}"
    for c in reversed(coefs[:-1]):
        expr = f"({expr}) * x + {c}"
    return f"constexpr auto f0 = [](auto x) {{ return {expr}; }};\n", [("f0", 1)]


def black_scholes():
    src = """constexpr auto f0 = [](auto s, auto k, auto t, auto r, auto sigma) {
  auto sqrt_t = ks::sqrt(t);
  auto d1 = (ks::log(s / k) + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
  auto d2 = d1 - sigma * sqrt_t;
  auto n = [](auto z) { return 0.5 * (1 + ks::erf(z * 0.7071067811865476)); };
  return s * n(d1) - k * ks::exp(-r * t) * n(d2);
};
"""
    return src, [("f0", 5)]


def deep(levels):
    # Nested `levels` parentheses deep: an affine step, with a sin every fifth level.
    expr = "x"
    for i in range(levels):
        expr = f"ks::sin({expr})" if i % 5 == 4 else f"({expr}) * 0.99 + 0.01"
    return f"constexpr auto f0 = [](auto x) {{ return {expr}; }};\n", [("f0", 1)]


def long_sum(terms):
    parts = [f"{round(0.5 + k / terms, 6)} * x * x" if k % 2 else f"x / {k + 1}.0" for k in range(terms)]
    return f"constexpr auto f0 = [](auto x) {{ return {' + '.join(parts)}; }};\n", [("f0", 1)]


ACTIVATIONS = [
    "ks::select(x < 0, {a} * x, x)",
    "x * ks::sigmoid({a} * x)",
    "0.5 * x * (1 + ks::tanh(0.7978845608028654 * (x + {a} * x * x * x)))",
    "0.5 * x * (1 + ks::erf(x * {a}))",
    "ks::select(x > 0, x, {a} * (ks::exp(x) - 1))",
    "ks::log(1 + ks::exp({a} * x)) / {a}",
    "x * ks::tanh(ks::log(1 + ks::exp(x * {a})))",
    "ks::select(x < -{a}, -1.0, ks::select(x > {a}, 1.0, x / {a}))",
    "x / (1 + ks::abs(x * {a}))",
    "ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3)) * {a}",
]


def activations(count):
    defs, names = [], []
    for i in range(count):
        formula = ACTIVATIONS[i % len(ACTIVATIONS)].format(a=round(0.5 + i / 40, 4))
        defs.append(f"constexpr auto f{i} = [](auto x) {{ return {formula}; }};\n")
        names.append((f"f{i}", 1))
    return "".join(defs), names


CASES = {
    **{f"chained-{n}": (lambda n=n: chained(n)) for n in (10, 20, 40, 80)},
    "horner-30": lambda: horner(30),
    "black-scholes": black_scholes,
    "deep-150": lambda: deep(150),
    "deep-200": lambda: deep(200),
    "sum-2000": lambda: long_sum(2000),
    "activations-80": lambda: activations(80),
}


def translation_unit(defs, functions):
    """One TU: each function under grad, vjp, hessian and vmap(vjp), results kept."""
    uses = []
    for name, arity in functions:
        args = ", ".join(f"x[{i}]" for i in range(arity))
        cols = ", ".join(f"c[{i}]" for i in range(arity))
        uses.append(
            f"  keep(ks::grad({name})({args}));\n"
            f"  keep(ks::vjp({name})({args}, 0.5));\n"
            f"  keep(ks::hessian({name})({args}));\n"
            f"  keep(ks::vmap(ks::vjp({name}))({cols}, dy));\n"
        )
    return (
        "#include <knossos/knossos.hpp>\n#include <vector>\n\n"
        "template <class T> void keep(T const& v) { asm volatile(\"\" : : \"r\"(&v) : \"memory\"); }\n\n"
        f"{defs}\n"
        "int main(int argc, char**) {\n"
        "  double x[5] = {1.1, 0.9, 0.5, 0.03, 0.2};\n"
        "  for (double& v : x) v *= argc;\n"
        "  std::vector<double> c[5], dy(64, 1.0);\n"
        "  for (auto& v : c) v.assign(64, 0.5 * argc);\n"
        + "".join(uses)
        + "}\n"
    )


BASELINE = "#include <knossos/knossos.hpp>\n#include <vector>\nint main() { return 0; }\n"


def compile_once(cxx, flags, source, workdir):
    path = os.path.join(workdir, "case.cpp")
    with open(path, "w") as f:
        f.write(source)
    start = time.monotonic()
    proc = subprocess.Popen([cxx, *flags, "-c", path, "-o", os.path.join(workdir, "case.o")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of the child (the compiler driver's largest child: cc1plus): KiB.
    return wall, usage.ru_utime, usage.ru_maxrss / 1024, proc.returncode, err


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cxx", default="g++")
    ap.add_argument("--flag", action="append", default=[], help="a compiler flag (repeat)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", nargs="*", default=None, help="case names to run")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--emit", metavar="NAME", help="print the TU of one case and exit")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    if args.emit:
        print(translation_unit(*CASES[args.emit]()))
        return 0
    # Once each; /usr/include is the compiler's own (an -I for it would reorder #include_next).
    flags = [f for f in dict.fromkeys(["-std=c++20", "-O2", *args.flag]) if f != "-I/usr/include"]
    names = args.only if args.only else list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"run.py: unknown case(s) {' '.join(unknown)}; --list shows them", file=sys.stderr)
        return 2
    print(f"compiler: {args.cxx} {' '.join(flags)}; median of {args.repeat}\n")
    print("| case | wall s | user s | peak MiB | status |")
    print("|---|---|---|---|---|")
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for name in ["include only", *names]:
            source = BASELINE if name == "include only" else translation_unit(*CASES[name]())
            runs = [compile_once(args.cxx, flags, source, work) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            user = statistics.median(r[1] for r in runs)
            mem = max(r[2] for r in runs)
            rc, err = runs[-1][3], runs[-1][4]
            status = "ok" if rc == 0 else "failed: " + (err.strip().splitlines() or ["?"])[-1][:80]
            failed = failed or rc != 0
            print(f"| {name} | {wall:.1f} | {user:.1f} | {mem:.0f} | {status} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
