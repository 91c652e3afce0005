"""Python twins of numerics.jl."""
import math

import torch


# points: -50.0, -2.0, 0.5, 17.0, 19.0, 50.0
def log1pexp(x):
    if x <= -37:
        return torch.exp(x)
    if x <= 18:
        return torch.log1p(torch.exp(x))
    if x <= 33.3:
        return x + torch.exp(-x)
    return x


# points: (1.0, 2.0), (-3.0, 4.0), (30.0, -30.0)
def logaddexp(a, b):
    m = torch.maximum(a, b)
    return m + torch.log1p(torch.exp(-torch.abs(a - b)))


# points: -4.0, -1e-5, 1e-5, 2.0
def sinc_safe(x):
    if torch.abs(x) < 1e-4:
        return 1 - x ** 2 / 6
    return torch.sin(x) / x


# points: -7.5, -2.2, 0.7, 4.4, 13.1
def wrapped(x):
    def rem(a, b):  # Julia's rem and %: the dividend's sign
        return a - b * torch.trunc(a / b)

    def mod(a, b):  # Julia's mod: the divisor's sign
        return a - b * torch.floor(a / b)

    return torch.trunc(x / 3) + torch.trunc(x / 2) + torch.floor(x / 4) + rem(x, 3) + rem(x, 2) + mod(x, 5)


# points: -2.0, 0.5, 3.0
def poly(x):
    return 3 * x ** 3 - 2 * x ** 2 + 1 / (2 * x) + 4


# points: 0.25, 3.0, 100.0
def log2_via_constant(x):
    return torch.log(x) / math.log(2.0) + torch.log(x) / math.log(2)


# points: (0.2, 0.3), (2.0, 1.0), (-3.0, 0.5)
def clamp_sum(x, y):
    s = x + y
    s = torch.clamp(s, -1.0, 1.0)
    return s * 2
