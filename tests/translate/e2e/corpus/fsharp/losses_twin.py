"""Python twins of losses.fs."""
import torch


# points: (1.0, -3.0), (1.0, 0.2), (0.5, 2.5), (2.0, -1.0)
def huber(delta, x):
    a = torch.abs(x)
    if a <= delta:
        return 0.5 * x * x + 0 * delta
    return delta * (a - 0.5 * delta)


# points: -20.0, -2.0, 0.4, 3.0
def logCosh(x):
    a = torch.abs(x)
    return a + torch.log(1 + torch.exp(-2 * a)) - torch.log(torch.tensor(2.0, dtype=torch.float64))


# points: (-3.0, 0.0), (-0.4, 1.0), (2.5, 1.0)
def bceWithLogits(logit, y):
    return torch.maximum(logit, torch.zeros_like(logit)) - logit * y + torch.log(1 + torch.exp(-torch.abs(logit)))


# points: (0.2, -1.0), (0.2, 0.5), (0.9, -1.0), (0.9, 2.0)
def pinball(tau, e):
    if e >= 0:
        return tau * e
    return (tau - 1) * e


# points: (1.0, 3.0), (-2.0, 0.5)
def squaredError(x, y):
    return (x - y) ** 2


# points: (-2.0, 3.0), (1.5, 0.0)
def poissonNll(logRate, count):
    return torch.exp(logRate) - count * logRate
