"""Rasa's SQL tracker store on a pooled engine with Signpost's SQLite settings (WAL, busy timeout, no fsync
per commit) — Rasa's own engine reconnects for every query on SQLite.

Everything else — schema, queries, session handling — is Rasa's ``SQLTrackerStore``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db import replace_engine


class SignpostSQLTrackerStore(SQLTrackerStore):
    engine: Engine  # set by Rasa's constructor, replaced by ours

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engine = replace_engine(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine)
