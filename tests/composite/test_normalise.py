"""Hand-checked normalisation examples (formulas of COINr 1.1.14's n_* functions)."""

import numpy as np
import pandas as pd

import innometrics.composite  # noqa: F401
from innometrics.composite.normalise import normalise_column, normalise_frame
from innometrics.registry import get_method

x = np.array([2.0, 4.0, 4.0, 10.0, np.nan])


def f(name, **kw):
    return get_method("normalise", name)(x, **kw)


def test_minmax():
    # (x - 2) / 8 * 100
    np.testing.assert_allclose(f("minmax"), [0, 25, 25, 100, np.nan])
    np.testing.assert_allclose(f("minmax", range=(1, 11)), [1, 3.5, 3.5, 11, np.nan])


def test_minmax_constant_column_is_nan():
    assert np.isnan(get_method("normalise", "minmax")(np.array([3.0, 3.0]))).all()


def test_zscore_uses_sample_sd():
    # mean 5, sample sd sqrt(((9+1+1+25)/3)) = sqrt(12)
    sd = np.sqrt(12.0)
    np.testing.assert_allclose(f("zscore"), [(2 - 5) / sd, (4 - 5) / sd, (4 - 5) / sd, 5 / sd, np.nan])
    np.testing.assert_allclose(f("zscore", mean_sd=(100, 10)), 100 + 10 * np.array([-3, -1, -1, 5, np.nan]) / sd)


def test_rank_family_min_ties():
    np.testing.assert_allclose(f("rank"), [1, 2, 2, 4, np.nan])
    np.testing.assert_allclose(f("borda"), [0, 1, 1, 3, np.nan])
    np.testing.assert_allclose(f("prank"), [0, 1 / 3, 1 / 3, 1, np.nan])


def test_distances():
    np.testing.assert_allclose(f("dist2max"), [0, 0.25, 0.25, 1, np.nan])
    # reference = x[1] = 4: 1 - (4 - x) / (4 - 2)
    np.testing.assert_allclose(f("dist2ref", ref_index=1), [0, 1, 1, 4, np.nan])
    np.testing.assert_allclose(f("dist2ref", ref_index=1, cap_max=True), [0, 1, 1, 1, np.nan])
    # (x - 2) / (6 - 2)
    np.testing.assert_allclose(f("dist2targ", target=6.0), [0, 0.5, 0.5, 2, np.nan])
    np.testing.assert_allclose(f("dist2targ", target=6.0, cap_max=True), [0, 0.5, 0.5, 1, np.nan])
    # negative direction branch: (10 - x) / (10 - 6)
    np.testing.assert_allclose(f("dist2targ", target=6.0, direction=-1), [2, 1.5, 1.5, 0, np.nan])
    np.testing.assert_allclose(f("fracmax"), [0.2, 0.4, 0.4, 1, np.nan])


def test_goalposts():
    np.testing.assert_allclose(f("goalposts", lower=3, upper=8, scale=100), [0, 20, 20, 100, np.nan])
    np.testing.assert_allclose(f("goalposts", lower=3, upper=8, scale=1, trunc2posts=False), [-0.2, 0.2, 0.2, 1.4, np.nan])
    np.testing.assert_allclose(f("goalposts", lower=3, upper=8, direction=-1), [1, 0.8, 0.8, 0, np.nan])


def test_direction_reverses_before_the_method():
    np.testing.assert_allclose(normalise_column(x, "minmax", direction=-1), [100, 75, 75, 0, np.nan])


def test_frame_reads_targets_and_goalposts_from_meta_like_coinr():
    data = pd.DataFrame({"A": [1.0, 5.0, 9.0], "B": [1.0, 5.0, 9.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    meta = pd.DataFrame(
        {"iCode": ["A", "B"], "Direction": [1, -1], "Target": [5.0, 3.0],
         "goalpost_lower": [0.0, 0.0], "goalpost_upper": [10.0, 10.0], "goalpost_scale": [100.0, 100.0]}
    ).set_index("iCode", drop=False)
    t = normalise_frame(data, meta, {"method": "dist2targ"})
    # A: (x - 1) / (5 - 1); B reversed: x' = -x, target -3: (x' + 9) / (-3 + 9)
    np.testing.assert_allclose(t["A"], [0, 1, 2])
    np.testing.assert_allclose(t["B"], [8 / 6, 4 / 6, 0])
    g = normalise_frame(data, meta, {"method": "goalposts"})
    np.testing.assert_allclose(g["A"], [10, 50, 90])
    np.testing.assert_allclose(g["B"], [90, 50, 10])  # (10 - x) / 10 * 100
    r = normalise_frame(data, meta, {"method": "dist2ref", "reference": "u2"})
    np.testing.assert_allclose(r["A"], [0, 1, 2])
