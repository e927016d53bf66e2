"""The match engine: a citizen's profile → the services that fit, why, what is unknown, what to ask next.

Contract (DESIGN.md, ``signpost match``)::

    {"life_events": ["death"], "location": "US-CO" | "Halifax, Nova Scotia" | "80202",
     "answers": {"applicant_relationship_to_the_deceased": "Spouse"}, "as_of": "2026-11-23", "language": "en"}
    → {"services": [{"id", "title", "url", "jurisdiction", "status": "likely|maybe|unlikely", "reasons": [...],
                     "unknown": [criterion keys], ...}],
       "next_questions": [criterion keys, best first], ...}

Extra keys: ``location`` (what the place resolved to, or the candidates to ask between), ``checklist`` (who to
tell, across agencies and levels, for life events such as death), ``navigators`` (people who can help there),
``problems`` (answers that were ignored), ``catalogue_version``.

The database is read on every call (services of the citizen's jurisdiction and its ancestors, for the profile's
life events, through ``service_match_index``), so a reloaded catalogue is picked up at once; parsed service
records are cached per catalogue version only. Everything after the fetch is pure (:func:`evaluate_service`,
:func:`rank_services`, :func:`next_questions`, :func:`assemble`) and testable without a database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from knowledge import LANGUAGES
from knowledge import models as m
from knowledge.importance import (
    CITIZEN_AUDIENCES,
    Importance,
    base_score,
    eligibility_score,
    load_importance,
    need_weights,
    situation_unknowns,
)
from knowledge.places import JurisdictionTree, PlaceResult, get_tree
from knowledge.rules import evaluate_rule, parse_date_expr, unknown_criteria
from knowledge.text import pick
from knowledge.vocab import Age, Vocabulary, load_vocabulary, to_date

STATUS_ORDER = {"likely": 0, "maybe": 1, "unlikely": 2}
LEVEL_ORDER = {"federal": 0, "provincial": 1, "municipal": 2}
LOCATION_QUESTION = "location"

PHRASES = {
    "not_met": {"en": "Does not fit: {}", "fr": "Ne correspond pas : {}", "es": "No corresponde: {}"},
    "no_rules": {"en": "The source lists no conditions for this service; check the service page.",
                 "fr": "La source n'indique aucune condition pour ce service; consultez la page du service.",
                 "es": "La fuente no indica condiciones para este servicio; consulte la página del servicio."},
    "one_of": {"en": "One of: {}", "fr": "L'une des situations suivantes : {}", "es": "Una de estas situaciones: {}"},
    "or": {"en": " or ", "fr": " ou ", "es": " o "},
    "and": {"en": " and ", "fr": " et ", "es": " y "},
    "not": {"en": "Not: {}", "fr": "Pas : {}", "es": "No: {}"},
    "tell": {"en": "Tell {} about the death", "fr": "Informer {} du décès", "es": "Informar a {} del fallecimiento"},
}
DATE_PHRASES = {
    # (age criterion?, op) → text; {n} amount, {u} unit
    (True, "<"): {"en": "under {n} {u} old", "fr": "moins de {n} {u}", "es": "menos de {n} {u}"},
    (True, "<="): {"en": "{n} {u} old or under", "fr": "{n} {u} ou moins", "es": "{n} {u} o menos"},
    (True, ">"): {"en": "over {n} {u} old", "fr": "plus de {n} {u}", "es": "más de {n} {u}"},
    (True, ">="): {"en": "{n} {u} old or over", "fr": "{n} {u} ou plus", "es": "{n} {u} o más"},
    (False, "<"): {"en": "less than {n} {u} ago", "fr": "il y a moins de {n} {u}", "es": "hace menos de {n} {u}"},
    (False, "<="): {"en": "at most {n} {u} ago", "fr": "il y a au plus {n} {u}", "es": "hace como máximo {n} {u}"},
    (False, ">"): {"en": "more than {n} {u} ago", "fr": "il y a plus de {n} {u}", "es": "hace más de {n} {u}"},
    (False, ">="): {"en": "at least {n} {u} ago", "fr": "il y a au moins {n} {u}", "es": "hace al menos {n} {u}"},
    ("abs", "<"): {"en": "before {d}", "fr": "avant le {d}", "es": "antes del {d}"},
    ("abs", "<="): {"en": "on or before {d}", "fr": "au plus tard le {d}", "es": "hasta el {d}"},
    ("abs", ">"): {"en": "after {d}", "fr": "après le {d}", "es": "después del {d}"},
    ("abs", ">="): {"en": "on or after {d}", "fr": "à partir du {d}", "es": "a partir del {d}"},
    ("abs", "="): {"en": "on {d}", "fr": "le {d}", "es": "el {d}"},
}
UNITS = {"years": {"en": "years", "fr": "ans", "es": "años"}, "months": {"en": "months", "fr": "mois", "es": "meses"},
         "weeks": {"en": "weeks", "fr": "semaines", "es": "semanas"}, "days": {"en": "days", "fr": "jours", "es": "días"}}


class ProfileError(ValueError):
    """The profile is malformed (wrong types, bad date, unknown life event); the message says what to fix."""


@dataclass
class Profile:
    life_events: list[str]
    location: Any
    answers: dict[str, Any]
    as_of: date
    language: str
    sources: list[str] | None = None
    include_unlikely: bool = True
    limit: int | None = None
    problems: list[str] = field(default_factory=list)


def _phrase(key: str, language: str) -> str:
    table = PHRASES[key]
    return table.get(language) or table["en"]


def parse_profile(raw: Any, vocab: Vocabulary | None = None, today: date | None = None) -> Profile:
    """Check and normalise a profile dict; :class:`ProfileError` with a clear message when it is malformed."""
    vocab = vocab or load_vocabulary()
    if not isinstance(raw, dict):
        raise ProfileError("the profile must be a JSON object")
    events_raw = raw.get("life_events") or []
    if isinstance(events_raw, str):
        events_raw = [events_raw]
    if not isinstance(events_raw, list) or not all(isinstance(e, str) for e in events_raw):
        raise ProfileError("life_events must be a list of life-event ids, e.g. [\"death\"]")
    events: list[str] = []
    for text in events_raw:
        event = text if text in vocab.life_events else vocab.life_event_id(text)
        if event is None:
            raise ProfileError(f"unknown life event {text!r}; known: {', '.join(vocab.life_events)}")
        if event not in events:
            events.append(event)
    answers_raw = raw.get("answers") or {}
    if not isinstance(answers_raw, dict):
        raise ProfileError("answers must be an object {criterion: value}")
    answers, problems = vocab.normalize_answers(answers_raw)
    answers = with_implied_options(answers, vocab)
    as_of_raw = raw.get("as_of")
    if as_of_raw in (None, ""):
        as_of = today or date.today()
    else:
        given = to_date(as_of_raw)
        if given is None:
            raise ProfileError(f"as_of must be a date YYYY-MM-DD, got {as_of_raw!r}")
        as_of = given
    language = raw.get("language") or "en"
    if not isinstance(language, str):
        raise ProfileError("language must be a language code such as \"en\", \"fr\" or \"es\"")
    language = language.lower().split("-")[0]
    if language not in LANGUAGES:
        problems.append(f"language {language!r}: texts are in en/fr/es; answering in English")
        language = "en"
    location = raw.get("location")
    if location is not None and not isinstance(location, str):
        raise ProfileError("location must be a jurisdiction code or free text such as \"Halifax, Nova Scotia\"")
    sources = raw.get("sources")
    if sources is not None and (not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)):
        raise ProfileError("sources must be a list of source ids")
    limit = raw.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ProfileError("limit must be a positive integer")
    return Profile(life_events=events, location=location, answers=answers, as_of=as_of, language=language,
                   sources=sources, include_unlikely=bool(raw.get("include_unlikely", True)), limit=limit,
                   problems=problems)


# ----------------------------------------------------------------------------------------------- pure logic

def describe_rule(rule: dict[str, Any], vocab: Vocabulary, language: str = "en") -> str:
    """A plain-language sentence for a rule (its own label when the source gave one)."""
    label = pick(rule.get("label"), language)
    if label:
        return label
    if rule.get("any_of"):
        paths = [_phrase("and", language).join(describe_rule(r, vocab, language) for r in path) for path in rule["any_of"]]
        return _phrase("one_of", language).format(_phrase("or", language).join(f"({p})" if len(rule["any_of"]) > 1 else p for p in paths))
    crit = vocab.criterion(rule["criterion"])
    if crit is None:
        return str(rule["criterion"])
    question = (crit.question.get(language) or crit.question["en"]).rstrip(" :?.").rstrip()
    op, values = rule.get("op") or "in", rule.get("values") or []
    if crit.type == "boolean":
        wanted = values[0] if values else True
        if op in ("not_in", "ne"):
            wanted = not wanted
        return question if wanted else _phrase("not", language).format(question)
    if op == "date":
        parts = []
        for v in values:
            expr = parse_date_expr(v)
            if expr.when is not None:
                parts.append(DATE_PHRASES[("abs", expr.op)].get(language, "").format(d=expr.when.isoformat()))
            else:
                key = (bool(crit.age_answer_key) and expr.unit == "years", expr.op if expr.op != "=" else ">=")
                unit_key = expr.unit or ""  # a relative expression always has its unit
                unit = UNITS.get(unit_key, {}).get(language, unit_key)
                parts.append(DATE_PHRASES[key].get(language, "").format(n=expr.amount, u=unit))
        return f"{question}: " + _phrase("and", language).join(parts)
    if crit.type in ("select", "multiselect"):
        shown = _phrase("or", language).join(crit.option_label(v, language) for v in values)
        return f"{question}: {shown}" if op in ("in", "eq") else _phrase("not", language).format(f"{question}: {shown}")
    symbol = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠", "in": "∈", "not_in": "∉"}
    if op == "between":
        return f"{question}: {values[0]}–{values[1]}"
    return f"{question} {symbol.get(op, op)} {', '.join(map(str, values))}"


def service_status(rules: list[dict[str, Any]], answers: dict[str, Any], as_of: date) -> str:
    outcomes = [evaluate_rule(r, answers, as_of) for r in rules]
    if any(o is False for o in outcomes):
        return "unlikely"
    if any(o is None for o in outcomes):
        return "maybe"
    return "likely"


@dataclass
class Evaluation:
    doc: dict[str, Any]
    jurisdiction: str
    status: str
    reasons: list[str]
    unknown: list[str]
    met: int
    failed: int
    score: float = 0.0
    base: float = 0.0
    needs: list[str] = field(default_factory=list)
    rare: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)


def with_implied_options(answers: dict[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    """An option that implies others (``implies`` in criteria.yml: "retired" from the military is also
    "discharged") answers as all of them, so a rule accepting either is met."""
    expanded = dict(answers)
    for key, value in answers.items():
        crit = vocab.criterion(key)
        if crit is None or crit.type != "select" or not isinstance(value, str):
            continue
        option = next((o for o in crit.options if o["value"] == value), None)
        if option and option.get("implies"):
            expanded[key] = [value, *option["implies"]]
    return expanded


def evaluate_service(doc: dict[str, Any], answers: dict[str, Any], as_of: date, vocab: Vocabulary, language: str = "en",
                     jurisdiction: str | None = None) -> Evaluation:
    """Status, plain-language reasons and unknown criteria of one service for one set of answers."""
    rules = doc.get("eligibility") or []
    reasons: list[str] = []
    unknown: list[str] = []
    met = failed = 0
    for rule in rules:
        outcome = evaluate_rule(rule, answers, as_of)
        if outcome is True:
            met += 1
            reasons.append(describe_rule(rule, vocab, language))
        elif outcome is False:
            failed += 1
            reasons.append(_phrase("not_met", language).format(describe_rule(rule, vocab, language)))
        else:
            for key in unknown_criteria(rule, answers, as_of):
                if key not in unknown:
                    unknown.append(key)
    if not rules:
        reasons.append(_phrase("no_rules", language))
    status = "unlikely" if failed else ("maybe" if len(rules) > met else "likely")
    return Evaluation(doc=doc, jurisdiction=jurisdiction or (doc.get("service_areas") or [""])[0], status=status,
                      reasons=reasons, unknown=unknown, met=met, failed=failed)


def derive_answers(answers: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Answers that follow from others: an age of 67 or more is over the UK State Pension age, under 66 is not
    (66 itself is left to the question: the age is rising from 66 to 67). The citizen's own answers win."""
    out = dict(answers)
    born = answers.get("applicant_date_of_birth")
    if "over_state_pension_age" not in out and born is not None:
        age = born.years if isinstance(born, Age) else (
            as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day)) if isinstance(born, date)
            else None)
        if age is not None and age != 66:
            out["over_state_pension_age"] = age >= 67
    return out


def judge(rules: list[dict[str, Any]], answers: dict[str, Any], as_of: date) -> tuple[str, int, list[str]]:
    """(status, rules met, unknown criteria) of a service's rules for some answers — no texts, for what-ifs."""
    met = failed = 0
    unknown: list[str] = []
    for rule in rules:
        outcome = evaluate_rule(rule, answers, as_of)
        if outcome is True:
            met += 1
        elif outcome is False:
            failed += 1
        else:
            unknown += [k for k in unknown_criteria(rule, answers, as_of) if k not in unknown]
    return ("unlikely" if failed else ("maybe" if len(rules) > met else "likely")), met, unknown


def score_service(ev: Evaluation, needs: list[str], answers: dict[str, Any], weights: dict[str, float],
                  importance: Importance, vocab: Vocabulary, language: str = "en") -> Evaluation:
    """Fill in the navigator's score (knowledge/importance.py); a follow-up condition whose parent question was
    answered against it ("no children" for a child's disability) makes the service unlikely."""
    rare, off, ruled_out = situation_unknowns(ev.unknown, answers, needs, vocab, ev.doc.get("eligibility") or [])
    if ruled_out and ev.status != "unlikely":
        ev.status = "unlikely"
        ev.failed += len(ruled_out)
        ev.reasons.append(_phrase("not_met", language).format(
            "; ".join((vocab.question(k, language) or k).rstrip(" :?.") for k in ruled_out)))
    tagged = set(ev.doc.get("life_events") or [])
    ev.needs = [n for n in needs if n in tagged]
    ev.rare, ev.off_topic = rare, off
    ev.base = base_score(ev.doc, needs, weights, importance)
    ev.score = ev.base + eligibility_score(ev.status, ev.met, len(ev.doc.get("eligibility") or []), ev.unknown,
                                           rare, off)
    return ev


def rank_services(evaluations: list[Evaluation], tree: JurisdictionTree) -> list[Evaluation]:
    """Status first (likely, maybe, unlikely), the navigator's score within each (see knowledge/importance.py),
    then federal → local, then title."""
    return sorted(evaluations, key=lambda e: (
        STATUS_ORDER[e.status] if e.status == "unlikely" else 0, -round(e.score, 6),
        LEVEL_ORDER[tree.level(e.jurisdiction)], (e.doc["name"].get("en") or "").lower(), e.doc["id"]))


def rescore(entry: dict[str, Any], answers: dict[str, Any], as_of: date, vocab: Vocabulary, needs: list[str]) -> tuple[str, float]:
    """(status, score) of a listed service (:func:`service_entry`) if the answers were ``answers`` (canonical)."""
    rules = entry.get("eligibility") or []
    answers = derive_answers(answers, as_of)
    status, met, unknown = judge(rules, answers, as_of)
    rare, off, ruled_out = situation_unknowns(unknown, answers, needs, vocab, rules)
    if ruled_out:
        status = "unlikely"
    return status, float(entry.get("base") or 0.0) + eligibility_score(status, met, len(rules), unknown, rare, off)


def _depends_ok(key: str, answers: dict[str, Any], vocab: Vocabulary) -> bool:
    crit = vocab.criteria.get(key)
    dep = crit.depends_on if crit else None
    if not dep:
        return True
    value = answers.get(dep["criterion"])
    if value is None:
        return False  # ask the parent question first
    values = value if isinstance(value, list) else [value]
    return any(v in dep.get("values", []) for v in values)


def next_questions(evaluations: list[Evaluation], answers: dict[str, Any], as_of: date, vocab: Vocabulary) -> list[str]:
    """Unanswered criteria ordered by how many candidate services an answer is expected to decide.

    For every ``maybe`` service and each of its unknown criteria, each possible answer (options of a
    boolean/select criterion) is tried: the share of answers that would turn the service into ``likely`` or
    ``unlikely`` is that criterion's expected effect on the service. Dates and numbers count 1 when they are the
    service's last unknown, else ½. Ties: more services concerned, then the editor's order in criteria.yml.
    Follow-up questions (``depends_on``) wait until their parent question is answered.
    """
    score: dict[str, float] = {}
    concerned: dict[str, int] = {}
    for ev in evaluations:
        if ev.status != "maybe":
            continue
        rules = ev.doc.get("eligibility") or []
        for key in ev.unknown:
            if key in answers or not _depends_ok(key, answers, vocab):
                continue
            crit = vocab.criteria.get(key)
            if crit is None:
                continue
            options = crit.values if crit.type in ("boolean", "select", "multiselect") else []
            if options:
                changed = 0
                for value in options:
                    trial = dict(answers)
                    trial[key] = [value] if crit.type == "multiselect" else value
                    if service_status(rules, trial, as_of) != "maybe":
                        changed += 1
                effect = changed / len(options)
            else:
                effect = 1.0 if len(ev.unknown) == 1 else 0.5
            score[key] = score.get(key, 0.0) + effect
            concerned[key] = concerned.get(key, 0) + 1
    def order(key: str) -> tuple[float, int, int, str]:
        crit = vocab.criteria.get(key)
        return (-round(score[key], 6), -concerned[key], crit.order if crit else 10_000, key)
    return sorted((k for k in score if score[k] > 0), key=order)


def _title(doc: dict[str, Any], language: str) -> str:
    return pick(doc.get("name"), language) or doc["id"]


def service_url(doc: dict[str, Any], language: str) -> str | None:
    """Where a citizen can read about or apply for the service: its own page, else how to apply, else the
    organization's site, else the source record — a presented service always carries a link when one exists."""
    how = doc.get("how_to_apply") or {}
    how_url = pick(how.get("url"), language) if isinstance(how.get("url"), dict) else how.get("url")
    return (pick(doc.get("url"), language) or how_url or doc.get("_organization_url")
            or (doc.get("source") or {}).get("url"))


def service_entry(ev: Evaluation, tree: JurisdictionTree, language: str) -> dict[str, Any]:
    doc = ev.doc
    how = doc.get("how_to_apply") or {}
    entry = {
        "id": doc["id"],
        "title": _title(doc, language),
        "url": service_url(doc, language),
        "jurisdiction": ev.jurisdiction,
        "status": ev.status,
        "reasons": ev.reasons,
        "unknown": ev.unknown,
        "met": ev.met,  # eligibility rules the answers meet (0: no evidence yet, or no rules at all)
        "score": round(ev.score, 4),  # the navigator's order (knowledge/importance.py); base: what no answer changes
        "base": round(ev.base, 4),
        "needs": ev.needs,
        "rare": ev.rare,
        "off_topic": ev.off_topic,
        "kind": doc.get("kind", "service"),
        "audience": doc.get("audience", "individuals"),
        "eligibility": doc.get("eligibility") or [],
        "level": tree.level(ev.jurisdiction),
        "jurisdiction_name": tree.name(ev.jurisdiction, language),
        "organization": pick(doc.get("_organization"), language),
        "description": pick(doc.get("description"), language),
        "how_to_apply": {k: (pick(v, language) if isinstance(v, dict) else v) for k, v in how.items()} or None,
        "documents": [pick(d["document"], language) for d in doc.get("required_documents") or []],
        "source": {"name": (doc.get("_source") or {}).get("name"), "url": (doc.get("source") or {}).get("url"),
                   "id": (doc.get("source") or {}).get("id"),
                   "last_reviewed": (doc.get("source") or {}).get("last_reviewed"),
                   "licence": (doc.get("_source") or {}).get("licence")},
    }
    return entry


def build_checklist(evaluations: list[Evaluation], life_events: list[str], tree: JurisdictionTree,
                    language: str) -> list[dict[str, Any]]:
    """Who to tell (tell-us-once idea): services marked ``notify_on`` one of the life events, federal → local."""
    items = []
    for ev in evaluations:
        events = [e for e in ev.doc.get("notify_on") or [] if e in life_events]
        if not events:
            continue
        org = pick(ev.doc.get("_organization"), language) or _title(ev.doc, language)
        action = pick(ev.doc.get("notify_action"), language) or _phrase("tell", language).format(org)
        items.append({"id": ev.doc["id"], "action": action, "title": _title(ev.doc, language),
                      "organization": org, "url": pick(ev.doc.get("url"), language), "jurisdiction": ev.jurisdiction,
                      "level": tree.level(ev.jurisdiction), "life_events": events})
    items.sort(key=lambda i: (LEVEL_ORDER[i["level"]], i["organization"] or "", i["title"]))
    return items


def location_echo(place: PlaceResult | None, profile_location: Any, tree: JurisdictionTree, language: str) -> dict[str, Any]:
    if place is None:
        return {"text": profile_location, "code": None, "name": None, "ambiguous": [], "outside_coverage": []}
    out = place.to_dict()
    if place.code:
        out["name"] = tree.name(place.code, language)
        out["path"] = tree.ancestors(place.code)
    return out


def assemble(profile: Profile, place: PlaceResult | None, candidates: list[tuple[dict[str, Any], str]],
             tree: JurisdictionTree, vocab: Vocabulary, navigators: list[dict[str, Any]] | None = None,
             version: int | None = None, importance: Importance | None = None) -> dict[str, Any]:
    """The full answer from candidate (service record, matched jurisdiction) pairs — no database needed."""
    importance = importance or load_importance()
    answers = derive_answers(profile.answers, profile.as_of)
    evaluations = [evaluate_service(doc, answers, profile.as_of, vocab, profile.language, code)
                   for doc, code in candidates]
    wanted = set(profile.life_events)
    # records fetched only for the checklist (notify_on) are not services for this situation, and offices or
    # organisations' services are not for a citizen's list
    listed = [e for e in evaluations if (not wanted or wanted & set(e.doc.get("life_events") or []))
              and e.doc.get("audience", "individuals") in CITIZEN_AUDIENCES]
    weights = need_weights((e.doc.get("life_events") or [] for e in listed), profile.life_events)
    for e in listed:
        score_service(e, profile.life_events, answers, weights, importance, vocab, profile.language)
    ranked = rank_services(evaluations, tree)
    listed = rank_services(listed, tree)
    shown = [e for e in listed if profile.include_unlikely or e.status != "unlikely"]
    questions = next_questions(listed, answers, profile.as_of, vocab)
    if place is None or not place.code:
        questions = [LOCATION_QUESTION] + questions
    if profile.limit:
        shown = shown[: profile.limit]
    result = {
        "services": [service_entry(e, tree, profile.language) for e in shown],
        "next_questions": questions,
        "location": location_echo(place, profile.location, tree, profile.language),
        "life_events": profile.life_events,
        "as_of": profile.as_of.isoformat(),
        "language": profile.language,
        "counts": {s: sum(1 for e in listed if e.status == s) for s in STATUS_ORDER},
    }
    checklist = build_checklist(ranked, profile.life_events, tree, profile.language)
    if checklist:
        result["checklist"] = checklist
    if navigators is not None:
        result["navigators"] = navigators
    if profile.problems:
        result["problems"] = profile.problems
    if version is not None:
        result["catalogue_version"] = version
    return result


# ----------------------------------------------------------------------------------------------- database

class _DocCache:
    """Parsed service records per (database, catalogue version); a new version empties it."""

    def __init__(self, max_items: int = 20_000):
        self.max_items = max_items
        self._lock = threading.Lock()
        self._key: tuple[str, int | None] | None = None
        self._docs: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get_many(self, key: tuple[str, int | None], ids: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
        with self._lock:
            if key != self._key:
                self._key, self._docs = key, OrderedDict()
            found, missing = {}, []
            for sid in ids:
                doc = self._docs.get(sid)
                if doc is None:
                    missing.append(sid)
                else:
                    found[sid] = doc
                    self._docs.move_to_end(sid)
            return found, missing

    def put_many(self, key: tuple[str, int | None], docs: dict[str, dict[str, Any]]) -> None:
        with self._lock:
            if key != self._key:
                return
            self._docs.update(docs)
            while len(self._docs) > self.max_items:
                self._docs.popitem(last=False)


_CACHE = _DocCache()


class CatalogueNotLoaded(RuntimeError):
    """No catalogue has been loaded into this database (run ``signpost knowledge load``)."""


def current_version(conn: Connection) -> int | None:
    versions = m.CatalogueVersion.__table__
    version: int | None = conn.execute(select(versions.c.version).order_by(versions.c.version.desc()).limit(1)).scalar()
    return version


def fetch_candidates(conn: Connection, codes: list[str] | None, life_events: list[str],
                     sources: list[str] | None = None, cache: _DocCache | None = _CACHE
                     ) -> tuple[int | None, list[tuple[dict[str, Any], str]]]:
    """(catalogue version, [(service record, matched jurisdiction)]) for services in ``codes`` (None: everywhere)
    with one of ``life_events`` (none: any). One round trip reads the index and the version; a second one reads
    the records not yet cached for that version."""
    idx = m.ServiceMatchIndex.__table__
    versions = m.CatalogueVersion.__table__
    events = life_events or [m.ALL_EVENTS]
    latest = select(versions.c.version).order_by(versions.c.version.desc()).limit(1).scalar_subquery()
    query = select(idx.c.service_id, idx.c.jurisdiction_code, latest).where(idx.c.life_event.in_(events))
    if codes is not None:
        query = query.where(idx.c.jurisdiction_code.in_(codes))
    depth = {c: i for i, c in enumerate(codes or [])}
    best: dict[str, str] = {}
    version = None
    for sid, code, row_version in conn.execute(query):
        version = row_version
        # keep the most specific matched area (nearest the citizen) when a service covers several ancestors
        if sid not in best or depth.get(code, 99) < depth.get(best[sid], 99):
            best[sid] = code
    if not best:
        return (version if version is not None else current_version(conn)), []
    ids = sorted(best)
    key = (str(conn.engine.url), version)
    docs, missing = cache.get_many(key, ids) if cache else ({}, ids)
    if missing:
        svc = m.Service.__table__
        fetched = {}
        for start in range(0, len(missing), 900):
            chunk = missing[start:start + 900]
            for sid, doc in conn.execute(select(svc.c.id, svc.c.doc).where(svc.c.id.in_(chunk))):
                fetched[sid] = doc
        docs.update(fetched)
        if cache:
            cache.put_many(key, fetched)
    out = []
    for sid in ids:
        doc = docs.get(sid)
        if doc is None:
            continue
        if sources and (doc.get("_source") or {}).get("id") not in sources:
            continue
        if doc.get("status", "active") != "active":
            continue
        out.append((doc, best[sid]))
    return version, out


def fetch_navigators(conn: Connection, codes: list[str] | None, language: str, service_ids: list[str] | None = None,
                     limit: int = 5) -> list[dict[str, Any]]:
    """Navigators serving the citizen's place (nearest first); those helping with matched services first."""
    if not codes:
        return []
    area = m.NavigatorArea.__table__
    nav = m.Navigator.__table__
    link = m.NavigatorService.__table__
    rows = conn.execute(select(nav.c.id, nav.c.doc, area.c.jurisdiction_code)
                        .join(area, area.c.navigator_id == nav.c.id)
                        .where(area.c.jurisdiction_code.in_(codes))).all()
    helping: set[str] = set()
    if service_ids and rows:
        ids = list({r.id for r in rows})
        helping = {r.navigator_id for r in conn.execute(
            select(link.c.navigator_id).where(link.c.navigator_id.in_(ids), link.c.service_id.in_(service_ids[:900])))}
    depth = {c: i for i, c in enumerate(codes)}
    best: dict[str, tuple[tuple[bool, bool, int, str], dict[str, Any], str]] = {}
    for r in rows:
        speaks = language in (r.doc.get("languages") or [])
        key = (r.id not in helping, not speaks, depth.get(r.jurisdiction_code, 99), r.doc.get("name", ""))
        if r.id not in best or key < best[r.id][0]:
            best[r.id] = (key, r.doc, r.jurisdiction_code)
    out = []
    for _, doc, code in sorted(best.values(), key=lambda x: x[0])[:limit]:
        out.append({"id": doc["id"], "name": doc["name"], "description": pick(doc.get("description"), language),
                    "phone": doc.get("phone"), "email": doc.get("email"), "url": doc.get("url"),
                    "languages": doc.get("languages", []), "jurisdiction": code})
    return out


def match_profile(engine: Engine, profile: dict[str, Any], *, vocab: Vocabulary | None = None,
                  tree: JurisdictionTree | None = None, cache: _DocCache | None = _CACHE,
                  with_navigators: bool = True) -> dict[str, Any]:
    """Answer one profile (see module doc). Raises :class:`ProfileError` or :class:`CatalogueNotLoaded`."""
    vocab = vocab or load_vocabulary()
    tree = tree or get_tree()
    parsed = parse_profile(profile, vocab)
    place = tree.resolve(parsed.location, parsed.language) if parsed.location else None
    if place is not None and place.code:
        codes: list[str] | None = tree.ancestors(place.code)
    elif place is not None and place.candidates:
        # ambiguous: services of every candidate place (each with its ancestors); "location" is asked first
        codes = list(dict.fromkeys(c for cand in place.candidates if cand.code for c in tree.ancestors(cand.code)))
    elif place is not None:
        codes = []  # not a place we cover: nothing to offer but the question
    else:
        codes = None  # no location given: every jurisdiction, and ask where
    candidates: list[tuple[dict[str, Any], str]]
    with engine.connect() as conn:
        if codes == []:
            version, candidates = current_version(conn), []
        else:
            version, candidates = fetch_candidates(conn, codes, parsed.life_events, parsed.sources, cache)
        if version is None:
            raise CatalogueNotLoaded("no catalogue loaded in this database: run `signpost knowledge load`")
        navigators = None
        if with_navigators and place is not None and place.code:
            matched = [doc["id"] for doc, _ in candidates]
            navigators = fetch_navigators(conn, codes, parsed.language, matched)
    return assemble(parsed, place, candidates, tree, vocab, navigators, version)
