"""Outlier treatment rules (composite/treat.py), worked by hand.

Closed forms used below: n - 1 equal values and one higher value have e1071 type-2 skewness
sqrt(n) and excess kurtosis n (sum d^2 = n(n-1)a^2, sum d^3 = n(n-1)(n-2)a^3 with a the gap
over n, and so on), so [1, 1, 1, 1, 10] has skew sqrt(5) = 2.236 and kurtosis 5, failing
COINr's default test (|skew| < 2 or kurtosis < 3.5).
"""

import numpy as np
import pandas as pd
import pytest

from innometrics.composite.treat import check_skew_kurt, kurt, skew, treat_column, treat_frame, winsorise
from innometrics.errors import SpecError

ONE_HIGH = np.array([1.0, 1.0, 1.0, 1.0, 10.0])  # skew sqrt(5), kurtosis 5


def test_skew_and_kurtosis_of_one_high_value_are_sqrt_n_and_n():
    for n in (4, 5, 7):
        x = np.array([1.0] * (n - 1) + [10.0])
        assert skew(x) == pytest.approx(np.sqrt(n)) and kurt(x) == pytest.approx(n)
    # missing values are left out
    assert skew(np.append(ONE_HIGH, np.nan)) == pytest.approx(np.sqrt(5))


def test_check_skew_kurt_is_coinrs_three_valued_or():
    assert check_skew_kurt(ONE_HIGH) is False  # 2.236 >= 2 and 5 >= 3.5
    assert check_skew_kurt(ONE_HIGH, skew_threshold=3.0) is True  # |skew| < 3 is enough
    assert check_skew_kurt(ONE_HIGH, kurtosis_threshold=6.0) is True  # kurtosis < 6 is enough
    # [0, 0, 0, 1]: kurtosis 4, so the default 3.5 fails it (skew tested against 0.5 here)
    assert check_skew_kurt(np.array([0.0, 0.0, 0.0, 1.0]), skew_threshold=0.5) is False
    # both comparisons are strict: a statistic equal to its threshold fails
    assert check_skew_kurt(ONE_HIGH, skew_threshold=skew(ONE_HIGH), kurtosis_threshold=kurt(ONE_HIGH)) is False
    # three values: skewness defined (1.652 for [1, 2, 10]), kurtosis not (needs 4)
    x3 = np.array([1.0, 2.0, 10.0])
    assert check_skew_kurt(x3) is True  # TRUE | NA is TRUE
    assert check_skew_kurt(x3, skew_threshold=1.0) is None  # FALSE | NA is NA
    assert check_skew_kurt(np.array([1.0, 2.0])) is None
    assert check_skew_kurt(np.array([3.0] * 6)) is None  # all equal: 0/0


def test_check_skew_kurt_with_numpy_thresholds():
    """A threshold read from a NumPy array is a np.float64, and the comparisons give np.bool_: the
    result must still be True/False, not always False (the bug `is True` had on np.True_)."""
    passing = np.arange(1.0, 21.0)  # symmetric: skew 0
    assert check_skew_kurt(passing, np.float64(2.0), np.float64(3.5)) is True
    assert check_skew_kurt(ONE_HIGH, np.float64(2.0), np.float64(6.0)) is True
    assert check_skew_kurt(ONE_HIGH, np.float64(2.0), np.float64(3.5)) is False


def test_winsorise_defaults_and_direction():
    # defaults 2 and 3.5: [1, 1, 1, 1, 10] fails; its top value goes down to 1, and then the
    # values are all equal: the test is undefined and the loop stops
    y, n, labels = winsorise(ONE_HIGH)
    assert y.tolist() == [1.0] * 5 and n == 1 and labels.tolist() == ["", "", "", "", "winhi"]
    # default kurtosis threshold 3.5: [0, 0, 0, 1] (kurtosis 4) fails, with skew tested against 0.5
    y, n, _ = winsorise(np.array([0.0, 0.0, 0.0, 1.0]), skew_threshold=0.5)
    assert y.tolist() == [0.0] * 4 and n == 1
    # a passing indicator is left alone (no force by default)
    y, n, labels = winsorise(np.arange(1.0, 21.0))
    assert y.tolist() == list(np.arange(1.0, 21.0)) and n == 0 and set(labels) == {""}
    # forced on a passing indicator: skew 0 ([1..5]) and 0.59 ([1, 2, 3, 4, 6]) both take the top
    # (COINr: skew >= 0), skew -1.34 ([0, 4, 5, 6, 7]) the bottom
    for x in ([1.0, 2, 3, 4, 5], [1.0, 2, 3, 4, 6]):
        y, n, labels = winsorise(np.array(x), winsorise_max=1, force=True)
        assert y.tolist() == [1.0, 2, 3, 4, 4] and n == 1 and labels.tolist() == ["", "", "", "", "winhi"]
    y, n, labels = winsorise(np.array([0.0, 4, 5, 6, 7]), winsorise_max=1, force=True)
    assert y.tolist() == [4.0, 4, 5, 6, 7] and n == 1 and labels.tolist() == ["winlo", "", "", "", ""]
    # forced on a vector without a test (all equal): nothing to do
    y, n, labels = winsorise(np.array([2.0] * 5), force=True)
    assert y.tolist() == [2.0] * 5 and n == 0


def test_winsorise_stops_at_the_default_of_five_points():
    # never passing (thresholds 0 and -10): 7 -> 6, the two 6s -> 5, three 5s -> 4, four 4s -> 3,
    # five 3s -> 2: five points in the top group, the default limit
    x = np.array([0.0] * 20 + [1, 2, 3, 4, 5, 6, 7])
    y, n, labels = winsorise(x, skew_threshold=0.0, kurtosis_threshold=-10.0)
    assert n == 5 and y[20:].tolist() == [1.0, 2, 2, 2, 2, 2, 2]
    # as COINr, the labels mark the last top group only (the original 2 is tied but not marked)
    assert labels[20:].tolist() == ["", ""] + ["winhi"] * 5 and set(labels[:20]) == {""}
    # no limit: on until the top group reaches the zeros' side (all equal to 0 after 7 steps)
    y, n, _ = winsorise(x, winsorise_max=None, skew_threshold=0.0, kurtosis_threshold=-10.0)
    assert y.tolist() == [0.0] * 27 and n == 7


def test_winsorise_counts_both_tails():
    # forced, limit 3, on [0, 4, 5, 6, 7, 8, 9, 10]: the skew is negative (0 far below), so 0 -> 4
    # (1 point); then positive, 10 -> 9 (1 point), then the two 9s -> 8: 1 + 2 = 3 points
    x = np.array([0.0, 4, 5, 6, 7, 8, 9, 10])
    y, n, labels = winsorise(x, winsorise_max=3, force=True)
    assert y.tolist() == [4.0, 4, 5, 6, 7, 8, 8, 8] and n == 3
    assert labels.tolist() == ["winlo", "", "", "", "", "", "winhi", "winhi"]


def test_treat_column_records():
    # failing, Winsorised to the limit, still failing, no fallback: the record says so
    x = np.array([1.0] * 10 + [50, 60, 70, 80, 1000, 5000])
    y, rec = treat_column(x, {"winsorise_max": 1, "fallback": "none"})
    assert rec["treatment"] == "winsorise" and rec["n_winsorised"] == 1 and rec["passes"] is False
    assert y[-1] == 1000.0 and rec["labels"][-1] == "winhi"
    assert rec["skew"] == pytest.approx(skew(x)) and rec["kurtosis"] == pytest.approx(kurt(x))
    assert rec["skew_after"] == pytest.approx(skew(y)) and rec["kurtosis_after"] == pytest.approx(kurt(y))
    # no point Winsorised (limit 0) and no fallback: treatment stays "none"
    y, rec = treat_column(x, {"winsorise_max": 0, "fallback": "none"})
    assert rec["treatment"] == "none" and rec["n_winsorised"] == 0 and (y == x).all()
    # thresholds from the settings: skew sqrt(5) < 3 passes
    _, rec = treat_column(ONE_HIGH, {"skew_threshold": 3})
    assert rec["treatment"] == "none" and rec["passes"] is True
    _, rec = treat_column(ONE_HIGH, {"kurtosis_threshold": 6})
    assert rec["treatment"] == "none" and rec["passes"] is True
    # the log fallback replaces the Winsorisation (n_winsorised 0) unless combined (kept)
    _, rec = treat_column(x, {"winsorise_max": 1})
    assert rec["treatment"] == "log_ct" and rec["n_winsorised"] == 0 and rec["passes"] is False
    assert rec["labels"].tolist() == ["log_ct"] * 16
    _, rec = treat_column(x, {"winsorise_max": 1, "combine": True})
    assert rec["treatment"] == "winsorise+log_ct" and rec["n_winsorised"] == 1
    assert rec["labels"].tolist() == ["log_ct"] * 15 + ["winhi+log_ct"]


def test_treat_column_when_the_test_is_undefined():
    # too few values: left as they are
    x = np.array([1.0, np.nan, 2.0])
    y, rec = treat_column(x, {})
    assert rec["treatment"] == "none (too few values to test)" and rec["n_winsorised"] == 0
    np.testing.assert_array_equal(y, x)
    assert "labels" not in rec
    # [1 x 9, 100] fails; Winsorising 100 to 1 makes every value equal: COINr gives back the input
    x = np.array([1.0] * 9 + [100.0])
    y, rec = treat_column(x, {})
    assert rec["treatment"] == "none (test undefined after Winsorisation)" and rec["n_winsorised"] == 0
    np.testing.assert_array_equal(y, x)


def test_treat_frame_details_and_skip():
    idx = pd.Index([f"u{i:02d}" for i in range(16)], name="uCode")
    x = np.array([1.0] * 10 + [50, 60, 70, 80, 1000, 5000])
    df = pd.DataFrame({"S": np.arange(16), "A": x, "F": [1.0, 2.0] + [np.nan] * 14, "P": np.arange(16.0)}, index=idx)
    out, details = treat_frame(df, {"winsorise_max": 1, "combine": True, "skip": ["S"], "enabled": True})
    assert list(out.columns) == ["S", "A", "F", "P"] and list(out.index) == list(idx)
    assert (out.dtypes == "float64").all()  # the skipped integer column too
    np.testing.assert_array_equal(out["S"], np.arange(16.0))
    np.testing.assert_array_equal(out["P"], np.arange(16.0))  # passing: untouched, no record
    assert [d["iCode"] for d in details] == ["A", "F"]
    a, f = details
    assert a["treatment"] == "winsorise+log_ct" and a["n_winsorised"] == 1 and a["passes"] is True
    assert a["points"] == {**{f"u{i:02d}": "log_ct" for i in range(15)}, "u15": "winhi+log_ct"}
    assert "labels" not in a and isinstance(a["skew"], float)
    # two values: skew and kurtosis undefined, written as None (JSON null); no points
    assert f == {"iCode": "F", "skew": None, "kurtosis": None, "treatment": "none (too few values to test)",
                 "n_winsorised": 0, "points": {}}


def test_treat_frame_refuses_unknown_fallback_and_skip_codes():
    df = pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    with pytest.raises(SpecError) as err:
        treat_frame(df, {"fallback": "sqrt"}, file="t.toml")
    assert (err.value.file, err.value.key) == ("t.toml", "treat.fallback")
    assert str(err.value).endswith("fallback must be one of log_ct, none. Got 'sqrt'.")
    with pytest.raises(SpecError) as err:
        treat_frame(df, {"skip": ["Z", "B", "A"]}, file="t.toml")
    assert (err.value.file, err.value.key) == ("t.toml", "treat.skip")
    assert str(err.value).endswith("skip lists codes that are not indicators: B, Z.")
    # no skip key, or an empty one: every column treated
    assert treat_frame(df, {"skip": None})[0].equals(df)


def test_treat_column_passes_its_thresholds_everywhere():
    """[1..8, 28, 29]: skew 1.59, kurtosis 1.05, passing COINr's defaults (|skew| < 2) but not
    thresholds 0.5 and 1.0; one point Winsorised (29 -> 28) leaves skew 1.58 and kurtosis 1.02,
    still failing those (but passing kurtosis < 3.5): the initial test, the Winsorisation and the
    test after it must all use the thresholds given."""
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 28, 29])
    settings = {"skew_threshold": 0.5, "kurtosis_threshold": 1.0, "winsorise_max": 1}
    y, rec = treat_column(x, {**settings, "fallback": "none"})
    assert rec["treatment"] == "winsorise" and rec["n_winsorised"] == 1 and rec["passes"] is False
    assert y.tolist() == [1.0, 2, 3, 4, 5, 6, 7, 8, 28, 28]
    y, rec = treat_column(x, settings)
    assert rec["treatment"] == "log_ct" and rec["passes"] is True  # the log passes them
    np.testing.assert_allclose(y, np.log(x - 1 + 0.01 * (29 - 1)))
    # the defaults pass it untouched
    y, rec = treat_column(x, {})
    assert rec["treatment"] == "none" and rec["passes"] is True and (y == x).all()


def test_untreated_points_have_empty_labels_and_values_are_floats():
    x = np.arange(1, 21)  # integers, passing
    y, rec = treat_column(x, {})
    assert y.dtype == np.float64 and y.tolist() == list(np.arange(1.0, 21.0))
    assert rec["labels"].tolist() == [""] * 20
    y, n, _ = winsorise(np.array([1, 1, 1, 1, 10]))
    assert y.dtype == np.float64 and y.tolist() == [1.0] * 5 and n == 1
