"""python3 -m knossos [cache | clear-cache]: show or delete the build cache."""

import argparse
import os

from . import _build


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m knossos", description=__doc__)
    p.add_argument("command", choices=["cache", "clear-cache"])
    args = p.parse_args(argv)
    d = _build.cache_dir()
    if args.command == "clear-cache":
        _build.clear_cache()
        print(f"knossos: removed {d}")
        return 0
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    ext = os.path.join(d, "ext")
    n = sum(os.path.exists(os.path.join(ext, k, "done.json")) for k in os.listdir(ext)) if os.path.isdir(ext) else 0
    print(f"{d}: {n} extension(s), {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
