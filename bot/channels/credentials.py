"""The credentials.yml entries for the SMS and Telegram channels, from environment variables.

``signpost run`` merges ``channel_credentials(settings.channel_env)`` into the checked-in ``credentials.yml`` and writes the
result to ``var/credentials.yml`` (mode 600: it holds tokens). A channel appears only when its variables are set:

- SMS: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_NUMBER``; optional ``TWILIO_API_BASE`` (another REST
  API base, e.g. a fake), ``TWILIO_WEBHOOK_URL`` (the public URL Twilio calls, when behind a proxy — the signature
  is computed over it), ``TWILIO_MAX_SEGMENTS`` (segments per outgoing SMS, default 1).
- Telegram: ``TELEGRAM_TOKEN``, ``TELEGRAM_VERIFY`` (the bot's username), ``TELEGRAM_WEBHOOK_URL``; optional
  ``TELEGRAM_API_BASE`` (another Bot API server), ``TELEGRAM_SECRET_TOKEN`` (else derived from the channel key).

Both get ``channel_key`` (``$SIGNPOST_CHANNEL_KEY``, else generated once in ``var/channel_key``): the key of the
phone-number hashes and of the number encryption. The database is ``$DATABASE_URL`` at run time (not written here,
so no database password lands in the file).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.channels.identity import channel_key

TWILIO = "bot.channels.twilio.SignpostTwilioInput"
TELEGRAM = "bot.channels.telegram.SignpostTelegramInput"

TWILIO_REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")
TELEGRAM_REQUIRED = ("TELEGRAM_TOKEN", "TELEGRAM_VERIFY", "TELEGRAM_WEBHOOK_URL")


class ChannelConfigError(ValueError):
    """Some but not all of a channel's variables are set; the message names the missing ones."""


def _configured(env: Mapping[str, str], names: tuple[str, ...], channel: str) -> bool:
    present = [n for n in names if env.get(n)]
    if not present:
        return False
    missing = [n for n in names if not env.get(n)]
    if missing:
        raise ChannelConfigError(f"{channel} is half configured: set {', '.join(missing)} too "
                                 f"(or unset {', '.join(present)})")
    return True


def channel_credentials(env: Mapping[str, str], var_dir: Path) -> dict[str, dict[str, Any]]:
    """Extra credentials.yml entries, keyed by channel class path, for the channels configured in ``env``
    (``Settings.channel_env``); a generated channel key is kept in ``var_dir``.

    Raises :class:`ChannelConfigError` when a channel is only partly configured.
    """
    entries: dict[str, dict[str, Any]] = {}
    if _configured(env, TWILIO_REQUIRED, "SMS (Twilio)"):
        twilio: dict[str, Any] = {
            "account_sid": env["TWILIO_ACCOUNT_SID"],
            "auth_token": env["TWILIO_AUTH_TOKEN"],
            "twilio_number": env["TWILIO_NUMBER"],
        }
        if env.get("TWILIO_API_BASE"):
            twilio["api_base"] = env["TWILIO_API_BASE"]
        if env.get("TWILIO_WEBHOOK_URL"):
            twilio["webhook_url"] = env["TWILIO_WEBHOOK_URL"]
        if env.get("TWILIO_MAX_SEGMENTS"):
            twilio["max_segments"] = int(env["TWILIO_MAX_SEGMENTS"])
        entries[TWILIO] = twilio
    if _configured(env, TELEGRAM_REQUIRED, "Telegram"):
        telegram: dict[str, Any] = {
            "access_token": env["TELEGRAM_TOKEN"],
            "verify": env["TELEGRAM_VERIFY"],
            "webhook_url": env["TELEGRAM_WEBHOOK_URL"],
        }
        if env.get("TELEGRAM_API_BASE"):
            telegram["api_base"] = env["TELEGRAM_API_BASE"]
        if env.get("TELEGRAM_SECRET_TOKEN"):
            telegram["secret_token"] = env["TELEGRAM_SECRET_TOKEN"]
        entries[TELEGRAM] = telegram
    if entries:
        key = channel_key(env, var_dir)
        for entry in entries.values():
            entry["channel_key"] = key
    return entries

