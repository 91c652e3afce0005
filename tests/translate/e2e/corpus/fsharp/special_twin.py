"""Python twins of special.fs (functions in F# modules: '# name:' gives the path)."""
import math

import torch

LOG_TWO_PI = math.log(2 * math.pi)


# points: -3.0, 0.0, 2.5
# name: Logistic.standard
def logistic_standard(x):
    return 1 / (1 + torch.exp(-x))


# points: (0.5, 2.0, 3.0, -1.0), (-1.0, 1.0, 0.5, 4.0)
# name: Logistic.generic
def logistic_generic(x0, L, k, x):
    return L / (1 + torch.exp(k * (x0 - x)))


# points: -2.0, 0.0, 1.5
# name: Logistic.slope
def logistic_slope(x):
    return logistic_standard(x) * (1 - logistic_standard(x))


# points: (0.0, 1.0, 0.5), (1.5, 0.5, -2.0)
# name: Gaussian.logDensity
def gaussian_log_density(mu, sigma, x):
    z = (x - mu) / sigma
    return -0.5 * (z * z + LOG_TWO_PI) - torch.log(torch.as_tensor(sigma, dtype=torch.float64))


# points: -1.0, 0.3, 2.0
# name: Gaussian.Approximations.cdf
def approximations_cdf(x):
    return logistic_standard(1.702 * x)


# points: -1.0, 0.3, 2.0
# name: Gaussian.Approximations.tail
def approximations_tail(x):
    return 1 - approximations_cdf(x)


# points: -1.0, 0.0, 2.5
# name: Gaussian.mixture
def gaussian_mixture(x):
    return 0.5 * torch.exp(gaussian_log_density(0.0, 1.0, x)) + 0.5 * logistic_slope(x)


# points: (1.0, 2.0), (0.0, -0.5), (0.3, 0.1)
# name: Losses.crossEntropy
def losses_cross_entropy(y, x):
    p = logistic_standard(x)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


# points: (1.0, 0.5), (1.0, -3.0), (2.0, 2.5)
# name: Losses.huber
def losses_huber(delta, x):
    if torch.abs(x) <= delta:
        return 0.5 * x * x
    return delta * (torch.abs(x) - 0.5 * delta)


# points: -2.0, 0.25, 3.0
# name: Losses.smoothHuber
def losses_smooth_huber(x):
    return losses_huber(1.0, x) + logistic_generic(0.0, 2.0, 3.0, x)
