"""Python's own meaning: defaults, keywords, keyword-only parameters, module-level
constants, @torch.jit.script functions; TorchScript and FX of models holding knossos
modules, a saved TorchScript model in another process; the refusals users met (sparse
and named tensors)."""

import os
import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn

import knossos
import semantic_fns as fns

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


@pytest.fixture(scope="module")
def mods():
    return {name: knossos.vmap(getattr(fns, name)) for name in ("leaky", "huber", "scaled", "gelu_tanh", "cube")}


def python_elementwise(fn, *args, **kwargs):
    shape = torch.broadcast_shapes(*(a.shape for a in args))
    flat = [a.double().expand(shape).reshape(-1).tolist() for a in args]
    return torch.tensor([fn(*v, **kwargs) for v in zip(*flat)], dtype=torch.float64).reshape(shape)


def test_defaults_and_keywords_bind_as_in_python(mods):
    x = torch.randn(50, dtype=torch.float64)
    for call, expected in [
        (mods["leaky"](x), python_elementwise(fns.leaky, x)),  # the default, ALPHA
        (mods["leaky"](x, 0.5), python_elementwise(fns.leaky, x, alpha=0.5)),
        (mods["leaky"](x, alpha=0.5), python_elementwise(fns.leaky, x, alpha=0.5)),
        (mods["leaky"](alpha=torch.full((50,), 0.3, dtype=torch.float64), x=x),
         python_elementwise(fns.leaky, x, alpha=0.3)),
        (mods["huber"](x, 0.25), python_elementwise(fns.huber, x, torch.full_like(x, 0.25))),
        (mods["huber"](x, 0.25, delta=0.1), python_elementwise(lambda p: fns.huber(p, 0.25, 0.1), x)),
    ]:
        torch.testing.assert_close(call, expected, rtol=1e-15, atol=1e-300)
    with pytest.raises(TypeError, match=r"leaky\(\): .*alpha"):
        mods["leaky"](x, 0.5, alpha=0.5)
    with pytest.raises(TypeError, match=r"huber\(\): missing a required argument: 't'"):
        mods["huber"](x)


def test_keyword_only_parameters(mods):
    x = torch.randn(20, dtype=torch.float64)
    torch.testing.assert_close(mods["scaled"](x, scale=2.0), x * 2 + 0.5, rtol=1e-15, atol=0)
    torch.testing.assert_close(mods["scaled"](x, shift=1.0, scale=3.0), x * 3 + 1, rtol=1e-15, atol=0)
    with pytest.raises(TypeError, match="positional"):
        mods["scaled"](x, 2.0)


def test_module_constants_are_passed_by_value(mods):
    x = torch.randn(100, dtype=torch.float64) * 3
    torch.testing.assert_close(mods["gelu_tanh"](x), nn.functional.gelu(x, approximate="tanh"), rtol=1e-14,
                               atol=1e-15)
    assert "SQRT_2_OVER_PI = " in mods["gelu_tanh"].source.text


def test_a_torch_jit_script_function(mods):
    x = torch.randn(10, dtype=torch.float64, requires_grad=True)
    y = mods["cube"](x)
    y.sum().backward()
    torch.testing.assert_close(y, x.detach() ** 3, rtol=1e-15, atol=0)
    torch.testing.assert_close(x.grad, 3 * x.detach() ** 2, rtol=1e-15, atol=0)


def test_gradients_of_number_arguments_are_not_computed(mods):
    p = torch.randn(1000, requires_grad=True)
    t = torch.randn(1000)
    mods["huber"](p, t, 0.5).sum().backward()
    r = p.detach() - t
    torch.testing.assert_close(p.grad, torch.where(r.abs() < 0.5, r, 0.5 * r.sign()), rtol=1e-6, atol=1e-7)


def model_with(act):
    return nn.Sequential(nn.Linear(6, 8), act, nn.Linear(8, 3))


def test_torch_jit_script_of_a_model(mods, tmp_path):
    torch.manual_seed(0)
    model = model_with(mods["leaky"]).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    scripted = torch.jit.script(model)
    torch.testing.assert_close(scripted(x), model(x), rtol=0, atol=0)
    path = str(tmp_path / "scripted.pt")
    scripted.save(path)
    torch.save((x, model(x)), tmp_path / "io.pt")
    # another process: knossos.load_operators() before torch.jit.load
    code = f"""
        import sys
        sys.path[:0] = [{os.path.join(REPO, 'python')!r}]
        import torch, knossos
        knossos.load_operators()
        model = torch.jit.load({path!r})
        x, expected = torch.load({str(tmp_path / 'io.pt')!r})
        torch.testing.assert_close(model(x), expected, rtol=0, atol=0)
        print("scripted ok")
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "scripted ok" in r.stdout, r.stderr[-3000:]


def test_torch_jit_trace_and_fx(mods):
    torch.manual_seed(0)
    model = model_with(mods["leaky"]).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    traced = torch.jit.trace(model, x)
    torch.testing.assert_close(traced(x), model(x), rtol=0, atol=0)
    graph = torch.fx.symbolic_trace(model)
    assert f"torch.ops.knossos.{mods['leaky'].op_name}" in graph.code  # an operator FX knows
    torch.testing.assert_close(graph(x), model(x), rtol=0, atol=0)


def test_sparse_and_named_tensors_are_type_errors(mods):
    with pytest.raises(TypeError, match="layout torch.sparse_coo.*to_dense"):
        mods["leaky"](torch.randn(4).to_sparse())
    try:
        named = torch.zeros(3, names=("N",))
    except (TypeError, RuntimeError):
        return  # this torch has no named tensors
    with pytest.raises(TypeError, match=r"named dimensions.*rename\(None\)"):
        mods["leaky"](named)
