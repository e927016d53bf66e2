"""The desk app alone (real factory, routes and middleware, no Rasa stack) on a free port, for browser tests of
pages that only read the database: the public report and the dashboard."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def serve_desk(database_url: str) -> Iterator[str]:
    """Serve ``create_app`` for ``database_url`` in a thread with its own event loop; yields the base URL."""
    from aiohttp import web

    from bot.desk.app import create_app
    from bot.settings import Settings
    from bot.stack import free_port

    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(Settings(database_url=database_url)))
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def shutdown() -> None:
        await runner.cleanup()
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]  # e.g. open event streams
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
