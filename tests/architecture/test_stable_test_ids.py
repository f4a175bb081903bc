"""Parametrised test ids are the same in every process.

pytest-xdist requires each worker to collect identical test ids. ``gzip.compress`` writes the
current time into the gzip header, so bytes built with it and used as a parameter give ids that
differ when two workers collect in different seconds (``make test-fast`` then stops with
"Different tests were collected"). Every ``gzip.compress`` in the tests fixes ``mtime``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def gzip_calls_without_mtime(source: str) -> list[int]:
    """Line numbers of ``gzip.compress(...)`` calls that do not pass ``mtime``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "compress" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "gzip" and not any(k.arg == "mtime" for k in node.keywords)):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_call_without_mtime():
    assert gzip_calls_without_mtime("import gzip\nA = gzip.compress(b'x')\nB = gzip.compress(b'x', mtime=0)\n") == [2]


def test_every_gzip_compress_in_the_tests_fixes_mtime():
    found = [f"{p.relative_to(TESTS)}:{n}" for p in sorted(TESTS.rglob("*.py"))
             for n in gzip_calls_without_mtime(p.read_text(encoding="utf-8"))]
    assert found == []
