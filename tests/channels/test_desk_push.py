"""Caseworker replies reach the citizen on each channel, through ``bot.desk.rasa_api.RasaAPI`` and a real Rasa server.

The stack is the one ``signpost run`` starts (``python -m bot.rasa_ext.serve`` with the token from the environment,
the generated credentials with SMS, Telegram and socket.io, the action server), with a fake Twilio REST API and a
fake Telegram Bot API on loopback. The citizen writes through the real wire formats: a signed Twilio webhook, a
Telegram update, and the web widget's socket.io events (``session_request`` then ``user_uttered``).

One Rasa server for the module (2-core machine); the restart test runs last and restarts it in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import socketio
from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.channels.identity import sender_key, telegram_secret_token
from bot.desk.rasa_api import RasaAPI, RasaRejected, RasaUnavailable
from tests.channels.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CHANNEL_KEY,
    RASA_TOKEN,
    TELEGRAM_TOKEN,
    TELEGRAM_USERNAME,
    TWILIO_NUMBER,
    Live,
    apply_channel_migration,
)
from tests.channels.fakes import FakeTelegram, FakeTwilio, telegram_message_update, twilio_form
from tests.web.test_handoff_desk import ALWAYS_OPEN, PASSWORD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECRET = telegram_secret_token(CHANNEL_KEY, TELEGRAM_TOKEN)
CASEWORKER = {"caseworker": "Sam"}
WAIT = 60


# --- the stack ------------------------------------------------------------------------------------------------------

@dataclass
class DeskStack(Live):
    port: int = 0
    start_rasa: Callable[[], subprocess.Popen] | None = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def restart_rasa(self) -> None:
        """Stop the Rasa server and start a new process on the same port (same database, same channel key)."""
        from bot.stack import stop_processes

        stop_processes([self.procs["rasa"]])
        self.procs["rasa"] = self.start_rasa()


@pytest.fixture(scope="module")
def stack(trained_model, tmp_path_factory) -> Iterator[DeskStack]:
    from bot.db import upgrade
    from bot.rasa_config import write_credentials, write_endpoints
    from bot.settings import PROJECT_ROOT, Settings
    from bot.stack import free_port, stop_processes, wait_until_up

    workdir = tmp_path_factory.mktemp("desk-push")
    database_url = f"sqlite:///{workdir / 'signpost.db'}"
    try:
        upgrade(database_url)
    except Exception:  # noqa: BLE001 - another branch mid-edit must not hide channel results
        apply_channel_migration(database_url)
    twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    telegram = FakeTelegram(TELEGRAM_TOKEN, TELEGRAM_USERNAME).start()
    settings = Settings(database_url=database_url, rasa_port=free_port(), action_port=free_port(),
                        desk_port=free_port())
    rasa_url = settings.rasa_url
    teams = workdir / "teams.yml"
    teams.write_text(ALWAYS_OPEN)  # caseworkers can take chats whenever the test runs
    env = {**os.environ, "DATABASE_URL": database_url, "SIGNPOST_CHANNEL_KEY": CHANNEL_KEY,
           "SIGNPOST_RASA_TOKEN": RASA_TOKEN, "PYTHONUNBUFFERED": "1",
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_NUMBER": TWILIO_NUMBER,
           "TWILIO_API_BASE": twilio.url,
           "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_VERIFY": TELEGRAM_USERNAME,
           "TELEGRAM_WEBHOOK_URL": f"{rasa_url}/webhooks/telegram/webhook", "TELEGRAM_API_BASE": telegram.url,
           "SIGNPOST_TEAMS_FILE": str(teams)}
    credentials = write_credentials(settings, workdir / "credentials.yml", env=env)
    endpoints = write_endpoints(settings, workdir / "endpoints.yml")
    logs = {"actions": workdir / "actions.log", "rasa": workdir / "rasa.log"}
    procs: dict[str, subprocess.Popen] = {}

    def start(name: str, cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=logs[name].open("a"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs[name] = proc
        return proc

    def start_rasa() -> subprocess.Popen:
        # what `signpost run` runs: the token comes from $SIGNPOST_RASA_TOKEN, not the command line
        proc = start("rasa", [sys.executable, "-m", "bot.rasa_ext.serve", "--enable-api", "--cors", "*",
                              "--interface", "127.0.0.1", "--port", str(settings.rasa_port),
                              "--model", str(trained_model), "--endpoints", str(endpoints),
                              "--credentials", str(credentials)])
        wait_until_up(f"{rasa_url}/", proc, logs["rasa"], timeout=300)
        return proc

    try:
        actions = start("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                    "--port", str(settings.action_port)])
        wait_until_up(f"http://127.0.0.1:{settings.action_port}/health", actions, logs["actions"], timeout=120)
        start_rasa()
        yield DeskStack(rasa_url=rasa_url, twilio=twilio, telegram=telegram, logs=logs,
                        database_url=database_url, port=settings.rasa_port, start_rasa=start_rasa, procs=procs)
    finally:
        stop_processes(list(procs.values()))
        twilio.stop()
        telegram.stop()


@pytest.fixture
async def rasa(stack) -> RasaAPI:
    async with aiohttp.ClientSession() as session:
        yield RasaAPI(session, stack.rasa_url, RASA_TOKEN)


async def until(predicate: Callable[[], Any], what: str, within: float = WAIT) -> Any:
    """Poll ``predicate`` (plain or async) until it returns something truthy."""
    try:
        async with asyncio.timeout(within):
            while True:
                result = predicate()
                if inspect.isawaitable(result):
                    result = await result
                if result:
                    return result
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out after {within}s waiting for {what}") from None


# --- citizens on each channel ---------------------------------------------------------------------------------------

class Citizen:
    channel: str
    sender_id: str

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def say(self, text: str) -> None:
        raise NotImplementedError

    def received(self) -> list[str]:
        raise NotImplementedError


class SmsCitizen(Citizen):
    channel = "twilio"

    def __init__(self, stack: DeskStack) -> None:
        self.stack = stack
        self.number = "+1902" + str(uuid.uuid4().int)[:7]  # unique: a reused number would share a conversation
        self.sender_id = sender_key(self.number, CHANNEL_KEY)

    async def say(self, text: str) -> None:
        form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, self.number, text, f"SM{uuid.uuid4().hex}")
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.stack.twilio_webhook, form)
        status, _ = await asyncio.to_thread(self.stack.post, self.stack.twilio_webhook, urlencode(form).encode(),
                                            {**FORM, "X-Twilio-Signature": signature})
        assert status == 200

    def received(self) -> list[str]:
        return self.stack.twilio.bodies(self.number)


class TelegramCitizen(Citizen):
    channel = "telegram"

    def __init__(self, stack: DeskStack) -> None:
        self.stack = stack
        self.chat = 10_000_000 + uuid.uuid4().int % 1_000_000
        self.sender_id = str(self.chat)

    async def say(self, text: str) -> None:
        update = telegram_message_update(uuid.uuid4().int % 10**9, self.chat, text)
        status, _ = await asyncio.to_thread(self.stack.post, self.stack.telegram_webhook, json.dumps(update).encode(),
                                            {"Content-Type": "application/json",
                                             "X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert status == 200

    def received(self) -> list[str]:
        return self.stack.telegram.texts(self.chat)


class WebCitizen(Citizen):
    """The web widget: socket.io with a persistent session id (credentials.yml: session_persistence, customData)."""

    channel = "socketio"

    def __init__(self, stack: DeskStack, transports: list[str]) -> None:
        self.stack = stack
        self.transports = transports
        self.sender_id = uuid.uuid4().hex
        self.messages: list[dict[str, Any]] = []
        self.confirmations = 0
        self.sio = socketio.AsyncClient(reconnection_delay=0.5, reconnection_delay_max=2, handle_sigint=False)

        @self.sio.on("connect")
        async def connect() -> None:  # like rasa-webchat: (re)join the session on every (re)connection
            await self.sio.emit("session_request", {"session_id": self.sender_id})

        @self.sio.on("session_confirm")
        async def session_confirm(session_id: str) -> None:
            assert session_id == self.sender_id
            self.confirmations += 1

        @self.sio.on("bot_uttered")
        async def bot_uttered(message: dict[str, Any]) -> None:
            self.messages.append(message)

    async def start(self) -> None:
        await self.sio.connect(self.stack.rasa_url, transports=self.transports, socketio_path="/socket.io",
                               wait_timeout=10)
        await until(lambda: self.confirmations, "session_confirm")

    async def stop(self) -> None:
        await self.sio.disconnect()

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.sender_id,
                                             "customData": {"language": "en"}})

    def received(self) -> list[str]:
        return [str(m.get("text") or "") for m in self.messages]


def make_citizen(stack: DeskStack, kind: str) -> Citizen:
    if kind == "sms":
        return SmsCitizen(stack)
    if kind == "telegram":
        return TelegramCitizen(stack)
    return WebCitizen(stack, kind.split("-", 1)[1].split(","))  # "socketio-polling,websocket": upgrade, like a browser


def greeted(citizen: Citizen, after: int = 0) -> bool:
    return any("Signpost" in text for text in citizen.received()[after:])


def user_texts(tracker: dict[str, Any]) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


# --- pause, caseworker message, silent bot, resume -------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("kind", ["sms", "telegram", "socketio-polling", "socketio-websocket"])
async def test_caseworker_reply_reaches_the_citizen_while_the_bot_is_paused(stack, rasa, kind):
    citizen = make_citizen(stack, kind)
    await citizen.start()
    try:
        await citizen.say("hi")
        await until(lambda: greeted(citizen), f"the greeting on {kind}")
        tracker = await rasa.get_tracker(citizen.sender_id)
        assert tracker["latest_input_channel"] == citizen.channel
        if isinstance(citizen, WebCitizen):  # websocket works on Python 3.11 (bot.rasa_ext.serve's Sanic fix)
            assert citizen.sio.transport() == citizen.transports[-1]

        state = await rasa.pause(citizen.sender_id)
        assert state["paused"] is True

        text = f"Hello, this is Sam, a caseworker ({kind})."
        state = await rasa.send_text(citizen.sender_id, text, metadata=CASEWORKER)
        await until(lambda: text in citizen.received(), f"the caseworker message on {kind}")
        # the events endpoint answers with the tracker state; the BotUttered keeps its metadata, stored too
        assert state["sender_id"] == citizen.sender_id and state["paused"] is True
        bot = [e for e in state["events"] if e["event"] == "bot"][-1]
        assert bot["text"] == text and bot["metadata"].items() >= CASEWORKER.items()  # Rasa adds model_id too
        stored = [e for e in (await rasa.get_tracker(citizen.sender_id))["events"] if e["event"] == "bot"][-1]
        assert stored["text"] == text and stored["metadata"].items() >= CASEWORKER.items()

        # paused: the citizen's message is stored, the bot says nothing
        count = len(citizen.received())
        question = "My landlord wants me out by Friday"
        await citizen.say(question)

        async def stored_question() -> bool:
            return question in user_texts(await rasa.get_tracker(citizen.sender_id))

        await until(stored_question, "the citizen's message in the tracker")
        await asyncio.sleep(2)
        assert citizen.received()[count:] == []
        tracker = await rasa.get_tracker(citizen.sender_id)
        assert tracker["paused"] is True and tracker["latest_message"]["text"] == question

        # handed back: the bot answers again
        state = await rasa.resume(citizen.sender_id)
        assert state["paused"] is False
        await citizen.say("hi")
        await until(lambda: greeted(citizen, after=count), f"the bot's answer after resume on {kind}")
    finally:
        await citizen.stop()


@dataclass
class DeskSession:
    """The desk app in this test's loop, a caseworker logged in, and the engine on the stack's database."""

    url: str
    http: aiohttp.ClientSession
    csrf: str
    engine: Any

    async def post(self, path: str, **data: str) -> int:
        async with self.http.post(f"{self.url}{path}", data={"csrf": self.csrf, **data},
                                  allow_redirects=False) as done:
            return done.status


@contextlib.asynccontextmanager
async def desk_session(stack: DeskStack, monkeypatch) -> AsyncIterator[DeskSession]:
    import re

    from bot.db import make_engine
    from bot.desk.app import create_app
    from bot.desk.users import UserError, create_user
    from bot.settings import Settings
    from bot.stack import free_port

    monkeypatch.setenv("SIGNPOST_CHANNEL_KEY", CHANNEL_KEY)
    monkeypatch.setenv("SIGNPOST_TEAMS_FILE", str(stack.logs["rasa"].parent / "teams.yml"))  # the fixture's
    engine = make_engine(stack.database_url)
    try:
        create_user(engine, "jo", PASSWORD, display_name="Jo Tremblay")
    except UserError:
        pass  # created by an earlier test of the module
    runner = web.AppRunner(create_app(Settings(database_url=stack.database_url, rasa_port=stack.port,
                                               rasa_token=RASA_TOKEN)))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            form = await (await http.get(f"{url}/desk/login")).text()
            token = re.search(r'name="csrf" value="([^"]+)"', form)[1]
            await http.post(f"{url}/desk/login", data={"csrf": token, "username": "jo", "password": PASSWORD})
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', await (await http.get(f"{url}/desk")).text())[1]
            yield DeskSession(url, http, csrf, engine)
    finally:
        await runner.cleanup()
        engine.dispose()


async def queue_for_a_person(citizen: Citizen, kind: str) -> None:
    await citizen.say("I lost my job in Halifax")
    await until(lambda: len(citizen.received()) >= 1, f"the bot's answer on {kind}")
    await citizen.say("person")
    await until(lambda: any("Is that OK" in t for t in citizen.received()), f"the consent question on {kind}")
    await citizen.say("yes")
    await until(lambda: any("number 1 in line" in t for t in citizen.received()), f"the queue on {kind}")


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["sms", "telegram", "socketio-polling"])
async def test_the_whole_handoff_through_the_desk_on_each_channel(stack, kind, monkeypatch):
    """A citizen asks for a person on their channel; the desk claims, replies and closes; every step reaches them."""
    from bot.handoff import store

    citizen = make_citizen(stack, kind)
    await citizen.start()
    try:
        async with desk_session(stack, monkeypatch) as desk:
            await queue_for_a_person(citizen, kind)
            handoff = store.open_handoff(desk.engine, citizen.sender_id)
            assert handoff.channel == citizen.channel

            assert await desk.post(f"/desk/handoffs/{handoff.id}/claim") == 303
            await until(lambda: any("Jo Tremblay" in t for t in citizen.received()), f"the greeting on {kind}")
            reply = f"I can help with Employment Insurance ({kind})."
            assert await desk.post(f"/desk/handoffs/{handoff.id}/reply", text=reply) == 303
            await until(lambda: any(reply in t for t in citizen.received()), f"the reply on {kind}")
            assert await desk.post(f"/desk/handoffs/{handoff.id}/close", disposition="resolved",
                                   avoidable="unavoidable") == 303
            await until(lambda: any("satisfied" in t for t in citizen.received()), f"the exit survey on {kind}")
    finally:
        await citizen.stop()


@pytest.mark.integration
async def test_a_close_while_rasa_is_down_hands_back_once_rasa_is_back(stack, monkeypatch):
    """The caseworker's close is kept; the desk retries the hand-back until Rasa answers; the survey follows."""
    from bot.handoff import store
    from bot.stack import stop_processes

    citizen = make_citizen(stack, "sms")
    async with desk_session(stack, monkeypatch) as desk:
        await queue_for_a_person(citizen, "sms")
        handoff = store.open_handoff(desk.engine, citizen.sender_id)
        assert await desk.post(f"/desk/handoffs/{handoff.id}/claim") == 303
        await until(lambda: any("Jo Tremblay" in t for t in citizen.received()), "the greeting")

        stop_processes([stack.procs["rasa"]])
        assert await desk.post(f"/desk/handoffs/{handoff.id}/close", disposition="referred",
                               avoidable="should_have_been_online") == 303
        closed = store.get_handoff(desk.engine, handoff.id)
        assert (closed.status, closed.disposition, closed.failure_type) == ("closed", "referred",
                                                                            "should_have_been_online")
        assert closed.handed_back_at is None  # postponed, not lost

        await asyncio.to_thread(stack.restart_rasa)
        await until(lambda: store.get_handoff(desk.engine, handoff.id).handed_back_at, "the retried hand-back")
        await until(lambda: any("satisfied" in t for t in citizen.received()), "the exit survey after the retry")


@pytest.mark.integration
async def test_trigger_intent_answers_on_the_latest_channel(stack, rasa):
    citizen = SmsCitizen(stack)
    await citizen.say("hi")
    await until(lambda: greeted(citizen), "the greeting")
    answer = await rasa.trigger_intent(citizen.sender_id, "greet")
    assert "messages" not in answer  # sent on the channel, not collected
    assert answer["tracker"]["sender_id"] == citizen.sender_id
    await until(lambda: len(citizen.received()) >= 2 and greeted(citizen, after=1), "the triggered greeting")


@pytest.mark.integration
async def test_rasa_refusals_are_rasa_rejected_with_rasa_s_message_and_no_token(stack, rasa, caplog):
    with pytest.raises(RasaRejected) as err:
        await rasa.trigger_intent("nobody-" + uuid.uuid4().hex, "no_such_intent_at_all")
    assert err.value.status == 404 and err.value.reason == "NotFound"
    with pytest.raises(RasaRejected) as err:
        await rasa.append_events("nobody-" + uuid.uuid4().hex, [{"event": "no-such-event"}])
    assert err.value.status == 400 and err.value.reason == "BadRequest"
    async with aiohttp.ClientSession() as session:
        wrong = RasaAPI(session, stack.rasa_url, "not-" + RASA_TOKEN)
        with pytest.raises(RasaRejected) as err:
            await wrong.get_tracker("someone")
        assert err.value.status == 401
        assert "not-" + RASA_TOKEN not in str(err.value) and "not-" + RASA_TOKEN not in caplog.text
    assert RASA_TOKEN not in caplog.text


@pytest.mark.integration
async def test_rasa_3_6_does_not_unquote_conversation_ids_so_the_client_refuses_them(stack, rasa):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.rasa_url}/conversations/a%20b/tracker", params={"token": RASA_TOKEN}) as resp:
            assert (await resp.json())["sender_id"] == "a%20b"  # not "a b": another conversation
    with pytest.raises(ValueError):
        await rasa.get_tracker("a b")
    with pytest.raises(ValueError):
        await rasa.send_text("a/b", "hello")
    assert (await rasa.get_tracker("-100123_Ab.c~d"))["sender_id"] == "-100123_Ab.c~d"


# --- after a restart of the Rasa server (runs last: it restarts the module's server) --------------------------------

@pytest.mark.integration
async def test_push_reaches_every_channel_after_the_rasa_server_restarts(stack, rasa):
    citizens = [make_citizen(stack, kind) for kind in ("sms", "telegram", "socketio-polling,websocket")]
    for citizen in citizens:
        await citizen.start()
    try:
        for citizen in citizens:
            await citizen.say("hi")
        for citizen in citizens:
            await until(lambda c=citizen: greeted(c), f"the greeting on {citizen.channel}")
        web_citizen = citizens[2]
        await until(lambda: web_citizen.sio.transport() == "websocket", "the upgrade to websocket")
        confirmed = web_citizen.confirmations

        await asyncio.to_thread(stack.restart_rasa)  # a new process: no number cached, no socket in memory

        # the widget reconnects by itself and asks for its session again
        await until(lambda: web_citizen.confirmations > confirmed, "the widget's session after the restart")
        for citizen in citizens:
            text = f"Sam again, after a restart ({citizen.channel})."
            await rasa.send_text(citizen.sender_id, text, metadata=CASEWORKER)
            await until(lambda c=citizen, t=text: t in c.received(), f"the push on {citizen.channel}")
        # SMS: the number came from the encrypted vault, not from the memory of the old process
        assert stack.twilio.to(citizens[0].number)[-1]["To"] == citizens[0].number
    finally:
        for citizen in citizens:
            await citizen.stop()


# --- the client against things that are not a healthy Rasa (no server needed) --------------------------------------

async def _serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def test_connection_refused_is_rasa_unavailable_without_the_token(caplog):
    from bot.stack import free_port

    async with aiohttp.ClientSession() as session:
        api = RasaAPI(session, f"http://127.0.0.1:{free_port()}", "s3cret-token")
        with pytest.raises(RasaUnavailable) as err:
            await api.send_text("sms-abc", "hello")
    assert err.value.status is None
    assert "s3cret-token" not in str(err.value) and "s3cret-token" not in caplog.text
    assert "s3cret-token" not in repr(api)


async def test_timeout_and_5xx_are_rasa_unavailable_4xx_is_rasa_rejected(caplog):
    seen: list[web.Request] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request)
        if "slow" in request.path:
            await asyncio.sleep(5)
        if "broken" in request.path:
            return web.json_response({"status": "failure", "reason": "ConversationError",
                                      "message": "An unexpected error occurred. token=s3cret-token"}, status=500)
        if "refused" in request.path:
            return web.json_response({"status": "failure", "reason": "BadRequest", "message": "no such event"},
                                     status=400)
        return web.json_response({"sender_id": request.match_info["tail"].split("/")[1], "events": []})

    runner, url = await _serve(handler)
    try:
        async with aiohttp.ClientSession() as session:
            api = RasaAPI(session, url, "s3cret-token", timeout=0.5)
            with pytest.raises(RasaUnavailable):
                await api.get_tracker("slow")
            with pytest.raises(RasaUnavailable) as err:
                await api.pause("broken")
            assert err.value.status == 500 and "unexpected error occurred. token=***" in str(err.value)
            with pytest.raises(RasaRejected) as rejected:
                await api.resume("refused")
            assert rejected.value.status == 400 and rejected.value.reason == "BadRequest"
            assert rejected.value.rasa_message == "no such event"
            assert (await api.get_tracker("sms-0123abcd"))["sender_id"] == "sms-0123abcd"
            with pytest.raises(ValueError):
                await api.send_text("sms-0123abcd", "hello", metadata={"text": "overwritten"})
    finally:
        await runner.cleanup()
    assert "s3cret-token" not in caplog.text
    paused = [r for r in seen if "broken" in r.path][0]
    assert paused.query["token"] == "s3cret-token" and paused.query["execute_side_effects"] == "false"
    assert [r.path for r in seen if "refused" in r.path] == ["/conversations/refused/tracker/events"]
