"""Country normalisation and address splitting."""

from __future__ import annotations

import pytest

from innometrics.entities.addresses import parse_address, pick_institution
from innometrics.entities.countries import ALIASES, normalise_country, resolve_country


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
    ("NSW 2113 Australia", "AUS"), ("Singapore 639798", "SGP"),
    ("Niger", "NER"), ("Nigeria", "NGA"), ("Guinea", "GIN"), ("Georgia", "GEO"),
    ("NY 10027", "USA"), ("California", "USA"),
    ("Beijing 100871, Peoples R China", "CHN"),
])
def test_normalise_country(text, code):
    assert normalise_country(text) == code


@pytest.mark.parametrize("text", ["Dept Phys", "York", "NA", "", None, "Univ Barcelona", "CN"])
def test_not_a_country(text):
    assert normalise_country(text) is None


@pytest.mark.parametrize("text", [
    # a country name at the end of the part is not the country of the address
    "University of Eastern Finland", "National University of Singapore", "Qatar University",
    "The Chinese University of Hong Kong", "Kowloon Hong Kong",
    # "New South" + Wales, "North" + Canton (and Enderbury Islands, a withdrawn code)
    "North Canton", "Charles Sturt University, Wagga Wagga, North Canton",
    # short lower-case words are not ISO codes ("and" is not Andorra, "deu" not Germany)
    "and", "Australia; and", "deu", "usa inc",
])
def test_country_must_match_the_whole_last_part(text):
    assert normalise_country(text) is None


@pytest.mark.parametrize("text, code", [
    # a state or province alone, when it identifies one country (Scopus sometimes omits the country)
    ("New South Wales", "AUS"), ("Charles Sturt University, Wagga Wagga, New South Wales", "AUS"),
    ("Ohio", "USA"), ("North Canton, Ohio", "USA"), ("Maryland", "USA"), ("Virginia", "USA"),
    ("Jiangsu", "CHN"), ("Queensland", "AUS"), ("Bayern", "DEU"),
    # a country preceded by one of its states or by a postal code
    ("MA USA", "USA"), ("ON M5S 1A1 Canada", "CAN"), ("Montréal Québec H2J 1Y6 Canada", "CAN"),
    # spellings
    ("The Netherlands", "NLD"), ("Leiden (The Netherlands)", "NLD"), ("P.R. China", "CHN"),
    ("AND", "AND"), ("DEU", "DEU"),
])
def test_country_from_states_and_spellings(text, code):
    assert normalise_country(text) == code


@pytest.mark.parametrize("text", [
    "Victoria",  # Australian state, but also Victoria (Hong Kong) and Victoria (Canada)
    "Punjab",  # states of India and of Pakistan
    "La Rioja",  # provinces of Argentina and of Spain
    "Central",  # regions of eight countries; not "Central African Republic" either
])
def test_ambiguous_states_are_not_countries(text):
    assert normalise_country(text) is None


def test_georgia_is_the_country():
    assert normalise_country("Georgia") == normalise_country("Atlanta, Georgia") == "GEO"


def test_withdrawn_codes_are_never_returned():
    import pycountry

    withdrawn = {c.alpha_3 for c in pycountry.historic_countries} - {c.alpha_3 for c in pycountry.countries}
    historic = list(pycountry.historic_countries)
    names = [c.name for c in historic] + [c.name.split(", ")[0] for c in historic] + [c.alpha_3 for c in historic]
    assert {normalise_country(n) for n in names} & withdrawn == set()
    # a former name resolves to its single ISO 3166-3 successor, or to nothing when it split
    assert [normalise_country(t) for t in ("Zaire", "Burma", "Ger Dem Rep", "East Timor", "Byelarus")] == \
        ["COD", "MMR", "DEU", "TLS", "BLR"]
    assert [normalise_country(t) for t in ("USSR", "Yugoslavia", "Czechoslovakia", "Neth Antilles", "Canton")] == \
        [None] * 5


def test_alias_list_is_minimal():
    # every alias must be something pycountry's names cannot resolve
    from innometrics.entities import countries

    for alias in ALIASES:
        assert countries._name_index()[0].get(alias) is None, alias
    # WoS/Scopus spellings and the raw-string spellings the ROR matcher takes as evidence
    assert len(ALIASES) <= 35
    assert resolve_country("CN", kind="code").alpha_3 == "CHN" and resolve_country("XX", kind="code") is None


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
     ("Hong Kong Polytechnic University", "Hong Kong", "HKG")),  # a leading "The" folded
    # "Wireless@VT" is a lab name, not an e-mail address that ends the address
    ("Virginia Tech, Wireless@VT, Bradley Department of Electrical and Computer Engineering, Arlington, 22203, VA, "
     "United States", "scopus", ("Virginia Tech", "Arlington", "USA")),
    ("Dept Phys, Univ X, Boston, MA 02115, USA. email: roe@x.edu", "scopus", ("Univ X", "Boston", "USA")),
    ("By Janet M. Reed , PhD, RN, CMSRN, Kent State University at Stark, North Canton, Ohio", "scopus",
     ("Kent State University at Stark", "North Canton", "USA")),
    ("Charles Sturt University, Wagga Wagga, New South Wales", "scopus",
     ("Charles Sturt University", "Wagga Wagga", "AUS")),
    ("School of Computing, University of Eastern Finland", "scopus", ("University of Eastern Finland", None, None)),
    ("and", "scopus", ("and", None, None)),
    # a street is never the city ("Gießen" is GeoNames' spelling of Giessen)
    ("Justus-Liebig-University, Institute of Chemistry Education, Giessen, Heinrich-Buff-Ring 17, 35392, Germany",
     "scopus", ("Justus-Liebig-University", "Giessen", "DEU")),
    ("Kleinstadt University, Musterdorf, Hauptstraße 5, 12345, Germany", "scopus",
     ("Kleinstadt University", "Musterdorf", "DEU")),
    ("Nanyang Technological University, Nanyang Avenue, 639798, Singapore", "scopus",
     ("Nanyang Technological University", "Singapore", "SGP")),
    ("Zayed University, Abu Dhabi P.O. Box 144534, United Arab Emirates", "scopus",
     ("Zayed University", "Abu Dhabi", "ARE")),
    # a province named after its chief town is the city when no other part is
    ("IRCCS Ospedale San Raffaele, Via Olgettina 60, Milano, 20132, Italy", "scopus",
     ("IRCCS Ospedale San Raffaele", "Milano", "ITA")),
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


@pytest.mark.parametrize("raw, expected", [
    ("U.S.A.", "USA"), ("U.S.", "USA"), ("District of Columbia", "USA"),
    ("Washington, DC 20001, U.S.A.", "USA"),
])
def test_dotted_us_and_district_of_columbia(raw, expected):
    assert normalise_country(raw) == expected
