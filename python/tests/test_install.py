"""Installing as a user does: a fresh virtual environment with the torch under test, the
install commands of docs/pytorch.md run as written, one training batch of the seed's
model from the installed package; and a source checkout that builds its own
ks-translate. No KNOSSOS_* variable is set in either (the cache goes to a fresh
XDG_CACHE_HOME)."""

import os
import re
import subprocess
import sys
import sysconfig
import textwrap

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DOC = os.path.join(REPO, "docs", "pytorch.md")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def install_commands():
    """The ```sh block of docs/pytorch.md's Install section, one command per line."""
    with open(DOC) as f:
        text = f.read()
    section = text[text.index("## Install"):]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def user_env(tmp_path, **extra):
    """The environment without any KNOSSOS_* variable or PYTHONPATH, caches in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOSSOS_") and k != "PYTHONPATH"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, **kw)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
    return r.stdout


TRAIN_ONE_BATCH = """
    import os, sys, time
    from collections import OrderedDict
    import numpy as np
    import torch
    from torch import nn
    import knossos

    assert os.path.dirname(knossos.__file__).startswith(sys.prefix), knossos.__file__  # the installed package
    sys.path.insert(0, {examples!r})
    from idx import load_fashion_mnist

    def relu3(x):
        if x < 0.0:
            return 0.0
        elif x < 1.0:
            return 1 / 3 * x**3
        else:
            return x - 2 / 3

    act = knossos.vmap(relu3)
    model = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 256)), ("activation1", act), ("fc2", nn.Linear(256, 128)),
        ("bn2", nn.BatchNorm1d(128)), ("activation2", act), ("dropout", nn.Dropout(0.3)),
        ("fc3", nn.Linear(128, 64)), ("bn3", nn.BatchNorm1d(64)), ("activation3", act),
        ("logits", nn.Linear(64, 10)), ("logsoftmax", nn.LogSoftmax(dim=1))]))
    if os.path.isdir({data!r}):
        (images, labels), _ = load_fashion_mnist({data!r})
        x = torch.from_numpy(images[:256].reshape(256, 784).astype(np.float32) / 255)
        y = torch.from_numpy(labels[:256].astype(np.int64))
    else:
        x, y = torch.rand(256, 784), torch.randint(0, 10, (256,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.functional.nll_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    after = nn.functional.nll_loss(model(x), y)
    print("trained", loss.item(), after.item())
"""


def test_pip_install_as_the_docs_say_and_train_one_batch(tmp_path):
    venv = tmp_path / "venv"
    debian = sys.executable.startswith("/usr/bin/")
    # A fresh environment that has the torch under test: Debian's through its system
    # site-packages, PyPI's (another venv) through a .pth file.
    run([sys.executable, "-m", "venv", *(["--system-site-packages"] if debian else []), str(venv)])
    python = str(venv / "bin" / "python")
    if not debian:
        site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
        with open(os.path.join(site, "torch-under-test.pth"), "w") as f:
            f.write(sysconfig.get_paths()["purelib"] + "\n")
    os.symlink(REPO, tmp_path / "knossos")  # the clone, as the docs name it
    env = user_env(tmp_path, PATH=f"{venv / 'bin'}:{os.environ['PATH']}", VIRTUAL_ENV=str(venv))
    outputs = [run(["bash", "-c", command], cwd=tmp_path, env=env) for command in install_commands()]
    info = outputs[-1]
    assert f"torch: {torch.__version__}" in info and "cache: " + str(tmp_path / "cache" / "knossos") in info
    assert str(venv) in info  # the installed package, its ks-translate and headers
    script = textwrap.dedent(TRAIN_ONE_BATCH.format(examples=os.path.join(REPO, "examples", "fashion-mnist"),
                                                    data=FASHION_MNIST))
    (tmp_path / "train_one_batch.py").write_text(script)  # knossos.vmap reads the function's source
    out = run([python, "train_one_batch.py"], cwd=tmp_path, env=env)
    assert "trained" in out


def test_source_checkout_builds_its_own_translator(tmp_path):
    # knossos used from the repository (PYTHONPATH), no ks-translate given: it is built
    # with CMake in Release, as a user's build is (no warnings-as-errors).
    env = user_env(tmp_path, PYTHONPATH=os.path.join(REPO, "python"))
    out = run([sys.executable, "-c", "import knossos._build as b; print(b.translator())"], cwd=tmp_path, env=env)
    exe = out.strip().splitlines()[-1]
    assert exe.startswith(str(tmp_path / "cache" / "knossos" / "translate"))
    assert run([exe, "--version"]).startswith("ks-translate")
