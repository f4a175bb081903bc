"""Spec validation, rank_build / write_rank, the CLI, and a real Web of Science export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from innometrics.errors import SpecError
from innometrics.rankings.pipeline import rank_build, write_rank
from innometrics.rankings.spec import load_spec

from rank_samples import toy_records

DATA = Path(__file__).resolve().parents[1] / "data" / "bibliographic"


def spec(**count):
    base = {"method": "fractional", "levels": ["country", "institution"]}
    base.update(count)
    return {"records": {"path": "unused"}, "count": base}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"records": {"path": "x"}, "count": {"metod": "full"}}, "unknown key"),
        ({"records": {"path": "x"}, "count": {"method": "harmonic"}}, "unknown counting method 'harmonic'"),
        ({"records": {"path": "x"}, "count": {"levels": ["region"]}}, "unknown level 'region'"),
        ({"records": {"path": "x"}, "count": {"years": [2024, 2015]}}, "first year must not be after"),
        ({"records": {"path": "x", "format": "bibtex"}}, "unknown format 'bibtex'"),
        ({"records": {"path": "x"}, "stability": {"resamples": 0}}, "positive whole number"),
        ({"records": {"path": "x"}, "ranking": {}}, "unknown section"),
        ({"count": {}}, "records.path"),
    ],
)
def test_spec_errors_say_what_and_where(data, message):
    with pytest.raises(SpecError, match=message):
        load_spec(data)


def test_spec_resolves_paths_against_its_folder(tmp_path):
    (tmp_path / "s.toml").write_text('[records]\npath = "recs.txt"\n[count]\nyears = 2020\n', encoding="utf-8")
    s = load_spec(tmp_path / "s.toml")
    assert s.records_path == str((tmp_path / "recs.txt").resolve())
    assert s.years == (2020, 2020) and s.method == "fractional" and s.resamples == 0
    assert load_spec(s.to_dict()).to_dict() == s.to_dict()


def test_years_window_rejects_and_reconciles():
    result = rank_build(spec(years=[2020, 2021]), recordset=toy_records())
    assert result.summary["counts"] == {"read": 5, "used": 4, "rejected": 1}
    assert result.rejects["reason"].tolist() == ["outside_years"]
    assert result.rejects["record_id"].tolist() == ["R5"]
    country = result.levels["country"].set_index("unit")
    assert country.loc["CHE", "p_frac"] == pytest.approx(4 / 3)
    assert country.loc["CHE", "rank"] == 1
    assert result.summary["total_weight"] == 5.0
    assert all(v["reconciled"] for v in result.summary["levels"].values())
    assert "CHE" in repr(result) and "read=5 used=4 rejected=1" in repr(result)


def test_write_rank_outputs_and_is_reproducible(tmp_path):
    mapping = tmp_path / "metro.csv"
    mapping.write_text("unit,group,group_name\nCambridge, USA,BOS,Boston area\nOxford, GBR,BOS,Boston area\n"
                       .replace("Cambridge, USA", '"Cambridge, USA"').replace("Oxford, GBR", '"Oxford, GBR"'),
                       encoding="utf-8")
    data = spec(method="full", levels=["country", "metro"], windows=[[2020, 2021], [2022, 2022]])
    data["groupings"] = {"metro": {"from": "city", "file": str(mapping)}}
    data["stability"] = {"resamples": 200, "seed": 3}
    outs = []
    for run in ("a", "b"):
        result = rank_build(data, recordset=toy_records())
        outs.append(write_rank(result, tmp_path / run))
    files = sorted(p.name for p in outs[0].iterdir())
    assert files == ["country.csv", "credits.csv", "manifest.json", "metro.csv", "records.csv", "rejects.csv",
                     "summary.json", "windows_country.csv", "windows_metro.csv", "yearly_country.csv",
                     "yearly_metro.csv"]
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    country = pd.read_csv(outs[0] / "country.csv", keep_default_na=False)
    assert list(country.columns[:6]) == ["rank", "unit", "name", "p_full", "p_frac", "share"]
    assert country["unit"].tolist()[:4] == ["USA", "CHE", "CHN", "GBR"]
    assert country["rank"].tolist()[:4] == ["1", "2", "3", "3"]  # keep_default_na: unknown has ""
    assert {"rank_lb", "rank_ub", "p_full_lb", "p_full_ub"} <= set(country.columns)
    metro = pd.read_csv(outs[0] / "metro.csv").set_index("unit")
    assert metro.loc["BOS", "p_full"] == 4.0 and metro.loc["BOS", "name"] == "Boston area"
    windows = pd.read_csv(outs[0] / "windows_country.csv")
    assert windows[windows["window"] == "2022-2022"].set_index("unit")["p_full"].to_dict() == {
        "CHE": 1.0, "CHN": 1.0, "USA": 1.0}
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["kind"] == "rank" and manifest["counts"] == {"read": 5, "used": 5, "rejected": 0}
    assert manifest["tables"]["country"] == "country.csv"
    assert [step["step"] for step in manifest["log"]][:3] == ["read", "select", "load"]
    credits = pd.read_csv(outs[0] / "credits.csv")
    assert credits[(credits["level"] == "country")]["p_frac"].sum() == pytest.approx(6.0)
    records = pd.read_csv(outs[0] / "records.csv")
    assert len(records) == 5 and {"record_id", "year", "title"} <= set(records.columns)
    assert set(credits["record_id"]) <= set(records["record_id"])


def test_cli_rank_build(tmp_path):
    from innometrics.cli.main import app

    toy_records().to_parquet(tmp_path / "tables")
    spec_path = tmp_path / "rank.toml"
    spec_path.write_text('[records]\npath = "tables"\nformat = "tables"\n[count]\nmethod = "fractional"\n'
                         'levels = ["country", "city"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["rank", "build", str(spec_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "read 5 = used 4 + rejected 1" in result.output  # R4 has no author: rejected by the reader
    table = pd.read_csv(tmp_path / "out" / "country.csv")
    assert table.set_index("unit").loc["CHE", "p_frac"] == pytest.approx(1.5)
    bad = CliRunner().invoke(app, ["rank", "build", str(spec_path), "--out", str(tmp_path / "o2"), "--engine", "oracle"])
    assert bad.exit_code == 2 and "unknown engine 'oracle'" in bad.output


def test_wos_export_counts_reconcile():
    result = rank_build({"records": {"path": str(DATA / "wos_biblium_500.txt"), "format": "wos"},
                         "count": {"method": "fractional", "levels": ["country", "institution", "city"]}})
    c = result.summary["counts"]
    assert c["read"] == c["used"] + c["rejected"] == 500
    for level, table in result.levels.items():
        assert table["p_frac"].sum() == pytest.approx(result.summary["total_weight"], abs=1e-6), level
        assert result.summary["levels"][level]["reconciled"]
        ranks = table["rank"].dropna().astype(int).tolist()
        assert ranks == sorted(ranks) and ranks[0] == 1


def test_engine_names(tmp_path):
    from innometrics.rankings.engines import connect

    eng = connect(f"duckdb:{tmp_path / 'ranks.duckdb'}")
    assert (eng.name, eng.target) == ("duckdb", str(tmp_path / "ranks.duckdb"))
    eng.close()
    assert (tmp_path / "ranks.duckdb").exists()
    with pytest.raises(SpecError, match="unknown engine 'postgres'"):
        connect("postgres")


def test_database_file_engine_gives_the_same_ranking(tmp_path):
    a = rank_build(spec(), recordset=toy_records())
    b = rank_build(spec(), recordset=toy_records(), engine=f"duckdb:{tmp_path / 'x.duckdb'}")
    pd.testing.assert_frame_equal(a.levels["country"], b.levels["country"])


def test_memory_limit_reaches_duckdb_and_bad_ones_are_spec_errors(tmp_path):
    from innometrics.rankings.engines import connect

    eng = connect(f"duckdb:{tmp_path / 'ranks.duckdb'}", memory_limit="512MiB")
    assert eng.con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "512.0 MiB"
    eng.close()
    eng = connect("duckdb", memory_limit="1GB")  # DuckDB counts GB as 1000^3: 953.6 MiB
    assert eng.con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"
    eng.close()
    with pytest.raises(SpecError, match="memory limit 'lots' is not a size"):
        connect("duckdb", memory_limit="lots")
    with pytest.raises(SpecError, match="applies to the DuckDB engine, not 'spark"):
        connect("spark://127.0.0.1:7077", memory_limit="4GB")


def test_rank_build_opens_its_engine_with_the_memory_limit(tmp_path, monkeypatch):
    import innometrics.rankings.pipeline as pipeline

    opened = []
    real_connect = pipeline.connect
    monkeypatch.setattr(pipeline, "connect", lambda name, **kw: opened.append((name, kw)) or real_connect(name, **kw))
    result = rank_build(spec(), recordset=toy_records(), engine=f"duckdb:{tmp_path / 'x.duckdb'}", memory_limit="1GB")
    assert opened == [(f"duckdb:{tmp_path / 'x.duckdb'}", {"memory_limit": "1GB"})]
    assert [e["params"]["memory_limit"] for e in result.log if e["step"] == "load"] == ["1GB"]
    with pytest.raises(SpecError, match="memory limit 'lots' is not a size"):
        rank_build(spec(), recordset=toy_records(), memory_limit="lots")
    from innometrics.rankings.engines import connect

    eng = connect("duckdb")
    with pytest.raises(SpecError, match="not an open engine"):
        rank_build(spec(), recordset=toy_records(), engine=eng, memory_limit="1GB")
    eng.close()


def test_cli_rank_build_with_a_memory_limit(tmp_path):
    from innometrics.cli.main import app

    toy_records().to_parquet(tmp_path / "tables")
    spec_path = tmp_path / "rank.toml"
    spec_path.write_text('[records]\npath = "tables"\nformat = "tables"\n[count]\nmethod = "fractional"\n'
                         'levels = ["country"]\n', encoding="utf-8")
    args = ["rank", "build", str(spec_path), "--no-report", "--engine", f"duckdb:{tmp_path / 'r.duckdb'}"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--memory-limit", "1GB"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "country.csv")
    assert table.set_index("unit").loc["CHE", "p_frac"] == pytest.approx(1.5)
    bad = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o2"), "--memory-limit", "ten gigs"])
    assert bad.exit_code == 2 and "memory limit 'ten gigs' is not a size" in bad.output
    assert not (tmp_path / "o2").exists()
