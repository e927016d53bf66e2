"""The exit survey's part of the dialogue state (bot/survey/dialogue.py): offered once, where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SurveyState:
    """``q`` is :mod:`bot.survey.definition`'s own JSON state (step, answers, attempts…).

    - ``offered``: offered in this conversation (never again); ``active``: the next reply is read as an answer;
    - ``left``: the citizen moved on (a click on the last question still counts); ``closed``: left for good
      (after a crisis only a click takes it up again);
    - ``end_point`` where it was offered, ``logged`` the furthest end point logged for the contact record."""

    offered: bool = False
    active: bool = False
    left: bool = False
    closed: bool = False
    end_point: str | None = None
    logged: str | None = None
    handed_off: bool = False
    q: dict[str, Any] = field(default_factory=dict)

    def to_slot(self) -> dict[str, Any]:
        return {"offered": self.offered, "active": self.active, "left": self.left, "closed": self.closed,
                "end_point": self.end_point, "logged": self.logged, "handed_off": self.handed_off,
                "q": dict(self.q)}

    @classmethod
    def from_slot(cls, data: dict[str, Any] | None) -> SurveyState | None:
        if not data:
            return None
        return cls(offered=bool(data.get("offered")), active=bool(data.get("active")), left=bool(data.get("left")),
                   closed=bool(data.get("closed")), end_point=data.get("end_point"), logged=data.get("logged"),
                   handed_off=bool(data.get("handed_off")), q=dict(data.get("q") or {}))
