"""Base-period index normalisation (``[normalise] method = "index"``), worked by hand."""

import numpy as np
import pandas as pd
import pytest

from innometrics.composite import build
from innometrics.composite.normalise import index, normalise_frame
from innometrics.errors import SpecError

NA = np.nan


def _panel_files(tmp_path):
    """Two units, three years, two indicators (one negative), one aggregate."""
    rows = [
        # uCode, Time, up, down
        ("A", 2010, 10.0, 4.0), ("A", 2011, 15.0, 2.0), ("A", 2012, 30.0, 1.0),
        ("B", 2010, 20.0, 5.0), ("B", 2011, 10.0, 10.0), ("B", 2012, NA, 0.0),
        ("C", 2010, 0.0, NA), ("C", 2011, 4.0, 3.0), ("C", 2012, 8.0, 6.0),
    ]
    data = pd.DataFrame(rows, columns=["uCode", "Time", "up", "down"])
    data.insert(0, "uName", data["uCode"])
    data.to_csv(tmp_path / "iData.csv", index=False)
    meta = pd.DataFrame({
        "Level": [1, 1, 2], "iCode": ["up", "down", "Index"], "iName": ["Up", "Down", "Index"],
        "Direction": [1, -1, 1], "Weight": [1.0, 1.0, 1.0], "Parent": ["Index", "Index", None],
        "Type": ["Indicator", "Indicator", "Aggregate"],
    })
    meta.to_csv(tmp_path / "iMeta.csv", index=False)
    return {"indicators": str(tmp_path / "iData.csv"), "meta": str(tmp_path / "iMeta.csv")}


def test_index_formula_and_undefined_cases():
    np.testing.assert_allclose(index(np.array([15.0, 30.0]), base=np.array([10.0, 10.0])), [150.0, 300.0])
    np.testing.assert_allclose(index(np.array([2.0, 1.0]), base=np.array([4.0, 4.0]), direction=-1), [200.0, 400.0])
    y = index(np.array([1.0, 1.0, 0.0, NA]), base=np.array([NA, 0.0, 5.0, 5.0]), direction=-1)
    assert np.isnan(y).all()


def test_base_period_growth_index(tmp_path):
    panel = build({"data": {**_panel_files(tmp_path), "period": "all"},
                   "normalise": {"method": "index", "base_period": 2010}, "aggregate": {"method": "arithmetic"}})
    n = {p: b.stages["normalised"] for p, b in panel.builds.items()}
    assert n[2010].loc["A"].tolist() == [100.0, 100.0]
    # A: up 10 -> 30 reads 300; down 4 -> 1 (a negative indicator falling to a quarter) reads 400
    assert n[2012].loc["A"].tolist() == [300.0, 400.0]
    assert panel.builds[2012].stages["aggregated"].loc["A", "Index"] == 350.0
    # B: up missing in 2012; down 0 in 2012 (negative indicator: 100 * 5 / 0 undefined)
    assert np.isnan(n[2012].loc["B"]).all()
    # C: up's base is 0, down's base missing -> undefined in every year, noted in the log
    assert np.isnan(n[2011].loc["C"]).all()
    notes = panel.builds[2011].log[-2]["details"]["undefined_index"]
    assert notes == {"up": ["C"], "down": ["C"]}
    assert panel.builds[2012].log[-2]["details"]["undefined_index"] == {"up": ["C"], "down": ["B", "C"]}
    # a single period indexed on the base period is that period of the panel
    one = build({"data": {**_panel_files(tmp_path), "period": 2011},
                 "normalise": {"method": "index", "base_period": 2010}, "aggregate": {"method": "arithmetic"}})
    pd.testing.assert_frame_equal(one.stages["aggregated"], panel.builds[2011].stages["aggregated"])


def test_reference_unit_base(tmp_path):
    files = _panel_files(tmp_path)
    same_period = build({"data": {**files, "period": 2011}, "normalise": {"method": "index", "base": "unit:A"}})
    assert same_period.stages["normalised"].loc["B"].tolist() == [100 * 10 / 15, 100 * 2 / 10]
    assert same_period.stages["normalised"].loc["A"].tolist() == [100.0, 100.0]
    # unit A in 2010 as the base of every unit and year
    panel = build({"data": {**files, "period": "all"}, "normalise": {"method": "index", "base": "unit:A", "base_period": 2010}})
    assert panel.builds[2012].stages["normalised"].loc["C"].tolist() == [80.0, 100 * 4 / 6]


def test_index_spec_errors(tmp_path):
    files = _panel_files(tmp_path)
    with pytest.raises(SpecError, match="needs 'base_period'"):
        build({"data": {**files, "period": "all"}, "normalise": {"method": "index"}})
    with pytest.raises(SpecError, match="normalise.base"):
        build({"data": {**files, "period": "all"}, "normalise": {"method": "index", "base": "CN-BJ"}})
    with pytest.raises(SpecError, match="not a period"):
        build({"data": {**files, "period": "all"}, "normalise": {"method": "index", "base_period": 1999}})
    with pytest.raises(SpecError, match="base unit 'Z'"):
        build({"data": {**files, "period": 2011}, "normalise": {"method": "index", "base": "unit:Z"}})
    with pytest.raises(SpecError, match="'base_period' is not used by method 'minmax'"):
        build({"data": {**files, "period": "all"}, "normalise": {"method": "minmax", "base_period": 2010}})


def test_individual_indicator_on_an_index():
    data = pd.DataFrame({"up": [10.0, 20.0], "down": [1.0, 2.0]}, index=pd.Index(["A", "B"], name="uCode"))
    meta = pd.DataFrame({"Direction": [1, 1]}, index=["up", "down"])
    out = normalise_frame(data, meta, {"method": "minmax", "individual": {"up": {"method": "index", "base": "unit:B"}}})
    assert out["up"].tolist() == [50.0, 100.0] and out["down"].tolist() == [0.0, 100.0]


def test_rebuilding_one_period_of_a_base_period_index(tmp_path):
    from innometrics.composite import rebuild

    files = _panel_files(tmp_path)
    one = build({"data": {**files, "period": 2012}, "normalise": {"method": "index", "base_period": 2010}})
    # changing the base period re-reads the panel; A's up: 30 / 15 = 200 on 2011
    again = rebuild(one, normalise={"base_period": 2011})
    assert again.stages["normalised"].loc["A", "up"] == 200.0 and again.period == 2012
    with pytest.raises(SpecError, match="period 1999 is not in the data"):
        build({"data": {**files, "period": 1999}, "normalise": {"method": "index", "base_period": 2010}})


def test_base_unit_code_may_hold_a_colon():
    """Only the first ':' separates "unit:" from the code (a code like "CN:BJ" stays whole)."""
    data = pd.DataFrame({"up": [10.0, 20.0, 40.0]}, index=pd.Index(["CN:BJ", "CN:SH", "US"], name="uCode"))
    meta = pd.DataFrame({"Direction": [1]}, index=["up"])
    out = normalise_frame(data, meta, {"method": "index", "base": "unit:CN:SH"})
    assert out["up"].tolist() == [50.0, 100.0, 200.0]


def test_index_errors_name_the_file_and_key():
    data = pd.DataFrame({"up": [10.0, 20.0]}, index=pd.Index(["A", "B"], name="uCode"))
    meta = pd.DataFrame({"Direction": [1]}, index=["up"])
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "index", "base_period": 2010}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.base_period")
    assert str(err.value) == ("spec.toml: key 'normalise.base_period': "
                              'base_period needs a panel: build with [data] period = "all".')
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "index", "base": "unit:Z"}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.base")
    assert str(err.value) == "spec.toml: key 'normalise.base': base unit 'Z' is not among the units (A, B, ...)."
    # the message lists the first 8 units in order
    many = pd.DataFrame({"up": np.arange(1.0, 11.0)}, index=pd.Index([f"U{i}" for i in range(10)], name="uCode"))
    with pytest.raises(SpecError, match=r"among the units \(U0, U1, U2, U3, U4, U5, U6, U7, \.\.\.\)\.$"):
        normalise_frame(many, meta, {"method": "index", "base": "unit:Z"})
    panel = pd.DataFrame({"up": [10.0, 20.0]},
                         index=pd.MultiIndex.from_tuples([(2010, "A"), (2011, "A")], names=["Time", "uCode"]))
    with pytest.raises(SpecError) as err:
        normalise_frame(panel, meta, {"method": "index", "base_period": 1999}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.base_period")
    assert "base_period 1999 is not a period of the data (2010, 2011)." in str(err.value)


def test_index_notes_name_each_lost_cell():
    from innometrics.composite.normalise import index_notes

    before = pd.DataFrame({"up": [1.0, 2.0, NA], "down": [1.0, 2.0, 3.0]}, index=pd.Index(["AB", "CD", "EF"], name="uCode"))
    after = pd.DataFrame({"up": [NA, 2.0, NA], "down": [1.0, 2.0, 3.0]}, index=before.index)
    assert index_notes(before, after, ["up", "down"]) == {"up": ["AB"]}
    idx = pd.MultiIndex.from_tuples([(2010, "AB"), (2011, "AB")], names=["Time", "uCode"])
    before = pd.DataFrame({"up": [1.0, 2.0]}, index=idx)
    after = pd.DataFrame({"up": [1.0, NA]}, index=idx)
    assert index_notes(before, after, ["up"]) == {"up": ["AB@2011"]}


def test_reference_unit_of_the_same_period_in_a_panel():
    """Without base_period, a panel row is indexed on the reference unit in the row's own period."""
    idx = pd.MultiIndex.from_tuples([(2010, "A"), (2010, "B"), (2011, "A"), (2011, "B")], names=["Time", "uCode"])
    data = pd.DataFrame({"up": [10.0, 20.0, 40.0, 20.0]}, index=idx)
    meta = pd.DataFrame({"Direction": [1]}, index=["up"])
    out = normalise_frame(data, meta, {"method": "index", "base": "unit:A"})
    assert out["up"].tolist() == [100.0, 200.0, 100.0, 50.0]
