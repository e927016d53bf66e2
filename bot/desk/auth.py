"""Desk login: sessions in a cookie, CSRF on every state-changing call, roles — one middleware for all of /desk.

- Every path under ``/desk`` needs a session, except the login page itself: pages redirect to the login, API and
  event-stream calls get 401.
- POST/PUT/PATCH/DELETE must carry the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``),
  compared in constant time; the login form uses a double-submit cookie (no session exists yet).
- Repeated failed logins for a username are slowed down (locked for a while), without saying whether it exists.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.desk import audit, users
from bot.desk.keys import ENGINE, LOGIN_FAILURES
from bot.desk.templating import render

COOKIE = "signpost_desk"
LOGIN_COOKIE = "signpost_desk_login"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FAILURES = 5
LOCK_SECONDS = 900

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _is_page(request: web.Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "") \
        and not request.path.startswith(("/desk/api/", "/desk/events"))


async def _submitted_csrf(request: web.Request) -> str:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        return str(form.get("csrf") or "")
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/desk") or request.path == "/desk/login":
        return await handler(request)
    session = await asyncio.to_thread(users.load_session, request.app[ENGINE], request.cookies.get(COOKIE))
    if session is None:
        if _is_page(request):
            raise web.HTTPFound(f"/desk/login?next={quote(request.path_qs)}")
        return web.json_response({"error": "Please log in to the desk."}, status=401)
    if request.method in UNSAFE and not _same(await _submitted_csrf(request), session.csrf_token):
        return web.json_response({"error": "The form expired. Reload the page and try again."}, status=403)
    request["session"] = session
    request["user"] = session.user
    request["csrf_token"] = session.csrf_token
    return await handler(request)


def require_supervisor(request: web.Request) -> None:
    """The desk pages' one supervisor check (the role test itself: :attr:`bot.desk.users.User.is_supervisor`)."""
    if not request["user"].is_supervisor:
        raise web.HTTPForbidden(text="Supervisors only.")


def _safe_next(value: str | None) -> str:
    """Only a local desk path (no //host, no scheme) may follow the login."""
    if value and value.startswith("/desk") and not value.startswith("//") and "\\" not in value:
        return value
    return "/desk"


def _login_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(24)
    response = render("desk_login.html", status=status, csrf_token=token, error=error,
                      next=_safe_next(request.query.get("next")))
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/desk/login",
                        secure=request.secure)
    return response


@routes.get("/desk/login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


@routes.post("/desk/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not _same(str(form.get("csrf") or ""), request.cookies.get(LOGIN_COOKIE, "")):
        return _login_page(request, "The form expired. Please try again.", status=403)
    username = str(form.get("username") or "").strip().lower()[:64]
    failures = request.app[LOGIN_FAILURES][username]
    now = time.monotonic()
    while failures and now - failures[0] > LOCK_SECONDS:
        failures.popleft()
    engine = request.app[ENGINE]
    if len(failures) >= MAX_FAILURES:
        await asyncio.to_thread(audit.record, engine, "login_locked", username=username, remote=request.remote)
        return _login_page(request, "Too many attempts. Please wait 15 minutes or ask a supervisor.", status=429)
    user = await asyncio.to_thread(users.authenticate, engine, username, str(form.get("password") or ""))
    if user is None:
        failures.append(now)
        await asyncio.to_thread(audit.record, engine, "login_failed", username=username, remote=request.remote)
        return _login_page(request, "That username and password don't match.", status=401)
    failures.clear()
    token, _ = await asyncio.to_thread(users.start_session, engine, user)
    await asyncio.to_thread(users.touch_presence, engine, user.id)
    await asyncio.to_thread(audit.record, engine, "login", username=user.username, remote=request.remote)
    response = web.HTTPFound(_safe_next(str(form.get("next") or "")))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/", secure=request.secure,
                        max_age=users.SESSION_HOURS * 3600)
    response.del_cookie(LOGIN_COOKIE, path="/desk/login")
    raise response


@routes.post("/desk/logout")
async def logout(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    await asyncio.to_thread(users.end_session, engine, request["session"].token_hash)
    await asyncio.to_thread(users.touch_presence, engine, request["user"].id, False)
    await asyncio.to_thread(audit.record, engine, "logout", username=request["user"].username,
                            remote=request.remote)
    response = web.HTTPFound("/desk/login")
    response.del_cookie(COOKIE, path="/")
    raise response

