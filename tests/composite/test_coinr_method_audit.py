"""Fixes from a line-by-line review of the methods against COINr's R source (hand-computed values).

Each test names the COINr function whose behaviour it pins down.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import innometrics
import innometrics.composite  # noqa: F401
from innometrics.composite.aggregate import aggregate_rows, outranking_matrix
from innometrics.composite.normalise import normalise_frame
from innometrics.composite.pipeline import build
from innometrics.io.coinr import read_imeta

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


def _meta(rows):
    """An iMeta-like frame indexed by iCode, with the text cells read_imeta gives extra columns."""
    return pd.DataFrame(rows).set_index("iCode", drop=False)


DATA = pd.DataFrame({"a": [0.0, 5.0, 20.0], "b": [0.0, 5.0, 20.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))


def test_goalposts_trunc2posts_false_read_from_imeta_text():
    # COINr get_iMeta_norm_paras + n_goalposts(x, gposts, trunc2posts = FALSE); iMeta logical
    # cells arrive as text "FALSE", which must not be read as true.
    # a (Direction 1): (x - 0) / (10 - 0) * 100 = 0, 50, 200 (not truncated)
    # b (Direction -1): gposts = c(-10, -0, 100); x' = -x; (x' + 10) / 10 * 100 = 100, 50, -100
    meta = _meta({
        "iCode": ["a", "b"], "Direction": [1, -1], "Type": ["Indicator"] * 2,
        "goalpost_lower": ["0", "0"], "goalpost_upper": ["10", "10"], "goalpost_scale": ["100", "100"],
        "goalpost_trunc2posts": ["FALSE", "FALSE"],
    })
    out = normalise_frame(DATA, meta, {"method": "goalposts", "goalposts": "meta"})
    np.testing.assert_allclose(out["a"], [0, 50, 200])
    np.testing.assert_allclose(out["b"], [100, 50, -100])
    meta["goalpost_trunc2posts"] = ["TRUE", "TRUE"]
    out = normalise_frame(DATA, meta, {"method": "goalposts", "goalposts": "meta"})
    np.testing.assert_allclose(out["a"], [0, 50, 100])
    np.testing.assert_allclose(out["b"], [100, 50, 0])


def test_dist2targ_cap_max_read_from_imeta():
    # COINr get_iMeta_norm_paras(n_dist2targ): targ = Target * Direction, cap_max = dist2targ_cap_max
    # a: (x - 0) / (5 - 0) = 0, 1, 4 -> capped 0, 1, 1
    # b: x' = -x, targ' = -5, min = -20: (x' + 20) / 15 = 20/15, 1, 0 -> capped 1, 1, 0
    meta = _meta({"iCode": ["a", "b"], "Direction": [1, -1], "Type": ["Indicator"] * 2, "Target": [5.0, 5.0],
                  "dist2targ_cap_max": ["TRUE", "TRUE"]})
    out = normalise_frame(DATA, meta, {"method": "dist2targ", "target": "meta"})
    np.testing.assert_allclose(out["a"], [0, 1, 1])
    np.testing.assert_allclose(out["b"], [1, 1, 0])
    # without the column COINr assumes FALSE; a spec value overrides iMeta
    out = normalise_frame(DATA, meta.drop(columns="dist2targ_cap_max"), {"method": "dist2targ", "target": "meta"})
    np.testing.assert_allclose(out["a"], [0, 1, 4])
    np.testing.assert_allclose(out["b"], [20 / 15, 1, 0])
    out = normalise_frame(DATA, meta, {"method": "dist2targ", "target": "meta", "cap_max": False})
    np.testing.assert_allclose(out["a"], [0, 1, 4])


def test_rows_below_dat_thresh_never_reach_the_mean():
    # COINr Aggregate.data.frame: `if(sum(!is.na(x))/lx < dat_thresh) NA else f_ag(x)`, so a
    # zero in a row below the threshold does not trigger a_gmean's / a_hmean's stop()
    X = np.array([[0.0, np.nan, np.nan], [4.0, 1.0, np.nan]])
    w = np.ones(3)
    for method in ("geometric", "harmonic"):
        y = aggregate_rows(X, w, method, min_availability=0.5)
        assert np.isnan(y[0])
    assert aggregate_rows(X, w, "geometric", min_availability=0.5)[1] == pytest.approx(2.0)  # sqrt(4 * 1)
    assert aggregate_rows(X, w, "harmonic", min_availability=0.5)[1] == pytest.approx(1.6)  # 2 / (1/4 + 1)


def test_outranking_sums_add_in_double():
    # COINr outrankMatrix: sum(sum(w[x_i > x_j]), sum(w[x_i == x_j]) / 2): weights 0.1, 0.2, 0.7
    # (rescaled 1/10ths); unit 0 wins x1, ties x2 and x3 -> 0.1 + 0.9 / 2 = 0.55 in double arithmetic
    M = np.array([[2.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    O = outranking_matrix(M, np.array([1.0, 2.0, 7.0]))
    assert O[0, 1] == 0.1 + (0.2 + 0.7) / 2
    assert O[1, 0] == 1 - O[0, 1]


def test_asem_geometric_with_dat_thresh_and_zeros(tmp_path):
    # min-max onto [0, 100] gives zeros in rows that pass the threshold: COINr's a_gmean stops
    # there, and so do we, with a clear message
    spec = {
        "data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(ASEM / "ASEM_iMeta.csv")},
        "normalise": {"method": "minmax", "range": [0, 100]},
        "aggregate": {"method": "geometric", "min_availability": 0.5},
    }
    with pytest.raises(innometrics.errors.DataError, match="positive"):
        build(spec)


def test_imeta_logical_columns_stay_text_for_the_normaliser(tmp_path):
    # the reader keeps extra iMeta columns as text, so the normaliser must parse TRUE/FALSE itself
    meta = pd.read_csv(ASEM / "ASEM_iMeta.csv")
    meta["dist2targ_cap_max"] = "TRUE"
    path = tmp_path / "iMeta.csv"
    meta.to_csv(path, index=False)
    assert read_imeta(path)["dist2targ_cap_max"].iloc[0] == "TRUE"
    spec = {
        "data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(path)},
        "impute": {"method": "mean"},
        "normalise": {"method": "dist2targ", "target": "meta"},
        "aggregate": {"method": "arithmetic"},
    }
    norm = build(spec).stages["normalised"]
    assert float(np.nanmax(norm.to_numpy())) <= 1.0  # every value capped at the target


def test_forced_winsorisation_without_a_limit_is_a_spec_error():
    # COINr's winsorise(force_win = TRUE, winmax = NULL) loops for ever; we refuse the spec instead
    from innometrics.composite.spec import IndexSpec
    from innometrics.errors import SpecError

    with pytest.raises(SpecError, match="force_winsorise"):
        IndexSpec.from_dict({"data": {"indicators": "a.csv", "meta": "b.csv"},
                             "treat": {"force_winsorise": True, "winsorise_max": "unlimited"}})
