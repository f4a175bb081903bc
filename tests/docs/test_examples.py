"""Every fenced Python block of README.md and docs/*.md runs as written, on bundled data.

Blocks of one file run in order in one namespace (a later block may use an earlier
block's names), with the repository root as the working folder for the paths the
README uses (``examples/...``) and outputs going to a temporary copy-free folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


def test_the_readme_has_python_examples():
    assert len(python_blocks(ROOT / "README.md")) >= 3


@pytest.mark.parametrize("doc", [d for d in DOCS if python_blocks(d)], ids=lambda p: p.name)
def test_python_blocks_run(doc, tmp_path, monkeypatch):
    # Relative example paths ("examples/asem/asem.toml") resolve against the repository
    # root; anything the example writes with a relative path lands in tmp_path.
    for item in ("examples", "src"):
        os.symlink(ROOT / item, tmp_path / item)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for i, block in enumerate(python_blocks(doc), 1):
        code = compile(block, f"{doc.name}[python block {i}]", "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples
