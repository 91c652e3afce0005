import torch.nn.functional as F
C = 2.0
def g(x, b=1.0):
    return F.softplus(x, beta=b, threshold=10.0) + x.clamp(min=0) + max(x, C, 1)
def f(x):
    return g(x) + g(x, b=3)
