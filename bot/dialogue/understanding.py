"""What the NLU made of one message, as the dialogue reads it (from a Rasa parse result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUT_OF_SCOPE = frozenset({"out_of_scope", "nlu_fallback"})


@dataclass(frozen=True)
class NeedGuess:
    """A need the classifier thinks the message may be about, with its confidence (for "Is this about …?")."""

    need: str
    confidence: float


@dataclass(frozen=True)
class Understanding:
    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    life_events: tuple[str, ...] = ()  # need ids
    places: tuple[str, ...] = ()  # place text as written (resolved by the places port)
    ages: tuple[int, ...] = ()
    relations: tuple[str, ...] = ()  # parent / spouse / child / sibling / grandparent named in the message
    answer: str | None = None  # a button's value for the question asked
    guesses: tuple[NeedGuess, ...] = ()  # ranked need candidates, including ones below the classifier's threshold

    @property
    def typed(self) -> bool:
        """Typed by the citizen (not a button)."""
        return self.answer is None


def understanding_from_message(message: dict[str, Any] | None) -> Understanding:
    """From a Rasa parse result (``tracker.latest_message`` or ``/model/parse``)."""
    message = message or {}
    intent = message.get("intent") or {}
    events: list[str] = []
    places: list[str] = []
    ages: list[int] = []
    relations: list[str] = []
    answer: str | None = None
    for ent in message.get("entities") or []:
        kind, value = ent.get("entity"), ent.get("value")
        if value in (None, ""):
            continue
        if kind == "life_event" and str(value) not in events:
            events.append(str(value))
        elif kind == "place":
            places.append(str(value))
        elif kind == "age":
            try:
                ages.append(int(value))
            except (TypeError, ValueError):
                pass
        elif kind == "relation":
            relations.append(str(value))
        elif kind == "answer":
            answer = str(value)
    guesses = tuple(NeedGuess(str(g["need"]), float(g.get("confidence") or 0.0))
                    for g in message.get("needs") or [] if isinstance(g, dict) and g.get("need"))
    return Understanding(text=(message.get("text") or "").strip(), intent=intent.get("name") or "",
                         confidence=float(intent.get("confidence") or 0.0), life_events=tuple(events),
                         places=tuple(places), ages=tuple(ages), relations=tuple(relations), answer=answer,
                         guesses=guesses)
