"""Facts stated in passing (bot/dialogue/facts.py): one test per kind of fact, in citizens' own phrasings."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue.facts import implied_by_needs, stated_facts

TODAY = date(2026, 11, 23)


def facts(text: str, *needs: str) -> dict:
    return stated_facts(text, list(needs), TODAY)


@pytest.mark.parametrize("text,age", [
    ("I'm 72 and can't afford the heating", 72), ("can't afford heating at 72", 72), ("im 67, Halifax", 67),
    ("I am 45 years old", 45), ("45 yo single dad", 45), ("I turn 65 next month, what pensions", 65),
    ("turning 65 soon", 65), ("I'm 30 not 60", 30), ("actually I'm 30", 30), ("I'm a 58-year-old widow", 58),
    ("my dad is 80 and needs care", None), ("I lost my job 3 years ago", None), ("I'm 5 minutes away", None),
    ("i have 2 kids", None), ("rent is 900 a month", None),
])
def test_age(text, age):
    assert facts(text).get("applicant_age") == age


@pytest.mark.parametrize("text,relation", [
    ("my husband passed away on Sunday", "spouse"), ("My mum died last week", "child"),
    ("our son was killed in a crash", "parent"), ("I lost my wife in March", "spouse"),
    ("I'm a widow now", "spouse"), ("my late husband was in the army", "spouse"),
    ("it was my mum, not my dad", "child"), ("my brother passed", "other_family_member"),
    ("my grandad died yesterday", "other_family_member"),
])
def test_relationship_to_the_person_who_died(text, relation):
    assert facts(text, "death").get("applicant_relationship_to_the_deceased") == relation


def test_a_widow_is_widowed_and_the_date_of_death_is_kept():
    found = facts("my husband passed away last week", "death")
    assert found["applicant_marital_status"] == "widowed"
    assert found["deceased_date_of_death"] == "2026-11-16"


@pytest.mark.parametrize("text,status", [
    ("my husband passed away. he was in the Army for 20 years", "retired"),
    ("My dad died, he served in the navy for 4 years", "discharged"),
    ("our son was killed in action in the marines", "active_duty"),
    ("my wife died, she was a veteran", None),
])
def test_the_deceased_served(text, status):
    found = facts(text, "death")
    assert found["deceased_served_in_active_military"] is True
    assert found["applicant_lost_a_service_member"] is True
    assert found.get("deceased_service_status") == status
    assert (found["vac_member_status"], found["vac_patron_type"]) == ("deceased", "family")


def test_a_canadian_forces_widow_is_a_family_member_of_a_deceased_caf_member():
    found = facts("My husband died in October. He served 22 years in the Canadian Armed Forces", "death")
    assert (found["vac_patron_type"], found["vac_member_status"], found["vac_service_type"]) == (
        "family", "deceased", "caf")
    assert "applicant_served_in_active_military" not in found


@pytest.mark.parametrize("text,status,patron", [
    ("I'm a veteran and short of money", "discharged", "veteran"),
    ("ex army, did 20 yrs, now broke", "retired", "veteran"),
    ("I was in the navy for six years", "discharged", "veteran"),
    ("I'm still serving in the army", "active_duty", "serving_member"),
])
def test_the_citizens_own_service(text, status, patron):
    found = facts(text)
    assert found["applicant_served_in_active_military"] is True
    assert found.get("applicant_service_status") == status and found["vac_patron_type"] == patron


def test_a_relative_who_serves_is_not_the_citizens_service_and_a_pet_vet_is_no_veteran():
    assert "applicant_served_in_active_military" not in facts("my husband is in the army and we need childcare")
    assert "applicant_served_in_active_military" not in facts("I need a vet for my dog")


@pytest.mark.parametrize("text,expected", [
    ("single mum of 3 kids", {"children_living_with_you": True, "applicant_dependents_children": True}),
    ("I have two children", {"children_living_with_you": True}),
    ("had baby 2 wks ago. what can i claim", {"age_of_children": ["1_or_under"], "children_living_with_you": True}),
    ("I'm pregnant with my first", {"age_of_children": ["pregnant"], "applicant_dependents_children": True}),
    ("we don't have kids", {"children_living_with_you": False}),
])
def test_children_and_pregnancy(text, expected):
    found = facts(text)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize("text,expected", [
    ("I lost my job at the plant", {"applicant_lost_job": True, "are_you_working": "no"}),
    ("I work part time at a shop", {"are_you_working": "yes"}),
    ("I'm retired", {"are_you_working": "no_retired"}),
    ("injured and can't work for a year", {"applicant_ability_to_work": True,
                                           "disability_affecting_work": "yes_unable_to_work"}),
    ("I can't work anymore because of my MS", {"applicant_ability_to_work": True, "applicant_disability": True}),
])
def test_work(text, expected):
    found = facts(text)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize("text", ["I don't earn much", "we're on a low income", "can't afford the bus",
                                  "I'm broke", "on universal credit", "we have no money"])
def test_low_income(text):
    assert facts(text)["applicant_income"] is True


@pytest.mark.parametrize("text,disabled", [("I have multiple sclerosis", True), ("I'm disabled", True),
                                           ("I use a wheelchair", True), ("my son is disabled", None)])
def test_disability(text, disabled):
    assert facts(text).get("applicant_disability") is disabled


@pytest.mark.parametrize("text,expected", [
    ("I'm a US citizen", {"applicant_citizen_status": True, "applicant_legal_status": "citizen"}),
    ("I have a green card", {"applicant_citizen_status": True}),
    ("we came as refugees last year", {"applicant_legal_status": "refugee"}),
    ("I'm undocumented", {"applicant_citizen_status": False}),
])
def test_citizenship_and_immigration(text, expected):
    found = facts(text)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize("text", ["I'm a student at Dalhousie", "full-time student, can't pay rent",
                                  "I'm at college and need help"])
def test_student(text):
    assert facts(text)["applicant_degree_cerificate_program"] is True


def test_needs_imply_their_own_answers():
    assert implied_by_needs(["death", "job_loss"]) == {"applicant_lost_a_family_member": True,
                                                      "applicant_lost_job": True}


def test_nothing_stated_nothing_found():
    assert facts("hello") == {} and facts("") == {}


def test_service_years_as_a_span_injuries_and_green_card_years():
    assert facts("old vet here. army, vietnam 68-70. 76 yrs old")["applicant_minimum_service_requirement"] is True
    found = facts("bad car wreck in March, broke my back. won't be able to work for at least a year")
    assert found["applicant_disability"] is True and found["applicant_ability_to_work"] is True
    assert facts("i came with green card 2 years ago")["applicant_legal_status"] == "gc_5less"
    assert facts("we've had our green card for 7 years")["applicant_legal_status"] == "gc_5plus"


def test_a_relatives_disability_is_not_the_citizens():
    assert "applicant_disability" not in facts("bath time for my disabled son is hard")
