def division(x):
    # Python: / is true division even between ints; // floors; % takes the divisor's sign
    return 7 / 2 + 7 // 2 + -7 // 2 + -7 % 3 + x / 2 + x // 2 + x % 3


def powers(x):
    # -x**2 is -(x**2); ** is right-associative; 2**-1 is 0.5
    return -x ** 2 + 2 ** 3 ** 2 + 2 ** -1 + x ** 0.5 + x ** -2 + x ** 2.0


def literals(x):
    return x * 1_000 + 0x10 + 0o17 + 0b101 + 1e-3 + 1.5e2 + .5 + 1. + 1e999


def augmented(x):
    y = x
    y += 1
    y -= 2
    y *= 3
    y /= 4
    y **= 2
    y //= 1
    y %= 5
    return y
