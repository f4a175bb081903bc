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


def test_imeta_logical_cells_read_like_r():
    """_as_bool reads R's TRUE/FALSE, T/F, 0/1 (numbers or text) and nothing else."""
    import pytest

    from innometrics.composite.normalise import _as_bool
    from innometrics.errors import SpecError

    def read(v):
        return _as_bool(v, code="A", column="goalpost_trunc2posts", file="meta.csv")

    assert read(True) is True and read(False) is False
    assert read(np.bool_(True)) is True and read(np.bool_(False)) is False
    # numbers 0/1 (a CSV column of 0/1 read as float): str(1.0) = "1.0" would not parse
    assert read(1.0) is True and read(0.0) is False and read(np.float64(1.0)) is True
    assert read(1) is True and read(np.int64(0)) is False
    for text in ("TRUE", " true ", "T", "t", "1"):
        assert read(text) is True, text
    for text in ("FALSE", "false", "F", "f", "0"):
        assert read(text) is False, text
    for bad in (2.0, 0.5, -1, "yes", "", "1.0"):
        with pytest.raises(SpecError) as err:
            read(bad)
        assert err.value.key == "normalise" and err.value.file == "meta.csv"
        assert f"iMeta column goalpost_trunc2posts must be TRUE or FALSE, but indicator 'A' has {bad!r}." in str(err.value)


def _params(method, settings, row, units=("u1", "u2", "u3")):
    from innometrics.composite.normalise import method_params_for

    return method_params_for(method, settings, row, units=pd.Index(list(units)), file="spec.toml")


def _spec_error(call):
    import pytest

    from innometrics.errors import SpecError

    with pytest.raises(SpecError) as err:
        call()
    return err.value


def test_method_params_from_settings_and_imeta():
    row = {"iCode": "A", "Direction": 1, "minmax_lower": 5, "minmax_upper": 50, "zscore_mean": 100, "zscore_sd": 10,
           "scaled_lower": 0, "scaled_upper": 10}
    assert _params("minmax", {"range": [1, 11]}, row) == {"range": (1, 11)}
    assert _params("minmax", {"range": "meta"}, row) == {"range": (5.0, 50.0)}
    assert _params("minmax", {}, row) == {}
    assert _params("zscore", {"mean_sd": [10, 2]}, row) == {"mean_sd": (10, 2)}
    assert _params("zscore", {"mean_sd": "meta"}, row) == {"mean_sd": (100.0, 10.0)}
    assert _params("zscore", {}, row) == {}
    # mean_sd belongs to zscore only
    assert _params("rank", {"mean_sd": [10, 2]}, row) == {}
    assert _params("scaled", {}, row) == {"bounds": (0.0, 100.0)}
    assert _params("scaled", {"bounds": [2, 4], "scale_factor": 1}, row) == {"bounds": (2, 4), "scale_factor": 1.0}
    assert _params("scaled", {"bounds": "meta"}, row) == {"bounds": (0.0, 10.0)}
    assert _params("dist2ref", {"reference": "u3"}, row) == {"ref_index": 2, "cap_max": False}
    assert _params("dist2ref", {"reference": "u2", "cap_max": True}, row) == {"ref_index": 1, "cap_max": True}


def test_method_params_targets_and_goalposts_follow_the_direction():
    pos = {"iCode": "A", "Direction": 1, "Target": 5.0,
           "goalpost_lower": 2.0, "goalpost_upper": 8.0, "goalpost_scale": 100.0}
    neg = {**pos, "Direction": -1}
    assert _params("dist2targ", {}, pos) == {"target": 5.0, "cap_max": False}
    assert _params("dist2targ", {}, neg) == {"target": -5.0, "cap_max": False}
    # no direction (missing, empty or 0) reads as 1
    for row in ({"iCode": "A", "Target": 5.0}, {"iCode": "A", "Target": 5.0, "Direction": None},
                {"iCode": "A", "Target": 5.0, "Direction": 0}):
        assert _params("dist2targ", {"target": "meta"}, row) == {"target": 5.0, "cap_max": False}
    assert _params("dist2targ", {}, {**pos, "dist2targ_cap_max": "TRUE"}) == {"target": 5.0, "cap_max": True}
    assert _params("dist2targ", {}, {**pos, "dist2targ_cap_max": 0.0}) == {"target": 5.0, "cap_max": False}
    assert _params("dist2targ", {}, {**pos, "dist2targ_cap_max": np.nan}) == {"target": 5.0, "cap_max": False}
    # the spec's cap_max wins over iMeta's
    assert _params("dist2targ", {"cap_max": False}, {**pos, "dist2targ_cap_max": "TRUE"}) == {"target": 5.0, "cap_max": False}
    assert _params("dist2targ", {"cap_max": True}, pos) == {"target": 5.0, "cap_max": True}
    # a target given as a number is taken as it is (the pipeline's direction is applied to the data)
    assert _params("dist2targ", {"target": 7}, neg) == {"target": 7.0, "cap_max": False}
    assert _params("dist2targ", {"target": 7, "cap_max": 1}, neg) == {"target": 7.0, "cap_max": True}

    assert _params("goalposts", {}, pos) == {"lower": 2.0, "upper": 8.0, "scale": 100.0}
    # a negative indicator arrives reversed: goalposts negated and swapped
    assert _params("goalposts", {"goalposts": "meta"}, neg) == {"lower": -8.0, "upper": -2.0, "scale": 100.0}
    assert _params("goalposts", {}, {**pos, "goalpost_trunc2posts": "F"}) == {
        "lower": 2.0, "upper": 8.0, "scale": 100.0, "trunc2posts": False}
    assert _params("goalposts", {}, {**pos, "goalpost_trunc2posts": np.nan}) == {"lower": 2.0, "upper": 8.0, "scale": 100.0}
    assert _params("goalposts", {"trunc2posts": True}, {**pos, "goalpost_trunc2posts": "F"}) == {
        "lower": 2.0, "upper": 8.0, "scale": 100.0, "trunc2posts": True}
    assert _params("goalposts", {"goalposts": [1, 3, 10], "trunc2posts": False}, neg) == {
        "lower": 1.0, "upper": 3.0, "scale": 10.0, "trunc2posts": False}


def test_method_params_errors_say_what_is_missing():
    e = _spec_error(lambda: _params("minmax", {"range": "meta"}, {"iCode": "A", "minmax_lower": 1, "minmax_upper": np.nan}))
    assert (e.file, e.key) == ("spec.toml", "normalise.range")
    assert str(e) == ("spec.toml: key 'normalise.range': normalise method 'minmax' reads iMeta columns minmax_lower, "
                      "minmax_upper (range = \"meta\"), but indicator 'A' lacks minmax_upper; add them to iMeta (or the "
                      "metadata table) or give range as numbers.")
    e = _spec_error(lambda: _params("zscore", {"mean_sd": "meta"}, {"iCode": "B"}))
    assert e.key == "normalise.mean_sd" and "indicator 'B' lacks zscore_mean, zscore_sd;" in str(e)
    e = _spec_error(lambda: _params("scaled", {"bounds": "meta"}, {"iCode": "C", "scaled_lower": "low", "scaled_upper": 1}))
    assert (e.file, e.key) == ("spec.toml", "normalise.bounds")
    assert str(e) == ("spec.toml: key 'normalise.bounds': iMeta columns scaled_lower, scaled_upper of indicator 'C' "
                      "must be numbers. Got ['low', 1].")
    e = _spec_error(lambda: _params("dist2ref", {}, {"iCode": "A"}))
    assert (e.file, e.key) == ("spec.toml", "normalise.reference")
    assert str(e).endswith("normalise method 'dist2ref' needs 'reference' = a unit code (uCode).")
    e = _spec_error(lambda: _params("dist2ref", {"reference": "Z"}, {"iCode": "A"}, units=[f"U{i}" for i in range(10)]))
    assert (e.file, e.key) == ("spec.toml", "normalise.reference")
    assert str(e).endswith("reference unit 'Z' is not among the units being normalised (U0, U1, U2, U3, U4, U5, U6, U7, ...).")
    e = _spec_error(lambda: _params("dist2targ", {}, {"iCode": "A", "Target": np.nan}))
    assert (e.file, e.key) == ("spec.toml", "normalise.target")
    assert str(e).endswith("normalise method 'dist2targ' reads targets from iMeta's Target column, but indicator 'A' has "
                           "none; fill the Target column or set 'target' to a number.")
    e = _spec_error(lambda: _params("dist2targ", {}, {"iCode": "A"}))
    assert e.key == "normalise.target"
    e = _spec_error(lambda: _params("goalposts", {}, {"iCode": "A", "goalpost_lower": 0, "goalpost_scale": np.nan}))
    assert (e.file, e.key) == ("spec.toml", "normalise.goalposts")
    assert str(e).endswith("normalise method 'goalposts' reads iMeta columns goalpost_lower, goalpost_upper, goalpost_scale, "
                           "but indicator 'A' lacks goalpost_upper, goalpost_scale; add them or set goalposts = "
                           "[lower, upper, scale].")
    e = _spec_error(lambda: _params("goalposts", {}, {"iCode": "A", "goalpost_lower": 0, "goalpost_upper": 1,
                                                      "goalpost_scale": 1, "goalpost_trunc2posts": "maybe"}))
    assert e.key == "normalise" and "indicator 'A' has 'maybe'" in str(e)
    e = _spec_error(lambda: _params("dist2targ", {}, {"iCode": "A", "Target": 1.0, "dist2targ_cap_max": "maybe"}))
    assert (e.file, e.key) == ("spec.toml", "normalise")
    assert str(e) == ("spec.toml: key 'normalise': iMeta column dist2targ_cap_max must be TRUE or FALSE, "
                      "but indicator 'A' has 'maybe'.")
    e = _spec_error(lambda: _params("goalposts", {}, {"iCode": "B", "goalpost_lower": 0, "goalpost_upper": 1,
                                                      "goalpost_scale": 1, "goalpost_trunc2posts": 7}))
    assert (e.file, e.key) == ("spec.toml", "normalise")
    assert str(e) == ("spec.toml: key 'normalise': iMeta column goalpost_trunc2posts must be TRUE or FALSE, "
                      "but indicator 'B' has 7.")


def test_formulas_with_nonzero_lower_bounds_and_two_values():
    from innometrics.composite.normalise import dist2ref, index, scaled, zscore

    # (x - 2) / (10 - 2) * 100
    np.testing.assert_allclose(scaled(np.array([2.0, 6.0, 12.0]), bounds=(2, 10)), [0, 50, 125])
    # two values: mean 2, sample sd sqrt(2)
    np.testing.assert_allclose(zscore(np.array([1.0, 3.0, np.nan])), [-1 / np.sqrt(2), 1 / np.sqrt(2), np.nan])
    assert np.isnan(zscore(np.array([4.0, np.nan]))).all()
    # array-likes with None (missing) are read as float
    np.testing.assert_allclose(index([50, None, 30], base=[40, 40, None]), [125, np.nan, np.nan])
    np.testing.assert_allclose(normalise_column([1, None, 3], "minmax"), [0, np.nan, 100])
    import pytest

    from innometrics.errors import SpecError

    with pytest.raises(SpecError, match=r"^The 'ref_index' parameter of normalise.dist2ref must be below 3. Got 3.$"):
        dist2ref(np.array([1.0, 2.0, 3.0]), ref_index=3)
    with pytest.raises(SpecError, match=r"^an indicator direction must be 1 or -1. Got 2.$"):
        normalise_column(x, "minmax", direction=2)


def test_frame_defaults_directions_and_individual_settings():
    import pytest

    from innometrics.errors import SpecError

    data = pd.DataFrame({"A": [1.0, 5.0, 9.0], "B": [2.0, 4.0, 10.0]}, index=pd.Index(["u1", "u2", "u3"], name="uCode"))
    meta = pd.DataFrame({"Direction": [1, -1]}, index=["A", "B"])
    # minmax onto [0, 100] by default; B reversed by its direction
    out = normalise_frame(data, meta, {})
    assert list(out.columns) == ["A", "B"] and list(out.index) == ["u1", "u2", "u3"]
    np.testing.assert_allclose(out["A"], [0, 50, 100])
    np.testing.assert_allclose(out["B"], [100, 75, 0])
    # use_directions = false ignores iMeta's directions
    np.testing.assert_allclose(normalise_frame(data, meta, {"use_directions": False})["B"], [0, 25, 100])
    # an indicator without iMeta row, or without direction, counts as positive
    np.testing.assert_allclose(normalise_frame(data, meta.loc[["A"]], {"method": "minmax"})["B"], [0, 25, 100])
    np.testing.assert_allclose(normalise_frame(data, pd.DataFrame(index=["A", "B"]), {"method": "minmax"})["B"], [0, 25, 100])
    # individual settings without a method keep the global one, with their own parameters
    ind = normalise_frame(data, meta, {"method": "minmax", "range": [0, 1], "individual": {"B": {"range": [1, 11]}}})
    np.testing.assert_allclose(ind["A"], [0, 0.5, 1])
    np.testing.assert_allclose(ind["B"], [11, 8.5, 1])
    ind = normalise_frame(data, meta, {"method": "borda", "individual": {"B": {"use_directions": True}}})
    np.testing.assert_allclose(ind["B"], [2, 1, 0])
    # nullable integer columns with missing cells are read as float
    nullable = pd.DataFrame({"A": pd.array([1, None, 9], dtype="Int64")}, index=data.index)
    np.testing.assert_allclose(normalise_frame(nullable, meta, {})["A"], [0, np.nan, 100])
    np.testing.assert_allclose(normalise_frame(nullable, meta, {"method": "index", "base": "unit:u1"})["A"], [100, np.nan, 900])

    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "minmax", "individual": {"C": {}, "D": {}}}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.individual")
    assert str(err.value) == ("spec.toml: key 'normalise.individual': individual settings name codes that are not "
                              "indicators: C, D.")
    # parameter errors name the spec file, the key and the indicator
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "dist2targ"}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.target")
    assert "indicator 'A' has none" in str(err.value)
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "minmax", "range": [5, 1]}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.range")
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "zscore", "mean_sd": "meta"}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.mean_sd")
    assert "normalise method 'zscore' reads iMeta columns zscore_mean, zscore_sd" in str(err.value)
    with pytest.raises(SpecError) as err:
        normalise_frame(data, meta, {"method": "scaled", "bounds": "meta"}, file="spec.toml")
    assert (err.value.file, err.value.key) == ("spec.toml", "normalise.bounds")
    assert "normalise method 'scaled' reads iMeta columns scaled_lower, scaled_upper" in str(err.value)
