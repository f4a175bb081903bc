"""Bootstrap stability intervals: reproducibility and agreement with a naive loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.errors import SpecError
from innometrics.rankings.counting import record_unit_credits
from innometrics.rankings.stability import MAX_BLOCK_COUNTS, block_size, bound_indices, stability_intervals


def _inputs(loaded):
    pairs = record_unit_credits(loaded, "country", "fractional")
    facts = loaded.engine.execute(loaded.facts.select("record_key", "weight"))
    units = sorted(pairs["unit"].unique())
    return pairs, facts, units


def test_bound_indices_follow_cwts():
    assert bound_indices(1000, 0.95) == (25, 975)
    assert bound_indices(200, 0.9) == (10, 190)


def test_upper_bound_index_stops_at_the_last_value():
    # 40 values at 95 %: floor(40 * 0.975) = 39, the last index itself
    assert bound_indices(40, 0.95) == (1, 39)
    # coverage within 1e-9 of 1: floor((1 - 5e-13) * 10 + 1e-9) = 10 is past the end; the
    # largest value (index 9) is the bound
    assert bound_indices(10, 1 - 1e-12) == (0, 9)
    assert bound_indices(1, 0.95) == (0, 0)


def test_block_size_caps_the_counts_held_at_once():
    assert MAX_BLOCK_COUNTS == 20_000_000  # 160 MB of float64 counts
    assert block_size(100, 5) == 100
    assert block_size(100, 200_000) == 100  # exactly 20,000,000 counts
    assert block_size(100, 200_001) == 99  # 20,000,000 // 200,001
    assert block_size(10**9, 1) == 20_000_000
    assert block_size(10**9, 0) == 20_000_000  # no record: the cap of one record
    assert block_size(100, 30_000_000) == 1  # more records than the cap: one resample at a time
    assert block_size(0, 5) == 1
    assert isinstance(block_size(100, 200_001), int)


def test_reproducible_with_seed_and_sensitive_to_it(loaded):
    pairs, facts, units = _inputs(loaded)
    a = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=11)
    b = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=11)
    c = stability_intervals(pairs, facts, units, "fractional", n_resamples=1000, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert list(a.columns[:3]) == ["unit", "p_frac_lb", "p_frac_ub"]
    assert {"rank_lb", "rank_ub", "share_lb", "mcs_ub", "pp_top10_lb"} <= set(a.columns)


def cwts_bounds(values: np.ndarray, coverage_per_mille: int = 950) -> tuple[np.ndarray, np.ndarray]:
    """CWTS bounds per column, written independently of the implementation's bound_indices.

    Over the ``v`` resamples where the indicator is defined (not NaN), sorted ascending: the
    lower bound is the value at index ``floor(v * a/2)`` and the upper bound the one at
    ``floor(v * (1 - a/2))`` (at most ``v - 1``), in exact integer arithmetic.
    """
    half = (1000 - coverage_per_mille) // 2  # a/2 in per mille: 25 for 95 %
    lb, ub = [], []
    for column in values.T:
        defined = np.sort(column[~np.isnan(column)])
        v = len(defined)
        if v == 0:
            lb.append(np.nan)
            ub.append(np.nan)
            continue
        lb.append(defined[v * half // 1000])
        ub.append(defined[min(v * (1000 - half) // 1000, v - 1)])
    return np.array(lb), np.array(ub)


def test_cwts_bounds_helper_on_known_values():
    # 40 defined values 1..40 (shuffled) plus NaNs: indices floor(40 * .025) = 1, floor(40 * .975) = 39
    x = np.concatenate([np.random.default_rng(0).permutation(np.arange(1.0, 41.0)), [np.nan] * 9])
    assert cwts_bounds(x[:, None]) == (np.array([2.0]), np.array([40.0]))


@pytest.mark.parametrize("B, seed", [(40, 3), (200, 4)])
def test_matches_naive_resampling_loop(loaded, B, seed):
    """Every indicator's bounds against a record-by-record loop over the same draws.

    The toy set has five records, so many resamples draw none of a unit's cited records:
    its mean citation score is then undefined there and the bounds are taken over the
    resamples where it is defined (a bug indexing over all ``B`` resamples gives NaN).
    """
    pairs = record_unit_credits(loaded, "country", "fractional")
    facts = loaded.engine.execute(loaded.facts.select("record_key", "weight"))
    units = sorted(pairs["unit"].unique())
    got = stability_intervals(pairs, facts, units, "fractional", n_resamples=B, seed=seed).set_index("unit")
    keys = np.sort(facts["record_key"].to_numpy())
    n = len(keys)
    weight_of = dict(zip(facts["record_key"], facts["weight"]))
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=B)
    sums = {c: np.zeros((B, len(units))) for c in ("p_frac", "p_full", "cit_weight", "cit_sum", "top_sum",
                                                    "p_int_collab")}
    total = np.zeros(B)
    for b in range(B):
        mult = dict(zip(keys, draws[b]))
        total[b] = sum(mult[k] * weight_of[k] for k in keys)
        for row in pairs.itertuples():
            for c in sums:
                sums[c][b, units.index(row.unit)] += mult[row.record_key] * getattr(row, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = {
            "p_frac": sums["p_frac"],
            "p_full": sums["p_full"],
            "share": sums["p_frac"] / total[:, None],
            "mcs": np.where(sums["cit_weight"] > 0, sums["cit_sum"] / sums["cit_weight"], np.nan),
            "pp_top10": np.where(sums["cit_weight"] > 0, sums["top_sum"] / sums["cit_weight"], np.nan),
            "pp_int_collab": np.where(sums["p_full"] > 0, sums["p_int_collab"] / sums["p_full"], np.nan),
        }
    # rank per resample among the ranked units (not "unknown"), ties share the best rank
    ranked = [j for j, u in enumerate(units) if u != "unknown"]
    rank = np.full((B, len(units)), np.nan)
    for b in range(B):
        for j in ranked:
            rank[b, j] = 1 + sum(sums["p_frac"][b, k] > sums["p_frac"][b, j] + 1e-9 for k in ranked)
    expected["rank"] = rank
    partly_undefined = 0
    for name, values in expected.items():
        lb, ub = cwts_bounds(values)
        assert got[f"{name}_lb"].to_numpy(dtype=float) == pytest.approx(lb, nan_ok=True), name
        assert got[f"{name}_ub"].to_numpy(dtype=float) == pytest.approx(ub, nan_ok=True), name
        undefined = np.isnan(values).mean(axis=0)
        partly_undefined += int(((undefined > 0.025) & (undefined < 1)).sum())
    # the case the bounds must handle: units whose ratio is undefined in more than a/2 of the
    # resamples yet defined in some, so their upper bounds are real numbers
    assert partly_undefined >= 2
    assert got.loc[["CHE", "GBR", "USA"], ["mcs_ub", "pp_top10_ub"]].notna().all().all()


def test_block_size_and_method_do_not_change_the_draws(loaded):
    pairs, facts, units = _inputs(loaded)
    one = stability_intervals(pairs, facts, units, "fractional", n_resamples=50, seed=9)
    blocks = stability_intervals(pairs, facts, units, "fractional", n_resamples=50, seed=9, block=7)
    pd.testing.assert_frame_equal(one, blocks)
    assert list(one.columns) == ["unit"] + [f"{k}_{b}" for k in ("p_frac", "p_full", "share", "pp_int_collab", "mcs",
                                                                  "pp_top10", "rank") for b in ("lb", "ub")]
    assert str(one["rank_lb"].dtype) == "Int64"
    full = stability_intervals(record_unit_credits(loaded, "country", "full"), facts, units, "full",
                               n_resamples=50, seed=9)
    assert list(full.columns[1:5]) == ["p_full_lb", "p_full_ub", "p_frac_lb", "p_frac_ub"]
    # full counting ranks by p_full: the same draws give the same p_full bounds either way
    pd.testing.assert_series_equal(full["p_full_ub"], one["p_full_ub"])


def test_ninety_percent_and_single_resample(loaded):
    pairs, facts, units = _inputs(loaded)
    iv90 = stability_intervals(pairs, facts, units, "fractional", n_resamples=200, seed=2, coverage=0.9)
    iv95 = stability_intervals(pairs, facts, units, "fractional", n_resamples=200, seed=2, coverage=0.95)
    # narrower coverage: bounds inside the wider ones, and strictly inside for some unit
    assert (iv90["p_frac_lb"] >= iv95["p_frac_lb"]).all() and (iv90["p_frac_ub"] <= iv95["p_frac_ub"]).all()
    assert ((iv90["p_frac_lb"] > iv95["p_frac_lb"]) | (iv90["p_frac_ub"] < iv95["p_frac_ub"])).any()
    one = stability_intervals(pairs, facts, units, "fractional", n_resamples=1, seed=2)
    assert (one["p_frac_lb"] == one["p_frac_ub"]).all()


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


def test_no_records_gives_zero_counts_and_undefined_ratios():
    columns = ("p_full", "p_frac", "cit_weight", "cit_sum", "top_sum", "p_int_collab")
    pairs = pd.DataFrame({"record_key": pd.Series([], dtype="int64"), "unit": pd.Series([], dtype=object),
                          **{c: pd.Series([], dtype=float) for c in columns}})
    facts = pd.DataFrame({"record_key": pd.Series([], dtype="int64"), "weight": pd.Series([], dtype=float)})
    iv = stability_intervals(pairs, facts, ["A", "unknown"], "fractional", n_resamples=5).set_index("unit")
    assert (iv[["p_frac_lb", "p_frac_ub", "p_full_lb", "p_full_ub"]] == 0).all().all()
    assert iv[["share_lb", "mcs_ub", "pp_top10_ub", "pp_int_collab_lb"]].isna().all().all()
    assert iv.loc["A", "rank_lb"] == 1 and pd.isna(iv.loc["unknown", "rank_ub"])


@pytest.mark.parametrize("coverage", [0.0, 1.0, -0.5])
def test_coverage_must_lie_strictly_between_0_and_1(loaded, coverage):
    pairs, facts, units = _inputs(loaded)
    with pytest.raises(SpecError, match=f"coverage must be between 0 and 1; got {coverage}") as err:
        stability_intervals(pairs, facts, units, "fractional", coverage=coverage)
    assert err.value.key == "stability.coverage"
    with pytest.raises(SpecError, match="got 0.5") as err:
        stability_intervals(pairs, facts, units, "fractional", n_resamples=0.5)
    assert err.value.key == "stability.resamples"


def _fine_grained_inputs(n_records: int = 40, seed: int = 1):
    """Units A, B, C (and unknown) with distinct random credits on every record, so that
    resampled sums are all distinct and any change of the draws moves some bound."""
    rng = np.random.default_rng(seed)
    rows = []
    for key in range(n_records):
        for unit in ("A", "B", "C", "unknown"):
            credit = float(rng.uniform(0.01, 1.0))
            rows.append({"record_key": key, "unit": unit, "p_full": 1.0, "p_frac": credit, "cit_weight": credit,
                         "cit_sum": credit * float(rng.integers(0, 50)), "top_sum": credit * float(rng.uniform()),
                         "p_int_collab": float(rng.integers(0, 2))})
    pairs = pd.DataFrame(rows)
    facts = pd.DataFrame({"record_key": np.arange(n_records), "weight": 4.0})
    return pairs, facts, ["A", "B", "C", "unknown"]


def test_defaults_are_1000_resamples_seed_0_and_95_percent():
    pairs, facts, units = _fine_grained_inputs()
    documented = {"n_resamples": 1000, "seed": 0, "coverage": 0.95}
    default = stability_intervals(pairs, facts, units, "fractional")
    pd.testing.assert_frame_equal(default, stability_intervals(pairs, facts, units, "fractional", **documented))
    # on these data one more resample, another seed or another coverage moves some bound
    for change in ({"n_resamples": 1001}, {"seed": 1}, {"coverage": 0.9}):
        assert not default.equals(stability_intervals(pairs, facts, units, "fractional", **{**documented, **change}))


def test_every_record_credited_to_one_unit():
    # each resample draws N records, so a unit on every record has P_full = N and share N w / (N w) = 1
    # in every resample; with citations 3 on every record its MCS is 3; it ranks first alone
    keys = np.arange(7)
    pairs = pd.DataFrame({"record_key": keys, "unit": "A", "p_full": 1.0, "p_frac": 0.5, "cit_weight": 0.5,
                          "cit_sum": 1.5, "top_sum": 0.25, "p_int_collab": 1.0})
    facts = pd.DataFrame({"record_key": keys, "weight": 1.0})
    iv = stability_intervals(pairs, facts, ["A"], "fractional", n_resamples=30, seed=3).iloc[0]
    assert iv["p_full_lb"] == iv["p_full_ub"] == 7.0 and iv["p_frac_lb"] == iv["p_frac_ub"] == 3.5
    assert iv["share_lb"] == iv["share_ub"] == 0.5 and iv["mcs_lb"] == iv["mcs_ub"] == 3.0
    assert iv["pp_top10_lb"] == iv["pp_top10_ub"] == 0.5 and iv["pp_int_collab_lb"] == iv["pp_int_collab_ub"] == 1.0
    assert iv["rank_lb"] == iv["rank_ub"] == 1


def test_only_unranked_units_keep_integer_rank_columns():
    pairs, facts, _ = _fine_grained_inputs(n_records=5)
    iv = stability_intervals(pairs, facts, ["unknown"], "fractional", n_resamples=20)
    assert iv[["rank_lb", "rank_ub"]].isna().all().all()
    assert str(iv["rank_lb"].dtype) == str(iv["rank_ub"].dtype) == "Int64"


def test_rank_ties_within_the_engine_rounding():
    # one record (every resample draws it once): A's credit exceeds B's and C's by 4e-11, which
    # the engine's sums (rounded to 10 decimals) do not show, so A, B and C tie for rank 1 (the
    # competition rank, not their mean rank 2); D is fourth
    credit = np.array([0.30000000004, 0.3, 0.3, 0.2])
    pairs = pd.DataFrame({"record_key": 0, "unit": ["A", "B", "C", "D"], "p_full": 1.0, "p_frac": credit,
                          "cit_weight": credit, "cit_sum": 4 * credit, "top_sum": credit / 2,
                          "p_int_collab": [1.0, 0.0, 0.0, 0.0]})
    facts = pd.DataFrame({"record_key": [0], "weight": 1.0})
    iv = stability_intervals(pairs, facts, ["A", "B", "C", "D"], "fractional", n_resamples=5).set_index("unit")
    assert iv["rank_lb"].tolist() == iv["rank_ub"].tolist() == [1, 1, 1, 4]
    # the ratios are defined with P_full = 1 and credit weights below 1: 4 citations, half in the
    # top 10 %, only A's record international
    assert iv["mcs_lb"].tolist() == iv["mcs_ub"].tolist() == pytest.approx([4.0] * 4)
    assert iv["pp_top10_lb"].tolist() == iv["pp_top10_ub"].tolist() == pytest.approx([0.5] * 4)
    assert iv["pp_int_collab_lb"].tolist() == iv["pp_int_collab_ub"].tolist() == [1.0, 0.0, 0.0, 0.0]
