"""Rasa's SQL event broker, on its own table so it can share the one database with the SQL tracker store.

Stock ``SQLEventBroker`` and ``SQLTrackerStore`` both name their table ``events`` with different columns, so
on one database URL the second one to start breaks. Only the table (and the engine: pooled, with SQLite's commit
settings, see ``bot.db.replace_engine``) change here; ``publish`` is Rasa's.
"""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.sql import SQLEventBroker
from sqlalchemy import Column, Integer, String
from sqlalchemy import Text as SqlText
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

from bot.db import replace_engine

BROKER_TABLE = "rasa_broker_events"


class SignpostSQLEventBroker(SQLEventBroker):
    Base: Any = declarative_base()  # SQLAlchemy 1.4 has no types
    engine: Engine  # set by Rasa's constructor, replaced by ours

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine = replace_engine(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine)

    class SQLBrokerEvent(Base):
        __tablename__ = BROKER_TABLE
        id = Column(Integer, primary_key=True)
        sender_id = Column(String(255), index=True)
        data = Column(SqlText)
