"""A test may skip only because a tool is absent, and never under CI=true.

Every skip goes through ``tests/helpers/tools_present.py``; a bare ``pytest.skip``,
``importorskip`` or ``skipif`` elsewhere would let a failure pass as a skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools_present import tool_missing

TESTS = Path(__file__).resolve().parents[1]
SKIPS = re.compile(r"pytest\.skip\(|importorskip|mark\.skip|skipif|xfail")


def test_no_skip_outside_the_tool_check():
    found = [f"{p.relative_to(TESTS)}:{n}" for p in sorted(TESTS.rglob("*.py"))
             if p.name not in ("tools_present.py", "test_no_hidden_skips.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if SKIPS.search(line)]
    assert found == []


@pytest.mark.parametrize("value, outcome", [("true", pytest.fail.Exception), ("TRUE", pytest.fail.Exception),
                                            ("", pytest.skip.Exception), ("false", pytest.skip.Exception)])
def test_missing_tool_skips_locally_and_fails_in_ci(monkeypatch, value, outcome):
    monkeypatch.setenv("CI", value)
    with pytest.raises(outcome, match="Chromium not found"):
        tool_missing("Chromium not found")
