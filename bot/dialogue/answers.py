"""Reading answers: a typed or clicked reply to the question pending, and criteria stated unprompted."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.dialogue.understanding import Understanding
from knowledge.lexicon import Lexicon, normalise
from knowledge.vocab import Vocabulary

# how a relative named in a death message relates the *citizen* to the person who died
DECEASED_RELATION_TO_APPLICANT = {"parent": "child", "spouse": "spouse", "child": "parent",
                                  "sibling": "other_family_member", "grandparent": "other_family_member"}
RELATIONSHIP_KEY = "applicant_relationship_to_the_deceased"
AGE_KEY = "applicant_age"
DOB_KEY = "applicant_date_of_birth"
DATE_CHOICES = (("date_recent", 14), ("date_year", 180), ("date_two_years", 540), ("date_older", 1100))
"""Dates asked with buttons: how long ago, as days before today."""

_NUMBER = re.compile(r"\b(\d{1,3})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_AGO = re.compile(r"\b(\d{1,2}|a|one|two|three) (day|week|month|year)s? ago\b")
_WORDNUM = {"a": 1, "one": 1, "two": 2, "three": 3}
_RECENT = ("today", "yesterday", "this week", "last week", "few days", "sunday", "monday", "tuesday", "wednesday",
           "thursday", "friday", "saturday", "this month")
_MY = re.compile(r"\b(my|our)\b")

Parsed = tuple[str, Any]
"""("answer", canonical value) / ("age", years) / ("dont_know", None)."""


def parse_date_answer(text: str, today: date) -> date | None:
    value = text.strip()
    if value.startswith("date_"):
        for name, days in DATE_CHOICES:
            if value == name:
                return today - timedelta(days=days)
    if m := _ISO.search(value):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    low = value.lower()
    if any(w in low for w in _RECENT):
        return today - timedelta(days=7)
    if "last month" in low:
        return today - timedelta(days=40)
    if "last year" in low:
        return today - timedelta(days=365)
    if m := _AGO.search(low):
        n = _WORDNUM.get(m[1]) or int(m[1])
        return today - timedelta(days=n * {"day": 1, "week": 7, "month": 30, "year": 365}[m[2]])
    return None


def parse_answer(key: str, u: Understanding, vocab: Vocabulary, today: date, lexicon: Lexicon) -> Parsed | None:
    """What the message says to the question ``key``, or None when it does not answer it. Button values and typed
    words are both understood."""
    crit = vocab.criterion(key)
    raw = u.answer if u.answer is not None else u.text
    text = normalise(raw)
    if not text:
        return None
    if text in lexicon.dont_know or u.intent == "dont_know" or raw == "dont_know":
        return ("dont_know", None)
    if crit is None:
        return None
    if crit.type == "boolean":
        said: bool | None = True if text in lexicon.affirm else False if text in lexicon.deny else None
        if said is None and u.typed and u.intent in ("affirm", "deny"):
            said = u.intent == "affirm"
        if said is None:
            said = lexicon.yes_or_no(text)  # "yes she did pay in" → its first word
        return ("answer", said) if said is not None else None
    if crit.type in ("select", "multiselect"):
        value = _option(key, crit, raw, text, u, lexicon)
        if value is None:
            return None
        return ("answer", [value] if crit.type == "multiselect" else value)
    if crit.type == "date":
        if crit.age_answer_key:
            ages = list(u.ages) or [int(n) for n in _NUMBER.findall(text)]
            if ages and 0 < ages[0] < 120:
                return ("age", ages[0])
        when = parse_date_answer(raw, today)
        return ("answer", when.isoformat()) if when else None
    if crit.type == "number":
        numbers = re.findall(r"\d+(?:\.\d+)?", text.replace(",", ""))
        return ("answer", float(numbers[0])) if numbers else None
    return None


def _option(key: str, crit: Any, raw: str, text: str, u: Understanding, lexicon: Lexicon) -> Any:
    if key == RELATIONSHIP_KEY and u.typed and u.relations and _MY.search(text):
        # "my mom" names the person who died: the citizen is her child
        return DECEASED_RELATION_TO_APPLICANT[u.relations[0]]
    value = crit.canonical_option(raw)
    for word in (text, *text.split()):
        if value is not None:
            break
        value = crit.canonical_option(word)
    if value is None and u.typed:
        if text in lexicon.affirm or u.intent == "affirm":
            value = crit.canonical_option("yes")
        elif text in lexicon.deny or u.intent == "deny":
            value = crit.canonical_option("no")
    return value


def answers_from_statement(u: Understanding, life_events: list[str]) -> dict[str, Any]:
    """Criteria the citizen stated unprompted: their age, their relationship to a person who died."""
    found: dict[str, Any] = {}
    if u.ages:
        found[AGE_KEY] = u.ages[0]
    if u.relations and "death" in life_events and u.relations[0] in DECEASED_RELATION_TO_APPLICANT:
        found[RELATIONSHIP_KEY] = DECEASED_RELATION_TO_APPLICANT[u.relations[0]]
    return found
