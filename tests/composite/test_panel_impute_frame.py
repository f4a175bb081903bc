"""Panel imputation of the whole ASEM panel (``impute_panel_frame``) against the loop-based
translation of COINr's ``impute_panel`` (``coinr_panel_translation``), without a build.

test_panel_impute.py checks the same through purse builds (tens of seconds a case); this one
calls ``impute_panel_frame`` on the stacked panel directly, fast enough to run per mutant.
"""

import numpy as np
import pandas as pd
import pytest

import coinr_panel_translation as R
from asem_gaps import gappy_asem
from innometrics.composite.impute import impute_panel_frame


def _gappy(single_value_series: bool):
    """ASEM_iData_p with 8 % of indicator cells removed (seed 14, `gappy_asem`), plus
    one unit-period row dropped (an absent unit is not filled) and one series emptied."""
    data, _, codes = gappy_asem(single_value_series)
    data.loc[(data["uCode"] == "BEL") & (data["Time"] < 2021), "Goods"] = np.nan  # starts missing
    data.loc[data["uCode"] == "CHE", "Flights"] = np.nan  # no value at all
    data = data[~((data["uCode"] == "DNK") & (data["Time"] == 2019))]  # DNK absent in 2019
    return data, codes


@pytest.mark.parametrize("imp_type, max_time", [
    ("latest", None), ("latest", 1), ("latest", 2), ("constant", None), ("linear", None),
    ("linear-constant", None), ("constant", 2),
])
def test_impute_panel_frame_matches_coinr_code(imp_type, max_time):
    data, codes = _gappy(single_value_series=imp_type != "linear")
    stacked = data.set_index(["Time", "uCode"])[codes]
    settings = {"type": imp_type} if max_time is None else {"type": imp_type, "max_time": max_time}
    out, details = impute_panel_frame(stacked, settings)
    rows = [{"Time": int(t), "uCode": u, **dict(zip(codes, vals))}
            for (t, u), vals in zip(stacked.index, stacked.to_numpy(dtype=float).tolist())]
    # COINr's latest fills unit-periods present in the data only; absent DNK 2019 has no row
    expected = R.impute_panel(rows, codes, imp_type, max_time if imp_type == "latest" else None)
    exp = np.array([[r[c] for c in codes] for r in expected], dtype=float)
    np.testing.assert_allclose(out.to_numpy(dtype=float), exp, rtol=1e-12, atol=0, equal_nan=True)
    assert list(out.index) == list(stacked.index) and list(out.columns) == codes
    before, after = stacked.isna(), out.isna()
    filled = {c: int((before[c] & ~after[c]).sum()) for c in codes}
    assert details["imputed_cells"] == {c: n for c, n in filled.items() if n}
    assert details["n_imputed"] == sum(filled.values()) > 100
    empty = stacked.isna().groupby(level="uCode").all()
    assert details["series_without_values"] == {c: list(empty.index[empty[c]]) for c in codes if empty[c].any()}
    assert "CHE" in details["series_without_values"]["Flights"]
    assert details["type"] == imp_type
    if imp_type != "latest" and max_time is not None:
        assert details["note"] == (f"max_time is used by type 'latest' only; COINr's impute_panel ignores it "
                                   f"for '{imp_type}'.")
    else:
        assert "note" not in details


def test_impute_panel_frame_defaults_and_checks():
    from innometrics.errors import SpecError

    # two periods are enough; without a type COINr's default "latest" is used
    idx = pd.MultiIndex.from_product([[2020, 2021], ["A", "B"]], names=["Time", "uCode"])
    frame = pd.DataFrame({"x": [1.0, np.nan, np.nan, 4.0]}, index=idx)
    out, details = impute_panel_frame(frame, {})
    np.testing.assert_array_equal(out["x"], [1.0, np.nan, 1.0, 4.0])  # B starts missing: nothing carried back
    assert details["type"] == "latest" and details["imputed_cells"] == {"x": 1} and details["n_imputed"] == 1
    # max_time is checked with the method's rule, naming the spec file and key
    with pytest.raises(SpecError) as err:
        impute_panel_frame(frame, {"type": "latest", "max_time": -1}, file="p.toml")
    assert (err.value.file, err.value.key) == ("p.toml", "impute.max_time")
    assert "an integer >= 0" in str(err.value) and str(err.value).endswith("Got -1.")
    with pytest.raises(SpecError) as err:
        impute_panel_frame(frame.xs(2020, level="Time", drop_level=False), {"type": "linear"}, file="p.toml")
    assert (err.value.file, err.value.key) == ("p.toml", "impute.method")
    assert str(err.value).endswith('panel imputation needs at least two periods (COINr: "only one time point of data is available").')


def test_impute_panel_frame_emits_no_warning():
    """The stacked frame is rebuilt with pandas' current ``stack`` (the old one warns that it
    will be removed, and drops the missing cells)."""
    import warnings

    data, codes = _gappy(single_value_series=True)
    stacked = data.set_index(["Time", "uCode"])[codes]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for imp_type in ("latest", "constant", "linear-constant"):
            impute_panel_frame(stacked, {"type": imp_type})


def test_impute_panel_frame_reads_numbers_held_as_objects():
    """A column of numbers held as Python objects (a frame built from records with None) is
    imputed as the same column held as floats."""
    idx = pd.MultiIndex.from_product([[2019, 2020, 2021], ["A", "B"]], names=["Time", "uCode"])
    floats = pd.DataFrame({"x": [1.0, np.nan, np.nan, 2.0, 5.0, np.nan]}, index=idx)
    objects = pd.DataFrame({"x": pd.Series([1.0, None, None, 2.0, 5.0, None], index=idx, dtype=object)})
    for imp_type in ("latest", "linear-constant"):
        want, want_details = impute_panel_frame(floats, {"type": imp_type})
        got, got_details = impute_panel_frame(objects, {"type": imp_type})
        assert got["x"].dtype == np.float64
        np.testing.assert_array_equal(got["x"], want["x"])
        assert got_details == want_details
    # linear-constant: A (1, -, 5) is interpolated, B (-, 2, -) has one value and is constant
    np.testing.assert_array_equal(want["x"], [1.0, 2.0, 3.0, 2.0, 5.0, 2.0])


@pytest.mark.parametrize("method, expected", [
    ("panel_constant", [5.0, 5.0, 5.0, 7.0, 7.0, 9.0]),
    ("panel_linear", [5.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("panel_linear_constant", [5.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
])
def test_panel_methods_keep_every_observed_value(method, expected):
    """Called on one series, a method returns the observations unchanged: first, interior
    and last observed periods (R's approx at an observed x is that observation; the step
    function evaluated left of period 4 would give 5, and period 4 is an interior knot of
    the interpolation)."""
    from innometrics.composite import impute

    y = np.array([np.nan, 5.0, np.nan, 7.0, np.nan, 9.0])
    out = getattr(impute, method)(np.array([1, 2, 3, 4, 5, 6]), y)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64 and out is not y
    np.testing.assert_array_equal(y, [np.nan, 5.0, np.nan, 7.0, np.nan, 9.0])  # the input is not written into
