"""Replay, rebuild from a changed step, panels (COINr purse), weights and the CLI."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import innometrics
from innometrics.cli.main import app
from innometrics.composite import build, load_spec, rebuild, write_build
from innometrics.errors import DataError, SpecError

ROOT = Path(__file__).resolve().parents[2]
ASEM_SPEC = ROOT / "examples" / "asem" / "asem.toml"
ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


@pytest.fixture(scope="module")
def asem():
    return build(ASEM_SPEC)


def frames_equal(a, b):
    assert list(a.stages) == list(b.stages)
    for k in a.stages:
        pd.testing.assert_frame_equal(a.stages[k], b.stages[k])
    pd.testing.assert_frame_equal(a.results, b.results)


def test_replay_round_trip(asem):
    frames_equal(rebuild(asem), asem)
    # a spec rebuilt from the log's params is the same build
    raw = {"data": asem.spec.to_dict()["data"], **{r["step"]: r["params"] for r in asem.log}}
    frames_equal(build(raw), asem)


def test_rebuild_reuses_upstream_and_matches_full_build(asem):
    changed = rebuild(asem, normalise={"range": [1, 100]}, aggregate={"method": "geometric"})
    for stage in ("raw", "denominated", "imputed", "screened", "treated"):
        assert changed.stages[stage] is asem.stages[stage]
    raw = asem.spec.to_dict()
    raw["normalise"]["range"] = [1, 100]
    raw["aggregate"]["method"] = "geometric"
    frames_equal(changed, build(raw))
    assert not np.allclose(changed.stages["aggregated"]["Index"], asem.stages["aggregated"]["Index"])


def test_weights_override_changes_only_aggregation(asem):
    heavy = rebuild(asem, weights={"Sust": 3})
    assert heavy.stages["normalised"] is asem.stages["normalised"]
    agg = heavy.stages["aggregated"]
    np.testing.assert_allclose(agg["Index"], (agg["Conn"] + 3 * agg["Sust"]) / 4, atol=1e-12)
    assert heavy.meta.set_index("iCode").loc["Sust", "Weight"] == 3
    with pytest.raises(SpecError, match="not an indicator or aggregate code"):
        rebuild(asem, weights={"Nope": 1})


def test_geometric_on_zero_values_is_a_clear_error(asem):
    with pytest.raises(DataError, match="positive"):
        rebuild(asem, aggregate={"method": "geometric"})


def test_panel_builds_every_period(tmp_path):
    raw = load_spec(ASEM_SPEC).to_dict()
    raw["data"]["indicators"] = str(ASEM / "ASEM_iData_p.csv")
    with pytest.raises(SpecError, match="panel"):
        build(raw)
    raw["data"]["period"] = 2019
    one = build(raw)
    assert len(one.results) == 51
    raw["data"]["period"] = "all"
    raw["normalise"]["global"] = False
    panel = build(raw)
    assert sorted(panel.builds) == [2018, 2019, 2020, 2021, 2022]
    assert len(panel.results) == 255 and list(panel.results.columns[:4]) == ["uCode", "uName", "Time", "Rank"]
    # period-by-period normalisation equals building that period alone
    np.testing.assert_allclose(panel.builds[2019].stages["aggregated"], one.stages["aggregated"], atol=1e-12)
    raw["normalise"]["global"] = True
    glob = build(raw)
    # global min-max: each indicator spans exactly [0, 100] over all periods together
    stacked = pd.concat([b.stages["normalised"] for b in glob.builds.values()])
    assert np.allclose(stacked.min(), 0) and np.allclose(stacked.max(), 100)
    write_build(glob, tmp_path)
    res = pd.read_csv(tmp_path / "results.csv")
    assert len(res) == 255 and set(res["Time"]) == {2018, 2019, 2020, 2021, 2022}
    stage = pd.read_csv(tmp_path / "stages" / "aggregated.csv")
    assert list(stage.columns[:2]) == ["uCode", "Time"] and len(stage) == 255


def test_cli_build_writes_outputs_bit_identically(tmp_path):
    runner = CliRunner()
    for out in ("a", "b"):
        result = runner.invoke(app, ["index", "build", str(ASEM_SPEC), "--out", str(tmp_path / out), "--no-report"])
        assert result.exit_code == 0, result.output
    for rel in ["results.csv", "weights.csv", "log.json", "manifest.json", "stages/aggregated.csv", "stages/raw.csv"]:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["kind"] == "index" and manifest["counts"] == {"read": 51, "used": 51, "rejected": 0}
    assert manifest["tables"]["results"] == "results.csv" and "stages/normalised" in manifest["tables"]
    assert [e["step"] for e in manifest["log"]] == ["denominate", "impute", "screen", "treat", "normalise", "aggregate"]
    log = json.loads((tmp_path / "a" / "log.json").read_text())
    treated = log["steps"][3]["details"]["treated"]
    assert {t["iCode"] for t in treated} >= {"Flights"}


def test_cli_spec_error_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(ASEM_SPEC.read_text().replace('method = "minmax"', 'method = "minimax"'), encoding="utf-8")
    result = CliRunner().invoke(app, ["index", "build", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "normalise.method" in result.output


def test_regen_from_a_step_and_replay_from_log(asem, tmp_path):
    from innometrics.composite import regen, replay

    again = regen(asem, from_step="treat")
    assert again.stages["screened"] is asem.stages["screened"]
    frames_equal(again, asem)
    frames_equal(regen(asem), asem)
    write_build(asem, tmp_path)
    frames_equal(replay(tmp_path / "log.json"), asem)
    with pytest.raises(SpecError, match="from_step"):
        regen(asem, from_step="bake")


def test_exclude_indicators_like_new_coin(asem):
    raw = asem.spec.to_dict()
    raw["data"]["exclude"] = ["LPI", "Embs", "IGOs", "UNVote"]  # the whole Political pillar goes
    b = build(raw)
    assert "LPI" not in b.stages["raw"].columns and "Political" not in b.stages["aggregated"].columns
    assert "Political" not in set(b.meta["iCode"])
    agg = b.stages["aggregated"]
    np.testing.assert_allclose(agg["Conn"], agg[["Physical", "ConEcFin", "Instit", "P2P"]].mean(axis=1), atol=1e-12)
    raw["data"]["exclude"] = ["Nope"]
    with pytest.raises(SpecError, match="not indicators: Nope"):
        build(raw)


def test_panel_example_spec():
    panel = build(ROOT / "examples" / "asem" / "asem_panel.toml")
    assert len(panel.results) == 255
    assert panel.results.groupby("Time")["Rank"].min().tolist() == [1] * 5


def test_rewriting_a_folder_removes_stages_of_steps_no_longer_run(asem, tmp_path):
    write_build(asem, tmp_path)
    assert (tmp_path / "stages" / "treated.csv").exists()
    write_build(rebuild(asem, treat=None), tmp_path)
    assert not (tmp_path / "stages" / "treated.csv").exists()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert "stages/treated" not in manifest["tables"]


def test_readable_repr_for_notebooks(asem):
    text = repr(asem)
    assert text.startswith("<IndexBuild 51 units x 49 indicators")
    assert "top Index: CHE 68.38, NLD 64.82" in text  # COINr's example: Switzerland first
