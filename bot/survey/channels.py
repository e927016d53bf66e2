"""Channel names, in one table: Rasa's input channels → the codes the survey and the public report use → the
words people read (dashboard, report page).

The survey imports this module, and so can the desk and the channels: it imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Rasa's input channel names (and the callback form) → the channel codes of the survey and the public report
REPORT_CODES: Mapping[str, str] = MappingProxyType({
    "socketio": "web", "rest": "api", "twilio": "sms", "telegram": "telegram", "callback": "api",
})
# channel code → what people read
DISPLAY_NAMES: Mapping[str, str] = MappingProxyType({
    "web": "Web chat", "sms": "SMS", "telegram": "Telegram", "api": "API",
})


def report_code(channel: str | None) -> str | None:
    """``socketio`` → ``web``, ``twilio`` → ``sms``…; codes (and names this table does not know) pass through."""
    if channel is None:
        return None
    return REPORT_CODES.get(channel, channel)


def display_name(channel: str) -> str:
    """``web`` (or ``socketio``) → "Web chat", ``sms`` → "SMS"…; a channel this table does not know, as it is."""
    return DISPLAY_NAMES.get(report_code(channel) or channel, channel)
