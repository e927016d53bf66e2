"""Scripted citizens end to end over REST (real Rasa NLU, real action server, real catalogue): written apart from
the training data, across the US, Canada and the UK (tests/e2e/citizens/*.yml).

Each citizen types what they would say, then answers the bot's questions from their own facts (or "not sure").
Every in-scope citizen must reach a list of services, and no fact they stated may be asked. How often a key service
is on the first page is printed (the relevance figure), not asserted here: bench/bench_relevance.py tracks it.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.integration

CITIZENS_DIR = Path(__file__).resolve().parents[1] / "e2e" / "citizens"
RESULTS = ("Here is what may help you", "I couldn't find a service")
MAX_TURNS = 9

# which criteria each fact of the scripts answers: a stated fact must never come back as one of these questions
FACT_CRITERIA: dict[str, set[str]] = {
    "age": {"applicant_date_of_birth", "applicant_age"},
    "turning_65": {"applicant_date_of_birth", "applicant_age"},
    "deceased_relation": {"applicant_relationship_to_the_deceased", "applicant_lost_a_family_member"},
    "deceased_military": {"deceased_served_in_active_military", "vac_member_status", "applicant_lost_a_service_member"},
    "military": {"applicant_served_in_active_military", "vac_patron_type"},
    "military_years": {"applicant_minimum_service_requirement"},
    "pregnant": {"age_of_children", "children_living_with_you", "applicant_dependents_children"},
    "children": {"children_living_with_you", "applicant_dependents_children"},
    "employment": {"are_you_working", "applicant_lost_job"},
    "low_income": {"applicant_income"},
    "disability": {"applicant_disability", "disability_or_health_condition"},
    "citizenship": {"applicant_citizen_status", "applicant_legal_status"},
    "student": {"applicant_degree_cerificate_program"},
    "place": {"location"},
}


def load_citizens() -> list[dict[str, Any]]:
    citizens = []
    for path in sorted(CITIZENS_DIR.glob("*.yml")):
        citizens += yaml.safe_load(path.read_text())["citizens"]
    return citizens


CITIZENS = load_citizens()


def typed_answer(key: str, facts: dict[str, Any]) -> str:
    """What this citizen would type to the question ``key``: from their facts, else "not sure"."""
    def yes_no(value: Any) -> str:
        return "yes" if value else "no"

    if key in ("applicant_date_of_birth", "applicant_age") and "age" in facts:
        return str(facts["age"])
    if key == "applicant_relationship_to_the_deceased" and "deceased_relation" in facts:
        return {"spouse": "spouse", "parent": "child", "child": "parent"}.get(facts["deceased_relation"], "other")
    if key == "deceased_served_in_active_military":
        return yes_no(facts.get("deceased_military"))
    if key == "applicant_served_in_active_military":
        return yes_no(facts.get("military"))
    if key == "applicant_income" and "low_income" in facts:
        return yes_no(facts["low_income"])
    if key in ("applicant_disability", "disability_or_health_condition") and "disability" in facts:
        return yes_no(facts["disability"])
    if key in ("children_living_with_you", "applicant_dependents_children") and "children" in facts:
        return yes_no(facts["children"])
    if key == "applicant_citizen_status" and "citizenship" in facts:
        return yes_no(facts["citizenship"] in ("citizen", "permanent_resident", "refugee"))
    if key == "are_you_working" and "employment" in facts:
        return {"employed": "yes", "unemployed": "no", "cant_work": "no"}.get(facts["employment"], "not sure")
    if key == "applicant_lost_job" and "employment" in facts:
        return yes_no(facts["employment"] == "unemployed")
    if key == "location" and "place" in facts:
        return str(facts["place"])
    return "not sure"


class Citizen:
    def __init__(self, stack: Any, script: dict[str, Any]) -> None:
        self.stack, self.script = stack, script
        self.sender = f"citizen-{uuid.uuid4().hex[:8]}"
        self.asked: list[str] = []
        self.reply = ""
        self.buttons: list[dict[str, str]] = []

    def says(self, message: str) -> str:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        req = urllib.request.Request(self.stack.rest_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            messages = json.loads(resp.read())
        self.reply = "\n".join(m.get("text", "") for m in messages)
        self.buttons = [b for m in messages for b in m.get("buttons") or []]
        return self.reply

    def slots(self) -> dict[str, Any]:
        url = f"{self.stack.settings.rasa_url}/conversations/{self.sender}/tracker?token={self.stack.token}"
        with urllib.request.urlopen(url, timeout=30) as resp:
            return json.loads(resp.read())["slots"]

    def converse(self) -> dict[str, Any]:
        """Says the script, then answers until results (or the turn limit). Returns the last slots."""
        for message in self.script["says"]:
            self.says(message)
        for _ in range(MAX_TURNS):
            if any(r in self.reply for r in RESULTS):
                break
            pending = (self.slots().get("dialogue") or {}).get("pending") or {}
            if pending.get("kind") == "criterion":
                self.asked.append(pending["key"])
                self.says(typed_answer(pending["key"], self.script["facts"]))
            elif pending.get("kind") in ("location", "place_choice"):
                self.asked.append("location")
                self.says(str(self.script["facts"].get("place") or "not sure"))
            elif guess := self.guess_button():
                self.says(guess)  # "Is this about …?": a citizen picks the button of their need
            else:
                self.says("not sure")
        return self.slots()

    def guess_button(self) -> str | None:
        for button in self.buttons:
            if any(f'"life_event": "{need}"' in button.get("payload", "") for need in self.script["needs"]):
                return str(button["payload"])
        return None


@pytest.mark.skipif(not CITIZENS, reason="no scripted citizens in tests/e2e/citizens")
def test_scripted_citizens_reach_services_and_are_never_asked_what_they_said(stack, capsys):
    failures, first_page, with_key = [], 0, 0
    for script in CITIZENS:
        citizen = Citizen(stack, script)
        slots = citizen.converse()
        forbidden = set().union(*(FACT_CRITERIA.get(f, set()) for f in script.get("stated") or []))
        if not any(r in citizen.reply for r in RESULTS):
            failures.append(f"{script['id']}: no results after {MAX_TURNS} turns: {citizen.reply[:200]}")
        if asked_again := forbidden & set(citizen.asked):
            failures.append(f"{script['id']}: asked what was said: {sorted(asked_again)}")
        if script.get("key_services"):
            with_key += 1
            first_page += bool(set(script["key_services"]) & set((slots.get("shown_services") or [])[:3]))
    with capsys.disabled():
        print(f"\nscripted citizens: {len(CITIZENS)}, key service on page 1: {first_page}/{with_key}")
    assert not failures, "\n".join(failures)
