"""Snapshot of a small report's HTML (the plotly.js bundle replaced by a marker), so that a
change to the page's shape shows up as a reviewed diff. Refresh after an intended change with
``INNOMETRICS_UPDATE_SNAPSHOTS=1 pytest tests/report/test_snapshot.py``. A missing snapshot is a
failure (it is committed with the tests), never silently written and passed."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from innometrics.report.context import ResultsDir
from innometrics.report.render import build_page

SNAPSHOT = Path(__file__).parent / "snapshots" / "generic_report.html"


def test_generic_report_snapshot(make_results):
    page = build_page(ResultsDir.open(make_results("generic", hostile=True)))
    html = page.render(generator="innometrics (snapshot)", plotly_js="/* plotly.js */")
    if os.environ.get("INNOMETRICS_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(html, encoding="utf-8")
    assert SNAPSHOT.exists(), (f"snapshot {SNAPSHOT} is missing: it is part of the test suite; "
                               "write it with INNOMETRICS_UPDATE_SNAPSHOTS=1 and review it")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if html != expected:
        diff = "".join(difflib.unified_diff(expected.replace("><", ">\n<").splitlines(True),
                                             html.replace("><", ">\n<").splitlines(True), "snapshot", "now", n=2))
        raise AssertionError(f"the report's HTML changed (refresh with INNOMETRICS_UPDATE_SNAPSHOTS=1):\n{diff[:4000]}")
