"""Common contract of every registered method (as scikit-learn's common tests).

normalise: one column in, same shape out, NaN passes through, direction reversal
equals normalising ``-x``, unknown parameters are SpecErrors.
aggregate: (units x children, weights) -> one value per unit, missing children skipped.
impute: only missing cells change.
"""

import numpy as np
import pytest

import innometrics.composite  # noqa: F401  (registers the methods)
from innometrics.composite.normalise import normalise_column
from innometrics.composite.params import check_params
from innometrics.errors import SpecError
from innometrics.registry import get_method, method_names

X = np.array([3.0, 7.0, np.nan, 1.0, 12.0, 7.0])
PARAMS = {
    "dist2ref": {"ref_index": 1},
    "dist2targ": {"target": 10.0},
    "goalposts": {"lower": 0.0, "upper": 10.0, "scale": 100.0},
    "index": {"base": np.full(6, 4.0)},
}


def test_registries_hold_the_issue_methods():
    assert set(method_names("normalise")) >= {"minmax", "zscore", "rank", "prank", "dist2max", "dist2ref", "dist2targ", "goalposts", "fracmax", "borda"}
    assert set(method_names("aggregate")) >= {"arithmetic", "geometric", "harmonic", "generalised", "copeland"}
    assert set(method_names("impute")) >= {"none", "mean", "median", "mean_group", "median_group"}
    assert set(method_names("impute_panel")) == {"latest", "constant", "linear", "linear-constant"}
    assert {"index", "scaled"} <= set(method_names("normalise")) and {"bod", "mpi"} <= set(method_names("aggregate"))
    assert set(method_names("weights")) >= {"pca", "optimised"}
    assert set(method_names("analysis")) >= {"remove_elements", "compare", "strengths_weaknesses"}


@pytest.mark.parametrize("name", method_names("impute_panel"))
def test_impute_panel_contract(name):
    t = np.array([2018.0, 2019.0, 2020.0, 2021.0, 2022.0])
    y = np.array([np.nan, 2.0, np.nan, 5.0, np.nan])
    out = get_method("impute_panel", name)(t, y)
    assert out.shape == y.shape
    np.testing.assert_array_equal(out[[1, 3]], [2.0, 5.0])  # observed values never change
    assert not np.isnan(out[1:]).any()  # every gap after the first observation is filled
    assert np.isnan(out[0]) == (name == "latest")  # only "latest" never fills backwards


@pytest.mark.parametrize("name", method_names("normalise"))
def test_normalise_contract(name):
    params = PARAMS.get(name, {})
    func = get_method("normalise", name)
    y = func(X, **params)
    assert y.shape == X.shape and y.dtype == float
    assert np.isnan(y[2]) and np.isfinite(np.delete(y, 2)).all()
    # direction -1 == the method applied to -x (COINr multiplies by the direction first)
    rev = normalise_column(X, name, direction=-1, **params)
    np.testing.assert_allclose(rev, func(-X, **params), equal_nan=True)
    # order-based methods reverse the order of the units
    if name in {"minmax", "zscore", "rank", "prank", "borda", "dist2max"}:
        ok = ~np.isnan(X)
        assert np.all(np.sign(np.diff(y[ok][np.argsort(X[ok])])) >= 0)
        assert np.all(np.sign(np.diff(rev[ok][np.argsort(X[ok])])) <= 0)
    with pytest.raises(SpecError, match="has no parameter 'bogus'"):
        check_params(func, {**params, "bogus": 1})


@pytest.mark.parametrize("name", method_names("aggregate"))
def test_aggregate_contract(name):
    M = np.array([[10.0, 20.0, 30.0], [40.0, np.nan, 60.0], [np.nan, np.nan, np.nan], [5.0, 5.0, 5.0]])
    w = np.array([1.0, 2.0, 1.0])
    y = get_method("aggregate", name)(M, w)
    assert y.shape == (4,)
    if name == "copeland":
        assert np.isfinite(y).all()
        return
    if name == "bod":  # Benefit of the Doubt: scores in [0, 1], the frontier at 1, incomplete rows missing
        assert np.isnan(y[1]) and np.isnan(y[2]) and y[0] == pytest.approx(1.0) and y[3] == pytest.approx(0.5)  # [5,5,5] is half of [10,20,30]
        return
    assert np.isnan(y[2])
    assert y[3] == pytest.approx(5.0)  # a mean of equal values is that value
    if name in ("generalised", "mpi"):
        assert np.isnan(y[1])  # COINr's a_genmean and Compind's ci_mpi do not skip missing children
    else:
        # missing child skipped: the mean of 40 and 60 with equal weights lies strictly between
        assert 40.0 < y[1] < 60.0


@pytest.mark.parametrize("name", method_names("impute"))
def test_impute_contract(name):
    x = np.array([1.0, np.nan, 3.0, 10.0, np.nan, 8.0])
    groups = np.array(["a", "a", "a", "b", "b", "b"], dtype=object)
    y = get_method("impute", name)(x, groups=groups)
    assert y.shape == x.shape
    ok = ~np.isnan(x)
    np.testing.assert_array_equal(y[ok], x[ok])
    if name == "none":
        assert np.isnan(y[1])
    else:
        assert not np.isnan(y).any()


def test_param_validation_message():
    with pytest.raises(SpecError, match=r"The 'range' parameter of normalise.minmax must be two numbers with lower < upper. Got \[100, 0\]"):
        check_params(get_method("normalise", "minmax"), {"range": [100, 0]})
    with pytest.raises(SpecError, match="must be a non-zero number"):
        check_params(get_method("aggregate", "generalised"), {"p": 0})
