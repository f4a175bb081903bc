"""The demo's provincial S&T development index: 2010 = 100, six weighted dimensions, Beijing's reading."""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innometrics.cli.demo_cmd import demo_china_index
from innometrics.panel.china import ST_INDEX_DIMENSIONS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    demo_china_index(out, False)
    return out / "china_st_index"


def test_weights_are_stated_and_sum_to_one(folder):
    meta = pd.read_csv(folder / "inputs" / "meta.csv")
    assert len(ST_INDEX_DIMENSIONS) == 6
    assert meta.loc[meta["level"] == 1, "weight"].sum() == pytest.approx(1.0)


def test_every_province_is_100_in_2010_and_beijing_reads_as_a_multiple(folder):
    paths = pd.read_csv(folder / "timeseries" / "index_paths.csv")
    assert sorted(paths["Time"].unique()) == list(range(2010, 2024))
    assert np.allclose(paths.loc[paths["Time"] == 2010, "STIndex"], 100.0)
    growth = pd.read_csv(folder / "timeseries" / "growth.csv").set_index("uCode")
    bj = growth.loc["CN-BJ"]
    assert bj["value"] == pytest.approx(100 * bj["multiple"]) and bj["percent_change"] == pytest.approx(bj["value"] - 100)
    assert bj["multiple"] == pytest.approx(4.8198, abs=1e-4)
    # the dimension contributions add up to the change of every unit in every year
    c = pd.read_csv(folder / "timeseries" / "contributions.csv").groupby(["uCode", "Time"])["contribution"].sum()
    p = paths.set_index(["uCode", "Time"])["STIndex"] - 100.0
    np.testing.assert_allclose(c.loc[p.index], p, atol=1e-9)


def test_gaps_are_imputed_over_time_and_logged(folder):
    log = json.loads((folder / "log.json").read_text())
    imp = [s for s in log["steps"] if s["step"] == "impute"][0]
    assert imp["method"] == "panel" and imp["details"]["imputed_cells"]["rd_intensity"] >= 31  # 2010 is unpublished


def test_leave_one_dimension_out_of_the_latest_year(folder):
    mac = pd.read_csv(folder / "leave_one_out" / "mean_abs_change.csv").set_index("removed")["mean_abs_rank_change"]
    assert list(mac.index) == ["Nominal", *ST_INDEX_DIMENSIONS] and mac["Nominal"] == 0 and (mac.drop("Nominal") > 0).all()


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_recorded_inputs_are_in_the_output_folder_not_the_staging_one(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [Path(i["path"]) for i in manifest["inputs"]] == [
        folder.resolve() / "inputs" / f"{name}.csv" for name in ("panel", "meta", "units")]
    for item in manifest["inputs"]:
        assert hashlib.sha256(Path(item["path"]).read_bytes()).hexdigest() == item["sha256"]
    log = json.loads((folder / "log.json").read_text())
    assert Path(log["spec"]["data"]["indicators"]) == folder.resolve() / "inputs" / "panel.csv"
    assert not [name for name, data in _snapshot(folder).items() if b".staging-" in data]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["china_st_index"]


def test_a_crash_leaves_the_previous_result_or_nothing(folder, tmp_path, monkeypatch):
    import innometrics.composite.influence as influence

    def crash(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(influence, "write_leave_one_out", crash)
    with pytest.raises(RuntimeError):  # no earlier result: nothing is left
        demo_china_index(tmp_path / "new", False)
    assert list((tmp_path / "new").iterdir()) == []
    shutil.copytree(folder, tmp_path / "old" / "china_st_index")
    before = _snapshot(tmp_path / "old" / "china_st_index")
    with pytest.raises(RuntimeError):  # an earlier result stays whole
        demo_china_index(tmp_path / "old", False)
    assert _snapshot(tmp_path / "old" / "china_st_index") == before
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == ["china_st_index"]
