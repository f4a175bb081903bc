"""Every case of the bad-input corpus ends with exit 2, one ``error:`` line and no traceback.

The line starts with ``error:``, or, for a usage error the command-line parser reports (a
spec path that does not exist, an option value out of range), with the command:
``innometrics index strengths: error: ...``.

The corpus (``files/`` and ``cases.json``) is made by ``make_corpus.py`` and committed.
Each case also checks that no output (nor a staging folder or a temporary file) is left.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from innometrics.cli.main import app

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
ERROR_LINE = re.compile(r"^(innometrics(?: [a-z-]+)*: )?error: ")


def test_corpus_size():
    files = [p for p in (HERE / "files").rglob("*") if p.is_file()]
    assert len(files) >= 150
    assert len(CASES) >= 150
    classes = {c["class"] for c in CASES}
    assert {"panel_reader", "spec_reader", "table_reader", "records_reader", "value", "parameter", "path",
            "sniffing", "results_reader", "registry_reader", "patent_reader"} <= classes


def test_corpus_covers_every_command_and_patent_format():
    commands = {" ".join(c["args"][:2]) if c["args"][0] not in ("trends", "report") else c["args"][0] for c in CASES}
    assert {"institutions load", "institutions match", "records convert-openalex", "index leave-out", "index compare",
            "index strengths", "rank build", "index build", "views designations", "trends", "report"} <= commands
    formats = {c["id"].split("/")[0] for c in CASES if c["id"].startswith("rank-")}
    assert formats == {"rank-espacenet", "rank-lens", "rank-patentsview", "rank-patstat"}


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
    errors = [line for line in lines if ERROR_LINE.match(line)]
    assert len(errors) == 1 and lines[-1] == errors[0], stderr
    assert len(errors[0]) > ERROR_LINE.match(errors[0]).end() + 10
    assert "internal error" not in errors[0], errors[0]
    assert _leftovers(tmp_path, "out") == []
