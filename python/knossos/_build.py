"""Translate and build: ks-translate (found, or built once from the repository), the
header it writes, and the CPU extension compiled with torch.utils.cpp_extension.

The extension is cached under a hash of what determines the machine code: the
translated C++ (so comments, docstrings and formatting of the Python do not matter,
and two spellings of one function share a build), the knossos headers, the compiler,
the flags (with the CPU when they say -march=native), and the torch and Python
versions."""

import contextlib
import fcntl
import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import torch

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_REPO_DIR = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", ".."))
INCLUDE_DIR = os.path.join(_REPO_DIR, "include")
TRANSLATE_DIR = os.path.join(_REPO_DIR, "tools", "translate")

DEFAULT_FLAGS = ("-O3", "-march=native", "-std=c++20")


class TranslateError(SyntaxError):
    """ks-translate refused the function; filename/lineno/offset/text point into the user's file."""


class BuildError(RuntimeError):
    """The C++ extension (or the translator itself) could not be built."""


def cache_dir():
    """Where builds are kept: $KNOSSOS_CACHE, else $XDG_CACHE_HOME/knossos, else ~/.cache/knossos."""
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    d = os.environ.get("KNOSSOS_CACHE") or os.path.join(xdg, "knossos")
    os.makedirs(d, exist_ok=True)
    return d


def clear_cache():
    """Deletes every cached build (the translator and all extensions). Extensions already
    loaded in running processes keep working; the next knossos.vmap rebuilds."""
    shutil.rmtree(cache_dir(), ignore_errors=True)


def _hash(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def _files_hash(paths, root):
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(os.path.relpath(p, root).encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    return h.hexdigest()


def _tree(directory, patterns=("*",)):
    out = []
    for pattern in patterns:
        out += [p for p in glob.glob(os.path.join(directory, "**", pattern), recursive=True) if os.path.isfile(p)]
    return sorted(set(out))


@contextlib.contextmanager
def _locked(path):
    """An exclusive lock file, so parallel processes (DDP workers) build once."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _run(cmd, what, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise BuildError(f"knossos: {what} failed ({' '.join(cmd)}):\n{(r.stdout + r.stderr)[-6000:]}")
    return r


# ---- the translator ----------------------------------------------------------------------


def translator():
    """The ks-translate executable: $KNOSSOS_TRANSLATE if set; else, in a source
    checkout, the repository's tools/translate built once with CMake into the cache;
    else `ks-translate` on PATH."""
    env = os.environ.get("KNOSSOS_TRANSLATE")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise BuildError(f"knossos: $KNOSSOS_TRANSLATE is {env!r}, which is not an executable file")
        return env
    if os.path.isfile(os.path.join(TRANSLATE_DIR, "CMakeLists.txt")):
        return _translator_from_source()
    exe = shutil.which("ks-translate")
    if exe:
        return exe
    raise BuildError("knossos: no ks-translate: set $KNOSSOS_TRANSLATE, or use knossos from its source tree")


def _translator_from_source():
    inputs = _tree(TRANSLATE_DIR) + _tree(os.path.join(_REPO_DIR, "cmake"))
    inputs.append(os.path.join(_REPO_DIR, "CMakeLists.txt"))
    key = _files_hash(inputs, _REPO_DIR)[:16]
    out_dir = os.path.join(cache_dir(), "translate", key)
    exe = os.path.join(out_dir, "ks-translate")
    if os.path.exists(exe):
        return exe
    with _locked(out_dir + ".lock"):
        if os.path.exists(exe):
            return exe
        cmake = shutil.which("cmake")
        if not cmake:
            raise BuildError("knossos: building ks-translate needs cmake (apt-get install cmake)")
        build_dir = os.path.join(out_dir, "build")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        options = ["-DCMAKE_BUILD_TYPE=Release", "-DKNOSSOS_BUILD_TOOLS=ON"] + [
            f"-DKNOSSOS_{x}=OFF" for x in ("BUILD_TESTS", "BUILD_EXAMPLES", "BUILD_BENCHMARKS", "INSTALL")
        ]
        _run([cmake, "-S", _REPO_DIR, "-B", build_dir, *generator, *options], "configuring ks-translate")
        _run([cmake, "--build", build_dir, "--target", "ks-translate", "--parallel", str(os.cpu_count() or 1)],
             "building ks-translate")
        built = [p for p in _tree(build_dir, ("ks-translate",)) if os.access(p, os.X_OK)]
        if not built:
            raise BuildError(f"knossos: building ks-translate produced no executable under {build_dir}")
        shutil.copy2(built[0], exe + ".tmp")
        os.replace(exe + ".tmp", exe)
        shutil.rmtree(build_dir, ignore_errors=True)
    return exe


_ERROR_RE = re.compile(r"^(.*?):(\d+):(\d+): error: (.*)$", re.M)


def translate(source):
    """The header ks-translate writes for source (a _source.Source). A refusal raises
    TranslateError located in the user's file."""
    exe = translator()
    with tempfile.TemporaryDirectory(prefix="translate-", dir=cache_dir()) as tmp:
        py_path = os.path.join(tmp, f"{source.name}.py")
        hpp_path = os.path.join(tmp, f"{source.name}.hpp")
        with open(py_path, "w") as f:
            f.write(source.text)
        r = subprocess.run([exe, py_path, "-o", hpp_path, "--namespace", "user", "--lang", "python"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            with open(hpp_path) as f:
                return f.read()
    m = _ERROR_RE.search(r.stderr)
    if not m:
        raise TranslateError(f"ks-translate failed on {source.name}: {(r.stdout + r.stderr).strip()}")
    line, col, msg = int(m.group(2)), int(m.group(3)), m.group(4)
    filename, real_line, real_col, text = source.locate(line, col)
    raise TranslateError(msg, (filename, real_line, real_col, text))


_LAMBDA_RE = re.compile(r"^inline\s+constexpr\s+auto\s+(\w+)\s*=\s*\[\]\s*\(([^)]*)\)", re.M)


def exposed_lambda(header):
    """(C++ name, arity) of the last function in a generated header: the exposed one,
    since helpers come first."""
    found = _LAMBDA_RE.findall(header)
    if not found:
        raise BuildError("knossos: ks-translate wrote no function")
    name, params = found[-1]
    return name, len([p for p in params.split(",") if p.strip()])


def _code_of(header):
    """The header without its comments (which name the temporary file and lines)."""
    return "\n".join(l for l in header.splitlines() if not l.lstrip().startswith("//"))


# ---- the extension -----------------------------------------------------------------------

_EXT_TEMPLATE = """\
// Generated by knossos.vmap (python/knossos/_build.py) for {function}.
#include <knossos/torch.hpp>
#include <torch/library.h>

#include "function.hpp"

namespace {{

// user::{name} under a name of its own, which autograd shows: grad_fn=<...{name}...>.
struct {name} {{
  template <class... A>
  constexpr auto operator()(A... a) const {{
    return user::{name}(a...);
  }}
}};

// vmap({name}) with autograd: backward vmap(vjp({name})), both in C++.
at::Tensor call({params}) {{
  return ks::torch_glue::vmap_autograd<{arity}>({name}{{}}, {{{args}}});
}}

}}  // namespace

TORCH_LIBRARY({lib}, m) {{
  m.def("call", &call);
}}
"""


def extension_source(function, name, arity, lib):
    """The C++ of the extension for the translated function `name` of `arity` arguments."""
    params = ", ".join(f"at::Tensor const& x{i}" for i in range(arity))
    args = ", ".join(f"x{i}" for i in range(arity))
    return _EXT_TEMPLATE.format(function=function, name=name, arity=arity, lib=lib, params=params, args=args)


def _compiler():
    return os.environ.get("CXX", "c++")  # what torch.utils.cpp_extension runs


@functools.lru_cache(maxsize=None)
def _toolchain_id(flags):
    """The compiler's identity, and the CPU's when the flags tune for it: a cache shared
    between machines (an NFS home) must not hand out code built for another CPU."""
    try:
        version = subprocess.run([_compiler(), "--version"], capture_output=True, text=True).stdout
    except OSError:
        version = "no compiler"
    cpu = ""
    if any("native" in f for f in flags):
        try:
            with open("/proc/cpuinfo") as f:
                info = f.read().split("\n\n")[0]
            cpu = "\n".join(l for l in info.splitlines() if l.startswith(("model name", "flags", "vendor_id")))
        except OSError:
            cpu = os.uname().machine
    return _hash(version, cpu)


def _headers_hash():
    return _files_hash(_tree(os.path.join(INCLUDE_DIR, "knossos"), ("*.hpp",)), INCLUDE_DIR)


def extension_key(header, flags):
    """The cache key of the extension for a translated header built with flags."""
    return _hash("knossos-ext-3", _EXT_TEMPLATE, _code_of(header), tuple(flags), _toolchain_id(tuple(flags)),
                 _headers_hash(), torch.__version__, sys.version_info[:2])[:20]


class Built:
    """A compiled extension: its library file, torch.ops namespace and arity."""

    def __init__(self, library, lib, arity, built_now):
        self.library, self.lib, self.arity, self.built_now = library, lib, arity, built_now


def build(source, flags=DEFAULT_FLAGS, verbose=False):
    """Translates source (a _source.Source) and compiles its extension, unless the cache
    has it. Returns a Built."""
    header = translate(source)
    cxx_name, arity = exposed_lambda(header)
    if arity != source.n_args:
        raise BuildError(f"knossos: ks-translate gave {source.name} {arity} arguments, Python says {source.n_args}")
    if arity == 0:
        raise TypeError(f"knossos.vmap: {source.name} takes no arguments; it needs at least one")
    flags = tuple(flags)
    key = extension_key(header, flags)
    lib = f"knossos_{key}"
    ext_dir = os.path.join(cache_dir(), "ext", key)
    done = os.path.join(ext_dir, "done.json")

    def cached():
        if not os.path.exists(done):
            return None
        with open(done) as f:
            library = json.load(f)["library"]
        return Built(library, lib, arity, False) if os.path.exists(library) else None

    found = cached()
    if found:
        return found
    with _locked(ext_dir + ".lock"):
        found = cached()  # another process may have built it while we waited
        if found:
            return found
        os.makedirs(ext_dir, exist_ok=True)
        with open(os.path.join(ext_dir, "function.py"), "w") as f:
            f.write(source.text)
        with open(os.path.join(ext_dir, "function.hpp"), "w") as f:
            f.write(header)
        cpp_path = os.path.join(ext_dir, "extension.cpp")
        with open(cpp_path, "w") as f:
            f.write(extension_source(source.name, cxx_name, arity, lib))
        build_dir = os.path.join(ext_dir, "build")
        os.makedirs(build_dir, exist_ok=True)
        from torch.utils import cpp_extension

        try:
            cpp_extension.load(
                name=lib,
                sources=[cpp_path],
                extra_cflags=list(flags),
                extra_include_paths=[INCLUDE_DIR, ext_dir],
                build_directory=build_dir,
                is_python_module=False,
                verbose=verbose,
            )
        except (RuntimeError, subprocess.CalledProcessError) as e:
            raise BuildError(f"knossos: compiling the extension for {source.name} failed: {e}") from None
        library = os.path.join(build_dir, f"{lib}.so")
        with open(done + ".tmp", "w") as f:
            json.dump({"library": library, "function": source.name, "flags": flags}, f)
        os.replace(done + ".tmp", done)
        return Built(library, lib, arity, True)
