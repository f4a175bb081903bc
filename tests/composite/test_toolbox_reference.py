"""COINr's toolbox on its example index (tests/data/coinr_reference/toolbox/, R calls in its README)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innometrics.composite import build, rebuild
from innometrics.composite.influence import compare_builds, remove_elements, strengths_weaknesses
from innometrics.composite.weights_from_data import optimised_weights, pca_weights
from innometrics.errors import SpecError
from innometrics.registry import get_method

ROOT = Path(__file__).resolve().parents[2]
TOOLBOX = ROOT / "tests" / "data" / "coinr_reference" / "toolbox"


@pytest.fixture(scope="module")
def asem():
    return build(ROOT / "examples" / "asem" / "asem.toml")


def test_registered():
    assert get_method("analysis", "remove_elements") is remove_elements
    assert get_method("weights", "pca") is pca_weights and get_method("weights", "optimised") is optimised_weights


def test_leave_one_pillar_out_matches_coinr(asem):
    """remove_elements(coin, Level = 2, dset = "Aggregated", iCode = "Index")."""
    res = remove_elements(asem, 2)
    ref = pd.read_csv(TOOLBOX / "remove_elements_level2_scores.csv").set_index("uCode")
    assert list(res.scores.columns) == list(ref.columns) and list(res.scores.index) == list(ref.index)
    np.testing.assert_allclose(res.scores.to_numpy(), ref.to_numpy(dtype=float), rtol=0, atol=1e-9)
    mad = pd.read_csv(TOOLBOX / "remove_elements_level2_meanabsdiff.csv").set_index(pd.read_csv(TOOLBOX / "remove_elements_level2_meanabsdiff.csv").columns[0])["x"]
    np.testing.assert_allclose(res.mean_abs_change.to_numpy(), mad.loc[res.mean_abs_change.index].to_numpy(), rtol=0, atol=1e-12)
    assert res.mean_abs_change["Social"] == pytest.approx(3.96078431372549)


def test_leave_one_indicator_out_runs_per_indicator(asem):
    res = remove_elements(asem, 1)
    assert res.scores.shape == (51, 50) and res.mean_abs_change["Nominal"] == 0
    # with LPI's weight 0 the Physical pillar is the mean of its other 7 indicators
    lpi_out = rebuild(asem, weights={"LPI": 0})
    np.testing.assert_allclose(res.scores["LPI"], lpi_out.stages["aggregated"]["Index"].sort_index())
    with pytest.raises(SpecError, match="level must be between 1"):
        remove_elements(asem, 4)


def test_compare_builds_matches_coinr(asem):
    """compare_coins(coin, coin2, dset = "Aggregated", iCode = "Index"); coin2: minmax [1, 100] + geometric mean."""
    other = rebuild(asem, normalise={"range": [1, 100]}, aggregate={"method": "geometric"})
    ours = compare_builds(asem, other)
    ref = pd.read_csv(TOOLBOX / "compare_amean_vs_gmean_minmax1.csv")
    assert ours["uCode"].tolist() == ref["uCode"].tolist()
    for a, b in (("rank_1", "coin.1"), ("rank_2", "coin.2"), ("diff", "Diff"), ("abs_diff", "Abs.diff")):
        np.testing.assert_array_equal(ours[a].to_numpy(), ref[b].to_numpy(dtype=float))


def test_strengths_and_weaknesses_match_coinr(asem):
    """get_str_weak(coin, dset = "Raw", usel = "GBR", topN = 5, bottomN = 5, with_units = TRUE, sig_figs = 3)."""
    strong, weak = strengths_weaknesses(asem, "GBR")
    for ours, name in ((strong, "strengths"), (weak, "weaknesses")):
        ref = pd.read_csv(TOOLBOX / f"str_weak_GBR_{name}.csv")
        assert ours["Code"].tolist() == ref["Code"].tolist()
        assert ours["Name"].tolist() == ref["Name"].tolist()
        assert ours["Parent"].tolist() == ref["Pillar"].tolist()
        assert ours["Rank"].tolist() == ref["Rank"].tolist()
        np.testing.assert_allclose(ours["Value"].to_numpy(), ref["Value"].to_numpy(dtype=float))
        assert ours["Unit"].tolist() == ref["Unit"].tolist()


def test_pca_weights_match_coinr_up_to_the_sign_of_each_component(asem):
    """get_PCA(coin, dset = "Normalised", Level = 1, by_groups = TRUE)$Weights."""
    w = pca_weights(asem, level=1, stage="normalised")
    ref = pd.read_csv(TOOLBOX / "pca_weights_level1_normalised.csv")
    ref = ref[ref["Level"] == 1].set_index("iCode")["Weight"]
    ours = pd.Series(w).loc[ref.index]
    # the sign of a principal component is arbitrary (COINr's follows its LAPACK build)
    np.testing.assert_allclose(ours.abs().to_numpy(), ref.abs().to_numpy(), rtol=0, atol=1e-12)
    meta = asem.meta.set_index("iCode")
    for parent in meta.loc[ref.index, "Parent"].unique():
        kids = [c for c in ref.index if meta.loc[c, "Parent"] == parent]
        same = np.sign(ours[kids]) == np.sign(ref[kids])
        assert same.all() or (~same).all()  # each group is COINr's vector or its negative
        assert ours[kids].sum() > 0 and np.sum(ours[kids] ** 2) == pytest.approx(1.0)


def test_optimised_weights_reach_equal_influence_by_hand(asem):
    """Balance the pillars' correlations with the Index (COINr get_opt_weights, optype = "balance")."""
    res = optimised_weights(asem, level=3, targets="equal")
    # two sub-indices: equal correlation shares means each obtains 1/2
    np.testing.assert_allclose(res.table["obtained"], [0.5, 0.5], atol=1e-4)
    assert sum(res.weights.values()) == pytest.approx(1.0)
    rebuilt = rebuild(asem, weights=res.weights)
    agg = rebuilt.stages["aggregated"]
    c = [agg[k].corr(agg["Index"]) for k in ("Conn", "Sust")]
    assert c[0] == pytest.approx(c[1], abs=1e-3)
    infomax = optimised_weights(asem, level=3, goal="infomax")
    assert infomax.table["obtained"].sum() >= sum(c) - 1e-6  # infomax maximises the sum of correlations
    with pytest.raises(SpecError, match="targets needs 2 numbers"):
        optimised_weights(asem, level=3, targets=[1, 2, 3])


def test_weighting_section_rebuilds_with_weights_from_data(asem):
    import tomllib

    raw = tomllib.loads((ROOT / "examples" / "asem" / "asem.toml").read_text())
    spec = {**raw, "data": {k: str((ROOT / "examples" / "asem" / v).resolve()) for k, v in raw["data"].items()}}
    # level 3: the two sub-indices (level 1 and 2 loadings of ASEM include negative ones: see below)
    pca = build({**spec, "weighting": {"method": "pca", "level": 3, "stage": "aggregated"}})
    expected = pca_weights(asem, level=3, stage="aggregated")
    assert expected == pytest.approx({"Conn": 2 ** -0.5, "Sust": 2 ** -0.5})
    assert pca.spec.weights == pytest.approx(expected)
    direct = rebuild(asem, weights=expected)
    np.testing.assert_allclose(pca.stages["aggregated"].to_numpy(), direct.stages["aggregated"].to_numpy())
    agg_log = [r for r in pca.log if r["step"] == "aggregate"][0]
    assert agg_log["details"]["weights_from_data"]["method"] == "pca"
    opt = build({**spec, "weighting": {"method": "optimised", "level": 3}})
    obtained = opt.log[-1]["details"]["weights_from_data"]["obtained"]
    assert obtained["Conn"] == pytest.approx(0.5, abs=1e-4)
    with pytest.raises(SpecError, match="negative weights"):
        build({**spec, "weighting": {"method": "pca", "level": 2, "stage": "aggregated"}})  # Social loads -0.74
    with pytest.raises(SpecError, match="used by method 'optimised'"):
        build({**spec, "weighting": {"method": "pca", "targets": [1, 2]}})
