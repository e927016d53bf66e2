"""In-process fan-out of live events to the desk pages' event streams (server-sent events)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

Event = dict[str, Any]


class Hub:
    """One per app (``app[HUB]``): the broker feed and the queue watcher publish, each open page subscribes."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self._subscribers.discard(queue)

    def publish(self, event: Event) -> None:
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)
