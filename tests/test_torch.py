"""sigmoid_ext.torch: autograd-aware sigmoid / silu / log_sigmoid on CPU tensors, by the
C kernels, without copies; other tensors fall back to PyTorch's own operators.
Skipped when PyTorch is not installed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import sigmoid_ext

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402  (after the importorskip)

import sigmoid_ext.torch as sxt  # noqa: E402

HAS_FAMILY = all(hasattr(sigmoid_ext, n) for n in ("silu", "silu_grad", "log_sigmoid"))
needs_family = pytest.mark.skipif(not HAS_FAMILY, reason="silu/log_sigmoid kernels are "
                                  "not in this build of sigmoid_ext yet")

# (our function, PyTorch's, the NumPy kernel it must use)
PAIRS = [
    pytest.param(sxt.sigmoid, torch.sigmoid, "sigmoid", id="sigmoid"),
    pytest.param(sxt.silu, F.silu, "silu", id="silu", marks=needs_family),
    pytest.param(sxt.log_sigmoid, F.logsigmoid, "log_sigmoid", id="log_sigmoid",
                 marks=needs_family),
]
TOL = {torch.float32: dict(rtol=3e-6, atol=1e-30), torch.float64: dict(rtol=1e-13, atol=0)}
# Gradients from the saved output, y*(1-y), lose relative accuracy where y is near 1 (a
# 1-ulp difference in y is a large relative one in 1-y), in PyTorch as here: compared
# with an absolute tolerance of a few ulp of 1 (upstream gradients are O(1)).
GRAD_TOL = {torch.float32: dict(rtol=3e-6, atol=5e-7),
            torch.float64: dict(rtol=1e-13, atol=1e-15)}


def _x(shape=(64, 33), dtype=torch.float64, seed=0, scale=8.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).mul_(scale).to(dtype)


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_values_match_torch(ours, theirs, _name, dtype):
    x = _x(dtype=dtype)
    y = ours(x)
    assert y.dtype == dtype and y.shape == x.shape and y.device == x.device
    torch.testing.assert_close(y, theirs(x), **TOL[dtype])


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
def test_gradcheck_float64(ours, theirs, _name):
    x = _x((6, 5), scale=4.0).requires_grad_()
    assert torch.autograd.gradcheck(ours, (x,), eps=1e-6, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_match_torch(ours, theirs, _name, dtype):
    x1 = _x((40, 7), dtype=dtype).requires_grad_()
    x2 = x1.detach().clone().requires_grad_()
    g = _x((40, 7), dtype=dtype, seed=1, scale=1.0)
    ours(x1).backward(g)
    theirs(x2).backward(g)
    torch.testing.assert_close(x1.grad, x2.grad, **GRAD_TOL[dtype])
    # sum().backward() hands backward an expanded (stride-0) gradient
    x1.grad = x2.grad = None
    ours(x1).sum().backward()
    theirs(x2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, **GRAD_TOL[dtype])


@pytest.mark.parametrize("ours, theirs, name", PAIRS)
def test_no_copies_kernels_see_the_tensors_memory(ours, theirs, name, monkeypatch):
    """The kernel reads the input tensor's own memory and the result tensor is the
    kernel's output buffer (data pointers compared)."""
    seen = []
    real = getattr(sigmoid_ext, name)

    def spy(a, *args, **kw):
        r = real(a, *args, **kw)
        seen.append((a.__array_interface__["data"][0], np.asarray(r)))
        return r

    monkeypatch.setattr(sigmoid_ext, name, spy)
    x = _x(dtype=torch.float32)
    y = ours(x)
    (in_ptr, result), = seen
    assert in_ptr == x.data_ptr()
    assert result.__array_interface__["data"][0] == y.data_ptr()
    # and the result really shares memory with that buffer: writes show through
    result.flat[0] = 123.0
    assert y.flatten()[0].item() == 123.0


def test_backward_reads_saved_output_and_grad_in_place(monkeypatch):
    seen = []
    real = sigmoid_ext.sigmoid_backward

    def spy(g, y, *args, **kw):
        seen.append((g.__array_interface__["data"][0], y.__array_interface__["data"][0]))
        return real(g, y, *args, **kw)

    monkeypatch.setattr(sigmoid_ext, "sigmoid_backward", spy)
    x = _x().requires_grad_()
    y = sxt.sigmoid(x)
    g = _x(seed=2, scale=1.0)
    (dx,) = torch.autograd.grad(y, x, g)
    assert seen == [(g.data_ptr(), y.data_ptr())]
    yd = y.detach()
    torch.testing.assert_close(dx, g * yd * (1 - yd), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
def test_non_contiguous_inputs(ours, theirs, _name, monkeypatch):
    base = _x((30, 40), dtype=torch.float32)
    for x in (base.t(), base[::3, 1::2], base[:, 5], base.unsqueeze(0).expand(2, 30, 40)):
        assert not x.is_contiguous()
        y = ours(x)
        assert y.shape == x.shape
        assert torch.equal(y, ours(x.contiguous()))   # same kernel, same bits
        torch.testing.assert_close(y, theirs(x), **TOL[torch.float32])
        xg = x.detach().clone().requires_grad_()      # contiguous clone
        xs = x.detach().requires_grad_()                 # the strided view itself
        (d1,) = torch.autograd.grad(ours(xs), xs, torch.ones_like(y))
        (d2,) = torch.autograd.grad(theirs(xg), xg, torch.ones_like(y))
        torch.testing.assert_close(d1, d2, **GRAD_TOL[torch.float32])


def test_zero_d_and_empty():
    assert sxt.sigmoid(torch.tensor(0.0)).item() == 0.5
    assert sxt.sigmoid(torch.tensor(0.0)).shape == ()
    e = sxt.sigmoid(torch.empty(0, 3, dtype=torch.float64))
    assert e.shape == (0, 3) and e.dtype == torch.float64


@pytest.mark.parametrize("ours, theirs, name", PAIRS)
def test_other_tensors_fall_back_to_torch(ours, theirs, name, monkeypatch):
    def forbidden(*a, **k):
        raise AssertionError("the C kernel must not see this tensor")

    monkeypatch.setattr(sigmoid_ext, name, forbidden)
    for x in (_x(dtype=torch.float16), _x(dtype=torch.bfloat16),
              torch._neg_view(_x(dtype=torch.float32))):
        assert torch.equal(ours(x), theirs(x))
    if name == "sigmoid":          # torch.sigmoid takes integers (F.silu does not)
        ints = torch.arange(-5, 5)
        assert torch.equal(ours(ints), theirs(ints))
    # half precision with autograd: PyTorch's own graph
    xh = _x((5,), dtype=torch.float16).requires_grad_()
    ours(xh).sum().backward()
    xr = xh.detach().clone().requires_grad_()
    theirs(xr).sum().backward()
    assert torch.equal(xh.grad, xr.grad)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_falls_back_to_torch():
    x = _x(dtype=torch.float32).cuda()
    y = sxt.sigmoid(x)
    assert y.is_cuda and torch.equal(y, torch.sigmoid(x))


def test_not_a_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"sigmoid_ext\.torch\.sigmoid: expected a "
                                        r"torch\.Tensor, not ndarray"):
        sxt.sigmoid(np.ones(3))
    with pytest.raises(TypeError, match="not list"):
        sxt.silu([1.0])


def test_no_grad_and_inference_mode_skip_autograd():
    x = _x().requires_grad_()
    with torch.no_grad():
        y = sxt.sigmoid(x)
    assert y.grad_fn is None and not y.requires_grad
    with torch.inference_mode():
        z = sxt.sigmoid(_x())
    torch.testing.assert_close(z, torch.sigmoid(_x()), rtol=1e-13, atol=0)


def test_accuracy_beats_torch_in_float32_tails():
    """sigmoid_ext keeps correct subnormal results where torch flushes to 0."""
    x = torch.tensor([-95.0, -100.0], dtype=torch.float32)
    assert torch.all(sxt.sigmoid(x) > 0)
    assert torch.all(torch.sigmoid(x) == 0)


def test_import_sigmoid_ext_does_not_import_torch():
    code = "import sys, sigmoid_ext; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd="/", check=True).stdout.strip()
    assert out == "False"


def test_bench_times_sigmoid_ext_torch_against_torch(tmp_path):
    """sigmoid-bench has sigmoid_ext.torch rows (forward and the autograd step), and
    every peer's forward+backward thunk computes the same gradient."""
    import json

    from sigmoid_ext.bench import cli, peers

    out = tmp_path / "b.json"
    assert cli.main(["--function", "sigmoid,fwdbwd", "--sizes", "1000", "--min-time",
                     "0.002", "--repeats", "3", "--no-progress", "--max-spread", "1e9",
                     "--dtype", "float32", "--json", str(out)]) == 0
    rows = {(r["function"], r["peer"]) for r in json.loads(out.read_text())["results"]}
    for key in [("sigmoid", "torch"), ("sigmoid", "sigmoid_ext.torch"),
                ("fwdbwd", "torch"), ("fwdbwd", "sigmoid_ext.torch"),
                ("fwdbwd", "sigmoid_ext")]:
        assert key in rows

    o = peers.make_operands("fwdbwd", 500, np.float64)
    y = sigmoid_ext.sigmoid(o.x)
    expected = o.g * y * (1 - y)
    checked = 0
    for p in peers.installed_peers():
        thunk = p.make("fwdbwd", o)
        if thunk is not None:
            r = thunk()
            got = np.asarray(r.detach() if hasattr(r, "detach") else r)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15,
                                       err_msg=p.name)
            checked += 1
    assert checked >= 4


# ------------------------------------------------------- higher-order gradients, torch.func

@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
def test_gradgradcheck_float64(ours, theirs, _name):
    x = _x((4, 5), scale=4.0).requires_grad_()
    assert torch.autograd.gradgradcheck(ours, (x,), eps=1e-6, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
def test_create_graph_gives_second_derivative(ours, theirs, _name):
    """With create_graph=True the first gradient must itself carry a graph, and the
    second derivative must equal PyTorch's (it was silently missing before)."""
    x1 = _x((50,), scale=5.0).requires_grad_()
    x2 = x1.detach().clone().requires_grad_()
    (g1,) = torch.autograd.grad(ours(x1).sum(), x1, create_graph=True)
    (g2,) = torch.autograd.grad(theirs(x2).sum(), x2, create_graph=True)
    assert g1.requires_grad
    (h1,) = torch.autograd.grad(g1.sum(), x1)
    (h2,) = torch.autograd.grad(g2.sum(), x2)
    torch.testing.assert_close(h1, h2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("ours, theirs, _name", PAIRS)
def test_torch_func_transforms(ours, theirs, _name):
    x = _x((3, 4), scale=3.0)
    torch.testing.assert_close(torch.func.vmap(ours)(x), theirs(x), rtol=1e-13, atol=0)
    g = torch.func.grad(lambda t: ours(t).sum())(x[0])
    torch.testing.assert_close(g, torch.func.grad(lambda t: theirs(t).sum())(x[0]),
                               rtol=1e-12, atol=1e-15)
    j = torch.func.jacrev(ours)(x[0])
    torch.testing.assert_close(j, torch.func.jacrev(theirs)(x[0]), rtol=1e-12, atol=1e-15)


@needs_family
def test_torch_compile_matches_eager():
    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = torch.nn.Linear(8, 16), torch.nn.Linear(16, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return sxt.log_sigmoid(self.b(sxt.silu(sxt.sigmoid(self.a(x)))))

    torch.manual_seed(0)
    net, x = Net(), torch.randn(32, 8)
    compiled = torch.compile(net, backend="aot_eager")
    torch.testing.assert_close(compiled(x), net(x), rtol=1e-5, atol=1e-6)
    compiled(x).sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    net(x).sum().backward()
    for g, p in zip(grads, net.parameters()):
        torch.testing.assert_close(g, p.grad, rtol=1e-5, atol=1e-6)
