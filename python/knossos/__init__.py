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

The source is translated by ks-translate into a knossos C++ lambda and compiled with
torch.utils.cpp_extension; builds are cached in $KNOSSOS_CACHE (default
~/.cache/knossos), so a second start compiles nothing. Docs: docs/pytorch.md
"""

from ._build import DEFAULT_FLAGS, BuildError, TranslateError, cache_dir, clear_cache
from ._module import VMap

__all__ = ["vmap", "VMap", "TranslateError", "BuildError", "cache_dir", "clear_cache", "DEFAULT_FLAGS"]
__version__ = "0.1.0"


def vmap(fn=None, *, flags=None, verbose=False):
    """An nn.Module running fn (a Python scalar function) elementwise over tensors, with
    autograd; `knossos.vmap(fn)`, or the decorators `@knossos.vmap` and
    `@knossos.vmap(flags=[...])`. flags: the C++ compiler flags (default
    -O3 -march=native -std=c++20); verbose: show the compiler's output."""
    if fn is None:
        return lambda f: VMap(f, flags=flags, verbose=verbose)
    return VMap(fn, flags=flags, verbose=verbose)
