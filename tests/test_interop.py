"""Libraries that speak NumPy's ufunc protocol keep their types through the ufuncs:
pandas (Series, DataFrame, Index, nullable Float64), xarray (DataArray, Dataset) and
masked arrays.  Each is skipped when its package is missing (CI installs them in the
optional-packages stage).  Dask has its own file, tests/test_dask.py."""

from __future__ import annotations

import numpy as np
import pytest

import sigmoid_ext as sx


def test_pandas_series_dataframe_index():
    pd = pytest.importorskip("pandas")
    s = pd.Series([-1.0, 0.0, 1.0], index=list("abc"), name="z")
    r = sx.expit(s)
    assert isinstance(r, pd.Series) and r.name == "z" and list(r.index) == list("abc")
    np.testing.assert_array_equal(r.to_numpy(), sx.expit(s.to_numpy()))
    df = pd.DataFrame({"a": [0.0, 2.0], "b": np.array([1.0, -3.0], np.float32)},
                      index=["u", "v"])
    rdf = sx.sigmoid_grad(df)
    assert isinstance(rdf, pd.DataFrame) and list(rdf.columns) == ["a", "b"]
    assert list(rdf.index) == ["u", "v"] and rdf["b"].dtype == np.float32
    np.testing.assert_array_equal(rdf["b"].to_numpy(), sx.sigmoid_grad(df["b"].to_numpy()))
    idx = pd.Index([0.25, 0.5])
    assert isinstance(sx.logit(idx), pd.Index)
    y, g = sx.sigmoid_and_grad(s)                    # two outputs: two Series
    assert isinstance(y, pd.Series) and isinstance(g, pd.Series) and g.name == "z"
    back = sx.sigmoid_backward(pd.Series([1.0, 2.0]), pd.Series([0.5, 0.5]))
    assert isinstance(back, pd.Series)
    np.testing.assert_array_equal(back.to_numpy(), [0.25, 0.5])


def test_pandas_nullable_float_keeps_its_type_and_missing_values():
    pd = pytest.importorskip("pandas")
    s = pd.Series([0.0, None, 2.0], dtype="Float64")
    r = sx.sigmoid(s)
    assert str(r.dtype) == "Float64"
    assert r.isna().tolist() == [False, True, False]
    assert r[0] == 0.5 and r[2] == sx.sigmoid(2.0)


def test_xarray_dataarray_and_dataset():
    xr = pytest.importorskip("xarray")
    da = xr.DataArray(np.array([[0.0, 1.0], [2.0, 3.0]]), dims=("t", "c"),
                      coords={"t": [10, 20], "c": ["p", "q"]}, attrs={"units": "logit"},
                      name="v")
    with xr.set_options(keep_attrs=True):
        r = sx.sigmoid(da)
    assert isinstance(r, xr.DataArray) and r.dims == ("t", "c") and r.name == "v"
    assert list(r.coords["c"].values) == ["p", "q"] and r.attrs == {"units": "logit"}
    np.testing.assert_array_equal(r.values, sx.sigmoid(da.values))
    ds = xr.Dataset({"v": da, "w": ("t", np.array([0.5, 0.25]))})
    rds = sx.logit(ds)
    assert isinstance(rds, xr.Dataset) and set(rds.data_vars) == {"v", "w"}
    np.testing.assert_array_equal(rds["w"].values, sx.logit(np.array([0.5, 0.25])))


def test_masked_array_keeps_its_mask():
    x = np.ma.masked_array([1.0, np.nan, 3.0], mask=[0, 1, 0])
    r = sx.sigmoid(x)
    assert isinstance(r, np.ma.MaskedArray)
    assert r.mask.tolist() == [False, True, False]          # the hidden NaN stays masked
    assert r[0] == sx.sigmoid(1.0) and r[2] == sx.sigmoid(3.0)
    assert np.ma.is_masked(r[1])
    y, g = sx.sigmoid_and_grad(x)
    assert isinstance(g, np.ma.MaskedArray) and g.mask.tolist() == [False, True, False]
