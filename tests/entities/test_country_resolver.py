"""The country resolver: ISO codes, names in every pycountry translation, historic codes, reasons."""

from __future__ import annotations

import pycountry
import pytest

from innometrics.entities.countries import (
    REASONS,
    explain_country,
    normalise_country,
    resolve_countries,
    resolve_country,
)

COUNTRIES = list(pycountry.countries)


def test_every_iso_code_round_trips():
    assert len(COUNTRIES) == 249
    for c in COUNTRIES:
        for code in (c.alpha_2, c.alpha_3, c.numeric, c.alpha_2.lower(), c.alpha_3.lower()):
            for kind in ("code", "auto"):
                found = resolve_country(code, kind=kind)
                assert found is not None and found.alpha_3 == c.alpha_3, (code, kind)
                assert (found.alpha_2, found.numeric, found.name) == (c.alpha_2, c.numeric, c.name)
        # a numeric code that lost its leading zeros in a spreadsheet
        assert resolve_country(str(int(c.numeric)), kind="code").alpha_3 == c.alpha_3


def test_every_iso_name_round_trips():
    for c in COUNTRIES:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(c, attr, None)
            if name:
                for kind in ("name", "auto"):
                    found = resolve_country(name, kind=kind)
                    assert found is not None and found.alpha_3 == c.alpha_3, (name, kind)


@pytest.mark.parametrize("code, alpha_3", [
    # read as US states by the address parser before (issue 11)
    ("DE", "DEU"), ("IN", "IND"), ("CA", "CAN"), ("IL", "ISR"), ("ID", "IDN"), ("MA", "MAR"),
    ("CO", "COL"), ("AR", "ARG"), ("PA", "PAN"),
    # not recognised before
    ("CN", "CHN"), ("US", "USA"), ("GB", "GBR"), ("KR", "KOR"),
])
def test_codes_are_read_as_codes(code, alpha_3):
    assert resolve_country(code, kind="code").alpha_3 == alpha_3
    assert resolve_country(code).alpha_3 == alpha_3  # auto
    assert resolve_country(code).rule == "alpha_2"


@pytest.mark.parametrize("text, reason", [
    ("ZZZ", "unknown_code"), ("ZZ", "unknown_code"), ("999", "unknown_code"), ("QQ", "unknown_code"),
    ("EU", "unknown_code"),  # reserved for the European Union, not a country
    ("SUN", "historic_split"), ("SU", "historic_split"), ("YUG", "historic_split"),
    ("CS", "ambiguous"),  # Czechoslovakia, later Serbia and Montenegro
    ("891", "ambiguous"),  # numeric code of both Yugoslavia and Serbia and Montenegro
])
def test_unknown_codes_are_rejected_with_a_reason(text, reason):
    assert explain_country(text, kind="code") == (None, reason)
    assert explain_country(text) == (None, reason)
    assert reason in REASONS


@pytest.mark.parametrize("code, alpha_3, rule", [
    ("UK", "GBR", "reserved_code"), ("EL", "GRC", "reserved_code"), ("XK", "XKX", "reserved_code"),
    ("DDR", "DEU", "historic_code"), ("DD", "DEU", "historic_code"), ("278", "DEU", "historic_code"),
    ("ZR", "COD", "historic_code"), ("BUR", "MMR", "historic_code"), ("TP", "TLS", "historic_code"),
    # a withdrawn code reassigned since is the current country (GE: Gilbert and Ellice Islands, Georgia)
    ("GE", "GEO", "alpha_2"), ("SK", "SVK", "alpha_2"),
])
def test_reserved_and_withdrawn_codes(code, alpha_3, rule):
    found = resolve_country(code, kind="code")
    assert (found.alpha_3, found.rule) == (alpha_3, rule)


@pytest.mark.parametrize("text, alpha_3", [
    ("中国", "CHN"), ("Deutschland", "DEU"), ("Allemagne", "DEU"), ("Alemania", "DEU"), ("Österreich", "AUT"),
    ("Schweiz", "CHE"), ("Suisse", "CHE"), ("Nederland", "NLD"), ("España", "ESP"), ("Brasil", "BRA"),
    ("日本", "JPN"), ("대한민국", "KOR"), ("Indien", "IND"),
])
def test_translated_names(text, alpha_3):
    found = resolve_country(text, kind="name")
    assert (found.alpha_3, found.rule) == (alpha_3, "translation")
    assert resolve_country(text).alpha_3 == alpha_3


def test_translated_name_of_two_countries_is_ambiguous():
    # "Paraguai" is Paraguay in Asturian, Catalan and Basque, and Nicaragua in the Occitan catalogue
    assert explain_country("Paraguai", kind="name") == (None, "ambiguous")
    # an English name wins over a translation that names another country ("Mexico" is
    # Malaysia in the Guarani catalogue; "Samoa" American Samoa in the Faroese one)
    assert resolve_country("Mexico", kind="name").alpha_3 == "MEX"
    assert resolve_country("Samoa", kind="name").alpha_3 == "WSM"


def test_virgin_islands_is_ambiguous():
    # issue 17: British (VGB) and US (VIR) Virgin Islands; the name prefix of both is neither
    for text in ("Virgin Islands", "Virgin Isl", "VIRGIN ISLANDS"):
        assert normalise_country(text) is None, text
        assert explain_country(text, kind="name") == (None, "ambiguous"), text
    assert resolve_country("British Virgin Islands", kind="name").alpha_3 == "VGB"
    assert resolve_country("Virgin Islands, British", kind="name").alpha_3 == "VGB"
    assert resolve_country("Virgin Islands, U.S.", kind="name").alpha_3 == "VIR"
    assert resolve_country("Virgin Islands of the United States", kind="name").alpha_3 == "VIR"


def test_historic_names():
    assert [resolve_country(t, kind="name").alpha_3 for t in ("Zaire", "Burma", "East Timor")] == \
        ["COD", "MMR", "TLS"]
    for text in ("USSR", "Yugoslavia", "Czechoslovakia"):
        assert explain_country(text, kind="name") == (None, "historic_split")


def test_us_states_count_only_in_addresses():
    assert resolve_country("Stanford, CA 94305", kind="address").alpha_3 == "USA"
    assert resolve_country("Boston, MA 02115 USA", kind="address").rule == "state_and_country"
    assert resolve_country("CA", kind="code").alpha_3 == "CAN"
    assert explain_country("California", kind="name") == (None, "subdivision")
    assert explain_country("California") == (None, "subdivision")
    assert resolve_country("California", kind="address").alpha_3 == "USA"


def test_names_are_not_read_as_codes_and_codes_not_as_names():
    assert explain_country("Germany", kind="code") == (None, "not_a_code")
    assert explain_country("DE", kind="name") == (None, "subdivision")  # Delaware, read as a name
    assert explain_country("Xq", kind="name") == (None, "unknown_name")
    assert resolve_country("UAE").alpha_3 == "ARE"  # an abbreviation that no code is, in auto
    assert explain_country("", kind="auto") == (None, "empty")
    assert explain_country(None) == (None, "empty")
    assert explain_country(float("nan")) == (None, "empty")
    with pytest.raises(ValueError, match="kind must be one of"):
        resolve_country("DE", kind="iso")


def test_resolve_countries_column():
    out = resolve_countries(["DE", "ZZZ", "Peoples R China", "DE", None, "Virgin Islands"])
    assert out["country"].fillna("").tolist() == ["DEU", "", "CHN", "DEU", "", ""]
    assert out["rule"].tolist() == ["alpha_2", "", "alias", "alpha_2", "", ""]
    assert out["reason"].tolist() == ["", "unknown_code", "", "", "empty", "ambiguous"]
    assert len(resolve_countries([], kind="code")) == 0
