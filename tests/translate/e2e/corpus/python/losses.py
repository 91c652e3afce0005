"""Losses on one element, the way they are written before torch vectorises them."""
import math

import torch
import torch.nn.functional as F


# points: -3.0, -0.5, 0.2, 0.99, 1.01, 2.5
def huber(x, delta: float = 1.0):
    a = torch.abs(x)
    if a <= delta:
        return 0.5 * x ** 2
    else:
        return delta * (a - 0.5 * delta)


# points: -2.0, -0.3, 0.3, 0.6, 2.0
def smooth_l1(x, beta=0.5):
    if torch.abs(x) < beta:
        loss = 0.5 * x * x / beta
    else:
        loss = torch.abs(x) - 0.5 * beta
    return loss


# points: -30.0, -2.0, -0.1, 0.4, 3.0, 40.0
def log_cosh(x):
    # stable: log(cosh(x)) = |x| + log1p(exp(-2|x|)) - log(2)
    a = torch.abs(x)
    return a + torch.log1p(torch.exp(-2.0 * a)) - math.log(2.0)


# points: (-1.0, 0.2), (0.5, 0.2), (-1.0, 0.9), (2.0, 0.9)
def pinball(error, tau):
    if error >= 0:
        return tau * error
    return (tau - 1) * error


# points: (-3.0, 0.0), (-0.4, 1.0), (0.0, 0.3), (2.5, 1.0), (25.0, 0.0)
def bce_with_logits(logit, target):
    # max(x, 0) - x * y + log(1 + exp(-|x|)), the form that never overflows
    return torch.clamp(logit, min=0) - logit * target + torch.log1p(torch.exp(-torch.abs(logit)))


# points: (-2.0, 3.0), (0.5, 1.0), (1.5, 0.0)
def poisson_nll(log_rate, count):
    return torch.exp(log_rate) - count * log_rate


# points: (0.2, 0.5), (0.9, 0.1), (0.5, 0.5)
def kl_term(p, q):
    return p * torch.log(p / q)


# points: -2.0, -1e-4, 0.0, 0.3, 10.0
def charbonnier(x, eps=1e-3):
    return torch.sqrt(x * x + eps * eps) - eps


# points: -5.0, -2.0, -0.5, 0.5, 3.0, 6.0
def tukey(x, c=4.685):
    if abs(x) <= c:
        u = 1 - (x / c) ** 2
        return c * c / 6 * (1 - u ** 3)
    return c * c / 6


# points: (-2.0, 1.0), (0.3, -1.0), (0.3, 1.0), (2.0, 1.0)
def squared_hinge(score, label):
    margin = 1 - score * label
    if margin > 0:
        return margin * margin
    return 0.0 * margin


# points: (-1.5, 1.0), (0.2, 0.0), (3.0, 1.0)
def focal(logit, target, gamma: float = 2.0):
    p = torch.sigmoid(logit)
    p_t = p * target + (1 - p) * (1 - target)
    ce = F.softplus(-logit) * target + F.softplus(logit) * (1 - target)
    return (1 - p_t) ** gamma * ce
