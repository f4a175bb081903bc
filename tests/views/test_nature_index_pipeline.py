"""The Nature Index view end to end on the bundled Web of Science exports (build_nature_index).

Kept apart from test_nature_index.py, whose fast tests run against each mutant of
views/nature_index.py (tools/mutation.py): these build the whole view (~40 s a run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_nature_index_view_on_real_wos_export(tmp_path):
    from innometrics.views.pipeline import build_nature_index

    out = build_nature_index(ROOT / "examples" / "views" / "wos_cities_clusters.toml", tmp_path / "ni")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["additive"] and summary["sum_share"] == pytest.approx(summary["total_weight"])
    leaders = pd.read_csv(out / "leaders.csv")
    assert leaders.iloc[0]["unit"] == "CHN"
    assert (out / "adjusted_share.csv").exists() and (out / "collaboration.csv").exists()
    assert json.loads((out / "manifest.json").read_text())["kind"] == "nature_index"


def test_records_outside_the_window_are_rejected_with_a_reason(tmp_path):
    # Issue 15: the view dropped 61 out-of-window records of the bundled export silently ("used 499").
    from innometrics.datasets import bundled_path
    from innometrics.views.pipeline import build_nature_index

    out = build_nature_index(bundled_path("bibliographic", "wos_views.toml"), tmp_path / "ni")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    c = manifest["counts"]
    assert c["read"] == c["used"] + c["rejected"]
    assert c["used"] == summary["records"]  # every record used is inside 2010-2024
    rejects = pd.read_csv(out / "rejects.csv")
    outside = int((rejects["reason"] == "outside_years").sum()) + int((rejects["reason"] == "missing_year").sum())
    assert outside == c["rejected"] - 1 and outside > 0  # plus the one unreadable record
    step = next(e for e in manifest["log"] if e["step"] == "filter")
    assert step["method"] == "years" and step["params"]["outside_years"] + step["params"]["missing_year"] == outside
