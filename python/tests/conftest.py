import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

# One build cache for the whole session and its subprocesses, so each function is
# compiled once. $KNOSSOS_CACHE, when set, is used (and kept: scripts/test.sh points it
# into the build tree, where the Fashion-MNIST example then finds relu3 built);
# otherwise a fresh directory, removed at the end, so the real build path is tested.
_KEEP = bool(os.environ.get("KNOSSOS_CACHE"))
_CACHE = os.environ.get("KNOSSOS_CACHE") or tempfile.mkdtemp(prefix="knossos-test-cache-")
os.environ["KNOSSOS_CACHE"] = _CACHE
# torch.compile's own cache, beside ours: one that other processes filled (with other
# settings, such as TORCH_USE_RTLD_GLOBAL) can hold kernels this process cannot load.
os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", os.path.join(_CACHE, "inductor"))


def pytest_sessionfinish(session, exitstatus):
    if not _KEEP:
        shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def cache_dir():
    return _CACHE


@pytest.fixture(scope="session")
def compiled(cache_dir):
    """knossos.vmap of each test function, its float32 and float64 forward and backward
    kernels built up front, two at a time (the machine's cores)."""
    import knossos
    import scalar_fns

    knossos._build.translator()  # once, before the parallel builds need it
    fns = {"relu3": scalar_fns.relu3, "gelu": scalar_fns.gelu, "mix": scalar_fns.mix}
    modules = {k: knossos.vmap(f) for k, f in fns.items()}
    work = [(m._ops.function, p, d) for m in modules.values() for d in ("float32", "float64") for p in ("fwd", "vjp")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(fn.library, p, d) for fn, p, d in work]:
            f.result()
    return modules
