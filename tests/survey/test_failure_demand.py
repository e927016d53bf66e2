"""Failure demand: classification of what was asked, behavioural signals, and how the angles combine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.survey.failure_demand import (
    BOT_CAUSED,
    CHASING_PROGRESS,
    DONE_WRONG,
    EXPLAINING_LETTERS,
    FAILURE,
    REPEAT_CONTACT,
    SHOULD_HAVE_BEEN_ONLINE,
    VALUE,
    WRONG_JURISDICTION,
    ContactFacts,
    DemandClass,
    behavioural_signals,
    classify_demand,
    combine,
    failure_demand_by_type,
    failure_types,
)


@pytest.mark.parametrize(("intent", "text", "expected"), [
    ("tell_life_event", "my dad died last week", (VALUE, None)),
    ("inform_location", "I live in Halifax", (VALUE, None)),
    ("greet", "hi", (None, None)),
    ("check_status", "", (FAILURE, CHASING_PROGRESS)),
    ("tell_life_event", "Where is my application? I applied in March and still waiting",
     (FAILURE, CHASING_PROGRESS)),
    (None, "I haven't heard back about my claim", (FAILURE, CHASING_PROGRESS)),
    ("out_of_scope", "you paid me the wrong amount", (FAILURE, DONE_WRONG)),
    (None, "I got a letter saying I was overpaid", (FAILURE, DONE_WRONG)),
    (None, "I received a letter and I don't know what it means", (FAILURE, EXPLAINING_LETTERS)),
    (None, "what does this notice mean", (FAILURE, EXPLAINING_LETTERS)),
    (None, "the county told me to contact you instead", (FAILURE, WRONG_JURISDICTION)),
    (None, "I couldn't find the form on the website", (FAILURE, SHOULD_HAVE_BEEN_ONLINE)),
    (None, "you don't understand, I already told you", (FAILURE, BOT_CAUSED)),
    ("nlu_fallback", "asdf", (FAILURE, BOT_CAUSED)),
    ("some_new_intent", "I want to apply for a passport", (VALUE, None)),
])
def test_classify_demand(intent, text, expected):
    result = classify_demand(intent, text)
    assert (result.demand, result.failure_type) == expected


def test_failure_is_not_downgraded_by_later_value_messages():
    failure = DemandClass(FAILURE, CHASING_PROGRESS, "marker")
    assert combine(failure, DemandClass(VALUE, None, "intent")) == failure
    assert combine(DemandClass(VALUE), failure) == failure
    assert combine(DemandClass(None), DemandClass(VALUE)).demand == VALUE


T0 = datetime(2026, 7, 1, 9, tzinfo=UTC)


def contact(cid, days, citizen="c1", services=("us-snap",), topic=None, **kw):
    return ContactFacts(cid, T0 + timedelta(days=days), citizen, tuple(services), topic, **kw)


def test_repeat_contact_windows_are_about_the_same_service():
    contacts = [
        contact("a", 0), contact("b", 5), contact("c", 30), contact("d", 50),
        contact("e", 51, services=("us-liheap",)),  # same person, other service: not a repeat
        contact("f", 2, citizen="c2"),  # other person
        contact("g", 0, citizen=None), contact("h", 1, citizen=None),  # unknown person: never a repeat
    ]
    signals = behavioural_signals(contacts)
    assert (signals["a"].repeat_7d, signals["a"].repeat_28d) == (False, False)
    assert (signals["b"].repeat_7d, signals["b"].repeat_28d) == (True, True)
    assert (signals["c"].repeat_7d, signals["c"].repeat_28d) == (False, True)  # 25 days after b
    assert (signals["d"].repeat_7d, signals["d"].repeat_28d) == (False, True)  # 20 days after c
    assert not signals["e"].repeat_28d and not signals["f"].repeat_28d
    assert not signals["h"].repeat_28d


def test_topic_links_contacts_when_no_service_was_shown():
    signals = behavioural_signals([contact("a", 0, services=(), topic="pet_care"),
                                   contact("b", 3, services=(), topic="pet_care")])
    assert signals["b"].repeat_7d


def test_bot_caused_from_fallback_loops_and_handoffs_after_misunderstanding():
    loop = contact("a", 0, max_consecutive_fallbacks=2)
    once = contact("b", 0, citizen="x", max_consecutive_fallbacks=1)
    handoff = contact("c", 0, citizen="y", handed_off=True, handoff_after_misunderstanding=True)
    signals = behavioural_signals([loop, once, handoff])
    assert failure_types(loop, signals["a"]) == {BOT_CAUSED}
    assert failure_types(once, signals["b"]) == set()
    assert failure_types(handoff, signals["c"]) == {BOT_CAUSED}


def test_caseworker_code_and_intent_angles_combine():
    coded = contact("a", 0, avoidable_contact_code=EXPLAINING_LETTERS, demand=FAILURE,
                    failure_type=CHASING_PROGRESS)
    unavoidable = contact("b", 10, citizen="z", avoidable_contact_code="unavoidable", demand=VALUE)
    repeat = contact("c", 3)
    contacts = [coded, unavoidable, repeat]
    signals = behavioural_signals(contacts)
    assert failure_types(coded, signals["a"]) == {EXPLAINING_LETTERS, CHASING_PROGRESS}
    assert failure_types(unavoidable, signals["b"]) == set()
    assert failure_demand_by_type(contacts, signals) == {CHASING_PROGRESS: 1, EXPLAINING_LETTERS: 1,
                                                         REPEAT_CONTACT: 1}
