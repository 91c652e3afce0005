#!/usr/bin/env python3
"""knossos.vmap against what a PyTorch user would pick instead (issue 18, item 6), and
first-call latency (issue 17, item 5). Writes RESULTS.md (the tables) and results.json
(every number) into --out, and prints the tables.

    compare.py [--quick] [--out DIR] [--python PY] [--contenders knossos,eager,...]
               [--kernels relu3,...] [--sizes 16,4096,...] [--threads 1,2] [--reps 7]
               [--min-time 0.1] [--first-calls 5]

Every contender runs in its own process (worker.py), pinned with taskset to as many CPUs
as threads (`-c 0`, `-c 0,1`), with torch.set_num_threads and, for JAX, XLA's intra-op
thread count set to match; float32 throughout. Times are the median of --reps
repetitions of enough calls to last --min-time each, after warm-up calls (which compile).
--python chooses the interpreter of the workers (default: this one); a contender it
cannot run (torch.compile on torch 1.13, JAX where it is not installed) is left out.
The values and gradients of every contender on fixed inputs are checked against the
eager masks'. The knossos glue is built once into --out/knossos-seed and copied into
every cold cache; kernels and torch.compile's cache for the timing runs live in --out too
(Inductor's emptied at each start). The torch.compile workers set TORCH_USE_RTLD_GLOBAL=1
(worker.py says why); the header of the table names the vector ISA Inductor found.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import worker  # noqa: E402

CONTENDERS = list(worker.CONTENDERS)
SIZES = [16, 4096, 65025, 1 << 20, 1 << 24]
QUICK = {"sizes": [4096, 1 << 20], "reps": 3, "min_time": 0.02, "first_calls": 1}
TOLERANCE = 1e-4  # |a - b| / max(1, |b|), float32 against float32
TITLES = {"knossos": "knossos", "eager": "eager masks", "compile": "torch.compile", "builtin": "torch built-in",
          "jax": "JAX jit(vmap)"}


def run_worker(python, args, threads, env=None):
    """The JSON a worker prints, run under taskset on `threads` CPUs."""
    cpus = ",".join(str(i) for i in range(min(threads, os.cpu_count() or 1)))
    xla = f"--xla_cpu_multi_thread_eigen={'false' if threads == 1 else 'true'} intra_op_parallelism_threads={threads}"
    cmd = (["taskset", "-c", cpus] if shutil.which("taskset") else []) + [python, os.path.join(HERE, "worker.py")]
    full_env = {**os.environ, "XLA_FLAGS": xla, "OMP_NUM_THREADS": str(threads), **(env or {})}
    r = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, env=full_env)
    if r.returncode != 0:
        raise RuntimeError(f"worker {' '.join(map(str, args))} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout)


def time_args(contender, kernels, sizes, reps, min_time, threads):
    return ["time", contender, ",".join(kernels), "--threads", threads, "--sizes", ",".join(map(str, sizes)),
            "--reps", reps, "--min-time", min_time]


def smoke(contender, python=sys.executable, kernels=tuple(worker.KERNELS)):
    """One worker run of every kernel, timed once at the size of the values' check (so
    torch.compile compiles each pass once: the timing finds it in Inductor's cache)."""
    if contender == "knossos":
        run_worker(python, ["prepare", ",".join(kernels)], 2)
    # torch.compile's workers load Sleef globally (TORCH_USE_RTLD_GLOBAL): their kernels go
    # into a cache of their own, which a process without it could not load.
    with tempfile.TemporaryDirectory(prefix="inductor-smoke-") as inductor:
        return run_worker(python, time_args(contender, kernels, [worker.CHECK_N], 1, 0.0, 1), 1,
                          {"TORCHINDUCTOR_CACHE_DIR": inductor})


def disagreements(runs):
    """Where a contender's values or gradients differ from the eager masks' (same threads)."""
    out = []
    for (contender, threads), run in runs.items():
        ref = runs.get(("eager", threads))
        if ref is None or contender == "eager":
            continue
        for kernel, result in run["kernels"].items():
            expected = ref["kernels"].get(kernel, {}).get("values")
            for pass_, values in result.get("values", {}).items():
                for what in ("y", "grad"):
                    a, b = values[what], expected[pass_][what]
                    if a is None and b is None:
                        continue
                    err = max((abs(u - v) / max(1.0, abs(v)) for u, v in zip(a, b)), default=0.0) \
                        if a is not None and b is not None and len(a) == len(b) else float("inf")
                    if not err <= TOLERANCE:
                        out.append(f"{contender} {kernel} {pass_} {what} ({threads} threads): error {err:.3g}")
    return out


def fmt(seconds, n):
    """ns per element, three significant digits, no exponent."""
    if seconds is None:
        return "–"
    v = seconds * 1e9 / n
    return f"{v:.0f}" if v >= 100 else f"{v:.3g}"


def timing_table(timings, contenders, kernels, sizes, threads_list):
    """Rows: kernel, pass, N, threads; cells: ns per element, then knossos / best other
    (marked ✗ where N >= 65025 and it is over 1.0) and knossos / torch.compile (marked ✗
    where N <= 4096 and it is over 0.5)."""
    others = [c for c in contenders if c != "knossos"]
    head = ["kernel", "pass", "N", "threads"] + [TITLES[c] for c in contenders] + ["best other", "knossos / best"]
    if "compile" in contenders and "knossos" in contenders:
        head.append("knossos / compile")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 4 + "---:|" * (len(head) - 4)]
    for kernel in kernels:
        for pass_ in worker.PASSES:
            for n in sizes:
                for t in threads_list:
                    cell = {c: timings.get(c, {}).get(t, {}).get(kernel, {}).get(pass_, {}).get(n) for c in contenders}
                    row = [kernel, "fwd+bwd" if pass_ == "fwdbwd" else pass_, str(n), str(t)]
                    row += [fmt(cell[c], n) for c in contenders]
                    ks, timed = cell.get("knossos"), [c for c in others if cell[c] is not None]
                    best = min(timed, key=lambda c: cell[c]) if timed else None
                    row.append(TITLES[best] if best else "–")
                    row.append(ratio(ks, cell[best] if best else None, 1.0 if n >= 65025 else None))
                    if len(head) > len(row):
                        row.append(ratio(ks, cell["compile"], 0.5 if n <= 4096 else None))
                    lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def ratio(a, b, target):
    if a is None or b is None:
        return "–"
    r = a / b
    return f"{r:.2f}" + (" ✗" if target is not None and r > target else "")


def first_call_runs(python, seed, runs, threads, log):
    """{case: [seconds or breakdown dict, ...]} from fresh processes: knossos cold (a cache
    holding only the glue, the precompiled header and ks-translate, copied from seed) and warm (the same cache
    again), torch.compile cold (fresh Inductor and Triton caches) and warm, JAX."""
    out = {}
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="knossos-bridge-first-") as tmp:
            cache = os.path.join(tmp, "knossos")
            shutil.copytree(seed, cache, ignore=shutil.ignore_patterns("fn", "*.lock"))
            inductor = {"TORCHINDUCTOR_CACHE_DIR": os.path.join(tmp, "inductor"),
                        "TRITON_CACHE_DIR": os.path.join(tmp, "triton")}
            for case, contender, env in (("knossos cold", "knossos", {"KNOSSOS_CACHE": cache}),
                                         ("knossos warm", "knossos", {"KNOSSOS_CACHE": cache}),
                                         ("torch.compile cold", "compile", inductor),
                                         ("torch.compile warm", "compile", inductor), ("JAX jit", "jax", {})):
                try:
                    result = run_worker(python, ["first-call", contender], threads, env)
                except RuntimeError as e:  # e.g. no JAX, or torch 1.13 without torch.compile
                    log(f"first call, {case}: left out ({str(e).strip().splitlines()[-1]})")
                    continue
                out.setdefault(case, []).append(result)
                log(f"first call {i + 1}/{runs}, {case}: {result['seconds']:.2f} s")
    return out


def first_call_table(first):
    lines = ["| first call of relu3 (4096 float32) | median s | min s | max s | runs |", "|---|---:|---:|---:|---:|"]
    for case, results in first.items():
        s = [r["seconds"] for r in results]
        lines.append(f"| {case} | {statistics.median(s):.3f} | {min(s):.3f} | {max(s):.3f} | {len(s)} |")
    cold = first.get("knossos cold")
    if cold:
        parts = {k: statistics.median(r[k] for r in cold) for k in ("translate", "compile", "link", "rest")}
        lines.append("\nknossos cold, median of each part (s): " + ", ".join(f"{k} {v:.3f}" for k, v in parts.items())
                     + " (rest: loading the glue and the kernel, defining the operators, the call itself)")
    return "\n".join(lines)


def machine(python):
    def cmd(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, cwd=HERE).stdout.strip()
        except OSError:
            return ""

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.processor()) if os.path.exists("/proc/cpuinfo") else platform.processor()
    versions = cmd(python, "-c", "import importlib.metadata as m, platform\nprint('python', platform.python_version())"
                   "\nfor p in ('torch', 'jax', 'jaxlib', 'numpy'):\n  try: print(p, m.version(p))\n"
                   "  except m.PackageNotFoundError: pass")
    return {"cpu": cpu, "cpus": os.cpu_count(), "versions": versions.replace("\n", ", "),
            "compiler": cmd(os.environ.get("CXX", "c++"), "--version").split("\n")[0],
            "knossos commit": cmd("git", "rev-parse", "--short", "HEAD") + (" (modified)" if cmd(
                "git", "status", "--porcelain", "--", os.path.join("..", "..", "include"),
                os.path.join("..", "..", "python")) else "")}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help=f"sizes {QUICK['sizes']}, {QUICK['reps']} repetitions of "
                   f"{QUICK['min_time']} s, {QUICK['first_calls']} first call each")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--kernels", default=",".join(worker.KERNELS))
    p.add_argument("--sizes")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--reps", type=int)
    p.add_argument("--min-time", type=float)
    p.add_argument("--first-calls", type=int, help="fresh processes per first-call case (0: none)")
    args = p.parse_args()
    defaults = QUICK if args.quick else {"sizes": SIZES, "reps": 7, "min_time": 0.1, "first_calls": 5}
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else defaults["sizes"]
    reps = args.reps or defaults["reps"]
    min_time = args.min_time if args.min_time is not None else defaults["min_time"]
    first_calls = args.first_calls if args.first_calls is not None else defaults["first_calls"]
    contenders = [c for c in CONTENDERS if c in args.contenders.split(",")]
    kernels = args.kernels.split(",")
    threads_list = [int(t) for t in args.threads.split(",")]
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    def log(message):
        print(f"[{time.time() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    load = os.getloadavg()
    info = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "load average at start": load,
            **machine(args.python), "sizes": sizes, "repetitions": reps, "min time per repetition (s)": min_time}
    log(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if "knossos" in contenders or first_calls:
        seed = os.path.join(args.out, "knossos-seed")
        log("knossos: the glue and ks-translate, built once into " + seed)
        run_worker(args.python, ["prepare"], max(threads_list), {"KNOSSOS_CACHE": seed})
    env = {"KNOSSOS_CACHE": os.path.join(args.out, "knossos-cache"),
           "TORCHINDUCTOR_CACHE_DIR": os.path.join(args.out, "inductor-cache")}
    # Emptied: Inductor's cache keeps kernels across a change of the vector ISA it found.
    shutil.rmtree(env["TORCHINDUCTOR_CACHE_DIR"], ignore_errors=True)
    if "knossos" in contenders:
        if not os.path.isdir(env["KNOSSOS_CACHE"]):
            shutil.copytree(seed, env["KNOSSOS_CACHE"], ignore=shutil.ignore_patterns("*.lock"))
        log("knossos: the kernels, built before they are timed")
        run_worker(args.python, ["prepare", ",".join(kernels)], max(threads_list), env)

    runs, timings, left_out = {}, {}, {}
    for t in threads_list:
        for kernel in kernels:
            for c in contenders:
                start = time.time()
                run = run_worker(args.python, time_args(c, [kernel], sizes, reps, min_time, t), t, env)
                runs.setdefault((c, t), {"kernels": {}})["kernels"].update(run["kernels"])
                result = run["kernels"][kernel]
                if "inductor vector ISA" in run:
                    info["torch.compile: Inductor's vector ISA"] = run["inductor vector ISA"]
                if "unavailable" in result:
                    left_out.setdefault(c, set()).add(result["unavailable"])
                else:
                    timings.setdefault(c, {}).setdefault(t, {})[kernel] = {
                        pass_: {int(n): s for n, s in by_n.items()} for pass_, by_n in result["seconds"].items()}
                log(f"{c} {kernel}, {t} thread{'s' * (t > 1)}: {time.time() - start:.0f} s")
    bad = disagreements(runs)
    first = first_call_runs(args.python, seed, first_calls, max(threads_list), log) if first_calls else {}
    info["load average at end"] = os.getloadavg()
    info["seconds"] = round(time.time() - started)

    shown = [c for c in contenders if c in timings]
    md = [f"# knossos.vmap against the alternatives ({'quick' if args.quick else 'full'} run)", ""]
    md += [f"- {k}: {' '.join(f'{x:.2f}' for x in v) if 'load' in k else v}" for k, v in info.items()]
    md += ["", "ns per element (median), float32, 1-D tensors; forward, and forward+backward (y = f(x); "
           "y.backward(g), x.grad reset each call; JAX: jit of x, g -> (y, vjp(g))). knossos / best: ✗ where "
           "N >= 65025 and over 1.0 (the target); knossos / compile: ✗ where N <= 4096 and over 0.5.", ""]
    md += [timing_table(timings, shown, kernels, sizes, threads_list)]
    for c, why in left_out.items():
        md.append(f"\n{TITLES[c]} left out: {', '.join(sorted(why))}.")
    md += ["", "Values and gradients on a grid over [-12, 12] against the eager masks' (|a-b| / max(1, |b|) <= "
           f"{TOLERANCE}): " + ("all agree." if not bad else "DISAGREE:\n" + "\n".join(f"- {b}" for b in bad))]
    if first:
        md += ["", "From knossos.vmap(relu3) / torch.compile(masks) / jax.jit(jax.vmap(relu3)) to the first forward "
               f"result, each in a fresh process (taskset -c 0-{max(threads_list) - 1}); knossos cold: a cache "
               "holding only what is built once per installation: the glue (once per torch version), the precompiled "
               "knossos header (once per compiler) and ks-translate.", "",
               first_call_table(first)]
    text = "\n".join(md) + "\n"
    with open(os.path.join(args.out, "RESULTS.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"info": info, "timings": timings, "disagreements": bad, "first_call": first,
                   "repetitions": {f"{c}/{t}": {k: r.get("calls") for k, r in run["kernels"].items()}
                                   for (c, t), run in runs.items()}}, f, indent=1)
    print(text)
    log(f"done in {time.time() - started:.0f} s; {args.out}/RESULTS.md and results.json")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
