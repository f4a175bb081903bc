import pytest
import pandas as pd
from typer.testing import CliRunner

from innometrics.cli.main import app

from innometrics.datasets import bundled_path as bundled

runner = CliRunner()


def test_trends_on_coinr_wide_panel(tmp_path):
    out = tmp_path / "t.csv"
    res = runner.invoke(app, ["trends", str(bundled("asem", "ASEM_iData_p.csv")), "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert list(t.columns) == ["unit", "indicator", "first_period", "last_period", "first_value", "last_value", "multiple", "cagr", "n_points", "note"]
    assert len(t) == 51 * 53
    row = t[(t.unit == "AUT") & (t.indicator == "LPI")].iloc[0]
    assert row["first_value"] == 4.097985 and row["last_value"] == 4.10043732769853
    assert row["cagr"] == (4.10043732769853 / 4.097985) ** (1 / 4) - 1


def test_trends_folder_bundle_with_per_capita(tmp_path):
    out = tmp_path / "bj"
    res = runner.invoke(app, ["trends", str(bundled("beijing", "beijing_2014_2023.csv")), "--out", str(out),
                              "--meta", str(bundled("beijing", "beijing_indicators.csv")),
                              "--per", "resident_population", "--scale", "10000",
                              "--per-indicator", "high_tech_enterprises", "--base-period", "2014", "--no-report"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out / "trends.csv").set_index("indicator")
    assert t.loc["high_tech_enterprises_per_10000_resident_population", "first_value"] == 10400 / 21516000 * 10000
    assert (out / "manifest.json").exists() and (out / "index_panel.csv").exists()
    meta = pd.read_csv(out / "indicators.csv").set_index("code")
    ratio = meta.loc["high_tech_enterprises_per_10000_resident_population"]
    assert ratio["unit"] == "enterprises per 10,000 resident population at year end"
    assert ratio["denominator"] == "resident_population"
    idx = pd.read_csv(out / "index_panel.csv").set_index(["indicator", "period"])["value"]
    assert idx[("invention_patents_per_10k", 2023)] == 262.9 / 48.2 * 100


def test_bad_input_exits_2_without_traceback(write):
    path = write("bad.csv", "unit,period,indicator,value\nBJ,2014,pat,1\nBJ,2014,pat,2\n")
    res = runner.invoke(app, ["trends", str(path), "--out", str(path.parent / "o.csv")])
    assert res.exit_code == 2
    assert "duplicate key" in res.output and "bad.csv" in res.output and "Traceback" not in res.output


def test_help_on_every_command():
    for args in (["--help"], ["trends", "--help"], ["panel", "--help"], ["panel", "validate", "--help"], ["demo", "--help"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0 and "Usage" in res.output


BAD_FILES = {
    "duplicate": ("p.csv", "unit,period,indicator,value\nA,2014,x,1\nA,2014,x,2\n".encode(), [], "duplicate key"),
    "missing_column": ("p.csv", "unit,period,indicator\nA,2014,x\n".encode(), ["--layout", "long"], "lacks required column"),
    "encoding": ("p.csv", "unit,period,indicator,value\n".encode() + "北京,2014,x,1\n".encode("gb18030"), [], "not valid utf-8"),
    "non_numeric_strict": ("p.csv", "unit,period,indicator,value\nA,2014,x,abc\n".encode(), ["--strict"], "non numeric"),
}


def test_every_bad_file_exits_2_with_location(tmp_path):
    for case, (name, content, extra, expected) in BAD_FILES.items():
        path = tmp_path / case / name
        path.parent.mkdir()
        path.write_bytes(content)
        res = runner.invoke(app, ["trends", str(path), "--out", str(tmp_path / f"{case}.csv"), *extra])
        assert res.exit_code == 2, (case, res.output)
        assert expected in res.output and name in res.output and "Traceback" not in res.output, (case, res.output)


def test_hierarchy_errors_exit_2(tmp_path):
    panel = tmp_path / "p.csv"
    panel.write_text("unit,period,indicator,value\nA,2014,x,1\n")
    meta = tmp_path / "m.csv"
    meta.write_text("code,parent\nx,P\nP,x\n")
    res = runner.invoke(app, ["trends", str(panel), "--meta", str(meta), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "cycle" in res.output and "m.csv" in res.output


def test_unknown_indicator_rejected_and_reconciled(tmp_path):
    panel = tmp_path / "p.csv"
    panel.write_text("unit,period,indicator,value\nA,2014,x,1\nA,2015,x,2\nA,2014,y,5\n")
    meta = tmp_path / "m.csv"
    meta.write_text("code,parent\nx,\n")
    out = tmp_path / "o.csv"
    res = runner.invoke(app, ["trends", str(panel), "--meta", str(meta), "--out", str(out)])
    assert res.exit_code == 0
    assert "read 3 = used 2 + rejected 1" in res.output
    rejects = pd.read_csv(tmp_path / "o.rejects.csv")
    assert rejects.loc[0, "reason"] == "unknown_indicator" and rejects.loc[0, "row"] == 4


def test_directional_flips_the_cagr_of_negative_indicators(write):
    """``--directional`` multiplies CAGR by the direction in --meta (COINr get_trends), and only then."""
    panel = write("p.csv", "unit,period,indicator,value\n"
                           "A,2014,pat,100\nA,2018,pat,200\nA,2014,cost,50\nA,2018,cost,80\n")
    meta = write("m.csv", "code,name,direction\npat,Patents,1\ncost,Cost,-1\n")
    cagr = {}
    for flag in ("--directional", "--no-directional"):
        out = panel.parent / f"t{flag}.csv"
        res = runner.invoke(app, ["trends", str(panel), "--meta", str(meta), "--out", str(out), flag])
        assert res.exit_code == 0, res.output
        cagr[flag] = pd.read_csv(out).set_index("indicator")["cagr"]
    plain, directed = cagr["--no-directional"], cagr["--directional"]
    assert plain["pat"] == pytest.approx(2 ** (1 / 4) - 1) and plain["cost"] == pytest.approx(1.6 ** (1 / 4) - 1)
    assert directed["pat"] == pytest.approx(plain["pat"])
    assert directed["cost"] == pytest.approx(-plain["cost"]) and directed["cost"] < 0
