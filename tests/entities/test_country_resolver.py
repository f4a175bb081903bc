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


# -- the rules one by one (issue 17: each edge pinned, the expected values derived by hand) ----


def test_fold_ascii_drops_accents_and_modifiers_and_spaces_punctuation():
    from innometrics.entities.countries import fold_ascii

    # ß, Ł: letters Unicode does not decompose; ó, ź, ö: a base letter and a combining mark (Mn)
    assert fold_ascii("Gießen") == "giessen" and fold_ascii("Łódź") == "lodz" and fold_ascii("Köln") == "koln"
    assert fold_ascii("Hawaiʻi") == "hawaii"  # the okina is a modifier letter (Lm): dropped, not a space
    assert fold_ascii("O\u02d7ahu") == "oahu"  # a modifier symbol (Sk) is dropped too
    # punctuation and spaces become one space, none at either end
    assert fold_ascii("  Côte d'Ivoire,  (Abidjan) ") == "cote d ivoire abidjan"


def test_fold_reads_ampersand_apostrophes_and_saint():
    from innometrics.entities.countries import _fold

    assert _fold("Trinidad & Tobago") == "trinidad and tobago"
    # an apostrophe joins the letters it separates, straight or typographic
    assert _fold("Cote d'Ivoire") == _fold("Côte d’Ivoire") == "cote divoire"
    assert _fold("St Kitts") == _fold("ST. KITTS") == "saint kitts"
    assert _fold("Stanford") == "stanford"  # "st" only as a whole word


def test_successor_of_a_withdrawn_code():
    from innometrics.entities.countries import _successor

    historic = {c.alpha_4: c for c in pycountry.historic_countries}
    # ISO 3166-3: the last two letters of the alpha-4 code are the successor's alpha-2 code,
    # "AA" when the country kept its alpha-2 code, "HH" when it split
    assert _successor(historic["ZRCD"]) == "COD"  # Zaire
    assert _successor(historic["BYAA"]) == "BLR"  # Byelorussian SSR, kept BY
    assert _successor(historic["DDDE"]) == "DEU"  # German Democratic Republic
    assert _successor(historic["SUHH"]) is None  # USSR
    assert _successor(historic["YUCS"]) is None  # Yugoslavia -> CS, itself withdrawn


def test_abbreviations_need_five_letters_and_one_country():
    # one word: at least five letters, and not a whole word of the name
    assert explain_country("Russ", kind="name") == (None, "unknown_name")
    found = resolve_country("Russi", kind="name")
    assert (found.alpha_3, found.rule) == ("RUS", "abbreviation")
    assert explain_country("Central", kind="name")[0] is None  # Central African Republic's first word
    # several words: each starts the same word of the name, the first may be whole
    assert [resolve_country(t, kind="name").alpha_3 for t in ("Dominican Rep", "Saudi Arab", "Cent Afr Republ")] == \
        ["DOM", "SAU", "CAF"]
    assert resolve_country("Papua N Guinea", kind="name").rule == "abbreviation"
    # a name with fewer words than the text is no match ("Guinea Bissau Rep" is not Guinea-Bissau)
    assert explain_country("Guinea Bissau Rep", kind="name") == (None, "unknown_name")
    # no country name starts with x: nothing to scan
    assert explain_country("Xanadu Isl", kind="name") == (None, "unknown_name")
    # two countries: refused (United States, United States Minor Outlying Islands)
    assert explain_country("Unit Stat", kind="name") == (None, "ambiguous")


def test_rules_are_reported():
    assert resolve_country("Germany", kind="name").rule == "name"
    assert resolve_country("The Gambia", kind="name").alpha_3 == "GMB"  # a leading "The" is dropped
    assert resolve_country("Burma", kind="name").rule == "name"  # a former name with one successor
    assert resolve_country("Peoples R China", kind="name").rule == "alias"
    # auto: a code first, even when the text is also a name or alias
    assert resolve_country("USA").rule == "alpha_3" and resolve_country("UK").rule == "reserved_code"
    found, reason = explain_country(" de ", kind="code")
    assert (found.alpha_3, found.rule, found.text, reason) == ("DEU", "alpha_2", "de", "")


def test_code_like_text_is_never_read_as_an_abbreviation():
    # "GER" and "RUS" are no ISO codes (Germany is DEU); three letters never abbreviate a name
    assert explain_country("Ger") == (None, "unknown_code")
    assert explain_country("QQ") == (None, "unknown_code")
    assert explain_country("QQ", kind="name") == (None, "unknown_name")  # two capitals, but no US state
    assert resolve_country("Prc").alpha_3 == "CHN"  # an alias written like a code


def test_kosovo_match():
    from innometrics.entities.countries import CountryMatch

    assert resolve_country("XKX", kind="code") == CountryMatch("XKX", "XK", None, "Kosovo", "reserved_code", "XKX")
    assert resolve_country("xk") == CountryMatch("XKX", "XK", None, "Kosovo", "reserved_code", "xk")


def test_empty_and_non_text_values():
    import pandas as pd

    for missing in (None, float("nan"), pd.NA, pd.NaT, "", "   "):
        assert explain_country(missing) == (None, "empty"), missing
        assert explain_country(missing, kind="address") == (None, "empty"), missing
    # a numeric code read from a spreadsheet as a number
    assert resolve_country(276).alpha_3 == "DEU" and resolve_country(4, kind="code").alpha_3 == "AFG"
    # punctuation alone names nothing
    assert explain_country("-", kind="name") == (None, "unknown_name")
    assert normalise_country("--") is None
    with pytest.raises(ValueError, match=r"kind must be one of code, name, address, auto; got 'iso'"):
        explain_country("DE", kind="iso")


def test_resolve_countries_keeps_missing_values_apart_from_texts():
    import pandas as pd

    # "nan" and "None" are texts (an unknown code, an unknown name), not empty cells; 276 and
    # "276" are the same code, 4 another
    values = [float("nan"), "nan", None, "None", pd.NA, 276, "276", 4, "NAN"]
    out = resolve_countries(values)
    assert out["reason"].tolist() == ["empty", "unknown_code", "empty", "unknown_name", "empty", "", "", "",
                                      "unknown_code"]
    assert out["country"].fillna("").tolist() == ["", "", "", "", "", "DEU", "DEU", "AFG", ""]
    out = resolve_countries(["nan", float("nan")])  # the other order
    assert out["reason"].tolist() == ["unknown_code", "empty"]
    # a string column with missing cells (pd.NA)
    column = pd.Series(["DE", None, "France"], dtype="string")
    out = resolve_countries(column, kind="auto")
    assert out["country"].fillna("").tolist() == ["DEU", "", "FRA"]
    assert out["rule"].tolist() == ["alpha_2", "", "name"]


def test_country_from_alpha2_reads_two_letters_only():
    from innometrics.entities.countries import country_from_alpha2

    assert country_from_alpha2("CN") == "CHN" and country_from_alpha2(" cn ") == "CHN"
    assert country_from_alpha2("UK") == "GBR"
    # not two letters: Afghanistan's numeric code 4, the alpha-3 CHN, nothing
    assert [country_from_alpha2(c) for c in ("4", "CHN", "", None, "XX")] == [None] * 5
    # two characters that are no code are not read as a name ("中国", China)
    assert country_from_alpha2("中国") is None


def test_translated_names_ignore_case_punctuation_and_spacing():
    import gettext

    from innometrics.entities.countries import country_vocabulary

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    south_africa = russian.gettext("South Africa")  # two Cyrillic words
    assert south_africa != "South Africa" and len(south_africa.split()) == 2
    for text in (south_africa, south_africa.upper(), south_africa.replace(" ", "  "), south_africa.replace(" ", ", "),
                 f"{south_africa}."):
        found = resolve_country(text, kind="name")
        assert (found.alpha_3, found.rule) == ("ZAF", "translation"), text
    # the vocabulary keys are lower case with single spaces, as text is matched against them
    assert country_vocabulary()[" ".join(south_africa.lower().split())] == "ZAF"
    assert country_vocabulary(min_translation_chars=2)["中国"] == "CHN"


def test_subdivision_names_drop_qualifiers():
    from innometrics.entities.countries import subdivision_country

    # ISO 3166-2 names with a qualifier after a comma, a bracket or a parenthesis
    assert subdivision_country("Navarra") == "ESP"  # "Navarra, Comunidad Foral de"
    assert subdivision_country("Catalunya") == "ESP"  # "Catalunya [Cataluña]"
    assert subdivision_country("Ilocos") == "PHL"  # "Ilocos (Region I)"
    assert subdivision_country("Jiangsu") == subdivision_country("Jiangsu Sheng") == "CHN"


def test_postal_codes_are_removed():
    from innometrics.entities.countries import strip_postal_codes

    assert strip_postal_codes("MA 02115 USA") == "MA USA"  # a state code before the ZIP code stays
    assert strip_postal_codes("Beijing 100871") == "Beijing"
    # the two letters of a Dutch postcode go with it, before any kept word only
    assert strip_postal_codes("NL-1001 NG Amsterdam") == "Amsterdam"
    assert strip_postal_codes("1001 NG AB Amsterdam NL") == "Amsterdam NL"
    assert strip_postal_codes("Amsterdam 1001 NG") == "Amsterdam NG"


def test_resolve_countries_reads_the_kind_given():
    # "CA" is Canada as a code, California (USA) at the end of an address; "Ohio" is a state
    out = resolve_countries(["CA", "Ohio", "CA"], kind="address")
    assert out.columns.tolist() == ["text", "country", "rule", "reason"]
    assert out["text"].tolist() == ["CA", "Ohio", "CA"]
    assert out["country"].tolist() == ["USA", "USA", "USA"] and out["rule"].tolist() == ["us_state", "subdivision",
                                                                                           "us_state"]
    assert resolve_countries(["CA", "Ohio"], kind="code")["reason"].fillna("").tolist() == ["", "not_a_code"]
