"""Python twins of numerics.fs."""
import math

import torch


# points: -50.0, -2.0, 0.5, 17.0, 19.0, 50.0
def log1pexp(x):
    if x <= -37:
        return torch.exp(x)
    elif x <= 18:
        return torch.log(1 + torch.exp(x))
    elif x <= 33.3:
        return x + torch.exp(-x)
    return x


# points: (1.0, 2.0), (-3.0, 4.0), (30.0, -30.0)
def logAddExp(a, b):
    m = torch.maximum(a, b)
    return m + torch.log(1 + torch.exp(-torch.abs(a - b)))


# points: -4.0, -1e-5, 1e-5, 2.0
def sinc(x):
    if torch.abs(x) < 1e-4:
        return 1 - x * x / 6
    return torch.sin(x) / x


# points: -7.5, -2.2, 0.7, 4.4
def frac(x):
    # truncate and % (fmod) follow the dividend's sign; 7 / 2 = 3, -7 % 3 = -1 between ints
    return x - torch.trunc(x) + torch.fmod(x, 2.0) + 3.0 + -1.0


# points: -2.0, 1.5
def scaled(x):
    return 0.5 * x ** 2 + math.pi


# points: (100.0, 0.5, 0.02, 0.01), (50.0, 2.0, 0.05, 0.0)
def forward(s, t, r, q):
    carry = r - q
    return s * torch.exp(carry * t)


# points: (3.0, 1.0), (1.0, 3.0)
def nested(x, y):
    if x > y:
        d = x - y
        z = d * d
    else:
        d = y - x
        z = -d
    return z + 1
