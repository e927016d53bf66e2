"""The human handoff end to end: real Rasa + action server, the desk as its own process, Chromium for both sides.

A citizen in the web widget asks for a person, consents and waits; a caseworker logs in to the desk, sees the
request arrive live, claims it, replies; the reply reaches the widget over socket.io; the citizen's answer appears
live on the desk; the caseworker closes and hands back and the bot resumes with the exit survey. Also: claim races,
``<script>`` shown as text, and a desk restart mid-handoff losing nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.settings import PROJECT_ROOT
from tests.web.conftest import DESKTOP, PHONE, open_chat
from tests.web.test_widget import blocking_violations

PASSWORD = "a long test password"
ALWAYS_OPEN = """teams:
  - id: general
    name: Signpost navigators
    jurisdictions: [CA, US]   # not the UK: citizens there only have the (closed) UK team, so no overflow
    languages: [en, fr, es]
    timezone: America/Toronto
    hours: {mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
            fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}
  - id: uk-advice
    name: UK advice team
    jurisdictions: [GB]
    languages: [en]
    timezone: Europe/London
    hours: {}                 # takes no chats: citizens in the UK are offered a callback
"""


class DeskProcess:
    """``python -m bot.desk`` as ``signpost run`` starts it, so a test can kill and restart it."""

    def __init__(self, stack, env: dict[str, str], workdir: Path) -> None:
        from bot.stack import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "DATABASE_URL": stack.settings.database_url,
                    "SIGNPOST_RASA_PORT": str(stack.settings.rasa_port), "SIGNPOST_RASA_TOKEN": stack.token,
                    "SIGNPOST_PUBLIC_RASA_URL": stack.settings.rasa_url, "PYTHONUNBUFFERED": "1"}
        self.log = workdir / "desk.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        from bot.stack import wait_until_up

        self.proc = subprocess.Popen([sys.executable, "-m", "bot.desk", "--host", "127.0.0.1", "--port",
                                      str(self.port)], cwd=PROJECT_ROOT, env=self.env,
                                     stdout=self.log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(f"{self.url}/healthz", self.proc, self.log, timeout=60)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # no clean shutdown: the worst case
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def handoff_stack(chromium, trained_model, tmp_path_factory):
    from bot.desk.users import create_user
    from bot.stack import running_stack

    workdir = tmp_path_factory.mktemp("handoff-stack")
    teams = workdir / "teams.yml"
    teams.write_text(ALWAYS_OPEN)
    env = {"SIGNPOST_TEAMS_FILE": str(teams)}
    os.environ["SIGNPOST_TEAMS_FILE"] = str(teams)  # the action server inherits the environment
    try:
        with running_stack(f"sqlite:///{workdir / 'signpost.db'}", trained_model, workdir,
                           channel_env=env) as stack:
            from bot.db import make_engine

            engine = make_engine(stack.settings.database_url)
            for username, name, role in (("sam", "Sam Rivera", "caseworker"), ("alex", "Alex Chen", "caseworker"),
                                         ("boss", "Pat Boss", "supervisor")):
                create_user(engine, username, PASSWORD, role=role, team="general", display_name=name)
            desk = DeskProcess(stack, env, workdir)
            desk.start()
            try:
                yield stack, desk, engine
            finally:
                if desk.proc and desk.proc.poll() is None:
                    desk.kill()
                engine.dispose()
    finally:
        os.environ.pop("SIGNPOST_TEAMS_FILE", None)


def _context(browser):
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(45_000)
    return ctx


def desk_login(page, desk, username: str) -> None:
    page.goto(f"{desk.url}/desk")
    assert "/desk/login" in page.url  # the desk sends strangers to the login
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/desk$"))


def bot_texts(page) -> list[str]:
    return page.locator(".rw-messages-container .rw-response").all_inner_texts()


def say(page, text: str) -> None:
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")


def wait_bot_text(page, pattern: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "re => [...document.querySelectorAll('.rw-messages-container .rw-response')].some("
        "e => new RegExp(re, 'i').test(e.innerText))", arg=pattern, timeout=timeout)


def rest(stack, sender: str, text: str) -> list[str]:
    reply = requests.post(stack.rest_url, json={"sender": sender, "message": text}, timeout=60)
    reply.raise_for_status()
    return [m.get("text") or "" for m in reply.json()]


def request_person_by_rest(stack, sender: str) -> None:
    rest(stack, sender, "I lost my job in Halifax")
    consent = " ".join(rest(stack, sender, "talk to a person"))
    assert "is that ok" in consent.lower()
    queued = " ".join(rest(stack, sender, "yes"))
    assert "in line" in queued and "CANCEL" in queued


def desk_session(desk, username: str) -> tuple[requests.Session, str]:
    """A logged-in HTTP session (as a browser would do it) and its CSRF token."""
    http = requests.Session()
    form = http.get(f"{desk.url}/desk/login", timeout=30).text
    token = re.search(r'name="csrf" value="([^"]+)"', form)[1]
    done = http.post(f"{desk.url}/desk/login", data={"csrf": token, "username": username, "password": PASSWORD},
                     allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text
    page = http.get(f"{desk.url}/desk", timeout=30).text
    return http, re.search(r'name="csrf-token" content="([^"]+)"', page)[1]


def waiting_id(http: requests.Session, desk, life_event_label: str = "") -> int:
    for _ in range(60):
        queue = http.get(f"{desk.url}/desk/api/queue", timeout=30).json()
        if queue["waiting"]:
            return queue["waiting"][-1]["id"]
        time.sleep(0.5)
    raise AssertionError("no conversation arrived in the queue")


def test_citizen_asks_for_a_person_caseworker_claims_replies_closes_and_the_bot_resumes(handoff_stack, browser,
                                                                                        artifacts):
    stack, desk, engine = handoff_stack
    caseworker_ctx, citizen_ctx = _context(browser), _context(browser)
    try:
        desk_page = caseworker_ctx.new_page()
        desk_login(desk_page, desk, "sam")
        desk_page.wait_for_selector("#waiting")

        citizen = citizen_ctx.new_page()
        open_chat(citizen, desk.url + "/")
        say(citizen, "I lost my job in Halifax")
        wait_bot_text(citizen, "(services|benefit|question)")
        say(citizen, "I want to talk to a person")
        wait_bot_text(citizen, "Is that OK")
        citizen.locator(".rw-reply", has_text="Yes, connect me").click()
        wait_bot_text(citizen, "number 1 in line")

        # the request appears on the desk without a reload (SSE), with what the bot learned
        row = desk_page.locator("#waiting tbody tr[data-handoff]")
        row.first.wait_for()
        assert "Halifax" in row.first.inner_text()
        desk_page.screenshot(path=str(artifacts / "desk-queue.png"), full_page=True)
        row.first.locator("button", has_text="Claim").click()
        desk_page.wait_for_url(re.compile(r"/desk/handoffs/\d+$"))
        assert "I lost my job in Halifax" in desk_page.locator("#transcript").inner_text()
        assert "Halifax" in desk_page.locator("#summary").inner_text()

        wait_bot_text(citizen, "Sam Rivera")  # the greeting pushed through Rasa on the citizen's own channel
        assert blocking_violations(desk_page) == []
        desk_page.fill("#reply", "Hi, I can help you apply for Employment Insurance.")
        desk_page.click("#reply-form button[type=submit]")
        wait_bot_text(citizen, "apply for Employment Insurance")

        desk_page.select_option("#canned", label="Checking")  # a canned reply fills the box, to edit or send
        assert desk_page.input_value("#reply") == "Thanks. Give me a minute to check that for you."
        desk_page.click("#reply-form button[type=submit]")
        wait_bot_text(citizen, "Give me a minute")
        desk_page.fill("#note", "Laid off on Friday; has the record of employment.")
        desk_page.click("form[action$='/notes'] button[type=submit]")
        assert "has the record of employment" in desk_page.locator("#notes").inner_text()
        assert not any("record of employment" in t for t in bot_texts(citizen))  # notes stay internal

        say(citizen, "Thank you, what documents do I need?")
        desk_page.locator("#transcript li.citizen", has_text="what documents do I need").wait_for()  # live, no reload
        desk_page.screenshot(path=str(artifacts / "desk-conversation.png"), full_page=True)

        desk_page.check("#d-resolved")
        desk_page.select_option("#avoidable", "unavoidable")
        desk_page.click("#close-form button[type=submit]")
        desk_page.wait_for_url(re.compile(r"/desk$"))
        wait_bot_text(citizen, "satisfied with the service")  # handed back: the bot thanks and runs the survey
        citizen.screenshot(path=str(artifacts / "citizen-after-handoff.png"), full_page=True)
    finally:
        caseworker_ctx.close()
        citizen_ctx.close()

    from bot.db import session_factory
    from bot.desk.models import AuditEntry
    from bot.handoff.models import Handoff

    with session_factory(engine)() as s:
        row = s.query(Handoff).order_by(Handoff.id.desc()).first()
        assert (row.status, row.claimed_by, row.disposition, row.avoidable) == ("closed", "sam", "resolved", "no")
        assert row.handed_back_at is not None
        actions = {a.action for a in s.query(AuditEntry).filter(AuditEntry.handoff_id == row.id)}
    assert {"claimed", "viewed", "replied", "closed"} <= actions


def test_a_script_tag_from_the_citizen_shows_as_text_in_the_desk(handoff_stack, browser):
    stack, desk, _ = handoff_stack
    sender = f"script-{time.time_ns()}"
    request_person_by_rest(stack, sender)
    rest(stack, sender, "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned=2\">")
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        desk_login(page, desk, "boss")
        http, csrf = desk_session(desk, "boss")
        handoff_id = waiting_id(http, desk)
        page.goto(f"{desk.url}/desk/handoffs/{handoff_id}")
        line = page.locator("#transcript li.citizen", has_text="<script>")
        line.wait_for()
        assert "<script>window.pwned = 1</script>" in line.inner_text()
        assert page.evaluate("() => window.pwned === undefined")
        assert page.locator("#transcript script, #transcript img").count() == 0
    finally:
        ctx.close()
    assert http.post(f"{desk.url}/desk/handoffs/{handoff_id}/claim", data={"csrf": csrf}, allow_redirects=False,
                     timeout=60).status_code == 303


def test_two_caseworkers_claim_at_once_and_exactly_one_wins(handoff_stack):
    stack, desk, _ = handoff_stack
    sender = f"race-{time.time_ns()}"
    request_person_by_rest(stack, sender)
    sessions = [desk_session(desk, "sam"), desk_session(desk, "alex")]
    handoff_id = waiting_id(sessions[0][0], desk)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def claim(http, csrf):
        barrier.wait()
        codes.append(http.post(f"{desk.url}/desk/handoffs/{handoff_id}/claim", data={"csrf": csrf},
                               allow_redirects=False, timeout=60).status_code)

    threads = [threading.Thread(target=claim, args=s) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert sorted(codes) == [303, 409]
    anonymous = requests.post(f"{desk.url}/desk/handoffs/{handoff_id}/claim", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 401


def test_the_desk_restarting_mid_handoff_loses_nothing(handoff_stack):
    stack, desk, engine = handoff_stack
    http, csrf = desk_session(desk, "alex")
    sender = f"restart-{time.time_ns()}"
    request_person_by_rest(stack, sender)
    handoff_id = waiting_id(http, desk)

    desk.kill()  # waiting in line, the desk goes down; the citizen writes meanwhile
    answer = " ".join(rest(stack, sender, "Is anyone there? My claim number is in my letter."))
    assert "in line" in answer  # the bot still tells the citizen their place
    desk.start()

    queue = http.get(f"{desk.url}/desk/api/queue", timeout=30).json()  # the session survived the restart
    assert handoff_id in [r["id"] for r in queue["waiting"]]
    assert http.post(f"{desk.url}/desk/handoffs/{handoff_id}/claim", data={"csrf": csrf}, allow_redirects=False,
                     timeout=60).status_code == 303
    desk.kill()  # now claimed: the bot is paused and stays silent while the desk is down
    assert rest(stack, sender, "Hello? Still there?") == []
    desk.start()
    page = http.get(f"{desk.url}/desk/handoffs/{handoff_id}", timeout=60).text
    assert "Is anyone there?" in page and "Hello? Still there?" in page
    sent = http.post(f"{desk.url}/desk/handoffs/{handoff_id}/reply", data={"csrf": csrf, "text": "Yes, I'm here."},
                     allow_redirects=False, timeout=60)
    assert sent.status_code == 303
    tracker = requests.get(f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
                           params={"token": stack.token}, timeout=30).json()
    caseworker_lines = [e for e in tracker["events"] if e.get("event") == "bot"
                        and (e.get("metadata") or {}).get("caseworker")]
    assert [e["text"] for e in caseworker_lines][-1] == "Yes, I'm here."


def test_out_of_hours_the_citizen_books_a_callback_and_the_desk_lists_it(handoff_stack, browser, artifacts):
    stack, desk, engine = handoff_stack
    citizen_ctx, desk_ctx = browser.new_context(viewport=PHONE), _context(browser)
    citizen_ctx.set_default_timeout(45_000)
    try:
        citizen = citizen_ctx.new_page()
        open_chat(citizen, desk.url + "/")
        say(citizen, "I lost my job in Leeds")
        wait_bot_text(citizen, "(services|benefit|question)")
        say(citizen, "person")
        citizen.locator(".rw-reply", has_text="Yes, connect me").click()
        wait_bot_text(citizen, "Nobody from the UK advice team can take chats")
        citizen.locator(".rw-reply", has_text="Call me back").click()
        citizen.locator(".rw-reply", has_text="Text message").click()
        citizen.locator(".rw-reply", has_text="As soon as possible").click()
        wait_bot_text(citizen, "What number")
        say(citizen, "call me maybe")
        wait_bot_text(citizen, "doesn't look like a phone number")
        say(citizen, "+44 7700 900123")
        wait_bot_text(citizen, r"reference is CB-\d+")
        citizen.screenshot(path=str(artifacts / "citizen-callback-phone.png"), full_page=True)

        page = desk_ctx.new_page()
        desk_login(page, desk, "boss")
        page.goto(f"{desk.url}/desk/callbacks")
        row = page.locator("#callbacks tbody tr", has_text="UK advice team")
        assert "•••• 0123" in row.inner_text() and "+447700900123" not in page.content()  # masked in the list
        assert blocking_violations(page) == []
        row.locator("a").click()
        assert "+447700900123" in page.locator("dl").inner_text()  # shown on purpose, and audited
        page.select_option("#outcome", "reached")
        page.click("form[action$='/done'] button[type=submit]")
        page.wait_for_url(re.compile(r"/desk/callbacks$"))
        assert page.locator("#callbacks tbody tr", has_text="UK advice team").count() == 0
        page.goto(f"{desk.url}/desk/audit")
        audit = page.locator("table").inner_text()
        assert "callback_viewed" in audit and "callback_done" in audit
    finally:
        citizen_ctx.close()
        desk_ctx.close()


def test_waiting_citizens_hear_their_new_place_when_the_line_moves(handoff_stack):
    from bot.handoff import store

    stack, desk, engine = handoff_stack
    http, csrf = desk_session(desk, "sam")
    first, second = f"line-a-{time.time_ns()}", f"line-b-{time.time_ns()}"
    request_person_by_rest(stack, first)
    request_person_by_rest(stack, second)
    before = store.ticket(engine, store.open_handoff(engine, second)).position
    assert http.post(f"{desk.url}/desk/handoffs/{store.open_handoff(engine, first).id}/claim", data={"csrf": csrf},
                     allow_redirects=False, timeout=60).status_code == 303
    expected = f"You're now number {before - 1} in line"
    for _ in range(60):
        tracker = requests.get(f"{stack.settings.rasa_url}/conversations/{second}/tracker",
                               params={"token": stack.token}, timeout=30).json()
        if any(expected in (e.get("text") or "") for e in tracker["events"] if e.get("event") == "bot"):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"{expected!r} never reached the second citizen")


def test_a_conversation_transferred_to_a_colleague_waits_for_them(handoff_stack, browser):
    from bot.handoff import store

    stack, desk, engine = handoff_stack
    sender = f"transfer-{time.time_ns()}"
    request_person_by_rest(stack, sender)
    handoff_id = store.open_handoff(engine, sender).id
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        desk_login(page, desk, "sam")
        page.goto(f"{desk.url}/desk/handoffs/{handoff_id}")
        page.click("form[action$='/claim'] button[type=submit]")
        page.select_option("#to_user", "alex")
        page.click("form[action$='/transfer'] button[type=submit]")
        page.goto(f"{desk.url}/desk")
        assert "for alex" in page.locator(f"#waiting tr[data-handoff='{handoff_id}']").inner_text()
    finally:
        ctx.close()
    http, csrf = desk_session(desk, "alex")
    assert http.post(f"{desk.url}/desk/handoffs/{handoff_id}/claim", data={"csrf": csrf}, allow_redirects=False,
                     timeout=60).status_code == 303
    assert store.get_handoff(engine, handoff_id).claimed_by == "alex"


def test_the_desk_sees_at_once_when_a_waiting_citizen_cancels(handoff_stack, browser):
    from bot.handoff import store

    stack, desk, engine = handoff_stack
    sender = f"cancel-{time.time_ns()}"
    request_person_by_rest(stack, sender)
    handoff_id = store.open_handoff(engine, sender).id
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        desk_login(page, desk, "alex")
        page.goto(f"{desk.url}/desk/handoffs/{handoff_id}")
        assert page.locator("#status").inner_text() == "waiting"
        assert "no longer waiting" in " ".join(rest(stack, sender, "cancel"))
        page.locator("#status", has_text="cancelled").wait_for()  # live: no reload
        assert store.get_handoff(engine, handoff_id).status == "cancelled"
    finally:
        ctx.close()
