"""Every app table, imported once so Alembic and tests see the full metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint

import bot.channels.models  # noqa: F401  (channel tables)
import bot.desk.models  # noqa: F401  (desk accounts, sessions, audit)
import bot.handoff.models  # noqa: F401  (handoffs, notes, callbacks)
import bot.survey.models  # noqa: F401  (survey and analytics tables)
import knowledge.models  # noqa: F401  (catalogue tables)
from bot.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class Conversation(Base):
    """One citizen conversation as the app sees it: which channel and language, when it was active.

    Holds no message text (that is in Rasa's tracker store) and no phone number: ``sender_id`` is what the
    channel gives Rasa, and SMS/Telegram senders are stored hashed by their channels.
    """

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("sender_id", name="uq_conversation_sender"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False, default="rest")
    language = Column(String(8), nullable=False, default="en")
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
