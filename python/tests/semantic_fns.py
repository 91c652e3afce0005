"""Functions written as Python lets one write them: defaults, keyword-only parameters,
module-level constants (computed ones too), @torch.jit.script (test_semantics.py)."""

import math

import torch

ALPHA = 0.2
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)  # a constant computed at import


def leaky(x, alpha=ALPHA):
    return x if x > 0 else alpha * x


def huber(p, t, delta=1.0):
    r = abs(p - t)
    if r < delta:
        return 0.5 * r * r
    return delta * (r - 0.5 * delta)


def scaled(x, *, scale, shift=0.5):
    return x * scale + shift


def gelu_tanh(x):
    return 0.5 * x * (1.0 + math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x**3)))


@torch.jit.script
def cube(x: float) -> float:
    return x * x * x
