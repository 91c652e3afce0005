"""A knossos function as torch operators: knossos::NAME (vmap(f)), NAME_vjp and
NAME_vjp2, defined by the glue (glue.cpp) with CPU kernels and autograd formulas, and
here, on torch >= 2.4, with fake kernels (shapes, dtypes and strides without data), so
torch.compile, torch.export and torch.library.opcheck see real custom operators."""

import os
import threading

import torch

from . import _build, _glue

_defined = {}  # op name -> Operators, once per process
_lock = threading.Lock()

HAS_FAKE = hasattr(torch.library, "register_fake")  # torch >= 2.4


class Operators:
    """The three operators of one function (OpOverloads), and the handle the glue gave it."""

    def __init__(self, function):
        self.function = function
        ns = getattr(torch.ops, "knossos")
        self.handle = _glue.glue().define(function.op_name, function.arity, self._resolve)
        self.fwd = getattr(ns, function.op_name).default
        self.vjp = getattr(ns, function.op_name + "_vjp").default
        self.vjp2 = getattr(ns, function.op_name + "_vjp2").default
        if HAS_FAKE:
            _register_fakes(function.op_name, function.arity)

    def _resolve(self, pass_, dtype, mask, wait):
        """Called by the glue when a kernel library is first needed: build it (or find it).
        Not waiting (a kernel specialised for number arguments): start its build, which
        installs it in the glue when done, and return "" unless it is there already."""
        if not wait:
            path = self.function.path(pass_, dtype, mask)
            if os.path.exists(path):
                return path
            self.function.prefetch(pass_, dtype, mask,
                                   then=lambda p: _glue.glue().install(self.handle, pass_, dtype, mask, p))
            return ""
        path = self.function.library(pass_, dtype, mask)
        if pass_ == "fwd":
            self.function.prefetch("vjp", dtype)  # most forwards are followed by a backward
        return path

    def threads_used(self):
        """Bits of the torch threads that ran rows in the last call of any of the ops."""
        return _glue.glue().threads_used(self.handle)

    def mask_used(self):
        """Bits of the inputs that the kernel of the last call of any of the ops was
        specialised for as numbers (0: the general kernel ran)."""
        return _glue.glue().mask_used(self.handle)


def operators(function):
    """The Operators of a _build.Function, defined on first use in this process."""
    with _lock:
        ops = _defined.get(function.op_name)
        if ops is None:
            ops = _defined[function.op_name] = Operators(function)
        return ops


# ---- fake kernels (torch >= 2.4) ---------------------------------------------------------


def loop_dtype(xs):
    """The glue's rule: tensors with dimensions decide, 0-dim ones only when there are no
    others; float64 if any deciding tensor is."""
    deciding = [x for x in xs if x.dim() > 0] or list(xs)
    return torch.float64 if any(x.dtype == torch.float64 for x in deciding) else torch.float32


def _register_fakes(name, arity):
    from torch._prims_common import compute_elementwise_output_strides

    def fwd(*xs):
        dtype = loop_dtype(xs)
        shape = torch.broadcast_shapes(*(x.shape for x in xs))
        expanded = [x.to(dtype).expand(shape) for x in xs]
        return torch.empty_strided(shape, compute_elementwise_output_strides(*expanded), dtype=dtype,
                                   device=xs[0].device)

    def grads(inputs, needed):
        return [torch.empty(x.shape, dtype=x.dtype, device=x.device) for x, n in zip(inputs, needed) if n]

    def vjp(*args):
        *xs, needed = args
        return grads(xs[:arity], needed)

    def vjp2(*args):
        *xs, needed = args
        return grads(xs[:arity + 1], needed)

    for suffix, fake in (("", fwd), ("_vjp", vjp), ("_vjp2", vjp2)):
        torch.library.register_fake(f"knossos::{name}{suffix}")(fake)
