"""Python twins of pricing.jl."""
import math

import torch


def ncdf(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


def npdf(x):
    return torch.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)


# points: (100.0, 95.0, 0.5, 0.02, 0.2), (80.0, 100.0, 1.0, 0.05, 0.3)
def bs_call(s, k, t, r, sigma):
    d1 = (torch.log(s / k) + (r + sigma ** 2 / 2) * t) / (sigma * torch.sqrt(t))
    d2 = d1 - sigma * torch.sqrt(t)
    return s * ncdf(d1) - k * torch.exp(-r * t) * ncdf(d2)


# points: (101.0, 100.0, 1.0, 5.0), (95.0, 100.0, 0.5, 8.0)
def bachelier(f, k, t, sigma):
    v = sigma * torch.sqrt(t)
    d = (f - k) / v
    return (f - k) * ncdf(d) + v * npdf(d)


# points: (0.05, 2.0), (-0.01, 0.5)
def discount(r, t):
    return torch.exp(-(r * t))
