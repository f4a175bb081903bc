"""Hand-checked imputation, treatment, screening and denomination (COINr 1.1.14)."""

import numpy as np
import pandas as pd
import pytest

import innometrics.composite  # noqa: F401
from innometrics.composite.impute import impute_frame
from innometrics.composite.screen import screen_units
from innometrics.composite.treat import check_skew_kurt, kurt, log_ct, skew, treat_column, winsorise
from innometrics.errors import DataError
from innometrics.registry import get_method

X = np.array([1.0, np.nan, 3.0, 10.0, np.nan, 8.0, np.nan])
G = np.array(["a", "a", "a", "b", "b", "b", None], dtype=object)


def test_impute_methods():
    imp = lambda name: get_method("impute", name)(X, groups=G)  # noqa: E731
    np.testing.assert_allclose(imp("mean"), [1, 5.5, 3, 10, 5.5, 8, 5.5])
    np.testing.assert_allclose(imp("median"), [1, 5.5, 3, 10, 5.5, 8, 5.5])
    # group means a: 2, b: 9; the unit without a group stays missing (COINr skip_f_na)
    np.testing.assert_allclose(imp("mean_group"), [1, 2, 3, 10, 9, 8, np.nan])
    np.testing.assert_allclose(imp("median_group"), [1, 2, 3, 10, 9, 8, np.nan])


def test_impute_frame_all_missing_column_is_left_missing():
    # COINr Impute.numeric: warning("Input is all NAs - cannot impute. Returning vector of NAs.")
    # and the vector comes back unchanged; the other columns are still imputed
    df = pd.DataFrame({"A": [np.nan, np.nan], "B": [1.0, np.nan]}, index=pd.Index(["u1", "u2"], name="uCode"))
    out, filled = impute_frame(df, {"method": "mean"})
    assert out["A"].isna().all() and out["B"].tolist() == [1.0, 1.0]
    assert filled == {"A": 0, "B": 1}


def test_skew_kurt_match_e1071_type2():
    v = np.array([1.0, 2.0, 3.0, 10.0])
    d = v - v.mean()
    n = 4
    g1 = np.sqrt(n) * np.sum(d**3) / np.sum(d**2) ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    r = n * np.sum(d**4) / np.sum(d**2) ** 2
    g2 = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert skew(v) == pytest.approx(g1) and kurt(v) == pytest.approx(g2)
    assert np.isnan(skew(np.array([1.0, 2.0]))) and np.isnan(kurt(np.array([1.0, 2.0, 3.0])))


def test_winsorise_loop_replaces_top_values_one_at_a_time():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 200])
    assert check_skew_kurt(x) is False
    y, n, labels = winsorise(x, winsorise_max=5)
    # 200 -> 100, then both -> 12 ...: the count is the size of the tied top group
    assert check_skew_kurt(y) is True
    assert n == 2 and list(y[-2:]) == [12.0, 12.0]
    assert list(labels[-2:]) == ["winhi", "winhi"] and set(labels[:-2]) == {""}


def test_log_fallback_when_winsorisation_is_not_enough():
    x = np.array([1.0] * 10 + [50, 60, 70, 80, 1000, 5000])
    y, rec = treat_column(x, {"winsorise_max": 1})
    assert rec["treatment"] == "log_ct"
    np.testing.assert_allclose(y, np.log(x - 1 + 0.01 * (5000 - 1)))
    np.testing.assert_allclose(log_ct(np.array([0.0, 100.0])), [np.log(1.0), np.log(101.0)])


def test_screen_by_availability_and_force():
    df = pd.DataFrame({"A": [1.0, np.nan, 0.0], "B": [1.0, np.nan, 0.0], "C": [1.0, 2.0, 0.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    kept, summary = screen_units(df, {"min_availability": 0.5})
    assert list(kept.index) == ["u1", "u3"]
    assert summary.loc["u2", "Dat_Avail"] == pytest.approx(1 / 3)
    kept, _ = screen_units(df, {"by": "missing_and_zeros", "min_availability": 0.5})
    assert list(kept.index) == ["u1"]
    kept, _ = screen_units(df, {"min_availability": 0.5, "force_include": ["u2"], "force_exclude": ["u1"]})
    assert list(kept.index) == ["u2", "u3"]


def test_treat_options_skip_combine_force():
    from innometrics.composite.treat import treat_frame

    x = np.array([1.0] * 10 + [50, 60, 70, 80, 1000, 5000])
    df = pd.DataFrame({"A": x, "B": x}, index=pd.Index([f"u{i:02d}" for i in range(16)], name="uCode"))
    out, details = treat_frame(df, {"winsorise_max": 1, "skip": ["B"]})
    assert [d["iCode"] for d in details] == ["A"] and (out["B"] == x).all()
    out, details = treat_frame(df, {"winsorise_max": 1, "combine": True})
    w = x.copy()
    w[-1] = 1000.0  # one point Winsorised, then the log of the Winsorised values
    np.testing.assert_allclose(out["A"], np.log(w - 1 + 0.01 * (1000 - 1)))
    assert details[0]["treatment"] == "winsorise+log_ct"
    out, details = treat_frame(df, {"winsorise_max": 2, "fallback": "none"})
    assert details[0]["treatment"] == "winsorise" and details[0]["n_winsorised"] == 2
    assert details[0]["points"] == {"u14": "winhi", "u15": "winhi"}
    # a passing indicator is left alone even with force_winsorise (COINr tests first) ...
    _, rec = treat_column(np.arange(1.0, 21.0), {"winsorise_max": 2, "force_winsorise": True})
    assert rec["treatment"] == "none"
    # ... a failing one is Winsorised up to the limit, beyond the point where it passes
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 200])
    _, rec = treat_column(y, {"winsorise_max": 4})
    assert rec["n_winsorised"] == 1
    _, rec = treat_column(y, {"winsorise_max": 4, "force_winsorise": True})
    assert rec["n_winsorised"] == 4


def test_denominate_with_scale_factor():
    from innometrics.composite.denominate import denominate_frame

    d = pd.DataFrame({"A": [10.0, 20.0], "B": [1.0, 2.0]}, index=pd.Index(["u1", "u2"], name="uCode"))
    den = pd.DataFrame({"Pop": [2.0, 4.0]}, index=d.index)
    out = denominate_frame(d, den, {"A": "Pop"}, scale_factors={"A": 1000})
    np.testing.assert_allclose(out["A"], [5000, 5000])
    assert (out["B"] == d["B"]).all()
    with pytest.raises(DataError, match="not a denominator column"):
        denominate_frame(d, den, {"A": "GDP"})


def test_screening_rules_and_treatment_fallbacks_are_registered_methods():
    """The spec's allowed values are exactly the registered names, and each name runs its method."""
    import typing

    from innometrics.composite import screen, treat
    from innometrics.composite.spec import ScreenSection, TreatSection
    from innometrics.registry import method_names

    assert method_names("screen") == sorted(typing.get_args(ScreenSection.model_fields["by"].annotation))
    assert method_names("treat_fallback") == sorted(typing.get_args(TreatSection.model_fields["fallback"].annotation))
    assert set(method_names("screen")) == set(screen.SCREEN_RULES)
    summary = pd.DataFrame({"LowData": [True, True, False, False], "LowNonZero": [True, False, True, False]})
    passes = {name: get_method("screen", name)(summary).tolist() for name in method_names("screen")}
    assert passes == {"missing": [False, False, True, True], "zeros": [False, True, False, True],
                      "missing_and_zeros": [False, False, False, True]}
    assert get_method("treat_fallback", "log_ct") is treat.fallback_log_ct
    assert get_method("treat_fallback", "none") is treat.fallback_none


@pytest.mark.parametrize("by, kept", [
    ("missing", ["u1", "u3"]),  # u2 has 1 of 3 values (< 0.5)
    ("zeros", ["u1", "u2"]),  # u3 is all zeros (non-zero share 0 < 0.05)
    ("missing_and_zeros", ["u1"]),
])
def test_screen_rule_by_name(by, kept):
    df = pd.DataFrame({"A": [1.0, np.nan, 0.0], "B": [1.0, np.nan, 0.0], "C": [1.0, 2.0, 0.0]},
                      index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    out, summary = screen_units(df, {"by": by, "min_availability": 0.5})
    assert list(out.index) == kept
    assert summary["Included"].tolist() == [u in kept for u in df.index]


def test_unknown_screen_rule_or_fallback_lists_the_registered_names():
    from innometrics.composite.treat import treat_frame
    from innometrics.errors import SpecError

    df = pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    with pytest.raises(SpecError, match="by must be one of missing, missing_and_zeros, zeros. Got 'nan'"):
        screen_units(df, {"by": "nan"})
    with pytest.raises(SpecError, match="fallback must be one of log_ct, none. Got 'sqrt'") as err:
        treat_frame(df, {"fallback": "sqrt"})
    assert err.value.key == "treat.fallback"
