"""Handoff tables: one row per request for a person, internal notes, callback requests, and the caseworkers.

A handoff keeps what the caseworker needs to pick the conversation up (profile, services shown, a summary) so the
desk never has to reach into Rasa's tracker store. Only the callback contact is personal: it is stored encrypted
(:class:`bot.channels.identity.NumberVault`) with a masked hint for display.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, text

from bot.db import Base
from knowledge.clock import utcnow

OPEN_STATUSES = ("waiting", "claimed")
_OPEN = text("status IN ('waiting', 'claimed')")


class Handoff(Base):
    """One request for a person. At most one open (waiting or claimed) per conversation: a partial unique index,
    so two simultaneous requests from the same sender cannot both queue."""

    __tablename__ = "handoff"
    __table_args__ = (Index("uq_handoff_open_sender", "sender_id", unique=True, postgresql_where=_OPEN,
                            sqlite_where=_OPEN),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(160), nullable=False, index=True)
    channel = Column(String(32), nullable=False, default="rest")
    language = Column(String(8), nullable=False, default="en")
    location = Column(String(64))
    location_name = Column(String(160))
    team = Column(String(64), nullable=False, index=True)
    life_events = Column(JSON, nullable=False, default=list)
    answers = Column(JSON, nullable=False, default=dict)
    shown_services = Column(JSON, nullable=False, default=list)
    reason = Column(String(32), nullable=False, default="asked")  # asked | misunderstood | crisis
    summary = Column(Text)
    status = Column(String(16), nullable=False, default="waiting", index=True)  # waiting|claimed|closed|cancelled
    requested_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    claimed_at = Column(DateTime(timezone=True))
    claimed_by = Column(String(64))
    assigned_to = Column(String(64))  # a colleague a supervisor or caseworker passed it to (they still claim)
    closed_at = Column(DateTime(timezone=True))
    disposition = Column(String(32))  # resolved | referred | callback_booked | not_resolved
    avoidable = Column(String(8))  # yes | no | unsure
    failure_type = Column(String(48))
    handed_back_at = Column(DateTime(timezone=True))  # the bot resumed and the survey was triggered
    last_position_sent = Column(Integer)
    last_citizen_at = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, index=True)


class HandoffNote(Base):
    """An internal note: caseworkers only, never sent to the citizen."""

    __tablename__ = "handoff_note"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CallbackRequest(Base):
    __tablename__ = "callback_request"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(160), nullable=False, index=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id", ondelete="SET NULL"))
    team = Column(String(64), nullable=False, index=True)
    channel = Column(String(32), nullable=False)  # the chat channel the request came from
    method = Column(String(16), nullable=False)  # phone | sms | email
    contact_encrypted = Column(Text, nullable=False)
    contact_hint = Column(String(64), nullable=False)
    preferred = Column(String(32), nullable=False)  # next_opening | morning | afternoon | evening
    due_at = Column(DateTime(timezone=True), nullable=False, index=True)
    language = Column(String(8), nullable=False, default="en")
    location = Column(String(64))
    location_name = Column(String(160))
    life_events = Column(JSON, nullable=False, default=list)
    summary = Column(Text)
    status = Column(String(16), nullable=False, default="open", index=True)  # open | done | cancelled
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    done_at = Column(DateTime(timezone=True))
    done_by = Column(String(64))
    outcome = Column(String(32))


ROLES = ("caseworker", "supervisor")


class DeskUser(Base):
    """A caseworker's (or supervisor's) account. Here, not in the desk, because routing needs it: the handoff
    store counts who is online in a team and checks whom a conversation is transferred to. The desk's login
    (bot/desk/users.py) owns the passwords and sessions."""

    __tablename__ = "desk_user"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(Text, nullable=False)
    role = Column(String(16), nullable=False, default="caseworker")
    team = Column(String(64), nullable=False, default="general")
    active = Column(Boolean, nullable=False, default=True)
    available = Column(Boolean, nullable=False, default=True)  # "taking chats" toggle
    last_seen_at = Column(DateTime(timezone=True))  # presence: a desk page open and polling
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
