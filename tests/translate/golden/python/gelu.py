import math

import torch
import torch.nn.functional as F

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.tanh(SQRT_2_OVER_PI * (x + 0.044715 * torch.pow(x, 3))))


def gelu_builtin(x):
    return F.gelu(x)
