"""Failure demand: contact caused by a failure to do something, or to do it right, for the citizen.

Four angles, kept apart so each can be checked against the others:
1. what the citizen asked (intent and plain-language markers) → value or failure demand with a type;
2. behaviour in stored data: a repeat contact about the same service within 7/28 days, a fallback loop, a
   handoff after the assistant misunderstood (these are counted, never guessed from text);
3. the citizen's own "Is this the first time…?" answer (reported from the survey);
4. the caseworker's avoidable-contact code, written by the desk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

VALUE, FAILURE = "value", "failure"

CHASING_PROGRESS = "chasing_progress"
DONE_WRONG = "done_wrong"
EXPLAINING_LETTERS = "explaining_letters"
WRONG_JURISDICTION = "wrong_jurisdiction"
SHOULD_HAVE_BEEN_ONLINE = "should_have_been_online"
BOT_CAUSED = "bot_caused"
FAILURE_TYPES = (CHASING_PROGRESS, DONE_WRONG, EXPLAINING_LETTERS, WRONG_JURISDICTION, SHOULD_HAVE_BEEN_ONLINE,
                 BOT_CAUSED)
REPEAT_CONTACT = "repeat_contact"
"""Behavioural type: same citizen, same service or topic, again within 28 days."""

UNAVOIDABLE = "unavoidable"
AVOIDABLE_CONTACT_CODES = (UNAVOIDABLE, *FAILURE_TYPES, "other_avoidable")
"""What a caseworker can record after a handoff: ``unavoidable`` or why the contact was avoidable."""

REPEAT_WINDOWS_DAYS = (7, 28)
FALLBACK_LOOP = 2
"""Two fallbacks in a row ("Sorry, I didn't get that" twice) count as a loop: the assistant caused the work."""

# Intents of this project (and the failure-demand intents the NLU may grow) → (demand, failure type).
INTENT_DEMAND: dict[str, tuple[str, str | None]] = {
    "tell_life_event": (VALUE, None),
    "life_event": (VALUE, None),
    "inform_location": (VALUE, None),
    "ask_eligibility": (VALUE, None),
    "ask_how_to_apply": (VALUE, None),
    "request_human": (VALUE, None),
    "check_status": (FAILURE, CHASING_PROGRESS),
    "chase_progress": (FAILURE, CHASING_PROGRESS),
    "complain_error": (FAILURE, DONE_WRONG),
    "report_mistake": (FAILURE, DONE_WRONG),
    "explain_letter": (FAILURE, EXPLAINING_LETTERS),
    "wrong_jurisdiction": (FAILURE, WRONG_JURISDICTION),
    "cannot_find_online": (FAILURE, SHOULD_HAVE_BEEN_ONLINE),
    "nlu_fallback": (FAILURE, BOT_CAUSED),
    "bot_misunderstood": (FAILURE, BOT_CAUSED),
}
NEUTRAL_INTENTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope"})

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    (CHASING_PROGRESS, re.compile(
        r"\b(where(?:'s| is) my (?:application|claim|payment|cheque|check|refund|card|benefit)|"
        r"(?:haven't|have not|never|still not|not yet) (?:heard|received|got(?:ten)?)|still waiting|"
        r"status of my|any (?:update|news)|chas(?:e|ing)|follow(?:ing)?[ -]up on|how much longer)", re.I)),
    (DONE_WRONG, re.compile(
        r"\b(wrong (?:amount|address|name|date|decision)|(?:made|make) a mistake|mistake (?:on|in|with)|"
        r"incorrect(?:ly)?|overpaid|underpaid|lost my (?:form|documents?|application|file)|"
        r"(?:paid|sent|charged) (?:me )?(?:twice|the wrong)|denied by mistake|not what i applied for)", re.I)),
    (EXPLAINING_LETTERS, re.compile(
        r"\b((?:got|received|have|had) (?:a|this|the|your) (?:letter|notice|message)|"
        r"(?:letter|notice) (?:says|said|from you|from the)|what does (?:this|the|my) (?:letter|notice) mean|"
        r"don't understand (?:the|this|your) (?:letter|notice|form))", re.I)),
    (WRONG_JURISDICTION, re.compile(
        r"\b(wrong (?:province|state|office|department|council|agency|place)|"
        r"not (?:my|the right) (?:province|state|area|council|department)|"
        r"(?:told|sent) me (?:here|to (?:contact|call) you)|(?:they|he|she) (?:transferred|referred) me)",
        re.I)),
    (SHOULD_HAVE_BEEN_ONLINE, re.compile(
        r"\b((?:can't|cannot|couldn't|could not) find (?:it |this |that |the \w+ |anything )?"
        r"(?:on(?:line| the (?:web ?site|site|page))|anywhere)|"
        r"(?:web ?site|site|page) (?:doesn't|does not|didn't|did not) (?:say|work|explain|load)|"
        r"not (?:on|in) the (?:web ?site|site)|where (?:can|do) i (?:find|download|get) the form)", re.I)),
    (BOT_CAUSED, re.compile(
        r"\b(you (?:don't|do not|didn't|did not) understand|(?:that's|that is) not what i (?:asked|said|meant)|"
        r"useless bot|stupid bot|talk to a (?:real )?(?:person|human) (?:because|since)|"
        r"you keep asking|i already (?:told|said))", re.I)),
]


@dataclass(frozen=True)
class DemandClass:
    """Value or failure demand, the failure type, and what decided it (``intent`` or ``marker``)."""

    demand: str | None
    failure_type: str | None = None
    source: str | None = None


def classify_demand(intent: str | None, text: str | None = None) -> DemandClass:
    """Classify one citizen message. The text is read here and never stored.

    A failure intent decides; otherwise a failure marker in the wording turns value demand into failure demand
    ("I got a letter saying…" under a life-event intent). Greetings and yes/no carry no demand (``None``).
    """
    if intent in INTENT_DEMAND and INTENT_DEMAND[intent][0] == FAILURE:
        demand, failure_type = INTENT_DEMAND[intent]
        return DemandClass(demand, failure_type, "intent")
    for failure_type, pattern in _MARKERS:
        if text and pattern.search(text):
            return DemandClass(FAILURE, failure_type, "marker")
    if intent in INTENT_DEMAND:
        return DemandClass(VALUE, None, "intent")
    if intent in NEUTRAL_INTENTS or intent is None:
        return DemandClass(None)
    return DemandClass(VALUE, None, "intent")  # an unknown domain intent asks for something: value demand


def combine(current: DemandClass, new: DemandClass) -> DemandClass:
    """A conversation's demand: failure wins over value (the first failure type found is kept)."""
    if current.demand == FAILURE:
        return current
    if new.demand == FAILURE or current.demand is None:
        return new if new.demand else current
    return current


@dataclass(frozen=True)
class ContactFacts:
    """The stored facts about one conversation that the behavioural signals need."""

    conversation_id: str
    started_at: datetime
    citizen_key: str | None = None
    service_ids: tuple[str, ...] = ()
    topic: str | None = None
    handed_off: bool = False
    handoff_after_misunderstanding: bool = False
    max_consecutive_fallbacks: int = 0
    demand: str | None = None
    failure_type: str | None = None
    avoidable_contact_code: str | None = None


@dataclass(frozen=True)
class Signals:
    repeat_7d: bool = False
    repeat_28d: bool = False
    fallback_loop: bool = False
    handoff_after_misunderstanding: bool = False


def behavioural_signals(contacts: Iterable[ContactFacts]) -> dict[str, Signals]:
    """Signals per conversation from stored data only.

    A repeat contact is a conversation by the same ``citizen_key`` that shares a service (or, when no service
    was shown, the topic) with an earlier conversation started at most 7 (28) days before. Pass contacts from
    28 days before the period too, or the first weeks' repeats are missed.
    """
    contacts = sorted(contacts, key=lambda c: c.started_at)
    by_citizen: dict[str, list[ContactFacts]] = defaultdict(list)
    for c in contacts:
        if c.citizen_key:
            by_citizen[c.citizen_key].append(c)
    signals: dict[str, Signals] = {}
    for c in contacts:
        gaps = [c.started_at - earlier.started_at for earlier in by_citizen.get(c.citizen_key or "", [])
                if earlier.started_at < c.started_at and _same_need(c, earlier)]
        signals[c.conversation_id] = Signals(
            repeat_7d=any(g <= timedelta(days=7) for g in gaps),
            repeat_28d=any(g <= timedelta(days=28) for g in gaps),
            fallback_loop=c.max_consecutive_fallbacks >= FALLBACK_LOOP,
            handoff_after_misunderstanding=bool(c.handed_off and c.handoff_after_misunderstanding),
        )
    return signals


def _same_need(a: ContactFacts, b: ContactFacts) -> bool:
    if set(a.service_ids) & set(b.service_ids):
        return True
    return bool(a.topic) and a.topic == b.topic and not (a.service_ids and b.service_ids)


def failure_types(contact: ContactFacts, signals: Signals) -> set[str]:
    """Every failure-demand type this conversation shows, from the intent, behaviour and caseworker angles."""
    types: set[str] = set()
    if contact.demand == FAILURE and contact.failure_type:
        types.add(contact.failure_type)
    if signals.repeat_28d:
        types.add(REPEAT_CONTACT)
    if signals.fallback_loop or signals.handoff_after_misunderstanding:
        types.add(BOT_CAUSED)
    code = contact.avoidable_contact_code
    if code and code != UNAVOIDABLE:
        types.add(code if code in FAILURE_TYPES else "other_avoidable")
    return types


def is_failure_demand(contact: ContactFacts, signals: Signals) -> bool:
    return bool(failure_types(contact, signals))


def failure_demand_by_type(contacts: Sequence[ContactFacts], signals: dict[str, Signals]) -> dict[str, int]:
    """How many conversations show each failure type (a conversation can show several)."""
    counts: dict[str, int] = defaultdict(int)
    for c in contacts:
        for t in failure_types(c, signals.get(c.conversation_id, Signals())):
            counts[t] += 1
    return dict(sorted(counts.items()))
