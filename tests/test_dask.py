"""Dask arrays through the ufuncs (Dask's own ``__array_ufunc__``): lazy results, chunk
by chunk with the C kernels, equal bit for bit to the in-memory call, unknown chunk sizes
included; threaded scheduler and a real dask.distributed cluster of worker processes.
Skipped when Dask is not installed."""

from __future__ import annotations

import os

import numpy as np
import pytest

import sigmoid_ext as sx

da = pytest.importorskip("dask.array")
import dask  # noqa: E402  (after the importorskip)

UNARY = [sx.sigmoid, sx.sigmoid_grad]
# Every public ufunc with one output (Dask dispatches those through elemwise).
ONE_OUTPUT = sorted({getattr(sx, n) for n in sx.__all__
                     if isinstance(getattr(sx, n), np.ufunc) and getattr(sx, n).nout == 1},
                    key=lambda f: f.__name__)


def _data(shape, dtype, seed=0) -> np.ndarray:
    x = np.random.default_rng(seed).uniform(-30, 30, shape)
    return x.astype(dtype)


def _args(f, dtype):
    """(numpy operands, the same as dask arrays) for f."""
    if f.nin == 1:
        x = _data((37, 23), dtype)
        return (x,), (da.from_array(x, chunks=(10, 8)),)
    g = _data((37, 23), dtype, seed=1)
    y = sx.sigmoid(_data((37, 23), dtype, seed=2))
    return (g, y), (da.from_array(g, chunks=(10, 8)), da.from_array(y, chunks=(10, 8)))


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("f", ONE_OUTPUT, ids=lambda f: f.__name__)
def test_every_function_is_lazy_and_exact(f, dtype):
    np_args, dask_args = _args(f, dtype)
    lazy = f(*dask_args)
    assert isinstance(lazy, da.Array)
    assert lazy.dtype == np.dtype(dtype) and lazy.chunks == dask_args[0].chunks
    with dask.config.set(scheduler="threads"):
        _same(lazy.compute(), f(*np_args))


def test_graph_is_one_task_per_chunk():
    dx = da.from_array(np.ones((40, 40)), chunks=(10, 20))
    lazy = sx.sigmoid(dx)
    assert len(lazy.__dask_graph__().layers[lazy.name]) == 8
    _same(lazy.compute(scheduler="sync"), sx.sigmoid(np.ones((40, 40))))


def test_unknown_chunk_sizes_stay_lazy():
    x = _data((60, 4), np.float32)
    dx = da.from_array(x, chunks=(25, 4))
    picked = dx[dx[:, 0] > 0]
    lazy = sx.sigmoid(picked)
    assert np.isnan(lazy.shape[0])
    _same(lazy.compute(), sx.sigmoid(x[x[:, 0] > 0]))
    _same(sx.sigmoid_backward(picked, lazy).compute(),
          sx.sigmoid_backward(x[x[:, 0] > 0], sx.sigmoid(x[x[:, 0] > 0])))


@pytest.mark.parametrize("f", UNARY)
def test_dtype_is_passed_through(f):
    x = _data((50,), np.float32)
    dx = da.from_array(x, chunks=7)
    # Dask's elemwise takes dtype= as the result's dtype and casts each block's result
    # to it (as it does for np.exp): the values are the float32 loop's.
    lazy = f(dx, dtype=np.float64)
    assert lazy.dtype == np.float64
    _same(lazy.compute(scheduler="threads"), f(x).astype(np.float64))
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


@pytest.mark.parametrize("f", ONE_OUTPUT, ids=lambda f: f.__name__)
def test_out_ndarray_is_refused_by_dask(f):
    np_args, dask_args = _args(f, np.float64)
    with pytest.raises(NotImplementedError, match="out parameter"):
        f(*dask_args, out=np.empty_like(np_args[0]))


def test_bad_input_is_reported_before_anything_is_computed():
    dx = da.from_array(np.ones(4), chunks=2)
    with pytest.raises(TypeError):          # Dask's message: no loop for complex128
        sx.sigmoid(dx.astype(np.complex128))
    with pytest.raises(ValueError):
        sx.sigmoid_backward(dx, np.ones(3))


def test_two_outputs_through_apply_gufunc():
    """Dask dispatches only the two-output ufuncs it knows (frexp, modf): sigmoid_and_grad
    on a Dask array raises TypeError, and the documented route, apply_gufunc, is lazy and
    exact."""
    x = _data((20, 6), np.float32)
    dx = da.from_array(x, chunks=(8, 3))
    with pytest.raises(TypeError):
        sx.sigmoid_and_grad(dx)
    y, g = da.apply_gufunc(sx.sigmoid_and_grad, "()->(),()", dx)
    assert y.chunks == dx.chunks and y.dtype == np.float32
    y, g = dask.compute(y, g)
    _same(y, sx.sigmoid(x))
    _same(g, sx.sigmoid_grad(x))


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
