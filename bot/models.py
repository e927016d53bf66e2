"""Every table, imported once so Alembic and the tests see the full schema: :data:`METADATA`.

The app's tables are on ``bot.db.Base``; the catalogue's are on ``knowledge.models.CatalogueBase`` (``knowledge/``
stands alone and imports nothing of ``bot/``). Both live in the one database.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, UniqueConstraint

import bot.channels.models  # noqa: F401  (channel tables)
import bot.desk.models  # noqa: F401  (desk accounts, sessions, audit)
import bot.handoff.models  # noqa: F401  (handoffs, notes, callbacks)
import bot.survey.models  # noqa: F401  (survey and analytics tables)
from bot.db import Base
from knowledge.clock import utcnow
from knowledge.models import CatalogueBase


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


# The app's tables and the catalogue's: what the migrations must create, table for table.
METADATA: tuple[MetaData, ...] = (Base.metadata, CatalogueBase.metadata)
