"""Country normalisation and address splitting."""

from __future__ import annotations

import pytest

from innometrics.rankings.readers.addresses import parse_address, pick_institution
from innometrics.rankings.readers.countries import ALIASES, country_from_alpha2, normalise_country


@pytest.mark.parametrize("text, code", [
    ("Peoples R China", "CHN"), ("PEOPLES R CHINA", "CHN"), ("China", "CHN"),
    ("MA 02115 USA", "USA"), ("DC 20064 USA", "USA"), ("United States", "USA"), ("USA", "USA"),
    ("England", "GBR"), ("Scotland", "GBR"), ("Wales", "GBR"), ("North Ireland", "GBR"),
    ("Northern Ireland", "GBR"), ("United Kingdom", "GBR"),
    ("Taiwan", "TWN"), ("South Korea", "KOR"), ("Korea", "KOR"), ("Russia", "RUS"),
    ("Russian Federation", "RUS"), ("Iran", "IRN"), ("Vietnam", "VNM"), ("Viet Nam", "VNM"),
    ("Turkiye", "TUR"), ("Türkiye", "TUR"), ("Turkey", "TUR"), ("U Arab Emirates", "ARE"),
    ("Papua N Guinea", "PNG"), ("Cent Afr Republ", "CAF"), ("Dem Rep Congo", "COD"), ("Rep Congo", "COG"),
    ("Bosnia & Herceg", "BIH"), ("Trinid & Tobago", "TTO"), ("St Kitts & Nevi", "KNA"),
    ("Czech Republic", "CZE"), ("Hong Kong", "HKG"), ("Macau", "MAC"), ("Cote Ivoire", "CIV"),
    ("NSW 2113 Australia", "AUS"), ("Singapore 639798", "SGP"), ("Neth Antilles", "ANT"),
    ("Niger", "NER"), ("Nigeria", "NGA"), ("Guinea", "GIN"), ("Georgia", "GEO"),
    ("NY 10027", "USA"), ("California", "USA"),
    ("Beijing 100871, Peoples R China", "CHN"),
])
def test_normalise_country(text, code):
    assert normalise_country(text) == code


@pytest.mark.parametrize("text", ["Dept Phys", "Jiangsu", "York", "NA", "", None, "Univ Barcelona", "CN"])
def test_not_a_country(text):
    assert normalise_country(text) is None


def test_alias_list_is_minimal():
    # every alias must be something pycountry's names cannot resolve
    from innometrics.rankings.readers import countries

    for alias in ALIASES:
        assert countries._name_index()[0].get(alias) is None, alias
    assert len(ALIASES) <= 20
    assert country_from_alpha2("CN") == "CHN" and country_from_alpha2("XX") is None


@pytest.mark.parametrize("raw, style, expected", [
    ("Boston Univ, Sch Med, 72 E Concord St, Boston, MA 02118 USA.", "wos", ("Boston Univ", "Boston", "USA")),
    ("Peking Univ, Sch Phys, Beijing 100871, Peoples R China.", "wos", ("Peking Univ", "Beijing", "CHN")),
    ("Jiangsu Univ Lib, Zhenjiang City 212013, Jiangsu, Peoples R China.", "wos",
     ("Jiangsu Univ Lib", "Zhenjiang City", "CHN")),
    ("Lib Hungarian Acad Sci, Dept Sci Policy & Scientometr, H-1051 Budapest, Hungary.", "wos",
     ("Lib Hungarian Acad Sci", "Budapest", "HUN")),
    ("Univ Amsterdam, Amsterdam Sch Commun Res ASCoR, POB 15793, NL-1001 NG Amsterdam, Netherlands.", "wos",
     ("Univ Amsterdam", "Amsterdam", "NLD")),
    ("ASTON UNIV, BIRMINGHAM, W MIDLANDS, ENGLAND.", "wos", ("ASTON UNIV", "BIRMINGHAM", "GBR")),
    ("Tokyo Inst Technol, Meguro Ku, Tokyo 1528550, Japan.", "wos", ("Tokyo Inst Technol", "Tokyo", "JPN")),
    ("Univ Toronto, Toronto, ON M5S 1A1, Canada", "wos", ("Univ Toronto", "Toronto", "CAN")),
    ("Univ Coll London, London WC1E 6BT, England", "wos", ("Univ Coll London", "London", "GBR")),
    ("Department of Cardiac Surgery, Universitair Ziekenhuis Brussel, Laarbeeklaan 101, Brussels, 1090, Belgium",
     "scopus", ("Universitair Ziekenhuis Brussel", "Brussels", "BEL")),
    ("Max Planck Institute for Innovation and Competition, Munich, Germany", "scopus",
     ("Max Planck Institute for Innovation and Competition", "Munich", "DEU")),
    ("Wellcome Trust, London, United Kingdom", "scopus", ("Wellcome Trust", "London", "GBR")),
    ("School of Design, The Hong Kong Polytechnic University, Hong Kong", "scopus",
     ("The Hong Kong Polytechnic University", "Hong Kong", "HKG")),
])
def test_parse_address(raw, style, expected):
    a = parse_address(raw, style=style)
    assert (a.institution, a.city, a.country) == expected


def test_institutions_without_university_word_are_kept():
    assert pick_institution(["GOALL, LLC"]) == "GOALL, LLC"
    assert pick_institution(["Luddy School of Informatics", "Computing", "and Engineering"]) == \
        "Luddy School of Informatics"
    assert pick_institution(["Division X", "Chinese Academy of Sciences"]) == "Chinese Academy of Sciences"
    assert pick_institution(["Department of Economics", "London School of Economics"]) == \
        "London School of Economics"
    assert pick_institution(["State Key Laboratory of Urban and Regional Ecology",
                             "Research Center for Eco-Environmental Sciences Chinese Academy of Sciences"]) == \
        "Research Center for Eco-Environmental Sciences Chinese Academy of Sciences"
    assert pick_institution(["College of Engineering", "Peking University"]) == "Peking University"
