"""The nn.Module a knossos.vmap call returns: forward is the operator knossos::NAME
(vmap(f)), whose autograd formula is NAME_vjp (vmap(vjp(f))), whose own is NAME_vjp2;
all run in C++ (glue.cpp), none in Python."""

import importlib
import importlib.util
import inspect
import numbers
import os
import sys

import torch
import torch.fx
from torch import nn

from . import _build, _ops, _source

_FLOAT_TYPES = (torch.float32, torch.float64)


def _check_args(name, arity, args):
    """A TypeError for anything the kernels cannot take; else the dtype Python numbers
    take (_number_dtype). Meta tensors (shapes without data) are taken where the operators have fake kernels."""
    if len(args) != arity:
        raise TypeError(f"{name}() takes {arity} argument{'s' if arity != 1 else ''} but {len(args)} "
                        f"{'was' if len(args) == 1 else 'were'} given")
    tensor = False
    for i, a in enumerate(args):
        if isinstance(a, torch.Tensor):
            if a.device.type != "cpu" and not (a.device.type == "meta" and _ops.HAS_FAKE):
                raise TypeError(f"knossos: argument {i + 1} of {name} is on device '{a.device}'; knossos kernels "
                                "run on CPU tensors only (move it with .cpu())")
            if a.layout != torch.strided:
                raise TypeError(f"knossos: argument {i + 1} of {name} has layout {a.layout}; knossos kernels take "
                                "dense tensors (convert with .to_dense())")
            names = getattr(a, "names", ())
            if any(n is not None for n in names):
                raise TypeError(f"knossos: argument {i + 1} of {name} has named dimensions {names}; knossos kernels "
                                "take unnamed tensors (drop the names with .rename(None))")
            if a.dtype not in _FLOAT_TYPES:
                raise TypeError(f"knossos: argument {i + 1} of {name} has dtype {a.dtype}; knossos kernels take "
                                "torch.float32 or torch.float64 tensors (convert with .float() or .double())")
            tensor = True
        elif not (isinstance(a, numbers.Real) and not isinstance(a, bool)):
            raise TypeError(f"knossos: argument {i + 1} of {name} is a {type(a).__name__}; pass tensors or numbers")
    if not tensor:
        raise TypeError(f"knossos: {name} needs at least one tensor argument")
    return _number_dtype(args)


def _number_dtype(args):
    """The dtype Python numbers among args take, so that they never promote the result:
    torch's promotion, where tensors with dimensions decide over 0-dim ones."""
    zero_dim64 = False
    dims = False
    for a in args:
        if isinstance(a, torch.Tensor):
            if a.dim() > 0:
                if a.dtype is torch.float64:
                    return torch.float64
                dims = True
            elif a.dtype is torch.float64:
                zero_dim64 = True
    return torch.float64 if zero_dim64 and not dims else torch.float32


def _plain(args):
    """Tensors (not subclasses) and Python floats and ints, at least one tensor: the
    common call, which needs no checks before the kernel's own."""
    tensor = False
    for a in args:
        kind = type(a)
        if kind is torch.Tensor:
            tensor = True
        elif kind is not float and kind is not int:
            return False
    return tensor


def _compiling():
    compiler = getattr(torch, "compiler", None)
    return bool(compiler and hasattr(compiler, "is_compiling") and compiler.is_compiling())


def _importable(fn):
    """Whether pickle can store fn by reference (module and qualified name)."""
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    if module is None or getattr(fn, "__module__", None) == "__main__":
        return False
    obj = module
    for part in getattr(fn, "__qualname__", "<locals>").split("."):
        obj = getattr(obj, part, None)
    return obj is fn


class VMap(nn.Module):
    """knossos.vmap(fn) as a module: fn's compiled elementwise kernel and its backward.

    Arguments are tensors (float32/float64, CPU, any shape and strides) or Python
    numbers, broadcast together by torch's rules; the result's dtype follows torch's
    type promotion, and Python numbers never promote it.
    """

    def __init__(self, fn, flags=None, verbose=False):
        super().__init__()
        fn = _source.unwrap(fn)
        if not callable(fn) or not hasattr(fn, "__code__"):
            raise TypeError(f"knossos.vmap: expected a Python function, got {type(fn).__name__}")
        # Python's own calling rules: defaults, keywords, keyword-only parameters.
        self.signature = inspect.signature(fn)
        self._python_function = fn
        self._function_ref = None
        self.function_name = fn.__name__
        self.flags = tuple(flags) if flags is not None else tuple(_build.DEFAULT_FLAGS)
        self.verbose = verbose
        self.source = _source.collect(fn)
        self._ops = None
        self._numbers = {}  # (value, dtype) -> the 0-dim tensor passed for a Python number
        self._load()
        self.__doc__ = fn.__doc__

    def _load(self):
        function = _build.Function.translate(self.source, self.flags, self.verbose)
        self.arity = function.arity
        self.op_name = function.op_name
        self._ops = _ops.operators(function)

    @property
    def operator(self):
        """The forward operator, torch.ops.knossos.NAME.default."""
        if self._ops is None:
            self._load()
        return self._ops.fwd

    @property
    def built(self):
        """True when this process compiled one of the function's kernel libraries."""
        return bool(self._ops and self._ops.function.timings)

    def forward(self, *args, **kwargs):
        """vmap(fn) over the arguments, differentiable twice: the backward is vmap(vjp(fn)).
        Arguments bind as they would to fn (defaults, keywords)."""
        if self._ops is not None and not kwargs and len(args) == self.arity and _plain(args):
            return self._call(args, None)  # the common call, kept short
        if self._ops is None:  # unpickled: find the kernels in the cache (or rebuild them)
            self._load()
        if kwargs or len(args) != self.arity:
            try:
                bound = self.signature.bind(*args, **kwargs)
            except TypeError as e:
                raise TypeError(f"{self.function_name}(): {e}") from None
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        if any(isinstance(a, torch.fx.Proxy) for a in args):  # torch.fx.symbolic_trace: record the operator
            return self._ops.fwd(*[a if isinstance(a, (torch.Tensor, torch.fx.Proxy)) else
                                   torch.tensor(float(a), dtype=torch.float64) for a in args])
        return self._call(args, None if _plain(args) else _check_args(self.function_name, self.arity, args))

    def _call(self, args, dtype):
        """The operator on arity arguments: tensors, and Python numbers as 0-dim tensors of
        `dtype` (the result's, so that they never promote it; None: work it out). The
        kernel checks the tensors itself; when it refuses them, _check_args says why if it
        can."""
        try:
            if dtype is None and all(type(a) is torch.Tensor for a in args):
                return self._ops.fwd(*args)
            dtype = dtype or _number_dtype(args)
            return self._ops.fwd(*[a if isinstance(a, torch.Tensor) else self._number(a, dtype) for a in args])
        except (TypeError, RuntimeError):
            _check_args(self.function_name, self.arity, args)  # raises with a clearer message, if it can
            raise

    def _number(self, value, dtype):
        if _compiling():  # traced by torch.compile: a constant of the graph, no cache
            return torch.tensor(float(value), dtype=dtype)
        key = (float(value).hex(), dtype)  # hex: -0.0 and 0.0 are two values
        t = self._numbers.get(key)
        if t is None:
            if len(self._numbers) >= 64:
                self._numbers.clear()
            t = self._numbers[key] = torch.tensor(float(value), dtype=dtype)
        return t

    def __prepare_scriptable__(self):
        """What torch.jit.script compiles in this module's place: a module with fn's own
        signature (tensors; parameters with number defaults are floats) that calls the
        operator, written into the cache folder so TorchScript can read its source."""
        if self._ops is None:
            self._load()
        return _scriptable_class(self._ops.function, self.signature)()

    def extra_repr(self):
        return f"{self.function_name}, arity={getattr(self, 'arity', '?')}"

    # Pickling (torch.save of a model, DDP spawning, deepcopy) keeps the source, not the
    # function or the loaded operators: they are found again in the cache (or rebuilt)
    # in whichever process unpickles it.
    @property
    def python_function(self):
        """fn itself; after unpickling, fn imported by its module and name (None if the
        unpickling process cannot import it)."""
        if self._python_function is None and self._function_ref is not None:
            module, qualname = self._function_ref
            try:
                obj = importlib.import_module(module)
                for part in qualname.split("."):
                    obj = getattr(obj, part)
                self._python_function = obj
            except (ImportError, AttributeError):
                return None
        return self._python_function

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_ops"] = None
        state["_numbers"] = {}
        fn = state["_python_function"]
        if fn is not None:  # by name, resolved on use: the loading process may not have fn's module
            state["_function_ref"] = (fn.__module__, fn.__qualname__) if _importable(fn) else None
            state["_python_function"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


_SCRIPTABLE = """\
# Generated by knossos (python/knossos/_module.py): {name} for torch.jit.script.
import torch


class Scripted{op}(torch.nn.Module):
    def forward(self, {params}) -> torch.Tensor:
        return torch.ops.knossos.{op}({args})
"""


def _scriptable_class(function, signature):
    params, args = [], []
    for p in signature.parameters.values():
        if isinstance(p.default, numbers.Real) and not isinstance(p.default, bool):
            params.append(f"{p.name}: float = {float(p.default)!r}")
            args.append(f"torch.full([], {p.name}, dtype=torch.float64)")
        else:
            params.append(f"{p.name}: torch.Tensor")
            args.append(p.name)
    text = _SCRIPTABLE.format(name=function.name, op=function.op_name, params=", ".join(params), args=", ".join(args))
    path = os.path.join(function.dir, f"scripted_{_build._hash(text)[:12]}.py")
    if not os.path.exists(path):
        with open(path + f".{os.getpid()}.tmp", "w") as f:
            f.write(text)
        os.replace(path + f".{os.getpid()}.tmp", path)
    name = f"knossos_scripted_{function.op_name}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # TorchScript resolves the class's globals through its module
        spec.loader.exec_module(module)
    return getattr(module, f"Scripted{function.op_name}")
