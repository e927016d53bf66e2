"""What a turn may use, built once per turn and frozen: typed ports to the catalogue, places, handoff desk and
survey store, the vocabulary, the lexicon, the domain's phrases, today, the citizen's channel and language.

The ports are Protocols so the dialogue is tested with the real engine on SQLite or with small stand-ins, and so
nothing in bot/dialogue imports a database, Rasa or the desk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.dialogue.phrases import Phrases
from bot.survey.dialogue import SurveyPort
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.need_search import NeedIndex, default_index
from knowledge.places import PlaceResult
from knowledge.vocab import Vocabulary

Profile = dict[str, Any]
MatchResult = dict[str, Any]


class Catalogue(Protocol):
    """The match engine (knowledge/match.py): a profile → services, questions, checklist, navigators."""

    def match(self, profile: Profile) -> MatchResult: ...


class Places(Protocol):
    """The place resolver (knowledge/places.py)."""

    def resolve(self, text: str) -> PlaceResult: ...


class HandoffPort(Protocol):
    """The desk's queue and callbacks as the conversation sees them (bot/handoff/service.py)."""

    def status(self, sender_id: str) -> Any: ...

    def availability(self, state: dict[str, Any], language: str) -> Any: ...

    def request(self, state: dict[str, Any], *, sender_id: str, channel: str, language: str, reason: str,
                summary: str, team: Any) -> Any: ...

    def cancel(self, sender_id: str) -> bool: ...

    def callback(self, state: dict[str, Any], *, sender_id: str, channel: str, language: str, method: str,
                 contact: str, preferred: str, summary: str) -> Any: ...

    def when(self, moment: datetime | None, team: Any) -> str: ...

    def due_text(self, row: Any) -> str: ...


@dataclass(frozen=True)
class MatchFunction:
    """A :class:`Catalogue` over a plain function (the action client's ``match_sync``, tests' engines)."""

    fn: Callable[[Profile], MatchResult]

    def match(self, profile: Profile) -> MatchResult:
        return self.fn(profile)


@dataclass(frozen=True)
class PlaceFunction:
    """A :class:`Places` over a plain function (``knowledge.places.resolve_place``)."""

    fn: Callable[[str], PlaceResult]

    def resolve(self, text: str) -> PlaceResult:
        return self.fn(text)


@dataclass(frozen=True)
class TurnContext:
    catalogue: Catalogue
    places: Places
    vocab: Vocabulary
    phrases: Phrases
    today: date = field(default_factory=date.today)
    language: str = "en"
    channel: str = "rest"  # the citizen's input channel (rest, socketio, twilio, telegram)
    sender_id: str = ""
    survey: SurveyPort | None = None  # None in tests that do not need it
    handoff: HandoffPort | None = None  # None when there is no desk
    lexicon: Lexicon = field(default_factory=load_lexicon)
    needs: NeedIndex = field(default_factory=default_index)  # the taxonomy, searchable by words
