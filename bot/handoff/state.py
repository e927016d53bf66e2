"""The handoff's part of the dialogue state: which of its questions the citizen is answering (bot/handoff/dialogue.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Stage = Literal["consent", "waiting", "unavailable", "callback_method", "callback_time", "callback_contact"]
STAGES: tuple[str, ...] = ("consent", "waiting", "unavailable", "callback_method", "callback_time",
                           "callback_contact")


@dataclass
class HandoffState:
    """``stage``: consent → waiting (in the queue) or unavailable → callback_method → callback_time →
    callback_contact. ``reason``: asked / misunderstood / crisis (shown on the desk)."""

    stage: Stage
    reason: str = "asked"
    id: int | None = None  # the handoff row, once queued
    method: str | None = None  # callback: phone / sms / email
    preferred: str | None = None  # callback: next_opening / morning / afternoon / evening

    def to_slot(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_slot(cls, data: dict[str, Any] | None) -> HandoffState | None:
        if not data or data.get("stage") not in STAGES:
            return None
        return cls(stage=data["stage"], reason=str(data.get("reason") or "asked"), id=data.get("id"),
                   method=data.get("method"), preferred=data.get("preferred"))
