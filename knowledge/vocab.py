"""The shared vocabulary: life-event taxonomy (``life_events.yml``) and criteria (``criteria.yml``).

Answers arrive in many shapes ("Yes", true, "oui", "Spouse", "Hija/o", {"month": 2, "day": 3, "year": 2022},
``deceased_date_of_death_month``…); :meth:`Vocabulary.normalize_answers` turns them into canonical values
(bool, option value, list of option values, ``datetime.date``, :class:`Age`, float) keyed by canonical criterion keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import CRITERIA_FILE, LIFE_EVENTS_FILE
from knowledge.text import fold

TYPES = ("boolean", "select", "multiselect", "date", "number", "place")
TRUE_WORDS = {"yes", "y", "true", "1", "oui", "si", "vrai", "o"}
FALSE_WORDS = {"no", "n", "false", "0", "non", "faux"}


@dataclass(frozen=True)
class Age:
    """An age in completed years, given instead of a date of birth."""

    years: int


@dataclass
class Criterion:
    key: str
    type: str
    question: dict[str, str]
    options: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    depends_on: dict[str, Any] | None = None
    life_events: list[str] = field(default_factory=list)
    source: str | None = None
    age_answer_key: str | None = None
    unit: str | None = None
    ask: dict[str, str] = field(default_factory=dict)
    rare: bool = False
    order: int = 0
    _lookup: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for opt in self.options:
            value = opt["value"]
            names = [str(value), *opt.get("aliases", []), *(opt.get("label") or {}).values()]
            for name in names:
                self._lookup.setdefault(fold(name), value)

    @property
    def values(self) -> list[Any]:
        if self.type == "boolean":
            return [True, False]
        return [o["value"] for o in self.options]

    def option_label(self, value: Any, language: str = "en") -> str:
        if self.type == "boolean":
            return {True: {"en": "Yes", "fr": "Oui", "es": "Sí"}, False: {"en": "No", "fr": "Non", "es": "No"}}[
                bool(value)].get(language, "Yes" if value else "No")
        for opt in self.options:
            if opt["value"] == value:
                labels = opt.get("label") or {}
                return labels.get(language) or labels.get("en") or str(value)
        return str(value)

    def canonical_option(self, raw: Any) -> Any:
        """The canonical option value for ``raw`` (value, label in any language or alias), or None."""
        if self.type == "boolean":
            return to_bool(raw)
        if isinstance(raw, bool):
            raw = "yes" if raw else "no"
        return self._lookup.get(fold(raw)) if raw is not None else None


def to_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = fold(raw)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


def to_date(raw: Any) -> date | None:
    """A date from ISO ``YYYY-MM-DD``, USAGov ``MM-DD-YYYY`` / ``MM/DD/YYYY`` or ``{"year", "month", "day"}``."""
    if isinstance(raw, date):
        return raw
    try:
        if isinstance(raw, dict):
            return date(int(raw["year"]), int(raw.get("month") or 1), int(raw.get("day") or 1))
        if isinstance(raw, str):
            text = raw.strip()
            if m := _ISO.match(text):
                return date(int(m[1]), int(m[2]), int(m[3]))
            if m := _US.match(text):
                return date(int(m[3]), int(m[1]), int(m[2]))
    except (KeyError, TypeError, ValueError):
        return None
    return None


NEED_KINDS = ("life_event", "everyday")


@dataclass
class LifeEvent:
    """One need of the taxonomy: a life event (something happened) or an everyday need (something is needed)."""

    id: str
    label: dict[str, str]
    synonyms: dict[str, list[str]]
    kind: str = "life_event"
    description: dict[str, str] = field(default_factory=dict)


class Vocabulary:
    def __init__(self, criteria: list[dict[str, Any]], life_events: list[dict[str, Any]]):
        self.criteria: dict[str, Criterion] = {}
        self.key_aliases: dict[str, str] = {}
        self.age_keys: dict[str, str] = {}
        for order, raw in enumerate(criteria):
            fields = {k: v for k, v in raw.items() if k in Criterion.__dataclass_fields__ and not k.startswith("_")}
            crit = Criterion(**fields, order=order)  # the editor's order breaks ties between questions
            self.criteria[crit.key] = crit
            for alias in crit.aliases:
                self.key_aliases[alias] = crit.key
            if crit.age_answer_key:
                self.age_keys[crit.age_answer_key] = crit.key
        self.life_events: dict[str, LifeEvent] = {}
        self._event_lookup: dict[str, str] = {}
        for raw in life_events:
            event = LifeEvent(raw["id"], raw.get("label") or {}, raw.get("synonyms") or {},
                              raw.get("kind") or "life_event", raw.get("description") or {})
            if event.kind not in NEED_KINDS:
                raise ValueError(f"life_events.yml: {event.id}: kind must be one of {NEED_KINDS}, got {event.kind!r}")
            self.life_events[event.id] = event
            for name in [event.id, *event.label.values(), *(s for syns in event.synonyms.values() for s in syns)]:
                self._event_lookup.setdefault(fold(name), event.id)

    # --- criteria ---
    def canonical_key(self, key: str) -> str | None:
        if key in self.criteria:
            return key
        return self.key_aliases.get(key)

    def criterion(self, key: str) -> Criterion | None:
        canonical = self.canonical_key(key)
        return self.criteria.get(canonical) if canonical else None

    def question(self, key: str, language: str = "en") -> str | None:
        crit = self.criterion(key)
        if crit is None:
            return None
        return crit.question.get(language) or crit.question.get("en")

    def ask(self, key: str, language: str = "en") -> str | None:
        """The criterion as a question put to the citizen: its ``ask`` text, else its ``question`` when that is
        already a question; None when the vocabulary has only a statement ("The service status of the deceased
        is"), which must not be asked as it stands."""
        crit = self.criterion(key)
        if crit is None:
            return None
        if crit.ask:
            return crit.ask.get(language) or crit.ask.get("en")
        text = (crit.question.get(language) or crit.question.get("en") or "").strip()
        return text if text.endswith("?") else None

    # --- life events ---
    def life_event_id(self, text: str) -> str | None:
        """The taxonomy id for an id, label or synonym (any language), else None."""
        return self._event_lookup.get(fold(text))

    # --- answers ---
    def normalize_value(self, crit: Criterion, raw: Any) -> Any:
        """Canonical value for one answer, or None when it cannot be understood."""
        if raw is None or raw == "":
            return None
        if crit.type == "boolean":
            return to_bool(raw)
        if crit.type == "select":
            return crit.canonical_option(raw)
        if crit.type == "multiselect":
            items = raw if isinstance(raw, list | tuple | set) else [raw]
            values = [crit.canonical_option(item) for item in items]
            return None if any(v is None for v in values) else sorted(set(values), key=str)
        if crit.type == "date":
            return to_date(raw)
        if crit.type == "number":
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
        if crit.type == "place":
            return raw
        return None

    def normalize_answers(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(canonical answers, problems). Problems name answers that were ignored and why."""
        problems: list[str] = []
        merged: dict[str, Any] = {}
        split: dict[str, dict[str, Any]] = {}
        for key, value in (raw or {}).items():
            for part in ("_month", "_day", "_year"):
                if key.endswith(part):
                    split.setdefault(key[: -len(part)], {})[part[1:]] = value
                    break
            else:
                merged[key] = value
        for base, parts in split.items():
            if self.criterion(base) is not None and base not in merged:
                merged[base] = parts
            else:  # not a date criterion after all: keep the raw keys
                merged.update({f"{base}_{k}": v for k, v in parts.items()})
        answers: dict[str, Any] = {}
        for key, value in merged.items():
            if key in self.age_keys:
                target = self.age_keys[key]
                try:
                    age = Age(int(float(value)))
                except (TypeError, ValueError):
                    problems.append(f"{key}: not a number of years: {value!r}")
                    continue
                answers.setdefault(target, age)
                continue
            crit = self.criterion(key)
            if crit is None:
                problems.append(f"{key}: not a known criterion (ignored)")
                continue
            normalized = self.normalize_value(crit, value)
            if normalized is None:
                if value not in (None, ""):
                    problems.append(f"{key}: {value!r} is not a valid answer (ignored)")
                continue
            if crit.key in answers and not isinstance(answers[crit.key], Age):
                continue  # the canonical key wins over an alias given in the same profile
            answers[crit.key] = normalized
        return answers, problems


def _read(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=4)
def _cached(criteria_path: str, events_path: str, mtimes: tuple[float, float]) -> Vocabulary:
    return Vocabulary(_read(Path(criteria_path)), _read(Path(events_path)))


def load_vocabulary(criteria_path: Path = CRITERIA_FILE, events_path: Path = LIFE_EVENTS_FILE) -> Vocabulary:
    """The vocabulary, re-read when either file changes on disk."""
    mtimes = (Path(criteria_path).stat().st_mtime, Path(events_path).stat().st_mtime)
    return _cached(str(criteria_path), str(events_path), mtimes)
