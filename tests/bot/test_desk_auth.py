"""Desk login, sessions, CSRF and roles (bot/desk/auth.py, bot/desk/users.py, bot/desk/app.py) over real HTTP,
and the ``signpost desk add-user`` command — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import re
import sys
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from sqlalchemy import select, text

from bot.cli import main as signpost
from bot.db import make_engine, session_factory
from bot.desk import users
from bot.desk.app import create_app
from bot.desk.auth import COOKIE, LOGIN_COOKIE, MAX_FAILURES
from bot.desk.models import AuditEntry, DeskSession
from bot.handoff.models import DeskUser
from bot.settings import Settings

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def desk(migrated_url):
    client = TestClient(TestServer(create_app(Settings(database_url=migrated_url))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def accounts(engine):
    return {"sam": users.create_user(engine, "sam", PASSWORD, team="nova-scotia"),
            "sue": users.create_user(engine, "sue", PASSWORD, role="supervisor")}


async def login(client: TestClient, username: str, password: str, next_: str | None = None):
    """What a browser does: open the login form (which sets its CSRF cookie), then post it back."""
    page = await client.get("/desk/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())[1]
    form = {"csrf": token, "username": username, "password": password}
    if next_ is not None:
        form["next"] = next_
    return await client.post("/desk/login", data=form, allow_redirects=False)


async def logged_in(client: TestClient, username: str = "sam") -> tuple[str, str]:
    """Log in; the session cookie and the CSRF token the desk pages carry."""
    resp = await login(client, username, PASSWORD)
    assert resp.status == 302, await resp.text()
    cookie = resp.cookies[COOKIE].value
    page = await client.get("/desk", headers=HTML)
    assert page.status == 200
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', await page.text())[1]
    return cookie, csrf


def audit_actions(engine, username: str) -> list[str]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.username == username)
                              .order_by(AuditEntry.id)))


def sessions(engine) -> list[DeskSession]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(DeskSession)))


# --- anonymous callers ----------------------------------------------------------------------------------------
def desk_paths(app) -> list[str]:
    paths = set()
    for resource in app.router.resources():
        path = resource.canonical
        if path.startswith("/desk") and path != "/desk/login":
            paths.add(re.sub(r"\{[^}]+\}", "1", path))
    return sorted(paths)


async def test_every_desk_route_refuses_an_anonymous_caller(desk):
    paths = desk_paths(desk.server.app)
    assert len(paths) >= 15 and "/desk" in paths and "/desk/events" in paths and "/desk/audit" in paths
    for path in paths:
        api = path.startswith(("/desk/api/", "/desk/events"))
        page = await desk.get(path, headers=HTML, allow_redirects=False)
        if api:
            assert page.status == 401, path
        else:
            assert page.status == 302, path
            assert page.headers["Location"] == f"/desk/login?next={quote(path)}", path
        data = await desk.get(path, headers={"Accept": "application/json"}, allow_redirects=False)
        assert data.status == 401, path
        assert "log in" in (await data.json())["error"]
        posted = await desk.post(path, data={"csrf": "x"}, headers=HTML, allow_redirects=False)
        assert posted.status == 401, path


async def test_the_login_page_is_open(desk):
    page = await desk.get("/desk/login")
    assert page.status == 200
    assert 'name="password"' in await page.text()
    set_cookie = page.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{LOGIN_COOKIE}=") and "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie


async def test_a_deep_link_survives_the_login(desk, accounts):
    first = await desk.get("/desk/callbacks?due=today", headers=HTML, allow_redirects=False)
    location = first.headers["Location"]
    assert location.startswith("/desk/login?next=")
    form = await desk.get(location)
    assert 'name="next" value="/desk/callbacks?due=today"' in await form.text()
    resp = await login(desk, "sam", PASSWORD, next_="/desk/callbacks?due=today")
    assert resp.status == 302 and resp.headers["Location"] == "/desk/callbacks?due=today"
    landed = await desk.get(resp.headers["Location"], headers=HTML)
    assert landed.status == 200 and landed.url.path == "/desk/callbacks"


# --- logging in -----------------------------------------------------------------------------------------------
async def test_a_wrong_password_is_refused_and_audited(desk, engine, accounts):
    resp = await login(desk, "sam", "not the password")
    assert resp.status == 401
    assert "That username and password" in await resp.text()
    assert COOKIE not in resp.cookies
    assert audit_actions(engine, "sam") == ["login_failed"]
    unknown = await login(desk, "nobody", PASSWORD)  # the same answer for a name that does not exist
    assert unknown.status == 401 and "That username and password" in await unknown.text()
    assert audit_actions(engine, "nobody") == ["login_failed"]
    assert sessions(engine) == []


async def test_five_failures_lock_the_username(desk, engine, accounts):
    for _ in range(MAX_FAILURES):
        assert (await login(desk, "sam", "guess " * 3)).status == 401
    locked = await login(desk, "Sam", PASSWORD)  # the right password, any case: still locked
    assert locked.status == 429
    assert "Too many attempts" in await locked.text()
    assert COOKIE not in locked.cookies and sessions(engine) == []
    assert audit_actions(engine, "sam") == ["login_failed"] * MAX_FAILURES + ["login_locked"]
    other = await login(desk, "sue", PASSWORD)  # only that username is locked
    assert other.status == 302


@pytest.mark.parametrize("case", ["no cookie", "no field", "mismatch"])
async def test_login_needs_the_login_form_csrf(desk, engine, accounts, case):
    page = await desk.get("/desk/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())[1]
    form = {"username": "sam", "password": PASSWORD, "csrf": token}
    if case == "no cookie":
        desk.session.cookie_jar.clear()
    elif case == "no field":
        del form["csrf"]
    else:
        form["csrf"] = token[:-1]
    resp = await desk.post("/desk/login", data=form, allow_redirects=False)
    assert resp.status == 403
    assert COOKIE not in resp.cookies and sessions(engine) == []
    assert "login_failed" not in audit_actions(engine, "sam")  # not even counted as a try


async def test_a_login_sets_a_strict_httponly_cookie_and_stores_only_its_hash(desk, engine, accounts):
    resp = await login(desk, "sam", PASSWORD)
    assert resp.status == 302 and resp.headers["Location"] == "/desk"
    (header,) = [h for h in resp.headers.getall("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    token = resp.cookies[COOKIE].value
    assert len(token) >= 32

    (stored,) = sessions(engine)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with engine.connect() as conn:
        raw = " ".join(str(v) for r in conn.execute(text("SELECT * FROM desk_session")) for v in r)
    assert token not in raw
    assert audit_actions(engine, "sam") == ["login"]
    page = await desk.get("/desk", headers=HTML)
    assert page.status == 200 and "sam" in await page.text()


async def test_the_session_cookie_is_what_logs_you_in(desk, accounts):
    cookie, _ = await logged_in(desk)
    desk.session.cookie_jar.clear()
    assert (await desk.get("/desk/api/queue")).status == 401
    forged = await desk.get("/desk/api/queue", headers={"Cookie": f"{COOKIE}={cookie[:-1]}"})
    assert forged.status == 401
    ok = await desk.get("/desk/api/queue", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert ok.status == 200 and set(await ok.json()) >= {"waiting", "claimed"}


async def test_a_deactivated_account_loses_its_session(desk, engine, accounts):
    await logged_in(desk)
    with session_factory(engine)() as s, s.begin():
        s.execute(text("UPDATE desk_user SET active = :no WHERE username = 'sam'"), {"no": False})
    assert (await desk.get("/desk/api/queue")).status == 401
    assert (await login(desk, "sam", PASSWORD)).status == 401


# --- CSRF on every change -------------------------------------------------------------------------------------
async def test_a_post_needs_the_session_csrf_token(desk, engine, accounts):
    _, csrf = await logged_in(desk)
    missing = await desk.post("/desk/presence", data={"available": "no"}, allow_redirects=False)
    assert missing.status == 403
    almost = csrf[:-1] + ("B" if csrf.endswith("A") else "A")  # one character off
    wrong = await desk.post("/desk/presence", data={"available": "no", "csrf": almost}, allow_redirects=False)
    assert wrong.status == 403
    wrong_header = await desk.post("/desk/presence", data={"available": "no"},
                                   headers={"X-CSRF-Token": "guess"}, allow_redirects=False)
    assert wrong_header.status == 403
    assert users.is_available(engine, accounts["sam"].id)  # nothing changed
    assert "away" not in audit_actions(engine, "sam")

    by_field = await desk.post("/desk/presence", data={"available": "no", "csrf": csrf}, allow_redirects=False)
    assert by_field.status == 303 and by_field.headers["Location"] == "/desk"
    assert not users.is_available(engine, accounts["sam"].id)
    by_header = await desk.post("/desk/presence", data={"available": "yes"}, headers={"X-CSRF-Token": csrf},
                                allow_redirects=False)
    assert by_header.status == 303
    assert users.is_available(engine, accounts["sam"].id)
    assert audit_actions(engine, "sam")[-2:] == ["away", "available"]


async def test_another_user_s_csrf_token_does_not_work(desk, accounts, migrated_url):
    _, sams_csrf = await logged_in(desk, "sam")
    other = TestClient(TestServer(create_app(Settings(database_url=migrated_url))))
    await other.start_server()
    try:
        await logged_in(other, "sue")
        resp = await other.post("/desk/presence", data={"available": "no", "csrf": sams_csrf},
                                allow_redirects=False)
        assert resp.status == 403
    finally:
        await other.close()


async def test_logout_ends_the_session(desk, engine, accounts):
    cookie, csrf = await logged_in(desk)
    refused = await desk.post("/desk/logout", allow_redirects=False)  # a cross-site logout is refused too
    assert refused.status == 403 and len(sessions(engine)) == 1
    resp = await desk.post("/desk/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/desk/login"
    assert sessions(engine) == []
    assert audit_actions(engine, "sam")[-1] == "logout"
    assert not users.is_available(engine, accounts["sam"].id)  # logged out = not taking chats
    replay = await desk.get("/desk", headers={**HTML, "Cookie": f"{COOKIE}={cookie}"}, allow_redirects=False)
    assert replay.status == 302 and replay.headers["Location"].startswith("/desk/login")


@pytest.mark.parametrize("next_,expected", [
    ("/desk/callbacks", "/desk/callbacks"),
    ("/desk/handoffs/3?x=1", "/desk/handoffs/3?x=1"),
    ("//evil.example", "/desk"),
    ("//evil.example/desk", "/desk"),
    ("https://evil.example/desk", "/desk"),
    ("/\\evil.example", "/desk"),
    ("/desk\\..\\\\evil.example", "/desk"),
    ("/public/report", "/desk"),  # local, but not the desk
    ("javascript:alert(1)", "/desk"),
    ("", "/desk"),
])
async def test_next_only_allows_local_desk_paths(desk, accounts, next_, expected):
    resp = await login(desk, "sam", PASSWORD, next_=next_)
    assert resp.status == 302
    assert resp.headers["Location"] == expected


async def test_the_login_form_never_carries_a_foreign_next(desk):
    page = await desk.get("/desk/login?next=//evil.example")
    html = await page.text()
    assert 'name="next" value="/desk"' in html and "evil.example" not in html


async def test_a_next_with_a_line_break_is_not_a_server_error(desk, accounts):
    resp = await login(desk, "sam", PASSWORD, next_="/desk\r\nSet-Cookie: evil=1")
    assert resp.status == 302
    assert "\n" not in resp.headers["Location"] and "evil" not in resp.cookies


# --- accounts -------------------------------------------------------------------------------------------------
def test_passwords_are_stored_as_argon2id_hashes(engine, accounts):
    with session_factory(engine)() as s:
        rows = list(s.scalars(select(DeskUser)))
    assert len(rows) == 2
    for row in rows:
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
        assert PasswordHasher().verify(row.password_hash, PASSWORD)
    assert rows[0].password_hash != rows[1].password_hash  # salted
    assert users.authenticate(engine, "SAM ", PASSWORD).username == "sam"
    assert users.authenticate(engine, "sam", PASSWORD + "!") is None
    assert users.authenticate(engine, "nobody", PASSWORD) is None


@pytest.mark.parametrize("username,password,role,message", [
    ("sam", "short", "caseworker", "at least 10"),
    ("", PASSWORD, "caseworker", "Usernames"),
    ("sam smith", PASSWORD, "caseworker", "Usernames"),
    ("sam", PASSWORD, "admin", "Role"),
])
def test_create_user_rejects_bad_accounts(engine, username, password, role, message):
    with pytest.raises(users.UserError, match=message):
        users.create_user(engine, username, password, role=role)


def test_create_user_rejects_a_duplicate(engine, accounts):
    with pytest.raises(users.UserError, match="already"):
        users.create_user(engine, "SAM", PASSWORD)


def test_set_password_logs_the_user_out_everywhere(engine, accounts):
    token, _ = users.start_session(engine, accounts["sam"])
    assert users.load_session(engine, token) is not None
    users.set_password(engine, "sam", "a brand new password")
    assert users.load_session(engine, token) is None
    assert users.authenticate(engine, "sam", PASSWORD) is None
    assert users.authenticate(engine, "sam", "a brand new password") is not None


def test_cli_add_user_creates_the_account(migrated_url, engine, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code = signpost(["desk", "add-user", "sam", "--password-stdin", "--url", migrated_url, "--team",
                     "nova-scotia", "--role", "supervisor", "--name", "Sam Jones"])
    assert code == 0
    assert "created supervisor sam (Sam Jones) in team nova-scotia" in capsys.readouterr().out
    with session_factory(engine)() as s:
        row = s.scalars(select(DeskUser).where(DeskUser.username == "sam")).one()
    assert (row.role, row.team, row.display_name, row.active) == ("supervisor", "nova-scotia", "Sam Jones", True)
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert users.authenticate(engine, "sam", PASSWORD) is not None  # the newline was not part of it


def test_cli_set_password(migrated_url, engine, accounts, monkeypatch, capsys):
    token, _ = users.start_session(engine, accounts["sam"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new password\n"))
    assert signpost(["desk", "set-password", "sam", "--password-stdin", "--url", migrated_url]) == 0
    assert "password changed for sam" in capsys.readouterr().out
    assert users.authenticate(engine, "sam", "a brand new password") is not None
    assert users.load_session(engine, token) is None  # logged out everywhere
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert signpost(["desk", "set-password", "sam", "--password-stdin", "--url", migrated_url]) == 1
    assert "at least 10 characters" in capsys.readouterr().err


@pytest.mark.parametrize("args,stdin,message", [
    ([], "short\n", "at least 10 characters"),
    (["--team", "mars"], PASSWORD + "\n", "unknown team 'mars'"),
])
def test_cli_add_user_refuses_with_a_clear_message(migrated_url, engine, monkeypatch, capsys, args, stdin, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = signpost(["desk", "add-user", "sam", "--password-stdin", "--url", migrated_url, *args])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("signpost desk:") and message in err and PASSWORD not in err
    if "team" in message:
        assert "general" in err and "nova-scotia" in err  # says which teams exist
    with session_factory(engine)() as s:
        assert s.scalars(select(DeskUser)).first() is None


def test_cli_add_user_refuses_a_duplicate(migrated_url, accounts, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert signpost(["desk", "add-user", "sam", "--password-stdin", "--url", migrated_url]) == 1
    assert "already a user called sam" in capsys.readouterr().err


# --- roles ----------------------------------------------------------------------------------------------------
async def test_the_audit_log_is_for_supervisors_only(desk, accounts):
    await logged_in(desk, "sam")
    refused = await desk.get("/desk/audit", headers=HTML)
    assert refused.status == 403
    csv = await desk.get("/desk/dashboard/touchpoints-responses.csv")
    assert csv.status == 403


async def test_a_supervisor_reads_the_audit_log(desk, accounts):
    await login(desk, "sam", "not the password")
    await logged_in(desk, "sue")
    page = await desk.get("/desk/audit", headers=HTML)
    assert page.status == 200
    html = await page.text()
    assert "login_failed" in html and "sam" in html
