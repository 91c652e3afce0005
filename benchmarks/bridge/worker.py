#!/usr/bin/env python3
"""One contender of the bridge benchmark, in this process; compare.py runs one of these per
contender, kernel and thread count (under taskset) and reads the JSON it prints.

    worker.py time CONTENDER KERNEL[,KERNEL...] --threads T --sizes N,N --reps R --min-time S
    worker.py first-call CONTENDER     # seconds from knossos.vmap / torch.compile / jax.jit to a result
    worker.py prepare [KERNEL,...]     # builds knossos' glue (and ks-translate), and the kernels'
                                       # float32 libraries two at a time, into $KNOSSOS_CACHE

`time` also prints each kernel's values (and gradients) on fixed inputs, for compare.py to
check that the contenders agree. Contenders: knossos (knossos.vmap of the scalar function),
eager (the masks PyTorch users write), compile (torch.compile of those), builtin (torch's
own operator), jax (jit(vmap(f)) of the scalar function written with jnp.where). The
forward+backward pass is y = f(x); y.backward(g) in torch, and jit(x, g -> (y, vjp(g)))
in JAX; the gradient is taken with respect to the first argument only.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
PASSES = ("fwd", "fwdbwd")


# ---- the kernels, as the scalar functions knossos compiles --------------------------------


def gelu(x):
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def silu(x):
    return x / (1.0 + math.exp(-x))


def softplus(x, beta=1.0, threshold=20.0):
    if x * beta > threshold:
        return x
    return math.log1p(math.exp(x * beta)) / beta


def huber(p, t, delta):
    r = p - t
    if abs(r) < delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


# name: (tensor arguments, number arguments)
KERNELS = {"relu3": (1, ()), "gelu": (1, ()), "silu": (1, ()), "softplus": (1, (1.0, 20.0)), "huber": (2, (1.0,))}
CHECK_N = 1024


def scalar(name):
    if name == "relu3":  # the seed's, as the Fashion-MNIST example has it
        sys.path.insert(0, os.path.join(REPO, "examples", "fashion-mnist"))
        from activations import relu3

        return relu3
    return globals()[name]


def inputs(kernel, n, check):
    """float32 numpy arrays: the tensor arguments and the cotangent. Random normal ones for
    timing; for the check, a grid over [-12, 12] that misses the kinks."""
    import numpy as np

    count = KERNELS[kernel][0] + 1
    if check:
        x = (np.linspace(-12.0, 12.0, n) + 0.001).astype(np.float32)
        return [x] + [(0.5 * np.cos(3.0 * x) + 0.1 * i).astype(np.float32) for i in range(1, count)]
    rng = np.random.default_rng(0)
    return [rng.standard_normal(n, dtype=np.float32) for _ in range(count)]


# ---- the contenders: each makes f(*tensors, *numbers) for a kernel -------------------------


def eager(kernel):
    """The kernel as PyTorch users write it: torch.where and masks (relu3: the seed's)."""
    import torch

    if kernel == "relu3":
        scalar("relu3")
        from activations import vrelu3_pytorch

        return vrelu3_pytorch
    if kernel == "gelu":
        return lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if kernel == "silu":
        return lambda x: x * torch.sigmoid(x)
    if kernel == "softplus":
        return lambda x, beta, threshold: torch.where(x * beta > threshold, x, torch.log1p(torch.exp(x * beta)) / beta)

    def huber_masks(p, t, delta):
        r = (p - t).abs()
        return torch.where(r < delta, 0.5 * r * r, delta * (r - 0.5 * delta))

    return huber_masks


def builtin(kernel):
    import torch.nn.functional as F

    return {"gelu": F.gelu, "silu": F.silu, "softplus": F.softplus,
            "huber": lambda p, t, delta: F.huber_loss(p, t, reduction="none", delta=delta)}.get(kernel)


def knossos_vmap(kernel):
    sys.path.insert(0, os.path.join(REPO, "python"))
    import knossos

    return knossos.vmap(scalar(kernel))


def compiled(kernel):
    import torch

    if not hasattr(torch, "compile"):
        return None
    # A fresh compile for each pass and size, static (dynamic=False), as a training loop
    # with one shape gets: without the reset, the recompiles for the other sizes would fill
    # dynamo's cache of the function (8 entries) and it would fall back to eager.
    torch._dynamo.reset()
    return torch.compile(eager(kernel), dynamic=False)


def jax_scalar(kernel):
    """The scalar function written for JAX: jnp.where for the ifs."""
    import jax.numpy as jnp
    from jax.scipy.special import erf

    return {
        "relu3": lambda x: jnp.where(x < 0.0, 0.0, jnp.where(x < 1.0, 1 / 3 * x**3, x - 2 / 3)),
        "gelu": lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0))),
        "silu": lambda x: x / (1.0 + jnp.exp(-x)),
        "softplus": lambda x, beta, threshold: jnp.where(x * beta > threshold, x, jnp.log1p(jnp.exp(x * beta)) / beta),
        "huber": lambda p, t, delta: jnp.where(jnp.abs(p - t) < delta, 0.5 * (p - t) ** 2,
                                               delta * (jnp.abs(p - t) - 0.5 * delta)),
    }[kernel]


# ---- running one: a call per pass, and the values it gives --------------------------------


def torch_runner(f, kernel, pass_, arrays):
    """(call, values): call runs the pass once; values() gives (y, grad or None) as numpy."""
    import torch

    *xs, g = [torch.from_numpy(a) for a in arrays]
    numbers = KERNELS[kernel][1]
    if pass_ == "fwd":
        return (lambda: f(*xs, *numbers)), (lambda: (f(*xs, *numbers).numpy(), None))
    xs[0].requires_grad_()

    def call():
        xs[0].grad = None
        y = f(*xs, *numbers)
        y.backward(g)
        return y

    return call, (lambda: (call().detach().numpy(), xs[0].grad.numpy()))


def jax_runner(kernel, pass_, arrays):
    import jax
    import numpy as np

    *xs, g = [jax.device_put(a) for a in arrays]
    tensors, numbers = KERNELS[kernel]
    vf = jax.vmap(jax_scalar(kernel), in_axes=(0,) * tensors + (None,) * len(numbers))
    if pass_ == "fwd":
        fn = jax.jit(vf)
        call = lambda: jax.block_until_ready(fn(*xs, *numbers))  # noqa: E731
        return call, (lambda: (np.asarray(call()), None))

    @jax.jit
    def value_and_vjp(g, x, *rest):
        y, pull = jax.vjp(lambda a: vf(a, *rest), x)
        return y, pull(g)[0]

    call = lambda: jax.block_until_ready(value_and_vjp(g, *xs, *numbers))  # noqa: E731
    return call, (lambda: tuple(np.asarray(a) for a in call()))


# Each makes a kernel's function: torch's take tensors and numbers (torch_runner), JAX's
# scalar one is vmapped and jitted (jax_runner).
CONTENDERS = {"knossos": knossos_vmap, "eager": eager, "compile": compiled, "builtin": builtin, "jax": jax_scalar}


def runner(contender, kernel, pass_, arrays):
    if contender == "jax":
        return jax_runner(kernel, pass_, arrays)
    return torch_runner(CONTENDERS[contender](kernel), kernel, pass_, arrays)


def unavailable(contender, kernel):
    """Why a contender cannot run a kernel here, or None."""
    import importlib.util

    if contender == "jax":
        return None if importlib.util.find_spec("jax") else "jax is not installed"
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    if contender == "compile":
        import torch

        if not hasattr(torch, "compile"):
            return f"torch {torch.__version__} has no torch.compile"
    if contender == "builtin" and builtin(kernel) is None:
        return "no built-in"
    return None


def seconds_per_call(call, reps, min_time):
    """Median over reps of the time per call; each repetition makes enough calls to last
    min_time (after warm-up calls, which compile what needs compiling)."""
    for _ in range(3):
        call()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            call()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= 2 if elapsed <= 0 else max(2, min(100, int(1.2 * min_time / elapsed) + 1))
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times), times, number


def time_contender(args):
    threads = args.threads
    if args.contender != "jax":
        import torch

        torch.set_num_threads(threads)
    out = {"contender": args.contender, "threads": threads, "kernels": {}}
    if args.contender == "compile" and not unavailable("compile", "gelu"):
        from torch._inductor import cpu_vec_isa

        isa = cpu_vec_isa.pick_vec_isa()
        out["inductor vector ISA"] = type(isa).__name__ if isa else "none: scalar loops"
    for kernel in args.kernels.split(","):
        why = unavailable(args.contender, kernel)
        if why:
            out["kernels"][kernel] = {"unavailable": why}
            continue
        result = out["kernels"][kernel] = {"seconds": {}, "calls": {}, "values": {}}
        for pass_ in PASSES:
            call, values = runner(args.contender, kernel, pass_, inputs(kernel, CHECK_N, check=True))
            y, grad = values()
            result["values"][pass_] = {"y": y.tolist(), "grad": None if grad is None else grad.tolist()}
            for n in args.sizes:
                call, _ = runner(args.contender, kernel, pass_, inputs(kernel, n, check=False))
                if args.contender == "knossos":
                    # The steady state a training loop reaches: the first call starts the
                    # build of kernels specialised for number arguments (huber's delta,
                    # softplus' beta, the backward's expanded gradient), which the glue
                    # installs when built; timed before that, the general kernel would be
                    # timed, with a compiler running beside it.
                    call()
                    finish_knossos_builds()
                median, times, number = seconds_per_call(call, args.reps, args.min_time)
                result["seconds"].setdefault(pass_, {})[n] = median
                result["calls"].setdefault(pass_, {})[n] = {"reps": times, "calls_per_rep": number}
    finish_knossos_builds()
    return out


def finish_knossos_builds():
    """Waits for knossos' background builds (the backward it starts after a forward, the
    kernels specialised for number arguments), so no compiler runs during a measurement
    or outlives this process."""
    if "knossos" in sys.modules:
        from knossos import _ops

        for ops in list(_ops._defined.values()):
            ops.function.join_background_builds()


def first_call(contender):
    """Seconds from making the function to its first forward result (relu3, 4096 float32)."""
    import numpy as np

    x = np.random.default_rng(0).standard_normal(4096, dtype=np.float32)
    if contender == "jax":
        import jax

        vx = jax.device_put(x)
        start = time.perf_counter()
        f = jax.jit(jax.vmap(jax_scalar("relu3")))
        jax.block_until_ready(f(vx))
        return {"seconds": time.perf_counter() - start}
    import torch

    tx = torch.from_numpy(x)
    if contender == "knossos":
        sys.path.insert(0, os.path.join(REPO, "python"))
        import knossos

        fn = scalar("relu3")
        start = time.perf_counter()
        m = knossos.vmap(fn)
        m(tx)
        total = time.perf_counter() - start
        function = m._ops.function
        build = function.timings.get(("fwd", "float32"), {})
        out = {"seconds": total, "translate": function.translate_seconds, "compile": build.get("compile", 0.0),
               "link": build.get("link", 0.0)}
        out["rest"] = total - out["translate"] - out["compile"] - out["link"]
        finish_knossos_builds()
        return out
    f = eager("relu3")
    start = time.perf_counter()
    torch.compile(f, dynamic=False)(tx)
    return {"seconds": time.perf_counter() - start}


def prepare(kernels):
    from concurrent.futures import ThreadPoolExecutor

    sys.path.insert(0, os.path.join(REPO, "python"))
    from knossos import _build, _glue

    _build.translator()
    _glue.glue()
    functions = [knossos_vmap(k)._ops.function for k in kernels]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(f.library, p, "float32") for f in functions for p in ("fwd", "vjp")]:
            done.result()
    return {"cache": _build.cache_dir()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("time")
    t.add_argument("contender", choices=CONTENDERS)
    t.add_argument("kernels")
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[4096])
    t.add_argument("--reps", type=int, default=7)
    t.add_argument("--min-time", type=float, default=0.1)
    f = sub.add_parser("first-call")
    f.add_argument("contender", choices=("knossos", "compile", "jax"))
    sub.add_parser("prepare").add_argument("kernels", nargs="?", default="")
    args = p.parse_args()
    if getattr(args, "contender", None) == "compile":
        # Inductor checks which vector instructions it may use by loading a probe library,
        # which needs torch's Sleef symbols; a torch wheel that loads its libraries locally
        # (2.15 from PyPI) fails that check and gets scalar loops, ten times slower.
        os.environ.setdefault("TORCH_USE_RTLD_GLOBAL", "1")
    if args.command == "time":
        out = time_contender(args)
    elif args.command == "first-call":
        out = first_call(args.contender)
    else:
        out = prepare([k for k in args.kernels.split(",") if k])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
