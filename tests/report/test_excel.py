"""The workbook: the CSVs' numbers, one sheet per table, formats by meaning, a README with provenance."""

from __future__ import annotations

import json
import math

import openpyxl
import pytest

from innometrics.report import render_report
from innometrics.report.context import ResultsDir, read_csv
from innometrics.report.excel import export_excel, sheet_names


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        # openpyxl stores numbers with 16 significant digits ("%.16g"), Excel shows 15.
        return isinstance(b, (int, float)) and math.isclose(float(a), float(b), rel_tol=1e-15, abs_tol=0.0)
    return str(a) == str(b)


@pytest.mark.parametrize("kind", ["trends", "index", "rank", "achievements", "cities"])
def test_workbook_numbers_equal_the_csvs(make_results, tmp_path, kind):
    folder = make_results(kind)
    xlsx = tmp_path / f"{kind}.xlsx"
    render_report(folder, tmp_path / "r.html", xlsx=xlsx)
    wb = openpyxl.load_workbook(xlsx)
    tables = {k: v for k, v in json.loads((folder / "manifest.json").read_text())["tables"].items() if (folder / v).is_file()}
    expected_sheets = sheet_names(["README"] + list(tables))
    assert wb.sheetnames == expected_sheets
    for (name, rel), sheet in zip(tables.items(), expected_sheets[1:]):
        ws = wb[sheet]
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1])
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
        df = read_csv(folder / rel)
        header = [c.value.split(" [")[0] for c in ws[1]]
        if kind == "trends" and name == "trends":
            assert header[header.index("indicator") + 1] == "measure"  # the unit of measure beside the indicator
            header.remove("measure")
        assert header == list(df.columns)
        assert ws.max_row == len(df) + 1
        for col in df.columns:
            j = [c.value.split(" [")[0] for c in ws[1]].index(col) + 1
            cells = [ws.cell(row=i + 2, column=j).value for i in range(len(df))]
            mismatch = [(i, a, b) for i, (a, b) in enumerate(zip(df[col].tolist(), cells)) if not _same(a, b)]
            assert not mismatch, (sheet, col, mismatch[:3])
    readme = {r[0]: r[1] for r in wb["README"].iter_rows(min_row=2, values_only=True)}
    assert readme["kind"] == kind and readme["count read"] == "10"
    assert any(k.startswith("log ") for k in readme) and any(k.startswith("spec line") for k in readme)
    assert any(k.startswith("input ") and v.startswith("sha256 ") for k, v in readme.items())


def test_formats_follow_meaning_not_dtype(make_results, tmp_path):
    # Ranks and counts whole, shares in %, as the HTML says (issue 15: ranks "1.00", proportions 0.24).
    render_report(make_results("rank"), tmp_path / "r.html", xlsx=tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["countries"]
    fmt = {c.value.split(" [")[0]: ws.cell(row=2, column=c.column).number_format for c in ws[1]}
    assert fmt["rank"] == "0" and fmt["rank_ub"] == "0"
    assert fmt["p_full"] == "#,##0"
    assert fmt["share"].endswith("%") and fmt["pp_top10"].endswith("%")
    assert fmt["p_frac"] == "#,##0.00"
    header = [c.value for c in ws[1]]
    assert "p_frac [records, fractional count]" in header


def test_ids_stay_plain(make_results, tmp_path):
    # geonameid 2867714 is an id: no separators, no decimals (was "2,867,714.00").
    folder = make_results("cities")
    import pandas as pd

    geo = pd.DataFrame({"unit": ["Munich (DE 2867714)"], "geonameid": [2867714], "latitude": [48.13743]})
    geo.to_csv(folder / "geocoded.csv", index=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["geocoded"] = "geocoded.csv"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    export_excel(ResultsDir.open(folder), tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx")["geocoded"]
    assert ws["B2"].value == 2867714 and ws["B2"].number_format == "0"


def test_workbook_is_byte_identical(make_results, tmp_path):
    folder = make_results("index")
    a = export_excel(ResultsDir.open(folder), tmp_path / "a.xlsx").read_bytes()
    b = export_excel(ResultsDir.open(folder), tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["stages/normalised", "a" * 40, "a" * 40, "x:y?", "about"])
    assert names[0] == "stages_normalised"
    assert len(names[1]) == 31 and names[2].endswith("~2") and len(names[2]) == 31
    assert names[3] == "x_y_"
    assert len(set(n.lower() for n in names)) == len(names)
