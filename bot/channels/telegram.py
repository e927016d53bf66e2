"""Telegram: Rasa's ``telegram`` channel (same name, same ``/webhooks/telegram/webhook`` path) with 3.6's gaps fixed.

- The output channel is created once and cached. Rasa 3.6 builds a new one per call and runs ``asyncio.run`` on
  ``set_webhook`` inside the server's running loop (RasaHQ/rasa#13040), which breaks any push through the HTTP API
  (``output_channel=latest``), e.g. a caseworker reply. Here the webhook is set once, after the server starts.
- Updates are authenticated with the webhook ``secret_token`` (header ``X-Telegram-Bot-Api-Secret-Token``), not with
  a ``getMe`` round-trip per message; forged or unsigned updates get 403.
- Each ``update_id`` is processed once; Telegram gets its 200 at once and the update is handled in the background.
- Buttons are an inline keyboard (one button per row). Their ``callback_data`` is a keyed digest of the payload,
  resolved from the database, so long payloads fit Telegram's 64-byte limit and clients cannot inject intents.
- Bad input (empty, too long, binary, emoji-only, sticker/photo/voice) gets a clear reply; malformed JSON, a non-update
  or an update without a chat gets a 4xx.
- ``TELEGRAM_API_BASE`` (credentials ``api_base``) points the bot at another Bot API server (a local one, a fake).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import sms
from bot.channels.common import Background, make_store, secret_key
from bot.channels.identity import short_digest, telegram_secret_token
from bot.channels.inbound import check_text
from bot.channels.messages import GREETING, TELEGRAM, WANTS_PERSON
from bot.channels.store import ChannelStore

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one text message
SECRET_HEADER = "x-telegram-bot-api-secret-token"
CALLBACK_PREFIX = "sp:"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class SignpostTelegramOutput(TelegramOutput):
    """Rasa's Telegram output with vertical inline keyboards, digest callback data, splitting and no crashes."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, access_token: str, *, store: ChannelStore, key: str, api_base: str | None = None) -> None:
        server = TelegramAPIServer.from_base(api_base) if api_base else TELEGRAM_PRODUCTION
        # TelegramOutput.__init__ only passes the token; call Bot's to choose the API server.
        super(TelegramOutput, self).__init__(access_token, server=server)
        self.store = store
        self.key = key

    async def _safely(self, what: str, call: Awaitable[Any]) -> Any:
        try:
            return await call
        except TelegramAPIError as exc:  # blocked by the user, chat gone, flood control...
            logger.warning("telegram: %s failed: %s", what, exc)
        except Exception:  # noqa: BLE001 - a failed send must not take the conversation down
            logger.exception("telegram: %s failed", what)
        return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for block in text.strip().split("\n\n"):
            for part in sms.split_text(block, MAX_MESSAGE_CHARS):
                await self._safely("sendMessage", self.send_message(recipient_id, part))

    async def callback_data(self, payload: str) -> str:
        key = short_digest(payload, self.key)
        await self.store.call(self.store.save_payload, key, payload)
        return CALLBACK_PREFIX + key

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     button_type: str | None = "vertical", **kwargs: Any) -> None:
        if button_type == "reply":
            await super().send_text_with_buttons(recipient_id, text, buttons, button_type="reply", **kwargs)
            return
        markup = InlineKeyboardMarkup()
        row: list[InlineKeyboardButton] = []
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "")[:64] or "?"
            payload = str(button.get("payload") or title)
            try:
                data = await self.callback_data(payload)
            except Exception:  # noqa: BLE001 - without the table, short payloads still work
                logger.exception("telegram: could not store a button payload")
                data = payload if len(payload.encode()) <= 64 else title[:32]
            item = InlineKeyboardButton(title, callback_data=data)
            if button_type == "inline":
                row.append(item)
            else:
                markup.row(item)
        if row:
            markup.row(*row)
        parts = sms.split_text(text.strip() or "Please choose:", MAX_MESSAGE_CHARS)
        for part in parts[:-1]:
            await self._safely("sendMessage", self.send_message(recipient_id, part))
        await self._safely("sendMessage", self.send_message(recipient_id, parts[-1], reply_markup=markup))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._safely("sendPhoto", self.send_photo(recipient_id, image))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._safely("custom payload", super().send_custom_json(recipient_id, json_message, **kwargs))

    async def set_webhook_with_secret(self, url: str, secret_token: str) -> bool:
        """``setWebhook`` with ``secret_token`` (aiogram 2.15 predates that parameter, so call the method directly)."""
        payload = {"url": url, "secret_token": secret_token, "allowed_updates": json.dumps(ALLOWED_UPDATES)}
        return bool(await self.request("setWebhook", payload))

    async def close_session(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class SignpostTelegramInput(TelegramInput):
    """Telegram webhook with a cached output channel, secret-token check, de-duplication and background handling."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> SignpostTelegramInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials  # Rasa's raise_missing_credentials_exception raised (it is untyped: the checker cannot tell)
        if not credentials.get("access_token"):
            from rasa.shared.exceptions import RasaException

            raise RasaException("the telegram channel needs access_token in credentials.yml")
        return cls(
            credentials["access_token"], credentials.get("verify"), credentials.get("webhook_url"),
            key=secret_key(credentials),
            store=make_store(credentials),
            api_base=credentials.get("api_base") or None,
            secret_token=credentials.get("secret_token") or None,
        )

    def __init__(self, access_token: str, verify: str | None, webhook_url: str | None, debug_mode: bool = False, *,
                 key: str, store: ChannelStore, api_base: str | None = None,
                 secret_token: str | None = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=False)
        self.key = key
        self.store = store
        self.api_base = api_base
        self.secret_token = secret_token or telegram_secret_token(key, access_token)
        self.background = Background()
        self._output: SignpostTelegramOutput | None = None

    def get_output_channel(self) -> SignpostTelegramOutput:
        """The one output channel of this input (no ``asyncio.run``: safe inside the server's loop)."""
        if self._output is None:
            self._output = SignpostTelegramOutput(self.access_token, store=self.store, key=self.key,
                                                  api_base=self.api_base)
        return self._output

    async def setup_webhook(self) -> bool:
        """Point Telegram at ``webhook_url`` with our secret token, and check the token's bot is ``verify``."""
        output = self.get_output_channel()
        ok = True
        if self.verify:
            me = await output._safely("getMe", output.get_me())
            if me is None or me.username != self.verify:
                logger.error("telegram: the access token does not belong to bot %r", self.verify)
                ok = False
        if self.webhook_url:
            done = await output._safely("setWebhook", output.set_webhook_with_secret(self.webhook_url,
                                                                                      self.secret_token))
            if done:
                logger.info("telegram: webhook set")
            else:
                logger.error("telegram: could not set the webhook; updates will not arrive")
                ok = False
        return ok

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def set_webhook_on_start(_app, _loop) -> None:
            await self.setup_webhook()

        @telegram_webhook.listener("before_server_stop")
        async def close_on_stop(_app, _loop) -> None:
            await self.background.drain(grace=5)
            if self._output is not None:
                await self._output.close_session()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/set_webhook", methods=["POST"])
        async def set_webhook(_: Request) -> HTTPResponse:
            if await self.setup_webhook():
                return response.text("Webhook setup successful")
            return response.text("Webhook setup failed", status=502)

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            try:
                return await self.accept(body=request.body, secret=request.headers.get(SECRET_HEADER),
                                         on_new_message=on_new_message)
            except Exception:  # noqa: BLE001 - a 5xx would make Telegram redeliver
                logger.exception("telegram: webhook failed")
                return response.text("success")

        return telegram_webhook

    async def accept(self, *, body: bytes, secret: str | None,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Check one update and answer Telegram; the update itself is handled in the background."""
        if not secret or not hmac.compare_digest(secret.encode(), self.secret_token.encode()):
            return response.text("invalid secret token", status=403)
        try:
            update = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError):
            return response.text("malformed JSON", status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return response.text("not a Telegram update", status=400)
        parsed = parse_update(update)
        if parsed is None:
            return response.text("success")  # an update kind we do not handle (chat member changes, polls...)
        if "error" in parsed:
            return response.text(parsed["error"], status=400)
        if parsed.get("from_bot"):
            return response.text("success")
        try:
            first_time = await self.store.call(self.store.claim_message, CHANNEL, str(update["update_id"]))
        except Exception:  # noqa: BLE001 - without the table we still answer the citizen
            logger.exception("telegram: could not record update_id; processing anyway")
            first_time = True
        if not first_time:
            logger.info("telegram: duplicate update %s ignored", update["update_id"])
            return response.text("success")
        self.background.spawn(self.handle(parsed, str(update["update_id"]), on_new_message),
                              f"telegram update {update['update_id']}")
        return response.text("success")

    async def handle(self, parsed: dict[str, Any], update_id: str,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        output = self.get_output_channel()
        chat_id = parsed["chat_id"]
        try:
            text = await self._text_for_bot(parsed, output)
            if text is None:
                return
            await on_new_message(UserMessage(text, output, chat_id, input_channel=CHANNEL, message_id=update_id))
        except Exception:  # noqa: BLE001 - log and tell the citizen; never crash the server
            logger.exception("telegram: handling update %s failed", update_id)
            await output.send_text_message(chat_id, TELEGRAM["error"])

    async def _text_for_bot(self, parsed: dict[str, Any], output: SignpostTelegramOutput) -> str | None:
        chat_id = parsed["chat_id"]
        if parsed["kind"] == "button":
            if parsed.get("callback_id"):
                await output._safely("answerCallbackQuery", output.answer_callback_query(parsed["callback_id"]))
            data = parsed.get("data") or ""
            if data.startswith(CALLBACK_PREFIX):
                payload = await self.store.call(self.store.payload, data[len(CALLBACK_PREFIX):])
                if payload:
                    return payload
            await output.send_text_message(chat_id, TELEGRAM["expired_button"])
            return None
        text = parsed.get("text")
        if text is None:
            reply = {"location": "location", "venue": "location", "sticker": "emoji_only"}.get(
                parsed.get("content", ""), "not_text")
            await output.send_text_message(chat_id, TELEGRAM[reply])
            return None
        if not isinstance(text, str):
            await output.send_text_message(chat_id, TELEGRAM["unreadable"])
            return None
        command = text.strip().split("@")[0].lower() if text.strip().startswith("/") else ""
        if command == "/start":
            return GREETING
        if command == "/help":
            await output.send_text_message(chat_id, TELEGRAM["help"])
            return None
        if command == "/agent" or sms.keyword(text) == "agent":
            return WANTS_PERSON
        checked = check_text(text, MAX_MESSAGE_CHARS)
        if checked.problem is not None:
            await output.send_text_message(chat_id, TELEGRAM[checked.problem])
            return None
        return checked.text


_CONTENT_KINDS = ("location", "venue", "sticker", "photo", "voice", "audio", "video", "video_note", "document",
                  "animation", "contact", "poll", "dice")


def _chat_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return value
    return None


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (Telegram's fields are optional)."""
    return value if isinstance(value, dict) else {}


def parse_update(update: Mapping[str, Any]) -> dict[str, Any] | None:
    """The parts of a Bot API ``Update`` the bot uses, read defensively from the raw JSON.

    Returns None for update kinds Signpost ignores, ``{"error": ...}`` when the update is unusable (no chat),
    else ``{"kind": "message"|"button", "chat_id", "text"|"data", "content", "from_bot", "callback_id"}``.
    """
    callback = update.get("callback_query")
    if callback is not None:
        if not isinstance(callback, dict):
            return {"error": "malformed callback_query"}
        pressed_in = _object(_object(callback.get("message")).get("chat"))
        presser = _object(callback.get("from"))
        chat_id = _chat_id(pressed_in.get("id")) or _chat_id(presser.get("id"))
        if chat_id is None:
            return {"error": "unknown sender"}
        data = callback.get("data")
        return {"kind": "button", "chat_id": chat_id, "data": data if isinstance(data, str) else None,
                "callback_id": callback.get("id") if isinstance(callback.get("id"), str) else None,
                "from_bot": bool(presser.get("is_bot"))}
    message = update.get("message", update.get("edited_message"))
    if message is None:
        return None
    if not isinstance(message, dict):
        return {"error": "malformed message"}
    chat = message.get("chat")
    chat_id = _chat_id(chat.get("id")) if isinstance(chat, dict) else None
    if chat_id is None:
        return {"error": "unknown sender"}
    sender = _object(message.get("from"))
    content = next((k for k in _CONTENT_KINDS if k in message), "text")
    return {"kind": "message", "chat_id": chat_id, "text": message.get("text"), "content": content,
            "from_bot": bool(sender.get("is_bot"))}
