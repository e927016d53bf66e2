"""action_signpost translates a rasa_sdk Tracker into bot.dialogue.turn.step and back into responses + slots."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import catalogue_client
from actions.converse import ActionSignpost


@pytest.fixture
def client(catalogue_engine, monkeypatch):
    client = catalogue_client.CatalogueClient("sqlite://")
    client.__dict__["engine"] = catalogue_engine  # the cached_property, pre-filled with the test catalogue
    monkeypatch.setattr(catalogue_client, "_clients", {None: client})

    async def no_record(*args, **kwargs):
        return None

    monkeypatch.setattr(client, "record_conversation", no_record)
    return client


def tracker(text, intent, entities=(), slots=None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": list(entities)}
    return Tracker("citizen-1", slots or {}, message, [], False, None, {}, "action_listen")


def run(tr, responses):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSignpost().run(dispatcher, tr, {"responses": responses}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_life_event_with_a_place_sets_the_state_and_asks_or_lists(client, responses):
    messages, slots = run(tracker("my dad died in Halifax", "tell_life_event", [
        {"entity": "life_event", "value": "death"}, {"entity": "place", "value": "Halifax"},
        {"entity": "relation", "value": "parent"}]), responses)
    assert slots["location"] == "CA-NS-halifax" and slots["life_events"] == ["death"]
    assert slots["dialogue"]["answers"]["applicant_relationship_to_the_deceased"] == "child"
    assert messages and all(m["response"].startswith("utter_") for m in messages)
    assert all(m["text"] is None for m in messages)  # wording comes from the domain, never from the action
    question = messages[-1]
    assert question["buttons"], "a question comes with buttons"


def test_the_next_turn_reads_the_state_back_from_the_slot(client, responses):
    _, slots = run(tracker("my dad died", "tell_life_event", [{"entity": "life_event", "value": "death"}]),
                   responses)
    messages, slots = run(tracker("Denver", "inform_location", [{"entity": "place", "value": "Denver"}],
                                  slots={"dialogue": slots["dialogue"]}), responses)
    assert slots["location"] == "US-CO-denver"
    assert slots["dialogue"]["life_events"] == ["death"]


def test_a_person_request_sets_wants_person_and_asks_consent_before_sharing(client, responses):
    messages, slots = run(tracker("human please", "ask_person"), responses)
    assert slots["wants_person"] is True
    assert messages[0]["response"] == "utter_handoff_consent"
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/answer{"answer": "consent_yes"}',
                                                              '/answer{"answer": "consent_no"}']
    assert slots["dialogue"]["handoff"]["stage"] == "consent"
    from bot.db import session_factory
    from bot.handoff.models import Handoff

    with session_factory(client.engine)() as s:  # nothing is shared before the citizen says yes
        assert s.query(Handoff).filter(Handoff.sender_id == "citizen-1").count() == 0


def test_each_turn_records_demand_fallbacks_and_a_pseudonymous_key(client, responses):
    from bot.db import session_factory
    from bot.survey.models import ContactRecord

    def tracker_for(sender, text, intent, slots=None, entities=()):
        message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": list(entities)}
        return Tracker(sender, slots or {}, message, [], False, None, {"name": "twilio"}, "action_listen")

    sender = "sms-citizen-key-hash"
    _, slots = run(tracker_for(sender, "bananas", "nlu_fallback"), responses)
    _, slots = run(tracker_for(sender, "purple monkey", "nlu_fallback", {"dialogue": slots["dialogue"]}), responses)
    run(tracker_for(sender, "I never received my payment, I lost my job", "tell_life_event",
                    {"dialogue": slots["dialogue"]}, [{"entity": "life_event", "value": "job_loss"}]), responses)
    with session_factory(client.engine)() as s:
        row = s.query(ContactRecord).filter(ContactRecord.conversation_id == sender).one()
    assert (row.fallback_count, row.max_consecutive_fallbacks) == (2, 2)
    assert (row.demand, row.failure_type) == ("failure", "bot_caused")  # the first failure type found stays
    assert row.citizen_key and sender not in row.citizen_key
