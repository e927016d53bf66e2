"""The typed dialogue state: one counter for misunderstandings, and the slot's JSON form, old and new."""

from __future__ import annotations

from bot.dialogue.state import VERSION, DialogueState, Fallbacks, Pending
from bot.handoff.state import HandoffState
from bot.survey.state import SurveyState

# A slot written before the typed state (version 1), mid-conversation: a question pending, a handoff waiting.
V1_SLOT = {"life_events": ["death"], "location": "CA-NS-halifax", "location_name": "Halifax",
           "answers": {"applicant_relationship_to_the_deceased": "child"}, "asked": ["deceased_paid_into_CPP"],
           "pending": {"kind": "criterion", "key": "deceased_paid_into_CPP"}, "page": 0, "shown": [],
           "misunderstood": 1, "hurry": False, "results_seen": False, "intro_done": True, "wants_person": True,
           "handoff": {"stage": "waiting", "id": 7, "reason": "asked"}, "need_text": "my dad died",
           "fallbacks": 3, "fallback_run": 1, "max_fallback_run": 2,
           "survey": {"offered": True, "active": False, "left": True, "end_point": "results", "logged": "results",
                      "handed_off": False, "q": {"step": "trust", "answers": {"satisfaction": 4}}}}


def test_a_version_1_slot_carries_on():
    state = DialogueState.from_slot(V1_SLOT)
    assert state.pending == Pending("criterion", "deceased_paid_into_CPP")
    assert state.handoff == HandoffState(stage="waiting", id=7, reason="asked")
    assert state.survey == SurveyState(offered=True, left=True, end_point="results", logged="results",
                                       q={"step": "trust", "answers": {"satisfaction": 4}})
    assert (state.fallbacks.total, state.fallbacks.run, state.fallbacks.longest) == (3, 1, 2)
    assert state.answers == {"applicant_relationship_to_the_deceased": "child"} and state.intro_done
    assert state.to_slot()["version"] == VERSION


def test_the_slot_round_trips():
    state = DialogueState.from_slot(V1_SLOT)
    again = DialogueState.from_slot(state.to_slot())
    assert again == state


def test_nothing_or_rubbish_is_a_new_conversation():
    assert DialogueState.from_slot(None) == DialogueState()
    state = DialogueState.from_slot({"pending": {"kind": "nonsense"}, "handoff": {"stage": "?"}, "survey": {}})
    assert state.pending is None and state.handoff is None and state.survey is None


def test_one_counter_offers_a_person_every_second_miss_and_keeps_the_longest_run():
    tally = Fallbacks()
    offers = []
    for understood in (False, False, False, False, True, False):
        tally.understood() if understood else tally.missed()
        offers.append(tally.offer_person)
    assert offers == [False, True, False, True, False, False]
    assert (tally.total, tally.run, tally.longest) == (5, 1, 4)


def test_start_over_forgets_the_situation_but_not_the_survey():
    state = DialogueState.from_slot(V1_SLOT)
    state.start_over()
    assert state.life_events == [] and state.location is None and state.handoff is None
    assert state.survey is not None and state.survey.offered
