"""Imputation of one indicator at a time (composite/impute.py): the ASEM indicators against the
line-by-line translation of COINr's R code (``coinr_translation``), and the rules worked by hand.

test_coinr_translation.py checks imputation through whole builds (seconds per case); the first
test here checks the methods directly on the raw ASEM columns, fast enough to run per mutant.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coinr_translation as R
import innometrics
from innometrics.composite.impute import impute_frame, mean, mean_group, median, median_group, none
from innometrics.errors import DataError, SpecError

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"
META = pd.read_csv(ASEM / "ASEM_iMeta.csv")
DATA = pd.read_csv(ASEM / "ASEM_iData.csv").set_index("uCode")
INDICATORS = list(META.loc[META["Type"] == "Indicator", "iCode"])


@pytest.mark.parametrize("method, fun, group", [
    ("mean", R.i_mean, None), ("median", R.i_median, None),
    ("mean_group", R.i_mean, "EurAsia_group"), ("median_group", R.i_median, "GDP_group"),
])
def test_impute_frame_matches_coinr_code_on_every_asem_indicator(method, fun, group):
    data = DATA[INDICATORS]
    out, filled = impute_frame(data, {"method": method, "group": group}, units=DATA)
    groups = None if group is None else list(DATA[group])
    for code in INDICATORS:
        expected = R.impute_numeric(list(data[code]), fun, groups)
        np.testing.assert_allclose(out[code], expected, rtol=1e-12, atol=0, equal_nan=True, err_msg=f"{method}: {code}")
        missing = data[code].isna()
        if missing.any():
            assert filled[code] == int((missing & out[code].notna()).sum()), code
        else:
            assert code not in filled
    assert sum(filled.values()) > 0


def test_methods_fill_missing_cells_only_and_leave_the_input_alone():
    x = np.array([1.0, np.nan, 3.0, 10.0])
    kept = x.copy()
    np.testing.assert_array_equal(mean(x), [1.0, 14 / 3, 3.0, 10.0])
    np.testing.assert_array_equal(median(x), [1.0, 3.0, 3.0, 10.0])
    groups = ["a", "a", "b", "b"]
    np.testing.assert_array_equal(mean_group(x, groups=groups), [1.0, 1.0, 3.0, 10.0])
    np.testing.assert_array_equal(median_group(x, groups=groups), [1.0, 1.0, 3.0, 10.0])
    y = none(x)
    np.testing.assert_array_equal(y, x)
    y[0] = 99.0  # a copy
    np.testing.assert_array_equal(x, kept)
    # integers come back as floats
    assert none(np.array([1, 2])).dtype == np.float64
    # nothing observed: nothing to fill with
    assert np.isnan(mean(np.array([np.nan, np.nan]))).all() and np.isnan(median(np.array([np.nan]))).all()


def test_group_imputation_rules():
    x = np.array([np.nan, np.nan, 4.0, np.nan, 2.0, 6.0, np.nan])
    # group "e" has no observed value: its cell stays missing, and the next group is still filled;
    # a unit with a missing label (None or NaN) is left as it is (COINr's skip_f_na)
    groups = ["e", None, "g", np.nan, "g", "g", "g"]
    np.testing.assert_array_equal(mean_group(x, groups=groups), [np.nan, np.nan, 4.0, np.nan, 2.0, 6.0, 4.0])
    np.testing.assert_array_equal(median_group(x, groups=np.array(groups, dtype=object)),
                                  [np.nan, np.nan, 4.0, np.nan, 2.0, 6.0, 4.0])
    with pytest.raises(SpecError) as err:
        mean_group(x)
    assert str(err.value) == 'group imputation needs a grouping column: set [impute] group = "<column of iData>".'
    with pytest.raises(DataError) as err:
        mean_group(x, groups=["a", "b"])
    assert str(err.value) == "the grouping variable has 2 values for 7 units" and err.value.reason == "length"


def test_impute_frame_rules():
    idx = pd.Index(["u1", "u2", "u3"], name="uCode")
    data = pd.DataFrame({"C": [1, 2, 3], "A": [1.0, np.nan, 3.0], "E": [np.nan] * 3}, index=idx)
    out, filled = impute_frame(data, {})  # mean by default
    assert list(out.columns) == ["C", "A", "E"] and list(out.index) == ["u1", "u2", "u3"]
    assert (out.dtypes == "float64").all()
    assert out["A"].tolist() == [1.0, 2.0, 3.0] and out["C"].tolist() == [1.0, 2.0, 3.0] and out["E"].isna().all()
    assert filled == {"A": 1, "E": 0}
    # "none": nothing filled, nothing counted
    out, filled = impute_frame(data, {"method": "none"})
    assert out["A"].isna().tolist() == [False, True, False] and filled == {}
    units = pd.DataFrame({"uName": ["x", "y", "z"], "Grp": ["a", "a", "b"], "Size": ["s", "m", "l"]}, index=idx)
    out, filled = impute_frame(data, {"method": "mean_group", "group": "Grp"}, units=units)
    assert out["A"].tolist() == [1.0, 1.0, 3.0] and filled == {"A": 1, "E": 0}
    with pytest.raises(SpecError) as err:
        impute_frame(data, {"method": "median_group"}, units=units, file="i.toml")
    assert (err.value.file, err.value.key) == ("i.toml", "impute.group")
    assert str(err.value).endswith("impute method 'median_group' needs 'group' = a group column of iData.")
    with pytest.raises(SpecError) as err:
        impute_frame(data, {"method": "mean_group", "group": "Region"}, units=units, file="i.toml")
    assert (err.value.file, err.value.key) == ("i.toml", "impute.group")
    assert str(err.value).endswith("group column 'Region' is not in iData. Group columns: Grp, Size.")
    with pytest.raises(SpecError) as err:
        impute_frame(data, {"method": "mean_group", "group": "Grp"}, file="i.toml")
    assert str(err.value).endswith("group column 'Grp' is not in iData. Group columns: (none).")
    assert err.value.key == "impute.group"


def test_panel_methods_leave_the_input_series_alone():
    from innometrics.composite.impute import panel_constant, panel_latest, panel_linear, panel_linear_constant

    t = np.array([2018.0, 2019.0, 2020.0, 2021.0])
    y = np.array([np.nan, 2.0, np.nan, 6.0])
    kept = y.copy()
    np.testing.assert_array_equal(panel_latest(t, y), [np.nan, 2.0, 2.0, 6.0])
    np.testing.assert_array_equal(panel_constant(t, y), [2.0, 2.0, 2.0, 6.0])
    np.testing.assert_array_equal(panel_linear(t, y), [2.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(panel_linear_constant(t, y), [2.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(y, kept)
    # the step function holds the last observation up to the next one, and the first before it
    y = np.array([5.0, np.nan, np.nan, 1.0])
    np.testing.assert_array_equal(panel_constant(t, y), [5.0, 5.0, 5.0, 1.0])
    np.testing.assert_array_equal(panel_constant(t, np.array([np.nan, np.nan, 3.0, np.nan])), [3.0] * 4)


def test_panel_methods_give_floats_for_integer_series():
    from innometrics.composite.impute import panel_constant, panel_latest, panel_linear, panel_linear_constant

    t = np.array([2018, 2019, 2020, 2021])
    y = np.array([3, 1, 4, 1])
    for method in (panel_latest, panel_constant, panel_linear, panel_linear_constant):
        out = method(t, y)
        assert out.dtype == np.float64 and out.tolist() == [3.0, 1.0, 4.0, 1.0], method.__name__
    assert mean(np.array([1, 2])).dtype == np.float64 and median(np.array([1, 2])).dtype == np.float64
    assert mean_group(np.array([1, 2]), groups=["a", "a"]).dtype == np.float64


def test_units_with_a_missing_group_label_are_not_a_group():
    # a NaN label among text labels (no None): NumPy would make it the text "nan"; such units are
    # left as they are (COINr's skip_f_na), not imputed from each other
    x = np.array([1.0, 5.0, np.nan])
    np.testing.assert_array_equal(mean_group(x, groups=["a", np.nan, np.nan]), [1.0, 5.0, np.nan])
    np.testing.assert_array_equal(median_group(x, groups=["a", np.nan, np.nan]), [1.0, 5.0, np.nan])


def test_panel_methods_return_a_series_without_values_as_it_is():
    from innometrics.composite.impute import panel_constant, panel_latest, panel_linear, panel_linear_constant

    t = np.array([2018.0, 2019.0, 2020.0])
    for method in (panel_latest, panel_constant, panel_linear, panel_linear_constant):
        y = np.full(3, np.nan)
        out = method(t, y)
        assert out.shape == (3,) and np.isnan(out).all(), method.__name__
        out[0] = 1.0  # a new array: the input is not handed back
        assert np.isnan(y).all(), method.__name__


def test_linear_panel_imputation_stops_on_a_single_value_series():
    from innometrics.composite.impute import impute_panel_frame, panel_linear

    t = np.array([2018.0, 2019.0, 2020.0])
    with pytest.raises(DataError) as err:
        panel_linear(t, np.array([np.nan, 3.0, np.nan]))
    message = ("linear panel imputation needs at least two observed values in a series (R's approx stops here); "
               'use type = "linear-constant" to fill single-value series with their value')
    assert str(err.value) == message and err.value.reason == "single_value_series"
    idx = pd.MultiIndex.from_product([[2018, 2019, 2020], ["A", "B"]], names=["Time", "uCode"])
    frame = pd.DataFrame({"x": [1.0, np.nan, 2.0, 5.0, np.nan, np.nan]}, index=idx)
    with pytest.raises(DataError) as err:
        impute_panel_frame(frame, {"type": "linear"})
    assert str(err.value) == message + ". Unit 'B', indicator 'x'." and err.value.reason == "single_value_series"
    # a series without values comes back as a new array (the input is not handed back)
    y = np.full(3, np.nan)
    out = panel_linear(t, y)
    out[0] = 1.0
    assert np.isnan(y).all()
