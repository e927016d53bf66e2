"""``python -m bot.rasa_ext.serve ARGS``: ``rasa run ARGS`` with the HTTP API token taken from the environment.

Passing ``--auth-token`` on the command line would show the token to anyone who can list processes.

Also makes socket.io's websocket transport work on Python 3.11 (Rasa 3.6 pins Sanic 21.12):

* Sanic 21.12's ``WebsocketImplProtocol.recv`` passes the coroutine ``assembler.get()`` to ``asyncio.wait``, which
  Python 3.11 forbids ("Passing coroutines is forbidden, use tasks explicitly"). engine.io swallows the error and
  closes every websocket right after the upgrade, so web widgets silently fall back to long-polling. Sanic fixed it
  upstream by wrapping the call in ``asyncio.ensure_future``; here ``WebsocketFrameAssembler.get`` returns that task
  itself (awaiting it is unchanged; ``asyncio.wait`` gets a task, as Python ≤3.10 made one implicitly).
* When a websocket closes, engine.io's handler returns no HTTP response, which Sanic 21.12 logs as
  "Invalid response type None" (sanic-org/sanic#2572) unless the handler is marked ``is_websocket``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from bot.settings import Settings, load_settings


def patch_sanic_websockets() -> bool:
    """Apply the two Sanic 21.12 websocket fixes; returns False (and changes nothing) on other versions."""
    import sanic  # Rasa's web stack: imported only when the server starts, not by whoever imports this module

    if not sanic.__version__.startswith("21.12."):
        return False
    from sanic.server.websockets.frame import WebsocketFrameAssembler

    get = WebsocketFrameAssembler.get
    if not getattr(get, "signpost_patched", False):
        def get_task(self: WebsocketFrameAssembler, timeout: float | None = None) -> asyncio.Future:
            return asyncio.ensure_future(get(self, timeout))

        get_task.signpost_patched = True  # type: ignore[attr-defined]
        # a coroutine function replaced by one returning a task: awaiting either gives the same value
        WebsocketFrameAssembler.get = get_task  # type: ignore[method-assign,assignment]

    from engineio.async_drivers import sanic as engineio_sanic

    def create_route(app: Any, engineio_server: Any, engineio_endpoint: str) -> None:
        async def handle_request(request: Any, *args: Any, **kwargs: Any) -> Any:
            return await engineio_server.handle_request(request, *args, **kwargs)

        handle_request.is_websocket = True  # type: ignore[attr-defined]
        app.add_route(handle_request, engineio_endpoint, methods=["GET", "POST", "OPTIONS"])
        app.enable_websocket()

    engineio_sanic._async["create_route"] = create_route
    return True


def rasa_argv(args: list[str], settings: Settings) -> list[str]:
    """``rasa run ARGS`` plus the API token from the settings (``$SIGNPOST_RASA_TOKEN``), when there is one."""
    argv = ["rasa", "run", *args]
    if settings.rasa_token:
        argv += ["--auth-token", settings.rasa_token]
    return argv


def main() -> None:
    # rasa parses sys.argv; /proc/<pid>/cmdline keeps the original, token-free arguments
    sys.argv = rasa_argv(sys.argv[1:], load_settings())
    patch_sanic_websockets()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
