"""Desk app factory: routes, and dependencies kept in ``app[...]`` (no module-level state)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.settings import Settings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
PUBLIC_RASA_URL = web.AppKey("public_rasa_url", str)
TEAMS = web.AppKey("teams", list)

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/")
async def demo_page(request: web.Request) -> web.Response:
    """The demo page with the chat widget; it talks to Rasa's REST channel directly."""
    html = (HERE / "templates" / "demo.html").read_text()
    html = html.replace("{{RASA_URL}}", json.dumps(request.app[PUBLIC_RASA_URL]))
    return web.Response(text=html, content_type="text/html")


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


@routes.post("/api/v1/match")
async def match_api(request: web.Request) -> web.Response:
    """The ``signpost match`` contract over HTTP, for other agencies' systems."""
    from knowledge.match import ProfileError, match_profile

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
    app[PUBLIC_RASA_URL] = os.environ.get("SIGNPOST_PUBLIC_RASA_URL", settings.rasa_url)
    app.add_routes(routes)
    app.router.add_static("/static/", HERE / "static")
    from bot.desk import dashboard_views, public_views  # imported here: they read ENGINE from this module

    app.add_routes(public_views.routes)
    app.add_routes(dashboard_views.routes)
    _setup_desk(app, settings)

    async def dispose_engine(app: web.Application) -> None:
        app[ENGINE].dispose()

    app.on_cleanup.append(dispose_engine)
    return app


def _rasa_token(settings: Settings) -> str | None:
    """The token ``signpost run`` gives Rasa (environment, else var/rasa_token); never logged."""
    token = os.environ.get("SIGNPOST_RASA_TOKEN")
    path = settings.var_dir / "rasa_token"
    if not token and path.is_file():
        token = path.read_text().strip()
    return token or None


def _setup_desk(app: web.Application, settings: Settings) -> None:
    """The caseworker desk: login, handoff pages, the live feed from Rasa's event broker, Rasa's HTTP API."""
    import aiohttp
    import yaml

    from bot.desk import auth, conversations, handoff_views
    from bot.desk.live import HUB, Hub, live_context
    from bot.desk.rasa_api import RasaAPI
    from bot.handoff.teams import load_teams

    app[TEAMS] = load_teams(settings.teams_file)
    app[HUB] = Hub()
    app[conversations.PHRASES] = yaml.safe_load((settings.project_root / "domain" / "responses.yml")
                                                .read_text())["responses"]
    auth.setup(app)
    handoff_views.setup(app, settings.var_dir)

    async def rasa_client(app: web.Application):
        async with aiohttp.ClientSession() as session:
            app[conversations.RASA] = RasaAPI(session, settings.rasa_url, _rasa_token(settings))
            yield

    app.cleanup_ctx.append(rasa_client)
    app.cleanup_ctx.append(live_context)
