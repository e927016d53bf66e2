"""Which services a citizen sees first, and which question is still worth asking.

Plain functions over the match engine's result (``knowledge.match``): the engine says what fits; this module says
what a citizen should read first on a small screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.dialogue.state import DialogueState
from knowledge.match import LEVEL_ORDER
from knowledge.text import fold
from knowledge.vocab import Vocabulary

MAX_QUESTIONS = 3
WINDOW = 6  # only unknowns of the first services the citizen would see are worth a question

Service = dict[str, Any]
OffTopic = Callable[[str], bool]


def has_met_rule(service: Service) -> bool:
    """The answers given prove at least one of the service's conditions (the engine counts them)."""
    return int(service.get("met") or 0) > 0


def citizen_score(service: Service, off_topic: OffTopic | None = None) -> tuple[int, int]:
    """Lower is better: proven fits, then near-fits (one unknown), then services without conditions, then the rest.
    A service that still hinges on a question about another situation (a veteran's status after a job loss) is
    pushed down."""
    unknown = service.get("unknown") or []
    if service.get("status") == "likely":
        rank = 0 if has_met_rule(service) else 2
    else:
        rank = 1 if len(unknown) <= 1 else 2 + len(unknown)
        if off_topic and any(off_topic(k) for k in unknown):
            rank += 3
    return (rank, LEVEL_ORDER.get(service.get("level") or "", 3))


def off_topic_check(vocab: Vocabulary | None, life_events: Iterable[str]) -> OffTopic | None:
    """A test for criteria that belong to another situation than the citizen's."""
    if vocab is None:
        return None
    events = set(life_events)

    def off_topic(key: str) -> bool:
        crit = vocab.criterion(key)
        return bool(crit and crit.life_events and not set(crit.life_events) & events)
    return off_topic


def rank_for_citizen(services: Iterable[Service], vocab: Vocabulary | None = None,
                     life_events: Iterable[str] = ()) -> list[Service]:
    """Services worth showing, best first, with the best of each level (federal/provincial/municipal) up front."""
    seen_titles: set[str] = set()
    kept = []
    for s in services:
        if s.get("status") == "unlikely":
            continue
        title = fold(s.get("title") or "")
        if title in seen_titles:
            continue
        seen_titles.add(title)
        kept.append(s)
    off_topic = off_topic_check(vocab, life_events)

    def score(service: Service) -> tuple[int, int]:
        return citizen_score(service, off_topic)
    ranked = sorted(kept, key=score)  # stable: the engine's order breaks ties
    firsts: list[Service] = []
    levels: set[str | None] = set()
    for s in ranked:
        if s.get("level") not in levels and score(s)[0] <= 2:
            levels.add(s.get("level"))
            firsts.append(s)
    rest = [s for s in ranked if s not in firsts]
    return sorted(firsts, key=score) + rest


def choose_question(result: dict[str, Any], state: DialogueState, vocab: Vocabulary) -> str | None:
    """The next question worth asking, or None when answers cannot change what the citizen will see first."""
    if state.hurry or len(state.asked) >= MAX_QUESTIONS:
        return None
    window = rank_for_citizen(result.get("services") or [], vocab, state.life_events)[:WINDOW]
    deciding = {k for s in window if s.get("status") == "maybe" for k in s.get("unknown") or []}
    for key in result.get("next_questions") or []:
        if key == "location" or key in state.answers or key in state.asked:
            continue
        crit = vocab.criterion(key)
        if crit is None or key not in deciding:
            continue
        if crit.life_events and not set(crit.life_events) & set(state.life_events):
            continue  # a veteran's question is not asked after a job loss
        if crit.age_answer_key and crit.age_answer_key in state.answers:
            continue
        return key
    return None
