"""Translate and build: ks-translate (installed with the package, found, or built once
from the repository), the header it writes, and the kernel libraries of a function:
one small shared library per pass (forward, vjp, double backward) and dtype, compiled
against knossos alone, when it is first needed. torch's headers are compiled only into
the glue (_glue.py), once per torch version.

A function's kernels are cached under a hash of what determines their machine code:
the translated C++ (so comments, docstrings and formatting of the Python do not
matter, and two spellings of one function share a build), the knossos headers, the
compiler, the flags (with the CPU when they say -march=native)."""

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
import threading
import time

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_REPO_DIR = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", ".."))
# An installed package carries the headers and ks-translate (pip install builds it);
# in a source checkout they are the repository's.
_INSTALLED = os.path.isdir(os.path.join(_PACKAGE_DIR, "include", "knossos"))
INCLUDE_DIR = os.path.join(_PACKAGE_DIR, "include") if _INSTALLED else os.path.join(_REPO_DIR, "include")
TRANSLATE_DIR = os.path.join(_REPO_DIR, "tools", "translate")

DEFAULT_FLAGS = ("-O3", "-march=native", "-std=c++20")


class TranslateError(SyntaxError):
    """ks-translate refused the function; filename/lineno/offset/text point into the user's file."""


class BuildError(RuntimeError):
    """A kernel library, the glue extension or the translator itself could not be built."""


def cache_dir():
    """Where builds are kept: $KNOSSOS_CACHE, else $XDG_CACHE_HOME/knossos, else ~/.cache/knossos."""
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    d = os.environ.get("KNOSSOS_CACHE") or os.path.join(xdg, "knossos")
    os.makedirs(d, exist_ok=True)
    return d


def clear_cache():
    """Deletes every cached build (translator, glue, kernels). Kernels already loaded in
    running processes keep working; the next call that needs one rebuilds it."""
    shutil.rmtree(cache_dir(), ignore_errors=True)
    _failures.clear()


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


def first_error(output, context=12):
    """The compiler's first error with the lines that explain it (a whole build log is
    pages of notes about templates)."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if re.search(r"\berror\b", line):
            start = i
            while start > 0 and re.match(r"^(In file included|\s+from |.*: In instantiation of|.*: required from)",
                                         lines[start - 1]):
                start -= 1
            start = max(start, i - 4)
            return "\n".join(lines[start:i + context])
    return "\n".join(lines[-context:])


def _run(cmd, what, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise BuildError(f"knossos: {what} failed ({' '.join(cmd)}):\n{first_error(r.stdout + r.stderr)}")
    return r


# ---- the translator ----------------------------------------------------------------------


def translator():
    """The ks-translate executable: $KNOSSOS_TRANSLATE if set; the one installed with the
    package; in a source checkout, the repository's tools/translate built once with
    CMake into the cache; else `ks-translate` on PATH."""
    env = os.environ.get("KNOSSOS_TRANSLATE")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise BuildError(f"knossos: $KNOSSOS_TRANSLATE is {env!r}, which is not an executable file")
        return env
    installed = os.path.join(_PACKAGE_DIR, "bin", "ks-translate")
    if os.access(installed, os.X_OK):
        return installed
    if os.path.isfile(os.path.join(TRANSLATE_DIR, "CMakeLists.txt")):
        return _translator_from_source()
    exe = shutil.which("ks-translate")
    if exe:
        return exe
    raise BuildError("knossos: no ks-translate: install the package with pip, or set $KNOSSOS_TRANSLATE")


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
        _say("knossos: building ks-translate (once) ...")
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


# ---- kernel libraries --------------------------------------------------------------------

# One library per pass and dtype: its row kernels (ks::row_kernel), in the order of the
# glue's variants (glue.cpp): fwd vmap(f); vjp every gradient, then the first argument's
# only; vjp2 vmap(vjp(vjp(f))) for double backward.
_KERNEL_TEMPLATE = """\
// Generated by knossos (python/knossos/_build.py): the {pass_} kernels of {function}, {dtype}.
#include <knossos/knossos.hpp>
#include <knossos/row_kernel.hpp>

#include "function.hpp"

extern "C" __attribute__((visibility("default"))) ks::row_fn const knossos_rows[] = {{
{rows}
}};
extern "C" __attribute__((visibility("default"))) int const knossos_row_count = {count};
"""


def kernel_source(function, name, arity, pass_, dtype, mask=0):
    """The C++ of the kernel library of user::name (arity arguments) for a pass, dtype
    and mask (the inputs that are one number, see ks::row_kernel's Scalars)."""
    f = f"user::{name}"
    n, kernels = {"fwd": (arity, [f]), "vjp": (arity + 1, [f"ks::vjp({f})"]),
                  "vjp2": (2 * arity + 1, [f"ks::vjp(ks::vjp({f}))"])}[pass_]
    if pass_ == "vjp" and arity > 1:
        kernels.append(f"[](auto... a) {{ return std::get<0>(ks::vjp({f})(a...)); }}")
    rows = [f"ks::row_kernel<{dtype}, {n}, {mask}>({k})" for k in kernels]
    return _KERNEL_TEMPLATE.format(pass_=pass_, function=function, dtype=dtype,
                                   rows=",\n".join("    " + r for r in rows), count=len(rows))


def compiler():
    """The C++ compiler kernels are built with: $CXX, else c++."""
    return os.environ.get("CXX", "c++")


@functools.lru_cache(maxsize=None)
def _compiler_banner():
    try:
        return subprocess.run([compiler(), "--version"], capture_output=True, text=True).stdout
    except OSError:
        return ""


def compiler_version():
    """The first line of the compiler's --version, or None without a compiler."""
    lines = _compiler_banner().splitlines()
    return lines[0] if lines else None


@functools.lru_cache(maxsize=None)
def _toolchain_id(flags):
    """The compiler's identity, and the CPU's when the flags tune for it: a cache shared
    between machines (an NFS home) must not hand out code built for another CPU."""
    cpu = ""
    if any("native" in f for f in flags):
        try:
            with open("/proc/cpuinfo") as f:
                info = f.read().split("\n\n")[0]
            cpu = "\n".join(l for l in info.splitlines() if l.startswith(("model name", "flags", "vendor_id")))
        except OSError:
            cpu = os.uname().machine
    return _hash(compiler_version() or "no compiler", cpu)


@functools.lru_cache(maxsize=None)
def headers_hash():
    return _files_hash(_tree(os.path.join(INCLUDE_DIR, "knossos"), ("*.hpp",)), INCLUDE_DIR)


def include_dirs():
    """knossos's headers, and xsimd's when the package carries them (an installed wheel)."""
    return [INCLUDE_DIR]


# Every kernel library is compiled with these beside the user's flags.
_KERNEL_FLAGS = ("-fPIC", "-fvisibility=hidden", "-fvisibility-inlines-hidden")


def _is_gcc():
    banner = _compiler_banner()
    return "clang" not in banner and "Free Software Foundation" in banner


def precompiled_header(flags):
    """For g++: the folder of a precompiled <knossos/knossos.hpp> for these flags, to put
    first on the include path (most of a small kernel's compile time is reading the
    headers). Built once per compiler, flags and headers, in the background: None until
    it exists, and then kernels compile without it. g++ ignores it (and reads the
    headers) if it does not fit."""
    if not _is_gcc():
        return None
    flags = tuple(flags)
    key = _hash("knossos-pch-1", compiler_version(), flags, _KERNEL_FLAGS, headers_hash())[:16]
    folder = os.path.join(cache_dir(), "pch", key)
    pch = os.path.join(folder, "knossos", "knossos.hpp.gch")
    if os.path.exists(pch):
        return folder
    with _pch_lock:
        if key in _pch_started:
            return None
        _pch_started.add(key)
    threading.Thread(target=_build_precompiled_header, args=(folder, pch, flags), daemon=True).start()
    return None


_pch_lock = threading.Lock()
_pch_started = set()


def _build_precompiled_header(folder, pch, flags):
    os.makedirs(os.path.dirname(pch), exist_ok=True)
    lock = open(folder + ".lock", "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process builds it: leave it
    except OSError:
        lock.close()
        return
    try:
        if os.path.exists(pch):
            return
        header = os.path.join(INCLUDE_DIR, "knossos", "knossos.hpp")
        # The header itself beside its .gch: a second #include of it (from the function's
        # header) must find the same file, which #pragma once then skips.
        link = os.path.join(folder, "knossos", "knossos.hpp")
        if not os.path.lexists(link):
            os.symlink(header, link)
        tmp = f"{pch}.{os.getpid()}.tmp"
        cmd = [compiler(), *flags, *_KERNEL_FLAGS, "-w", *[f"-I{d}" for d in include_dirs()], "-x", "c++-header",
               header, "-o", tmp]
        # The rename is the shell's, so it happens even if this process exits first.
        subprocess.run(["sh", "-c", 'tmp=$1 out=$2; shift 2; "$@" && mv "$tmp" "$out"', "sh", tmp, pch, *cmd],
                       capture_output=True)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def function_key(header, flags):
    """The cache key of a translated function's kernels built with flags."""
    return _hash("knossos-kernels-1", _KERNEL_TEMPLATE, _code_of(header), tuple(flags), _toolchain_id(tuple(flags)),
                 headers_hash())[:20]


# Failed builds, by library path: the message, so a kernel that does not compile fails
# at once on every later call (in this process; other processes read the .failed file).
_failures = {}
_verbose = threading.local()


def _say(message):
    print(message, file=sys.stderr, flush=True)


class Function:
    """A translated function and its cache folder; builds its kernel libraries on demand."""

    def __init__(self, name, header, flags=DEFAULT_FLAGS, verbose=False, source_text=None):
        self.name = name
        self.header = header
        self.flags = tuple(flags)
        self.verbose = verbose
        self.cxx_name, self.arity = exposed_lambda(header)
        if self.arity == 0:
            raise TypeError(f"knossos.vmap: {name} takes no arguments; it needs at least one")
        self.key = function_key(header, self.flags)
        self.dir = os.path.join(cache_dir(), "fn", self.key)
        self.op_name = f"{name}_{self.key[:16]}"
        self.timings = {}  # (pass, dtype) -> {"compile": s, "link": s} this process spent building it
        self.translate_seconds = None  # set by translate()
        self._lock = threading.Lock()
        self._pending = {}  # library path -> the thread that builds it in the background
        if not os.path.exists(os.path.join(self.dir, "function.json")):
            self._record(source_text)

    @classmethod
    def translate(cls, source, flags=DEFAULT_FLAGS, verbose=False):
        """The Function of a _source.Source, translated by ks-translate."""
        start = time.perf_counter()
        header = translate(source)
        translated = time.perf_counter() - start
        f = cls(source.name, header, flags, verbose, source.text)
        f.translate_seconds = translated
        if f.arity != source.n_args:
            raise BuildError(f"knossos: ks-translate gave {source.name} {f.arity} arguments, Python says "
                             f"{source.n_args}")
        return f

    @classmethod
    def cached(cls):
        """Every function the cache knows (knossos.load_operators)."""
        out = []
        for record in sorted(glob.glob(os.path.join(cache_dir(), "fn", "*", "function.json"))):
            folder = os.path.dirname(record)
            try:
                with open(record) as f:
                    info = json.load(f)
                with open(os.path.join(folder, "function.hpp")) as f:
                    header = f.read()
                function = cls(info["function"], header, info["flags"])
            except (OSError, ValueError, KeyError, BuildError):
                continue  # a folder another knossos version wrote
            if function.key == os.path.basename(folder):
                out.append(function)
        return out

    def _record(self, source_text):
        """The translated function in its cache folder, so the cache can be listed and its
        operators defined again (knossos.load_operators) without the Python source."""
        os.makedirs(self.dir, exist_ok=True)
        files = [("function.hpp", self.header),
                 ("function.json", json.dumps({"function": self.name, "op": self.op_name, "arity": self.arity,
                                               "flags": self.flags}))]
        if source_text is not None:
            files.insert(0, ("function.py", source_text))
        for name, text in files:  # function.json last: it marks the folder complete
            tmp = os.path.join(self.dir, f"{name}.{os.getpid()}.tmp")
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, os.path.join(self.dir, name))

    def path(self, pass_, dtype, mask=0):
        """Where the kernel library for pass_, dtype ("float32"/"float64") and mask lives."""
        return os.path.join(self.dir, f"{pass_}_{dtype}{f'_s{mask}' if mask else ''}.so")

    def library(self, pass_, dtype, mask=0):
        """The path of the kernel library for pass_, dtype and mask, built now if the
        cache does not have it."""
        path = self.path(pass_, dtype, mask)
        if os.path.exists(path):
            return path
        with self._lock:
            pending = self._pending.pop(path, None)
        if pending is not None:
            pending.join()
            if os.path.exists(path):
                return path
        return self._build(pass_, dtype, mask, path)

    def prefetch(self, pass_, dtype, mask=0, then=None):
        """Builds a library in a background thread (the backward while the forward runs, a
        kernel specialised for number arguments while the general one runs); then(path)
        when it is built."""
        path = self.path(pass_, dtype, mask)
        with self._lock:
            if os.path.exists(path) or path in self._pending or path in _failures:
                return
            t = threading.Thread(target=self._build_quietly, args=(pass_, dtype, mask, path, then), daemon=True)
            self._pending[path] = t
        t.start()

    def join_background_builds(self):
        """Waits for the builds prefetch started (and what they install when done)."""
        with self._lock:
            threads = list(self._pending.values())
        for t in threads:
            t.join()

    def _build_quietly(self, pass_, dtype, mask, path, then):
        try:
            self._build(pass_, dtype, mask, path)
        except BuildError:
            return  # remembered in _failures; raised where the library is needed
        if then is not None:
            then(path)

    def _build(self, pass_, dtype, mask, path):
        failed = path + ".failed"
        if path in _failures:
            raise BuildError(_failures[path])
        if os.path.exists(failed):
            with open(failed) as f:
                _failures[path] = f.read()
            raise BuildError(_failures[path])
        with _locked(path + ".lock"):
            if os.path.exists(path):
                return path
            os.makedirs(self.dir, exist_ok=True)
            ctype = "double" if dtype == "float64" else "float"
            src = path[:-3] + ".cpp"
            with open(src, "w") as f:
                f.write(kernel_source(self.name, self.cxx_name, self.arity, pass_, ctype, mask))
            obj = path[:-3] + ".o"
            # Compiling and linking apart, to report where the time goes (timings).
            pch = precompiled_header(self.flags)
            steps = [("compile", [compiler(), *self.flags, *_KERNEL_FLAGS, *([f"-I{pch}"] if pch else []),
                                  *[f"-I{d}" for d in include_dirs()], f"-I{self.dir}", "-c", src, "-o", obj]),
                     ("link", [compiler(), "-shared", obj, "-o", path + ".tmp"])]
            what = {"fwd": "", "vjp": " (backward)", "vjp2": " (double backward)"}[pass_]
            numbers = f", number arguments {[k for k in range(64) if mask >> k & 1]}" if mask else ""
            _say(f"knossos: compiling {self.name}{what}, {dtype}{numbers} ...")
            seconds = {}
            for step, cmd in steps:
                start = time.perf_counter()
                r = subprocess.run(cmd, capture_output=True, text=True)
                seconds[step] = time.perf_counter() - start
                if self.verbose:
                    _say(" ".join(cmd) + "\n" + r.stdout + r.stderr)
                if r.returncode != 0:
                    log = path + ".log"
                    with open(log, "w") as f:
                        f.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
                    message = (f"knossos: compiling the {pass_} kernels of {self.name} ({dtype}{numbers}) failed; the first "
                               f"error:\n{first_error(r.stdout + r.stderr)}\n(the whole log: {log}; "
                               "knossos.clear_cache() retries)")
                    with open(failed, "w") as f:
                        f.write(message)
                    _failures[path] = message
                    raise BuildError(message)
            os.remove(obj)
            os.replace(path + ".tmp", path)
            self.timings[(pass_, dtype) if not mask else (pass_, dtype, mask)] = seconds
        return path
