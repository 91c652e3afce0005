"""Python twins of activations.fs."""
import torch


# points: -1.5, -1e-3, 0.3, 0.999, 1.0, 2.5
def relu3(x):
    if x < 0:
        return 0.0 * x
    elif x < 1:
        return x ** 3 / 3
    return x - 2 / 3


# points: -5.0, 0.0, 2.0
def sigmoid(x):
    return 1 / (1 + torch.exp(-x))


# points: -6.0, -1.0, 1.5, 8.0
def swish(x):
    return x * sigmoid(x)


# points: -30.0, -1.0, 0.5, 19.0, 21.0
def softplus(x):
    if x > 20:
        return x
    return torch.log(1 + torch.exp(x))


# points: -3.0, -0.5, 0.7, 4.0
def geluTanh(x):
    return 0.5 * x * (1 + torch.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


# points: (-2.0, 1.0), (0.5, 1.0), (-1.0, 0.3)
def elu(x, alpha):
    if x > 0:
        return x + 0 * alpha
    return alpha * (torch.exp(x) - 1)


# points: -2.0, -0.1, 0.1, 3.0
def leaky(x):
    return torch.maximum(0.01 * x, x)


# points: -4.0, -0.3, 0.2, 3.0
def mish(x):
    return x * torch.tanh(torch.log(1 + torch.exp(x)))


# points: -3.0, 0.0, 1.2
def logisticDerivative(x):
    s = 1 / (1 + torch.exp(-x))
    return s * (1 - s)


# points: -2.0, -0.5, 0.5, 2.0
def hardtanh(x):
    if x < -1:
        return 0 * x - 1
    elif x > 1:
        return 0 * x + 1
    return x


# points: -3.0, 0.4, 2.0
def softsignPiped(x):
    return x / (1 + torch.abs(x))
