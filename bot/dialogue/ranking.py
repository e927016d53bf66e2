"""Which services a citizen sees first, and which question is still worth asking.

Plain functions over the match engine's result (``knowledge.match``): the engine scores each service as a navigator
would (``knowledge/importance.py``: fit to the stated needs, eligibility, importance); this module says what a
citizen reads first on a small screen, and asks a question only when an answer would change that first page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from bot.dialogue.answers import DATE_CHOICES
from bot.dialogue.state import DialogueState
from knowledge.match import LEVEL_ORDER, rescore
from knowledge.text import fold
from knowledge.vocab import Vocabulary

MAX_QUESTIONS = 3
PAGE = 3  # what the citizen reads first (bot/dialogue/handlers.py PAGE_SIZE)
WINDOW = 8  # unknowns of the services just below the first page may still bring one onto it
LEVEL_MARGIN = 0.5  # a strong service of a level missing from the first page takes its last place

Service = dict[str, Any]


def has_met_rule(service: Service) -> bool:
    """The answers given prove at least one of the service's conditions (the engine counts them)."""
    return int(service.get("met") or 0) > 0


def _order(service: Service, score: float | None = None) -> tuple[float, int]:
    value = service.get("score") if score is None else score
    return (-round(float(value or 0.0), 6), LEVEL_ORDER.get(service.get("level") or "", 3))


def arrange(scored: list[tuple[Service, float]]) -> list[Service]:
    """Best score first; when the first page holds one level only and another level's best service is within
    :data:`LEVEL_MARGIN` of the page's last score, that one takes the last place (federal, provincial and local
    services together, as a navigator would name them)."""
    ranked = [s for s, _ in sorted(scored, key=lambda pair: _order(pair[0], pair[1]))]
    score = {id(s): v for s, v in scored}
    page = ranked[:PAGE]
    if len(ranked) > PAGE and len({s.get("level") for s in page}) == 1:
        floor = score[id(page[-1])] - LEVEL_MARGIN
        other = next((s for s in ranked[PAGE:] if s.get("level") != page[0].get("level")), None)
        if other is not None and score[id(other)] >= floor:
            ranked.remove(other)
            ranked.insert(PAGE - 1, other)
    return ranked


def _title_key(title: str) -> str:
    """A title without its trailing "(…)": a council's page for a national scheme is the same service."""
    return fold(re.sub(r"\s*\([^()]*\)\s*$", "", title or "")) or fold(title or "")


def _kept(services: Iterable[Service]) -> list[Service]:
    """Services worth showing: not failing a known condition, one per title (the best scored of the same name)."""
    seen_titles: set[str] = set()
    kept = []
    for s in sorted(services, key=_order):
        if s.get("status") == "unlikely":
            continue
        title = _title_key(s.get("title") or "")
        if title in seen_titles:
            continue
        seen_titles.add(title)
        kept.append(s)
    return kept


def rank_for_citizen(services: Iterable[Service], vocab: Vocabulary | None = None,
                     life_events: Iterable[str] = ()) -> list[Service]:
    """Services worth showing, best first (the engine's navigator score; see :func:`arrange`).

    The engine already scored each service with the vocabulary and the needs; ``vocab`` and ``life_events`` are
    still accepted so the dialogue's callers need not change."""
    kept = _kept(services)
    return arrange([(s, float(s.get("score") or 0.0)) for s in kept])


def _trial_values(key: str, vocab: Vocabulary, as_of: date) -> list[Any]:
    crit = vocab.criterion(key)
    if crit is None:
        return []
    if crit.type == "boolean":
        return [True, False]
    if crit.type == "select":
        return list(crit.values)
    if crit.type == "multiselect":
        return [[v] for v in crit.values]
    if crit.type == "date" and not crit.age_answer_key:
        return [as_of - timedelta(days=days) for _, days in DATE_CHOICES]
    return []


def page_if(services: list[Service], key: str, value: Any, answers: dict[str, Any], as_of: date, vocab: Vocabulary,
            needs: list[str]) -> list[str]:
    """The first page's service ids if the answer to ``key`` were ``value``."""
    trial = dict(answers)
    trial[key] = value
    follow_ups = {k for k, c in vocab.criteria.items() if c.depends_on and c.depends_on.get("criterion") == key}
    scored = []
    for s in services:
        unknown = set(s.get("unknown") or [])
        if key in unknown or unknown & follow_ups:
            status, score = rescore(s, trial, as_of, vocab, needs)
            if status == "unlikely":
                continue
        else:
            score = float(s.get("score") or 0.0)
        scored.append((s, score))
    return [s["id"] for s in arrange(scored)[:PAGE]]


def choose_question(result: dict[str, Any], state: DialogueState, vocab: Vocabulary) -> str | None:
    """The question whose answer is most likely to change the first page, or None when no answer would.

    Candidates are the unknown conditions of the services on or just below the first page; a condition is asked
    only when it reads as a question (``Vocabulary.ask``), is not rare (a coal miner's question is never put to
    everyone), belongs to the citizen's situation, and was not answered or asked before. Each possible answer is
    tried (:func:`page_if`); the share of answers that change the first page is the question's effect. Ties: the
    engine's order (``next_questions``)."""
    if state.hurry or len(state.asked) >= MAX_QUESTIONS:
        return None
    services = _kept(result.get("services") or [])
    ranked = rank_for_citizen(services)
    current = [s["id"] for s in ranked[:PAGE]]
    answers, _ = vocab.normalize_answers({k: v for k, v in state.answers.items() if v is not None})
    as_of = date.fromisoformat(result["as_of"]) if result.get("as_of") else date.today()
    needs = list(state.life_events)
    engine_order = {k: i for i, k in enumerate(result.get("next_questions") or [])}
    candidates = []
    for s in ranked[:WINDOW]:
        if s.get("status") != "maybe":
            continue
        for key in s.get("unknown") or []:
            if key not in candidates:
                candidates.append(key)
    best, best_effect = None, 0.0
    for key in sorted(candidates, key=lambda k: engine_order.get(k, 10_000)):
        if key in state.answers or key in state.asked or key in answers:
            continue
        crit = vocab.criterion(key)
        if crit is None or crit.rare or vocab.ask(key, "en") is None:
            continue
        if crit.life_events and not set(crit.life_events) & set(needs):
            continue  # a veteran's question is not asked after a job loss
        if crit.age_answer_key and crit.age_answer_key in state.answers:
            continue
        dep = crit.depends_on
        if dep and answers.get(dep["criterion"]) is None:
            continue  # the parent question comes first
        values = _trial_values(key, vocab, as_of)
        if not values:
            continue
        changed = sum(page_if(services, key, v, answers, as_of, vocab, needs) != current for v in values)
        effect = changed / len(values)
        if effect > best_effect:
            best, best_effect = key, effect
    return best
