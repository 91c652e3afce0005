import math
import numpy as np
import torch
import torch.nn.functional as F
from math import exp as e_

BETA = 2.0
LIMIT = 3


def activations(x):
    a = F.softplus(x, beta=2.0, threshold=10.0) + F.softplus(x)
    b = F.leaky_relu(x, negative_slope=0.1) + F.leaky_relu(x) + F.elu(x, alpha=0.5)
    c = F.relu(x) + F.silu(x) + F.hardtanh(x, min_val=-2.0, max_val=2.0)
    return a + b + c


def methods(x):
    return x.exp() + x.clamp(min=0) + x.sigmoid() + (x * 2).tanh() + x.pow(2) + x.abs().sqrt()


def prefixes(x):
    return math.exp(x) + np.exp(x) + torch.exp(x) + e_(x) + np.log1p(x) + torch.special.expit(x)


def constants(x):
    return BETA * x ** LIMIT + math.pi + np.e + math.log(x, 2) + max(x, 0.0, -x)


def keywords(x, y):
    return torch.clamp(x, max=y) + torch.where(x > y, x, y) + torch.clamp(x, -1.0, 1.0)
