"""The citizen's side of a handoff (bot/handoff/dialogue.py), driven through bot.dialogue.turn.step.

A real turn context on the real catalogue (the ``ctx`` fixture) and a real HandoffService on the same migrated SQLite
database; only the clock is fixed. The texts are read as the citizen reads them (domain/responses.yml).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from bot.channels.identity import NumberVault
from bot.db import session_factory
from bot.desk.users import create_user, touch_presence
from bot.dialogue.render import messages_text
from bot.dialogue.state import DialogueState
from bot.dialogue.turn import step
from bot.dialogue.understanding import Understanding
from bot.handoff import store
from bot.handoff.models import CallbackRequest, Handoff
from bot.handoff.service import HandoffService
from bot.handoff.teams import DEFAULT_FILE, load_teams
from bot.replies import Out

# A Wednesday, 11:00 in Halifax (UTC-4 in December). It is in the past, so a caseworker who touched the desk just
# now counts as online for it; 22:00 UTC the same day is 18:00 in Halifax, after hours.
OPEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
AFTER_HOURS = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
HALIFAX = ZoneInfo("America/Halifax")
TEAMS = [t for t in load_teams(DEFAULT_FILE) if t.id in ("general", "nova-scotia")]
VAULT = NumberVault("a test channel key, not a real one")


def U(text="", intent="", **kw) -> Understanding:
    return Understanding(text=text, intent=intent, confidence=0.9, **kw)


def button(value: str) -> Understanding:
    """A button press: Rasa gives the action the button's value as the ``answer`` entity."""
    return Understanding(text="/answer" + json.dumps({"answer": value}), intent="answer", confidence=1.0,
                         answer=value)


def names(outs: list[Out]) -> list[str]:
    return [o.response for o in outs]


def values(out: Out) -> list[str]:
    return [json.loads(b["payload"].removeprefix("/answer"))["answer"] for b in out.buttons or []]


def find(outs: list[Out], response: str) -> Out:
    return next(o for o in outs if o.response == response)


@pytest.fixture
def engine(catalogue_engine):
    def clear():
        with catalogue_engine.begin() as conn:
            for table in ("callback_request", "handoff_note", "handoff", "desk_session", "desk_audit", "desk_user"):
                conn.execute(text(f"DELETE FROM {table}"))
    clear()
    yield catalogue_engine
    clear()


class Citizen:
    """One person chatting: their own sender id and conversation state, the shared desk."""

    def __init__(self, ctx, service: HandoffService, sender_id: str, channel: str = "rest"):
        self.ctx = dataclasses.replace(ctx, handoff=service, sender_id=sender_id, channel=channel)
        self.state: DialogueState | None = None
        self.said: list[str] = []

    def says(self, u: Understanding) -> list[Out]:
        self.state, outs = step(self.state, u, self.ctx)
        self.said = messages_text(outs, self.ctx.phrases)
        return outs

    @property
    def stage(self) -> str | None:
        return self.state.handoff.stage if self.state and self.state.handoff else None

    @property
    def text(self) -> str:
        return "\n".join(self.said)


def job_loss_in_halifax() -> Understanding:
    return U("I lost my job in Halifax", "tell_life_event", life_events=["job_loss"], places=["Halifax"])


@pytest.fixture
def desk(engine):
    """Make a desk at a given time, with or without a Nova Scotia caseworker online."""
    assert datetime.now(UTC) > AFTER_HOURS, "the fixed clock must be in the past for touch_presence to count"

    def make(now: datetime = OPEN, online: int = 1) -> HandoffService:
        for i in range(online):
            user = create_user(engine, f"ns{i}", "correct horse battery", team="nova-scotia")
            touch_presence(engine, user.id)
        return HandoffService(engine, seal=VAULT.seal, teams=TEAMS, clock=lambda: now)
    return make


def handoffs(engine, sender_id: str) -> list[Handoff]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(Handoff).where(Handoff.sender_id == sender_id).order_by(Handoff.id)))


def callbacks(engine, sender_id: str) -> list[CallbackRequest]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(CallbackRequest).where(CallbackRequest.sender_id == sender_id)))


def ask_and_consent(citizen: Citizen) -> list[Out]:
    outs = citizen.says(U("talk to a person", "ask_person"))
    assert names(outs) == ["utter_handoff_consent"]
    assert citizen.stage == "consent"
    return citizen.says(U("yes", "affirm"))


# --- queued ---------------------------------------------------------------------------------------------------
def test_asking_for_a_person_asks_consent_then_queues(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    assert ana.state.location == "CA-NS-halifax" and ana.state.life_events == ["job_loss"]

    outs = ana.says(U("talk to a person", "ask_person"))
    consent = find(outs, "utter_handoff_consent")
    assert values(consent) == ["consent_yes", "consent_no"]
    assert [b["title"] for b in consent.buttons] == ["Yes, connect me", "No, thanks"]
    assert "see this chat" in ana.text  # what will be shared is said before anything is
    assert handoffs(engine, "ana") == []  # nothing shared before the answer

    outs = ana.says(U("yes", "affirm"))
    queued = find(outs, "utter_handoff_queued")
    assert queued.vars["position"] == "1" and int(queued.vars["minutes"]) >= 1
    assert values(queued) == ["cancel_handoff"]
    assert "number 1 in line" in ana.text and "Nova Scotia navigators" in ana.text and "CANCEL" in ana.text
    assert f"about {queued.vars['minutes']} min" in ana.text
    assert ana.stage == "waiting"

    (row,) = handoffs(engine, "ana")
    assert (row.status, row.team, row.reason, row.channel, row.location) == (
        "waiting", "nova-scotia", "asked", "rest", "CA-NS-halifax")
    assert row.life_events == ["job_loss"]
    assert "Halifax" in row.summary and "asked for a person" in row.summary
    assert ana.state.handoff.id == row.id


def test_the_second_citizen_is_second_in_line(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana, ben = Citizen(ctx, service, "ana"), Citizen(ctx, service, "ben", channel="telegram")
    for citizen in (ana, ben):
        citizen.says(job_loss_in_halifax())
    first = find(ask_and_consent(ana), "utter_handoff_queued")
    second = find(ask_and_consent(ben), "utter_handoff_queued")
    assert (first.vars["position"], second.vars["position"]) == ("1", "2")
    assert int(second.vars["minutes"]) > int(first.vars["minutes"])
    assert "number 2 in line" in ben.text
    assert handoffs(engine, "ben")[0].channel == "telegram"


def test_a_message_while_waiting_gets_the_place_in_line(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana, ben = Citizen(ctx, service, "ana"), Citizen(ctx, service, "ben")
    for citizen in (ana, ben):
        citizen.says(job_loss_in_halifax())
        ask_and_consent(citizen)

    outs = ben.says(U("hello? is anyone there", "greet"))
    assert names(outs) == ["utter_handoff_waiting"]
    assert "number 2 in line" in ben.text and "CANCEL" in ben.text
    assert values(outs[0]) == ["cancel_handoff"]

    outs = ben.says(U("talk to a person", "ask_person"))  # asking again does not queue twice
    assert names(outs) == ["utter_handoff_waiting"]
    assert len(handoffs(engine, "ben")) == 1

    assert store.claim(engine, handoffs(engine, "ana")[0].id, "ns0")  # ana is being helped: ben moves up
    ben.says(U("still waiting", "nlu_fallback"))
    assert "number 1 in line" in ben.text
    assert ben.stage == "waiting"


@pytest.mark.parametrize("cancel", [U("cancel"), U("CANCEL!"), U("stop waiting"), button("cancel_handoff")],
                         ids=["typed", "shouted", "words", "button"])
def test_cancel_stops_waiting(engine, ctx, desk, cancel):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ask_and_consent(ana)

    outs = ana.says(cancel)
    assert names(outs) == ["utter_handoff_cancelled"]
    assert "no longer waiting" in ana.text
    assert ana.state.handoff is None and ana.state.wants_person is False
    (row,) = handoffs(engine, "ana")
    assert row.status == "cancelled"
    assert store.open_handoff(engine, "ana") is None


def test_a_handoff_closed_at_the_desk_lets_the_conversation_go_on(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ask_and_consent(ana)
    store.cancel_handoff(engine, "ana")  # e.g. tidied away at the desk
    outs = ana.says(U("more", "more_results"))
    assert ana.state.handoff is None
    assert "utter_handoff_waiting" not in names(outs)


def test_declining_consent_shares_nothing(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ana.says(U("person"))  # typed: a one-word command
    assert ana.stage == "consent"
    outs = ana.says(button("consent_no"))
    assert names(outs) == ["utter_handoff_declined"]
    assert "nothing has been shared" in ana.text
    assert ana.state.handoff is None
    assert handoffs(engine, "ana") == [] and callbacks(engine, "ana") == []


def test_declining_by_typing_no(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ana.says(U("person"))
    assert names(ana.says(U("no thanks", "deny"))) == ["utter_handoff_declined"]
    assert handoffs(engine, "ana") == []


# --- nobody to take it now: a callback ------------------------------------------------------------------------
def test_nobody_online_offers_a_callback_or_the_bot(engine, ctx, desk):
    service = desk(OPEN, online=0)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    outs = ask_and_consent(ana)
    offer = find(outs, "utter_handoff_nobody_online")
    assert values(offer) == ["callback", "keep_chatting"]
    assert "Nova Scotia navigators" in ana.text and "call you back" in ana.text
    assert ana.stage == "unavailable"
    assert handoffs(engine, "ana") == []  # not queued when nobody can take it

    outs = ana.says(button("keep_chatting"))
    assert names(outs) == ["utter_handoff_keep_chatting"]
    assert ana.state.handoff is None and callbacks(engine, "ana") == []


def test_a_caseworker_away_from_the_desk_is_not_online(engine, ctx, desk):
    service = desk(OPEN, online=1)
    with session_factory(engine)() as s, s.begin():
        s.execute(text("UPDATE desk_user SET available = :no"), {"no": False})
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    assert "utter_handoff_nobody_online" in names(ask_and_consent(ana))


def test_out_of_hours_books_a_callback(engine, ctx, desk):
    service = desk(AFTER_HOURS, online=1)  # someone is logged in, but the team is closed
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    outs = ask_and_consent(ana)
    closed = find(outs, "utter_handoff_closed_now")
    assert closed.vars["when"] == "tomorrow at 8:30 AM (Halifax time)"
    assert "can chat right now" in ana.text and "from tomorrow at 8:30 AM" in ana.text
    assert values(closed) == ["callback", "keep_chatting"]
    assert [b["title"] for b in closed.buttons] == ["Call me back", "Keep chatting"]
    assert handoffs(engine, "ana") == []

    outs = ana.says(button("callback"))
    assert names(outs) == ["utter_callback_method"] and values(outs[0]) == ["phone", "sms", "email"]

    outs = ana.says(U("text"))
    assert names(outs) == ["utter_callback_time"]
    assert values(outs[0]) == ["next_opening", "morning", "afternoon"]  # no evening: the team closes at 16:30
    assert outs[0].buttons[0]["title"] == "First chance: tomorrow at 8:30 AM (Halifax time)"

    outs = ana.says(U("morning"))
    assert names(outs) == ["utter_callback_ask_phone"]

    outs = ana.says(U("call me maybe"))
    assert names(outs) == ["utter_callback_invalid_phone"]
    assert "area code" in ana.text and "902 555 0123" in ana.text and "CANCEL" in ana.text  # kind: how to fix it
    assert ana.stage == "callback_contact"  # still listening for the number
    outs = ana.says(U("555-0123"))  # no area code
    assert names(outs) == ["utter_callback_invalid_phone"]
    assert callbacks(engine, "ana") == []

    outs = ana.says(U("(902) 555-0123"))
    assert names(outs) == ["utter_callback_booked"]
    (row,) = callbacks(engine, "ana")
    assert outs[0].vars["reference"] == f"CB-{row.id}"
    assert f"CB-{row.id}" in ana.text and "text you" in ana.text
    assert ana.state.handoff is None

    assert (row.method, row.preferred, row.team, row.status) == ("sms", "morning", "nova-scotia", "open")
    due = store.as_utc(row.due_at)
    local = due.astimezone(HALIFAX)
    assert due == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # Thursday 09:00 in Halifax
    assert 9 <= local.hour < 12 and TEAMS[1].is_open(due)
    assert outs[0].vars["when"] == "tomorrow at 9:00 AM (Halifax time)"
    assert "tomorrow at 9:00 AM" in ana.text
    assert VAULT.open(row.contact_encrypted) == "+19025550123"
    assert "9025550123" not in row.contact_encrypted and row.contact_hint == "•••• 0123"
    assert "Halifax" in row.summary
    assert handoffs(engine, "ana") == []  # a callback, not a queued chat


def test_an_email_callback(engine, ctx, desk):
    service = desk(AFTER_HOURS, online=0)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ask_and_consent(ana)
    ana.says(U("call me back"))
    assert ana.stage == "callback_method"
    ana.says(button("email"))
    assert names(ana.says(button("afternoon"))) == ["utter_callback_ask_email"]
    assert names(ana.says(U("sam at example dot org"))) == ["utter_callback_invalid_email"]
    assert "name@example.com" in ana.text
    outs = ana.says(U("Sam@Example.org"))
    assert names(outs) == ["utter_callback_booked"]
    (row,) = callbacks(engine, "ana")
    assert (row.method, row.preferred) == ("email", "afternoon")
    assert VAULT.open(row.contact_encrypted) == "sam@example.org"
    assert 12 <= store.as_utc(row.due_at).astimezone(HALIFAX).hour < 17


def test_an_unclear_answer_repeats_the_choice_and_cancel_stops_the_callback(engine, ctx, desk):
    service = desk(AFTER_HOURS, online=0)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ask_and_consent(ana)
    ana.says(button("callback"))
    outs = ana.says(U("pigeon"))
    assert names(outs) == ["utter_callback_not_understood", "utter_callback_method"]
    ana.says(U("phone"))
    outs = ana.says(U("at midnight"))
    assert names(outs) == ["utter_callback_not_understood", "utter_callback_time"]
    ana.says(U("next_opening"))
    outs = ana.says(U("cancel"))
    assert names(outs) == ["utter_callback_cancelled"]
    assert ana.state.handoff is None and callbacks(engine, "ana") == []


# --- why a person was wanted ----------------------------------------------------------------------------------
def test_crisis_words_then_person_records_crisis(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    outs = ana.says(U("I don't want to live anymore"))
    assert names(outs) == ["utter_crisis_ca", "utter_offer_person"]
    ana.says(U("person"))
    assert ana.stage == "consent" and ana.state.handoff.reason == "crisis"
    ana.says(button("consent_yes"))
    (row,) = handoffs(engine, "ana")
    assert row.reason == "crisis" and "crisis" in row.summary


def test_two_misunderstandings_then_person_records_misunderstood(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ana.says(U("what colour is the sky", "out_of_scope"))
    outs = ana.says(U("bananas", "nlu_fallback"))
    assert "utter_offer_person_misunderstood" in names(outs)
    ana.says(U("person"))
    ana.says(U("yes"))
    (row,) = handoffs(engine, "ana")
    assert row.reason == "misunderstood" and "misunderstood" in row.summary


def test_when_the_local_team_is_all_busy_the_general_navigators_take_it(engine, ctx, desk):
    service = desk(OPEN, online=0)  # nobody from Nova Scotia online…
    helper = create_user(engine, "gen0", "correct horse battery", team="general")
    touch_presence(engine, helper.id)  # …but a general navigator is (their hours: 08:00-20:00 Toronto)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    outs = ask_and_consent(ana)
    assert names(outs)[0] == "utter_handoff_queued" and outs[0].vars["team"] == "Signpost navigators"
    (row,) = handoffs(engine, "ana")
    assert row.team == "general"


def test_once_understood_again_a_later_request_is_a_plain_one(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(U("what colour is the sky", "out_of_scope"))
    assert "utter_offer_person_misunderstood" in names(ana.says(U("bananas", "nlu_fallback")))
    ana.says(job_loss_in_halifax())  # the conversation recovers
    ana.says(U("person"))
    ana.says(U("yes"))
    (row,) = handoffs(engine, "ana")
    assert row.reason == "asked"


def test_handoff_closed_clears_the_handoff_state(engine, ctx, desk):
    service = desk(OPEN, online=1)
    ana = Citizen(ctx, service, "ana")
    ana.says(job_loss_in_halifax())
    ask_and_consent(ana)
    (row,) = handoffs(engine, "ana")
    assert store.claim(engine, row.id, "ns0")
    store.close(engine, row.id, by="ns0", disposition="resolved", avoidable_code="unavoidable")

    outs = ana.says(U("", "handoff_closed"))  # the desk's trigger_intent
    assert names(outs)[0] == "utter_handoff_closed"
    assert "Thank you for talking with our team" in ana.text
    assert ana.state.handoff is None and ana.state.wants_person is False

    # back with the bot: the next message is the ordinary conversation, not the queue
    outs = ana.says(U("more", "more_results"))
    assert not any(re.match(r"utter_(handoff|callback)_", n) for n in names(outs))


def test_without_a_desk_a_person_is_offered_another_way(ctx):
    ana = Citizen(ctx, None, "ana")
    ana.says(job_loss_in_halifax())
    outs = ana.says(U("talk to a person", "ask_person"))
    assert names(outs)[0] == "utter_person_requested"
    assert ana.state.handoff is None
