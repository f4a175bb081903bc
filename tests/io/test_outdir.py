"""Whole-folder atomic output (innometrics.io.outdir): staging, swap, refusal, clean-up, kill -9."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from innometrics.errors import DataError
from innometrics.io.outdir import check_output_folder, clean_stale, staged_output
from innometrics.io.writers import atomic_path, write_json, write_text

REPO = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_folder_appears_whole(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as stage:
        assert stage.name == "out" and stage != out  # same name: reports quoting it are unchanged
        write_text("a", stage / "a.txt")
        write_json({}, stage / "manifest.json")
        assert not out.exists()
    assert snapshot(out) == {"a.txt": b"a", "manifest.json": b"{}\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_old_folder_replaced_as_a_whole(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as stage:
        write_text("old", stage / "old_only.txt")
        write_json({"run": 1}, stage / "manifest.json")
    with staged_output(out) as stage:
        write_json({"run": 2}, stage / "manifest.json")
    assert snapshot(out) == {"manifest.json": b'{\n  "run": 2\n}\n'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_build_leaves_old_result(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as stage:
        write_json({"run": 1}, stage / "manifest.json")
    before = snapshot(out)
    with pytest.raises(RuntimeError):
        with staged_output(out) as stage:
            write_json({"run": 2}, stage / "manifest.json")
            raise RuntimeError("build failed half-way")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_refuses_folder_that_is_not_an_output(tmp_path):
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "panel.csv").write_text("x")
    with pytest.raises(DataError, match="not an innometrics output folder"):
        check_output_folder(tmp_path / "inputs")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file"):
        with staged_output(tmp_path / "file"):
            pass
    assert (tmp_path / "inputs" / "panel.csv").read_text() == "x"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_holders_of_dead_processes_are_removed(tmp_path):
    dead = _dead_pid()
    holder = tmp_path / f".out.staging-{dead}-abcd1234"
    (holder / "out").mkdir(parents=True)
    live = tmp_path / f".out.staging-{os.getpid()}-abcd1234"
    live.mkdir()
    assert clean_stale(tmp_path, "out") == [holder]
    assert not holder.exists() and live.exists()


def test_crash_between_fallback_renames_restores_old(tmp_path):
    """Without renameat2 the swap is two renames; a crash between them keeps the old result in the holder."""
    holder = tmp_path / f".out.staging-{_dead_pid()}-00ff00ff"
    (holder / "old").mkdir(parents=True)
    (holder / "old" / "manifest.json").write_text("{}")
    clean_stale(tmp_path, "out")
    assert snapshot(tmp_path / "out") == {"manifest.json": b"{}"}


def test_stale_temporary_files_are_cleaned(tmp_path):
    stale = tmp_path / f".country.csv.{_dead_pid()}.x1y2z3.tmp"
    stale.write_text("half")
    mine = tmp_path / f".country.csv.{os.getpid()}.a1b2c3.tmp"
    mine.write_text("being written")
    with atomic_path(tmp_path / "country.csv") as tmp:
        tmp.write_text("new")
    assert not stale.exists() and mine.exists()
    assert (tmp_path / "country.csv").read_text() == "new"


# --------------------------------------------------------------------------- kill -9
def _index_spec(tmp_path: Path, name: str, upper: int) -> Path:
    text = (REPO / "examples" / "asem" / "asem.toml").read_text(encoding="utf-8")
    data = REPO / "src" / "innometrics" / "data" / "asem"
    text = (text.replace("../../src/innometrics/data/asem/", f"{data.as_posix()}/")
            .replace("range = [0, 100]", f"range = [0, {upper}]"))
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _command(spec: Path, out: Path) -> list[str]:
    code = "from innometrics.cli.main import main; main()"
    return [sys.executable, "-c", code, "index", "build", str(spec), "--out", str(out)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.slow
def test_kill_during_build_leaves_old_or_new_result(tmp_path):
    """SIGKILL ``index build`` at seeded random moments: the folder is always one whole result."""
    rng = random.Random(12)
    specs = {"A": _index_spec(tmp_path, "a", 100), "B": _index_spec(tmp_path, "b", 10)}
    refs = {}
    for key, spec in specs.items():
        ref = tmp_path / f"ref_{key}" / "out"  # same folder name: the report quotes it
        t0 = time.perf_counter()
        subprocess.run(_command(spec, ref), env=_env(), check=True, capture_output=True)
        refs[key] = (snapshot(ref), time.perf_counter() - t0)
    assert refs["A"][0] != refs["B"][0]
    out = tmp_path / "work" / "out"
    subprocess.run(_command(specs["A"], out), env=_env(), check=True, capture_output=True)
    current, seen = "A", set()
    for _ in range(8):
        target = "B" if current == "A" else "A"
        proc = subprocess.Popen(_command(specs[target], out), env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.1) * refs[target][1])
        proc.kill()
        proc.wait()
        state = snapshot(out)
        assert state in (refs["A"][0], refs["B"][0]), sorted(state)
        current = "A" if state == refs["A"][0] else "B"
        seen.add(proc.returncode == -9 and current != target)
    # A finished run cleans what the killed ones left beside the folder.
    subprocess.run(_command(specs["A"], out), env=_env(), check=True, capture_output=True)
    assert snapshot(out) == refs["A"][0]
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    assert True in seen  # at least one kill landed before the swap (the old result was kept)


def test_restate_paths_names_the_output_folder(tmp_path):
    """A build that read inputs inside its staging folder records them where they will be after the swap."""
    from innometrics.io.outdir import restate_paths

    out = tmp_path / "out"
    with staged_output(out) as stage:
        inside = str(stage.resolve() / "inputs" / "panel.csv")
        write_json({"inputs": [{"path": inside}], "spec": {"data": {"meta": inside}}, "other": str(tmp_path / "x"),
                    "n": 1.5, "prefix_only": str(stage.resolve()) + "_not_below"}, stage / "manifest.json")
        restate_paths(stage)
    manifest = json.loads((out / "manifest.json").read_text())
    final = str(out.resolve() / "inputs" / "panel.csv")
    assert manifest == {"inputs": [{"path": final}], "spec": {"data": {"meta": final}}, "other": str(tmp_path / "x"),
                        "n": 1.5, "prefix_only": manifest["prefix_only"]}
    assert ".staging-" in manifest["prefix_only"]  # only the folder itself and paths below it are restated


def test_a_write_error_names_the_output_folder_not_the_staging_one(tmp_path):
    import errno

    from innometrics.io.outdir import staged_output

    target = tmp_path / "rank"
    with pytest.raises(OSError) as info:
        with staged_output(target) as stage:
            raise OSError(errno.ENOSPC, "No space left on device", str(stage / "country.csv"))
    assert info.value.errno == errno.ENOSPC
    assert info.value.filename == str(target / "country.csv")
    assert "staging" not in str(info.value) and not target.exists()
