"""Option pricing on scalars: closed forms with the normal distribution."""
import math

import torch

INV_SQRT_2 = 1 / math.sqrt(2)


def norm_cdf(x):
    return 0.5 * (1 + torch.erf(x * INV_SQRT_2))


def norm_pdf(x):
    return torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


# points: (100.0, 95.0, 0.5, 0.02, 0.2), (80.0, 100.0, 1.0, 0.05, 0.3), (120.0, 100.0, 2.0, 0.0, 0.15)
def black_scholes_call(s, k, t, r, sigma):
    sqrt_t = torch.sqrt(t)
    d1 = (torch.log(s / k) + (r + 0.5 * sigma ** 2) * t) / (sigma * sqrt_t)
    d2 = d1 - sigma * sqrt_t
    return s * norm_cdf(d1) - k * torch.exp(-r * t) * norm_cdf(d2)


# points: (100.0, 95.0, 0.5, 0.02, 0.2), (80.0, 100.0, 1.0, 0.05, 0.3)
def black_scholes_put(s, k, t, r, sigma):
    sqrt_t = t.sqrt()
    d1 = ((s / k).log() + (r + sigma * sigma / 2) * t) / (sigma * sqrt_t)
    d2 = d1 - sigma * sqrt_t
    return k * (-r * t).exp() * norm_cdf(-d2) - s * norm_cdf(-d1)


# points: (100.0, 95.0, 1.0, 0.01, 0.25), (90.0, 110.0, 0.25, 0.03, 0.4)
def digital_call(s, k, t, r, sigma):
    d2 = (torch.log(s / k) + (r - sigma ** 2 / 2) * t) / (sigma * torch.sqrt(t))
    return torch.exp(-r * t) * norm_cdf(d2)


# points: (101.0, 100.0, 1.0, 5.0), (95.0, 100.0, 0.5, 8.0)
def bachelier_call(f, k, t, sigma_n):
    v = sigma_n * torch.sqrt(t)
    d = (f - k) / v
    return (f - k) * norm_cdf(d) + v * norm_pdf(d)


# points: (100.0, 0.5, 0.02, 0.01), (50.0, 2.0, 0.05, 0.0)
def forward_price(s, t, r, q):
    return s * torch.exp((r - q) * t)


# points: (100.0, 120.0, 1.0), (100.0, 90.0, 0.5)
def barrier_hit_probability(s, h, sigma):
    # probability that a driftless log-price reaches barrier h within unit time
    if s >= h:
        return s * 0 + 1.0
    return 2 * norm_cdf(torch.log(s / h) / sigma)
