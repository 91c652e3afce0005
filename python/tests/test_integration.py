"""knossos.vmap modules in real use: the build cache across processes, nn.Sequential,
saving and loading, DistributedDataParallel."""

import glob
import io
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from torch import nn

import knossos
import scalar_fns

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
PYTHON = sys.executable


def run_python(code, timeout=300, **env):
    """Runs code in a fresh interpreter (same cache) and returns its stdout."""
    r = subprocess.run([PYTHON, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **env}, cwd=HERE)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_second_start_does_not_rebuild(compiled, cache_dir):
    m = compiled["relu3"]
    m(torch.ones(2, dtype=torch.float64))  # its float64 forward is built
    folder = m._ops.function.dir
    assert folder.startswith(cache_dir)
    libraries = sorted(glob.glob(os.path.join(folder, "*.so")))
    assert os.path.join(folder, "fwd_float64.so") in libraries
    before = [os.stat(p).st_mtime_ns for p in libraries]
    out = run_python(f"""
        import json, sys, time
        sys.path[:0] = [{os.path.join(REPO, 'python')!r}, {HERE!r}]
        import torch, knossos, scalar_fns
        t = time.perf_counter()
        m = knossos.vmap(scalar_fns.relu3)
        y = m(torch.tensor([0.5], dtype=torch.float64)).item()
        seconds = time.perf_counter() - t
        print(json.dumps({{"built": m.built, "seconds": seconds, "y": y, "op": m.op_name}}))
    """)
    r = json.loads(out.strip().splitlines()[-1])
    assert r["built"] is False
    assert r["op"] == m.op_name
    # No compiler ran (a kernel takes seconds); the bound only catches one that did.
    assert r["seconds"] < 1.0, f"construction and a call from the cache took {r['seconds']:.2f} s"
    assert r["y"] == pytest.approx(0.5**3 / 3, rel=1e-15)
    assert [os.stat(p).st_mtime_ns for p in libraries] == before  # nothing was rebuilt


def make_model(act):
    return nn.Sequential(nn.Linear(6, 8), act, nn.BatchNorm1d(8), nn.Linear(8, 3), act, nn.LogSoftmax(dim=1))


def test_sequential_state_dict_and_pickle(compiled, tmp_path):
    torch.manual_seed(0)
    model = make_model(compiled["relu3"]).double()
    x = torch.randn(5, 6, dtype=torch.float64)
    model.train()
    loss = model(x).sum()
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    expected = model(x)

    assert list(compiled["relu3"].state_dict().keys()) == []  # no parameters of its own
    torch.save(model.state_dict(), tmp_path / "state.pt")
    fresh = make_model(knossos.vmap(scalar_fns.relu3)).double().eval()
    fresh.load_state_dict(torch.load(tmp_path / "state.pt"))
    torch.testing.assert_close(fresh(x), expected, rtol=0, atol=0)

    # the whole model, pickled (the module keeps its source, not the loaded library)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    torch.testing.assert_close(loaded(x), expected, rtol=0, atol=0)
    assert loaded[1].python_function is scalar_fns.relu3  # imported again by its name

    # and unpickled in another process, which finds the build in the cache
    torch.save(model, tmp_path / "model.pt")
    torch.save(x, tmp_path / "x.pt")
    torch.save(expected, tmp_path / "expected.pt")
    out = run_python(f"""
        import sys
        sys.path[:0] = [{os.path.join(REPO, 'python')!r}, {HERE!r}]
        import torch
        model = torch.load({str(tmp_path / 'model.pt')!r}, weights_only=False)
        y = model(torch.load({str(tmp_path / 'x.pt')!r}))
        torch.testing.assert_close(y, torch.load({str(tmp_path / 'expected.pt')!r}), rtol=0, atol=0)
        print("ok", model[1].built)
    """)
    assert out.split() == ["ok", "False"]


def test_ddp_two_processes(compiled):
    r = subprocess.run([PYTHON, os.path.join(HERE, "ddp_worker.py")], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": os.path.join(REPO, "python")}, cwd=HERE)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "ddp ok" in r.stdout


def test_precompiled_header_is_built_once_and_used(tmp_path):
    from knossos import _build

    if not _build._is_gcc():
        pytest.skip("the precompiled header is g++'s")
    flags = _build.DEFAULT_FLAGS
    deadline = time.monotonic() + 300
    while (folder := _build.precompiled_header(flags)) is None:  # the first call starts it
        assert time.monotonic() < deadline, "no precompiled header after 300 s"
        time.sleep(1)
        _build._pch_started.clear()  # ask again (another process may have been building it)
    src = tmp_path / "uses_it.cpp"
    src.write_text("#include <knossos/knossos.hpp>\nint main() { return ks::lift([](auto x) { return x; })(0); }\n")
    r = subprocess.run([_build.compiler(), *flags, *_build._KERNEL_FLAGS, f"-I{folder}",
                        *[f"-I{d}" for d in _build.include_dirs()], "-H", "-c", str(src), "-o", str(tmp_path / "o.o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"! {folder}/knossos/knossos.hpp.gch" in r.stderr  # '!': g++ read the precompiled header
