"""Panel imputation (COINr ``impute_panel`` inside ``Impute.purse``) and purse builds that use it.

Series-level cases are worked by hand; whole purse builds of ``ASEM_iData_p`` with
gaps punched in (seeded) are compared with ``coinr_panel_translation``, a loop-based
translation of COINr's R code that shares nothing with the engine, to 1e-9.
"""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coinr_panel_translation as R
from asem_gaps import gappy_asem
import innometrics
from innometrics.composite import build, rebuild
from innometrics.composite.impute import impute_panel_frame, panel_constant, panel_latest, panel_linear, panel_linear_constant
from innometrics.errors import DataError, SpecError

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"
T = np.array([2018, 2019, 2020, 2021, 2022])
NA = np.nan


# ---------------------------------------------------------------- series by hand

def test_latest_carries_observed_values_forward_only():
    y = np.array([NA, 2.0, NA, NA, 5.0])
    np.testing.assert_array_equal(panel_latest(T, y), [NA, 2.0, 2.0, 2.0, 5.0])
    # max_time = 1: 2021 may only look at 2020, which is itself missing (imputed values are not carried)
    np.testing.assert_array_equal(panel_latest(T, y, max_time=1), [NA, 2.0, 2.0, NA, 5.0])
    np.testing.assert_array_equal(panel_latest(T, y, max_time=2), [NA, 2.0, 2.0, 2.0, 5.0])


def test_constant_fills_before_the_first_observation():
    y = np.array([NA, 2.0, NA, 4.0, NA])
    np.testing.assert_array_equal(panel_constant(T, y), [2.0, 2.0, 2.0, 4.0, 4.0])


def test_linear_interpolates_on_the_time_axis_and_holds_the_ends():
    y = np.array([NA, 2.0, NA, NA, 8.0])
    np.testing.assert_allclose(panel_linear(T, y), [2.0, 2.0, 4.0, 6.0, 8.0])
    # uneven periods: the time values, not the positions, set the slope
    t = np.array([2010, 2011, 2015])
    np.testing.assert_allclose(panel_linear(t, np.array([0.0, NA, 10.0])), [0.0, 2.0, 10.0])


def test_one_or_no_value_series_coinr_issue_63():
    one = np.array([NA, NA, 3.0, NA, NA])
    with pytest.raises(DataError, match="at least two observed values"):
        panel_linear(T, one)
    np.testing.assert_array_equal(panel_linear_constant(T, one), [3.0] * 5)
    np.testing.assert_array_equal(panel_constant(T, one), [3.0] * 5)
    np.testing.assert_array_equal(panel_latest(T, one), [NA, NA, 3.0, 3.0, 3.0])
    none = np.full(5, NA)
    for f in (panel_latest, panel_constant, panel_linear, panel_linear_constant):
        assert np.isnan(f(T, none)).all()


def test_frame_counts_and_names_the_series_left_missing():
    idx = pd.MultiIndex.from_product([[2020, 2021, 2022], ["A", "B"]], names=["Time", "uCode"])
    frame = pd.DataFrame({"x": [1.0, NA, NA, NA, 3.0, NA], "y": [NA, 1.0, 2.0, 2.0, 4.0, NA]}, index=idx)
    out, details = impute_panel_frame(frame, {"type": "latest"})
    np.testing.assert_allclose(out["x"], [1.0, NA, 1.0, NA, 3.0, NA], equal_nan=True)
    np.testing.assert_allclose(out["y"], [NA, 1.0, 2.0, 2.0, 4.0, 2.0], equal_nan=True)
    assert details["imputed_cells"] == {"x": 1, "y": 1} and details["series_without_values"] == {"x": ["B"]}
    with pytest.raises(DataError, match="Unit 'B', indicator 'x'"):
        impute_panel_frame(frame.assign(x=[1.0, 7.0, NA, NA, 3.0, NA]), {"type": "linear"})
    with pytest.raises(SpecError, match="at least two periods"):
        impute_panel_frame(frame.xs(2020, level="Time", drop_level=False), {"type": "latest"})


# ---------------------------------------------------------------- purse builds against COINr's code

def _gappy_panel(tmp_path, single_value_series=True):
    """ASEM_iData_p with 8 % of indicator cells removed (seed 14) and two hand-made series."""
    data, meta, codes = gappy_asem(single_value_series)
    data.loc[(data["uCode"] == "BEL") & (data["Time"] < 2021), "Goods"] = np.nan  # starts missing
    path = tmp_path / "iData_p.csv"
    data.to_csv(path, index=False)
    return path, data, meta, codes


def _spec(path, imp_type, max_time=None, global_=True, method="arithmetic"):
    impute = {"method": "panel", "type": imp_type}
    if max_time is not None:
        impute["max_time"] = max_time
    return {
        "data": {"indicators": str(path), "meta": str(ASEM / "ASEM_iMeta.csv"), "period": "all"},
        "denominate": {},
        "impute": impute,
        "normalise": {"method": "minmax", "range": [1, 100] if method == "geometric" else [0, 100], "global": global_},
        "aggregate": {"method": method},
    }


def _expected(data, meta, codes, imp_type, max_time, global_, method):
    ind = meta[meta["Type"] == "Indicator"].set_index("iCode")
    rows = []
    for _, r in data.iterrows():  # Denominate: x / denominator
        row = {"Time": int(r["Time"]), "uCode": r["uCode"]}
        for c in codes:
            d = ind.loc[c, "Denominator"]
            row[c] = r[c] / r[d] if isinstance(d, str) else r[c]
        rows.append(row)
    rows = R.impute_panel(rows, codes, imp_type, max_time)
    imputed = {(r["Time"], r["uCode"]): dict(r) for r in rows}
    lu = (1, 100) if method == "geometric" else (0, 100)
    normed = {k: {} for k in imputed}
    for c in codes:
        direction = int(ind.loc[c, "Direction"])
        groups = [list(imputed)] if global_ else [[k for k in imputed if k[0] == t] for t in sorted({k[0] for k in imputed})]
        for keys in groups:
            col = R.n_minmax([imputed[k][c] * direction for k in keys], lu)
            for k, v in zip(keys, col):
                normed[k][c] = v
    f = R.a_gmean if method == "geometric" else R.a_amean
    return imputed, {k: R.aggregate(v, meta, f) for k, v in normed.items()}


_SLOW = pytest.mark.slow  # one case per imputation type stays in `make test-fast`; `make test` runs all
CASES = [
    ("latest", None, True, "arithmetic"),
    pytest.param("latest", 1, False, "arithmetic", marks=_SLOW),
    pytest.param("latest", 2, True, "geometric", marks=_SLOW),
    ("constant", None, True, "geometric"),
    pytest.param("constant", None, False, "arithmetic", marks=_SLOW),
    ("linear", None, False, "geometric"),
    pytest.param("linear", None, True, "arithmetic", marks=_SLOW),
    ("linear-constant", 3, False, "geometric"),
    pytest.param("linear-constant", None, True, "arithmetic", marks=_SLOW),
]


@pytest.mark.parametrize("imp_type,max_time,global_,method", CASES)
def test_purse_build_matches_coinr_code(tmp_path, imp_type, max_time, global_, method):
    path, data, meta, codes = _gappy_panel(tmp_path, single_value_series=imp_type != "linear")
    panel = build(_spec(path, imp_type, max_time, global_, method))
    imputed, aggregated = _expected(data, meta, codes, imp_type, max_time, global_, method)
    n_checked = 0
    for p, b in panel.builds.items():
        for stage, expected in (("imputed", imputed), ("aggregated", aggregated)):
            got = b.stages[stage]
            exp = np.array([[expected[(p, u)][c] for c in got.columns] for u in got.index], dtype=float)
            g = got.to_numpy(dtype=float)
            np.testing.assert_allclose(g, exp, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=f"{imp_type} {p} {stage}")
            n_checked += int(np.isfinite(exp).sum())
    assert n_checked > 20000
    # the gaps were filled (all-missing series stay missing)
    raw_missing = int(data[codes].isna().sum().sum())
    left = sum(int(b.stages["imputed"].isna().sum().sum()) for b in panel.builds.values())
    assert left < raw_missing
    assert panel.builds[2022].log[1]["method"] == "panel"


def test_linear_stops_on_a_single_value_series(tmp_path):
    path, *_ = _gappy_panel(tmp_path)
    with pytest.raises(DataError, match="linear-constant"):
        build(_spec(path, "linear"))


def test_one_period_of_a_panel_imputed_over_time_equals_the_purse(tmp_path):
    path, *_ = _gappy_panel(tmp_path)
    spec = _spec(path, "linear-constant", global_=False)
    panel = build(spec)
    one = build({**spec, "data": {**spec["data"], "period": 2021}})
    pd.testing.assert_frame_equal(one.stages["aggregated"], panel.builds[2021].stages["aggregated"])
    # rebuilding downstream reuses the imputed stage; changing the imputation re-imputes the panel
    geo = rebuild(one, normalise={"range": [1, 100]}, aggregate={"method": "geometric"})
    assert geo.stages["imputed"].equals(one.stages["imputed"])
    latest = rebuild(one, impute={"type": "latest"})
    assert not latest.stages["imputed"].equals(one.stages["imputed"])


def test_spec_keys_of_panel_imputation(tmp_path):
    path, *_ = _gappy_panel(tmp_path)
    bad = copy.deepcopy(_spec(path, "latest"))
    bad["impute"] = {"method": "mean", "type": "latest"}
    with pytest.raises(SpecError, match="only used by method"):
        build(bad)
    bad["impute"] = {"method": "panel", "max_time": 0}
    with pytest.raises(SpecError, match="max_time"):
        build(bad)
    bad["impute"] = {"method": "panel", "type": "spline"}
    with pytest.raises(SpecError, match="impute.type"):
        build(bad)


def test_example_panel_impute_spec():
    from innometrics.composite.spec import load_spec

    root = Path(__file__).resolve().parents[2]
    panel = build(load_spec(root / "examples" / "asem" / "asem_panel_impute.toml"))
    assert sorted(panel.builds) == [2018, 2019, 2020, 2021, 2022]
    # ASEM_iData_p's gaps are whole series (no value in any year): they stay missing and are listed
    details = panel.builds[2020].log[1]["details"]
    stacked = pd.concat({p: b.stages["denominated"] for p, b in panel.builds.items()}, names=["Time", "uCode"])
    empty = int((stacked.notna().groupby(level="uCode").sum() == 0).to_numpy().sum())
    assert details["n_imputed"] == 0 and sum(len(u) for u in details["series_without_values"].values()) == empty >= 64
    assert (panel.results["Index"].dropna() > 0).all()


def test_unbalanced_panel_a_unit_absent_in_one_period(tmp_path):
    """A unit missing from a period is not filled there (there is no row) and its other periods impute around it."""
    path, data, meta, codes = _gappy_panel(tmp_path)
    data = data[~((data["uCode"] == "AUT") & (data["Time"] == 2020))].copy()
    data.loc[(data["uCode"] == "AUT") & (data["Time"] == 2021), "Flights"] = np.nan
    data.to_csv(path, index=False)
    panel = build(_spec(path, "latest"))
    assert "AUT" not in panel.builds[2020].stages["imputed"].index
    aut_2019 = panel.builds[2019].stages["imputed"].loc["AUT", "Flights"]
    # 2020 is absent, so 2021 takes 2019's value (the nearest earlier observation)
    assert panel.builds[2021].stages["imputed"].loc["AUT", "Flights"] == aut_2019
    lin = build(_spec(path, "linear-constant"))
    f = {p: lin.builds[p].stages["denominated"].loc["AUT", "Flights"] for p in (2019, 2022) if "AUT" in lin.builds[p].stages["denominated"].index}
    got = lin.builds[2021].stages["imputed"].loc["AUT", "Flights"]
    assert np.isfinite([f[2019], f[2022]]).all()
    assert got == pytest.approx(f[2019] + (f[2022] - f[2019]) * (2021 - 2019) / (2022 - 2019))
