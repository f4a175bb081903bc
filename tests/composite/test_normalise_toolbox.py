"""n_scaled against COINr's output, and per-indicator parameters from iMeta or a long metadata table."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import innometrics
from innometrics.composite import build, rebuild
from innometrics.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
TOOLBOX = ROOT / "tests" / "data" / "coinr_reference" / "toolbox"
ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


@pytest.fixture(scope="module")
def asem():
    return build(ROOT / "examples" / "asem" / "asem.toml")


def test_n_scaled_matches_coinr(asem):
    """COINr: Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_scaled", f_n_para = list(npara = c(0, 100))))."""
    ref = pd.read_csv(TOOLBOX / "normalised_n_scaled_0_100.csv").set_index("uCode")
    b = rebuild(asem, normalise={"method": "scaled", "bounds": [0, 100], "range": None})
    ours = b.stages["normalised"]
    assert list(ours.index) == list(ref.index) and list(ours.columns) == list(ref.columns)
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(dtype=float), rtol=0, atol=1e-9, equal_nan=True)
    # a negative indicator arrives reversed: CostImpEx of AUS is -364 (COINr flips before n_scaled)
    assert ours.loc["AUS", "CostImpEx"] == pytest.approx(-364.0)


def _meta_with_params(tmp_path):
    meta = pd.read_csv(ASEM / "ASEM_iMeta.csv")
    ind = meta["Type"] == "Indicator"
    meta.loc[ind, "minmax_lower"] = 1.0
    meta.loc[ind, "minmax_upper"] = 100.0
    meta.loc[meta["iCode"].isin(["LPI", "CO2"]), ["minmax_lower", "minmax_upper"]] = [5.0, 50.0]
    meta.loc[ind, ["zscore_mean", "zscore_sd"]] = [10.0, 1.0]
    meta.loc[meta["iCode"] == "LPI", ["zscore_mean", "zscore_sd"]] = [100.0, 10.0]
    meta.loc[ind, ["scaled_lower", "scaled_upper"]] = [0.0, 10.0]
    path = tmp_path / "iMeta.csv"
    meta.to_csv(path, index=False)
    return path, meta


def test_parameters_from_imeta_as_coinr_use_imeta(tmp_path):
    """COINr's test "iMeta_norm_paras": minmax bounds and z-score moments per indicator."""
    path, _ = _meta_with_params(tmp_path)
    spec = {"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(path)},
            "normalise": {"method": "minmax", "range": "meta"}}
    n = build(spec).stages["normalised"]
    assert (n["LPI"].min(), n["LPI"].max(), n["CO2"].min(), n["CO2"].max()) == pytest.approx((5, 50, 5, 50))
    assert (n["Flights"].min(), n["Flights"].max()) == pytest.approx((1, 100))
    z = build({**spec, "normalise": {"method": "zscore", "mean_sd": "meta"}}).stages["normalised"]
    assert z["LPI"].mean() == pytest.approx(100) and z["LPI"].std(ddof=1) == pytest.approx(10)
    assert z["Flights"].mean() == pytest.approx(10) and z["Flights"].std(ddof=1) == pytest.approx(1)
    # COINr reads npara = c(scaled_lower, scaled_upper) from iMeta; the scale factor is the spec's (default 100)
    s = build({**spec, "normalise": {"method": "scaled", "bounds": "meta"}})
    np.testing.assert_allclose(s.stages["normalised"]["LPI"], s.stages["raw"]["LPI"] / 10.0 * 100)
    s1 = build({**spec, "normalise": {"method": "scaled", "bounds": "meta", "scale_factor": 1}})
    np.testing.assert_allclose(s1.stages["normalised"]["LPI"], s.stages["raw"]["LPI"] / 10.0)
    with pytest.raises(SpecError, match="minmax_lower, minmax_upper"):
        build({"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(ASEM / "ASEM_iMeta.csv")},
               "normalise": {"method": "minmax", "range": "meta"}})


def test_parameters_from_a_long_metadata_table(tmp_path):
    """Our long metadata (code, name, direction, weight, parent, level, ...) carries the same columns."""
    _, meta = _meta_with_params(tmp_path)
    long = meta.rename(columns={"iCode": "code", "iName": "name", "Direction": "direction", "Weight": "weight",
                                "Parent": "parent", "Level": "level", "Denominator": "denominator", "Target": "target",
                                "Unit": "unit", "Type": "type"})
    path = tmp_path / "meta_long.csv"
    long.to_csv(path, index=False)
    wide = build({"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(tmp_path / "iMeta.csv")},
                  "normalise": {"method": "minmax", "range": "meta"}})
    ours = build({"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(path)},
                  "normalise": {"method": "minmax", "range": "meta"}})
    pd.testing.assert_frame_equal(ours.stages["normalised"], wide.stages["normalised"])
    assert ours.stages["normalised"]["LPI"].max() == pytest.approx(50)
