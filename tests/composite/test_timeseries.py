"""An index over time: paths, rank changes, growth readings, additive dimension contributions."""

import numpy as np
import pandas as pd
import pytest

from innometrics.composite import build
from innometrics.composite.timeseries import contributions, growth_readings, index_paths, write_timeseries


def _files(tmp_path):
    rows = [("A", 2010, 10.0, 4.0), ("A", 2011, 15.0, 6.0), ("A", 2012, 30.0, 8.0),
            ("B", 2010, 20.0, 5.0), ("B", 2011, 10.0, 10.0), ("B", 2012, 40.0, 20.0)]
    data = pd.DataFrame(rows, columns=["uCode", "Time", "x", "y"])
    data.insert(0, "uName", data["uCode"] + " land")
    data.to_csv(tmp_path / "iData.csv", index=False)
    pd.DataFrame({"Level": [1, 1, 2], "iCode": ["x", "y", "Index"], "iName": ["X", "Y", "Index"], "Direction": [1, 1, 1],
                  "Weight": [3.0, 1.0, 1.0], "Parent": ["Index", "Index", None],
                  "Type": ["Indicator", "Indicator", "Aggregate"]}).to_csv(tmp_path / "iMeta.csv", index=False)
    return {"indicators": str(tmp_path / "iData.csv"), "meta": str(tmp_path / "iMeta.csv"), "period": "all"}


@pytest.fixture
def panel(tmp_path):
    return build({"data": _files(tmp_path), "normalise": {"method": "index", "base_period": 2010},
                  "aggregate": {"method": "arithmetic"}})


def test_growth_reading_as_multiple_percentage_and_cagr(panel):
    g = growth_readings(panel).set_index("uCode")
    # A 2012: x 300, y 200; weights 3:1 -> 0.75 * 300 + 0.25 * 200 = 275
    assert g.loc["A", "value"] == pytest.approx(275.0) and g.loc["A", "base_value"] == 100.0
    assert g.loc["A", "multiple"] == pytest.approx(2.75) and g.loc["A", "percent_change"] == pytest.approx(175.0)
    assert g.loc["A", "cagr"] == pytest.approx(2.75 ** 0.5 - 1)
    assert g.loc["A", "uName"] == "A land"


def test_paths_and_rank_changes(panel):
    p = index_paths(panel)
    # 2011: A = .75*150 + .25*150 = 150, B = .75*50 + .25*200 = 87.5 -> A first; 2012: A 275, B = .75*200 + .25*400 = 250
    a = p[p["uCode"] == "A"].set_index("Time")
    assert a["Index"].tolist() == pytest.approx([100.0, 150.0, 275.0])
    assert a["Rank"].tolist() == [1, 1, 1] and pd.isna(a.loc[2010, "rank_change"]) and a.loc[2012, "rank_change"] == 0


def test_contributions_add_up_to_the_change(panel, tmp_path):
    c = contributions(panel)
    a12 = c[(c["uCode"] == "A") & (c["Time"] == 2012)].set_index("dimension")
    assert a12.loc["x", "contribution"] == pytest.approx(0.75 * 200) and a12.loc["y", "contribution"] == pytest.approx(0.25 * 100)
    total = c.groupby(["uCode", "Time"])["contribution"].sum()
    paths = index_paths(panel).set_index(["uCode", "Time"])["Index"]
    np.testing.assert_allclose(total.loc[paths.index], paths - 100.0, atol=1e-12)
    tables = write_timeseries(panel, tmp_path / "out")
    assert set(tables) == {"timeseries_paths", "timeseries_growth", "timeseries_contributions"}
    assert (tmp_path / "out" / "timeseries" / "contributions.csv").exists()


def test_no_contributions_for_a_geometric_top(tmp_path):
    geo = build({"data": _files(tmp_path), "normalise": {"method": "index", "base_period": 2010},
                 "aggregate": {"method": "geometric"}})
    assert contributions(geo) is None
