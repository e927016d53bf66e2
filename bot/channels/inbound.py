"""What a citizen sent, checked before it reaches the bot: empty, too long, binary, emoji-only, command injection.

Plain Python, shared by the SMS and Telegram channels. ``check_text`` returns either the text to hand to Rasa or
the name of a problem, which the channel answers with a clear reply from ``bot.channels.messages``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ALLOWED_CONTROLS = {"\n", "\t"}


@dataclass(frozen=True)
class Checked:
    text: str | None = None
    problem: str | None = None  # "empty" | "too_long" | "unreadable" | "emoji_only"

    @property
    def ok(self) -> bool:
        return self.problem is None


def _is_emoji_like(char: str) -> bool:
    if char in "\u200d\ufe0e\ufe0f\u20e3":  # joiner, variation selectors, keycap
        return True
    category = unicodedata.category(char)
    return category in {"So", "Sk", "Cs"} or 0x1F000 <= ord(char) <= 0x1FAFF


def check_text(raw: str | None, max_chars: int) -> Checked:
    """Clean ``raw`` and say whether it can go to the bot.

    - nothing (or only whitespace) → ``empty``; longer than ``max_chars`` → ``too_long``
    - mostly control bytes / replacement characters (binary sent as text) → ``unreadable``
    - no letter or digit at all but emoji/symbols → ``emoji_only``
    - a leading ``/`` is dropped: citizens cannot inject Rasa intents (``/restart``, ``/affirm{...}``)
    """
    if raw is None or not raw.strip():
        return Checked(problem="empty")
    if len(raw) > max_chars:
        return Checked(problem="too_long")
    bad = sum(1 for c in raw if c == "\ufffd" or (unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"}
                                                   and c not in _ALLOWED_CONTROLS and c != "\r"))
    if bad and bad * 10 >= len(raw):
        return Checked(problem="unreadable")
    cleaned = "".join(c for c in raw if c == "\n" or not (
        c == "\ufffd" or unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"}))
    cleaned = unicodedata.normalize("NFC", cleaned)
    lines = [_SPACES.sub(" ", line).strip() for line in cleaned.replace("\r", "\n").split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        return Checked(problem="unreadable" if bad else "empty")
    if not any(unicodedata.category(c)[0] in {"L", "N"} for c in cleaned):
        if any(_is_emoji_like(c) for c in cleaned):
            return Checked(problem="emoji_only")
    cleaned = cleaned.lstrip("/").strip()
    if not cleaned:
        return Checked(problem="empty")
    return Checked(text=cleaned)
