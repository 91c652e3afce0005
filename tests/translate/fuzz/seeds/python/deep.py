def f(x):
    if x > 0:
        if x > 1:
            y = (((x)))
        else:
            y = -x ** -2
    elif 0 < x < 1 and not x == 0.5:
        return x if x else -x
    else:
        y = x // 2 % 3
    return y
