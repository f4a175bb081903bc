"""Bootstrap stability intervals: reproducibility and agreement with a naive loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.errors import SpecError
from innometrics.rankings.counting import record_unit_credits
from innometrics.rankings.stability import bound_indices, stability_intervals


def _inputs(loaded):
    pairs = record_unit_credits(loaded, "country", "fractional")
    facts = loaded.engine.execute(loaded.facts.select("record_key", "weight"))
    units = sorted(pairs["unit"].unique())
    return pairs, facts, units


def test_bound_indices_follow_cwts():
    assert bound_indices(1000, 0.95) == (25, 975)
    assert bound_indices(200, 0.9) == (10, 190)


def test_reproducible_with_seed_and_sensitive_to_it(loaded):
    pairs, facts, units = _inputs(loaded)
    a = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=11)
    b = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=11)
    c = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert list(a.columns[:3]) == ["unit", "p_frac_lb", "p_frac_ub"]
    assert {"rank_lb", "rank_ub", "share_lb", "mcs_ub", "pp_top10_lb"} <= set(a.columns)


def test_matches_naive_resampling_loop(loaded):
    pairs, facts, units = _inputs(loaded)
    B, seed = 40, 3
    got = stability_intervals(pairs, facts, units, "fractional", n_resamples=B, seed=seed).set_index("unit")
    # the same multinomial draws, applied record by record
    keys = np.sort(facts["record_key"].to_numpy())
    n = len(keys)
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=B)
    p_frac = np.zeros((B, len(units)))
    for b in range(B):
        mult = dict(zip(keys, draws[b]))
        for row in pairs.itertuples():
            p_frac[b, units.index(row.unit)] += mult[row.record_key] * row.p_frac
    lo, hi = bound_indices(B, 0.95)
    srt = np.sort(p_frac, axis=0)
    assert got["p_frac_lb"].to_numpy() == pytest.approx(srt[lo])
    assert got["p_frac_ub"].to_numpy() == pytest.approx(srt[hi])


def test_intervals_bracket_estimates_and_ranks_are_whole(loaded):
    pairs, facts, units = _inputs(loaded)
    iv = stability_intervals(pairs, facts, units, "fractional", n_resamples=500, seed=5).set_index("unit")
    est = pairs.groupby("unit")["p_frac"].sum()
    assert (iv["p_frac_lb"] <= est + 1e-9).all() and (est <= iv["p_frac_ub"] + 1e-9).all()
    ranked = iv.drop(index="unknown")
    assert ranked["rank_lb"].between(1, 4).all() and ranked["rank_ub"].between(1, 4).all()
    assert (ranked["rank_lb"] <= ranked["rank_ub"]).all()
    assert pd.isna(iv.loc["unknown", "rank_lb"])


def test_parameters_are_checked(loaded):
    pairs, facts, units = _inputs(loaded)
    with pytest.raises(SpecError, match="resamples must be a positive"):
        stability_intervals(pairs, facts, units, "fractional", n_resamples=0)
    with pytest.raises(SpecError, match="coverage"):
        stability_intervals(pairs, facts, units, "fractional", coverage=1.5)
