import torch


def both_branches(x):
    # an if that assigns in both branches
    if x > 0:
        y = x * 2
    else:
        y = -x
    return y + 1


def early(x, y):
    if x < -1.0:
        return -1.0
    if y > x:
        return y - x
    z = x * y
    if z > 10:
        z = 10.0
    return z


def chained(x):
    if 0 < x <= 1:
        return x
    return 0.0 if -1 < x < 0 else x * x


def huber(x, delta: float = 1.0):
    a = abs(x)
    if a <= delta:
        return 0.5 * x ** 2
    else:
        return delta * (a - 0.5 * delta)


def uses_default(x):
    return huber(x) + huber(x, delta=2.0) + huber(x, 0.5)


def conditions(x):
    if not (x > 0 and x < 1) or x == 2:
        return 1.0
    return 2.0
