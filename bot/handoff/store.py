"""The handoff queue and callback requests in the database (SQLAlchemy; sync — callers use worker threads).

Claims are a single conditional UPDATE (``WHERE status = 'waiting'``), so when two caseworkers claim the same
conversation exactly one wins, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import session_factory
from bot.handoff.models import OPEN_STATUSES, CallbackRequest, DeskUser, Handoff, HandoffNote
from bot.handoff.teams import Team, estimate_wait
from bot.survey.failure_demand import AVOIDABLE_CONTACT_CODES, UNAVOIDABLE
from knowledge.clock import as_utc
from knowledge.clock import utcnow as now_utc

PRESENCE_SECONDS = 90  # a desk page polls every 20 s; a caseworker is online while it does
DISPOSITIONS = ("resolved", "referred", "callback_booked", "not_resolved")
CALLBACK_METHODS = ("phone", "sms", "email")
CALLBACK_PREFERENCES = ("next_opening", "morning", "afternoon", "evening")
CALLBACK_WINDOWS = {"morning": (9, 12), "afternoon": (12, 17), "evening": (17, 20)}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


class HandoffError(ValueError):
    """A desk action that cannot be done (already claimed, closed, bad code…); the message is for the caseworker."""


@dataclass(frozen=True)
class Ticket:
    handoff_id: int
    team: str
    status: str
    position: int | None  # 1 = next; None once claimed/closed
    wait_minutes: int | None


# --- contact validation ---------------------------------------------------------------------------------------
def normalise_phone(text: str) -> str | None:
    """A phone number in E.164-ish form (+ and 10–15 digits), or None. North American 10-digit numbers get +1."""
    raw = (text or "").strip()
    if re.search(r"[A-Za-z]", raw.replace("ext", "")):
        return None
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return f"+{digits}" if 10 <= len(digits) <= 15 else None
    if raw.startswith("00") and 10 <= len(digits) - 2 <= 15:
        return f"+{digits[2:]}"
    if len(digits) == 10 and digits[0] not in "01":
        return f"+1{digits}"
    if len(digits) == 11 and digits[0] == "1":
        return f"+{digits}"
    if len(digits) == 11 and digits.startswith("07"):  # UK mobile
        return f"+44{digits[1:]}"
    return None


def normalise_email(text: str) -> str | None:
    value = (text or "").strip().strip("<>").lower()
    return value if len(value) <= 254 and _EMAIL.match(value) else None


def contact_hint(method: str, contact: str) -> str:
    """What the desk shows before a caseworker opens the callback: enough to recognise, not to use."""
    if method == "email":
        name, _, domain = contact.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••• {contact[-4:]}"


# --- the queue ------------------------------------------------------------------------------------------------
def open_handoff(engine: Engine, sender_id: str) -> Handoff | None:
    with session_factory(engine)() as s:
        row: Handoff | None = s.scalars(select(Handoff).where(
            Handoff.sender_id == sender_id, Handoff.status.in_(OPEN_STATUSES)).order_by(Handoff.id.desc())).first()
        return row


def get_handoff(engine: Engine, handoff_id: int) -> Handoff | None:
    with session_factory(engine)() as s:
        row: Handoff | None = s.get(Handoff, handoff_id)
        return row


def online_caseworkers(engine: Engine, team: str | None = None, now: datetime | None = None) -> int:
    since = (now or now_utc()) - timedelta(seconds=PRESENCE_SECONDS)
    query = select(func.count()).select_from(DeskUser).where(
        DeskUser.active.is_(True), DeskUser.available.is_(True), DeskUser.last_seen_at >= since)
    if team:
        query = query.where(DeskUser.team == team)
    with session_factory(engine)() as s:
        return int(s.scalar(query) or 0)


def recent_waits(engine: Engine, team: str, limit: int = 20) -> list[float]:
    """Minutes from request to claim of the team's last claims (the wait estimate's basis)."""
    with session_factory(engine)() as s:
        rows = s.execute(select(Handoff.requested_at, Handoff.claimed_at).where(
            Handoff.team == team, Handoff.claimed_at.is_not(None)).order_by(Handoff.claimed_at.desc())
            .limit(limit)).all()
    return [max(0.0, (as_utc(c) - as_utc(r)).total_seconds() / 60) for r, c in rows]


def position(engine: Engine, handoff: Handoff) -> int | None:
    if handoff.status != "waiting":
        return None
    with session_factory(engine)() as s:
        ahead = s.scalar(select(func.count()).select_from(Handoff).where(
            Handoff.team == handoff.team, Handoff.status == "waiting", Handoff.id < handoff.id))
    return int(ahead or 0) + 1


def ticket(engine: Engine, handoff: Handoff) -> Ticket:
    place = position(engine, handoff)
    wait = None
    if place is not None:
        wait = estimate_wait(place, recent_waits(engine, handoff.team), online_caseworkers(engine, handoff.team))
    return Ticket(handoff.id, handoff.team, handoff.status, place, wait)


def request_handoff(engine: Engine, *, sender_id: str, team: str, channel: str = "rest", language: str = "en",
                    location: str | None = None, location_name: str | None = None,
                    life_events: Iterable[str] = (), answers: dict[str, Any] | None = None,
                    shown_services: Iterable[str] = (), reason: str = "asked", summary: str | None = None) -> Ticket:
    """Queue the conversation (idempotent: a sender already waiting or being helped keeps their place)."""
    existing = open_handoff(engine, sender_id)
    if existing is not None:
        return ticket(engine, existing)
    try:
        with session_factory(engine)() as s, s.begin():
            row = Handoff(sender_id=sender_id, team=team, channel=channel or "rest", language=language or "en",
                          location=location, location_name=location_name, life_events=list(life_events),
                          answers=dict(answers or {}), shown_services=list(shown_services), reason=reason,
                          summary=summary, status="waiting", requested_at=now_utc(), updated_at=now_utc())
            s.add(row)
    except IntegrityError:  # the same request arrived twice at once: the other one queued it
        queued = open_handoff(engine, sender_id)
        if queued is None:
            raise
        return ticket(engine, queued)
    told = ticket(engine, row)
    set_position_sent(engine, row.id, told.position)  # what the bot tells the citizen: later updates compare to it
    return told


def cancel_handoff(engine: Engine, sender_id: str) -> bool:
    """The citizen stopped waiting. Only a waiting request can be cancelled (once claimed, a person owns it)."""
    with session_factory(engine)() as s, s.begin():
        done = s.execute(update(Handoff).where(Handoff.sender_id == sender_id, Handoff.status == "waiting")
                         .values(status="cancelled", closed_at=now_utc(), updated_at=now_utc()))
    return bool(done.rowcount > 0)


def claim(engine: Engine, handoff_id: int, username: str) -> bool:
    """Take the conversation. Exactly one of several simultaneous claims succeeds."""
    with session_factory(engine)() as s, s.begin():
        done = s.execute(update(Handoff).where(Handoff.id == handoff_id, Handoff.status == "waiting")
                         .values(status="claimed", claimed_by=username, claimed_at=now_utc(),
                                 updated_at=now_utc()))
    return bool(done.rowcount == 1)


def unclaim(engine: Engine, handoff_id: int) -> None:
    """Put a claimed conversation back in the queue, in its old place (a claim whose pause could not reach Rasa
    is undone this way, so the citizen is not left with nobody)."""
    with session_factory(engine)() as s, s.begin():
        s.execute(update(Handoff).where(Handoff.id == handoff_id).values(
            status="waiting", claimed_by=None, claimed_at=None, updated_at=now_utc()))


def transfer(engine: Engine, handoff_id: int, *, by: str, to_user: str | None = None, to_team: str | None = None,
             teams: Iterable[Team] = (), supervisor: bool = False) -> Handoff:
    """Pass a conversation to a colleague or another team; it waits (keeping its place by request order) for them
    to claim it."""
    if not to_user and not to_team:
        raise HandoffError("Choose a colleague or a team.")
    with session_factory(engine)() as s, s.begin():
        row = s.get(Handoff, handoff_id)
        if row is None or row.status not in OPEN_STATUSES:
            raise HandoffError("This conversation is no longer open.")
        if row.status == "claimed" and row.claimed_by != by and not supervisor:  # supervisors can reassign
            raise HandoffError(f"{row.claimed_by} is handling this conversation.")
        if to_user:
            user = s.scalars(select(DeskUser).where(DeskUser.username == to_user, DeskUser.active.is_(True))).first()
            if user is None:
                raise HandoffError(f"No active caseworker called {to_user}.")
            row.assigned_to, row.team = user.username, user.team
        else:
            if to_team not in {t.id for t in teams}:
                raise HandoffError(f"No team called {to_team}.")
            row.assigned_to, row.team = None, to_team
        row.status, row.claimed_by, row.claimed_at, row.updated_at = "waiting", None, None, now_utc()
        moved: Handoff = row
        return moved


def close(engine: Engine, handoff_id: int, *, by: str, disposition: str, avoidable_code: str) -> Handoff:
    """Close with the outcome and the avoidable-contact code (``unavoidable`` or the failure-demand type)."""
    if disposition not in DISPOSITIONS:
        raise HandoffError(f"Choose an outcome: {', '.join(DISPOSITIONS)}.")
    if avoidable_code not in AVOIDABLE_CONTACT_CODES:
        raise HandoffError("Say whether the contact was avoidable, and why.")
    with session_factory(engine)() as s, s.begin():
        row = s.get(Handoff, handoff_id)
        if row is None or row.status != "claimed":
            raise HandoffError("Only a conversation you are handling can be closed.")
        if row.claimed_by != by:
            raise HandoffError(f"{row.claimed_by} is handling this conversation.")
        row.status, row.closed_at, row.updated_at = "closed", now_utc(), now_utc()
        row.disposition = disposition
        row.avoidable = "no" if avoidable_code == UNAVOIDABLE else "yes"
        row.failure_type = None if avoidable_code == UNAVOIDABLE else avoidable_code
        closed: Handoff = row
        return closed


def mark_handed_back(engine: Engine, handoff_id: int) -> None:
    with session_factory(engine)() as s, s.begin():
        s.execute(update(Handoff).where(Handoff.id == handoff_id).values(handed_back_at=now_utc()))


def not_handed_back(engine: Engine) -> list[Handoff]:
    """Closed handoffs whose hand-back to the bot has not gone through yet (e.g. Rasa was down): retried."""
    with session_factory(engine)() as s:
        return list(s.scalars(select(Handoff).where(Handoff.status == "closed", Handoff.handed_back_at.is_(None))))


def open_handoffs(engine: Engine) -> list[Handoff]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(Handoff).where(Handoff.status.in_(OPEN_STATUSES))
                              .order_by(Handoff.requested_at, Handoff.id)))


def touch_citizen(engine: Engine, sender_id: str, at: datetime) -> int | None:
    """A citizen wrote during an open handoff (learned from the event broker); returns the handoff id."""
    with session_factory(engine)() as s, s.begin():
        row = s.scalars(select(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.in_(OPEN_STATUSES))
                        .order_by(Handoff.id.desc())).first()
        if row is None:
            return None
        row.last_citizen_at = at
        row.updated_at = now_utc()
        handoff_id: int = row.id
        return handoff_id


def set_position_sent(engine: Engine, handoff_id: int, place: int | None) -> None:
    with session_factory(engine)() as s, s.begin():
        s.execute(update(Handoff).where(Handoff.id == handoff_id).values(last_position_sent=place))


def add_note(engine: Engine, handoff_id: int, author: str, text: str) -> HandoffNote:
    text = (text or "").strip()
    if not text:
        raise HandoffError("The note is empty.")
    with session_factory(engine)() as s, s.begin():
        note = HandoffNote(handoff_id=handoff_id, author=author, text=text[:4000], created_at=now_utc())
        s.add(note)
        return note


def notes(engine: Engine, handoff_id: int) -> list[HandoffNote]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(HandoffNote).where(HandoffNote.handoff_id == handoff_id)
                              .order_by(HandoffNote.id)))


def queue_version(engine: Engine) -> tuple[int, str, int, int | None]:
    """Changes whenever the queue or callback list changes: the desk's cue to refresh live views."""
    with session_factory(engine)() as s:
        h = s.execute(select(func.count(), func.max(Handoff.updated_at))).one()
        c = s.execute(select(func.count(), func.max(CallbackRequest.id)).where(
            CallbackRequest.status == "open")).one()
    return (int(h[0]), str(h[1]), int(c[0]), c[1])


# --- callbacks ------------------------------------------------------------------------------------------------
def callback_due(team: Team, preferred: str, now: datetime) -> datetime:
    """When to call back: the next opening, or the first open moment in the preferred part of the day."""
    if preferred in CALLBACK_WINDOWS:
        start_hour, end_hour = CALLBACK_WINDOWS[preferred]
        for opens, closes in team.openings(now):
            lo = max(opens, opens.replace(hour=start_hour, minute=0), now.astimezone(team.zone))
            hi = min(closes, closes.replace(hour=end_hour, minute=0) if end_hour < 24 else closes)
            if lo < hi:
                return as_utc(lo)
    opening = team.next_opening(now)
    return as_utc(opening) if opening else now + timedelta(days=1)


def create_callback(engine: Engine, *, sender_id: str, team: Team, channel: str, method: str, contact: str,
                    preferred: str, sealed_contact: str, language: str = "en", location: str | None = None,
                    location_name: str | None = None, life_events: Iterable[str] = (), summary: str | None = None,
                    handoff_id: int | None = None, now: datetime | None = None) -> CallbackRequest:
    if method not in CALLBACK_METHODS or preferred not in CALLBACK_PREFERENCES:
        raise HandoffError("Unknown callback method or time.")
    now = now or now_utc()
    with session_factory(engine)() as s, s.begin():
        existing: CallbackRequest | None = s.scalars(select(CallbackRequest).where(
            CallbackRequest.sender_id == sender_id, CallbackRequest.status == "open")).first()
        if existing is not None:  # a repeated webhook or a second request: one open callback per conversation
            existing.method, existing.contact_encrypted = method, sealed_contact
            existing.contact_hint, existing.preferred = contact_hint(method, contact), preferred
            existing.due_at = callback_due(team, preferred, now)
            # the due time follows this team's hours, so the request goes to this team (the citizen may have moved)
            existing.team, existing.language = team.id, language or existing.language
            existing.location, existing.location_name = location, location_name
            existing.life_events, existing.summary = list(life_events), summary
            if handoff_id is not None:
                existing.handoff_id = handoff_id
            return existing
        row = CallbackRequest(sender_id=sender_id, handoff_id=handoff_id, team=team.id, channel=channel or "rest",
                              method=method, contact_encrypted=sealed_contact,
                              contact_hint=contact_hint(method, contact), preferred=preferred,
                              due_at=callback_due(team, preferred, now), language=language or "en",
                              location=location, location_name=location_name, life_events=list(life_events),
                              summary=summary, status="open", created_at=now)
        s.add(row)
        return row


def get_callback(engine: Engine, callback_id: int) -> CallbackRequest | None:
    with session_factory(engine)() as s:
        row: CallbackRequest | None = s.get(CallbackRequest, callback_id)
        return row


def callbacks(engine: Engine, status: str = "open") -> list[CallbackRequest]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(CallbackRequest).where(CallbackRequest.status == status)
                              .order_by(CallbackRequest.due_at, CallbackRequest.id)))


def complete_callback(engine: Engine, callback_id: int, *, by: str, outcome: str = "done") -> CallbackRequest:
    with session_factory(engine)() as s, s.begin():
        row: CallbackRequest | None = s.get(CallbackRequest, callback_id)
        if row is None or row.status != "open":
            raise HandoffError("This callback is no longer open.")
        row.status, row.done_at, row.done_by, row.outcome = "done", now_utc(), by, outcome
        return row
