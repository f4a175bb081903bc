"""The Excel export holds the CSVs' numbers, one sheet per table, with units and frozen headers."""

from __future__ import annotations

import json
import math

import openpyxl
import pandas as pd
import pytest

from innometrics.report import render_report
from innometrics.report.context import read_csv
from innometrics.report.excel import sheet_names


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
    expected_sheets = sheet_names(list(tables) + ["about"])
    assert wb.sheetnames == expected_sheets
    for (name, rel), sheet in zip(tables.items(), expected_sheets):
        ws = wb[sheet]
        assert ws.freeze_panes == "A2"
        df = read_csv(folder / rel)
        header = [c.value for c in ws[1]]
        assert [h.split(" [")[0] for h in header] == list(df.columns)
        assert ws.max_row == len(df) + 1
        for j, col in enumerate(df.columns, start=1):
            cells = [ws.cell(row=i + 2, column=j).value for i in range(len(df))]
            mismatch = [(i, a, b) for i, (a, b) in enumerate(zip(df[col].tolist(), cells)) if not _same(a, b)]
            assert not mismatch, (sheet, col, mismatch[:3])
            if pd.api.types.is_float_dtype(df[col]) and len(df):
                # Fractions (share, share_lb, cagr) as percentages, multiples with two decimals.
                expected = next((f for k, f in {"share": "0.00%", "cagr": "0.00%", "multiple": "0.00"}.items()
                                 if col == k or str(col).startswith(k + "_")), "#,##0.00##")
                assert ws.cell(row=2, column=j).number_format == expected, (sheet, col)
    about = {r[0]: r[1] for r in wb[expected_sheets[-1]].iter_rows(min_row=2, values_only=True)}
    assert about["kind"] == kind and about["count read"] == "10"


def test_units_in_headers(make_results, tmp_path):
    render_report(make_results("rank"), tmp_path / "r.html", xlsx=tmp_path / "r.xlsx")
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "r.xlsx")["countries"][1]]
    assert "p_frac [records, fractional count]" in header
    assert "share [fraction of all credit]" in header


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["stages/normalised", "a" * 40, "a" * 40, "x:y?", "about"])
    assert names[0] == "stages_normalised"
    assert len(names[1]) == 31 and names[2].endswith("~2") and len(names[2]) == 31
    assert names[3] == "x_y_"
    assert len(set(n.lower() for n in names)) == len(names)
