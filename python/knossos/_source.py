"""The Python source knossos.vmap hands to ks-translate: the function, the functions
it calls (translated along with it), and import lines for the modules and library
functions it names (`np`, `F`, `from math import erf`), so the translator resolves
them as Python does. Remembers where each line came from, so a translator error
points at the user's own file and line."""

import ast
import dis
import inspect
import linecache
import math
import numbers
import sys
import textwrap
import types
from dataclasses import dataclass, field

# Modules whose functions ks-translate knows by their qualified names (math.exp,
# torch.sigmoid, torch.nn.functional.gelu, ...). A global bound to one of their
# functions becomes a `from ... import` line, never a helper to translate.
_LIBRARY_MODULES = ("math", "cmath", "numpy", "torch", "torch.nn.functional", "torch.special")


@dataclass
class Chunk:
    """One function's source as placed in the combined file."""

    first_line: int  # 1-based line of the chunk in the combined file
    n_lines: int
    filename: str  # the user's file
    real_first_line: int  # line of the chunk's first line (the `def`) in the user's file
    indent: int  # columns removed by dedenting


@dataclass
class Source:
    """The combined source: import lines, helpers, the exposed function last."""

    text: str
    name: str
    n_args: int
    chunks: list = field(default_factory=list)

    def locate(self, line, col):
        """Maps (line, col) in the combined file to (filename, line, col, source line)."""
        for c in self.chunks:
            if c.first_line <= line < c.first_line + c.n_lines:
                real = c.real_first_line + (line - c.first_line)
                text = linecache.getline(c.filename, real).rstrip("\n") or None
                return c.filename, real, col + c.indent, text
        return "<knossos>", line, col, None


def _is_library(fn):
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in ("math", "cmath", "numpy", "torch")


def unwrap(obj):
    """The Python function behind a @torch.jit.script function (which keeps no source of
    its own); anything else as it is."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(obj, getattr(torch.jit, "ScriptFunction", ())):
        return obj
    original = getattr(obj, "_torchdynamo_inline", None)  # torch 2 keeps it
    if original is None:
        original = _recompiled(obj)  # torch 1.13 does not: compile the def again from its file
    return original if isinstance(original, types.FunctionType) else obj


def _recompiled(script_function):
    """The plain Python function of a @torch.jit.script one, compiled again from the `def`
    in the file of the module that holds it (line numbers kept, so its source is found)."""
    name = script_function.qualified_name.rsplit(".", 1)[-1]
    for module in list(sys.modules.values()):
        if getattr(module, name, None) is not script_function or not getattr(module, "__file__", None):
            continue
        try:
            with open(module.__file__) as f:
                tree = ast.parse(f.read(), module.__file__)
        except (OSError, SyntaxError, ValueError):
            return None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                node.decorator_list = []
                namespace = {}
                exec(compile(ast.Module([node], type_ignores=[]), module.__file__, "exec"), module.__dict__, namespace)
                return namespace[name]
    return None


def _function_of(obj):
    """The user's Python function behind obj (a function, a scripted one or a knossos
    module), or None."""
    obj = unwrap(obj)
    fn = obj if isinstance(obj, types.FunctionType) else getattr(obj, "python_function", None)
    if isinstance(fn, types.FunctionType) and not _is_library(fn):
        return fn
    return None


def _library_import(local, obj):
    """The import line that binds `local` to obj as the user's module does, or None."""
    if isinstance(obj, types.ModuleType):
        name = obj.__name__
        return f"import {name}" if name == local else f"import {name} as {local}"
    if not callable(obj):
        return None
    for module_name in _LIBRARY_MODULES:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        attr = getattr(obj, "__name__", None)
        if attr and getattr(module, attr, None) is obj:
            return _from_import(module_name, attr, local)
        for attr, value in vars(module).items():
            if value is obj and not attr.startswith("_"):
                return _from_import(module_name, attr, local)
    return None


def _from_import(module_name, attr, local):
    return f"from {module_name} import {attr}" + ("" if attr == local else f" as {local}")


def _function_source(fn, local_name):
    """(dedented text from the `def` line on, named local_name; the def's line number in
    its file; the indentation removed)."""
    name = getattr(fn, "__name__", repr(fn))
    if name == "<lambda>":
        raise TypeError("knossos.vmap: lambdas are not supported; define the function with `def`")
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise TypeError(f"knossos.vmap: cannot read the source of {name!r} ({e}); define it with `def` in a file") from None
    text = textwrap.dedent("".join(lines))
    first_text = next((l for l in lines if l.strip()), "")
    indent = len(first_text) - len(first_text.lstrip())
    try:
        node = ast.parse(text).body[0]
        def_line = node.lineno  # the `def`, after any decorators
    except (SyntaxError, IndexError, AttributeError):
        def_line = 1  # the translator will say what is wrong with it
    body = text.splitlines()[def_line - 1:]
    if local_name != name and body:
        # Called under another name (`from helpers import damp as d`): the def takes
        # the caller's name; only this line's columns shift.
        body[0] = body[0].replace(f"def {name}", f"def {local_name}", 1)
    return "\n".join(body) + "\n", first + def_line - 1, indent


def _globals_used(fn):
    return [ins.argval for ins in dis.get_instructions(fn.__code__) if ins.opname == "LOAD_GLOBAL"]


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def collect(fn):
    """The combined source for fn: imports and the module-level numbers its functions
    use (by value), then the helpers it calls (dependencies first), then fn itself."""
    fn = unwrap(fn)
    imports = []
    constants = {}
    order = []  # (function, name it is called by)
    seen = {}

    def visit(f, local):
        if seen.get(local, f) is not f:
            raise TypeError(
                f"knossos.vmap: two different functions are called {local!r} ({_where(seen[local])} and "
                f"{_where(f)}); rename one"
            )
        if local in seen:
            return
        seen[local] = f
        for name in _globals_used(f):
            if name == f.__name__:
                continue  # recursion: the translator says it is not supported
            value = f.__globals__.get(name)
            if _number(value):
                if constants.setdefault(name, value) != value:
                    raise TypeError(f"knossos.vmap: two module-level numbers are called {name!r} ({constants[name]!r} "
                                    f"and {value!r}, in {_where(f)}); rename one")
                continue
            helper = _function_of(value)
            if helper is not None:
                visit(helper, name)
                continue
            line = _library_import(name, value) if value is not None else None
            if line and line not in imports:
                imports.append(line)
        order.append((f, local))

    visit(fn, fn.__name__)
    lines = imports + [f"{name} = {value!r}" for name, value in constants.items()]
    text = "".join(line + "\n" for line in lines) + ("\n" if lines else "")
    line = text.count("\n") + 1
    chunks = []
    for f, local in order:
        body, real_first, indent = _function_source(f, local)
        n = body.count("\n")
        chunks.append(Chunk(line, n, inspect.getsourcefile(f) or "<unknown>", real_first, indent))
        text += body + "\n"
        line += n + 1
    n_args = fn.__code__.co_argcount + fn.__code__.co_kwonlyargcount
    return Source(text=text, name=fn.__name__, n_args=n_args, chunks=chunks)


def _where(f):
    try:
        return f"{inspect.getsourcefile(f)}:{inspect.getsourcelines(f)[1]}"
    except (OSError, TypeError):
        return repr(f)
