"""Hand-checked aggregation examples (COINr 1.1.14's a_* functions)."""

import numpy as np
import pandas as pd
import pytest

import innometrics.composite  # noqa: F401
from innometrics.composite.aggregate import aggregate_frame, aggregate_rows, outranking_matrix
from innometrics.errors import DataError
from innometrics.registry import get_method

X = np.array([[1.0, 4.0, 16.0], [2.0, np.nan, 8.0]])
W = np.array([1.0, 1.0, 2.0])


def agg(name, **kw):
    return get_method("aggregate", name)(X, W, **kw)


def test_arithmetic_skips_missing_children():
    # (1 + 4 + 2*16) / 4 ; (2 + 2*8) / 3
    np.testing.assert_allclose(agg("arithmetic"), [37 / 4, 18 / 3])


def test_geometric():
    np.testing.assert_allclose(agg("geometric"), [np.exp((0 + np.log(4) + 2 * np.log(16)) / 4), np.exp((np.log(2) + 2 * np.log(8)) / 3)])
    with pytest.raises(DataError, match="positive"):
        get_method("aggregate", "geometric")(np.array([[0.0, 1.0]]), np.array([1.0, 1.0]))


def test_harmonic():
    np.testing.assert_allclose(agg("harmonic"), [4 / (1 + 1 / 4 + 2 / 16), 3 / (1 / 2 + 2 / 8)])
    with pytest.raises(DataError, match="zero"):
        get_method("aggregate", "harmonic")(np.array([[0.0, 1.0]]), np.array([1.0, 1.0]))


def test_generalised_propagates_missing_like_coinr():
    y = agg("generalised", p=2)
    assert y[0] == pytest.approx(np.sqrt((1 + 16 + 2 * 256) / 4))
    assert np.isnan(y[1])


def test_copeland_outranking():
    M = np.array([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [2.0, 2.0, 2.0]])
    w = np.array([1.0, 1.0, 2.0])
    O = outranking_matrix(M, w)
    # unit 0 vs 1: wins x1 (0.25), loses x2, ties x3 (0.5 / 2) -> 0.5 exactly
    assert O[0, 1] == 0.5 and O[1, 0] == 0.5
    # unit 0 vs 2: wins x1 (0.25), loses x2, ties x3 -> 0.5
    assert O[0, 2] == 0.5
    np.testing.assert_array_equal(get_method("aggregate", "copeland")(M, w), [0, 0, 0])
    M2 = np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(get_method("aggregate", "copeland")(M2, np.ones(2)), [2, -1, -1])


def test_min_availability_threshold():
    y = aggregate_rows(X, W, "arithmetic", min_availability=0.9)
    assert np.isnan(y[1]) and y[0] == pytest.approx(37 / 4)


def test_aggregate_frame_levels_and_weights():
    data = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, np.nan], "c": [50.0, 60.0]}, index=pd.Index(["u1", "u2"], name="uCode"))
    meta = pd.DataFrame({
        "Level": [1, 1, 1, 2, 2, 3], "iCode": ["a", "b", "c", "P", "Q", "I"],
        "Parent": ["P", "P", "Q", "I", "I", None], "Weight": [1, 3, 1, 1, 1, 1], "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
    })
    out = aggregate_frame(data, meta, {"method": "arithmetic"})
    np.testing.assert_allclose(out["P"], [(10 + 90) / 4, 20])
    np.testing.assert_allclose(out["I"], [(25 + 50) / 2, (20 + 60) / 2])
    out2 = aggregate_frame(data, meta, {"method": ["arithmetic", "geometric"]})
    np.testing.assert_allclose(out2["I"], [np.sqrt(25 * 50), np.sqrt(20 * 60)])
