"""Conversation bookkeeping: which channel and language a conversation uses, and when it was last active."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import session_factory
from bot.models import Conversation, utcnow


def record_conversation(engine: Engine, sender_id: str, channel: str, language: str = "en") -> Conversation:
    """Create the conversation row on first sight, otherwise refresh its channel and last-seen time."""
    Session = session_factory(engine)
    for _attempt in range(2):  # a concurrent first insert loses the race once, then updates
        with Session() as session:
            row = session.execute(select(Conversation).where(Conversation.sender_id == sender_id)).scalar_one_or_none()
            if row is None:
                row = Conversation(sender_id=sender_id, channel=channel, language=language)
                session.add(row)
            else:
                row.channel, row.language, row.last_seen_at = channel, language, utcnow()
            try:
                session.commit()
                return row
            except IntegrityError:
                session.rollback()
    raise RuntimeError(f"could not record conversation {sender_id!r}")
