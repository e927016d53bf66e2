"""Live desk: learns of citizen messages from Rasa's event broker and fans them out to open desk pages (SSE).

- SQL broker (default): reads ``rasa_broker_events`` after a cursor kept in the database, so a restarted desk
  carries on where it stopped and misses nothing.
- RabbitMQ (``RABBITMQ_URL``): consumes Rasa's queue; a message is acknowledged only after it was handled.
The same loop notices queue changes (new requests from the action server, claims, cancellations), tells waiting
citizens their new place in line, and retries hand-backs that failed while Rasa was unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db import session_factory
from bot.desk.conversations import hand_back, tell_positions
from bot.desk.keys import ENGINE, HUB, LOOP, SETTINGS
from bot.desk.models import BrokerCursor
from bot.handoff import store

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
BATCH = 500


def _load_cursor(engine: Engine, name: str) -> int:
    with session_factory(engine)() as s:
        row = s.get(BrokerCursor, name)
        return int(row.last_id) if row else 0


def _save_cursor(engine: Engine, name: str, last_id: int) -> None:
    with session_factory(engine)() as s, s.begin():
        row = s.get(BrokerCursor, name)
        if row is None:
            s.add(BrokerCursor(name=name, last_id=last_id, updated_at=datetime.now(UTC)))
        else:
            row.last_id, row.updated_at = last_id, datetime.now(UTC)


def _fetch(engine: Engine, after: int) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute(
            text("SELECT id, sender_id, data FROM rasa_broker_events WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": BATCH})]


def handle_event(app: web.Application, sender_id: str, event: dict[str, Any]) -> None:
    """One broker event (sync, in a worker thread): citizen or bot messages of an open handoff go to the desk."""
    kind = event.get("event")
    if kind not in ("user", "bot") or not sender_id:
        return
    at = datetime.fromtimestamp(float(event.get("timestamp") or 0) or datetime.now(UTC).timestamp(), UTC)
    engine = app[ENGINE]
    if kind == "user":
        handoff_id = store.touch_citizen(engine, sender_id, at)
        who = "citizen"
    else:
        row = store.open_handoff(engine, sender_id)
        handoff_id = row.id if row else None
        who = "caseworker" if (event.get("metadata") or {}).get("caseworker") else "bot"
    if handoff_id is None:
        return
    message = {"type": "message", "handoff_id": handoff_id, "who": who, "text": event.get("text") or "",
               "author": (event.get("metadata") or {}).get("caseworker"), "at": at.isoformat()}
    loop = app[LOOP]
    loop.call_soon_threadsafe(app[HUB].publish, message)


async def _sql_feed(app: web.Application) -> None:
    engine = app[ENGINE]
    cursor = await asyncio.to_thread(_load_cursor, engine, "sql")
    while True:
        try:
            rows = await asyncio.to_thread(_fetch, engine, cursor)
        except SQLAlchemyError:  # Rasa has not created its table yet, or the database blinked
            await asyncio.sleep(2)
            continue
        for row_id, sender_id, data in rows:
            try:
                event = json.loads(data)
                await asyncio.to_thread(handle_event, app, sender_id, event)
            except (ValueError, TypeError):
                logger.warning("skipped an unreadable broker event %s", row_id)
            except SQLAlchemyError:
                logger.exception("could not handle broker event %s; will retry", row_id)
                break
            cursor = row_id
        if rows:
            await asyncio.to_thread(_save_cursor, engine, "sql", cursor)
        await asyncio.sleep(POLL_SECONDS if len(rows) < BATCH else 0)


async def _rabbit_feed(app: web.Application, url: str, queue_name: str) -> None:
    import aio_pika

    while True:
        try:
            connection = await aio_pika.connect_robust(url)
            async with connection:
                channel = await connection.channel()
                queue = await channel.declare_queue(queue_name, durable=True)  # as Rasa declares it
                async with queue.iterator() as messages:
                    async for message in messages:
                        try:
                            event = json.loads(message.body)
                            await asyncio.to_thread(handle_event, app, event.get("sender_id") or "", event)
                        except (ValueError, TypeError):
                            logger.warning("skipped an unreadable broker message")
                        await message.ack()  # after handling: a desk crash re-delivers it
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - RabbitMQ down: keep trying, the queue keeps the messages
            logger.warning("RabbitMQ unreachable; retrying in 5 s")
            await asyncio.sleep(5)


async def _watch_queue(app: web.Application) -> None:
    """Queue changes → refresh desk pages, tell waiting citizens their new place, retry hand-backs."""
    engine = app[ENGINE]
    last: tuple[int, str, int, int | None] | None = None
    while True:
        try:
            version = await asyncio.to_thread(store.queue_version, engine)
            if version != last:
                last = version
                app[HUB].publish({"type": "queue"})
                await tell_positions(app)
            for row in await asyncio.to_thread(store.not_handed_back, engine):
                await hand_back(app, row)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a blip must not stop the desk's live view
            logger.exception("queue watch failed; retrying")
        await asyncio.sleep(1)


async def live_context(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: the broker feed and the queue watcher for the app's lifetime."""
    app[LOOP] = asyncio.get_running_loop()
    settings = app[SETTINGS]
    feed = _rabbit_feed(app, settings.rabbitmq_url, settings.broker_queue) if settings.rabbitmq_url else _sql_feed(app)
    tasks = [asyncio.create_task(feed), asyncio.create_task(_watch_queue(app))]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
