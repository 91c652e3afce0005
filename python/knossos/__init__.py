"""knossos for PyTorch: write an elementwise function as a plain Python scalar
function, get a compiled, fused SIMD kernel and its compiled backward.

    import knossos

    @knossos.vmap
    def relu3(x):
        if x < 0:
            return 0.0
        elif x < 1:
            return x ** 3 / 3
        return x - 2 / 3

    y = relu3(torch.randn(64, 256, requires_grad=True))   # relu3 is an nn.Module

The source is translated by ks-translate into a knossos C++ lambda; its kernels
(forward, backward, double backward) are compiled against knossos alone when first
needed and cached in $KNOSSOS_CACHE (default ~/.cache/knossos), so a second start
compiles nothing. Each function is a torch custom operator (torch.ops.knossos.*), which
torch.compile and torch.export trace. Docs: docs/pytorch.md
"""

from ._build import DEFAULT_FLAGS, BuildError, TranslateError, cache_dir, clear_cache
from ._module import VMap

__all__ = ["vmap", "VMap", "TranslateError", "BuildError", "cache_dir", "clear_cache", "load_operators",
           "DEFAULT_FLAGS"]

def _version():
    """The installed distribution's version, else the repository's (CMakeLists.txt)."""
    import os
    import re
    from importlib import metadata

    try:
        dist = metadata.distribution("knossos")
        if os.path.samefile(os.path.dirname(str(dist.locate_file("knossos/__init__.py"))), os.path.dirname(__file__)):
            return dist.version
    except (metadata.PackageNotFoundError, OSError):
        pass
    cmake = os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")
    with open(cmake) as f:
        return re.search(r"project\(knossos VERSION ([0-9.]+)", f.read()).group(1)


__version__ = _version()


def vmap(fn=None, *, flags=None, verbose=False):
    """An nn.Module running fn (a Python scalar function) elementwise over tensors, with
    autograd; `knossos.vmap(fn)`, or the decorators `@knossos.vmap` and
    `@knossos.vmap(flags=[...])`. flags: the C++ compiler flags (default
    -O3 -march=native -std=c++20); verbose: show the compiler's output."""
    if fn is None:
        return lambda f: VMap(f, flags=flags, verbose=verbose)
    return VMap(fn, flags=flags, verbose=verbose)


def load_operators():
    """Defines the torch operators of every function in the cache, so a model saved with
    torch.export (or TorchScript) loads in a process that has not called knossos.vmap:
    `import knossos; knossos.load_operators()` before `torch.export.load(...)`. Returns
    their names (torch.ops.knossos.NAME)."""
    from . import _ops

    return [_ops.operators(f).function.op_name for f in _build.Function.cached()]
