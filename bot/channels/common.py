"""Pieces the SMS and Telegram channels share: settings from credentials, background work, tiny helpers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from typing import Any

from bot.channels.identity import channel_key
from bot.channels.store import ChannelStore
from bot.settings import load_settings

logger = logging.getLogger(__name__)


def database_url(credentials: Mapping[str, Any]) -> str:
    """The one database: ``database_url`` in the credentials, else the settings' (``$DATABASE_URL`` or the default)."""
    return str(credentials.get("database_url") or load_settings().database_url)


def secret_key(credentials: Mapping[str, Any]) -> str:
    return str(credentials.get("channel_key") or channel_key())


def make_store(credentials: Mapping[str, Any]) -> ChannelStore:
    return ChannelStore(database_url(credentials))


class Background:
    """Runs webhook work after the HTTP answer is sent; keeps references so tasks are not garbage collected."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Awaitable[Any], what: str) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                logger.error("%s failed: %r", what, t.exception())

        task.add_done_callback(done)
        return task

    async def drain(self, grace: float = 10) -> None:
        """Wait for the work in flight (tests, shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
