"""Activation functions as people write them in PyTorch code."""
import math

import torch
import torch.nn.functional as F

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


# points: -1.5, -1e-3, 0.0, 0.3, 0.999, 1.0, 2.5
def relu3(x: float) -> float:
    """The seed's relu3."""
    if x < 0.0:
        return 0.0
    elif x < 1.0:
        return 1 / 3 * x ** 3
    else:
        return x - 2 / 3


# points: -3.0, -0.5, 0.0, 0.7, 4.0
def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


# points: -3.0, -0.5, 0.7, 4.0
def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(SQRT_2_OVER_PI * (x + 0.044715 * torch.pow(x, 3))))


# points: -6.0, -1.0, 0.0, 1.5, 8.0
def swish(x, beta: float = 1.0):
    return x * torch.sigmoid(beta * x)


# points: -4.0, -0.3, 0.2, 3.0, 25.0
def mish(x):
    return x * torch.tanh(F.softplus(x))


# points: -8.0, -1.0, 0.5, 4.9, 5.1, 12.0
def softplus_sharp(x):
    return F.softplus(x, beta=2.0, threshold=10.0)


# points: -2.0, -0.1, 0.1, 3.0
def leaky(x):
    return F.leaky_relu(x, negative_slope=0.1) + F.leaky_relu(x)


# points: -3.0, -0.2, 0.4, 2.0
def selu_by_hand(x):
    alpha = 1.6732632423543772
    scale = 1.0507009873554805
    if x > 0:
        return scale * x
    return scale * alpha * torch.expm1(x)


# points: -4.0, -3.0, -1.0, 0.5, 2.9, 3.5
def hardswish_by_hand(x):
    if x <= -3:
        return x * 0.0
    elif x >= 3:
        return x
    return x * (x + 3) / 6


# points: -5.0, -0.4, 0.0, 0.4, 5.0
def squareplus(x, b=4.0):
    return 0.5 * (x + torch.sqrt(x * x + b))


# points: -2.0, -0.9, -0.2, 0.3, 0.9, 2.0
def smelu(x, beta=1.0):
    if x <= -beta:
        return x * 0
    if x >= beta:
        return x
    return (x + beta) ** 2 / (4 * beta)


# points: -3.0, -0.5, 0.6, 2.2
def snake(x, a=0.5):
    return x + torch.sin(a * x) ** 2 / a


# points: -2.0, 0.1, 1.3
def tanh_exp(x):
    return x * x.exp().tanh()


# points: -3.0, -0.5, 0.5, 3.0
def methods(x):
    return x.sigmoid() * x.exp().clamp(max=10.0) + x.abs().sqrt() + x.clamp(min=-1.0, max=1.0)
