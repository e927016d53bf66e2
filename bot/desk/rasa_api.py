"""A small async client for Rasa's HTTP API, as the caseworker desk uses it (Rasa Open Source 3.6).

What each call does on the Rasa side (verified against a live 3.6.21 server, see tests/channels/test_desk_push.py):

* ``send_text`` appends a ``bot`` event with ``output_channel=latest&execute_side_effects=true``: Rasa stores the
  ``BotUttered`` (its ``metadata`` is kept on the stored event) and sends it through the output channel of the
  conversation's latest input channel (SMS, Telegram, socket.io). The metadata keys are also merged into the message
  dictionary given to the channel (``BotUttered.message()``), so they must not shadow message keys such as ``text``
  or ``buttons`` — :data:`RESERVED_METADATA_KEYS` are refused.
* ``pause``/``resume`` append ``pause``/``resume`` events: while paused Rasa still parses and stores the citizen's
  messages but predicts no action (the bot stays silent).
* ``trigger_intent`` runs the bot as if the citizen had sent the intent, answering on the latest channel.
* The events endpoint answers with the whole tracker state (``current_state``), events included.

Errors: :class:`RasaUnavailable` (connection refused, timeout, 5xx) and :class:`RasaRejected` (4xx, with Rasa's
own ``reason`` and ``message``). The API token travels only as the ``token`` query parameter Rasa requires; it is
never part of an exception message or a log line (URLs in messages are shown without their query).

Conversation ids: Sanic 21.12 (Rasa 3.6) does not unquote route parameters, so ``/conversations/a%20b/…`` reaches
the conversation literally named ``a%20b``. Ids are still URL-quoted (safe for every id a channel produces: SMS
``sms-<hex>`` keys, socket.io session ids, Telegram chat ids), but an id with characters that need quoting cannot
be addressed through the HTTP API and is refused with ``ValueError`` rather than silently reaching another
conversation.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0  # seconds for a whole call: a push waits for the channel's provider (Twilio, Telegram)
DEFAULT_CONNECT_TIMEOUT = 3.0

# Keys of a bot message that BotUttered.message() would let metadata overwrite (or turn into an extra send).
RESERVED_METADATA_KEYS = frozenset({"text", "buttons", "quick_replies", "image", "attachment", "custom",
                                    "elements", "timestamp", "template_name", "response_ids"})

_ADDRESSABLE = re.compile(r"^[A-Za-z0-9._~-]+$")  # what quote(safe="") leaves as is: Rasa sees the same id


class RasaError(Exception):
    """Base class of the client's errors."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RasaUnavailable(RasaError):
    """Rasa could not be reached or failed (connection refused, timeout, HTTP 5xx). Worth retrying later."""


class RasaRejected(RasaError):
    """Rasa refused the request (HTTP 4xx); ``reason``/``rasa_message`` are Rasa's own."""

    def __init__(self, message: str, *, status: int, reason: str | None = None,
                 rasa_message: str | None = None) -> None:
        super().__init__(message, status=status)
        self.reason = reason
        self.rasa_message = rasa_message


def conversation_path(sender_id: str) -> str:
    """``/conversations/{id}`` for a sender id Rasa's HTTP API can address (see the module docstring)."""
    if not isinstance(sender_id, str) or not sender_id:
        raise ValueError("sender_id must be a non-empty string")
    if not _ADDRESSABLE.match(sender_id):
        raise ValueError(f"sender id {sender_id!r} has characters Rasa 3.6's HTTP API cannot address")
    return "/conversations/" + quote(sender_id, safe="")


class RasaAPI:
    """``RasaAPI(session, "http://127.0.0.1:5005", token)``; the ``aiohttp.ClientSession`` belongs to the caller."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self._token = token or None
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)

    def __repr__(self) -> str:  # never the token
        return f"RasaAPI({self.base_url!r})"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    async def _request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                       body: Any = None) -> Any:
        query = dict(params or {})
        if self._token:
            query["token"] = self._token
        what = f"{method} {path}"  # for messages: the path only, never the query (it holds the token)
        try:
            async with self.session.request(method, self.base_url + path, params=query, json=body,
                                            timeout=self.timeout) as resp:
                raw = await resp.read()
                status = resp.status
        except TimeoutError:
            logger.warning("rasa: %s timed out", what)
            raise RasaUnavailable(f"Rasa did not answer {what} in time") from None
        except aiohttp.ClientError as exc:
            reason = self._scrub(f"{type(exc).__name__}: {getattr(exc, 'os_error', None) or exc}")
            logger.warning("rasa: %s failed: %s", what, reason)
            raise RasaUnavailable(f"Rasa is unreachable ({what}): {reason}") from None
        data = _json(raw)
        if status >= 500:
            detail = self._scrub(_message(data, raw))
            logger.warning("rasa: %s answered HTTP %s: %s", what, status, detail)
            raise RasaUnavailable(f"Rasa failed on {what}: HTTP {status}: {detail}", status=status)
        if status >= 400:
            refusal = data.get("reason") if isinstance(data, dict) else None
            detail = self._scrub(_message(data, raw))
            logger.info("rasa: %s refused with HTTP %s: %s", what, status, detail)
            raise RasaRejected(f"Rasa refused {what}: HTTP {status}{f' {refusal}' if refusal else ''}: {detail}",
                               status=status, reason=refusal, rasa_message=detail)
        if data is None and raw.strip():
            raise RasaUnavailable(f"Rasa answered {what} with something that is not JSON", status=status)
        return data

    # --- the calls -------------------------------------------------------------------------------------------------

    async def get_tracker(self, sender_id: str, include_events: str = "AFTER_RESTART") -> dict[str, Any]:
        """The conversation's tracker (Rasa creates an empty one for an unknown id)."""
        return await self._request("GET", conversation_path(sender_id) + "/tracker",
                                   params={"include_events": include_events})

    async def append_events(self, sender_id: str, events: Iterable[Mapping[str, Any]] | Mapping[str, Any],
                            output_channel: str | None = "latest",
                            execute_side_effects: bool = True) -> dict[str, Any]:
        """Append events; with side effects, ``bot`` events are sent on ``output_channel`` ("latest": the channel
        the citizen last wrote on). Returns the tracker state Rasa answers with."""
        body = [dict(events)] if isinstance(events, Mapping) else [dict(e) for e in events]
        if not body:
            raise ValueError("no events to append")
        params = {"execute_side_effects": "true" if execute_side_effects else "false"}
        if output_channel:
            params["output_channel"] = output_channel
        return await self._request("POST", conversation_path(sender_id) + "/tracker/events", params=params,
                                   body=body)

    async def send_text(self, sender_id: str, text: str, metadata: Mapping[str, Any] | None = None,
                        output_channel: str = "latest") -> dict[str, Any]:
        """Send a caseworker message to the citizen as a bot message; ``metadata`` (e.g. ``{"caseworker": "Sam"}``)
        is kept on the stored event."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the message text must not be empty")
        event: dict[str, Any] = {"event": "bot", "text": text}
        if metadata:
            clash = RESERVED_METADATA_KEYS.intersection(metadata)
            if clash:
                raise ValueError(f"metadata keys {sorted(clash)} would overwrite parts of the message")
            event["metadata"] = dict(metadata)
        return await self.append_events(sender_id, [event], output_channel=output_channel)

    async def pause(self, sender_id: str) -> dict[str, Any]:
        """Hand the conversation to a person: the bot stops answering (messages are still stored)."""
        return await self.append_events(sender_id, [{"event": "pause"}], output_channel=None,
                                        execute_side_effects=False)

    async def resume(self, sender_id: str) -> dict[str, Any]:
        """Hand the conversation back to the bot: it answers the citizen's next message."""
        return await self.append_events(sender_id, [{"event": "resume"}], output_channel=None,
                                        execute_side_effects=False)

    async def trigger_intent(self, sender_id: str, intent: str,
                             entities: Mapping[str, Any] | list[Mapping[str, Any]] | None = None,
                             output_channel: str = "latest") -> dict[str, Any]:
        """Run the bot as if the citizen had expressed ``intent``; its answer goes out on ``output_channel``.
        Returns ``{"tracker": ..., "messages": [...]}`` (``messages`` only when nothing was sent on a channel)."""
        if not isinstance(intent, str) or not intent:
            raise ValueError("intent must be a non-empty string")
        body: dict[str, Any] = {"name": intent}
        if entities:
            body["entities"] = dict(entities) if isinstance(entities, Mapping) else [dict(e) for e in entities]
        return await self._request("POST", conversation_path(sender_id) + "/trigger_intent",
                                   params={"output_channel": output_channel}, body=body)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None


def _message(data: Any, raw: bytes) -> str:
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])[:500]
    return raw[:200].decode("utf-8", "replace").strip() or "(no details)"
