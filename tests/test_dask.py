"""Dask arrays through every public function: lazy results, chunk by chunk with the C
kernels, equal bit for bit to the in-memory call; threaded scheduler and a real
dask.distributed cluster of worker processes.  Skipped when Dask is not installed."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import sigmoid_ext as sx
from sigmoid_ext import _dask, _ufunc

da = pytest.importorskip("dask.array")
import dask  # noqa: E402  (after the importorskip)

UNARY = [sx.sigmoid, sx.sigmoid_grad]


def _public_functions() -> list:
    """Every public array function: those taking an array first and `out=`."""
    funcs = []
    for name in sx.__all__:
        f = getattr(sx, name)
        if callable(f) and "out" in inspect.signature(f).parameters:
            funcs.append(f)
    return funcs


def _nin(f) -> int:
    params = inspect.signature(f).parameters.values()
    return sum(p.kind is p.POSITIONAL_ONLY for p in params)


def _data(shape, dtype, seed=0) -> np.ndarray:
    x = np.random.default_rng(seed).uniform(-30, 30, shape)
    return x.astype(dtype)


def _args(f, dtype):
    """(numpy operands, the same as dask arrays) for f."""
    if _nin(f) == 1:
        x = _data((37, 23), dtype)
        return (x,), (da.from_array(x, chunks=(10, 8)),)
    g = _data((37, 23), dtype, seed=1)
    y = sx.sigmoid(_data((37, 23), dtype, seed=2))
    return (g, y), (da.from_array(g, chunks=(10, 8)), da.from_array(y, chunks=(10, 8)))


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_public_function_is_lazy_and_exact(dtype):
    funcs = _public_functions()
    assert len(funcs) >= 3
    for f in funcs:
        np_args, dask_args = _args(f, dtype)
        lazy = f(*dask_args)
        eager = f(*np_args)
        # functions with several outputs give a tuple of lazy arrays
        lazies = lazy if isinstance(lazy, tuple) else (lazy,)
        eagers = eager if isinstance(eager, tuple) else (eager,)
        assert len(lazies) == len(eagers), f.__name__
        for lz, ea in zip(lazies, eagers):
            assert isinstance(lz, da.Array), f.__name__
            assert lz.dtype == np.dtype(dtype)
            assert lz.chunks == dask_args[0].chunks
            with dask.config.set(scheduler="threads"):
                _same(lz.compute(), ea)


def test_graph_is_one_task_per_chunk_and_nothing_runs_eagerly():
    x = da.from_array(_data((40, 40), np.float64), chunks=(10, 20))
    calls = []

    def counting(spec, inputs, out, dtype, threads):
        calls.append([np.shape(v) for v in inputs])
        return _ufunc.apply(spec, inputs, out, dtype, threads)

    lazy = _dask.apply_lazy(counting, _spec("sigmoid"), (x,), None, None, None)
    assert calls == [[()]]          # only the 0-d dtype check so far
    with dask.config.set(scheduler="sync"):
        lazy.compute()
    assert sorted(calls[1:]) == sorted([[(10, 20)]] * 8)


def _spec(name: str):
    from sigmoid_ext import _functions
    return {s.name: s for s in vars(_functions).values()
            if isinstance(s, _ufunc._Spec)}[name]


@pytest.mark.parametrize("f", UNARY)
def test_dtype_and_threads_are_passed_through(f):
    x = _data((50,), np.float32)
    dx = da.from_array(x, chunks=7)
    lazy = f(dx, dtype=np.float64, threads=2)
    assert lazy.dtype == np.float64
    _same(lazy.compute(scheduler="threads"), f(x, dtype=np.float64))
    ints = da.arange(-20, 20, chunks=9)
    _same(f(ints).compute(), f(np.arange(-20, 20)))
    lazy16 = f(da.from_array(x.astype(np.float16), chunks=11))
    assert lazy16.dtype == np.float16
    _same(lazy16.compute(), f(x.astype(np.float16)))


def test_backward_broadcasts_across_chunkings_and_scalars():
    g = _data((1, 30), np.float64)
    y = sx.sigmoid(_data((24, 30), np.float32))
    dg = da.from_array(g, chunks=(1, 7))
    dy = da.from_array(y, chunks=(5, 12))
    _same(sx.sigmoid_backward(dg, dy).compute(), sx.sigmoid_backward(g, y))
    # a NumPy operand beside a Dask one, and a weak Python scalar (stays float32)
    _same(sx.sigmoid_backward(dy, y[0]).compute(), sx.sigmoid_backward(y, y[0]))
    lazy = sx.sigmoid_backward(0.5, dy)
    assert lazy.dtype == np.float32 and lazy.chunks == dy.chunks
    _same(lazy.compute(), sx.sigmoid_backward(0.5, y))


def test_zero_d_and_empty():
    _same(np.asarray(sx.sigmoid(da.from_array(np.float32(2.0))).compute()),
          np.asarray(sx.sigmoid(np.array(2.0, np.float32))))
    empty = sx.sigmoid(da.zeros((0, 3), chunks=2, dtype=np.float32))
    assert empty.shape == (0, 3) and empty.compute().dtype == np.float32


@pytest.mark.parametrize("f", _public_functions())
def test_out_is_refused_with_a_clear_message(f):
    np_args, dask_args = _args(f, np.float64)
    with pytest.raises(TypeError, match=r"out= is not supported for Dask arrays"):
        f(*dask_args, out=np.empty_like(np_args[0]))


def test_bad_input_is_reported_before_anything_is_computed():
    dx = da.from_array(np.ones(4), chunks=2)
    with pytest.raises(TypeError, match="dtype"):
        sx.sigmoid(dx, dtype=np.int32)
    with pytest.raises(ValueError, match="threads"):
        sx.sigmoid(dx, threads=0)
    with pytest.raises(TypeError, match="unsupported dtype complex128 for argument 'x'"):
        sx.sigmoid(dx.astype(np.complex128))
    with pytest.raises(ValueError, match="could not be broadcast"):
        sx.sigmoid_backward(dx, np.ones(3))


def test_several_outputs_come_back_as_several_lazy_arrays():
    """A function with two outputs (as a _Spec row may define later) gives a tuple of
    Dask arrays, each computed by the same block calls."""
    def two_outputs(spec, inputs, out, dtype, threads):
        y = sx.sigmoid(inputs[0], dtype=dtype)
        return y, sx.sigmoid_grad(inputs[0], dtype=dtype)

    x = _data((20, 6), np.float32)
    lazy = _dask.apply_lazy(two_outputs, _spec("sigmoid"),
                            (da.from_array(x, chunks=(8, 3)),), None, None, None)
    assert isinstance(lazy, tuple) and len(lazy) == 2
    y, g = dask.compute(*lazy)
    _same(y, sx.sigmoid(x))
    _same(g, sx.sigmoid_grad(x))


def test_numpy_calls_do_not_look_for_dask(monkeypatch):
    """The ndarray fast path never reaches the Dask check."""
    def boom(inputs):
        raise AssertionError("Dask check on the fast path")

    monkeypatch.setattr(_dask, "has_dask_input", boom)
    x = np.ones(5, np.float32)
    sx.sigmoid(x)
    sx.sigmoid(x, out=np.empty_like(x))
    sx.sigmoid_grad(x)


@pytest.fixture(scope="module")
def process_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_distributed_cluster_of_worker_processes(process_cluster):
    client = process_cluster
    x = _data((200, 50), np.float32)
    g = _data((200, 50), np.float64, seed=3)
    dx = da.from_array(x, chunks=(50, 25))
    dg = da.from_array(g, chunks=(40, 50))
    y, dgrad, back = client.compute([sx.sigmoid(dx), sx.sigmoid_grad(dx),
                                     sx.sigmoid_backward(dg, sx.sigmoid(dx))], sync=True)
    _same(y, sx.sigmoid(x))
    _same(dgrad, sx.sigmoid_grad(x))
    _same(back, sx.sigmoid_backward(g, sx.sigmoid(x)))
    # The blocks ran in the worker processes: they loaded the C module themselves.
    pids = client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    # (a lambda travels by value: the workers cannot import this test module)
    loaded = client.run(lambda: "sigmoid_ext._sigmoid_ext_cffi" in __import__("sys").modules)
    assert any(loaded.values())
