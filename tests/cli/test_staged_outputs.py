"""``index strengths`` writes through the staged output folder: the folder is replaced whole, or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from innometrics.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "asem" / "asem.toml"
runner = CliRunner()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _strengths(out: Path, unit: str = "GBR"):
    return runner.invoke(app, ["index", "strengths", str(SPEC), "--unit", unit, "--out", str(out)])


def test_strengths_folder_is_staged_and_replaced_whole(tmp_path, monkeypatch):
    out = tmp_path / "gbr"
    res = _strengths(out)
    assert res.exit_code == 0, res.output
    assert sorted(_snapshot(out)) == ["manifest.json", "strengths.csv", "weaknesses.csv"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "strengths" and manifest["tables"] == {"strengths": "strengths.csv",
                                                                       "weaknesses": "weaknesses.csv"}
    assert manifest["log"][0]["params"] == {"unit": "GBR", "stage": "raw", "top": 5, "bottom": 5}
    before = _snapshot(out)

    # a crash after the first table is written leaves the previous result whole
    import innometrics.io.writers as writers

    real = writers.write_csv

    def crash_on_weaknesses(df, path, *args, **kwargs):
        if Path(path).name == "weaknesses.csv":
            raise OSError(28, "No space left on device", str(path))
        return real(df, path, *args, **kwargs)

    monkeypatch.setattr(writers, "write_csv", crash_on_weaknesses)
    res = _strengths(out, "AUT")
    assert res.exit_code == 2 and "no space left" in res.stderr
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gbr"]
    res = _strengths(tmp_path / "aut", "AUT")  # and with no earlier result, nothing
    assert res.exit_code == 2 and sorted(p.name for p in tmp_path.iterdir()) == ["gbr"]
    monkeypatch.undo()

    # a re-run replaces the folder (no file of the earlier run is left)
    (out / "strengths.csv").write_text("stale")
    res = _strengths(out, "AUT")
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out / "strengths.csv")["Code"].tolist() != []
    assert json.loads((out / "manifest.json").read_text())["log"][0]["params"]["unit"] == "AUT"


def test_strengths_refuses_a_folder_that_is_not_an_output(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    res = _strengths(tmp_path / "mine")
    assert res.exit_code == 2 and "not an innometrics output folder" in res.stderr
    assert _snapshot(tmp_path / "mine") == {"notes.txt": b"keep me"}
