"""Audit statistics: hand-computed values on small matrices, flags, and the ASEM build."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from innometrics.composite import audit

ROOT = Path(__file__).resolve().parents[2]


def _toy_build() -> SimpleNamespace:
    """Two pillars under one index; P1 has a near-duplicate pair and a contrary indicator."""
    units = pd.Index([f"U{i}" for i in range(8)], name="uCode")
    a = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    b = a + np.array([0.1, -0.1, 0.2, 0.0, -0.2, 0.1, 0.0, -0.1])  # r(a, b) > 0.99
    c = -a + np.array([0.5, -0.5, 0.3, 0.0, 0.2, -0.4, 0.1, 0.0])  # r(a, c) < -0.9
    d = np.array([3.0, 1, 4, 1, 5, 9, 2, 6])
    e = np.array([2.0, 7, 1, 8, 2, 8, 1, 8])
    ind = pd.DataFrame({"a": a, "b": b, "c": c, "d": d, "e": e}, index=units)
    p1 = ind[["a", "b", "c"]].mean(axis=1)
    p2 = ind[["d", "e"]].mean(axis=1)
    agg = ind.assign(P1=p1, P2=p2, Idx=(p1 + p2) / 2)
    meta = pd.DataFrame({
        "Level": [1, 1, 1, 1, 1, 2, 2, 3],
        "iCode": ["a", "b", "c", "d", "e", "P1", "P2", "Idx"],
        "Parent": ["P1", "P1", "P1", "P2", "P2", "Idx", "Idx", None],
        "Weight": [1.0] * 8,
        "Type": ["Indicator"] * 5 + ["Aggregate"] * 3,
    })
    raw = ind.copy()
    raw.loc["U0", "d"] = np.nan
    treated = raw.copy()
    treated.loc["U5", "d"] = 6.0  # one Winsorised point
    return SimpleNamespace(stages={"raw": raw, "treated": treated, "normalised": ind, "aggregated": agg},
                           meta=meta, log=[{"step": "treat", "method": "winsorise", "params": {}, "details": {
                               "treated": [{"iCode": "d", "treatment": "winsorise", "n_winsorised": 1}]}}])


def test_cronbach_alpha_hand_computed():
    # cov = [[1, 1.5], [1.5, 7/3]]: sum = 19/3, mean off-diagonal = 1.5, alpha = 4 * 1.5 / (19/3) = 18/19
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
    assert audit.cronbach_alpha(X) == pytest.approx(18 / 19, abs=1e-12)


def test_cronbach_alpha_pairwise_missing():
    # pandas' pairwise-complete covariance equals R's cov(use = "pairwise.complete.obs")
    X = np.array([[1.0, 2.0, 1.0], [2.0, np.nan, 2.0], [3.0, 5.0, 2.0], [4.0, 4.0, 5.0], [6.0, 7.0, 5.0]])
    cov = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            ok = ~(np.isnan(X[:, i]) | np.isnan(X[:, j]))
            cov[i, j] = np.cov(X[ok, i], X[ok, j], ddof=1)[0, 1]
    expected = 9 * ((cov.sum() - np.trace(cov)) / 6) / cov.sum()
    assert audit.cronbach_alpha(X) == pytest.approx(expected, abs=1e-12)
    assert np.isnan(audit.cronbach_alpha(X[:, :1]))


def test_pca_two_variables_hand_computed():
    # r = 0.8: correlation-matrix eigenvalues 1.8 and 0.2, first component (1, 1)/sqrt(2)
    res = audit.principal_components(np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 2.0], [4.0, 4.0]]))
    assert res["variance_share"][0] == pytest.approx(0.9, abs=1e-12)
    assert res["eigenvalues"] == pytest.approx([1.8, 0.2], abs=1e-12)
    assert res["loadings"][:, 0] == pytest.approx([2**-0.5, 2**-0.5], abs=1e-12)


def test_pca_matches_eigen_decomposition_and_drops_incomplete_rows():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 4)) @ rng.normal(size=(4, 4))
    Xn = np.vstack([X, [np.nan, 1.0, 2.0, 3.0]])
    res = audit.principal_components(Xn)
    eig = np.sort(np.linalg.eigvalsh(np.corrcoef(X, rowvar=False)))[::-1]
    assert res["n_used"] == 30
    assert res["eigenvalues"] == pytest.approx(eig, abs=1e-10)
    assert res["variance_share"].sum() == pytest.approx(1.0)


def test_pearson_p_value_is_cor_test():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
    y = np.array([2.0, 1.0, 4.0, 3.0, 6.0, 1.0])
    r, p, n = audit.pearson_with_p(x, y)
    ref = sps.pearsonr(x[:5], y[:5])
    assert n == 5
    assert r == pytest.approx(ref.statistic, abs=1e-12)
    assert p == pytest.approx(ref.pvalue, abs=1e-12)


def test_correlation_flags():
    corr = audit.correlations(_toy_build())
    def flag(a, b):
        row = corr[(corr["code1"] == a) & (corr["code2"] == b)]
        assert len(row) == 1
        return row["flag"].iloc[0]
    assert flag("a", "b") == "collinear"
    assert flag("a", "c") == "negative"
    assert flag("d", "e") == "ok"  # r = 0.21, not significant, but siblings need not correlate
    assert flag("d", "P2") == "ok"
    assert flag("P1", "Idx") == "not_significant"  # r = 0.60 on 8 units: p = 0.118 > 0.05
    assert flag("c", "P1") == "negative"
    # each indicator with its parent and grandparent, each sibling pair once
    assert set(corr["kind"]) == {"within_group", "with_parent", "with_ancestor", "with_other_parent"}
    # a, b, c against P2, d and e against P1, P1 and P2 have no other parent at level 3
    other = corr[corr["kind"] == "with_other_parent"].set_index("code1")
    assert len(other) == 5
    agg = _toy_build().stages["aggregated"]
    r_c_p2 = np.corrcoef(agg["c"], agg["P2"])[0, 1]
    r_c_p1 = np.corrcoef(agg["c"], agg["P1"])[0, 1]  # c against its own parent
    assert other.loc["c", "correlation"] == pytest.approx(r_c_p2, abs=1e-12)
    # c runs against its own pillar P1 (r = -0.96) and less against P2 (r = -0.50 > -0.96): it
    # correlates better with the other pillar, which is what the flag reports
    assert r_c_p1 < -0.95 and r_c_p1 < r_c_p2 < -0.4
    assert other.loc["c", "flag"] == "stronger_than_parent"
    # a is close to its parent P1 (r = 0.99) and not to P2 (r = 0.44): no flag
    r_a = [np.corrcoef(agg["a"], agg[parent])[0, 1] for parent in ("P1", "P2")]
    assert r_a[0] > r_a[1] and other.loc["a", "flag"] == "ok"
    assert len(corr[corr["kind"] == "within_group"]) == 3 + 1 + 1
    assert len(corr[corr["kind"] == "with_ancestor"]) == 5
    flags = audit.correlation_flags(corr)
    assert "ok" not in set(flags["flag"])


def test_effective_weights_are_normalised_squared_correlations():
    b = _toy_build()
    eff = audit.effective_weights(b)
    agg = b.stages["aggregated"]
    p2 = eff[eff["aggregate"] == "P2"].set_index("iCode")
    r = np.array([np.corrcoef(agg[c], agg["P2"])[0, 1] for c in ("d", "e")])
    assert p2["effective_weight"].to_numpy() == pytest.approx(r**2 / np.sum(r**2), abs=1e-12)
    assert p2["nominal_weight"].to_numpy() == pytest.approx([0.5, 0.5])
    assert eff.groupby("aggregate")["effective_weight"].sum().to_numpy() == pytest.approx(1.0)


def test_indicator_statistics_treatment_and_moments():
    b = _toy_build()
    st = audit.indicator_statistics(b).set_index("iCode")
    assert st.loc["d", "missing_share"] == pytest.approx(1 / 8)
    assert bool(st.loc["d", "treated"]) and not bool(st.loc["a", "treated"])
    assert st.loc["d", "treatment"] == "winsorise (1 point winsorised)"
    d = b.stages["raw"]["d"].dropna().to_numpy()
    assert st.loc["d", "skew"] == pytest.approx(sps.skew(d, bias=False), abs=1e-12)
    assert st.loc["d", "kurtosis"] == pytest.approx(sps.kurtosis(d, bias=False), abs=1e-12)


def test_cronbach_and_pca_tables_cover_every_aggregate():
    b = _toy_build()
    cr = audit.cronbach_table(b).set_index("aggregate")
    assert list(cr.index) == ["P1", "P2", "Idx"]
    assert cr.loc["P2", "alpha_children"] == pytest.approx(audit.cronbach_alpha(b.stages["aggregated"][["d", "e"]]))
    assert cr.loc["Idx", "n_indicators"] == 5
    pca, loads = audit.pca_tables(b)
    assert set(loads["aggregate"]) == {"P1", "P2", "Idx"}
    assert pca.set_index("aggregate").loc["P1", "pc1_variance_share"] > 0.9


def test_write_audit_on_asem(tmp_path):
    from innometrics.composite import pipeline

    spec = ROOT / "examples" / "asem" / "asem.toml"
    build = pipeline.build(pipeline.load_spec(spec))
    tables = audit.write_audit(build, tmp_path)
    for rel in tables.values():
        assert (tmp_path / rel).exists()
    stats = pd.read_csv(tmp_path / "audit" / "indicator_stats.csv")
    assert len(stats) == 49
    # COINr's example treats a handful of skewed indicators (e.g. Flights is Winsorised)
    assert 0 < stats["treated"].sum() < 49
    cr = pd.read_csv(tmp_path / "audit" / "cronbach.csv")
    assert set(cr["aggregate"]) >= {"Physical", "Conn", "Sust", "Index"}
    assert cr["alpha_children"].between(-5, 1).all()
    den = pd.read_csv(tmp_path / "audit" / "denominator_correlations.csv")
    assert len(den) == 49 * 4
    raw = build.stages["raw"]
    row = den[(den["iCode"] == "Goods") & (den["denominator"] == "GDP")].iloc[0]
    assert row["correlation"] == pytest.approx(raw["Goods"].corr(build.denominators["GDP"]), abs=1e-12)


def test_cli_audit_writes_tables_and_manifest(tmp_path):
    spec = ROOT / "examples" / "asem" / "asem.toml"
    import json

    from typer.testing import CliRunner

    from innometrics.cli.main import app

    res = CliRunner().invoke(app, ["index", "audit", str(spec), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    for key, rel in audit.AUDIT_TABLES.items():
        assert manifest["tables"][key] == rel
        assert (tmp_path / rel).exists()
    assert (tmp_path / "results.csv").exists()


def test_audit_settings_are_checked():
    from innometrics.errors import SpecError

    assert audit.check_audit_settings({"high_threshold": 0.8}) == {"high_threshold": 0.8}
    with pytest.raises(SpecError, match="allowed: high_threshold"):
        audit.check_audit_settings({"hi": 0.8}, file="s.toml")
    with pytest.raises(SpecError) as err:
        audit.check_audit_settings({"pval": 5})
    assert err.value.key == "audit.pval"
