"""The match engine: pure logic and against the database (SQLite and PostgreSQL)."""

from datetime import date

import pytest
from knowledge_helpers import service, write_catalogue

from bot.db import make_engine
from knowledge.loader import load_catalogue
from knowledge.match import (
    ProfileError,
    assemble,
    evaluate_service,
    match_profile,
    next_questions,
    parse_profile,
)
from knowledge.places import get_tree
from knowledge.vocab import load_vocabulary

V = load_vocabulary()
AS_OF = date(2026, 11, 23)
REL = "applicant_relationship_to_the_deceased"


def doc(sid, rules, **extra):
    return service(sid, ["CA"], ["death"], rules, **extra)


def test_status_likely_maybe_unlikely_with_reasons_and_unknowns():
    d = doc("s", [{"criterion": REL, "values": ["spouse"]},
                  {"criterion": "deceased_paid_into_CPP", "values": [True], "label": {"en": "Paid into CPP", "fr": "A cotisé au RPC"}}])
    likely = evaluate_service(d, {REL: "spouse", "deceased_paid_into_CPP": True}, AS_OF, V)
    maybe = evaluate_service(d, {REL: "spouse"}, AS_OF, V)
    unlikely = evaluate_service(d, {REL: "child"}, AS_OF, V)
    assert (likely.status, maybe.status, unlikely.status) == ("likely", "maybe", "unlikely")
    assert likely.reasons == ["Your (the applicant's) relationship to the person who died is: Spouse", "Paid into CPP"] and likely.unknown == []
    assert maybe.unknown == ["deceased_paid_into_CPP"]
    assert unlikely.reasons[0].startswith("Does not fit: Your (the applicant's) relationship")
    assert unlikely.unknown == ["deceased_paid_into_CPP"]
    fr = evaluate_service(d, {REL: "spouse", "deceased_paid_into_CPP": True}, AS_OF, V, "fr")
    assert fr.reasons == ["Votre lien avec la personne décédée: Conjoint(e)", "A cotisé au RPC"]


def test_next_questions_ask_what_decides_most_services_first():
    docs = [doc("a", [{"criterion": REL, "values": ["spouse"]}, {"criterion": "deceased_paid_into_CPP", "values": [True]}]),
            doc("b", [{"criterion": REL, "values": ["child"]}]),
            doc("c", [{"criterion": REL, "values": ["parent"]}]),
            doc("d", [{"criterion": "deceased_paid_into_CPP", "values": [True]}])]
    evs = [evaluate_service(d, {}, AS_OF, V) for d in docs]
    questions = next_questions(evs, {}, AS_OF, V)
    assert questions[0] == REL  # decides b, c for every answer and a for most
    assert set(questions) == {REL, "deceased_paid_into_CPP"}
    evs = [evaluate_service(d, {REL: "child"}, AS_OF, V) for d in docs]
    assert next_questions(evs, {REL: "child"}, AS_OF, V) == ["deceased_paid_into_CPP"]  # a is out; only d is left


def test_follow_up_questions_wait_for_their_parent():
    d = doc("v", [{"criterion": "deceased_served_in_active_military", "values": [True]},
                  {"criterion": "deceased_service_status", "values": ["active_duty"]}])
    evs = [evaluate_service(d, {}, AS_OF, V)]
    assert next_questions(evs, {}, AS_OF, V) == ["deceased_served_in_active_military"]
    answers = {"deceased_served_in_active_military": True}
    assert next_questions([evaluate_service(d, answers, AS_OF, V)], answers, AS_OF, V) == ["deceased_service_status"]


def test_profile_errors_are_clear():
    with pytest.raises(ProfileError, match="life_events"):
        parse_profile({"life_events": 3}, V)
    with pytest.raises(ProfileError, match="unknown life event 'astrology'"):
        parse_profile({"life_events": ["astrology"]}, V)
    with pytest.raises(ProfileError, match="as_of"):
        parse_profile({"as_of": "yesterday"}, V)
    with pytest.raises(ProfileError, match="object"):
        parse_profile(["death"], V)
    p = parse_profile({"life_events": ["bereavement", "death"], "language": "de", "answers": {"nope": 1}}, V)
    assert p.life_events == ["death"] and p.language == "en" and len(p.problems) == 2


def test_assemble_pure_language_and_location_question():
    tree = get_tree()
    d = service("x", ["CA-NS"], ["death"], name={"en": "Death certificate", "fr": "Certificat de décès"})
    profile = parse_profile({"life_events": ["death"], "language": "fr", "as_of": "2026-11-23"}, V)
    out = assemble(profile, None, [(d, "CA-NS")], tree, V)
    assert out["services"][0]["title"] == "Certificat de décès"
    assert out["services"][0]["jurisdiction_name"] == "Nouvelle-Écosse"
    assert out["next_questions"][0] == "location"  # no location: where the citizen lives changes everything


# ----------------------------------------------------------------------------------------------- with a database

LEVELS = [
    service("fed-ca", ["CA"], ["death"], [{"criterion": REL, "values": ["spouse"]}]),
    service("prov-ns", ["CA-NS"], ["death"], notify_on=["death"], notify_action={"en": "Register the death in Nova Scotia"}),
    service("muni-hfx", ["CA-NS-halifax"], ["death", "low_income"], [{"criterion": "applicant_income", "values": [True]}]),
    service("prov-on", ["CA-ON"], ["death"]),
    service("muni-tor", ["CA-ON-toronto"], ["death"]),
    service("fed-us", ["US"], ["death"]),
    service("tax-ca", ["CA"], ["low_income"], notify_on=["death"], notify_action={"en": "Tell the tax agency"}),
    service("job-ns", ["CA-NS"], ["job_loss"]),
]


@pytest.fixture
def engine(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    write_catalogue(tmp_path / "cat", LEVELS)
    assert load_catalogue(engine, tmp_path / "cat").ok
    yield engine
    engine.dispose()


def ids(result):
    return {s["id"] for s in result["services"]}


def test_jurisdiction_inheritance(engine):
    halifax = match_profile(engine, {"life_events": ["death"], "location": "Halifax", "as_of": "2026-11-23"})
    assert ids(halifax) == {"fed-ca", "prov-ns", "muni-hfx"}
    assert {s["id"]: s["level"] for s in halifax["services"]} == {"fed-ca": "federal", "prov-ns": "provincial", "muni-hfx": "municipal"}
    ns = match_profile(engine, {"life_events": ["death"], "location": "CA-NS"})
    assert ids(ns) == {"fed-ca", "prov-ns"}
    toronto = match_profile(engine, {"life_events": ["death"], "location": "M5V 2T6"})
    assert ids(toronto) == {"fed-ca", "prov-on", "muni-tor"}
    assert toronto["location"]["code"] == "CA-ON-toronto" and toronto["location"]["via"] == "postal"
    assert ids(match_profile(engine, {"life_events": ["death"], "location": "80202"})) == {"fed-us"}
    assert ids(match_profile(engine, {"life_events": ["job_loss"], "location": "Halifax"})) == {"job-ns"}


def test_contract_shape_and_checklist(engine):
    out = match_profile(engine, {"life_events": ["death"], "location": "Halifax, Nova Scotia",
                                 "answers": {REL: "Spouse"}, "as_of": "2026-11-23", "language": "en"})
    for s in out["services"]:
        assert {"id", "title", "url", "jurisdiction", "status", "reasons", "unknown"} <= set(s)
        assert s["status"] in ("likely", "maybe", "unlikely")
    by_id = {s["id"]: s for s in out["services"]}
    assert by_id["fed-ca"]["status"] == "likely"
    assert by_id["muni-hfx"]["status"] == "maybe" and by_id["muni-hfx"]["unknown"] == ["applicant_income"]
    assert out["next_questions"] == ["applicant_income"]
    assert [c["id"] for c in out["checklist"]] == ["tax-ca", "prov-ns"]  # federal first, then provincial
    assert "tax-ca" not in by_id  # fetched for the checklist only
    assert out["catalogue_version"] >= 1


def test_ambiguous_and_unknown_locations(engine):
    out = match_profile(engine, {"life_events": ["death"], "location": "London"})
    assert out["next_questions"][0] == "location"
    assert {a["code"] for a in out["location"]["ambiguous"]} == {"GB-ENG-london", "CA-ON-london"}
    assert ids(out) == {"fed-ca", "prov-on"}  # services of every candidate, until the citizen says which
    nowhere = match_profile(engine, {"life_events": ["death"], "location": "Atlantis"})
    assert nowhere["services"] == [] and nowhere["next_questions"] == ["location"]


def test_reload_is_picked_up_without_restart(engine, tmp_path):
    before = match_profile(engine, {"life_events": ["death"], "location": "Halifax"})
    write_catalogue(tmp_path / "v2", [service("new-hfx", ["CA-NS-halifax"], ["death"])])
    assert load_catalogue(engine, tmp_path / "v2").ok
    after = match_profile(engine, {"life_events": ["death"], "location": "Halifax"})
    assert ids(after) == {"new-hfx"} and after["catalogue_version"] == before["catalogue_version"] + 1


def test_full_catalogue_spans_three_levels(migrated_url):
    engine = make_engine(migrated_url)
    report = load_catalogue(engine)
    assert report.ok and report.services > 500
    out = match_profile(engine, {"life_events": ["death"], "location": "B3H 1X1", "answers": {REL: "spouse"},
                                 "as_of": "2026-11-23", "language": "fr"})
    levels = {c["level"] for c in out["checklist"]}
    assert levels == {"federal", "provincial", "municipal"}
    assert any(s["id"] == "cur:ca-cpp-survivors-pension" and s["status"] == "maybe" for s in out["services"])
    assert "deceased_paid_into_CPP" in out["next_questions"]
    assert all(not s["jurisdiction"].startswith(("US", "GB", "CA-ON")) for s in out["services"])
    low_income = match_profile(engine, {"life_events": ["low_income"], "location": "Toronto", "answers": {"applicant_income": True}})
    levels = {s["level"] for s in low_income["services"] if s["status"] != "unlikely"}
    assert levels == {"federal", "provincial", "municipal"}
    engine.dispose()


def test_a_military_retiree_counts_as_discharged_for_rules_that_accept_it():
    from knowledge.match import with_implied_options
    from knowledge.vocab import load_vocabulary

    vocab = load_vocabulary()
    answers = with_implied_options({"deceased_service_status": "retired", "applicant_age": 40}, vocab)
    assert answers == {"deceased_service_status": ["retired", "discharged"], "applicant_age": 40}
    from knowledge.rules import evaluate_simple

    assert evaluate_simple({"criterion": "deceased_service_status", "values": ["active_duty", "discharged"]},
                           answers["deceased_service_status"], None) is True
    assert evaluate_simple({"criterion": "deceased_service_status", "values": ["retired"]},
                           answers["deceased_service_status"], None) is True
