"""Every case of the bad-input corpus ends with exit 2, one ``error:`` line and no traceback.

The corpus (``files/`` and ``cases.json``) is made by ``make_corpus.py`` and committed.
Each case also checks that no output (nor a staging folder or a temporary file) is left.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from innometrics.cli.main import app

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def test_corpus_size():
    files = [p for p in (HERE / "files").rglob("*") if p.is_file()]
    assert len(files) >= 150
    assert len(CASES) >= 150
    classes = {c["class"] for c in CASES}
    assert {"panel_reader", "spec_reader", "table_reader", "records_reader", "value", "parameter", "path",
            "sniffing", "results_reader"} <= classes


def _leftovers(folder: Path, stem: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((stem, f".{stem}")))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, tmp_path):
    out = tmp_path / "out"
    args = [a.replace("{here}", str(HERE / "files")).replace("{out}", str(out)) for a in case["args"]]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    stderr = result.stderr
    assert result.exit_code == 2, (result.exit_code, stderr, result.stdout)
    assert "Traceback" not in stderr + result.stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], stderr
    assert len(errors[0]) > len("error: ") + 10
    assert _leftovers(tmp_path, "out") == []
