import pytest

from knowledge.places import all_place_names, ancestors, get_tree, level, name, resolve_place


@pytest.mark.parametrize("text, code", [
    ("Halifax", "CA-NS-halifax"),
    ("Halifax, Nova Scotia", "CA-NS-halifax"),
    ("I live in Halifax NS", "CA-NS-halifax"),
    ("HRM", "CA-NS-halifax"),
    ("Nova Scotia", "CA-NS"),
    ("Nouvelle-Écosse", "CA-NS"),
    ("nouvelle ecosse", "CA-NS"),
    ("Colombie-Britannique", "CA-BC"),
    ("Montréal", "CA-QC-montreal"),
    ("Québec", "CA-QC"),
    ("Toronto", "CA-ON-toronto"),
    ("Ottawa", "CA-ON-ottawa"),
    ("Vancouver", "CA-BC-vancouver"),
    ("Glasgow", "GB-SCT-glasgow"),
    ("Cardiff", "GB-WLS-cardiff"),
    ("Belfast", "GB-NIR-belfast"),
    ("Escocia", "GB-SCT"),
    ("Pays de Galles", "GB-WLS"),
    ("Londres", "GB-ENG-london"),
    ("King County", "US-WA-king-county"),
    ("Seattle, Washington", "US-WA-seattle"),
    ("Denver, CO", "US-CO-denver"),
    ("Nuevo México", "US-NM"),
    ("Carolina del Norte", "US-NC"),
    ("Washington DC", "US-DC"),
    ("London, Ontario", "CA-ON-london"),
    ("London ON", "CA-ON-london"),
    ("London, England", "GB-ENG-london"),
    ("Kingston, Ontario", "CA-ON-kingston"),
    ("Kingston NY", "US-NY-kingston"),
    ("Harris County, Texas", "US-TX-harris-county"),
])
def test_names_aliases_and_other_languages(text, code):
    result = resolve_place(text)
    assert result.code == code, result.to_dict()
    assert result.via == "name"


@pytest.mark.parametrize("text, code", [
    ("B3H 1X1", "CA-NS-halifax"),   # FSA B3 → Halifax
    ("b3h1x1", "CA-NS-halifax"),
    ("B0J 2E0", "CA-NS"),           # rural Nova Scotia: first letter → province
    ("M5V 2T6", "CA-ON-toronto"),
    ("K7L 3N6", "CA-ON-kingston"),
    ("H7N 1A1", "CA-QC-laval"),
    ("X0A 0H0", "CA-NU"),
    ("80202", "US-CO-denver"),
    ("80521", "US-CO"),             # ZIP3 → state
    ("98101-1234", "US-WA-seattle"),
    ("05501", "US-MA"),             # 055 is Massachusetts inside Vermont's range
    ("12401", "US-NY-kingston"),    # a 5-digit prefix beats the ZIP3
    ("G1 1XQ", "GB-SCT-glasgow"),
    ("EH1 1YZ", "GB-SCT-edinburgh"),
    ("SY23 1AA", "GB-WLS"),         # Aberystwyth: SY district in Wales
    ("SY1 1AA", "GB-ENG"),          # Shrewsbury: SY area in England
    ("BT1 5GS", "GB-NIR-belfast"),
    ("SW1A 1AA", "GB-ENG-london"),
])
def test_postal_codes(text, code):
    result = resolve_place(text)
    assert result.code == code, result.to_dict()
    assert result.via == "postal"


def test_codes_are_accepted_as_they_are():
    assert resolve_place("CA-NS").code == "CA-NS"
    assert resolve_place("us-wa-king-county").code == "US-WA-king-county"
    assert resolve_place("GB").via == "code"


@pytest.mark.parametrize("text, codes, outside", [
    ("London", {"GB-ENG-london", "CA-ON-london"}, []),
    ("Kingston", {"CA-ON-kingston", "US-NY-kingston"}, ["Kingston, Jamaica"]),
    ("Kansas City", {"US-MO-kansas-city", "US-KS-kansas-city"}, []),
])
def test_ambiguous_names_return_candidates_to_ask(text, codes, outside):
    result = resolve_place(text)
    assert result.code is None and result.ambiguous
    assert {c.code for c in result.candidates} == codes
    assert result.outside_coverage == outside
    assert all(len(c.path) >= 3 for c in result.candidates)  # "London, Ontario, Canada" to show the citizen


def test_places_outside_coverage_and_nonsense():
    result = resolve_place("Kingston, Jamaica")
    assert result.code is None and result.outside_coverage == ["Kingston, Jamaica"] and not result.candidates
    assert resolve_place("Paris").outside_coverage == ["Paris, France"]
    nothing = resolve_place("the moon")
    assert nothing.code is None and not nothing.candidates and not nothing.ambiguous
    assert resolve_place("").code is None


def test_ancestors_names_and_levels():
    assert ancestors("US-WA-seattle") == ["US-WA-seattle", "US-WA-king-county", "US-WA", "US"]
    assert ancestors("CA-NS-halifax", include_self=False) == ["CA-NS", "CA"]
    assert ancestors("US-TX-some-new-town") == ["US-TX-some-new-town", "US-TX", "US"]  # derived from the code
    assert name("CA-NS", "fr") == "Nouvelle-Écosse"
    assert name("CA-NS", "es") == "Nueva Escocia"
    assert name("GB-SCT-glasgow", "fr") == "Glasgow"  # falls back to English
    assert (level("CA"), level("CA-NS"), level("CA-NS-halifax"), level("US-WA-seattle")) == (
        "federal", "provincial", "municipal", "municipal")


def test_tree_covers_every_province_state_and_nation():
    tree = get_tree()
    provinces = {c for c, n in tree.nodes.items() if n.parent == "CA"}
    states = {c for c, n in tree.nodes.items() if n.parent == "US" and n.kind == "state"}
    nations = {c for c, n in tree.nodes.items() if n.parent == "GB"}
    assert len(provinces) == 13 and len(states) == 50 and "US-DC" in tree
    assert nations == {"GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR"}
    for code in ("CA-NS-halifax", "CA-ON-toronto", "CA-ON-ottawa", "CA-QC-montreal", "CA-BC-vancouver",
                 "US-CO-denver", "US-WA-king-county", "GB-SCT-glasgow", "GB-ENG-london", "GB-WLS-cardiff",
                 "GB-NIR-belfast", "US-TX-fort-bend-county", "US-WA-pierce-county"):
        assert code in tree, code


def test_all_place_names_for_the_nlu():
    pairs = all_place_names()
    assert ("Nouvelle-Écosse", "CA-NS") in pairs
    assert ("Halifax", "CA-NS-halifax") in pairs
    assert ("King County", "US-WA-king-county") in pairs
    assert not any(code.startswith("~") for _, code in pairs)  # places outside coverage are not offered
    assert ("CO", "US-CO") not in pairs and ("CO", "US-CO") in all_place_names(include_abbreviations=True)


@pytest.mark.parametrize("text,code", [
    ("Fresno", "US-CA-fresno"), ("raleigh nc", "US-NC-raleigh"), ("Dartmouth", "CA-NS-dartmouth"),
    ("Tacoma", "US-WA-tacoma"), ("Topeka KS", "US-KS-topeka"), ("stoke", "GB-ENG-stoke-on-trent"),
    # a town of the towns list never overrides what else was named
    ("Sudbury ON", "CA-ON"), ("Hoquiam WA, Grays Harbor county", "US-WA"), ("Halifax", "CA-NS-halifax"),
])
def test_towns_of_the_geonames_list_resolve_under_their_state_or_province(text, code):
    from knowledge.places import resolve_place

    assert resolve_place(text).code == code


def test_towns_are_not_entity_ruler_patterns():
    from knowledge.places import all_place_names

    names = {name.lower() for name, _ in all_place_names()}
    assert "halifax" in names and "fresno" not in names and "tacoma" not in names
