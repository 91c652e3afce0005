"""Python twins of layout.fs."""
import torch


# points: (1.0, 2.0), (3.0, 0.5), (-1.5, 1.2)
def beale(x0, x1):
    return (1.5 - x0 + x0 * x1) ** 2 + (2.25 - x0 + x0 * x1 ** 2) ** 2 + (2.625 - x0 + x0 * x1 ** 3) ** 2


# points: (1.0, 1.0), (-1.2, 1.0), (0.5, -0.3)
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


# points: (3.0, 2.0), (-1.0, 0.5)
def himmelblau(x, y):
    a = x * x + y - 11
    b = x + y * y - 7
    return a * a + b ** 2


# points: -2.0, 1e-4, 0.5
def smoothed(x):
    return torch.log(torch.clamp(torch.abs(x), min=1e-3))


# points: -1.5, 0.0, 2.0
def polynomial(x):
    p = 3 * x ** 3 - 2 * x ** 2 + x
    return p * (1 + x)


# points: (0.0, 1.0, -0.5), (0.0, 1.0, 0.25), (0.0, 1.0, 3.0)
def clipped(lo, hi, x):
    if x < lo:
        return lo + 0 * x
    if x > hi:
        return hi + 0 * x
    return x + 0 * lo + 0 * hi


# points: -2.0, -0.5, 0.5, 3.0
def piecewise(x):
    if x < -1:
        return -1.0 + 0 * x
    if x < 0:
        return x * x - 1
    if x < 1:
        t = x - 1
        return t * t * t
    return x - 1
