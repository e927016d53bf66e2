"""How a navigator orders the services that fit: a score per service, from what the citizen said and the data.

Three parts, added up (higher first):

- **fit** — how directly the service answers the stated needs: the share of the citizen's needs it is tagged with,
  each need weighted by how specific it is among the candidates (a disaster says more than housing), plus a little
  for a service that is about those needs rather than about many others;
- **eligibility** — the conditions the citizen's answers meet count for it, unknown ones against it; a condition on a
  rare criterion (coal miners, public safety officers, tribal membership; ``rare: true`` in criteria.yml) that the
  answers do not meet keeps the service off the lead; a condition about a situation the citizen has not stated (a
  veteran's status after a job loss, a child's disability when no child was mentioned) counts against it, and one
  whose parent question was answered against it (no children) makes the service fail;
- **importance** — the editors' flagship programmes per need (``importance.yml`` core) lead, keepsakes and
  paperwork (``minor``) never do, and the source's yearly volume (``reach``) breaks near-ties.

Pure functions over catalogue records and canonical answers: the match engine ranks with them, and the dialogue
re-scores with them when it weighs a question (what would the first page be if the answer were yes?).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import PACKAGE_DIR
from knowledge.vocab import Vocabulary

IMPORTANCE_FILE = PACKAGE_DIR / "importance.yml"
CITIZEN_AUDIENCES = frozenset({"individuals", "families"})
"""Audiences whose services a citizen's list shows; offices and organisations' services are kept out."""

# weights (tuned on tests/e2e/citizens/dev.yml only; bench/bench_relevance.py prints the effect)
FIT = 4.0          # all the stated needs answered
FOCUS = 1.0        # the service is about these needs only
CORE = 4.0         # an editor's flagship programme for one of the needs
MINOR = -3.0       # keepsakes, paperwork, savings accounts
REACH = 1.0        # at most, for ~10 million applications and calls a year
MET = 0.5          # each condition the answers meet (up to 4)
LIKELY = 1.5       # every condition met
NO_RULES = 0.5     # the source lists no condition
UNKNOWN = 0.7      # each condition still unknown (up to 4)
RARE = -6.0        # hinges on a rare criterion the answers do not meet
OFF_TOPIC = -1.5   # each unknown condition about a situation the citizen has not stated (up to 2)


@dataclass(frozen=True)
class Importance:
    core: dict[str, tuple[str, ...]]
    minor: tuple[str, ...]

    def is_core(self, service_id: str, needs: Iterable[str]) -> bool:
        return any(fnmatchcase(service_id, p) for n in needs for p in self.core.get(n, ()))

    def is_minor(self, service_id: str) -> bool:
        return any(fnmatchcase(service_id, p) for p in self.minor)


def parse_importance(doc: dict[str, Any]) -> Importance:
    core = {need: tuple(str(p) for p in patterns or []) for need, patterns in (doc.get("core") or {}).items()}
    minor = []
    for item in doc.get("minor") or []:
        if not isinstance(item, dict) or not item.get("id") or not item.get("why"):
            raise ValueError(f"importance.yml: each `minor` entry needs an id and a why, got {item!r}")
        minor.append(str(item["id"]))
    return Importance(core=core, minor=tuple(minor))


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Importance:
    return parse_importance(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})


def load_importance(path: Path = IMPORTANCE_FILE) -> Importance:
    """The editors' priorities, re-read when the file changes on disk."""
    return _cached(str(path), Path(path).stat().st_mtime)


def need_weights(service_needs: Iterable[Iterable[str]], needs: Iterable[str]) -> dict[str, float]:
    """Weight of each stated need: the fewer candidate services carry it, the more it says about the situation."""
    needs = list(dict.fromkeys(needs))
    counts = dict.fromkeys(needs, 0)
    total = 0
    for tagged in service_needs:
        total += 1
        for n in set(tagged):
            if n in counts:
                counts[n] += 1
    return {n: 1.0 + math.log((1 + total) / (1 + counts[n])) for n in needs}


def base_score(doc: dict[str, Any], needs: list[str], weights: dict[str, float], importance: Importance) -> float:
    """The part of the score that no answer changes: fit to the needs and importance."""
    tagged = set(doc.get("life_events") or [])
    matched = [n for n in needs if n in tagged]
    score = 0.0
    if needs:
        score += FIT * sum(weights.get(n, 1.0) for n in matched) / sum(weights.get(n, 1.0) for n in needs)
    if tagged:
        score += FOCUS * len(matched) / len(tagged)
    if importance.is_core(doc["id"], matched):
        score += CORE
    if importance.is_minor(doc["id"]):
        score += MINOR
    reach = doc.get("reach")
    if reach:
        score += REACH * min(1.0, max(0.0, math.log10(reach) - 3.0) / 4.0)
    return score


def _exclusions(rules: Iterable[dict[str, Any]]) -> set[str]:
    """Criteria the rules use only to exclude ("not over State Pension age"): values ``[False]`` only."""
    seen: dict[str, bool] = {}
    stack = list(rules)
    while stack:
        rule = stack.pop()
        if rule.get("any_of"):
            stack += [r for path in rule["any_of"] for r in path]
            continue
        key = rule.get("criterion")
        if not isinstance(key, str):  # the catalogue schema gives every leaf rule its criterion
            continue
        values = rule.get("values") or []
        negative = (values == [False] and (rule.get("op") or "in") in ("in", "eq")) or (
            values == [True] and rule.get("op") in ("not_in", "ne"))
        seen[key] = seen.get(key, True) and negative
    return {k for k, only_excludes in seen.items() if only_excludes}


def situation_unknowns(unknown: Iterable[str], answers: dict[str, Any], needs: Iterable[str], vocab: Vocabulary,
                       rules: Iterable[dict[str, Any]] = ()) -> tuple[list[str], list[str], list[str]]:
    """(rare, off-topic, ruled out) among a service's unknown criteria.

    Off-topic: the criterion belongs to life events the citizen has not named (unless the service uses it only to
    exclude: "not over State Pension age" is no other situation), or its parent question (``depends_on``) is
    unanswered. Ruled out: the parent question was answered with a value that excludes it."""
    events = set(needs)
    excluding = _exclusions(rules)
    rare, off, out = [], [], []
    for key in unknown:
        crit = vocab.criterion(key)
        if crit is None:
            continue
        if crit.rare:
            rare.append(key)
        dep = crit.depends_on
        if dep:
            value = answers.get(dep["criterion"])
            if value is None:
                off.append(key)
                continue
            values = value if isinstance(value, list) else [value]
            if not any(v in dep.get("values", []) for v in values):
                out.append(key)
                continue
        if crit.life_events and not set(crit.life_events) & events and key not in excluding:
            off.append(key)
    return rare, off, out


def eligibility_score(status: str, met: int, rules: int, unknown: list[str], rare: list[str],
                      off_topic: list[str]) -> float:
    """The part of the score the answers change: conditions met, unknown, rare, about another situation."""
    if status == "likely":
        score = (LIKELY + MET * min(met, 4)) if rules else NO_RULES
    else:
        score = MET * min(met, 4) - UNKNOWN * min(len(unknown), 4)
    if rare:
        score += RARE
    return score + OFF_TOPIC * min(len(off_topic), 2)
