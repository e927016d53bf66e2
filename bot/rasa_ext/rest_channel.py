"""Rasa's REST channel with input checks: a malformed request gets a clear 4xx instead of a 500.

Stock ``RestInput`` calls ``request.json.get`` blindly, so a JSON array, a non-string message or a 1 MB message
reaches the processor or raises. Same name (``rest``), same path (``/webhooks/rest/webhook``).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

MAX_MESSAGE_CHARS = 4000
MAX_SENDER_CHARS = 128


def _body(req: Request) -> dict[str, Any]:
    body = req.json  # Sanic answers 400 itself when the body is not JSON at all
    if not isinstance(body, dict):
        raise InvalidUsage('the body must be a JSON object like {"sender": "me", "message": "hi"}')
    return body


class SignpostRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string')
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
        return sender

    def _extract_message(self, req: Request) -> str:
        message = _body(req).get("message")
        if not isinstance(message, str) or not message.strip():
            raise InvalidUsage('"message" must be a non-empty string')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" must be at most {MAX_MESSAGE_CHARS} characters')
        return message

    def _extract_input_channel(self, req: Request) -> str:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and 0 < len(channel) <= 32 else self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
