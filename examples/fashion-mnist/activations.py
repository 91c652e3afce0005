"""relu3 two ways: the scalar function (what knossos.vmap compiles) and the
"vectorised" PyTorch rewrite from the seed, with masks multiplied and summed."""

import torch


# relu3(x) = 0 for x < 0;  x³/3 for 0 <= x < 1;  x - 2/3 otherwise
def relu3(x: float) -> float:
    if x < 0.0:
        return 0.0
    elif x < 1.0:
        return 1 / 3 * x**3
    else:
        return x - 2 / 3


def vrelu3_pytorch(x: torch.Tensor) -> torch.Tensor:
    """relu3 the way PyTorch users write it: every branch for every element, masks
    multiplied and summed (about ten temporary tensors, autograd through all of them)."""
    mask1_inf = x > 1.0
    mask0_1 = (x > 0.0) & ~mask1_inf
    val_0_1 = 1 / 3 * x**3
    val_1_inf = x - 2 / 3
    return mask0_1 * val_0_1 + mask1_inf * val_1_inf


class MaskReLU3(torch.nn.Module):
    """vrelu3_pytorch as a module."""

    def forward(self, x):
        return vrelu3_pytorch(x)
