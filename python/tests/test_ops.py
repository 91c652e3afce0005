"""knossos.vmap functions as torch custom operators (torch >= 2.4): torch.library.opcheck,
torch.compile without graph breaks, torch.export, a saved program loaded in another
process, threads."""

import os
import subprocess
import sys
import textwrap
from collections import OrderedDict

import pytest
import torch
from torch import nn

import knossos
import scalar_fns

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

custom_ops = pytest.mark.skipif(not hasattr(torch.library, "register_fake"),
                                reason="torch < 2.4: no torch.library custom operators (the autograd path is tested)")


def seed_model(act):
    """The seed's model (784-256-128-64-10, BatchNorm, Dropout 0.3, LogSoftmax)."""
    return nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 256)), ("activation1", act),
        ("fc2", nn.Linear(256, 128)), ("bn2", nn.BatchNorm1d(128)), ("activation2", act),
        ("dropout", nn.Dropout(0.3)),
        ("fc3", nn.Linear(128, 64)), ("bn3", nn.BatchNorm1d(64)), ("activation3", act),
        ("logits", nn.Linear(64, 10)), ("logsoftmax", nn.LogSoftmax(dim=1))]))


@custom_ops
@pytest.mark.parametrize("name", ["relu3", "gelu", "mix"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_opcheck_every_operator(compiled, name, dtype):
    m = compiled[name]
    g = torch.Generator().manual_seed(7)
    x = torch.randn(6, 5, dtype=dtype, generator=g, requires_grad=True)
    args = (x,) if m.arity == 1 else (x, torch.randn(5, dtype=dtype, generator=g, requires_grad=True))
    ops = m._ops
    # schema, autograd registration, fake tensors, AOT dispatch with static and dynamic shapes
    torch.library.opcheck(ops.fwd, args)
    dy = torch.randn(6, 5, dtype=dtype, generator=g, requires_grad=True)
    for needed in ([True] * m.arity, [True] + [False] * (m.arity - 1)):
        torch.library.opcheck(ops.vjp, (*args, dy, needed))
    gs = [torch.randn(a.shape, dtype=dtype, generator=g) for a in args]
    torch.library.opcheck(ops.vjp2, (*args, dy, *gs, [True] * (m.arity + 1)))


@custom_ops
def test_opcheck_broadcast_numbers_and_layouts(compiled):
    mix = compiled["mix"]._ops
    x = torch.randn(4, 6, dtype=torch.float64).t().requires_grad_()  # transposed
    torch.library.opcheck(mix.fwd, (x, torch.tensor(0.5, dtype=torch.float64)))
    torch.library.opcheck(mix.fwd, (torch.randn(3, 1, 4), torch.randn(5, 1)))


@custom_ops
def test_torch_compile_fullgraph_trains_without_graph_breaks(compiled):
    torch.manual_seed(0)
    model = seed_model(compiled["relu3"])
    x, target = torch.randn(32, 784), torch.randint(0, 10, (32,))
    explained = torch._dynamo.explain(model)(x)
    assert explained.graph_break_count == 0 and explained.graph_count == 1
    compiled_model = torch.compile(model, fullgraph=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(5):
        loss = nn.functional.nll_loss(compiled_model(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]  # it trains
    # (Inductor draws dropout's masks differently from eager: compare without dropout.)
    model.eval()
    torch.testing.assert_close(compiled_model(x), model(x), rtol=1e-5, atol=1e-5)
    assert all(p.grad is not None for p in model.parameters())


@custom_ops
def test_torch_compile_of_a_function_with_numbers_and_double_backward(compiled):
    mix = compiled["mix"]

    def f(a, b):
        y = mix(a, 0.25) * mix(b, a)
        (g,) = torch.autograd.grad(y.sum(), a, create_graph=True)
        return g

    a = torch.randn(8, dtype=torch.float64, requires_grad=True)
    b = torch.randn(8, dtype=torch.float64)
    torch.testing.assert_close(torch.compile(f)(a, b), f(a, b), rtol=1e-12, atol=1e-14)


@custom_ops
def test_export_runs_and_loads_in_another_process(compiled, tmp_path):
    torch.manual_seed(0)
    model = seed_model(compiled["relu3"]).eval()
    x = torch.randn(16, 784)
    program = torch.export.export(model, (x,))
    assert f"torch.ops.knossos.{compiled['relu3'].op_name}.default" in program.graph_module.code
    torch.testing.assert_close(program.module()(x), model(x), rtol=0, atol=0)
    path = tmp_path / "model.pt2"
    torch.export.save(program, path)
    torch.save((x, model(x)), tmp_path / "io.pt")
    code = f"""
        import sys
        sys.path[:0] = [{os.path.join(REPO, 'python')!r}]
        import torch, knossos
        knossos.load_operators()  # the cache's functions, as torch operators
        program = torch.export.load({str(path)!r})
        x, expected = torch.load({str(tmp_path / 'io.pt')!r})
        torch.testing.assert_close(program.module()(x), expected, rtol=0, atol=0)
        print("loaded ok")
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "loaded ok" in r.stdout, r.stderr[-3000:]


def test_threads_split_the_rows(compiled):
    m = compiled["gelu"]
    x = torch.randn(1 << 20)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        y1 = m(x)
        assert m._ops.threads_used() == 1
        torch.set_num_threads(2)
        y2 = m(x)
        assert bin(m._ops.threads_used()).count("1") == 2  # at::get_num_threads() chunks ran
        torch.testing.assert_close(y1, y2, rtol=0, atol=0)  # the same result, bit for bit
    finally:
        torch.set_num_threads(threads)
