"""Every dependency the desk keeps in ``app[...]``, declared once (as aiohttp-demos' ``typedefs.py``).

``create_app`` (bot/desk/app.py) fills them; views and background tasks read ``request.app[KEY]``. An ``AppKey``
carries its value's type, so ``app[ENGINE]`` is an ``Engine`` to the type checker: the keys are the typed
accessors, and this module imports no view, so no view needs to import the app module.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.channels.identity import NumberVault
from bot.desk.hub import Hub
from bot.desk.rasa_api import RasaAPI
from bot.handoff.teams import Team
from bot.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
PUBLIC_RASA_URL = web.AppKey("public_rasa_url", str)  # what the demo page's widget talks to
TEAMS: web.AppKey[list[Team]] = web.AppKey("teams")
PHRASES: web.AppKey[dict[str, Any]] = web.AppKey("phrases")  # the domain's responses, read once
CANNED_REPLIES: web.AppKey[list[dict[str, Any]]] = web.AppKey("canned_replies")
VAULT = web.AppKey("vault", NumberVault)  # opens callback contacts
RASA = web.AppKey("rasa_api", RasaAPI)  # Rasa's HTTP API, one client session for the app's lifetime
HUB = web.AppKey("hub", Hub)
LOOP = web.AppKey("loop", asyncio.AbstractEventLoop)  # the desk's loop: broker events arrive in worker threads
LOGIN_FAILURES: web.AppKey[dict[str, deque[float]]] = web.AppKey("login_failures")  # username → failure times


def team_name(app: web.Application, team_id: str) -> str:
    """A team's display name (its id when the teams file no longer has it)."""
    return next((t.name for t in app[TEAMS] if t.id == team_id), team_id)
