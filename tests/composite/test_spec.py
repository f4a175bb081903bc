"""Spec errors name the file, the key and the allowed values."""

from pathlib import Path

import pytest

from innometrics.composite.spec import IndexSpec, load_spec
from innometrics.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
ASEM_SPEC = ROOT / "examples" / "asem" / "asem.toml"


def write(tmp_path, text):
    p = tmp_path / "spec.toml"
    p.write_text('[data]\nindicators = "d.csv"\nmeta = "m.csv"\n' + text, encoding="utf-8")
    return p


def test_example_spec_loads_and_resolves_paths():
    spec = load_spec(ASEM_SPEC)
    assert spec.steps() == ["denominate", "impute", "screen", "treat", "normalise", "aggregate"]
    assert spec.data.indicators.is_absolute() and spec.data.indicators.exists()
    assert spec.section("impute") == {"method": "mean_group", "group": "EurAsia_group"}


def test_relative_paths_resolve_against_spec_folder(tmp_path):
    spec = load_spec(write(tmp_path, ""))
    assert spec.data.indicators == (tmp_path / "d.csv").resolve()


@pytest.mark.parametrize(
    "text, key, fragment",
    [
        ("[normalise]\nmethod = \"minimax\"\n", "normalise.method", "'minmax'"),
        ("[normalise]\nmethod = \"minmax\"\nrnage = [0, 100]\n", "normalise.rnage", "Allowed keys here"),
        ("[normalise]\nmethod = \"zscore\"\nrange = [0, 100]\n", "normalise", "zscore takes: mean_sd"),
        ("[normalise]\nrange = [100, 0]\n", "normalise", "lower < upper"),
        ("[impute]\nmethod = \"mean_group\"\n", "impute", "needs 'group'"),
        ("[screen]\nmin_availability = 1.5\n", "screen.min_availability", "less than or equal to 1"),
        ("[aggregate]\nmethod = \"median\"\n", "aggregate.method", "'arithmetic'"),
        ("[aggregate]\nmethod = \"generalised\"\np = 0\n", "aggregate", "must not be 0"),
        ("[treat]\nwinsorise_max = -1\n", "treat.winsorise_max", ">= 0"),
        ("[bogus]\n", "bogus", "Allowed keys here"),
    ],
)
def test_spec_errors(tmp_path, text, key, fragment):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    err = info.value
    assert err.file == str(path)
    assert err.key == key
    assert fragment in str(err)


def test_missing_data_section_and_bad_toml(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[impute]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"\[data\] section is missing"):
        load_spec(p)
    p.write_text("[data\n", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(p)


def test_to_dict_round_trip():
    spec = load_spec(ASEM_SPEC)
    again = IndexSpec.from_dict(spec.to_dict())
    assert again.to_dict() == spec.to_dict()


def test_individual_normalisation_is_validated_and_applied(tmp_path):
    from innometrics.composite import build, rebuild

    b = build(ASEM_SPEC)
    with pytest.raises(SpecError, match="individual.LPI"):
        rebuild(b, normalise={"individual": {"LPI": {"method": "minimax"}}})
    with pytest.raises(SpecError, match="not indicators: Nope"):
        rebuild(b, normalise={"individual": {"Nope": {"method": "rank"}}})
    r = rebuild(b, normalise={"individual": {"LPI": {"method": "rank"}}})
    lpi = r.stages["normalised"]["LPI"]
    assert lpi.min() == 1 and lpi.max() == 51
    assert (r.stages["normalised"]["Flights"] == b.stages["normalised"]["Flights"]).all()
