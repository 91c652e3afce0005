"""python -m knossos [info | cache | clear-cache]: what knossos found (the default),
the build cache, or delete it."""

import argparse
import os
import sys

from . import __version__, _build


def _info():
    import torch

    print(f"knossos {__version__} ({os.path.dirname(os.path.abspath(__file__))})")
    print(f"compiler: {_build.compiler()}: {_build.compiler_version() or 'not found'}")
    print(f"headers: {_build.INCLUDE_DIR}")
    try:
        translator = _build.translator()
    except _build.BuildError as e:
        translator = f"not found ({e})"
    print(f"ks-translate: {translator}")
    print(f"cache: {_build.cache_dir()}")
    custom_ops = "custom ops for torch.compile and torch.export" if hasattr(torch.library, "register_fake") else \
        "torch < 2.4: autograd only, no torch.compile or export"
    print(f"torch: {torch.__version__} ({os.path.dirname(torch.__file__)}); {custom_ops}")
    print(f"python: {sys.version.split()[0]} ({sys.executable})")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m knossos", description=__doc__)
    p.add_argument("command", nargs="?", default="info", choices=["info", "cache", "clear-cache"])
    args = p.parse_args(argv)
    if args.command == "info":
        return _info()
    d = _build.cache_dir()
    if args.command == "clear-cache":
        _build.clear_cache()
        print(f"knossos: removed {d}")
        return 0
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    fn = os.path.join(d, "fn")
    n = sum(os.path.exists(os.path.join(fn, k, "function.json")) for k in os.listdir(fn)) if os.path.isdir(fn) else 0
    print(f"{d}: {n} function(s), {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
