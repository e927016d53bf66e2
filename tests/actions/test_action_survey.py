"""The exit survey through action_signpost: web button payloads, SMS "Reply 1 for …" numbers and typed words,
a repeated webhook, and the desk's ``handoff_closed`` trigger. Real catalogue and real survey store (SQLite)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import catalogue_client
from actions.converse import ActionSignpost
from bot.channels import sms
from bot.db import session_factory
from bot.dialogue.phrases import Phrases
from bot.survey.models import ContactRecord, SurveyOffer, SurveyResponse

_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


@pytest.fixture
def client(catalogue_engine, monkeypatch):
    client = catalogue_client.CatalogueClient("sqlite://")
    client.__dict__["engine"] = catalogue_engine  # the cached_property, pre-filled with the test catalogue
    client.__dict__["handoff"] = None  # no desk in these tests: a person request gets the no-desk answer
    monkeypatch.setattr(catalogue_client, "_clients", {None: client})

    async def no_record(*args, **kwargs):
        return None

    monkeypatch.setattr(client, "record_conversation", no_record)
    return client


class Citizen:
    """One conversation through the action, as a channel would deliver it (the slot state carried over)."""

    def __init__(self, responses, channel: str):
        self.sender = f"survey-{channel}-{uuid.uuid4().hex[:8]}"
        self.channel = channel
        self.responses = responses
        self.slots: dict = {}
        self.messages: list[dict] = []

    def says(self, text: str, intent: str, entities=()) -> list[dict]:
        message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": list(entities)}
        return self._run(message)

    def clicks(self, title: str) -> list[dict]:
        """A web button: Rasa parses its payload ("/answer{...}") into the intent and entities."""
        button = next(b for m in self.messages for b in m.get("buttons") or [] if b["title"] == title)
        return self.sends_payload(button["payload"])

    def sends_payload(self, payload: str) -> list[dict]:
        m = _PAYLOAD.match(payload)
        entities = [{"entity": k, "value": v} for k, v in json.loads(m["entities"] or "{}").items()]
        return self._run({"text": payload, "intent": {"name": m["intent"], "confidence": 1.0}, "entities": entities})

    def sms_replies(self, text: str, intent: str = "answer") -> list[dict]:
        """What the Twilio channel does: a bare number picks the button last offered, anything else is text."""
        buttons = [b for b in (self.messages[-1].get("buttons") or [])] if self.messages else []
        number = sms.numeric_choice(text)
        if number is not None and 1 <= number <= len(buttons):
            return self.sends_payload(buttons[number - 1]["payload"])
        return self.says(text, intent)

    def _run(self, message: dict) -> list[dict]:
        events = [{"event": "user", "text": message["text"], "input_channel": self.channel}]
        tracker = Tracker(self.sender, dict(self.slots), message, events, False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        result = asyncio.run(ActionSignpost().run(dispatcher, tracker, {"responses": self.responses}))
        self.slots.update({e["name"]: e["value"] for e in result if e.get("event") == "slot"})
        self.messages = dispatcher.messages
        return self.messages

    def names(self) -> list[str]:
        return [m["response"] for m in self.messages]

    def sms_text(self, phrases: Phrases) -> str:
        """The last message as the citizen's phone shows it."""
        last = self.messages[-1]
        return sms.render_buttons(phrases(last["response"]), last.get("buttons") or [])


def stored(engine, sender):
    with session_factory(engine)() as session:
        offers = list(session.execute(select(SurveyOffer).where(SurveyOffer.conversation_id == sender)).scalars())
        responses = list(session.execute(select(SurveyResponse).join(SurveyOffer).where(
            SurveyOffer.conversation_id == sender)).scalars())
        contact = session.execute(select(ContactRecord).where(
            ContactRecord.conversation_id == sender)).scalar_one_or_none()
        return offers, responses, contact


def to_results(citizen: Citizen) -> None:
    citizen.says("I lost my job and I live in Toronto", "tell_life_event", [
        {"entity": "life_event", "value": "job_loss"}, {"entity": "place", "value": "Toronto"}])
    if "utter_services_intro" not in citizen.names():  # a question first: the citizen wants the results now
        citizen.says("just show me", "show_results")
    assert "utter_services_intro" in citizen.names()
    assert citizen.names()[-2:] == ["utter_survey_offer", "utter_survey_satisfaction"]


def test_web_survey_by_buttons(client, catalogue_engine, responses):
    citizen = Citizen(responses, "socketio")
    to_results(citizen)
    assert all(m["text"] is None for m in citizen.messages)  # wording comes from the domain
    citizen.clicks("Strongly agree")
    assert citizen.names() == ["utter_survey_trust"]
    citizen.clicks("Agree")
    assert citizen.names() == ["utter_survey_drivers_positive"]
    titles = [b["title"] for b in citizen.messages[-1]["buttons"]]
    assert "The caseworker's help" not in titles  # no handoff in this conversation
    citizen.clicks("How easy it was")
    citizen.clicks("Yes")
    assert citizen.names() == ["utter_survey_comment"]
    citizen.says("Very clear. My email is sam@example.org", "out_of_scope")
    assert citizen.names() == ["utter_survey_thanks"]
    offers, answers, contact = stored(catalogue_engine, citizen.sender)
    assert len(offers) == 1 and offers[0].channel == "web" and offers[0].end_point == "results"
    assert offers[0].jurisdiction == "CA-ON-toronto" and offers[0].service_ids
    assert len(answers) == 1
    answer = answers[0]
    assert (answer.satisfaction, answer.trust, answer.drivers, answer.first_time) == (5, 4, ["ease"], "yes")
    assert "sam@example.org" not in answer.comment_redacted and "Very clear" in answer.comment_redacted
    assert (contact.topic, contact.end_point, contact.channel) == ("job_loss", "results", "web")
    assert set(offers[0].service_ids) <= set(contact.service_ids)


def test_sms_survey_by_numbers_and_words(client, catalogue_engine, responses):
    phrases = Phrases(responses)
    citizen = Citizen(responses, "twilio")
    to_results(citizen)
    shown = citizen.sms_text(phrases)
    assert "Reply 1 for Strongly disagree, 2 for Disagree" in shown and "5 for Strongly agree, 6 for Skip." in shown
    footer = next(m for m in citizen.messages if m["response"].startswith("utter_results_footer"))
    assert not footer.get("buttons")  # one numbered list per turn on SMS
    citizen.sms_replies("4")  # the channel maps it to the "Agree" payload
    assert citizen.names() == ["utter_survey_trust"]
    citizen.sms_replies("strongly agree", "nlu_fallback")  # typed words reach the bot as text
    assert citizen.names() == ["utter_survey_drivers_positive"]
    shown = citizen.sms_text(phrases)
    assert "1 for Getting what I needed" in shown and "7 for None of these, 8 for Skip." in shown
    citizen.sms_replies("1 3")  # several drivers: not a single number, so the bot reads it
    assert citizen.names() == ["utter_survey_first_time"]
    citizen.sms_replies("skip", "dont_know")
    assert citizen.names() == ["utter_survey_comment"]
    assert "1 for Skip" in citizen.sms_text(phrases)
    citizen.sms_replies("Call me on 416 555 0123 thanks", "out_of_scope")
    assert citizen.names() == ["utter_survey_thanks"]
    offers, answers, _ = stored(catalogue_engine, citizen.sender)
    assert offers[0].channel == "sms"  # as the report names it
    answer = answers[0]
    assert (answer.satisfaction, answer.trust, answer.drivers, answer.first_time) == (
        4, 5, ["effectiveness", "efficiency"], None)
    assert "555" not in (answer.comment_redacted or "")


def test_sms_no_thanks_ends_the_survey(client, catalogue_engine, responses):
    citizen = Citizen(responses, "twilio")
    to_results(citizen)
    citizen.sms_replies("2")
    citizen.sms_replies("no thanks", "deny")
    assert citizen.names() == ["utter_survey_stopped"]
    citizen.sms_replies("more", "more_results")  # the conversation carries on
    assert citizen.names()[0] in ("utter_services_more_intro", "utter_no_more")
    _, answers, _ = stored(catalogue_engine, citizen.sender)
    assert answers[0].satisfaction == 2 and answers[0].stopped


def test_a_repeated_webhook_does_not_count_twice(client, catalogue_engine, responses):
    citizen = Citizen(responses, "rest")
    to_results(citizen)
    payload = next(b["payload"] for b in citizen.messages[-1]["buttons"] if b["title"] == "Agree")
    before = dict(citizen.slots)
    citizen.sends_payload(payload)
    citizen.slots = dict(before)  # the same request again, as if the first answer never came back
    citizen.sends_payload(payload)
    citizen.sends_payload(payload)  # and once more after the state moved on
    assert citizen.names() == ["utter_survey_trust"]
    offers, answers, _ = stored(catalogue_engine, citizen.sender)
    assert len(offers) == 1 and len(answers) == 1 and answers[0].satisfaction == 4


def test_ignoring_the_survey_keeps_the_conversation_going(client, catalogue_engine, responses):
    citizen = Citizen(responses, "socketio")
    to_results(citizen)
    citizen.says("details 1", "ask_details")
    assert citizen.names() == ["utter_service_details"]
    citizen.says("bye", "goodbye")
    assert citizen.names() == ["utter_goodbye"]  # offered already: not asked again
    offers, answers, contact = stored(catalogue_engine, citizen.sender)
    assert len(offers) == 1 and answers == [] and contact.end_point == "results"


def test_goodbye_is_an_end_point(client, catalogue_engine, responses):
    citizen = Citizen(responses, "socketio")
    citizen.says("bye", "goodbye")
    assert citizen.names() == ["utter_survey_offer", "utter_survey_satisfaction"]
    citizen.clicks("Skip")
    citizen.clicks("Skip")
    citizen.clicks("Skip")
    citizen.clicks("Skip")
    assert citizen.names() == ["utter_survey_thanks", "utter_goodbye"]
    offers, answers, _ = stored(catalogue_engine, citizen.sender)
    assert offers[0].end_point == "goodbye" and answers == []


def test_handoff_closed_trigger_starts_the_survey(client, catalogue_engine, responses):
    citizen = Citizen(responses, "twilio")
    citizen.says("my dad died", "tell_life_event", [{"entity": "life_event", "value": "death"}])
    # POST /conversations/{id}/trigger_intent {"name": "handoff_closed"}: Rasa's external message
    citizen.says("EXTERNAL: handoff_closed", "handoff_closed")
    assert citizen.names() == ["utter_handoff_closed", "utter_survey_offer", "utter_survey_satisfaction"]
    citizen.sms_replies("5")
    citizen.sms_replies("skip", "dont_know")
    titles = [b["title"] for b in citizen.messages[-1]["buttons"]]
    assert "The caseworker's help" in titles
    citizen.sms_replies(str(titles.index("The caseworker's help") + 1))
    offers, answers, contact = stored(catalogue_engine, citizen.sender)
    assert offers[0].handed_off and offers[0].end_point == "handoff_closed"
    assert contact.handed_off and contact.end_point == "handoff_closed" and contact.channel == "sms"
    assert answers[0].drivers == ["caseworker_helpful"]


def test_crisis_during_the_survey_comes_first(client, responses):
    citizen = Citizen(responses, "socketio")
    to_results(citizen)
    citizen.says("I want to end my life", "crisis")
    assert citizen.names() == ["utter_crisis_ca", "utter_offer_person"]
    assert citizen.slots["dialogue"]["survey"]["active"] is False
