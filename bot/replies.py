"""The bot's message as the dialogue logic returns it: a domain response name, its variables and buttons.

Its own module so the conversation (bot/dialogue/), the exit survey and the handoff can all build replies
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Out:
    """One bot message: a domain response name, its variables, optional buttons ``[{"title", "payload"}]``."""

    response: str
    vars: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] | None = None
