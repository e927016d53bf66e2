"""Scripted citizens → is the service a navigator would name first on the citizen's first page?

A citizen file (``tests/e2e/citizens/*.yml``) holds independently written situations: what the citizen says, the
needs a reader labelled, and ``key_services`` (ids any one of which on the first page counts as a hit; ``[]`` when the
catalogue lacked the service). :func:`run_citizen` builds what the dialogue would know without Rasa — the labelled
needs, the place the citizen names (resolved like :func:`knowledge.places.resolve_place`), the facts the
messages state (:func:`bot.dialogue.facts.stated_facts`, plus what the needs imply) — then runs the match engine and
:func:`bot.dialogue.ranking.rank_for_citizen`, as ``show_page`` does. No question is answered: the first page must be
right on what the citizen said.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.dialogue.facts import implied_by_needs, stated_facts
from bot.dialogue.ranking import rank_for_citizen
from knowledge.places import JurisdictionTree, get_tree
from knowledge.vocab import Vocabulary, load_vocabulary

PAGE = 3  # bot/dialogue/handlers.py PAGE_SIZE: what the citizen reads first
TOP = 5
Matcher = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Outcome:
    id: str
    key_services: list[str]
    needs: list[str]
    location: str | None
    ranked: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    def rank_of_key(self) -> int | None:
        """1-based position of the first key service in the citizen's list, None when absent."""
        for i, sid in enumerate(self.ranked, start=1):
            if sid in self.key_services:
                return i
        return None

    @property
    def on_page(self) -> bool:
        rank = self.rank_of_key()
        return rank is not None and rank <= PAGE

    @property
    def in_top(self) -> bool:
        rank = self.rank_of_key()
        return rank is not None and rank <= TOP


def read_citizens(path: Path | str) -> list[dict[str, Any]]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return list(doc.get("citizens") or [])


def split_of(citizen_id: str) -> str:
    """``dev`` or ``test`` from a hash of the id: the same split on every machine, whatever the file order."""
    return "dev" if hashlib.sha256(citizen_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def locate(citizen: dict[str, Any], tree: JurisdictionTree) -> str | None:
    """The place the citizen names (``facts.place``, what the NLU extracts as the place) as the dialogue resolves
    it; None when it is not a place we cover or is ambiguous (the dialogue would ask)."""
    text = (citizen.get("facts") or {}).get("place")
    return tree.resolve(str(text)).code if text else None


def profile_for(citizen: dict[str, Any], vocab: Vocabulary, tree: JurisdictionTree, today: date) -> dict[str, Any]:
    """The match profile the dialogue would send after the citizen's messages (no question answered)."""
    needs = [n for n in citizen.get("needs") or [] if n in vocab.life_events]
    answers: dict[str, Any] = {}
    for text in citizen.get("says") or []:
        answers.update(stated_facts(str(text), needs, today))  # a later message corrects an earlier one
    for key, value in implied_by_needs(needs).items():
        answers.setdefault(key, value)
    return {"life_events": needs, "location": locate(citizen, tree), "answers": answers,
            "as_of": today.isoformat(), "language": "en"}


def run_citizen(citizen: dict[str, Any], match: Matcher, vocab: Vocabulary | None = None,
                tree: JurisdictionTree | None = None, today: date | None = None) -> Outcome:
    vocab = vocab or load_vocabulary()
    tree = tree or get_tree()
    profile = profile_for(citizen, vocab, tree, today or date.today())
    outcome = Outcome(citizen["id"], list(citizen.get("key_services") or []), profile["life_events"],
                      profile["location"])
    if not profile["life_events"] or not profile["location"]:
        return outcome
    result = match(profile)
    ranked = rank_for_citizen(result.get("services") or [], vocab, profile["life_events"])
    outcome.ranked = [s["id"] for s in ranked]
    outcome.titles = [s.get("title") or s["id"] for s in ranked]
    return outcome


@dataclass
class Figures:
    citizens: int
    with_key: int
    on_page: int
    in_top: int

    def line(self, label: str) -> str:
        def pct(n: int) -> str:
            return f"{100 * n / self.with_key:.0f}%" if self.with_key else "n/a"
        return (f"{label}: {self.citizens} citizens, {self.with_key} with a key service — key on page 1 (top {PAGE}): "
                f"{self.on_page}/{self.with_key} ({pct(self.on_page)}); top {TOP}: {self.in_top}/{self.with_key} "
                f"({pct(self.in_top)})")


def figures(outcomes: Iterable[Outcome]) -> Figures:
    outcomes = list(outcomes)
    keyed = [o for o in outcomes if o.key_services]
    return Figures(len(outcomes), len(keyed), sum(o.on_page for o in keyed), sum(o.in_top for o in keyed))
