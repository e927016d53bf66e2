"""The navigator's order (knowledge/importance.py through knowledge/match.py assemble): pure, on small catalogues."""

from __future__ import annotations

from datetime import date

import pytest
from knowledge_helpers import service

from knowledge.importance import Importance, load_importance, need_weights, parse_importance
from knowledge.match import assemble, derive_answers, parse_profile
from knowledge.places import get_tree
from knowledge.vocab import Age, load_vocabulary

V = load_vocabulary()
TREE = get_tree()
AS_OF = date(2026, 12, 1)
NONE = Importance(core={}, minor=())


def ranked(services: list[dict], needs: list[str], answers: dict | None = None,
           importance: Importance = NONE) -> list[dict]:
    profile = parse_profile({"life_events": needs, "location": "CA", "answers": answers or {},
                             "as_of": AS_OF.isoformat()}, V)
    out = assemble(profile, TREE.resolve("CA"), [(s, "CA") for s in services], TREE, V, importance=importance)
    return out["services"]


def ids(services: list[dict]) -> list[str]:
    return [s["id"] for s in services]


def test_a_rare_criterion_keeps_a_service_off_the_lead_until_the_answers_meet_it():
    miner = service("miner", ["CA"], ["death"], [{"criterion": "deceased_miner", "values": [True]}])
    plain = service("plain", ["CA"], ["death"], [{"criterion": "deceased_paid_into_CPP", "values": [True]},
                                                 {"criterion": "applicant_paid_funeral_expenses", "values": [True]}])
    assert ids(ranked([miner, plain], ["death"])) == ["plain", "miner"]
    assert ranked([miner, plain], ["death"])[1]["rare"] == ["deceased_miner"]
    assert ids(ranked([miner, plain], ["death"], {"deceased_miner": True}))[0] == "miner"


def test_flagship_programmes_lead_and_keepsakes_follow():
    flag = service("flag", ["CA"], ["death"])
    pension = service("pension", ["CA"], ["death"], [{"criterion": "deceased_paid_into_CPP", "values": [True]}])
    other = service("other", ["CA"], ["death"])
    editors = Importance(core={"death": ("pens*",)}, minor=("flag",))
    assert ids(ranked([flag, other, pension], ["death"], importance=editors)) == ["pension", "other", "flag"]
    assert ids(ranked([flag, other, pension], ["death"]))[-1] == "pension"  # without the editors: evidence only


def test_a_service_answering_more_of_the_stated_needs_comes_first_and_specific_needs_weigh_more():
    housing = [service(f"housing-{i}", ["CA"], ["housing"]) for i in range(5)]
    disaster = service("disaster", ["CA"], ["disaster"])
    both = service("both", ["CA"], ["disaster", "housing"])
    order = ids(ranked([*housing, disaster, both], ["disaster", "housing"]))
    assert order[:2] == ["both", "disaster"]
    weights = need_weights([["housing"]] * 5 + [["disaster"]], ["disaster", "housing"])
    assert weights["disaster"] > weights["housing"]


def test_offices_and_organisations_services_are_not_listed():
    office = service("atip", ["CA"], ["death"], audience="internal")
    employers = service("employers", ["CA"], ["death"], audience="organisations")
    family = service("family", ["CA"], ["death"], audience="families")
    assert ids(ranked([office, employers, family], ["death"])) == ["family"]


def test_a_condition_about_a_situation_not_stated_counts_against_and_one_answered_against_fails():
    children = service("dla-children", ["CA"], ["disability"],
                       [{"criterion": "children_with_disability", "values": [True]}])
    adult = service("adult", ["CA"], ["disability"], [{"criterion": "disability_affecting_daily_tasks",
                                                       "values": [True]}])
    out = ranked([children, adult], ["disability"], {"disability_or_health_condition": True})
    assert ids(out) == ["adult", "dla-children"] and out[1]["off_topic"] == ["children_with_disability"]
    out = ranked([children, adult], ["disability"], {"children_living_with_you": False})
    assert {s["id"]: s["status"] for s in out}["dla-children"] == "unlikely"


def test_a_condition_used_only_to_exclude_is_not_another_situation():
    esa = service("esa", ["CA"], ["disability"], [{"criterion": "over_state_pension_age", "values": [False]}])
    veterans = service("veterans", ["CA"], ["disability"], [{"criterion": "applicant_served_in_active_military",
                                                            "values": [True]}])
    out = {s["id"]: s for s in ranked([esa, veterans], ["disability"])}
    assert out["esa"]["off_topic"] == [] and out["veterans"]["off_topic"] == ["applicant_served_in_active_military"]
    assert out["esa"]["score"] > out["veterans"]["score"]


def test_known_failures_stay_unlikely_and_last():
    failing = service("failing", ["CA"], ["death"], [{"criterion": "applicant_relationship_to_the_deceased",
                                                      "values": ["spouse"]}])
    fine = service("fine", ["CA"], ["death"])
    out = ranked([failing, fine], ["death"], {"applicant_relationship_to_the_deceased": "child"},
                 importance=Importance(core={"death": ("failing",)}, minor=()))
    assert ids(out) == ["fine", "failing"] and out[-1]["status"] == "unlikely"


def test_state_pension_age_follows_from_an_age_except_at_66():
    assert derive_answers({"applicant_date_of_birth": Age(70)}, AS_OF)["over_state_pension_age"] is True
    assert derive_answers({"applicant_date_of_birth": Age(30)}, AS_OF)["over_state_pension_age"] is False
    assert "over_state_pension_age" not in derive_answers({"applicant_date_of_birth": Age(66)}, AS_OF)
    assert derive_answers({"applicant_date_of_birth": date(1950, 1, 1)}, AS_OF)["over_state_pension_age"] is True
    assert derive_answers({"applicant_date_of_birth": Age(70), "over_state_pension_age": False},
                          AS_OF)["over_state_pension_age"] is False  # the citizen's own answer wins


def test_the_shipped_priorities_name_only_known_needs_and_say_why_for_keepsakes():
    importance = load_importance()
    assert set(importance.core) <= set(V.life_events) | {"utilities", "phone_internet", "legal", "separation"}
    assert importance.is_core("router:us-ui:tx", ["job_loss"]) and importance.is_minor("px:burial-flag")
    with pytest.raises(ValueError):
        parse_importance({"minor": [{"id": "x"}]})


def test_every_askable_criterion_reads_as_a_short_question_in_each_language():
    for key, crit in V.criteria.items():
        if crit.type == "place":
            continue
        for language in ("en", "fr", "es"):
            text = V.ask(key, language)
            assert text and text.rstrip().endswith("?"), (key, language, text)
            assert len(text.split()) <= 20, (key, language, text)
    assert V.ask("deceased_service_status") != V.question("deceased_service_status")  # the source's fragment
    assert all(V.criterion(k).rare for k in ("deceased_miner", "deceased_public_safety_officer",
                                             "deceased_american_indian", "applicant_american_indian"))
