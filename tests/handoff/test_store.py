"""The handoff queue and callbacks in the database (bot/handoff/store.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text, update

from bot.channels.identity import NumberVault
from bot.db import make_engine, session_factory
from bot.desk.users import create_user, touch_presence
from bot.handoff import store
from bot.handoff.models import CallbackRequest, DeskUser, Handoff
from bot.handoff.store import HandoffError
from bot.handoff.teams import DEFAULT_FILE, load_teams
from bot.survey.failure_demand import AVOIDABLE_CONTACT_CODES, UNAVOIDABLE
from knowledge.clock import as_utc

TEAMS = {t.id: t for t in load_teams(DEFAULT_FILE)}
PASSWORD = "correct horse battery"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def vault() -> NumberVault:
    return NumberVault("a test channel key, not a real one")


def ask(engine, sender: str, team: str = "general", **kw) -> store.Ticket:
    return store.request_handoff(engine, sender_id=sender, team=team, **kw)


def row(engine, handoff_id: int) -> Handoff:
    return store.get_handoff(engine, handoff_id)


def count(engine, model, **where) -> int:
    with session_factory(engine)() as s:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(s.scalar(query))


# --- the queue ------------------------------------------------------------------------------------------------
def test_request_keeps_what_the_caseworker_needs(engine):
    ticket = ask(engine, "web-1", team="nova-scotia", channel="telegram", language="fr", location="CA-NS-halifax",
                 location_name="Halifax", life_events=["job_loss"], answers={"applicant_age": 44},
                 shown_services=["ca-ei"], reason="misunderstood", summary="Job loss · Halifax")
    assert (ticket.team, ticket.status, ticket.position) == ("nova-scotia", "waiting", 1)
    saved = row(engine, ticket.handoff_id)
    assert (saved.sender_id, saved.channel, saved.language, saved.location, saved.reason) == (
        "web-1", "telegram", "fr", "CA-NS-halifax", "misunderstood")
    assert saved.life_events == ["job_loss"] and saved.answers == {"applicant_age": 44}
    assert saved.shown_services == ["ca-ei"] and saved.summary == "Job loss · Halifax"


def test_request_is_idempotent_per_sender(engine):
    first = ask(engine, "web-1")
    again = ask(engine, "web-1", team="us-benefits", reason="crisis")  # a retried action or a second "person"
    assert again.handoff_id == first.handoff_id and again.position == 1
    assert count(engine, Handoff, sender_id="web-1") == 1
    assert row(engine, first.handoff_id).team == "general"  # the place in line is kept, not moved
    assert store.claim(engine, first.handoff_id, "alice")
    claimed = ask(engine, "web-1")  # being helped: still the same conversation
    assert claimed.handoff_id == first.handoff_id and claimed.status == "claimed" and claimed.position is None
    assert count(engine, Handoff, sender_id="web-1") == 1


def test_a_new_request_after_cancelling_is_a_new_row(engine):
    first = ask(engine, "web-1")
    assert store.cancel_handoff(engine, "web-1")
    second = ask(engine, "web-1")
    assert second.handoff_id != first.handoff_id and second.position == 1
    assert count(engine, Handoff, sender_id="web-1") == 2


def test_positions_are_per_team_in_order(engine):
    tickets = [ask(engine, f"web-{i}") for i in range(1, 4)]
    other = ask(engine, "us-1", team="us-benefits")
    assert [t.position for t in tickets] == [1, 2, 3]
    assert other.position == 1  # another team's line
    assert all(t.wait_minutes and t.wait_minutes >= 1 for t in tickets)
    assert tickets[0].wait_minutes <= tickets[1].wait_minutes <= tickets[2].wait_minutes

    assert store.claim(engine, tickets[0].handoff_id, "alice")  # the first is taken: everyone moves up
    assert store.position(engine, row(engine, tickets[0].handoff_id)) is None
    assert store.position(engine, row(engine, tickets[1].handoff_id)) == 1
    assert store.cancel_handoff(engine, "web-2")  # the new first gives up
    assert store.position(engine, row(engine, tickets[2].handoff_id)) == 1
    assert [h.sender_id for h in store.open_handoffs(engine)] == ["web-1", "web-3", "us-1"]


def test_cancel_only_while_waiting(engine):
    waiting, helped = ask(engine, "web-1"), ask(engine, "web-2")
    assert store.claim(engine, helped.handoff_id, "alice")

    assert store.cancel_handoff(engine, "web-1") is True
    cancelled = row(engine, waiting.handoff_id)
    assert cancelled.status == "cancelled" and cancelled.closed_at is not None
    assert store.open_handoff(engine, "web-1") is None
    assert store.cancel_handoff(engine, "web-1") is False  # nothing left to cancel

    assert store.cancel_handoff(engine, "web-2") is False  # a person owns it now
    assert row(engine, helped.handoff_id).status == "claimed"
    assert store.cancel_handoff(engine, "nobody") is False


def test_simultaneous_claims_exactly_one_wins(engine):
    contenders = 8
    handoff_id = ask(engine, "web-1").handoff_id
    barrier = threading.Barrier(contenders)
    results: dict[str, bool] = {}
    errors: list[BaseException] = []

    def contend(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            results[name] = store.claim(engine, handoff_id, name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(f"cw{i}",)) for i in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(results) == contenders
    winners = [name for name, won in results.items() if won]
    assert len(winners) == 1
    saved = row(engine, handoff_id)
    assert saved.status == "claimed" and saved.claimed_by == winners[0] and saved.claimed_at is not None
    assert store.claim(engine, handoff_id, "late") is False


def test_simultaneous_requests_from_one_sender_queue_once(engine):
    """A repeated webhook or a double tap arriving together: one open request (the partial unique index)."""
    contenders = 6
    barrier = threading.Barrier(contenders)
    tickets: list[store.Ticket] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait(timeout=30)
            tickets.append(ask(engine, "double-tap"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len({t.handoff_id for t in tickets}) == 1
    assert count(engine, Handoff, sender_id="double-tap") == 1


def test_claiming_a_cancelled_or_unknown_handoff_fails(engine):
    handoff_id = ask(engine, "web-1").handoff_id
    store.cancel_handoff(engine, "web-1")
    assert store.claim(engine, handoff_id, "alice") is False
    assert store.claim(engine, 99999, "alice") is False


def test_unclaim_puts_it_back_in_its_place_in_line(engine):
    """The desk undoes a claim whose pause could not reach Rasa: waiting again, ahead of later requests."""
    first, second = ask(engine, "web-1").handoff_id, ask(engine, "web-2").handoff_id
    assert store.claim(engine, first, "alice")
    assert store.ticket(engine, row(engine, second)).position == 1
    store.unclaim(engine, first)
    saved = row(engine, first)
    assert (saved.status, saved.claimed_by, saved.claimed_at) == ("waiting", None, None)
    assert store.ticket(engine, saved).position == 1 and store.ticket(engine, row(engine, second)).position == 2
    assert store.claim(engine, first, "bob")  # and anyone can take it again


def test_transfer_to_a_colleague_puts_it_back_in_line_for_them(engine):
    create_user(engine, "bob", PASSWORD, team="nova-scotia")
    handoff_id = ask(engine, "web-1").handoff_id
    assert store.claim(engine, handoff_id, "alice")

    with pytest.raises(HandoffError, match="alice"):
        store.transfer(engine, handoff_id, by="carol", to_user="bob")  # not carol's to pass on
    moved = store.transfer(engine, handoff_id, by="alice", to_user="bob")
    assert (moved.status, moved.assigned_to, moved.team, moved.claimed_by) == ("waiting", "bob", "nova-scotia", None)
    saved = row(engine, handoff_id)
    assert (saved.status, saved.assigned_to, saved.team, saved.claimed_by, saved.claimed_at) == (
        "waiting", "bob", "nova-scotia", None, None)
    assert store.position(engine, saved) == 1
    assert store.claim(engine, handoff_id, "bob")


def test_a_supervisor_can_reassign_a_conversation_a_colleague_left_claimed(engine):
    create_user(engine, "bob", PASSWORD, team="general")
    handoff_id = ask(engine, "web-1").handoff_id
    assert store.claim(engine, handoff_id, "alice")  # alice went home with it open
    moved = store.transfer(engine, handoff_id, by="pat", to_user="bob", supervisor=True)
    assert (moved.status, moved.assigned_to, moved.claimed_by) == ("waiting", "bob", None)


def test_transfer_to_a_team(engine):
    handoff_id = ask(engine, "web-1").handoff_id  # a waiting one can be passed on too
    moved = store.transfer(engine, handoff_id, by="alice", to_team="us-benefits", teams=TEAMS.values())
    assert (moved.status, moved.team, moved.assigned_to) == ("waiting", "us-benefits", None)
    assert row(engine, handoff_id).team == "us-benefits"


def test_transfer_validates_names(engine):
    create_user(engine, "gone", PASSWORD)
    with session_factory(engine)() as s, s.begin():
        s.execute(update(DeskUser).where(DeskUser.username == "gone").values(active=False))
    handoff_id = ask(engine, "web-1").handoff_id
    store.claim(engine, handoff_id, "alice")
    with pytest.raises(HandoffError, match="nobody"):
        store.transfer(engine, handoff_id, by="alice", to_user="nobody")
    with pytest.raises(HandoffError, match="gone"):
        store.transfer(engine, handoff_id, by="alice", to_user="gone")  # deactivated account
    with pytest.raises(HandoffError, match="mars"):
        store.transfer(engine, handoff_id, by="alice", to_team="mars", teams=TEAMS.values())
    with pytest.raises(HandoffError):
        store.transfer(engine, handoff_id, by="alice")  # neither
    saved = row(engine, handoff_id)
    assert (saved.status, saved.claimed_by, saved.team) == ("claimed", "alice", "general")  # nothing changed
    store.close(engine, handoff_id, by="alice", disposition="resolved", avoidable_code=UNAVOIDABLE)
    with pytest.raises(HandoffError, match="no longer open"):
        store.transfer(engine, handoff_id, by="alice", to_team="general", teams=TEAMS.values())
    with pytest.raises(HandoffError):
        store.transfer(engine, 99999, by="alice", to_team="general", teams=TEAMS.values())


def test_close_records_the_outcome_and_the_avoidable_code(engine):
    first, second = ask(engine, "web-1").handoff_id, ask(engine, "web-2").handoff_id
    store.claim(engine, first, "alice")
    store.claim(engine, second, "alice")

    closed = store.close(engine, first, by="alice", disposition="resolved", avoidable_code=UNAVOIDABLE)
    assert (closed.status, closed.disposition, closed.avoidable, closed.failure_type) == (
        "closed", "resolved", "no", None)
    closed = store.close(engine, second, by="alice", disposition="referred", avoidable_code="bot_caused")
    assert (closed.avoidable, closed.failure_type) == ("yes", "bot_caused")
    saved = row(engine, second)
    assert (saved.status, saved.disposition, saved.avoidable, saved.failure_type) == (
        "closed", "referred", "yes", "bot_caused")
    assert saved.closed_at is not None
    assert store.open_handoff(engine, "web-2") is None
    assert [h.id for h in store.not_handed_back(engine)] == [first, second]  # the bot must take both back


@pytest.mark.parametrize("code", AVOIDABLE_CONTACT_CODES)
def test_every_avoidable_code_is_accepted(engine, code):
    handoff_id = ask(engine, "web-1").handoff_id
    store.claim(engine, handoff_id, "alice")
    closed = store.close(engine, handoff_id, by="alice", disposition="not_resolved", avoidable_code=code)
    assert closed.avoidable == ("no" if code == UNAVOIDABLE else "yes")


@pytest.mark.parametrize("disposition,code,message", [
    ("fixed", UNAVOIDABLE, "outcome"),
    ("", UNAVOIDABLE, "outcome"),
    ("resolved", "", "avoidable"),
    ("resolved", "yes", "avoidable"),
    ("resolved", "repeat_contact", "avoidable"),  # a behavioural type, not a caseworker's code
])
def test_close_validates_disposition_and_code(engine, disposition, code, message):
    handoff_id = ask(engine, "web-1").handoff_id
    store.claim(engine, handoff_id, "alice")
    with pytest.raises(HandoffError, match=message):
        store.close(engine, handoff_id, by="alice", disposition=disposition, avoidable_code=code)
    assert row(engine, handoff_id).status == "claimed"


def test_only_the_claimer_can_close(engine):
    handoff_id = ask(engine, "web-1").handoff_id
    with pytest.raises(HandoffError):  # nobody is handling it yet
        store.close(engine, handoff_id, by="alice", disposition="resolved", avoidable_code=UNAVOIDABLE)
    store.claim(engine, handoff_id, "alice")
    with pytest.raises(HandoffError, match="alice is handling"):
        store.close(engine, handoff_id, by="bob", disposition="resolved", avoidable_code=UNAVOIDABLE)
    assert row(engine, handoff_id).status == "claimed"
    store.close(engine, handoff_id, by="alice", disposition="resolved", avoidable_code=UNAVOIDABLE)
    with pytest.raises(HandoffError):  # closed once only
        store.close(engine, handoff_id, by="alice", disposition="resolved", avoidable_code=UNAVOIDABLE)


# --- presence -------------------------------------------------------------------------------------------------
def test_online_counts_available_caseworkers_seen_in_the_last_90_seconds(engine):
    seen = {}
    for name, team in (("ann", "general"), ("ben", "general"), ("cat", "general"), ("dan", "nova-scotia"),
                       ("eve", "general")):
        seen[name] = create_user(engine, name, PASSWORD, team=team)
    assert store.online_caseworkers(engine) == 0  # accounts alone are not presence
    touch_presence(engine, seen["ann"].id)
    touch_presence(engine, seen["ben"].id, available=False)  # desk open, not taking chats
    touch_presence(engine, seen["dan"].id)
    touch_presence(engine, seen["eve"].id)
    with session_factory(engine)() as s, s.begin():
        s.execute(update(DeskUser).where(DeskUser.username == "eve").values(active=False))
    # cat never opened the desk
    now = datetime.now(UTC)
    assert store.online_caseworkers(engine, "general", now) == 1  # ann
    assert store.online_caseworkers(engine, "nova-scotia", now) == 1  # dan
    assert store.online_caseworkers(engine, None, now) == 2
    assert store.online_caseworkers(engine, "us-benefits", now) == 0
    assert store.online_caseworkers(engine, "general", now + timedelta(seconds=80)) == 1
    assert store.online_caseworkers(engine, "general", now + timedelta(seconds=100)) == 0  # gone quiet
    touch_presence(engine, seen["ben"].id, available=True)
    assert store.online_caseworkers(engine, "general") == 2


def test_more_caseworkers_online_shorten_the_wait(engine):
    tickets = [ask(engine, f"web-{i}") for i in range(3)]
    before = store.ticket(engine, row(engine, tickets[2].handoff_id)).wait_minutes
    for name in ("ann", "ben", "cat"):
        touch_presence(engine, create_user(engine, name, PASSWORD).id)
    after = store.ticket(engine, row(engine, tickets[2].handoff_id)).wait_minutes
    assert after < before


# --- callbacks ------------------------------------------------------------------------------------------------
HALIFAX = ZoneInfo("America/Halifax")


@pytest.mark.parametrize("now,preferred,due", [
    # Wednesday 2 Dec 2026, 11:00 in Halifax (UTC-4): the morning is now
    (utc(2026, 12, 2, 15, 0), "morning", utc(2026, 12, 2, 15, 0)),
    (utc(2026, 12, 2, 15, 0), "afternoon", utc(2026, 12, 2, 16, 0)),  # 12:00 today
    (utc(2026, 12, 2, 15, 0), "next_opening", utc(2026, 12, 2, 15, 0)),
    # 07:00 in Halifax: the team opens at 08:30 but the morning window starts at 09:00
    (utc(2026, 12, 2, 11, 0), "morning", utc(2026, 12, 2, 13, 0)),
    (utc(2026, 12, 2, 11, 0), "next_opening", utc(2026, 12, 2, 12, 30)),
    # 13:00 in Halifax: this morning is over → tomorrow at 09:00
    (utc(2026, 12, 2, 17, 0), "morning", utc(2026, 12, 3, 13, 0)),
    # Friday 17:00 in Halifax: Monday
    (utc(2026, 12, 4, 21, 0), "morning", utc(2026, 12, 7, 13, 0)),
    (utc(2026, 12, 4, 21, 0), "afternoon", utc(2026, 12, 7, 16, 0)),
    (utc(2026, 12, 4, 21, 0), "next_opening", utc(2026, 12, 7, 12, 30)),
    # Christmas Eve afternoon: Fri 25 and Mon 28 are holidays → Tuesday 29 at 09:00
    (utc(2026, 12, 24, 17, 0), "morning", utc(2026, 12, 29, 13, 0)),
])
def test_callback_due_in_nova_scotia(now, preferred, due):
    assert store.callback_due(TEAMS["nova-scotia"], preferred, now) == due


def test_evening_callbacks_follow_team_hours():
    general = TEAMS["general"]  # 08:00-20:00 in Toronto on weekdays, 10:00-16:00 on Saturday
    toronto = ZoneInfo("America/Toronto")
    wednesday_noon = datetime(2026, 12, 2, 12, 0, tzinfo=toronto)
    assert store.callback_due(general, "evening", wednesday_noon) == datetime(2026, 12, 2, 17, 0, tzinfo=toronto)
    saturday = datetime(2026, 12, 5, 11, 0, tzinfo=toronto)  # Saturday hours end at 16:00: Monday evening
    assert store.callback_due(general, "evening", saturday) == datetime(2026, 12, 7, 17, 0, tzinfo=toronto)
    # Nova Scotia closes at 16:30: no evening at all, so the next opening is the best it can do
    ns = TEAMS["nova-scotia"]
    friday_night = utc(2026, 12, 4, 23, 0)
    assert store.callback_due(ns, "evening", friday_night) == ns.next_opening(friday_night)


@pytest.mark.parametrize("preferred", ["morning", "afternoon", "evening", "next_opening"])
@pytest.mark.parametrize("team_id", sorted(TEAMS))
def test_a_callback_is_always_due_while_the_team_is_open(team_id, preferred):
    team = TEAMS[team_id]
    start = utc(2026, 12, 1, 0, 0)
    for hours in range(0, 24 * 9, 5):  # every five hours over nine days, holidays included
        now = start + timedelta(hours=hours)
        due = store.callback_due(team, preferred, now)
        assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
        assert due >= now and team.is_open(due), (team_id, preferred, now, due)


def create(engine, vault, sender="web-1", method="sms", contact="+19025550123", preferred="morning",
           team="nova-scotia", now=utc(2026, 12, 2, 22, 0), **kw) -> CallbackRequest:
    return store.create_callback(engine, sender_id=sender, team=TEAMS[team], channel="rest", method=method,
                                 contact=contact, preferred=preferred, sealed_contact=vault.seal(contact), now=now,
                                 **kw)


def raw_rows(engine) -> list[str]:
    with engine.connect() as conn:
        return [" ".join("" if v is None else str(v) for v in r)
                for r in conn.execute(text("SELECT * FROM callback_request"))]


def test_a_callback_stores_the_contact_only_encrypted(engine, vault):
    phone = create(engine, vault, sender="web-1", method="sms", contact="+19025550123",
                   location="CA-NS-halifax", life_events=["job_loss"], summary="Job loss · Halifax")
    email = create(engine, vault, sender="web-2", method="email", contact="sam.jones@example.org",
                   preferred="afternoon")
    assert phone.due_at == utc(2026, 12, 3, 13, 0)  # Thursday 09:00 in Halifax
    assert email.due_at == utc(2026, 12, 3, 16, 0)  # Thursday 12:00
    rows = raw_rows(engine)
    assert len(rows) == 2
    table = "\n".join(rows)
    for secret in ("+19025550123", "19025550123", "9025550123", "902-555", "5550123", "sam.jones@example.org",
                   "sam.jones"):
        assert secret not in table
    assert "0123" in table and "example.org" in table  # the hints: enough to recognise, not to use
    with session_factory(engine)() as s:
        saved = {r.sender_id: r for r in s.scalars(select(CallbackRequest))}
    assert vault.open(saved["web-1"].contact_encrypted) == "+19025550123"  # the desk can still read it
    assert vault.open(saved["web-2"].contact_encrypted) == "sam.jones@example.org"
    assert saved["web-1"].contact_hint.endswith("0123") and "902" not in saved["web-1"].contact_hint
    assert (saved["web-1"].team, saved["web-1"].status, saved["web-1"].life_events) == (
        "nova-scotia", "open", ["job_loss"])


def test_get_callback(engine, vault):
    made = create(engine, vault, sender="web-1", method="email", contact="sam@example.org")
    found = store.get_callback(engine, made.id)
    assert (found.id, found.sender_id, found.method, found.team) == (made.id, "web-1", "email", "nova-scotia")
    assert vault.open(found.contact_encrypted) == "sam@example.org"
    assert store.get_callback(engine, made.id + 1000) is None


def test_a_second_request_updates_the_open_callback(engine, vault):
    first = create(engine, vault, method="sms", contact="+19025550123", preferred="morning")
    second = create(engine, vault, method="email", contact="sam@example.org", preferred="afternoon")
    assert second.id == first.id
    assert count(engine, CallbackRequest, sender_id="web-1") == 1
    (saved,) = store.callbacks(engine)
    assert (saved.method, saved.preferred) == ("email", "afternoon")
    assert as_utc(saved.due_at) == utc(2026, 12, 3, 16, 0)  # SQLite gives naive UTC back
    assert vault.open(saved.contact_encrypted) == "sam@example.org"
    assert "0123" not in saved.contact_hint

    store.complete_callback(engine, first.id, by="alice", outcome="reached")
    with pytest.raises(HandoffError):
        store.complete_callback(engine, first.id, by="alice")  # done once only
    third = create(engine, vault)  # a later request is a new callback
    assert third.id != first.id
    assert count(engine, CallbackRequest, sender_id="web-1") == 2
    assert [c.id for c in store.callbacks(engine)] == [third.id]
    assert [c.id for c in store.callbacks(engine, "done")] == [first.id]


def test_a_second_request_from_another_place_moves_the_callback_to_that_team(engine, vault):
    create(engine, vault, team="nova-scotia", location="CA-NS-halifax")
    moved = create(engine, vault, team="us-benefits", location="US-OH", preferred="afternoon")
    (saved,) = store.callbacks(engine)
    assert saved.id == moved.id
    assert (saved.team, saved.location) == ("us-benefits", "US-OH")
    assert TEAMS["us-benefits"].is_open(store.as_utc(saved.due_at))


@pytest.mark.parametrize("method,preferred", [("fax", "morning"), ("sms", "midnight"), ("", "")])
def test_a_callback_needs_a_known_method_and_time(engine, vault, method, preferred):
    with pytest.raises(HandoffError):
        create(engine, vault, method=method, preferred=preferred)
    assert count(engine, CallbackRequest) == 0


# --- contact validation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,normal", [
    ("902 555 0123", "+19025550123"),
    ("(902) 555-0123", "+19025550123"),
    ("902.555.0123", "+19025550123"),
    ("1-902-555-0123", "+19025550123"),
    ("+1 902 555 0123", "+19025550123"),
    ("  +1 (614) 555-0199 ", "+16145550199"),
    ("+44 7700 900123", "+447700900123"),
    ("07700 900123", "+447700900123"),  # a UK mobile as people write it
    ("0044 7700 900123", "+447700900123"),
])
def test_normalise_phone_accepts(typed, normal):
    assert store.normalise_phone(typed) == normal


@pytest.mark.parametrize("typed", [
    "", "   ", "hello", "call me", "555-0123", "12345", "0123456789", "1234567890", "+1 234",
    "+1234567890123456", "902-555-012a", "sam@example.org", "my number is 902 555 0123",
])
def test_normalise_phone_rejects(typed):
    assert store.normalise_phone(typed) is None


@pytest.mark.parametrize("typed,normal", [
    ("sam@example.org", "sam@example.org"),
    ("  Sam.Jones@Example.ORG ", "sam.jones@example.org"),
    ("<a+tag@mail.example.co.uk>", "a+tag@mail.example.co.uk"),
    ("o'brien@example.ie", "o'brien@example.ie"),
])
def test_normalise_email_accepts(typed, normal):
    assert store.normalise_email(typed) == normal


@pytest.mark.parametrize("typed", [
    "", "sam", "sam@", "@example.org", "sam@localhost", "sam@@example.org", "sam jones@example.org",
    "sam@example", "sam@example..org", "sam@.org", "902 555 0123", "a" * 250 + "@example.org",
])
def test_normalise_email_rejects(typed):
    assert store.normalise_email(typed) is None
