"""CLI defects of issue 15: help text, Excel on every build, folders that would overwrite each
other, inputs rejected whole, semicolon CSVs, --base-period in file mode, no Python reprs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from innometrics.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
VIEWS_SPEC = ROOT / "examples" / "views" / "designations.toml"
BEIJING = ROOT / "src" / "innometrics" / "data" / "beijing"


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [["index", "build"], ["rank", "build"], ["trends"]])
def test_help_keeps_toml_sections_and_shows_flags_plainly(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    text = result.output
    assert "<bool>" not in text
    if command == ["index", "build"]:
        assert "[data], [denominate], [impute]" in text  # Rich markup used to eat these: ", , , , ,"
    if command == ["rank", "build"]:
        assert "[records], [count]" in text and "\\[" not in text
    if command == ["trends"]:
        assert re.search(r"--strict\s+Stop", text)


@pytest.mark.parametrize("command", [["index", "build"], ["index", "audit"], ["index", "sensitivity"], ["rank", "build"],
                                     ["achievements", "build"], ["trends"], ["views", "cities"], ["views", "clusters"],
                                     ["views", "nature-index"], ["views", "designations"]])
def test_every_build_command_offers_xlsx(command):
    assert "--xlsx" in run(*command, "--help").output


def test_views_refuse_to_overwrite_another_kind(tmp_path):
    out = tmp_path / "views"
    first = run("views", "designations", VIEWS_SPEC, "--out", out, "--no-report")
    assert first.exit_code == 0, first.output
    before = (out / "manifest.json").read_bytes()
    second = run("views", "cities", VIEWS_SPEC, "--out", out, "--no-report")
    assert second.exit_code == 2
    assert "already holds designations results" in second.output
    assert (out / "manifest.json").read_bytes() == before


def test_designations_cli_writes_workbook_and_prints_tables_not_frames(tmp_path):
    out = tmp_path / "des"
    result = run("views", "designations", VIEWS_SPEC, "--out", out, "--xlsx", tmp_path / "des.xlsx")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "des.xlsx")
    assert wb.sheetnames[0] == "README" and "institution" in wb.sheetnames
    assert "Designation counts" in (out / "report.html").read_text(encoding="utf-8")
    # A Rich table, not pandas' to_string ("7.200000", index columns).
    assert "│" in result.output or "┃" in result.output
    assert not re.search(r"\d\.\d{6}\b", result.output)
    assert "RankResult(" not in result.output and "<CleanedPanel" not in result.output


def test_panel_rejected_whole_exits_2_with_the_reason(tmp_path):
    panel = tmp_path / "bad.csv"
    panel.write_text("unit,period,indicator,value\nCN-BJ,2014,patents,n/a\nCN-BJ,2015,patents,x\n", encoding="utf-8")
    result = run("trends", panel, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "every one of the 2 observations was rejected" in result.output
    assert "non_numeric (2)" in result.output


def test_semicolon_csv_gets_a_delimiter_hint(tmp_path):
    panel = tmp_path / "semi.csv"
    panel.write_text("uCode;Time;patents\nCN-BJ;2014;48.2\nCN-BJ;2023;262.9\n", encoding="utf-8")
    result = run("trends", panel, "--out", tmp_path / "t.csv")
    assert result.exit_code == 2
    assert "separated by ';'" in result.output


def test_base_period_in_file_mode(tmp_path):
    out = tmp_path / "trends.csv"
    result = run("trends", BEIJING / "beijing_2014_2023.csv", "--meta", BEIJING / "beijing_indicators.csv",
                 "--out", out, "--base-period", "2014")
    assert result.exit_code == 0, result.output
    index = tmp_path / "trends.index_panel.csv"
    assert index.is_file()
    import pandas as pd

    df = pd.read_csv(index)
    base = df[df["period"] == 2014]
    assert len(base) and (base["value"].round(9) == 100).all()


def test_rank_build_with_every_record_rejected_exits_2_with_the_reason(tmp_path):
    works = tmp_path / "works.jsonl"
    works.write_text('{"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": []}\n'
                     '{"id": "https://openalex.org/W2", "publication_year": 2021, "authorships": []}\n',
                     encoding="utf-8")
    spec = tmp_path / "rank.toml"
    spec.write_text('[records]\npath = "works.jsonl"\nformat = "openalex"\n'
                    '[count]\nmethod = "fractional"\nlevels = ["country"]\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run("rank", "build", spec, "--out", out)
    assert result.exit_code == 2, result.output
    assert "every one of the 2 records was rejected" in result.output
    assert not out.exists()
