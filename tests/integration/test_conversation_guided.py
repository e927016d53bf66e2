"""The guided conversation end to end, through the real Rasa server + action server (REST), as a citizen types it.

Transcripts of ten situations across Canada, the US and the UK reach the right services in a few turns; plus the
behaviours a citizen can use at any time (change of place, why, details, more, start over, a person, out of scope,
crisis lines by country). One stack per database backend for the whole module.
"""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.integration

RESULTS = "Here is what may help you"


class Citizen:
    def __init__(self, stack):
        self.stack = stack
        self.sender = f"guided-{uuid.uuid4().hex[:8]}"
        self.last: list[dict] = []

    def says(self, message: str) -> str:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        req = urllib.request.Request(self.stack.rest_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            self.last = json.loads(resp.read())
        text = "\n".join(m.get("text", "") for m in self.last)
        assert "None" not in text and "{" not in text, text  # no unfilled template, never "None"
        return text

    def buttons(self) -> list[dict]:
        return [b for m in self.last for b in m.get("buttons") or []]

    def clicks(self, title_part: str) -> str:
        for button in self.buttons():
            if title_part.lower() in button["title"].lower():
                return self.says(button["payload"])
        raise AssertionError(f"no button {title_part!r} in {self.buttons()}")

    def answers_until_results(self, reply: str, typed: str = "not sure", limit: int = 4) -> tuple[str, int]:
        questions = 0
        while RESULTS not in reply:
            assert questions < limit, f"still asking after {limit} questions:\n{reply}"
            assert self.buttons(), f"a question without buttons:\n{reply}"
            questions += 1
            reply = self.says(typed)
        return reply, questions


SITUATIONS = [
    # (opening message, then the place if asked, a service that must be listed)
    ("my husband passed away on sunday", "Halifax", "Canada Pension Plan survivor's pension"),
    ("I got laid off and I live in Toronto", None, "Employment Insurance"),
    ("we're expecting a baby", "Ontario", "Canada child benefit"),
    ("I can't work because of my back, I'm in Nova Scotia", None, "Canada Pension Plan Disability"),
    ("my dad died last week", "80202", "Lump-sum death benefit"),  # a rare service (public safety officers) no more
    ("I'm being evicted and I live in Seattle", None, "Housing Choice Voucher"),
    ("I'm retiring soon", "Glasgow", "Pension Credit"),
    ("I have a disability", "Cardiff", "Personal Independence Payment"),
    ("i lost my job", "Halifax", "Employment Insurance"),
    ("we just had a baby in London, England", None, "Child Benefit"),
]


@pytest.mark.parametrize("opening,place,expected", SITUATIONS, ids=[s[0][:30] for s in SITUATIONS])
def test_ten_situations_reach_the_right_services_in_a_few_turns(stack, opening, place, expected):
    citizen = Citizen(stack)
    reply = citizen.says(opening)
    if place:
        assert "Where do you live" in reply, reply
        reply = citizen.says(place)
    reply, questions = citizen.answers_until_results(reply)
    assert questions <= 3
    assert expected in reply, reply
    assert "https://" in reply


def test_death_in_halifax_questions_by_typed_words_checklist_more_why_details_place_change_start_over(stack):
    citizen = Citizen(stack)
    reply = citizen.says("hi")
    assert "Signpost" in reply
    reply = citizen.says("my mom died")
    assert "Where do you live" in reply  # the relationship was said: never asked
    reply = citizen.says("Halifax")
    assert "Canada Pension Plan" in reply and citizen.buttons()  # the CPP question, with Yes/No/Not sure
    reply = citizen.says("yes")
    assert RESULTS in reply and "Canada Pension Plan death benefit" in reply
    assert "relationship" not in reply.lower()
    assert "Who to tell about the death" in reply
    assert "Death certificate and registration (Nova Scotia" in reply  # provincial beside federal
    more = citizen.says("more")
    assert "More for Halifax" in more
    why = citizen.says("why 1")
    assert "Canada Pension Plan death benefit" in why
    listed = [line for line in (reply + "\n" + more).splitlines() if line[:2].rstrip(".").isdigit()]
    number = next(line.split(".")[0] for line in listed if "Death certificate" in line)
    details = citizen.says(f"details {number}")
    assert "Death certificate" in details and ("Apply:" in details or "Call:" in details)
    moved = citizen.says("actually I'm in Ontario")
    assert "OK, Ontario" in moved and RESULTS in moved and "Nova Scotia" not in moved
    again = citizen.says("start over")
    assert "start again" in again
    assert "Where do you live" in citizen.says("my dad died")  # start over forgot the place too


def test_ambiguous_place_by_button_and_answers_by_button(stack):
    citizen = Citizen(stack)
    reply = citizen.says("we're expecting twins and we live in London")
    assert "more than one London" in reply
    reply = citizen.clicks("England")
    assert citizen.buttons(), reply
    reply = citizen.clicks("Yes") if any(b["title"] == "Yes" for b in citizen.buttons()) else reply
    reply, _ = citizen.answers_until_results(reply)
    assert "may help you in London" in reply and "(England)" in reply  # the London chosen by button
    assert "Maternity" in reply or "Child Benefit" in reply  # what a navigator names first for a birth


def test_hurried_citizen_sees_results_at_once(stack):
    citizen = Citizen(stack)
    reply = citizen.says("my father passed away, I live in Denver")
    assert RESULTS not in reply and citizen.buttons()  # a question first
    assert RESULTS in citizen.says("just show me the results")


def test_out_of_scope_twice_offers_a_person_and_lists_no_services(stack):
    citizen = Citizen(stack)
    first = citizen.says("what's the weather like tomorrow")
    assert "can't help with that" in first and "https://" not in first
    second = citizen.says("book me a flight to paris")
    assert "talk to a person" in second and "https://" not in second


def test_insult_and_gibberish_get_the_scope_answer(stack):
    citizen = Citizen(stack)
    assert "I help you find public services" in citizen.says("you are an idiot")
    assert "https://" not in citizen.says("asdkjh qwelkj")


@pytest.mark.parametrize("place,line", [(None, "116 123"), ("Halifax", "9-8-8"), ("Denver", "988"),
                                        ("Glasgow", "Samaritans")])
def test_crisis_gets_the_country_line_first_then_a_person(stack, place, line):
    citizen = Citizen(stack)
    if place:
        citizen.says(f"I live in {place}")
    reply = citizen.says("I want to kill myself")
    assert citizen.last[0]["text"].startswith("If you are in danger")
    assert line in reply and "person" in reply
    if place is None:
        assert "911" in reply and "999" in reply and "988" in reply


def test_nowhere_to_sleep_tonight_is_a_crisis(stack):
    citizen = Citizen(stack)
    citizen.says("I'm in Toronto")
    reply = citizen.says("I have nowhere to sleep tonight")
    assert "911" in reply and "9-8-8" in reply


def test_a_person_can_be_asked_for_in_the_middle_of_questions(stack):
    citizen = Citizen(stack)
    citizen.says("my dad died")
    reply = citizen.says("can I talk to a real person")
    assert "connect you with a person" in reply and "Is that OK?" in reply  # consent before anything is shared
    assert "Where do you live" not in reply


def test_help_and_another_life_event(stack):
    citizen = Citizen(stack)
    assert "start over" in citizen.says("help")
    reply = citizen.says("I lost my job in Toronto")
    reply, _ = citizen.answers_until_results(reply)
    added = citizen.says("also my wife is pregnant")
    assert "Noted" in added
