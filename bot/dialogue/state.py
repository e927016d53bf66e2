"""The dialogue state: everything the conversation remembers between turns, typed, in one place.

It lives in the Rasa slot ``dialogue`` as a JSON dict (:meth:`DialogueState.to_slot`); :meth:`from_slot` also reads
the untyped dicts written before version 2, so a conversation in progress during an upgrade carries on.

Who writes what: the turn handlers (bot/dialogue/handlers.py) own the situation, the pending question and the
results; the handoff (bot/handoff/dialogue.py) owns :attr:`handoff`; the exit survey (bot/survey/dialogue.py) owns
:attr:`survey`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.handoff.state import HandoffState
from bot.replies import Out
from bot.survey.state import SurveyState

VERSION = 2
PendingKind = Literal["criterion", "location", "place_choice", "life_event"]
Offer = Literal["person", "more"]
OFFERS: tuple[str, ...] = ("person", "more")
PENDING_KINDS: tuple[str, ...] = ("criterion", "location", "place_choice", "life_event")
PERSON_OFFER_EVERY = 2
"""After this many misunderstandings in a row a person is offered (and again after as many more)."""


@dataclass
class Pending:
    """The question the bot asked last and is waiting an answer to (``key``: the criterion asked)."""

    kind: PendingKind
    key: str | None = None

    def to_slot(self) -> dict[str, Any]:
        return {"kind": self.kind, **({"key": self.key} if self.key else {})}

    @classmethod
    def from_slot(cls, data: dict[str, Any] | None) -> Pending | None:
        if not data or data.get("kind") not in PENDING_KINDS:
            return None
        return cls(kind=data["kind"], key=data.get("key"))


@dataclass
class Fallbacks:
    """The one misunderstanding counter: drives the "talk to a person?" offer and the fallback-loop analytics."""

    total: int = 0
    run: int = 0  # misunderstandings in a row now
    longest: int = 0

    def missed(self) -> None:
        self.total += 1
        self.run += 1
        self.longest = max(self.longest, self.run)

    def understood(self) -> None:
        self.run = 0

    @property
    def offer_person(self) -> bool:
        return self.run > 0 and self.run % PERSON_OFFER_EVERY == 0


@dataclass
class TurnProgress:
    """What the current turn has done so far (never stored): messages to say first, whether anything was taken."""

    said: list[Out] = field(default_factory=list)
    understood: bool = False
    asked: Pending | None = None  # the question pending when the turn began
    offer: Offer | None = None  # the offer made last turn


@dataclass
class DialogueState:
    life_events: list[str] = field(default_factory=list)  # need ids (knowledge/life_events.yml)
    location: str | None = None  # jurisdiction code
    location_name: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)  # criterion key → canonical answer (None: not known)
    asked: list[str] = field(default_factory=list)  # criteria asked, in order
    pending: Pending | None = None
    page: int = 0  # results page shown last
    shown: list[str] = field(default_factory=list)  # service ids shown, in order
    hurry: bool = False  # "just show me": no more questions
    results_seen: bool = False
    intro_done: bool = False  # "a few questions" said
    wants_person: bool = False
    person_reason: str | None = None  # why a person would be offered: asked / misunderstood / crisis
    need_text: str | None = None  # the first message naming a need (unmet demand; redacted when stored)
    offer: Offer | None = None  # what the bot offered last turn: a "yes" accepts it
    picker_shown: bool = False  # the need buttons were shown (once is enough)
    fallbacks: Fallbacks = field(default_factory=Fallbacks)
    handoff: HandoffState | None = None
    survey: SurveyState | None = None
    version: int = VERSION
    turn: TurnProgress = field(default_factory=TurnProgress, repr=False, compare=False)

    def situation_known(self) -> bool:
        return bool(self.life_events and self.location)

    def start_over(self) -> None:
        """Forget the situation, keep the survey (offered once per conversation, whatever happens)."""
        survey = self.survey
        self.__dict__.update(DialogueState(survey=survey).__dict__)

    def to_slot(self) -> dict[str, Any]:
        """The JSON dict kept in the ``dialogue`` slot."""
        return {
            "version": self.version, "life_events": list(self.life_events), "location": self.location,
            "location_name": self.location_name, "answers": dict(self.answers), "asked": list(self.asked),
            "pending": self.pending.to_slot() if self.pending else None, "page": self.page,
            "shown": list(self.shown), "hurry": self.hurry, "results_seen": self.results_seen,
            "intro_done": self.intro_done, "wants_person": self.wants_person, "person_reason": self.person_reason,
            "need_text": self.need_text, "offer": self.offer, "picker_shown": self.picker_shown,
            "fallbacks": {"total": self.fallbacks.total, "run": self.fallbacks.run,
                          "longest": self.fallbacks.longest},
            "handoff": self.handoff.to_slot() if self.handoff else None,
            "survey": self.survey.to_slot() if self.survey else None,
        }

    @classmethod
    def from_slot(cls, data: dict[str, Any] | None) -> DialogueState:
        """The state from the slot: version 2, the untyped dicts before it, or nothing (a new conversation)."""
        data = data or {}
        tally = data.get("fallbacks")
        if isinstance(tally, dict):
            fallbacks = Fallbacks(int(tally.get("total") or 0), int(tally.get("run") or 0),
                                  int(tally.get("longest") or 0))
        else:  # version 1: "misunderstood" and "fallback_run" counted the same thing two ways
            fallbacks = Fallbacks(int(tally or 0), int(data.get("fallback_run") or data.get("misunderstood") or 0),
                                  int(data.get("max_fallback_run") or 0))
        return cls(
            life_events=[str(e) for e in data.get("life_events") or []],
            location=data.get("location"), location_name=data.get("location_name"),
            answers=dict(data.get("answers") or {}), asked=list(data.get("asked") or []),
            pending=Pending.from_slot(data.get("pending")), page=int(data.get("page") or 0),
            shown=list(data.get("shown") or []), hurry=bool(data.get("hurry")),
            results_seen=bool(data.get("results_seen")), intro_done=bool(data.get("intro_done")),
            wants_person=bool(data.get("wants_person")), person_reason=data.get("person_reason"),
            need_text=data.get("need_text"), fallbacks=fallbacks,
            offer=data["offer"] if data.get("offer") in OFFERS else None, picker_shown=bool(data.get("picker_shown")),
            handoff=HandoffState.from_slot(data.get("handoff")), survey=SurveyState.from_slot(data.get("survey")),
        )
