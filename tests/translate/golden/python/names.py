# Names that are C++ keywords or knossos' own must not break the C++ we emit.
# A comment that ends a C comment */ or includes #include <cstdio> \
import math


def select(int, ks, std, new):
    """A docstring with */ and #include "x.h" and a trailing backslash \\"""
    double = int + ks * std
    NAN = new - 1.0
    auto = double if double > NAN else NAN
    return auto


def double(x):
    return select(x, 1.0, 2.0, 3.0)


def __private(_x, x__y):
    return _x + x__y
