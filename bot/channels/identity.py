"""Who is writing, without keeping phone numbers: keyed hashes, encryption at rest, the channel secret.

* ``sender_key(number)`` — HMAC-SHA256 of the normalised number under the channel key: the Rasa ``sender_id`` of an
  SMS conversation (so the tracker store, the event broker, the desk and the logs never see the number).
* ``NumberVault`` — Fernet encryption of the number, the one form in which it is stored, so that a caseworker reply
  pushed through Rasa's HTTP API reaches the citizen even after a restart.
* ``telegram_secret_token`` — the ``secret_token`` given to Telegram's ``setWebhook``; Telegram echoes it in the
  ``X-Telegram-Bot-Api-Secret-Token`` header of every update, so forged updates are refused.

The channel key is ``$SIGNPOST_CHANNEL_KEY`` or, when unset, a random key generated once in ``var/channel_key``
(mode 600, see :mod:`bot.secret_files`). Changing it orphans stored opt-outs: keep it stable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.secret_files import secret_once
from bot.settings import CHANNEL_KEY_VARIABLE, load_settings

KEY_ENV = CHANNEL_KEY_VARIABLE
KEY_FILE = "channel_key"
SMS_PREFIX = "sms-"

_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+):)?(?P<number>\+?[0-9][0-9 ().-]{1,24})$")


def channel_key(env: Mapping[str, str] | None = None, var_dir: Path | None = None) -> str:
    """The stable secret behind the keyed hashes: ``SIGNPOST_CHANNEL_KEY`` in ``env``, else generated once under
    ``var_dir``. Either left out is taken from :func:`bot.settings.load_settings`."""
    if env is None or var_dir is None:
        settings = load_settings()
        env = settings.channel_env if env is None else env
        var_dir = settings.var_dir if var_dir is None else var_dir
    if env.get(KEY_ENV):
        return env[KEY_ENV]
    return secret_once(Path(var_dir) / KEY_FILE, lambda: secrets.token_urlsafe(32))


def normalise_address(address: str | None) -> str | None:
    """A Twilio ``From`` ("+15551234567", "whatsapp:+44 7700 900123") in canonical form, or None when it is not one."""
    if not address:
        return None
    match = _ADDRESS.match(address.strip().lower())
    if not match:
        return None
    digits = re.sub(r"[^0-9]", "", match.group("number"))
    if not 3 <= len(digits) <= 15:  # E.164 allows 15 digits; short codes have at least 3
        return None
    number = ("+" if match.group("number").startswith("+") else "") + digits
    return f"{match.group('scheme')}:{number}" if match.group("scheme") else number


def _derive(key: str, purpose: str) -> bytes:
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).digest()


def sender_key(address: str, key: str) -> str:
    """The keyed hash that stands for an SMS sender everywhere (``sms-`` + 32 hex digits)."""
    canonical = normalise_address(address) or address
    mac = hmac.new(_derive(key, "sms-sender"), canonical.encode(), hashlib.sha256).hexdigest()
    return SMS_PREFIX + mac[:32]


def telegram_secret_token(key: str, bot_token: str) -> str:
    """A per-bot webhook secret (Telegram allows 1-256 characters of ``A-Za-z0-9_-``)."""
    return hmac.new(_derive(key, "telegram-webhook"), bot_token.encode(), hashlib.sha256).hexdigest()


def short_digest(text: str, key: str = "") -> str:
    """16 hex digits naming ``text`` (button payloads too long for Telegram's callback data)."""
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


class NumberVault:
    """Encrypts phone numbers for storage (Fernet: AES-128-CBC + HMAC, key derived from the channel key)."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(key, "sms-number-vault")))

    def seal(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None
