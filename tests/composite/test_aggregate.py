"""Hand-checked aggregation examples (COINr 1.1.14's a_* functions)."""

import numpy as np
import pandas as pd
import pytest

import innometrics.composite  # noqa: F401
from innometrics.composite.aggregate import aggregate_frame, aggregate_rows, outranking_matrix
from innometrics.errors import DataError
from innometrics.registry import get_method

X = np.array([[1.0, 4.0, 16.0], [2.0, np.nan, 8.0]])
W = np.array([1.0, 1.0, 2.0])


def agg(name, **kw):
    return get_method("aggregate", name)(X, W, **kw)


def test_arithmetic_skips_missing_children():
    # (1 + 4 + 2*16) / 4 ; (2 + 2*8) / 3
    np.testing.assert_allclose(agg("arithmetic"), [37 / 4, 18 / 3])


def test_geometric():
    np.testing.assert_allclose(agg("geometric"), [np.exp((0 + np.log(4) + 2 * np.log(16)) / 4), np.exp((np.log(2) + 2 * np.log(8)) / 3)])
    with pytest.raises(DataError, match="positive"):
        get_method("aggregate", "geometric")(np.array([[0.0, 1.0]]), np.array([1.0, 1.0]))


def test_harmonic():
    np.testing.assert_allclose(agg("harmonic"), [4 / (1 + 1 / 4 + 2 / 16), 3 / (1 / 2 + 2 / 8)])
    with pytest.raises(DataError, match="zero"):
        get_method("aggregate", "harmonic")(np.array([[0.0, 1.0]]), np.array([1.0, 1.0]))


def test_generalised_propagates_missing_like_coinr():
    y = agg("generalised", p=2)
    assert y[0] == pytest.approx(np.sqrt((1 + 16 + 2 * 256) / 4))
    assert np.isnan(y[1])


def test_copeland_outranking():
    M = np.array([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [2.0, 2.0, 2.0]])
    w = np.array([1.0, 1.0, 2.0])
    O = outranking_matrix(M, w)
    # unit 0 vs 1: wins x1 (0.25), loses x2, ties x3 (0.5 / 2) -> 0.5 exactly
    assert O[0, 1] == 0.5 and O[1, 0] == 0.5
    # unit 0 vs 2: wins x1 (0.25), loses x2, ties x3 -> 0.5
    assert O[0, 2] == 0.5
    np.testing.assert_array_equal(get_method("aggregate", "copeland")(M, w), [0, 0, 0])
    M2 = np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(get_method("aggregate", "copeland")(M2, np.ones(2)), [2, -1, -1])


def test_min_availability_threshold():
    y = aggregate_rows(X, W, "arithmetic", min_availability=0.9)
    assert np.isnan(y[1]) and y[0] == pytest.approx(37 / 4)


def test_aggregate_frame_levels_and_weights():
    data = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, np.nan], "c": [50.0, 60.0]}, index=pd.Index(["u1", "u2"], name="uCode"))
    meta = pd.DataFrame({
        "Level": [1, 1, 1, 2, 2, 3], "iCode": ["a", "b", "c", "P", "Q", "I"],
        "Parent": ["P", "P", "Q", "I", "I", None], "Weight": [1, 3, 1, 1, 1, 1], "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
    })
    out = aggregate_frame(data, meta, {"method": "arithmetic"})
    np.testing.assert_allclose(out["P"], [(10 + 90) / 4, 20])
    np.testing.assert_allclose(out["I"], [(25 + 50) / 2, (20 + 60) / 2])
    out2 = aggregate_frame(data, meta, {"method": ["arithmetic", "geometric"]})
    np.testing.assert_allclose(out2["I"], [np.sqrt(25 * 50), np.sqrt(20 * 60)])


def _raises(exc, call):
    with pytest.raises(exc) as err:
        call()
    return err.value


def test_means_give_nan_for_a_row_without_children():
    X2 = np.array([[np.nan, np.nan], [2.0, 8.0]])
    w = np.array([1.0, 3.0])
    for name, last in (("arithmetic", (2 + 24) / 4), ("geometric", np.exp((np.log(2) + 3 * np.log(8)) / 4)),
                       ("harmonic", 4 / (1 / 2 + 3 / 8))):
        y = get_method("aggregate", name)(X2, w)
        assert np.isnan(y[0]) and y[1] == pytest.approx(last), name


def test_mean_errors_carry_their_reason():
    ones = np.array([1.0, 1.0])
    e = _raises(DataError, lambda: get_method("aggregate", "geometric")(np.array([[-1.0, 1.0]]), ones))
    assert e.reason == "non_positive" and "the geometric mean needs positive values" in str(e)
    e = _raises(DataError, lambda: get_method("aggregate", "harmonic")(np.array([[0.0, 1.0]]), ones))
    assert e.reason == "zero_value" and "the harmonic mean cannot use zero values" in str(e)
    # negative values are allowed in the harmonic mean (COINr stops on zeros only)
    assert get_method("aggregate", "harmonic")(np.array([[-1.0, 2.0]]), ones)[0] == pytest.approx(2 / (-1 + 0.5))
    e = _raises(DataError, lambda: get_method("aggregate", "generalised")(np.array([[0.0, 1.0]]), ones, p=-1))
    assert e.reason == "non_positive" and str(e).startswith("the generalised mean with negative p needs positive values")
    # p > 0 takes zeros; p < 0 on positive values is the weighted power mean
    assert get_method("aggregate", "generalised")(np.array([[0.0, 4.0]]), ones, p=1)[0] == pytest.approx(2.0)
    assert get_method("aggregate", "generalised")(np.array([[1.0, 4.0]]), np.array([1.0, 3.0]), p=-1)[0] == pytest.approx(
        1 / ((1 + 3 / 4) / 4))
    # default p = 2 (quadratic mean), weights relative
    assert get_method("aggregate", "generalised")(np.array([[1.0, 7.0]]), np.array([2.0, 2.0]))[0] == pytest.approx(5.0)


def test_bod_errors_and_no_complete_row():
    bod = get_method("aggregate", "bod")
    assert np.isnan(bod(np.array([[np.nan, 1.0], [2.0, np.nan]]), np.ones(2))).all()
    e = _raises(DataError, lambda: bod(np.array([[-1.0, 1.0], [1.0, 1.0]]), np.ones(2)))
    assert e.reason == "negative"
    # zeros are allowed
    np.testing.assert_allclose(bod(np.array([[0.0, 2.0], [1.0, 1.0]]), np.ones(2)), [1.0, 1.0])


def test_mpi_single_child_has_no_penalty():
    mpi = get_method("aggregate", "mpi")
    np.testing.assert_allclose(mpi(np.array([[90.0, 50.0], [110.0, 70.0]]), np.array([1.0, 0.0])), [90.0, 110.0])


def test_aggregate_rows_threshold_is_inclusive_and_skips_copeland():
    X3 = np.array([[1.0, np.nan], [np.nan, np.nan], [0.0, 4.0]])
    w = np.ones(2)
    # half the children present passes a threshold of 0.5
    y = aggregate_rows(X3, w, "arithmetic", min_availability=0.5)
    np.testing.assert_allclose(y, [1.0, np.nan, 2.0])
    # rows below the threshold never reach the method's checks (geometric stops on 0)
    y = aggregate_rows(np.array([[0.0, np.nan], [1.0, 4.0]]), w, "geometric", min_availability=0.6)
    np.testing.assert_allclose(y, [np.nan, 2.0])
    assert np.isnan(aggregate_rows(np.array([[np.nan, np.nan]]), w, "arithmetic", min_availability=0.5)).all()
    # Copeland works on the whole table: no threshold
    C = np.array([[3.0, np.nan], [2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(aggregate_rows(C, w, "copeland", min_availability=1.0),
                                  get_method("aggregate", "copeland")(C, w))
    np.testing.assert_allclose(aggregate_rows(np.array([[1.0, 3.0]]), [1, 1], "arithmetic"), [2.0])


def _meta(**over):
    meta = pd.DataFrame({
        "Level": [1, 1, 1, 2, 2, 3], "iCode": ["a", "b", "c", "P", "Q", "I"],
        "Parent": ["P", "P", "Q", "I", "I", None], "Weight": [1, 3, 1, 1, 1, 1], "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
    })
    for k, v in over.items():
        meta[k] = v
    return meta


DATA = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, np.nan], "c": [50.0, 60.0]}, index=pd.Index(["u1", "u2"], name="uCode"))


def test_hierarchy_order_and_weights():
    from innometrics.composite.aggregate import hierarchy

    meta = pd.DataFrame({
        "Level": [1, 1, 1, 1, 1, 2, 2, 2, 3], "iCode": ["x", "y", "z", "t", "orphan", "beta", "Alpha", "gamma", "I"],
        "Parent": ["gamma", "beta", "Alpha", "beta", None, "I", "I", "I", None], "Weight": [1, 2, 3, 4, 1, 5, 6, 7, 1],
        "Type": ["Indicator"] * 5 + ["Aggregate"] * 4,
    })
    h = hierarchy(meta)
    assert sorted(h) == [2, 3]
    # parents in case-insensitive order, children in iMeta order
    # (an indicator without parent is in no group)
    assert [(p, kids) for p, kids, _ in h[2]] == [("Alpha", ["z"]), ("beta", ["y", "t"]), ("gamma", ["x"])]
    lower_first = hierarchy(meta.assign(iCode=meta["iCode"].replace({"Alpha": "alpha", "beta": "Beta"}),
                                        Parent=meta["Parent"].replace({"Alpha": "alpha", "beta": "Beta"})))
    assert [p for p, _, _ in lower_first[2]] == ["alpha", "Beta", "gamma"]
    np.testing.assert_array_equal(h[2][1][2], [2.0, 4.0])
    assert [(p, kids) for p, kids, _ in h[3]] == [("I", ["beta", "Alpha", "gamma"])]
    assert hierarchy(meta.assign(Type="Group")) == {}
    # ties in case-insensitive order keep a fixed order
    tie = pd.DataFrame({"Level": [1, 1, 2, 2], "iCode": ["u", "v", "b", "B"], "Parent": ["b", "B", None, None],
                        "Weight": [1, 1, 1, 1], "Type": ["Indicator"] * 2 + ["Aggregate"] * 2})
    assert [p for p, _, _ in hierarchy(tie)[2]] == ["B", "b"]


def test_group_weights_and_per_level_settings_are_checked():
    from innometrics.errors import SpecError

    from innometrics.composite.aggregate import check_group_weights, hierarchy

    e = _raises(SpecError, lambda: check_group_weights(hierarchy(_meta(Weight=[0, 0, 1, 1, 1, 1])), file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "weights.a")
    assert str(e) == ("w.toml: key 'weights.a': every child of 'P' (a, b) has weight 0, so 'P' cannot be aggregated; "
                      "give at least one of them a positive weight")
    # a missing weight counts as 0; one positive weight is enough
    e = _raises(SpecError, lambda: check_group_weights(hierarchy(_meta(Weight=[np.nan, 0, 1, 1, 1, 1]))))
    assert e.key == "weights.a" and e.file is None
    e = _raises(SpecError, lambda: check_group_weights(hierarchy(_meta(Weight=[1, 1, 1, 0, 0, 1]))))
    assert e.key == "weights.P"
    assert check_group_weights(hierarchy(_meta(Weight=[np.nan, 0.5, 1, 1, 1, 1]))) is None
    # an infinite weight is not a usable weight either
    e = _raises(SpecError, lambda: check_group_weights(hierarchy(_meta(Weight=[np.inf, 0, 1, 1, 1, 1]))))
    assert e.key == "weights.a"
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"method": ["arithmetic"]}, file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "aggregate.method")
    assert str(e) == "w.toml: key 'aggregate.method': give one value for all levels or a list of 2 (levels 2..3). Got 1."
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"min_availability": 1.5}, file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "aggregate.min_availability")
    assert str(e).endswith("min_availability must be a number between 0 and 1. Got 1.5.")
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"p": [2, 3, 4]}, file="w.toml"))
    assert e.key == "aggregate.p"
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"min_availability": [0.5]}))
    assert e.key == "aggregate.min_availability"
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"method": "generalised", "p": 0}, file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "aggregate.p")


def test_aggregate_frame_settings_per_level():
    from innometrics.composite.aggregate import check_group_weights

    assert check_group_weights({}) is None
    out = aggregate_frame(DATA, _meta(), {"method": "generalised", "p": [1, 3]})
    np.testing.assert_allclose(out["P"], [(10 + 90) / 4, np.nan])
    np.testing.assert_allclose(out["I"], [((25 ** 3 + 50 ** 3) / 2) ** (1 / 3), np.nan])
    # default p = 2
    out = aggregate_frame(DATA, _meta(), {"method": ["arithmetic", "generalised"]})
    np.testing.assert_allclose(out["I"], [np.sqrt((25 ** 2 + 50 ** 2) / 2), np.sqrt((20 ** 2 + 60 ** 2) / 2)])
    # the threshold per level: P of u2 has 1 of 2 children
    out = aggregate_frame(DATA, _meta(), {"min_availability": [0.6, 0.0]})
    np.testing.assert_allclose(out["P"], [25.0, np.nan])
    np.testing.assert_allclose(out["I"], [37.5, 60.0])
    out = aggregate_frame(DATA, _meta(), {"method": "mpi", "penalty": "negative"})
    # Q has one child (no spread, no penalty); P of u1: m = 20, s = sqrt(200), m (1 + cv^2) = 30
    np.testing.assert_allclose(out["Q"], [50.0, 60.0])
    np.testing.assert_allclose(out["P"], [30.0, np.nan])
    assert list(out.columns) == ["a", "b", "c", "P", "Q", "I"] and list(out.index) == ["u1", "u2"]
    assert aggregate_frame(DATA, _meta(Type="Group"), {}).equals(DATA)


def test_aggregate_frame_data_errors_name_the_aggregate():
    e = _raises(DataError, lambda: aggregate_frame(DATA.drop(columns=["b"]), _meta(), {}))
    assert e.reason == "missing_children"
    assert str(e).startswith("cannot aggregate 'P': children b are not in the data")
    neg = DATA.assign(a=[-1.0, 2.0])
    e = _raises(DataError, lambda: aggregate_frame(neg, _meta(), {"method": "geometric"}))
    assert e.reason == "non_positive"
    assert str(e).startswith("aggregating 'P' (level 2) with geometric: the geometric mean needs positive values")


def test_messages_and_parameters_reach_the_methods():
    ones = np.array([1.0, 1.0])
    e = _raises(DataError, lambda: get_method("aggregate", "geometric")(np.array([[0.0, 1.0]]), ones))
    assert str(e) == ("the geometric mean needs positive values, but some are zero or negative; normalise onto a positive "
                      "range first (e.g. [normalise] range = [1, 100]) or use another aggregation")
    e = _raises(DataError, lambda: get_method("aggregate", "harmonic")(np.array([[0.0, 1.0]]), ones))
    assert str(e) == ("the harmonic mean cannot use zero values; normalise onto a positive range first "
                      "(e.g. [normalise] range = [1, 100]) or use another aggregation")
    e = _raises(DataError, lambda: get_method("aggregate", "bod")(np.array([[-1.0, 1.0]]), ones))
    assert str(e) == "benefit of the doubt needs values >= 0; normalise onto a positive range first"
    # 0 < p < 1 takes zeros: ((0 + 2) / 2) ** 2
    assert get_method("aggregate", "generalised")(np.array([[0.0, 4.0]]), ones, p=0.5)[0] == pytest.approx(1.0)
    # parameters reach the method when a threshold is applied
    Xg = np.array([[1.0, 4.0], [np.nan, 2.0]])
    np.testing.assert_allclose(aggregate_rows(Xg, ones, "generalised", min_availability=0.5, p=1), [2.5, np.nan])
    # MPI with every weight 0: no child, no score
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        assert np.isnan(get_method("aggregate", "mpi")(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros(2))).all()
    # the outranking matrix has a zero diagonal
    O = outranking_matrix(np.array([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0]]), ones)
    np.testing.assert_array_equal(np.diag(O), [0.0, 0.0, 0.0])


def test_aggregate_frame_defaults_and_errors():
    from innometrics.errors import SpecError

    # MPI without a penalty is the positive index: P of u1: m = 20, s = sqrt(200), m (1 - cv^2) = 10
    np.testing.assert_allclose(aggregate_frame(DATA, _meta(), {"method": "mpi"})["P"], [10.0, np.nan])
    # a column of objects is read as numbers
    np.testing.assert_allclose(aggregate_frame(DATA.astype({"a": object}), _meta(), {})["P"], [25.0, 20.0])
    e = _raises(DataError, lambda: aggregate_frame(DATA.drop(columns=["a", "b"]), _meta(), {}))
    assert str(e).startswith("cannot aggregate 'P': children a, b are not in the data")
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"p": [2, 3, 4]}, file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "aggregate.p")
    e = _raises(SpecError, lambda: aggregate_frame(DATA, _meta(), {"min_availability": [0.5]}, file="w.toml"))
    assert (e.file, e.key) == ("w.toml", "aggregate.min_availability")
    four = pd.DataFrame({
        "Level": [1, 1, 2, 2, 3, 4], "iCode": ["a", "c", "P", "Q", "R", "I"],
        "Parent": ["P", "Q", "R", "R", "I", None], "Weight": [1] * 6, "Type": ["Indicator"] * 2 + ["Aggregate"] * 4,
    })
    e = _raises(SpecError, lambda: aggregate_frame(DATA, four, {"method": ["arithmetic"]}))
    assert str(e).endswith("give one value for all levels or a list of 3 (levels 2..4). Got 1.")


def test_generalised_refuses_p_zero_like_coinr():
    """COINr's a_genmean stops on p = 0 (1/p is infinite; the limit is the geometric mean): so does
    the method itself, not only the spec check, and whatever the values (zeros included)."""
    from innometrics.errors import SpecError

    genmean = get_method("aggregate", "generalised")
    for values in ([[1.0, 4.0]], [[0.0, 4.0]]):
        e = _raises(SpecError, lambda: genmean(np.array(values), np.ones(2), p=0))
        assert str(e) == 'the generalised mean needs p != 0 (p = 0 is the geometric mean: use method "geometric")'
    # a p close to 0 is allowed and close to the geometric mean sqrt(1 * 4) = 2
    assert genmean(np.array([[1.0, 4.0]]), np.ones(2), p=1e-9)[0] == pytest.approx(2.0, rel=1e-6)


def test_bod_refuses_a_linear_programme_the_solver_did_not_solve(monkeypatch):
    """Each unit's LP is feasible (w = 0) and bounded (its own constraint), so HiGHS solves it; if it
    ever stops short (iteration limit, numerical trouble) the unfinished objective is not a score."""
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    X = np.array([[1.0, 4.0], [2.0, 2.0]])
    stopped = OptimizeResult(status=1, message="Iteration limit reached.", fun=-0.75, x=np.array([0.0, 0.1875]))
    monkeypatch.setattr(scipy.optimize, "linprog", lambda *args, **kwargs: stopped)
    e = _raises(DataError, lambda: get_method("aggregate", "bod")(X, np.ones(2)))
    assert e.reason == "lp_not_solved"
    assert str(e) == ("benefit of the doubt: the linear programme of row 0 was not solved "
                      "(HiGHS status 1: Iteration limit reached.)")


@pytest.mark.parametrize("w, a, b", [
    # unit a wins child 1 (0.45), loses children 2 and 3 (0.4 + 0.05 = 0.45): half of 0.9
    ([0.45, 0.4, 0.05], [2.0, 1.0, 1.0], [1.0, 3.0, 2.0]),
    # a wins children 2-4 (0.45 + 0.3 + 0.3 = 1.05), loses 1, 5, 6 (0.6 + 0.25 + 0.2 = 1.05): half of 2.1
    ([0.6, 0.45, 0.3, 0.3, 0.25, 0.2], [2.0, 2.0, 3.0, 3.0, 2.0, 1.0], [3.0, 1.0, 2.0, 2.0, 3.0, 3.0]),
    # identical units: every child tied, the half of all the weights
    ([0.6, 0.7, 0.4, 0.45, 0.55], [2.0] * 5, [2.0] * 5),
])
def test_copeland_finds_exact_ties_of_decimal_weights(w, a, b):
    """Weight shares that are exactly half in real arithmetic are a tie (Copeland 0 each), as in
    COINr, whose R sums accumulate in long double: the total of the weights and the shares won
    are summed in long double and rounded once, which a sum in double misses for these weights
    (it ends one unit in the last place off 0.5)."""
    import coinr_translation as R

    X = np.array([a, b])
    assert outranking_matrix(X, np.array(w))[0, 1] == 0.5
    np.testing.assert_array_equal(get_method("aggregate", "copeland")(X, np.array(w)), [0.0, 0.0])
    assert R.a_copeland(X.tolist(), w) == [0.0, 0.0]
