"""The audit log: who viewed or acted on which conversation, when (never what was said)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_factory
from bot.desk.models import AuditEntry


def record(engine: Engine, action: str, *, username: str | None, handoff_id: int | None = None,
           callback_id: int | None = None, remote: str | None = None, **detail: Any) -> None:
    with session_factory(engine)() as s, s.begin():
        s.add(AuditEntry(at=datetime.now(UTC), username=username, action=action, handoff_id=handoff_id,
                         callback_id=callback_id, detail=detail, remote=(remote or "")[:64]))


def entries(engine: Engine, handoff_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if handoff_id is not None:
        query = query.where(AuditEntry.handoff_id == handoff_id)
    with session_factory(engine)() as s:
        return list(s.scalars(query))
