"""The glue extension (glue.cpp): the one part of knossos compiled against torch's
headers, once per torch version (and compiler), cached, and loaded into the process on
the first knossos.vmap. It defines each function's operators and runs their kernels."""

import functools
import importlib.util
import os
import sys
import time

import torch

from . import _build

GLUE_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "glue.cpp")


@functools.lru_cache(maxsize=None)
def glue():
    """The loaded glue module (built first if the cache does not have it)."""
    with open(GLUE_SOURCE, "rb") as f:
        source = f.read()
    key = _build._hash("knossos-glue-1", source, _build.headers_hash(), torch.__version__, torch.__file__,
                       _build.compiler_version(), sys.version_info[:2])[:16]
    name = f"knossos_glue_{key}"
    build_dir = os.path.join(_build.cache_dir(), "glue", key)
    library = os.path.join(build_dir, f"{name}.so")
    if os.path.exists(library):
        # Built: load it as it is (torch.utils.cpp_extension would import setuptools and
        # run ninja to find nothing to do, 100 ms).
        spec = importlib.util.spec_from_file_location(name, library)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    os.makedirs(build_dir, exist_ok=True)
    from torch.utils import cpp_extension

    with _build._locked(build_dir + ".lock"):
        fresh = not os.path.exists(library)
        if fresh:
            _build._say(f"knossos: compiling the glue for torch {torch.__version__} (once) ...")
            _build.precompiled_header(_build.DEFAULT_FLAGS)  # meanwhile, on the other core
        start = time.perf_counter()
        try:
            module = cpp_extension.load(
                name=name,
                sources=[GLUE_SOURCE],
                # No -fopenmp: rows are split by TensorIterator::for_each inside libtorch,
                # with torch's own threads.
                extra_cflags=["-O2", "-std=c++20", "-fvisibility=hidden", "-fvisibility-inlines-hidden"],
                extra_include_paths=_build.include_dirs(),
                build_directory=build_dir,
                verbose=False,
            )
        except (RuntimeError, OSError) as e:
            raise _build.BuildError(f"knossos: compiling the glue extension failed:\n{_build.first_error(str(e))}") \
                from None
        if fresh:
            glue.build_seconds = time.perf_counter() - start
    return module


glue.build_seconds = 0.0
