"""Python twins of losses.jl."""
import math

import torch


# points: (-3.0,), (0.2,), (2.5,), (0.8, 0.5), (-2.0, 3.0)
def huber(x, delta=1.0):
    a = torch.abs(x)
    if a <= delta:
        return 0.5 * x ** 2 + 0 * delta
    return delta * (a - 0.5 * delta)


# points: (-3.0, 0.0), (-0.4, 1.0), (2.5, 1.0), (25.0, 0.0)
def logitbce(logit, y):
    return torch.maximum(logit, torch.zeros_like(logit)) - logit * y + torch.log1p(torch.exp(-torch.abs(logit)))


# points: (-1.0, 0.2), (0.5, 0.2), (-1.0, 0.9), (2.0, 0.9)
def quantile_loss(e, tau):
    if e >= 0:
        return tau * e
    return (tau - 1) * e


# points: -30.0, -2.0, 0.4, 3.0, 40.0
def logcosh(x):
    a = torch.abs(x)
    return a + torch.log1p(torch.exp(-2 * a)) - math.log(2)


# points: (-1.5, 1.0), (0.2, 0.0), (3.0, 1.0), (1.0, 0.0, 1.5)
def focal(logit, y, gamma=2.0):
    p = torch.sigmoid(logit)
    if y > 0.5:
        pt = p
    else:
        pt = 1 - p
    return -(1 - pt) ** gamma * torch.log(pt)


# points: (-2.0, 3.0), (0.5, 1.0), (1.5, 0.0)
def poisson(lograte, k):
    return torch.exp(lograte) - k * lograte
