"""SMS through Twilio: Rasa's ``twilio`` channel (same name, same ``/webhooks/twilio/webhook`` path) with its gaps fixed.

Inbound (``SignpostTwilioInput``):
- ``X-Twilio-Signature`` is validated with twilio's ``RequestValidator`` over the raw form (blank fields included,
  as Twilio signs them); missing or wrong → 403. A form for another account → 403.
- Each ``MessageSid`` is processed once (recorded in ``channel_processed_message``); Twilio gets an empty TwiML
  200 at once and the message is handled in the background, so a slow turn never times out into a retry, and
  nothing is re-raised.
- The sender is known to Rasa only as a keyed hash (``sms-…``); the number is kept Fernet-encrypted.
- Keywords: STOP/UNSUBSCRIBE/… (opt-out, confirmed once), START (opt back in), HELP, AGENT/PERSON (passed to the
  bot as "I want to talk to a person"). A numeric reply maps back to the payload of the buttons last offered.
- Bad input (empty, too long, binary, emoji-only, media only) gets a clear reply; malformed form or unknown sender
  gets a 4xx.

Outbound (``SignpostTwilioOutput``): async HTTP client (never blocks the loop), GSM-7 friendly text split at
sentence boundaries, buttons as "Reply 1 for …", nothing sent to an opted-out number. The output channel is
cached, so a caseworker message pushed with ``output_channel=latest`` goes out the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from multidict import MultiDict
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels import sms
from bot.channels.common import Background, make_store, secret_key
from bot.channels.identity import NumberVault, normalise_address, sender_key
from bot.channels.inbound import check_text
from bot.channels.messages import SMS, WANTS_PERSON
from bot.channels.store import ChannelStore

logger = logging.getLogger(__name__)

CHANNEL = "twilio"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_INBOUND_CHARS = sms.MAX_SMS_BODY
OPTED_OUT_AT_TWILIO = 21610  # "Attempt to send to unsubscribed recipient"

# twilio's HTTP client logs every request (with the destination number) at INFO: keep it quiet.
_twilio_http_logger = logging.getLogger("signpost.twilio.http")
_twilio_http_logger.setLevel(logging.WARNING)


def twiml(status: int = 200) -> HTTPResponse:
    return response.text(EMPTY_TWIML, status=status, content_type="text/xml")


class SignpostTwilioOutput(OutputChannel):
    """Sends SMS with Twilio's async client; recipients are hashed sender keys, resolved to numbers here only."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, *, store: ChannelStore,
                 vault: NumberVault, api_base: str | None = None, max_segments: int = 1,
                 timeout: float = 15, retries: int = 3) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.store = store
        self.vault = vault
        self.api_base = api_base
        self.max_segments = max_segments
        self.timeout = timeout
        self.retries = retries
        self._client = None
        self._numbers: dict[str, str] = {}

    def _twilio(self):
        # Created on first use, inside the running loop (the aiohttp session binds to it).
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient
            from twilio.rest import Client

            http = AsyncTwilioHttpClient(timeout=self.timeout, logger=_twilio_http_logger)
            client = Client(self.account_sid, self.auth_token, http_client=http)
            if self.api_base:
                client.api.base_url = self.api_base.rstrip("/")
            self._client = client
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None

    def remember(self, key: str, number: str) -> None:
        self._numbers[key] = number

    async def _number(self, key: str) -> str | None:
        if key in self._numbers:
            return self._numbers[key]
        sealed = await self.store.call(self.store.contact_number, key)
        number = self.vault.open(sealed) if sealed else None
        if number:
            self._numbers[key] = number
        return number

    async def _create(self, key: str, number: str, body: str) -> bool:
        from twilio.base.exceptions import TwilioRestException

        for attempt in range(self.retries):
            try:
                await self._twilio().messages.create_async(to=number, from_=self.twilio_number, body=body)
                return True
            except TwilioRestException as exc:
                if exc.code == OPTED_OUT_AT_TWILIO:  # Twilio's own opt-out list: keep ours in step
                    logger.info("twilio: %s has opted out at Twilio; recorded", key)
                    await self.store.call(self.store.set_opted_out, key, True)
                    return False
                if exc.status == 429 or exc.status >= 500:
                    logger.warning("twilio: send failed with HTTP %s (attempt %d)", exc.status, attempt + 1)
                else:
                    logger.error("twilio: send refused: HTTP %s, code %s", exc.status, exc.code)
                    return False
            except (aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("twilio: send failed: %s (attempt %d)", type(exc).__name__, attempt + 1)
            except Exception:  # noqa: BLE001 - sending must never take the conversation down
                logger.exception("twilio: unexpected error while sending")
                return False
            await asyncio.sleep(0.5 * 2 ** attempt)
        logger.error("twilio: message not sent after %d attempts", self.retries)
        return False

    async def send_sms(self, recipient_id: str, text: str, *, force: bool = False) -> int:
        """Send ``text`` as one or more SMS; returns how many parts went out. ``force`` ignores the opt-out
        (only for the STOP confirmation and HELP)."""
        if not force and await self.store.call(self.store.is_opted_out, recipient_id):
            logger.info("twilio: %s has opted out; message not sent", recipient_id)
            return 0
        number = await self._number(recipient_id)
        if not number:
            logger.warning("twilio: no number known for %s; message not sent", recipient_id)
            return 0
        sent = 0
        for part in sms.split_sms(sms.gsm_friendly(text), self.max_segments):
            if not await self._create(recipient_id, number, part):
                break
            sent += 1
        return sent

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_sms(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        if buttons:
            try:
                await self.store.call(self.store.offer_buttons, CHANNEL, recipient_id, buttons)
            except Exception:  # noqa: BLE001 - the text still goes out; a number reply then reaches the bot as is
                logger.exception("twilio: could not remember the offered buttons")
        await self.send_sms(recipient_id, sms.render_buttons(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_sms(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.send_sms(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        text = json_message.get("text") or json_message.get("body")
        if isinstance(text, str) and text.strip():
            await self.send_sms(recipient_id, text)
        else:
            logger.debug("twilio: custom payload without text not sent by SMS")


class SignpostTwilioInput(TwilioInput):
    """Twilio webhook with signature validation, de-duplication, keywords and background handling."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> SignpostTwilioInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials  # Rasa's raise_missing_credentials_exception raised (it is untyped: the checker cannot tell)
        missing = [k for k in ("account_sid", "auth_token", "twilio_number") if not credentials.get(k)]
        if missing:
            from rasa.shared.exceptions import RasaException

            raise RasaException(f"the twilio channel needs {', '.join(missing)} in credentials.yml")
        return cls(
            credentials["account_sid"], credentials["auth_token"], credentials["twilio_number"],
            api_base=credentials.get("api_base") or None,
            webhook_url=credentials.get("webhook_url") or None,
            max_segments=int(credentials.get("max_segments") or 1),
            key=secret_key(credentials),
            store=make_store(credentials),
        )

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, debug_mode: bool = False, *,
                 key: str, store: ChannelStore, api_base: str | None = None, webhook_url: str | None = None,
                 max_segments: int = 1) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.key = key
        self.store = store
        self.vault = NumberVault(key)
        self.api_base = api_base
        self.webhook_url = webhook_url
        self.max_segments = max_segments
        self.validator = RequestValidator(auth_token)
        self.background = Background()
        self._output: SignpostTwilioOutput | None = None

    def get_output_channel(self) -> SignpostTwilioOutput:
        if self._output is None:
            self._output = SignpostTwilioOutput(
                self.account_sid, self.auth_token, self.twilio_number, store=self.store, vault=self.vault,
                api_base=self.api_base, max_segments=self.max_segments)
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_webhook", __name__)

        @twilio_webhook.listener("before_server_stop")
        async def close_on_stop(_app, _loop) -> None:
            await self.background.drain(grace=5)
            if self._output is not None:
                await self._output.close()

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            try:
                return await self.accept(
                    url=self.webhook_url or request.url,
                    body=request.body,
                    content_type=request.headers.get("content-type", ""),
                    signature=request.headers.get("x-twilio-signature"),
                    on_new_message=on_new_message,
                )
            except Exception:  # noqa: BLE001 - never a 5xx into Twilio's retries
                logger.exception("twilio: webhook failed")
                return twiml()

        return twilio_webhook

    async def accept(self, *, url: str, body: bytes, content_type: str, signature: str | None,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Check one webhook request and answer it; the message itself is handled in the background."""
        if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return response.text("expected a form (application/x-www-form-urlencoded)", status=415)
        try:
            form = MultiDict(parse_qsl((body or b"").decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return response.text("malformed form", status=400)
        if not signature:
            return response.text("missing X-Twilio-Signature", status=403)
        if not self.validator.validate(url, form, signature):
            return response.text("invalid X-Twilio-Signature", status=403)
        if form.get("AccountSid") and form.get("AccountSid") != self.account_sid:
            return response.text("not this account", status=403)
        message_id = form.get("MessageSid") or form.get("SmsSid")
        if not message_id:
            return response.text("missing MessageSid", status=400)
        number = normalise_address(form.get("From"))
        if not number:
            return response.text("unknown sender", status=400)
        try:
            first_time = await self.store.call(self.store.claim_message, CHANNEL, message_id)
        except Exception:  # noqa: BLE001 - without the table we still answer the citizen
            logger.exception("twilio: could not record MessageSid; processing anyway")
            first_time = True
        if not first_time:
            logger.info("twilio: duplicate delivery of %s ignored", message_id)
            return twiml()
        self.background.spawn(self.handle(number, form, message_id, on_new_message), f"twilio {message_id}")
        return twiml()

    async def handle(self, number: str, form: Mapping[str, str], message_id: str,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Act on one accepted message: keywords, bad input, numbered replies, then the bot."""
        output = self.get_output_channel()
        key = sender_key(number, self.key)
        output.remember(key, number)
        try:
            await self.store.call(self.store.remember_contact, key, self.vault.seal(number))
            text = await self._text_for_bot(key, form, output)
            if text is None:
                return
            await on_new_message(UserMessage(text, output, key, input_channel=CHANNEL, message_id=message_id))
        except Exception:  # noqa: BLE001 - log, tell the citizen, never re-raise into Twilio
            logger.exception("twilio: handling %s failed", message_id)
            await output.send_sms(key, SMS["error"])

    async def _text_for_bot(self, key: str, form: Mapping[str, str], output: SignpostTwilioOutput) -> str | None:
        body = form.get("Body") or ""
        word = sms.keyword(body)
        if word == "stop":
            if await self.store.call(self.store.set_opted_out, key, True):
                await output.send_sms(key, SMS["stop"], force=True)
            return None
        if word == "start":
            await self.store.call(self.store.set_opted_out, key, False)
            await output.send_sms(key, SMS["start"])
            return None
        if word == "help":
            await output.send_sms(key, SMS["help"], force=True)
            return None
        if await self.store.call(self.store.is_opted_out, key):
            logger.info("twilio: message from opted-out %s not answered (START opts back in)", key)
            return None
        if word == "agent":
            await self.store.call(self.store.clear_offer, CHANNEL, key)
            return WANTS_PERSON
        try:
            media = int(form.get("NumMedia") or 0)
        except ValueError:
            media = 0
        if media and not body.strip():
            await output.send_sms(key, SMS["not_text"])
            return None
        checked = check_text(body, MAX_INBOUND_CHARS)
        if checked.problem is not None:
            await output.send_sms(key, SMS[checked.problem])
            return None
        choice = await self.store.call(self.store.take_choice, CHANNEL, key, sms.numeric_choice(checked.text))
        return choice or checked.text
