#!/usr/bin/env python3
"""Run the activation benchmarks and print markdown tables of medians and ratios.

    compare.py [--build build/release] [--repetitions 7] [--min-time 0.1] [--filter REGEX]

Runs bench_activations (and bench_aten, in its own process, when it was built) with
repetitions, takes the median of each benchmark, and prints one table per function,
kind (fwd, vjp, value_and_grad) and type: ns per element for each implementation, then
the ratios knossos/xsimd, and, where those baselines were run, knossos/floor (memcpy for
forward, y = a * b for vjp), knossos/Eigen and knossos/ATen. Plain Python 3, no third-party modules.
"""
import argparse
import json
import pathlib
import platform
import subprocess
import sys

IMPLS = ["knossos", "xsimd", "scalar_if", "branchless", "eigen", "aten", "memcpy", "mul"]


def run(binary: pathlib.Path, args) -> list:
    cmd = [str(binary), "--benchmark_format=json", f"--benchmark_repetitions={args.repetitions}",
           "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={args.min_time}"]
    if args.filter:
        cmd.append(f"--benchmark_filter={args.filter}")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["benchmarks"]


def medians(benchmarks: list) -> dict:
    """{(fn, dir, type, impl, n): ns per element} from the median aggregates."""
    table = {}
    for b in benchmarks:
        if b.get("aggregate_name") != "median":
            continue
        parts = b["run_name"].split("/")
        if len(parts) != 5:
            continue
        fn, direction, typ, impl, n = parts
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        table[(fn, direction, typ, impl, int(n))] = b["real_time"] * scale / int(n)
    return table


def cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def compiler() -> str:
    try:
        return subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown compiler"


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


FUNCTIONS = ["relu3", "gelu", "huber", "softplus", "black_scholes"]


def print_tables(t: dict) -> None:
    order = lambda fn: FUNCTIONS.index(fn) if fn in FUNCTIONS else len(FUNCTIONS)
    keys = sorted({k[:3] for k in t if k[3] in IMPLS}, key=lambda k: (order(k[0]), k[0], k[1], k[2]))
    for fn, direction, typ in keys:
        sizes = sorted({k[4] for k in t if k[:3] == (fn, direction, typ)})
        impls = [i for i in IMPLS if any((fn, direction, typ, i, n) in t for n in sizes)]
        floor = "memcpy" if direction == "fwd" else "mul"
        # Ratio columns only against the baselines this function has.
        against = [b for b in ("xsimd", floor, "eigen", "aten") if b in impls]
        print(f"\n**{fn} {direction} {typ}** (ns per element, median)\n")
        cols = impls + [f"knossos/{b}" for b in against]
        print("| N | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for n in sizes:
            get = lambda i: t.get((fn, direction, typ, i, n))
            cells = [f"{get(i):.3f}" if get(i) is not None else "–" for i in impls]
            k = get("knossos")
            cells += [ratio(k, get(b)) for b in against]
            print(f"| {n} | " + " | ".join(cells) + " |")
    par = {k: v for k, v in t.items() if k[3] in ("knossos_serial", "knossos_par")}
    if par:
        print("\n**gelu fwd f32, ks::par** (ns per element, median, wall clock)\n")
        print("| N | serial | par | speed-up |\n|---|---|---|---|")
        for n in sorted({k[4] for k in par}):
            s, p = t.get(("gelu", "fwd", "f32", "knossos_serial", n)), t.get(("gelu", "fwd", "f32", "knossos_par", n))
            print(f"| {n} | {s:.3f} | {p:.3f} | {s / p:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=pathlib.Path, default=pathlib.Path("build/release"))
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.1)
    parser.add_argument("--filter", default="")
    args = parser.parse_args()
    bench = args.build / "benchmarks" / "bench_activations"
    if not bench.exists():
        print(f"{bench} not found: build the release preset first", file=sys.stderr)
        return 1
    results = run(bench, args)
    aten = args.build / "benchmarks" / "bench_aten"
    if aten.exists():
        results += run(aten, args)  # its own process: ATen's allocations stay out of the others' way
    print(f"Machine: {cpu_model()}, {compiler()}, 1 thread unless stated; "
          f"median of {args.repetitions} repetitions.")
    print_tables(medians(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
