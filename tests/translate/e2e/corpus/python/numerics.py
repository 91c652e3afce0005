"""Numerically careful forms: the branches exist for accuracy, not for the math."""
import torch


# points: -50.0, -2.0, 0.5, 17.0, 19.0, 50.0
def log1pexp(x):
    # log(1 + exp(x)) without overflow (Maechler's cut-offs)
    if x <= -37:
        return torch.exp(x)
    elif x <= 18:
        return torch.log1p(torch.exp(x))
    elif x <= 33.3:
        return x + torch.exp(-x)
    return x


# points: (1.0, 2.0), (-3.0, 4.0), (30.0, -30.0), (0.5, 0.5)
def logaddexp(a, b):
    m = torch.maximum(a, b)
    return m + torch.log1p(torch.exp(-torch.abs(a - b)))


# points: -2.0, -1e-6, 1e-6, 0.5, 3.0
def expm1_over_x(x):
    if torch.abs(x) < 1e-5:
        return 1 + x / 2 + x * x / 6
    return torch.expm1(x) / x


# points: -4.0, -1e-5, 1e-5, 2.0
def sinc(x):
    if abs(x) < 1e-4:
        return 1 - x * x / 6
    return torch.sin(x) / x


# points: -40.0, -2.0, 0.0, 3.0, 40.0
def stable_sigmoid(x):
    if x >= 0:
        z = torch.exp(-x)
        return 1 / (1 + z)
    z = torch.exp(x)
    return z / (1 + z)


# points: -3.0, -0.5, 0.5, 3.0
def soft_clip(x, limit=2.0):
    return limit * torch.tanh(x / limit)


# points: 0.001, 0.2, 0.5, 0.9
def logit(p, eps=1e-6):
    q = torch.clamp(p, eps, 1 - eps)
    return torch.log(q / (1 - q))


# points: (1.0, 2.0), (-3.0, 4.0), (4e-3, -3e-3)
def hypot_by_hand(a, b):
    a = abs(a)
    b = abs(b)
    big = max(a, b)
    small = min(a, b)
    r = small / big
    return big * torch.sqrt(1 + r * r)
