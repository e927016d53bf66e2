"""Desk app factory: routes, and dependencies kept in ``app[...]`` (keys in bot/desk/keys.py; no module state)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import web

from bot.channels.identity import NumberVault, channel_key
from bot.db import make_engine
from bot.desk import auth, dashboard_views, handoff_views, public_views
from bot.desk.hub import Hub
from bot.desk.keys import (
    CANNED_REPLIES,
    ENGINE,
    HUB,
    LOGIN_FAILURES,
    PHRASES,
    PUBLIC_RASA_URL,
    RASA,
    SETTINGS,
    TEAMS,
    VAULT,
)
from bot.desk.live import live_context
from bot.desk.rasa_api import RasaAPI
from bot.handoff.teams import load_teams
from bot.settings import Settings
from knowledge.match import ProfileError, match_profile

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
CANNED = HERE / "canned_replies.yml"
MAX_BODY = 64 * 1024

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/")
async def demo_page(request: web.Request) -> web.Response:
    """The demo page with the chat widget; it talks to Rasa's REST channel directly."""
    html = await asyncio.to_thread((HERE / "templates" / "demo.html").read_text)
    html = html.replace("{{RASA_URL}}", json.dumps(request.app[PUBLIC_RASA_URL]))
    return web.Response(text=html, content_type="text/html")


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


@routes.post("/api/v1/match")
async def match_api(request: web.Request) -> web.Response:
    """The ``signpost match`` contract over HTTP, for other agencies' systems."""
    if request.content_length and request.content_length > MAX_BODY:
        return web.json_response({"error": "profile too large"}, status=413)
    try:
        profile = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request("the body must be a JSON profile, see DESIGN.md (signpost match)")
    if not isinstance(profile, dict):
        return _bad_request("the profile must be a JSON object")
    try:
        result = await asyncio.to_thread(match_profile, request.app[ENGINE], profile)
    except ProfileError as exc:
        return _bad_request(str(exc))
    return web.json_response(result)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[ENGINE] = make_engine(settings.database_url)
    app[PUBLIC_RASA_URL] = settings.public_rasa_url or settings.rasa_url
    app.cleanup_ctx.append(_engine_lifetime)  # first in, so cleaned up last: after the live tasks stop
    app.add_routes(routes)
    app.router.add_static("/static/", HERE / "static")
    app.add_routes(public_views.routes)
    app.add_routes(dashboard_views.routes)
    _setup_desk(app, settings)
    return app


async def _engine_lifetime(app: web.Application) -> AsyncIterator[None]:
    yield
    app[ENGINE].dispose()


def rasa_token(settings: Settings) -> str | None:
    """The token ``signpost run`` gives Rasa (settings, else var/rasa_token); never logged."""
    path = settings.var_dir / "rasa_token"
    if not settings.rasa_token and path.is_file():
        return path.read_text().strip() or None
    return settings.rasa_token


def _responses(settings: Settings) -> dict[str, Any]:
    domain = yaml.safe_load((settings.project_root / "domain" / "responses.yml").read_text())
    responses: dict[str, Any] = domain["responses"]
    return responses


def _setup_desk(app: web.Application, settings: Settings) -> None:
    """The caseworker desk: login, handoff pages, the live feed from Rasa's event broker, Rasa's HTTP API.
    Everything read from files is read here, once, at start."""
    app[TEAMS] = load_teams(settings.teams_file)
    app[HUB] = Hub()
    app[PHRASES] = _responses(settings)
    app[CANNED_REPLIES] = (yaml.safe_load(CANNED.read_text()) or {}).get("replies") or []
    app[VAULT] = NumberVault(channel_key(var_dir=settings.var_dir))
    failures: dict[str, deque[float]] = defaultdict(deque)
    app[LOGIN_FAILURES] = failures
    app.middlewares.append(auth.auth_middleware)
    app.add_routes(auth.routes)
    app.add_routes(handoff_views.routes)
    token = rasa_token(settings)

    async def rasa_client(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[RASA] = RasaAPI(session, settings.rasa_url, token)
            yield

    app.cleanup_ctx.append(rasa_client)
    app.cleanup_ctx.append(live_context)
