"""Report sections of an index over time and of leave-one-out (innometrics.report.panel_index)."""

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from innometrics.cli.main import app
from innometrics.composite import build, write_build
from innometrics.composite.timeseries import write_timeseries
from innometrics.report import render_report

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _panel_folder(tmp_path):
    rows = [("A", 2010, 10.0, 4.0), ("A", 2011, 15.0, 6.0), ("A", 2012, 30.0, 8.0),
            ("B", 2010, 20.0, 5.0), ("B", 2011, 10.0, 10.0), ("B", 2012, 40.0, 20.0)]
    data = pd.DataFrame(rows, columns=["uCode", "Time", "x", "y"])
    data.insert(0, "uName", data["uCode"] + " land")
    data.to_csv(tmp_path / "iData.csv", index=False)
    pd.DataFrame({"Level": [1, 1, 2], "iCode": ["x", "y", "Index"], "iName": ["X", "Y", "Index"], "Direction": [1, 1, 1],
                  "Weight": [3.0, 1.0, 1.0], "Parent": ["Index", "Index", None],
                  "Type": ["Indicator", "Indicator", "Aggregate"]}).to_csv(tmp_path / "iMeta.csv", index=False)
    panel = build({"data": {"indicators": str(tmp_path / "iData.csv"), "meta": str(tmp_path / "iMeta.csv"), "period": "all"},
                   "normalise": {"method": "index", "base_period": 2010}, "aggregate": {"method": "arithmetic"}})
    out = tmp_path / "out"
    write_build(panel, out)
    write_timeseries(panel, out)
    return out


def test_panel_report_shows_paths_growth_ranks_and_decomposition(tmp_path):
    html = render_report(_panel_folder(tmp_path), highlight=["A"]).read_text(encoding="utf-8")
    for title in ("Index over time", "Growth since the base", "Rank changes", "Dimension decomposition"):
        assert f"<h2>{title}</h2>" in html
    # A: 100 -> 275 (0.75 * 300 + 0.25 * 200)
    assert "<strong>A land</strong>: 100.0 in 2010, 275.0 in 2012: x2.75 (+175 %)" in html
    assert "every unit is 100 in 2010 (dotted line)" in html


def test_leave_out_command_and_its_chart(tmp_path):
    out = tmp_path / "loo"
    res = runner.invoke(app, ["index", "leave-out", str(ROOT / "examples" / "asem" / "asem.toml"), "--level", "2",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    mac = pd.read_csv(out / "leave_one_out" / "mean_abs_change.csv").set_index("removed")["mean_abs_rank_change"]
    assert abs(mac["Social"] - 3.96078431372549) < 1e-12  # COINr's remove_elements on its example
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Leave one out</h2>" in html and "Mean absolute rank shift when the element is removed" in html
    assert "largest mean absolute rank change 3.96 (Social)" in res.output.replace("\n", " ")


def test_compare_and_strengths_commands_match_coinr(tmp_path):
    spec = ROOT / "examples" / "asem" / "asem.toml"
    res = runner.invoke(app, ["index", "compare", str(spec), str(ROOT / "examples" / "asem" / "asem_geometric.toml"),
                              "--out", str(tmp_path / "cmp.csv")])
    assert res.exit_code == 0, res.output
    ours = pd.read_csv(tmp_path / "cmp.csv")
    ref = pd.read_csv(ROOT / "tests" / "data" / "coinr_reference" / "toolbox" / "compare_amean_vs_gmean_minmax1.csv")
    assert ours["diff"].tolist() == ref["Diff"].tolist()
    res = runner.invoke(app, ["index", "strengths", str(spec), "--unit", "GBR", "--out", str(tmp_path / "gbr")])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "gbr" / "weaknesses.csv")["Code"].tolist() == ["TolMin", "TBTs", "Renew", "PubDebt", "GDPGrow"]
