from datetime import date

import pytest

from knowledge.vocab import Age, load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.mark.parametrize("raw, expected", [
    ("Yes", True), ("yes", True), (True, True), ("oui", True), ("Sí", True), ("no", False), ("Non", False), (False, False),
])
def test_boolean_answers_in_three_languages(vocab, raw, expected):
    answers, problems = vocab.normalize_answers({"applicant_citizen_status": raw})
    assert answers == {"applicant_citizen_status": expected} and not problems


@pytest.mark.parametrize("raw, expected", [
    ("Spouse", "spouse"), ("wife", "spouse"), ("Conjoint(e)", "spouse"), ("Hija/o", "child"), ("fille", "child"),
    ("Other family member", "other_family_member"), ("Personal or official representative", "representative"),
])
def test_select_answers_by_label_alias_and_language(vocab, raw, expected):
    answers, _ = vocab.normalize_answers({"applicant_relationship_to_the_deceased": raw})
    assert answers["applicant_relationship_to_the_deceased"] == expected


def test_key_aliases_map_to_canonical_keys(vocab):
    answers, _ = vocab.normalize_answers({"applicant_relationship": "parent", "deceased_death_circumstance": "died while on active duty"})
    assert answers == {"applicant_relationship_to_the_deceased": "parent", "deceased_military_death_circumstance": "active_duty"}


def test_dates_in_every_shape(vocab):
    answers, problems = vocab.normalize_answers({
        "applicant_date_of_birth": {"month": 4, "day": 5, "year": 1960},
        "deceased_date_of_death_month": 2, "deceased_date_of_death_day": 2, "deceased_date_of_death_year": 2022,
        "deceased_date_of_funeral": "02-10-2022",
    })
    assert answers == {"applicant_date_of_birth": date(1960, 4, 5), "deceased_date_of_death": date(2022, 2, 2),
                       "deceased_date_of_funeral": date(2022, 2, 10)}
    assert not problems


def test_age_instead_of_date_of_birth(vocab):
    answers, _ = vocab.normalize_answers({"applicant_age": "64"})
    assert answers == {"applicant_date_of_birth": Age(64)}


def test_unknown_keys_and_bad_values_are_reported_not_used(vocab):
    answers, problems = vocab.normalize_answers({"favourite_colour": "blue", "applicant_marital_status": "complicated",
                                                 "age_of_children": ["2", "3_to_4"]})
    assert answers == {"age_of_children": ["2", "3_to_4"]}
    assert any("favourite_colour" in p for p in problems) and any("applicant_marital_status" in p for p in problems)


def test_life_event_synonyms(vocab):
    assert vocab.life_event_id("death") == "death"
    assert vocab.life_event_id("Décès d'un proche") == "death"
    assert vocab.life_event_id("laid off") == "job_loss"
    assert vocab.life_event_id("embarazada") == "new_child"
    assert vocab.life_event_id("quantum physics") is None


def test_every_criterion_has_questions_in_three_languages(vocab):
    for crit in vocab.criteria.values():
        assert {"en", "fr", "es"} <= set(crit.question), crit.key
        for opt in crit.options:
            assert {"en", "fr", "es"} <= set(opt["label"]), (crit.key, opt["value"])
    for event in vocab.life_events.values():
        assert {"en", "fr", "es"} <= set(event.label) and {"en", "fr", "es"} <= set(event.synonyms), event.id


# The needs taxonomy's ids are a contract (../helpers/NEEDS.md): the NLU is trained on them.
LIFE_EVENTS = ["death", "job_loss", "new_child", "disability", "retirement", "caregiving", "veteran", "moving",
               "immigration", "separation"]
EVERYDAY = ["food", "utilities", "phone_internet", "transport", "housing", "health", "childcare", "education",
            "low_income", "legal", "disaster"]


def test_the_taxonomy_has_exactly_the_fixed_needs_with_their_kind(vocab):
    assert sorted(vocab.life_events) == sorted(LIFE_EVENTS + EVERYDAY)
    assert {e.id for e in vocab.life_events.values() if e.kind == "life_event"} == set(LIFE_EVENTS)
    assert {e.id for e in vocab.life_events.values() if e.kind == "everyday"} == set(EVERYDAY)


def test_every_need_has_a_one_line_description_per_language(vocab):
    for need in vocab.life_events.values():
        assert {"en", "fr", "es"} <= set(need.description), need.id
        for lang, line in need.description.items():
            assert "\n" not in line and 40 < len(line) < 200, (need.id, lang, line)


def test_no_synonym_or_label_belongs_to_two_needs():
    """A phrase in two needs would make the entity ruler and the lookup pick one arbitrarily."""
    import yaml

    from knowledge import LIFE_EVENTS_FILE
    from knowledge.text import fold

    owners: dict[str, set[str]] = {}
    for need in yaml.safe_load(LIFE_EVENTS_FILE.read_text(encoding="utf-8")):
        phrases = [*need["label"].values(), *(p for ps in need["synonyms"].values() for p in ps)]
        for phrase in phrases:
            assert isinstance(phrase, str) and phrase.strip(), (need["id"], phrase)
            owners.setdefault(fold(phrase), set()).add(need["id"])
    assert {p: ids for p, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.parametrize("phrase, need", [
    ("shut off", "utilities"), ("disconnection notice", "utilities"), ("red letter", "utilities"),
    ("power bill", "utilities"), ("heating bill", "utilities"), ("chauffage", "utilities"), ("calefacción", "utilities"),
    ("phone bill", "phone_internet"), ("broadband", "phone_internet"), ("facture de téléphone", "phone_internet"),
    ("bus pass", "transport"), ("laissez-passer", "transport"), ("pase de autobús", "transport"),
    ("food stamps", "food"), ("SNAP", "food"), ("foodbank", "food"), ("school meals", "food"),
    ("banque alimentaire", "food"), ("student loan", "education"), ("tuition", "education"),
    ("prêt étudiant", "education"), ("beca", "education"), ("divorce", "separation"), ("custody", "separation"),
    ("pension alimentaire", "separation"), ("divorcio", "separation"), ("legal aid", "legal"), ("lawyer", "legal"),
    ("aide juridique", "legal"), ("abogado", "legal"), ("eviction notice", "housing"), ("turning 65", "retirement"),
    ("killed in a crash", "death"), ("had baby", "new_child"),
])
def test_indirect_phrasings_name_their_need(vocab, phrase, need):
    assert vocab.life_event_id(phrase) == need
