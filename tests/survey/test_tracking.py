"""Per-turn analytics facts: demand classified from the message, fallback loops counted, a pseudonymous key."""

from __future__ import annotations

from bot.channels.identity import short_digest
from bot.dialogue.state import DialogueState
from bot.survey.failure_demand import BOT_CAUSED, CHASING_PROGRESS, FAILURE, VALUE
from bot.survey.tracking import citizen_key, contact_facts


def test_a_chasing_message_is_failure_demand_with_its_type():
    state = DialogueState(life_events=["job_loss"], location="CA-NS-halifax", shown=["ca-ei"])
    facts = contact_facts(state, intent="tell_life_event", text="Where is my payment? I lost my job in May",
                          channel="twilio", language="en")
    assert (facts["demand"], facts["failure_type"]) == (FAILURE, CHASING_PROGRESS)
    assert (facts["jurisdiction"], facts["topic"], facts["service_ids"]) == ("CA-NS-halifax", "job_loss", ["ca-ei"])


def test_a_plain_situation_is_value_demand_and_a_greeting_carries_none():
    assert contact_facts(DialogueState(), intent="tell_life_event", text="my dad died", channel="rest",
                         language="en")["demand"] == VALUE
    assert contact_facts(DialogueState(), intent="greet", text="hi", channel="rest",
                         language="en")["demand"] is None


def test_fallback_runs_are_counted_and_the_longest_is_kept():
    state = DialogueState()
    for understood in (False, False, True, False, True):
        state.fallbacks.understood() if understood else state.fallbacks.missed()
    facts = contact_facts(state, intent="nlu_fallback", text="bananas", channel="rest", language="en")
    assert (facts["fallback_count"], facts["max_consecutive_fallbacks"]) == (3, 2)
    assert (facts["demand"], facts["failure_type"]) == (FAILURE, BOT_CAUSED)


def test_the_citizen_key_is_stable_per_channel_and_sender_and_reveals_neither():
    key = citizen_key("twilio", "abc123", "secret")
    assert key == citizen_key("twilio", "abc123", "secret")
    assert key != citizen_key("telegram", "abc123", "secret") != citizen_key("twilio", "abc123", "other")
    assert "abc123" not in key and len(key) == 16
    assert key == short_digest("twilio:abc123", "secret")  # the same keys as before: repeat contacts still match
