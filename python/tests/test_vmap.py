"""knossos.vmap: values, gradients, shapes, strides, dtypes and errors."""

import math
import os

import pytest
import torch

import knossos
import scalar_fns

torch.manual_seed(0)


def elementwise(fn, *args):
    """fn applied element by element in Python (float64), broadcast like torch."""
    ts = torch.broadcast_tensors(*[a if isinstance(a, torch.Tensor) else torch.tensor(float(a)) for a in args])
    flat = [t.detach().double().reshape(-1).tolist() for t in ts]
    out = [fn(*vals) for vals in zip(*flat)]
    return torch.tensor(out, dtype=torch.float64).reshape(ts[0].shape)


def away_from_kinks(n, kinks, eps=1e-3, scale=2.0, dtype=torch.float64):
    """Random points at least eps from every kink (gradcheck's finite differences cross none)."""
    x = torch.randn(n, dtype=dtype) * scale
    for k in kinks:
        close = (x - k).abs() < eps
        x[close] += 3 * eps
    return x


def assert_close_rel(actual, expected, rtol=1e-12, atol=1e-300):
    assert actual.shape == expected.shape
    diff = (actual.double() - expected.double()).abs()
    bound = rtol * expected.double().abs() + atol
    bad = diff > bound
    assert not bad.any(), f"max rel error {(diff / expected.abs().clamp_min(1e-300)).max().item():.3g}"


# ---- values ------------------------------------------------------------------------------


def test_relu3_matches_python_elementwise(compiled):
    x = torch.cat([torch.randn(1000, dtype=torch.float64) * 3,
                   torch.tensor([0.0, -0.0, 1.0, 1 - 1e-16, 1e-300, -1e-300, 1e300, -1e300], dtype=torch.float64)])
    assert_close_rel(compiled["relu3"](x), elementwise(scalar_fns.relu3, x))


def test_gelu_matches_python_elementwise(compiled):
    x = torch.randn(1000, dtype=torch.float64) * 4
    # 1 + erf(x/sqrt 2) cancels for x < 0: there the result's relative error is erf's
    # absolute error (ks::erf: ~20 ulp in double near |x| = 3) magnified, so the tail
    # is compared absolutely.
    assert_close_rel(compiled["gelu"](x), elementwise(scalar_fns.gelu, x), rtol=1e-12, atol=1e-13)


def test_two_inputs_match_python_elementwise(compiled):
    x = torch.randn(5, 1, 3, dtype=torch.float64)
    y = torch.randn(4, 1, dtype=torch.float64)
    assert_close_rel(compiled["mix"](x, y), elementwise(scalar_fns.mix, x, y))
    assert_close_rel(compiled["mix"](x, 0.25), elementwise(scalar_fns.mix, x, 0.25))
    assert_close_rel(compiled["mix"](-0.5, y), elementwise(scalar_fns.mix, -0.5, y))
    assert compiled["mix"](x, y).shape == (5, 4, 3)


def test_relu3_agrees_with_autograd_on_the_mask_reference(compiled):
    x = away_from_kinks(10000, [0.0, 1.0]).requires_grad_()
    x_ref = x.detach().clone().requires_grad_()
    y = compiled["relu3"](x)
    y_ref = scalar_fns.vrelu3_pytorch(x_ref)
    g = torch.randn_like(y)
    y.backward(g)
    y_ref.backward(g)
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-12, atol=1e-15)


# ---- gradients ---------------------------------------------------------------------------


def test_gradcheck_relu3(compiled):
    x = away_from_kinks(64, [0.0, 1.0]).reshape(8, 8).requires_grad_()
    assert torch.autograd.gradcheck(compiled["relu3"], (x,))


def test_gradcheck_gelu(compiled):
    x = (torch.randn(4, 5, dtype=torch.float64) * 3).requires_grad_()
    assert torch.autograd.gradcheck(compiled["gelu"], (x,))


def test_gradcheck_two_inputs_broadcast_tensors(compiled):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(3, 1, 4, dtype=torch.float64, generator=g)
    y = torch.randn(5, 1, dtype=torch.float64, generator=g)
    # both branches (x > y and not) occur, and the finite differences cross neither
    assert ((x - y).abs() > 1e-3).all() and (x > y).any() and (x < y).any()
    f = compiled["mix"]
    assert torch.autograd.gradcheck(f, (x.requires_grad_(), y.requires_grad_()))
    z = f(x, y)
    assert z.shape == (3, 5, 4)
    z.backward(torch.ones_like(z))
    assert x.grad.shape == x.shape and y.grad.shape == y.shape


def test_gradcheck_tensor_and_number(compiled):
    f = compiled["mix"]
    x = (torch.randn(6, dtype=torch.float64) + 3).requires_grad_()  # x > y everywhere
    assert torch.autograd.gradcheck(lambda t: f(t, 0.5), (x,))
    assert torch.autograd.gradcheck(lambda t: f(-3.0, t), (x,))


def test_broadcast_gradient_is_summed(compiled):
    f = compiled["mix"]
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    y = torch.randn(3, dtype=torch.float64, requires_grad=True)
    f(x, y).sum().backward()  # grad of sum(): a stride-0 expanded tensor of ones
    xe = x.detach().clone().requires_grad_()
    ye = y.detach().expand(4, 3).clone().requires_grad_()
    f(xe, ye).sum().backward()
    torch.testing.assert_close(y.grad, ye.grad.sum(0), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(x.grad, xe.grad, rtol=1e-12, atol=1e-14)


# ---- layouts -----------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda b: b.t(),
    lambda b: b[::2, 1::3],
    lambda b: b.t()[1:, ::2],
    lambda b: b[:, 3].unsqueeze(1).expand(-1, 5),
    lambda b: b.reshape(4, 3, 5).permute(2, 0, 1),
], ids=["transposed", "sliced-with-step", "transposed-sliced", "expanded", "permuted-3d"])
def test_non_contiguous_inputs(compiled, make):
    base = torch.randn(12, 5, dtype=torch.float64) * 2
    x = make(base).requires_grad_()
    assert not x.is_contiguous()
    xc = x.detach().contiguous().requires_grad_()
    y, yc = compiled["relu3"](x), compiled["relu3"](xc)
    torch.testing.assert_close(y, yc, rtol=0, atol=0)
    g = torch.randn_like(yc)
    y.backward(g)
    yc.backward(g)
    torch.testing.assert_close(x.grad, xc.grad, rtol=0, atol=0)


def test_non_contiguous_output_keeps_the_input_layout(compiled):
    x = torch.randn(40, 30).t()
    y = compiled["relu3"](x)
    assert y.stride() == x.stride()  # a flat loop over the same memory order


def test_non_contiguous_two_inputs(compiled):
    x = torch.randn(6, 8, dtype=torch.float64)[::2].t()  # (8, 3), strided
    y = torch.randn(3, 8, dtype=torch.float64).t()  # (8, 3), transposed
    assert_close_rel(compiled["mix"](x, y), elementwise(scalar_fns.mix, x, y))


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4, 2)])
def test_empty_tensors(compiled, shape):
    x = torch.empty(shape, dtype=torch.float64, requires_grad=True)
    y = compiled["relu3"](x)
    assert y.shape == x.shape
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert compiled["mix"](x, 1.0).shape == x.shape


def test_zero_dim_and_large(compiled):
    assert compiled["relu3"](torch.tensor(0.5, dtype=torch.float64)).item() == pytest.approx(0.5**3 / 3, rel=1e-15)
    x = torch.randn(300_000, dtype=torch.float64)  # several parallel chunks when threads > 1
    assert_close_rel(compiled["relu3"](x), elementwise(scalar_fns.relu3, x))


# ---- dtypes ------------------------------------------------------------------------------


def test_float32(compiled):
    x = (torch.randn(1000) * 3).requires_grad_()
    y = compiled["relu3"](x)
    assert y.dtype == torch.float32
    torch.testing.assert_close(y.double(), elementwise(scalar_fns.relu3, x), rtol=2e-6, atol=1e-7)
    y.backward(torch.ones_like(y))
    assert x.grad.dtype == torch.float32
    g = compiled["gelu"](x.detach())
    torch.testing.assert_close(g.double(), elementwise(scalar_fns.gelu, x), rtol=1e-5, atol=1e-6)


def test_dtype_promotion_follows_torch(compiled):
    f = compiled["mix"]
    x32 = torch.randn(4)
    x64 = torch.randn(4, dtype=torch.float64)
    zero_dim64 = torch.tensor(0.5, dtype=torch.float64)
    cases = [(x32, 0.5), (x32, x64), (x32, zero_dim64), (zero_dim64, torch.tensor(1.0)), (0.25, x32)]
    for a, b in cases:
        assert f(a, b).dtype == torch.result_type(a, b), (a, b)
    a = torch.randn(4, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    f(a, b).sum().backward()
    assert a.grad.dtype == torch.float32 and b.grad.dtype == torch.float64


def test_only_needed_gradients_and_numbers(compiled):
    f = compiled["mix"]
    x = (torch.rand(5, dtype=torch.float64) + 1).requires_grad_()
    y = torch.rand(5, dtype=torch.float64)  # no gradient wanted
    f(x, y).sum().backward()
    torch.testing.assert_close(x.grad, y, rtol=0, atol=0)  # d/dx (x y + e^{-y^2}) where x > y
    assert y.grad is None


def test_second_derivatives_gradgradcheck(compiled):
    # the backward of the backward is vmap(vjp(vjp(f))), another kernel
    x = (torch.rand(5, dtype=torch.float64) + 0.1).requires_grad_()
    assert torch.autograd.gradgradcheck(compiled["gelu"], (x,))
    g = torch.Generator().manual_seed(5)
    a = torch.randn(3, 1, 4, dtype=torch.float64, generator=g).requires_grad_()
    b = torch.randn(5, 1, dtype=torch.float64, generator=g).requires_grad_()
    assert ((a - b).abs() > 1e-3).all()
    assert torch.autograd.gradgradcheck(compiled["mix"], (a, b))
    assert torch.autograd.gradgradcheck(lambda t: compiled["mix"](t, 0.5), (a,))


def test_second_derivative_values(compiled):
    x = (torch.rand(7, dtype=torch.float64) * 4 - 2).requires_grad_()
    (g,) = torch.autograd.grad(compiled["gelu"](x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    xd = x.detach()
    phi = torch.exp(-xd * xd / 2) / math.sqrt(2 * math.pi)  # gelu'' = (2 - x^2) phi
    torch.testing.assert_close(h, (2 - xd * xd) * phi, rtol=1e-12, atol=1e-14)


def test_third_derivative_is_refused_not_wrong(compiled):
    x = (torch.rand(5, dtype=torch.float64) + 0.1).requires_grad_()
    (g,) = torch.autograd.grad(compiled["gelu"](x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="third derivatives are not supported"):
        h.sum().backward()


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool, torch.float16])
def test_non_float_tensor_is_a_type_error(compiled, dtype):
    with pytest.raises(TypeError, match="float32 or torch.float64"):
        compiled["relu3"](torch.ones(3, dtype=dtype))


def test_meta_tensors(compiled):
    x = torch.empty(3, 1, device="meta")
    if knossos._ops.HAS_FAKE:  # torch >= 2.4: the fake kernels give shapes and dtypes
        y = compiled["mix"](x, torch.empty(4, dtype=torch.float64, device="meta"))
        assert y.device.type == "meta" and y.shape == (3, 4) and y.dtype == torch.float64
    else:  # any device but the CPU is refused, naming it
        with pytest.raises(TypeError, match="device 'meta'.*CPU tensors only"):
            compiled["relu3"](x)
        with pytest.raises(TypeError, match="device 'meta'"):
            compiled["mix"](torch.ones(3), x)


class _LooksLikeCuda(torch.Tensor):
    """A CPU tensor that reports device cuda:0 (no CUDA device exists here)."""

    @property
    def device(self):
        return torch.device("cuda:0")


def test_cuda_tensor_is_a_type_error(compiled):
    x = torch.ones(3).as_subclass(_LooksLikeCuda)
    assert x.device.type == "cuda"
    with pytest.raises(TypeError, match="device 'cuda:0'.*CPU tensors only"):
        compiled["relu3"](x)


def test_wrong_arguments(compiled):
    with pytest.raises(TypeError, match=r"mix\(\): missing a required argument: 'y'"):
        compiled["mix"](torch.ones(3))
    with pytest.raises(TypeError, match=r"mix\(\): too many positional arguments"):
        compiled["mix"](torch.ones(3), 1.0, 2.0)
    with pytest.raises(TypeError, match="is a str"):
        compiled["relu3"]("x")
    with pytest.raises(TypeError, match="at least one tensor"):
        compiled["relu3"](1.0)
    with pytest.raises(RuntimeError, match="does not broadcast"):
        compiled["mix"](torch.ones(3), torch.ones(4))


def test_number_arguments_get_a_kernel_of_their_own(compiled):
    # A number is one value for the whole loop: the general kernel reads it through a
    # buffer at once, a kernel specialised for it is built meanwhile and takes over.
    import time

    f = compiled["mix"]
    x = torch.randn(100_000, dtype=torch.float64)
    first = f(x, 0.25)
    function = f._ops.function
    deadline = time.monotonic() + 300
    while not os.path.exists(function.path("fwd", "float64", mask=0b10)):  # built by this or another process
        assert time.monotonic() < deadline, "no specialised kernel after 300 s"
        time.sleep(0.5)
    function.join_background_builds()  # installed by the thread that built it
    again = f(x, 0.25)
    assert f._ops.mask_used() == 0b10  # the specialised kernel ran
    torch.testing.assert_close(again, first, rtol=0, atol=0)
    assert_close_rel(first, elementwise(scalar_fns.mix, x, 0.25))
    f(x[:16], 0.25)
    assert f._ops.mask_used() == 0  # small calls: the general kernel
