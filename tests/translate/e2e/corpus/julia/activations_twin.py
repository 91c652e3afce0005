"""Python twins of activations.jl, run under torch for the reference values."""
import math

import torch
import torch.nn.functional as F


# points: -1.5, -1e-3, 0.3, 0.999, 1.0, 2.5
def relu3(x):
    if x < 0:
        return x * 0.0
    elif x < 1:
        return x ** 3 / 3
    else:
        return x - 2 / 3


# points: -6.0, -1.0, 0.0, 1.5, 8.0
def myswish(x):
    return x * torch.sigmoid(x)


# points: -4.0, -0.3, 0.2, 3.0, 25.0
def mymish(x):
    # NNlib's softplus is log1p(exp(-|x|)) + relu(x): exact for every x
    return x * torch.tanh(torch.log1p(torch.exp(-torch.abs(x))) + torch.clamp(x, min=0))


# points: -3.0, -0.5, 0.7, 4.0
def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


# points: -3.0, -0.5, 0.7, 4.0
def gelu_nnlib(x):
    # NNlib.gelu is the tanh approximation
    return x / 2 * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


# points: (-2.0,), (0.5,), (-1.0, 0.5), (2.0, 0.5)
def mycelu(x, alpha=1.0):
    if x > 0:
        return x + 0 * alpha
    return alpha * torch.expm1(x / alpha)


# points: -2.0, -0.1, 0.1, 3.0
def leaky(x):
    return F.leaky_relu(x, 0.2)


# points: (-2.0,), (0.5,), (-1.0, 2.0)
def elu_ifelse(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * (torch.exp(x) - 1))


# points: -3.0, -0.2, 0.2, 5.0
def softsign_manual(x):
    return x / (1 + torch.abs(x))


# points: -4.0, -3.0, -1.0, 0.5, 2.9, 3.5
def hard_sigmoid(x):
    if x <= -3:
        return 0.0 * x
    elif x >= 3:
        return 0.0 * x + 1
    return x / 6 + 1 / 2


# points: -2.0, 0.3, 1.7
def tanhshrink_piped(x):
    return x - torch.tanh(x)
