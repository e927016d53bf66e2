"""Fake Twilio REST API and fake Telegram Bot API on loopback: the channels are mocked only at the HTTP edge.

Each fake is a real aiohttp server in its own thread and event loop, speaking the real wire format (Twilio: form
fields and basic auth on ``/2010-04-01/Accounts/{sid}/Messages.json``; Telegram: ``/bot{token}/{method}`` with form
or JSON parameters and ``{"ok": ..., "result": ...}`` answers). They record what they receive for the tests to read.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web


class FakeServer:
    def __init__(self) -> None:
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._lock = threading.RLock()

    def app(self) -> web.Application:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)

            async def up() -> None:
                self._runner = web.AppRunner(self.app())
                await self._runner.setup()
                site = web.TCPSite(self._runner, "127.0.0.1", 0)
                await site.start()
                self.port = site._server.sockets[0].getsockname()[1]

            self._loop.run_until_complete(up())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name=type(self).__name__)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                result = predicate()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class FakeTwilio(FakeServer):
    """``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with basic auth ``sid:token``, like api.twilio.com."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []
        self.requests = 0
        self.failures: list[tuple[int, int]] = []  # (HTTP status, Twilio error code) to answer next
        self._sids = itertools.count(1)

    def to(self, number: str) -> list[dict[str, str]]:
        with self._lock:
            return [m for m in self.messages if m["To"] == number]

    def bodies(self, number: str) -> list[str]:
        return [m["Body"] for m in self.to(number)]

    def fail_next(self, status: int, code: int) -> None:
        with self._lock:
            self.failures.append((status, code))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.create_message)
        return app

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return web.json_response({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                                  "status": status}, status=status)

    async def create_message(self, request: web.Request) -> web.Response:
        with self._lock:
            self.requests += 1
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected or request.match_info["sid"] != self.account_sid:
            return self._error(401, 20003, "Authenticate")
        form = await request.post()
        with self._lock:
            if self.failures:
                status, code = self.failures.pop(0)
                return self._error(status, code, "simulated failure")
        if not form.get("To") or not form.get("From"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return self._error(400, 21602, "Message body is required.")
        if len(form.get("Body", "")) > 1600:
            return self._error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        sid = f"SM{next(self._sids):032x}"
        record = {"To": form["To"], "From": form["From"], "Body": form.get("Body", ""), "sid": sid}
        with self._lock:
            self.messages.append(record)
        return web.json_response({
            "sid": sid, "account_sid": self.account_sid, "to": form["To"], "from": form["From"],
            "body": form.get("Body", ""), "status": "queued", "num_segments": "1", "direction": "outbound-api",
            "api_version": "2010-04-01", "date_created": "Mon, 23 Nov 2026 10:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }, status=201)


class FakeTelegram(FakeServer):
    """``POST /bot{token}/{method}`` like api.telegram.org (getMe, setWebhook, sendMessage, answerCallbackQuery...)."""

    def __init__(self, token: str, username: str) -> None:
        super().__init__()
        self.token = token
        self.username = username
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.blocked_chats: set[str] = set()
        self._message_ids = itertools.count(100)

    def sent(self, chat_id: int | str) -> list[dict[str, Any]]:
        with self._lock:
            return [p for m, p in self.calls if m == "sendmessage" and str(p.get("chat_id")) == str(chat_id)]

    def texts(self, chat_id: int | str) -> list[str]:
        return [p.get("text", "") for p in self.sent(chat_id)]

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [p for m, p in self.calls if m == method.lower()]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.method)
        return app

    @staticmethod
    def _fail(code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._fail(401, "Unauthorized")
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        for key in ("reply_markup", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        method = request.match_info["method"].lower()
        with self._lock:
            self.calls.append((method, params))
        if method == "getme":
            return web.json_response({"ok": True, "result": {"id": int(self.token.split(":")[0]), "is_bot": True,
                                                             "first_name": "Signpost", "username": self.username}})
        if method in {"setwebhook", "deletewebhook", "answercallbackquery"}:
            return web.json_response({"ok": True, "result": True})
        if method == "sendmessage":
            text = str(params.get("text", ""))
            if not text.strip():
                return self._fail(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return self._fail(400, "Bad Request: message is too long")
            if str(params.get("chat_id")) in self.blocked_chats:
                return self._fail(403, "Forbidden: bot was blocked by the user")
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if len(str(button.get("callback_data", "")).encode()) > 64:
                        return self._fail(400, "Bad Request: BUTTON_DATA_INVALID")
            return web.json_response({"ok": True, "result": {
                "message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": text}})
        if method == "sendphoto":
            return web.json_response({"ok": True, "result": {
                "message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "photo": []}})
        return self._fail(404, "Not Found: method not found")


# --- real-format inbound payloads ------------------------------------------------------------------------------------

def twilio_form(account_sid: str, to: str, sender: str, body: str, message_sid: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts to an SMS webhook (field set of a real inbound SMS)."""
    form = {
        "ToCountry": "CA", "ToState": "NS", "SmsMessageSid": message_sid, "NumMedia": "0", "ToCity": "HALIFAX",
        "FromZip": "", "SmsSid": message_sid, "FromState": "NS", "SmsStatus": "received", "FromCity": "HALIFAX",
        "Body": body, "FromCountry": "CA", "To": to, "ToZip": "", "NumSegments": "1", "MessageSid": message_sid,
        "AccountSid": account_sid, "From": sender, "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def telegram_message_update(update_id: int, chat_id: int, text: str | None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id + 1000,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"},
        "chat": {"id": chat_id, "first_name": "Ada", "type": "private"},
        "date": int(time.time()),
    }
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": update_id, "message": message}


def telegram_callback_update(update_id: int, chat_id: int, data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"{update_id}77",
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"},
        "message": {"message_id": 5, "date": int(time.time()),
                    "chat": {"id": chat_id, "first_name": "Ada", "type": "private"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Signpost", "username": "signpost_bot"},
                    "text": "Which one?"},
        "chat_instance": "-1234567890", "data": data}}
