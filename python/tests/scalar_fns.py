"""Scalar functions the tests compile with knossos.vmap. relu3 is the Fashion-MNIST
example's, so the example's quick run finds it built; the others reach math and
numpy through imports and call a helper, as user code does."""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "fashion-mnist"))

from activations import relu3, vrelu3_pytorch  # noqa: E402,F401


def gelu(x):
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def damp(y):
    return np.exp(-y * y)


def mix(x, y):
    """Two inputs, a branch, and a helper defined above (translated along with it)."""
    if x > y:
        return x * y + damp(y)
    return x - 2.0 * y + damp(y)
