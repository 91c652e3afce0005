"""The seed's DNN (784-256-128-64-10, BatchNorm, Dropout 0.3, LogSoftmax) on
Fashion-MNIST, trained with each activation in turn: nn.ReLU, the PyTorch mask
reference vrelu3_pytorch, knossos.vmap(relu3), and (torch >= 2.4) the whole model under
torch.compile with the masks and with knossos. Prints a markdown table of time per
batch, time in the activation's own forward+backward, and test accuracy.

    python examples/fashion-mnist/train.py            # full: 5 epochs each
    python examples/fashion-mnist/train.py --quick    # CI: 300 batches each
"""

import argparse
import ctypes
import os
import re
import sys
import time
from collections import OrderedDict

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

import knossos  # noqa: E402
from activations import MaskReLU3, relu3  # noqa: E402
from idx import load_fashion_mnist  # noqa: E402

WARMUP_BATCHES = 10  # trained but not timed (a torch.compile run compiles in the first)
CANDIDATES = ("relu", "mask", "knossos", "mask-compile", "knossos-compile")
COMPILE = hasattr(torch.library, "register_fake")  # knossos' operators trace in torch.compile from torch 2.4


class ActivationClock:
    """Seconds spent in the timed activations' forward and backward passes."""

    def __init__(self):
        self.forward = 0.0
        self.backward = 0.0
        self._t0 = None
        self.enabled = False

    def start_backward(self, grad):
        if self.enabled:
            self._t0 = time.perf_counter()

    def stop_backward(self, grad):
        if self.enabled and self._t0 is not None:
            self.backward += time.perf_counter() - self._t0
            self._t0 = None


class Timed(nn.Module):
    """Wraps an activation; forward time measured around the call, backward time from a
    hook on its output's gradient (fires just before its backward) to a hook on its
    input's gradient (fires just after)."""

    def __init__(self, act, clock):
        super().__init__()
        self.act = act
        self.clock = clock

    def forward(self, x):
        track = self.clock.enabled and torch.is_grad_enabled() and x.requires_grad
        if track:
            x.register_hook(self.clock.stop_backward)
        t0 = time.perf_counter()
        y = self.act(x)
        if self.clock.enabled:
            self.clock.forward += time.perf_counter() - t0
        if track:
            y.register_hook(self.clock.start_backward)
        return y


def make_model(activation, clock, timed=True):
    """The seed's model with a fresh activation module per slot (timed: wrapped in Timed)."""
    act = (lambda: Timed(activation(), clock)) if timed else activation
    return nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 256)),
        ("activation1", act()),
        ("fc2", nn.Linear(256, 128)),
        ("bn2", nn.BatchNorm1d(num_features=128)),
        ("activation2", act()),
        ("dropout", nn.Dropout(0.3)),
        ("fc3", nn.Linear(128, 64)),
        ("bn3", nn.BatchNorm1d(num_features=64)),
        ("activation3", act()),
        ("logits", nn.Linear(64, 10)),
        ("logsoftmax", nn.LogSoftmax(dim=1)),
    ]))


def _mapped_blas_libraries():
    """The BLAS libraries mapped into this process, resolved through symlinks."""
    mapped = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if re.search(r"/lib(open)?blas[^/]*\.so|/libmkl|/libblis", path):
                    mapped.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(mapped)


def _openblas(path):
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib
    except (OSError, AttributeError):
        return None


def use_blas(threads):
    """Describes the BLAS torch's matrix products run on, and gives OpenBLAS `threads`
    threads (torch.set_num_threads does not reach it). Debian's torch is built with
    BLAS_INFO=generic and links libblas.so.3, which the alternatives system points at
    the reference BLAS or, with libopenblas0-pthread installed, at OpenBLAS."""
    info = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    torch.zeros(2, 2) @ torch.zeros(2, 2)  # make sure the BLAS is loaded
    described = []
    for path in _mapped_blas_libraries():
        lib = _openblas(path)
        if lib is None:
            described.append(path)
            continue
        lib.openblas_set_num_threads(threads)
        described.append(f"{path}: {lib.openblas_get_config().decode()}, kernels for "
                         f"{lib.openblas_get_corename().decode()}, {lib.openblas_get_num_threads()} thread(s)")
    return f"BLAS_INFO={info.group(1) if info else '?'}; " + ("; ".join(described) or "no BLAS library found")


# OpenBLAS picks its kernels by CPU model; a model it does not know (a newer CPU, or a
# virtual machine's generic one) gets the SSE3 kernels of 2004, 4-5x slower here on
# these matrix products. Then the kernels the CPU's features allow are asked for by
# OPENBLAS_CORETYPE, which OpenBLAS reads only when it is loaded: before torch is.
_PRE_AVX_CORES = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine",
                  "Northwood", "Banias"}


def _coretype_for_cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(next(l for l in f if l.startswith("flags")).split(":", 1)[1].split())
    except (OSError, StopIteration):
        return None
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def restart_with_fitting_openblas_kernels(argv):
    """Re-runs this script with OPENBLAS_CORETYPE set when OpenBLAS fell back to
    pre-AVX kernels on a CPU with AVX2 or AVX-512 (and nobody chose the kernels)."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return
    cores = {(_openblas(p).openblas_get_corename().decode() if _openblas(p) else None)
             for p in _mapped_blas_libraries()}
    wanted = _coretype_for_cpu_flags()
    if wanted and cores & _PRE_AVX_CORES:
        print(f"OpenBLAS chose {', '.join(sorted(c for c in cores if c))} kernels on a CPU with "
              f"{'AVX-512' if wanted == 'SkylakeX' else 'AVX2'}: restarting with OPENBLAS_CORETYPE={wanted}",
              flush=True)
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *argv],
                  {**os.environ, "OPENBLAS_CORETYPE": wanted})


class Run:
    """One model being trained, with its own clock and optimiser."""

    def __init__(self, name, activation, compiled=False):
        torch.manual_seed(0)  # every model starts from the same weights
        self.name = name
        self.clock = ActivationClock()
        # A compiled model is one graph: its activations cannot be timed on their own.
        self.timed = not compiled
        self.model = make_model(activation, self.clock, timed=self.timed)
        self.forward = torch.compile(self.model, fullgraph=True) if compiled else self.model
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss_fn = nn.NLLLoss()
        self.done = 0
        self.timed_batches = 0
        self.timed_seconds = 0.0
        self.loss = float("nan")

    def train_on(self, batches):
        """Trains on a list of (x, y) batches; times all but the first WARMUP_BATCHES."""
        self.model.train()
        for x, y in batches:
            self.clock.enabled = self.done >= WARMUP_BATCHES
            t0 = time.perf_counter()
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.forward(x), y)
            loss.backward()
            self.opt.step()
            if self.clock.enabled:
                self.timed_seconds += time.perf_counter() - t0
                self.timed_batches += 1
            self.done += 1
        self.loss = loss.item()
        self.clock.enabled = False

    def result(self, xte, yte):
        self.model.eval()
        with torch.no_grad():
            correct = (self.forward(xte).argmax(1) == yte).sum().item()
        n = max(self.timed_batches, 1)
        return {
            "name": self.name,
            "ms_per_batch": 1e3 * self.timed_seconds / n,
            "timed": self.timed,
            "act_ms_per_batch": 1e3 * (self.clock.forward + self.clock.backward) / n,
            "act_fwd_ms": 1e3 * self.clock.forward / n,
            "act_bwd_ms": 1e3 * self.clock.backward / n,
            "accuracy": correct / len(yte),
            "batches": self.done,
            "loss": self.loss,
        }


def train_all(runs, data, args):
    """Trains every run on the same batches, interleaved in rounds of args.round batches,
    so that whatever else the machine is doing slows all of them alike."""
    (xtr, ytr), _ = data
    n = len(xtr)
    per_epoch = n // args.batch_size
    total = args.batches if args.batches else args.epochs * per_epoch
    g = torch.Generator().manual_seed(1)
    done = 0
    while done < total:
        perm = torch.randperm(n, generator=g)
        for start in range(0, per_epoch, args.round):
            count = min(args.round, per_epoch - start, total - done)
            if count <= 0:
                break
            batches = []
            for b in range(start, start + count):
                idx = perm[b * args.batch_size:(b + 1) * args.batch_size]
                batches.append((xtr[idx], ytr[idx]))
            for r in runs:
                r.train_on(batches)
            done += count
    return total


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="300 batches per activation (CI)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batches", type=int, default=0, help="batches per activation (overrides --epochs)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--round", type=int, default=50, help="batches per model before switching to the next")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (1 for the comparison)")
    p.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    p.add_argument("--only", default=",".join(CANDIDATES), help="comma-separated subset of " + ",".join(CANDIDATES) +
                   " (the torch.compile ones need torch >= 2.4)")
    p.add_argument("--keep-blas-kernels", action="store_true",
                   help="do not ask OpenBLAS for other kernels when it fell back to pre-AVX ones")
    args = p.parse_args(argv)
    if not args.keep_blas_kernels:
        torch.zeros(2, 2) @ torch.zeros(2, 2)  # loads the BLAS
        restart_with_fitting_openblas_kernels(sys.argv[1:] if argv is None else argv)
    if args.quick and not args.batches:
        args.batches = 300
    torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    print(f"BLAS: {use_blas(args.threads)}")

    (xtr, ytr), (xte, yte) = load_fashion_mnist(args.data)

    def prep(images):
        x = torch.from_numpy(images.reshape(len(images), -1).astype("float32")) / 255.0
        return (x - 0.2860) / 0.3530  # Fashion-MNIST mean and std

    data = ((prep(xtr), torch.from_numpy(ytr.astype("int64"))), (prep(xte), torch.from_numpy(yte.astype("int64"))))

    t0 = time.perf_counter()
    vrelu3 = knossos.vmap(relu3)
    vrelu3(torch.zeros(2))  # the first call builds the forward kernel, if the cache does not have it
    print(f"knossos.vmap(relu3): {'built' if vrelu3.built else 'from the cache'} in {time.perf_counter() - t0:.2f} s")

    candidates = {
        "relu": ("nn.ReLU", nn.ReLU),
        "mask": ("vrelu3_pytorch (masks)", MaskReLU3),
        "knossos": ("knossos.vmap(relu3)", lambda: vrelu3),
        "mask-compile": ("torch.compile, masks", MaskReLU3, True),
        "knossos-compile": ("torch.compile, knossos.vmap(relu3)", lambda: vrelu3, True),
    }
    wanted = [k for k in args.only.split(",") if COMPILE or not k.endswith("-compile")]
    if wanted != args.only.split(","):
        print(f"torch {torch.__version__} has no torch.library custom operators: the torch.compile runs are left out")
    runs = [Run(*candidates[k]) for k in wanted]
    total = train_all(runs, data, args)
    (_, _), (xte, yte) = data
    results = [r.result(xte, yte) for r in runs]

    print()
    epochs = total / (len(data[0][0]) // args.batch_size)
    print(f"batch size {args.batch_size}, {total} batches ({epochs:.2f} epochs) per activation, interleaved in "
          f"rounds of {args.round} (first {WARMUP_BATCHES} untimed), {torch.get_num_threads()} thread(s)")
    print()
    per_epoch = len(data[0][0]) // args.batch_size
    print("| activation | ms / batch | s / epoch | activation fwd+bwd ms / batch (fwd, bwd) | test accuracy |")
    print("|---|---|---|---|---|")
    for r in results:
        act = f"{r['act_ms_per_batch']:.3f} ({r['act_fwd_ms']:.3f}, {r['act_bwd_ms']:.3f})" if r["timed"] else \
            "(one compiled graph)"
        print(f"| {r['name']} | {r['ms_per_batch']:.3f} | {r['ms_per_batch'] * per_epoch / 1e3:.2f} | {act} | "
              f"{100 * r['accuracy']:.2f}% |")
    by = {r["name"]: r for r in results}
    k, m, relu = by.get("knossos.vmap(relu3)"), by.get("vrelu3_pytorch (masks)"), by.get("nn.ReLU")
    print()
    if k and m:
        print(f"activation fwd+bwd, masks / knossos: {m['act_ms_per_batch'] / k['act_ms_per_batch']:.2f}x")
    if k and relu:
        print(f"time per batch, knossos / nn.ReLU: {k['ms_per_batch'] / relu['ms_per_batch']:.3f}x")
    for r in results:
        if not (r["accuracy"] > 0.5 and r["loss"] == r["loss"]):
            print(f"error: {r['name']} did not learn (accuracy {r['accuracy']:.3f})", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
