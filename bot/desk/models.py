"""Desk tables: login sessions, the audit log and the event-broker cursor (caseworker accounts are
:class:`bot.handoff.models.DeskUser`: routing needs them).

Sessions live in the database (only a hash of the cookie value) so a desk restart logs nobody out; the broker
cursor lets a restarted desk carry on from the last event it handled.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String

from bot.db import Base
from bot.handoff.models import DeskUser
from knowledge.clock import utcnow


class DeskSession(Base):
    __tablename__ = "desk_session"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey(DeskUser.id, ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class AuditEntry(Base):
    """Who viewed or acted on which conversation, when. No message text: what was done, not what was said."""

    __tablename__ = "desk_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    username = Column(String(64))
    action = Column(String(32), nullable=False)
    handoff_id = Column(Integer, index=True)
    callback_id = Column(Integer)
    detail = Column(JSON, nullable=False, default=dict)
    remote = Column(String(64))


class BrokerCursor(Base):
    """The last event-broker row the desk handled (SQL broker); one row per consumer name."""

    __tablename__ = "desk_broker_cursor"

    name = Column(String(32), primary_key=True)
    last_id = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

