#!/usr/bin/python3
"""Reference values and derivatives of the activation and math functions, from PyTorch.

Every case below is evaluated by torch (torch.nn.functional / torch.*) in float64 at its
points, which lie on both sides of every kink and exactly at it. First derivatives come
from torch.autograd.grad; second derivatives from differentiating those again
(create_graph=True); a derivative autograd leaves undefined (no graph: a piecewise-constant
first derivative) is 0. The output is the header tests/reference/torch_functions.hpp,
which tests/unit-activations.cpp reads; both are checked in, so building the tests needs no
torch. Regenerate after changing this file:

    /usr/bin/python3 tests/reference/torch_functions.py tests/reference/torch_functions.hpp

(Debian's python3 with python3-torch, not a pyenv python.)
"""
import math
import sys

import torch
import torch.nn.functional as F

# Points shared by the one-argument activations; each case adds its own kinks.
COMMON = [-30.0, -10.0, -3.5, -2.25, -1.0, -0.75, -0.25, -1e-3, 0.0, 1e-3, 0.25, 0.75, 1.0, 2.25, 3.5, 10.0, 30.0]


def around(*kinks, eps=1e-3):
    pts = []
    for k in kinks:
        pts += [k - eps, k, k + eps]
    return pts


# name, torch function of x (or x, y), points. The name is what the C++ test looks up.
UNARY = [
    ("relu", F.relu, around(0.0)),
    ("relu6", F.relu6, around(0.0, 6.0) + [7.0]),
    ("leaky_relu", F.leaky_relu, around(0.0)),
    ("leaky_relu(x,0.2)", lambda x: F.leaky_relu(x, 0.2), around(0.0)),
    ("elu", F.elu, around(0.0)),
    ("elu(x,1.5)", lambda x: F.elu(x, 1.5), around(0.0)),
    ("selu", F.selu, around(0.0)),
    ("celu", F.celu, around(0.0)),
    ("celu(x,2)", lambda x: F.celu(x, 2.0), around(0.0)),
    ("gelu", F.gelu, []),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), []),
    ("silu", F.silu, []),
    ("mish", F.mish, []),
    ("softsign", F.softsign, around(0.0)),
    ("hardtanh", F.hardtanh, around(-1.0, 1.0)),
    ("hardtanh(x,-2,3)", lambda x: F.hardtanh(x, -2.0, 3.0), around(-2.0, 3.0)),
    ("hardsigmoid", F.hardsigmoid, around(-3.0, 3.0)),
    ("hardswish", F.hardswish, around(-3.0, 3.0)),
    ("logsigmoid", F.logsigmoid, [-50.0, 50.0]),
    ("softshrink", F.softshrink, around(-0.5, 0.5)),
    ("softshrink(x,1)", lambda x: F.softshrink(x, 1.0), around(-1.0, 1.0)),
    ("hardshrink", F.hardshrink, around(-0.5, 0.5)),
    ("hardshrink(x,1)", lambda x: F.hardshrink(x, 1.0), around(-1.0, 1.0)),
    ("tanhshrink", F.tanhshrink, []),
]

BINARY = [
    ("xlogy", torch.xlogy,
     [(0.0, 0.0), (0.0, 2.0), (0.0, 0.5), (1.5, 0.0), (1.5, 2.0), (-0.75, 0.25), (2.0, 1.0), (1e-3, 3.0)]),
    ("logaddexp", torch.logaddexp,
     [(0.0, 0.0), (1.0, 1.0), (-2.0, -2.0), (1.0, 2.0), (2.0, 1.0), (-30.0, 5.0), (5.0, -30.0), (-800.0, -801.0),
      (700.0, 700.5), (1e-3, -1e-3)]),
]

# Item 3 of issue 13: math functions with torch's conventions.
MATH_UNARY = [
    ("log2", torch.log2, [1e-3, 0.25, 0.5, 1.0, 2.0, 3.0, 1024.0, 1e10]),
    ("log10", torch.log10, [1e-3, 0.25, 0.5, 1.0, 2.0, 10.0, 1e10]),
    ("exp2", torch.exp2, [-30.0, -2.5, -1.0, 0.0, 0.5, 1.0, 3.0, 30.0]),
    ("asinh", torch.asinh, [-30.0, -2.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 2.0, 30.0, 1e10]),
    ("acosh", torch.acosh, [1.0, 1.001, 1.5, 2.0, 10.0, 1e10]),
    ("atanh", torch.atanh, [-0.999, -0.5, -1e-3, 0.0, 1e-3, 0.5, 0.999, 1.0, -1.0]),
    ("logit", torch.logit, [0.0, 1e-3, 0.25, 0.5, 0.75, 0.999, 1.0]),
    ("sinc", torch.sinc, [-2.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.25, 0.5, 1.0, 2.0, 3.5]),
    ("clamp_min(x,0.5)", lambda x: torch.clamp_min(x, 0.5), around(0.5) + [-2.0, 2.0]),
    ("clamp_max(x,0.5)", lambda x: torch.clamp_max(x, 0.5), around(0.5) + [-2.0, 2.0]),
]

MATH_BINARY = [
    ("copysign", torch.copysign,
     [(1.5, 2.0), (1.5, -2.0), (-1.5, 2.0), (-1.5, -2.0), (0.0, 1.0), (0.0, -1.0), (2.0, 0.0), (-2.0, 0.0)]),
    ("lerp(x,y,0.25)", lambda x, y: torch.lerp(x, y, 0.25), [(0.0, 1.0), (1.0, 0.0), (-2.0, 3.0), (5.0, 5.0)]),
    ("lerp(x,y,0.75)", lambda x, y: torch.lerp(x, y, 0.75), [(0.0, 1.0), (1.0, 0.0), (-2.0, 3.0), (5.0, 5.0)]),
]


def number(v):
    if math.isnan(v):
        return "nan_v"
    if math.isinf(v):
        return "-inf_v" if v < 0 else "inf_v"
    return v.hex()


def derivative(y, x):
    """dy/dx by autograd, 0 where autograd has no graph."""
    if not y.requires_grad:
        return torch.zeros((), dtype=torch.float64)
    (g,) = torch.autograd.grad(y, x, create_graph=True, allow_unused=True)
    return torch.zeros((), dtype=torch.float64) if g is None else g


def second(first, x):
    """The second derivatives, or None where torch does not implement them."""
    try:
        return [derivative(first, v).item() for v in x]
    except RuntimeError:  # e.g. "derivative for aten::hardsigmoid_backward is not implemented"
        return None


def row(name, args, value, firsts, seconds):
    defined = seconds is not None
    vals = [value] + firsts + (seconds if defined else [0.0] * 3)
    cells = [f'"{name}"'] + [number(a) for a in args] + [number(v) for v in vals] + ["true" if defined else "false"]
    return "    {" + ", ".join(cells) + "},"


def unary_row(name, f, x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(x)
    d = derivative(y, x)
    dd = second(d, [x])
    return row(name, [x0, 0.0], y.item(), [d.item(), 0.0], None if dd is None else [dd[0], 0.0, 0.0])


def binary_row(name, f, x0, y0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    yv = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    r = f(x, yv)
    dx = derivative(r, x)
    dy = derivative(r, yv)
    hx = second(dx, [x, yv])
    hy = second(dy, [yv])
    seconds = None if hx is None or hy is None else hx + hy
    return row(name, [x0, y0], r.item(), [dx.item(), dy.item()], seconds)


def table(cname, unary, binary):
    lines = [f"inline constexpr torch_reference {cname}[] = {{"]
    for name, f, pts in unary:
        for x0 in sorted(set(COMMON + pts)) + [math.nan] if unary is UNARY else pts:
            lines.append(unary_row(name, f, x0))
    for name, f, pts in binary:
        for x0, y0 in pts:
            lines.append(binary_row(name, f, x0, y0))
    lines.append("};")
    return "\n".join(lines)


def main():
    out = sys.argv[1]
    text = f"""// Generated by tests/reference/torch_functions.py with torch {torch.__version__}
// (PyTorch autograd in float64). Do not edit: change the script and run it again.
#pragma once

#include <limits>

namespace torch_ref {{

inline constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf_v = std::numeric_limits<double>::infinity();

// f(x) or f(x, y): value, df/dx, df/dy, d2f/dx2, d2f/dxdy, d2f/dy2 (y terms 0 for f(x));
// second: whether torch implements the second derivatives (not for hardsigmoid).
struct torch_reference {{
  char const* name;
  double x, y;
  double value, dx, dy, dxx, dxy, dyy;
  bool second;
}};

{table("activations", UNARY, BINARY)}

{table("math_functions", MATH_UNARY, MATH_BINARY)}

}}  // namespace torch_ref
"""
    with open(out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
