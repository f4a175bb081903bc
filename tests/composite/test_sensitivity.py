"""Sensitivity analysis: spec checks, Sobol' indices on a known model, fast path == full build."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innometrics.composite import pipeline
from innometrics.composite import sensitivity as S
from innometrics.composite.aggregate import aggregate_frame
from innometrics.errors import DataError, SpecError

ROOT = Path(__file__).resolve().parents[2]
SENS_SPEC = ROOT / "examples" / "asem" / "asem_sensitivity.toml"


def _toy(positive: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """9 indicators in 4 pillars, 2 sub-indices and an index; 20 units with missing cells."""
    rng = np.random.default_rng(11)
    codes = [f"i{k}" for k in range(9)]
    X = rng.uniform(1 if positive else 0, 100, size=(20, 9))
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    X[3, :2] = np.nan  # a unit missing a whole pillar
    data = pd.DataFrame(X, columns=codes, index=pd.Index([f"U{u:02d}" for u in range(20)], name="uCode"))
    parents = ["PA", "PA", "PB", "PB", "PB", "PC", "PC", "PD", "PD"]
    meta = pd.DataFrame({
        "Level": [1] * 9 + [2, 2, 2, 2, 3, 3, 4],
        "iCode": codes + ["PA", "PB", "PC", "PD", "S1", "S2", "Idx"],
        "Parent": parents + ["S1", "S1", "S2", "S2", "Idx", "Idx", None],
        "Weight": [1, 2, 1, 1, 0.5, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1.5, 1.0],
        "Type": ["Indicator"] * 9 + ["Aggregate"] * 7,
    })
    return data, meta


def _spec(**kw) -> S.SensitivitySpec:
    raw = {"runs": 8, "seed": 5, "factor": [{"kind": "weights", "level": [1, 2], "noise": 0.3},
                                             {"kind": "weights", "level": 3, "noise": 0.25}]}
    raw.update(kw)
    return S.parse_sensitivity(raw)


@pytest.mark.parametrize("settings", [
    {"method": "arithmetic"},
    {"method": "geometric"},
    {"method": "harmonic"},
    {"method": "generalised", "p": 3.0},
    {"method": ["arithmetic", "geometric", "harmonic"], "min_availability": 0.6},
    {"method": "copeland"},
])
def test_fast_path_equals_full_aggregation(settings):
    data, meta = _toy(positive=True)
    nominal = aggregate_frame(data, meta, settings)
    spec = _spec()
    design = S.make_design(spec, meta)
    X = S.sample(design, spec)
    mult = {design.weight_code[j]: X[:, j] for j in range(X.shape[1])}
    fast = S.fast_target_scores(nominal, meta, settings, mult, "Idx", X.shape[0])
    for r in range(X.shape[0]):
        m = meta.copy()
        for j, code in enumerate(design.weight_code):
            m.loc[m["iCode"] == code, "Weight"] *= X[r, j]
        full = aggregate_frame(data, m, settings)["Idx"].to_numpy()
        np.testing.assert_allclose(fast[r], full, rtol=0, atol=1e-9, equal_nan=True)


def test_fast_path_skips_missing_children_like_the_build():
    data, meta = _toy()
    nominal = aggregate_frame(data, meta, {"method": "arithmetic"})
    mult = {"PA": np.array([1.0, 2.0]), "PB": np.array([1.0, 1.0])}
    fast = S.fast_target_scores(nominal, meta, {"method": "arithmetic"}, mult, "S1", 2)
    # unit U03 has no PA: S1 is PB alone whatever PA's weight
    assert fast[0, 3] == pytest.approx(nominal.loc["U03", "PB"], abs=1e-12)
    assert fast[1, 3] == pytest.approx(nominal.loc["U03", "PB"], abs=1e-12)
    row = nominal.iloc[0]
    assert fast[1, 0] == pytest.approx((2 * row["PA"] + 2 * row["PB"]) / 4, abs=1e-12)


def test_sobol_indices_additive_model():
    # Y = x1 + 2 x2, x ~ U(0, 1): V = 1/12 + 4/12, so S1 = ST = (0.2, 0.8)
    problem = {"num_vars": 2, "names": ["x1", "x2"], "bounds": [[0, 1], [0, 1]]}
    X = S.saltelli_sample(problem, 4096, seed=1)
    si = S.sobol_indices(problem, X[:, 0] + 2 * X[:, 1], bootstrap=50, seed=1)
    assert si["S1"] == pytest.approx([0.2, 0.8], abs=0.02)
    assert si["ST"] == pytest.approx([0.2, 0.8], abs=0.02)


def test_sobol_indices_of_groups():
    # groups g1 = {x1, x2} and g2 = {x3}: Y = x1 + x2 + 2 x3 -> V(g1) = 2/12, V(g2) = 4/12
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3, "groups": ["g1", "g1", "g2"]}
    X = S.saltelli_sample(problem, 4096, seed=2)
    assert X.shape == (4096 * 4, 3)
    si = S.sobol_indices(problem, X[:, 0] + X[:, 1] + 2 * X[:, 2], bootstrap=50, seed=2)
    assert si["S1"] == pytest.approx([1 / 3, 2 / 3], abs=0.02)
    assert si["ST"] == pytest.approx([1 / 3, 2 / 3], abs=0.02)


def test_seed_zero_is_a_seed():
    a, b = S.derived_seeds(0)
    assert a > 0 and b > 0 and (a, b) == S.derived_seeds(0) != S.derived_seeds(1)
    problem = {"num_vars": 2, "names": ["x1", "x2"], "bounds": [[0, 1], [0, 1]]}
    X = S.saltelli_sample(problem, 64, seed=a)
    y = X[:, 0] + X[:, 1] ** 2
    s1 = S.sobol_indices(problem, y, bootstrap=20, seed=b)
    s2 = S.sobol_indices(problem, y, bootstrap=20, seed=b)
    assert np.array_equal(s1["S1_conf"], s2["S1_conf"])


def test_sample_is_reproducible_and_choices_are_uniform():
    spec = S.parse_sensitivity({"runs": 64, "seed": 9, "factor": [
        {"kind": "choice", "step": "aggregate", "key": "method", "values": ["arithmetic", "geometric", "harmonic"]},
        {"kind": "weights", "level": 2, "noise": 0.0}]})
    _, meta = _toy()
    design = S.make_design(spec, meta)
    X1, X2 = S.sample(design, spec), S.sample(design, spec)
    assert np.array_equal(X1, X2)
    assert X1.shape[0] == S.design_size(spec) == 64 * 4
    weight_cols = [j for j, c in enumerate(design.weight_code) if c is not None]
    assert np.all(X1[:, weight_cols] == 1.0)  # zero noise: the nominal weights exactly
    counts = np.bincount(S.choice_indices(design, spec, X1)[:, 0], minlength=3)
    assert counts.min() > 0.25 * X1.shape[0]


@pytest.mark.parametrize("section, key", [
    ({"runs": 1, "factor": [{"kind": "weights", "level": 2, "noise": 0.2}]}, "sensitivity.runs"),
    ({"factor": [{"kind": "weights", "level": 2, "noise": 1.5}]}, "sensitivity.factor[0].noise"),
    ({"factor": [{"kind": "choice", "step": "aggregate", "key": "method", "values": ["arithmetic"]}]},
     "sensitivity.factor[0].values"),
    ({"factor": [{"kind": "choice", "step": "weights", "values": [{}, {}]}]}, "sensitivity.factor[0].step"),
    ({"factor": [{"kind": "noise", "level": 2}]}, "sensitivity.factor[0].kind"),
    ({"factor": [{"kind": "weights", "level": 2, "noise": 0.1, "sd": 1}]}, "sensitivity.factor[0].sd"),
    ({"runz": 5, "factor": []}, "sensitivity.runz"),
    ({"factor": []}, "sensitivity.factor"),
    ({"factor": [{"kind": "weights", "level": 2, "noise": 0.1}]}, "sensitivity.factor"),
])
def test_spec_errors_name_the_key(section, key):
    with pytest.raises(SpecError) as err:
        S.parse_sensitivity(section, file="x.toml")
    assert err.value.key == key
    assert "x.toml" in str(err.value)


# --------------------------------------------------------------------------- with the build pipeline
@pytest.fixture(scope="module")
def asem():
    spec = pipeline.load_spec(SENS_SPEC)
    return pipeline.build(spec), S.parse_sensitivity(spec.sensitivity, file=SENS_SPEC)


def test_fast_path_equals_full_rebuild_on_asem(asem):
    nominal, sens = asem
    sens = replace(sens, runs=2)
    design = S.make_design(sens, nominal.meta)
    X = S.sample(design, sens)
    fast = S.evaluate(nominal, sens, design, X, "Index")
    chunked = S.evaluate(nominal, sens, design, np.vstack([X] * 20), "Index", max_cells=1)  # 64-run chunks
    np.testing.assert_array_equal(chunked, np.vstack([fast] * 20))
    for r in range(0, X.shape[0], 2):  # every other run: both aggregation methods appear
        full = S.full_replication(nominal, sens, design, X[r], "Index")
        np.testing.assert_allclose(fast[r], full.reindex(nominal.stages["aggregated"].index).to_numpy(),
                                   rtol=0, atol=1e-9, equal_nan=True)


def test_fast_path_equals_full_rebuild_with_upstream_choices(asem):
    nominal, _ = asem
    sens = S.parse_sensitivity({"runs": 2, "seed": 4, "factor": [
        {"kind": "choice", "step": "normalise",
         "values": [{"method": "minmax", "range": [1, 100]}, {"method": "zscore", "mean_sd": [100, 10]}]},
        {"kind": "choice", "step": "impute", "values": [{"method": "mean_group", "group": "EurAsia_group"},
                                                        {"method": "median"}]},
        {"kind": "weights", "level": 1, "noise": 0.5},
        {"kind": "choice", "step": "aggregate", "key": "method", "values": ["geometric", "arithmetic"]}]})
    design = S.make_design(sens, nominal.meta)
    X = S.sample(design, sens)
    fast = S.evaluate(nominal, sens, design, X, "Conn")
    combos = S.choice_indices(design, sens, X)
    assert len(np.unique(combos, axis=0)) > 2
    for r in range(X.shape[0]):
        full = S.full_replication(nominal, sens, design, X[r], "Conn")
        np.testing.assert_allclose(fast[r], full.reindex(nominal.stages["aggregated"].index).to_numpy(),
                                   rtol=0, atol=1e-9, equal_nan=True)


def test_zero_noise_intervals_are_the_nominal_ranks(asem):
    nominal, _ = asem
    sens = S.parse_sensitivity({"runs": 4, "seed": 1, "factor": [
        {"kind": "weights", "level": 2, "noise": 0.0}, {"kind": "weights", "level": 3, "noise": 0.0}]})
    res = S.analyse(nominal, sens)
    ri = res.rank_intervals
    for col in ("median_rank", "rank_q05", "rank_q95", "mean_rank"):
        assert (ri[col] == ri["nominal_rank"]).all()
    assert (res.runs["mean_abs_rank_shift"] == 0).all()


def test_intervals_bracket_median_and_files_are_reproducible(asem, tmp_path):
    nominal, sens = asem
    sens = replace(sens, runs=16)
    out1, out2 = tmp_path / "a", tmp_path / "b"
    r1 = S.analyse(nominal, sens)
    S.write_sensitivity(r1, out1)
    S.write_sensitivity(S.analyse(nominal, sens), out2)
    for rel in S.SENSITIVITY_TABLES.values():
        h1 = hashlib.sha256((out1 / rel).read_bytes()).hexdigest()
        h2 = hashlib.sha256((out2 / rel).read_bytes()).hexdigest()
        assert h1 == h2, rel
    ri = r1.rank_intervals
    assert (ri["rank_q05"] <= ri["median_rank"]).all() and (ri["median_rank"] <= ri["rank_q95"]).all()
    assert ri["rank_interval_width"].max() > 0
    assert len(r1.sobol) == len(sens.factors)
    assert r1.timings["n_runs"] == S.design_size(sens)
    other = S.analyse(nominal, replace(sens, seed=sens.seed + 1))
    assert not np.array_equal(other.sample, r1.sample)


def test_a_failing_alternative_is_a_clear_error(asem):
    nominal, _ = asem
    sens = S.parse_sensitivity({"runs": 2, "factor": [
        {"kind": "choice", "step": "normalise", "values": [{"method": "minmax", "range": [0, 100]}]* 2},
        {"kind": "choice", "step": "aggregate", "key": "method", "values": ["geometric", "arithmetic"]}]})
    with pytest.raises(DataError, match="aggregate.method=geometric"):
        S.analyse(nominal, sens)


def test_cli_sensitivity_same_seed_same_files(tmp_path):
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    runner = CliRunner()
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        res = runner.invoke(app, ["index", "sensitivity", str(SENS_SPEC), "--runs", "8", "--seed", "3", "--out", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(out)
    for rel in S.SENSITIVITY_TABLES.values():
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes()
    import json

    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["tables"]["sobol"] == "sensitivity/sobol.csv"
    assert manifest["log"][-1]["params"]["runs"] == 8
    assert len(pd.read_csv(outs[0] / "sensitivity" / "runs.csv")) == 8 * 5


def test_cli_sensitivity_without_section_is_a_clear_error(tmp_path):
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    res = CliRunner().invoke(app, ["index", "sensitivity", str(ROOT / "examples" / "asem" / "asem.toml"),
                                   "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "[sensitivity]" in res.output
