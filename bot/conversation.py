"""The guided conversation as plain Python: what the citizen said + the state so far → the bot's next messages.

No Rasa here. The action (``actions/converse.py``) turns the tracker into an :class:`Understanding` and a state
dict, calls :func:`step`, and sends the returned :class:`Out` messages. Every message is a *response name* from the
domain plus variables; sub-phrases inside a variable (how to apply, what is unknown…) are also domain responses,
read through :class:`Phrases` — so no citizen-facing wording lives in Python and FR/ES can follow.

Policy in brief:
- crisis words win over everything: the crisis line of the citizen's country first, then a person is offered;
- a person can be asked for at any time; two misunderstandings in a row → a person is offered;
- life events, the place and any criteria the citizen states are taken from every message, never asked again;
- the place is always obtained (ambiguous → which one, with buttons);
- at most :data:`MAX_QUESTIONS` questions, only those that decide a service the citizen would see first;
  "show me" skips straight to results;
- results: the best of each level first (federal, provincial/state, municipal), then "more" pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.replies import Out
from bot.survey import dialogue as survey_dialogue
from bot.survey.tracking import count_fallback
from knowledge.text import fold
from knowledge.vocab import Vocabulary

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 3
PAGE_SIZE = 3
WINDOW = 6  # only unknowns of the first services the citizen would see are worth a question
COUNTRIES = ("CA", "US", "GB")
LEVEL_ORDER = {"federal": 0, "provincial": 1, "municipal": 2}
SUGGESTED_EVENTS = ("death", "job_loss", "new_child", "disability", "retirement", "housing")

# intents
OUT_OF_SCOPE = {"out_of_scope", "nlu_fallback"}
# one-word commands (SMS users type them) are never left to the classifier
COMMANDS = {"help": "help", "menu": "help", "help me": "help", "more": "more_results", "next": "more_results",
            "start over": "start_over", "restart": "start_over", "reset": "start_over", "person": "ask_person",
            "human": "ask_person", "agent": "ask_person", "a person": "ask_person", "stop": "goodbye"}

CRISIS = [
    ("suicide", r"\b(suicid\w*|kill(ing)? my ?self|end (it all|my life)|take my (own )?life|want to die|"
                r"don'?t want to (live|be alive)|hurt(ing)? my ?self|self[- ]harm)"),
    ("abuse", r"\b(abus\w*|beat(s|ing)? me|hits? me|hitting me|violent (partner|husband|wife)|domestic violence|"
              r"afraid (of|for) my (life|safety)|not safe at home|threaten\w* (to kill )?me|assault\w*)"),
    ("shelter", r"\b(nowhere to (sleep|stay|go)|no where to (sleep|stay)|sleep(ing)? (on the street|outside|rough|"
                r"in my car)|no place to (sleep|stay)|kicked out tonight|homeless tonight|on the street tonight)"),
    ("danger", r"\b(emergency|in danger|overdos\w*|can'?t breathe|heart attack|bleeding)\b"),
]
_CRISIS = [(kind, re.compile(pattern, re.I)) for kind, pattern in CRISIS]

# how a relative named in a death message relates the *citizen* to the person who died
DECEASED_RELATION_TO_APPLICANT = {"parent": "child", "spouse": "spouse", "child": "parent",
                                  "sibling": "other_family_member", "grandparent": "other_family_member"}
RELATIONSHIP_KEY = "applicant_relationship_to_the_deceased"
AGE_KEY = "applicant_age"
DOB_KEY = "applicant_date_of_birth"

DONT_KNOW = {"not sure", "dont know", "don't know", "i dont know", "i don't know", "no idea", "unsure", "skip",
             "pass", "idk", "dunno", "not sure sorry", "i'm not sure", "im not sure", "maybe", "unknown"}
YES = {"yes", "y", "yeah", "yep", "yup", "sure", "correct", "true", "right", "that's right", "thats right", "ok",
       "okay", "yes they did", "yes he did", "yes she did", "i am", "yes i am", "absolutely", "definitely", "ya",
       "yea", "oui", "si", "sí"}
NO = {"no", "n", "nope", "nah", "not really", "no they didn't", "no he didn't", "no she didn't", "i'm not",
      "im not", "false", "never", "negative", "non", "no way", "not at all"}
# dates asked with buttons: how long ago, as days before today
DATE_CHOICES = (("date_recent", 14), ("date_year", 180), ("date_two_years", 540), ("date_older", 1100))
SMS_CHANNELS = {"twilio"}  # channels that number buttons ("Reply 1 for …") instead of showing them

_NUMBER = re.compile(r"\b(\d{1,3})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_AGO = re.compile(r"\b(\d{1,2}|a|one|two|three) (day|week|month|year)s? ago\b")
_WORDNUM = {"a": 1, "one": 1, "two": 2, "three": 3}


@dataclass
class Understanding:
    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    life_events: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    answer: str | None = None  # a button's value for the question asked


def understanding_from_message(message: dict | None) -> Understanding:
    """From a Rasa parse result (``tracker.latest_message`` or ``/model/parse``)."""
    message = message or {}
    intent = message.get("intent") or {}
    u = Understanding(text=(message.get("text") or "").strip(), intent=intent.get("name") or "",
                      confidence=float(intent.get("confidence") or 0.0))
    for ent in message.get("entities") or []:
        kind, value = ent.get("entity"), ent.get("value")
        if value in (None, ""):
            continue
        if kind == "life_event" and value not in u.life_events:
            u.life_events.append(str(value))
        elif kind == "place":
            u.places.append(str(value))
        elif kind == "age":
            try:
                u.ages.append(int(value))
            except (TypeError, ValueError):
                pass
        elif kind == "relation":
            u.relations.append(str(value))
        elif kind == "answer":
            u.answer = str(value)
    return u


def crisis_kind(text: str) -> str | None:
    for kind, pattern in _CRISIS:
        if pattern.search(text or ""):
            return kind
    return None


def country_of(code: str | None) -> str | None:
    if not code:
        return None
    country = code.split("-")[0]
    return country if country in COUNTRIES else None


def new_state() -> dict[str, Any]:
    return {"life_events": [], "location": None, "location_name": None, "answers": {}, "asked": [],
            "pending": None, "page": 0, "shown": [], "misunderstood": 0, "hurry": False, "results_seen": False,
            "intro_done": False, "wants_person": False, "handoff": None}


# --- answers -------------------------------------------------------------------------------------------------
def _clean(text: str) -> str:
    return re.sub(r"[.!?,]+$", "", fold(text or "")).strip()


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
    if any(w in low for w in ("today", "yesterday", "this week", "last week", "few days", "sunday", "monday",
                              "tuesday", "wednesday", "thursday", "friday", "saturday", "this month")):
        return today - timedelta(days=7)
    if "last month" in low:
        return today - timedelta(days=40)
    if "last year" in low:
        return today - timedelta(days=365)
    if m := _AGO.search(low):
        n = _WORDNUM.get(m[1]) or int(m[1])
        return today - timedelta(days=n * {"day": 1, "week": 7, "month": 30, "year": 365}[m[2]])
    return None


def parse_answer(key: str, u: Understanding, vocab: Vocabulary, today: date) -> tuple[str, Any] | None:
    """(what, value) for the question ``key``: what is "answer" (value is canonical), "dont_know", or None when the
    message does not answer it. Button values and typed words are both understood."""
    crit = vocab.criterion(key)
    raw = u.answer if u.answer is not None else u.text
    text = _clean(raw)
    if not text:
        return None
    if text in DONT_KNOW or u.intent == "dont_know" or raw == "dont_know":
        return ("dont_know", None)
    if crit is None:
        return None
    if crit.type == "boolean":
        if text in YES or (u.answer is None and u.intent == "affirm"):
            return ("answer", True)
        if text in NO or (u.answer is None and u.intent == "deny"):
            return ("answer", False)
        first = text.split()[0] if text.split() else ""
        if first in YES:
            return ("answer", True)
        if first in NO:
            return ("answer", False)
        return None
    if crit.type in ("select", "multiselect"):
        if key == RELATIONSHIP_KEY and u.answer is None and u.relations and re.search(r"\b(my|our)\b", text):
            # "my mom" names the person who died: the citizen is her child
            return ("answer", DECEASED_RELATION_TO_APPLICANT[u.relations[0]])
        value = crit.canonical_option(raw)
        if value is None:
            for word in (text, *text.split()):
                value = crit.canonical_option(word)
                if value is not None:
                    break
        if value is None and u.answer is None:
            if text in YES or u.intent == "affirm":
                value = crit.canonical_option("yes")
            elif text in NO or u.intent == "deny":
                value = crit.canonical_option("no")
        if value is None:
            return None
        return ("answer", [value] if crit.type == "multiselect" else value)
    if crit.type == "date":
        if crit.age_answer_key:
            ages = u.ages or [int(n) for n in _NUMBER.findall(text)]
            if ages and 0 < ages[0] < 120:
                return ("age", ages[0])
        when = parse_date_answer(raw, today)
        return ("answer", when.isoformat()) if when else None
    if crit.type == "number":
        numbers = re.findall(r"\d+(?:\.\d+)?", text.replace(",", ""))
        return ("answer", float(numbers[0])) if numbers else None
    return None


def answers_from_statement(u: Understanding, life_events: list[str]) -> dict[str, Any]:
    """Criteria the citizen stated unprompted: their age, their relationship to a person who died."""
    found: dict[str, Any] = {}
    if u.ages:
        found[AGE_KEY] = u.ages[0]
    if u.relations and "death" in life_events and u.relations[0] in DECEASED_RELATION_TO_APPLICANT:
        found[RELATIONSHIP_KEY] = DECEASED_RELATION_TO_APPLICANT[u.relations[0]]
    return found


# --- results -------------------------------------------------------------------------------------------------
def _no_rules(service: dict) -> bool:
    return service.get("status") == "likely" and not service.get("unknown") and len(service.get("reasons") or []) <= 1 \
        and not _has_met_rule(service)


def _has_met_rule(service: dict) -> bool:
    from knowledge.match import PHRASES

    texts = {v for v in PHRASES["no_rules"].values()}
    return any(r not in texts for r in service.get("reasons") or [])


def citizen_score(service: dict, off_topic: Callable[[str], bool] | None = None) -> tuple:
    """Lower is better: proven fits, then near-fits (one unknown), then services without conditions, then the rest.
    A service that still hinges on a question about another situation (a veteran's status after a job loss) is
    pushed down."""
    unknown = service.get("unknown") or []
    if service.get("status") == "likely":
        rank = 0 if _has_met_rule(service) else 2
    else:
        rank = 1 if len(unknown) <= 1 else 2 + len(unknown)
        if off_topic and any(off_topic(k) for k in unknown):
            rank += 3
    return (rank, LEVEL_ORDER.get(service.get("level") or "", 3))


def off_topic_check(vocab: Vocabulary | None, life_events: Iterable[str]) -> Callable[[str], bool] | None:
    if vocab is None:
        return None
    events = set(life_events)

    def off_topic(key: str) -> bool:
        crit = vocab.criterion(key)
        return bool(crit and crit.life_events and not set(crit.life_events) & events)
    return off_topic


def rank_for_citizen(services: Iterable[dict], vocab: Vocabulary | None = None,
                     life_events: Iterable[str] = ()) -> list[dict]:
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

    def score(service: dict) -> tuple:
        return citizen_score(service, off_topic)
    ranked = sorted(kept, key=score)  # stable: the engine's order breaks ties
    firsts: list[dict] = []
    levels: set[str] = set()
    for s in ranked:
        if s.get("level") not in levels and score(s)[0] <= 2:
            levels.add(s.get("level"))
            firsts.append(s)
    rest = [s for s in ranked if s not in firsts]
    return sorted(firsts, key=score) + rest


def choose_question(result: dict, state: dict, vocab: Vocabulary) -> str | None:
    """The next question worth asking, or None when answers cannot change what the citizen will see first."""
    if state.get("hurry") or len(state.get("asked") or []) >= MAX_QUESTIONS:
        return None
    window = rank_for_citizen(result.get("services") or [], vocab, state.get("life_events") or [])[:WINDOW]
    deciding = {k for s in window if s.get("status") == "maybe" for k in s.get("unknown") or []}
    answers = state.get("answers") or {}
    for key in result.get("next_questions") or []:
        if key == "location" or key in answers or key in (state.get("asked") or []):
            continue
        crit = vocab.criterion(key)
        if crit is None or key not in deciding:
            continue
        if crit.life_events and not set(crit.life_events) & set(state.get("life_events") or []):
            continue  # a veteran's question is not asked after a job loss
        if crit.age_answer_key and crit.age_answer_key in answers:
            continue
        return key
    return None


class Phrases:
    """Sub-phrases from the domain's responses (the message catalogue), by language."""

    def __init__(self, responses: dict[str, list[dict]], language: str = "en"):
        self.responses = responses or {}
        self.language = language

    def __call__(self, _response: str, **values: Any) -> str:
        variants = self.responses.get(_response) or []
        chosen = None
        for v in variants:
            conds = v.get("condition") or []
            if any(c.get("name") == "language" and c.get("value") == self.language for c in conds):
                chosen = v
                break
        if chosen is None:
            chosen = next((v for v in variants if not v.get("condition")), variants[0] if variants else None)
        if chosen is None:
            raise KeyError(f"no response {_response!r} in the domain")
        text = chosen.get("text", "")
        return text.format(**values) if values else text


def _short(text: str, limit: int = 60) -> str:
    """The first clause of a catalogue text, cut at a word: SMS-sized."""
    text = re.split(r"\s\(|[.;]\s", str(text).strip())[0].strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def question_text(key: str, vocab: Vocabulary, language: str) -> str:
    return (vocab.question(key, language) or key).strip()


def service_vars(service: dict, number: int, phrases: Phrases, vocab: Vocabulary, language: str) -> dict[str, str]:
    """Variables for ``utter_service_item`` / ``utter_service_details``; never the string "None"."""
    how = service.get("how_to_apply") or {}
    url = how.get("url") or service.get("url")
    parts = []
    if url:
        parts.append(phrases("utter_part_apply_online", url=url))
    if how.get("phone"):
        parts.append(phrases("utter_part_apply_phone", phone=how["phone"]))
    if not parts:
        parts.append(phrases("utter_part_apply_in_person", organization=service.get("organization")
                             or service.get("jurisdiction_name") or ""))
    reasons = [r for r in service.get("reasons") or [] if r]
    if service.get("status") == "likely" and _has_met_rule(service):
        why = phrases("utter_part_why_fits", reason=reasons[0])
    elif service.get("status") == "likely":
        why = phrases("utter_part_why_situation")
    else:
        why = phrases("utter_part_why_maybe")
    unknown = [question_text(k, vocab, language).rstrip(":.?") for k in (service.get("unknown") or [])[:2]]
    docs = [_short(d) for d in service.get("documents") or [] if d][:3]
    where = service.get("jurisdiction_name") or ""
    return {
        "number": str(number),
        "title": service.get("title") or service.get("id") or "",
        "where": where,
        "why": why,
        "unknown": phrases("utter_part_unknown", items="; ".join(unknown)) if unknown else "",
        "apply": " ".join(parts),
        "documents": phrases("utter_part_documents", items="; ".join(docs)) if docs else "",
        "url": url or "",
        "description": (service.get("description") or "").strip()[:300],
        "organization": service.get("organization") or where,
        "reasons": " ".join(reasons[:3]),
    }


# --- the step ------------------------------------------------------------------------------------------------
@dataclass
class Tools:
    """What :func:`step` may look up: the match engine and the place resolver (sync; the action runs ``step`` in
    a worker thread), the vocabulary, the domain phrases, today."""

    match: Callable[[dict], dict]
    resolve_place: Callable[[str], Any]
    vocab: Vocabulary
    phrases: Phrases
    today: date = field(default_factory=date.today)
    language: str = "en"
    channel: str = "rest"  # the citizen's input channel (rest, socketio, twilio, telegram)
    sender_id: str = ""
    survey: Any = None  # the exit survey's store (bot/survey/dialogue.py); None in tests that do not need it
    handoff: Any = None  # the handoff desk's store (bot/handoff/dialogue.py); None when there is no desk


def _profile(state: dict, tools: Tools) -> dict:
    answers: dict[str, Any] = {}
    for key, value in (state.get("answers") or {}).items():
        if value is not None:
            answers[key] = value
    return {"life_events": state["life_events"], "location": state["location"], "answers": answers,
            "as_of": tools.today.isoformat(), "language": tools.language}


def _question_out(key: str, tools: Tools) -> Out:
    crit = tools.vocab.criterion(key)
    text = question_text(key, tools.vocab, tools.language)
    buttons: list[dict[str, str]] = []
    if crit is not None and crit.type == "boolean":
        buttons = [{"title": crit.option_label(True, tools.language), "payload": _answer_payload("yes")},
                   {"title": crit.option_label(False, tools.language), "payload": _answer_payload("no")}]
    elif crit is not None and crit.type in ("select", "multiselect"):
        buttons = [{"title": crit.option_label(o["value"], tools.language), "payload": _answer_payload(o["value"])}
                   for o in crit.options]
    elif crit is not None and crit.type == "date" and not crit.age_answer_key:
        buttons = [{"title": tools.phrases(f"utter_button_{name}"), "payload": _answer_payload(name)}
                   for name, _ in DATE_CHOICES]
    buttons.append({"title": tools.phrases("utter_button_dont_know"), "payload": _answer_payload("dont_know")})
    statement = not text.endswith("?")
    name = "utter_ask_age" if crit is not None and crit.age_answer_key else (
        "utter_ask_statement" if statement and crit is not None and crit.type == "boolean" else "utter_ask_criterion")
    return Out(name, {"question": text}, buttons)


def _answer_payload(value: Any) -> str:
    import json

    return "/answer" + json.dumps({"answer": str(value)})


def _life_event_buttons(tools: Tools) -> list[dict[str, str]]:
    import json

    out = []
    for eid in SUGGESTED_EVENTS:
        event = tools.vocab.life_events.get(eid)
        if event:
            label = event.label.get(tools.language) or event.label.get("en") or eid
            out.append({"title": label, "payload": "/tell_life_event" + json.dumps({"life_event": eid})})
    return out


def _find_service(text: str, services: list[dict], shown: list[str]) -> dict | None:
    """A service the citizen points at: by its number in the list shown, or by words of its title."""
    by_id = {s["id"]: s for s in services}
    if m := re.search(r"\b(\d{1,2})\b", text or ""):
        n = int(m[1])
        if 1 <= n <= len(shown) and shown[n - 1] in by_id:
            return by_id[shown[n - 1]]
    stop = {"the", "a", "an", "of", "for", "and", "why", "is", "not", "isn't", "isnt", "listed", "there", "tell",
            "me", "more", "about", "details", "detail", "on", "what", "whats", "what's", "no", "in", "my", "to",
            "show", "info", "information", "service", "benefit", "program", "can", "i", "get", "you", "it", "this",
            "that", "how", "do", "does", "apply", "why's", "where"}
    words = {w for w in re.findall(r"[a-z0-9]+", fold(text or "")) if w not in stop and len(w) > 1}
    if not words:
        return None
    best, best_score = None, 0.0
    for s in services:
        title_words = set(re.findall(r"[a-z0-9]+", fold(s.get("title") or "")))
        hit = len(words & title_words)
        if not hit:
            continue
        score = hit / len(words) + hit / (len(title_words) + 5) + (0.01 if s["id"] in shown else 0)
        if score > best_score:
            best, best_score = s, score
    return best if best_score >= 0.5 else None


def step(state: dict | None, u: Understanding, tools: Tools) -> tuple[dict, list[Out]]:
    """The bot's turn. Returns the new state and the messages to send, in order."""
    state = {**new_state(), **(state or {})}
    state["answers"] = dict(state.get("answers") or {})
    state["asked"] = list(state.get("asked") or [])
    outs: list[Out] = []
    intent = COMMANDS.get(_clean(u.text), u.intent) if u.answer is None else u.intent
    u.intent = intent
    if intent == "out_of_scope":  # "when does my visa expire" names no situation of ours, whatever it contains
        u.life_events, u.places, u.ages, u.relations = [], [], [], []

    # 1. a crisis first, whatever else was said
    kind = crisis_kind(u.text) if u.answer is None else None
    if kind or intent == "crisis":
        country = country_of(state.get("location"))
        if country is None:
            for place in u.places:
                result = tools.resolve_place(place)
                country = country_of(getattr(result, "code", None)) or country
        outs.append(Out(f"utter_crisis_{(country or 'all').lower()}"))
        outs.append(Out("utter_offer_person", buttons=_person_button(tools)))
        state["misunderstood"] = 0
        state["wants_person"] = True
        state["person_reason"] = "crisis"
        state["survey"] = survey_dialogue.leave(state.get("survey"), for_good=True)  # no survey after a crisis
        return state, outs

    # 1b. the handoff's own questions (consent, callback, waiting) — bot/handoff/dialogue.py
    from bot.handoff.dialogue import handoff_turn

    try:
        handled = handoff_turn(state, u, tools, navigators=lambda: _navigators_for(state, tools))
    except Exception:  # noqa: BLE001 - the desk's database down must not end the conversation
        logger.exception("handoff step failed")
        state["handoff"] = None
        return state, [Out("utter_handoff_error")] + _navigators_for(state, tools)
    if handled is not None:
        return state, handled
    # 1c. the exit survey, once offered — bot/survey/dialogue.py
    if state.get("survey"):
        state["survey"], said = survey_dialogue.turn(state["survey"], _survey_reply(state, u, tools), tools.survey,
                                                     tools.phrases, tools.sender_id)
        if said is not None:
            return state, [Out(s.response, s.vars, s.buttons) for s in said]
    elif u.answer and u.answer.startswith(survey_dialogue.PAYLOAD_PREFIX):  # a survey button this state never saw
        return state, [Out("utter_survey_closed")]

    # 2. requests that work at any time
    if intent == "ask_person":
        state["wants_person"] = True
        if tools.handoff is not None:
            from bot.handoff.dialogue import ask_consent

            reason = state.pop("person_reason", None) or "asked"
            try:
                return state, outs + ask_consent(state, tools, reason)
            except Exception:  # noqa: BLE001
                logger.exception("handoff request failed")
                state["handoff"] = None
                return state, outs + [Out("utter_handoff_error")] + _navigators_for(state, tools)
        return state, outs + _person_offer(state, tools)
    if intent == "start_over":
        fresh = new_state()
        fresh["survey"] = state.get("survey")  # offered once per conversation, whatever happens
        return fresh, [Out("utter_restart", buttons=_life_event_buttons(tools))]
    if intent == "help":
        state["misunderstood"] = 0
        return state, [Out("utter_help")]
    if intent == "bot_challenge":
        return state, [Out("utter_iamabot")]
    if intent == "goodbye":
        offer = _clean(u.text) not in survey_dialogue.STOP_WORDS  # "stop" is not asked a survey
        said = _survey_end_point(state, tools, "goodbye", offer=offer)
        return state, said or [Out("utter_goodbye")]  # with a survey, goodbye comes after it
    if intent == "handoff_closed":  # the desk handed the conversation back (POST .../trigger_intent)
        return state, [Out("utter_handoff_closed")] + _survey_end_point(state, tools, "handoff_closed",
                                                                         handed_off=True)
    if intent == "thank" and not u.life_events and not u.places:
        return state, [Out("utter_thank")]

    understood = False

    # 3. the answer to the question pending, typed or by button
    pending = state.get("pending") or None
    if pending and pending.get("kind") == "criterion" and intent not in ("tell_life_event", "inform_location",
                                                                        "more_results", "ask_why", "ask_details",
                                                                        "show_results"):
        parsed = parse_answer(pending["key"], u, tools.vocab, tools.today)
        if parsed is not None:
            what, value = parsed
            if what == "answer":
                state["answers"][pending["key"]] = value
            elif what == "age":
                crit = tools.vocab.criterion(pending["key"])
                state["answers"][crit.age_answer_key or AGE_KEY] = value
            state["pending"] = None
            understood = True
    elif pending and pending.get("kind") == "criterion" and u.answer is not None:
        state["pending"] = None

    # 4. life events, place and stated criteria from any message
    new_events = [e for e in u.life_events if e in tools.vocab.life_events and e not in state["life_events"]]
    if new_events:
        had_results = state["results_seen"]
        state["life_events"] = state["life_events"] + new_events
        understood = True
        if not state.get("need_text") and u.answer is None:
            state["need_text"] = u.text[:300]  # for unmet demand if nothing fits (redacted by the survey store)
        if had_results:
            outs.append(Out("utter_added_life_event", {"event": ", ".join(
                tools.vocab.life_events[e].label.get(tools.language) or e for e in new_events)}))
            state["page"] = 0
    for key, value in answers_from_statement(u, state["life_events"]).items():
        if key not in state["answers"]:
            state["answers"][key] = value
            understood = True

    place_text = u.places[0] if u.places else None
    if place_text is None and pending and pending.get("kind") in ("location", "place_choice") and not understood \
            and intent not in OUT_OF_SCOPE | {"greet", "affirm", "deny", "thank", "more_results", "ask_why",
                                              "ask_details", "show_results", "tell_life_event"}:
        place_text = u.text  # we had just asked where: the whole message is the place
    if place_text:
        place = tools.resolve_place(place_text)
        if getattr(place, "code", None):
            changed = state["location"] is not None and state["location"] != place.code
            state["location"], state["location_name"] = place.code, place.name
            state["pending"] = None
            understood = True
            if changed:
                state["page"] = 0
                outs.append(Out("utter_location_changed", {"location_name": place.name}))
        elif getattr(place, "candidates", None):
            import json

            buttons = [{"title": c.label(), "payload": "/inform_location" + json.dumps({"place": c.code})}
                       for c in place.candidates[:5]]
            state["pending"] = {"kind": "place_choice"}
            state["misunderstood"] = 0
            return state, outs + [Out("utter_place_ambiguous", {"place": place_text}, buttons)]
        elif u.places or (pending and pending.get("kind") in ("location", "place_choice")):
            state["pending"] = {"kind": "location"}
            state["misunderstood"] = 0
            return state, outs + [Out("utter_place_unknown", {"place": place_text})]

    # 5. questions about results
    if intent in ("more_results", "ask_why", "ask_details", "show_results") and state["life_events"] \
            and state["location"]:
        state["misunderstood"] = 0
        if intent == "show_results":
            state["hurry"] = True
            state["pending"] = None
        else:
            return _about_results(state, u, tools, outs)
    elif intent in ("more_results", "ask_why", "ask_details") and not understood:
        state["misunderstood"] = 0
        return state, outs + _ask_missing(state, tools, nothing_yet=True)

    # 6. not understood
    if not understood and intent != "show_results":
        if intent == "greet":
            state["misunderstood"] = 0
            if state["life_events"] or state["location"]:
                return state, [Out("utter_greet_again")] + _reask(state, tools)
            return state, [Out("utter_greet")]
        if intent in ("affirm", "deny", "thank") and not pending:
            return state, [Out("utter_ok_what_next")]
        state["misunderstood"] += 1
        count_fallback(state, understood=False)
        if intent == "tell_life_event":
            outs.append(Out("utter_life_event_unknown", buttons=_life_event_buttons(tools)))
        elif intent in OUT_OF_SCOPE or not pending:
            outs.append(Out("utter_out_of_scope" if intent in OUT_OF_SCOPE else "utter_default"))
        else:
            outs.append(Out("utter_default"))
        if state["misunderstood"] >= 2:
            outs.append(Out("utter_offer_person_misunderstood", buttons=_person_button(tools)))
            state["person_reason"] = "misunderstood"
            state["misunderstood"] = 0
        elif pending:
            outs += _reask(state, tools)
        return state, outs
    state["misunderstood"] = 0
    count_fallback(state, understood=True)
    if state.get("person_reason") == "misunderstood":  # understood again: a later request is a plain one
        state.pop("person_reason")

    # 7. what next: missing situation → ask; a question still worth asking → ask it; else results
    if not state["life_events"] or not state["location"]:
        return state, outs + _ask_missing(state, tools)
    try:
        result = tools.match(_profile(state, tools))
    except Exception:  # noqa: BLE001 - the engine failing must not end the conversation
        return state, outs + [Out("utter_service_unavailable")]
    key = choose_question(result, state, tools.vocab)
    if key:
        if not state["intro_done"]:
            state["intro_done"] = True
            outs.append(Out("utter_few_questions"))
        state["asked"].append(key)
        state["pending"] = {"kind": "criterion", "key": key}
        return state, outs + [_question_out(key, tools)]
    state["pending"] = None
    state["page"] = 0
    return _show_page(state, result, tools, outs, first=True)


def _ask_missing(state: dict, tools: Tools, nothing_yet: bool = False) -> list[Out]:
    if not state["life_events"]:
        state["pending"] = {"kind": "life_event"}
        return [Out("utter_ask_life_events", buttons=_life_event_buttons(tools))]
    state["pending"] = {"kind": "location"}
    return [Out("utter_ask_location")]


def _reask(state: dict, tools: Tools) -> list[Out]:
    pending = state.get("pending") or {}
    if pending.get("kind") == "criterion":
        return [_question_out(pending["key"], tools)]
    if pending.get("kind") in ("location", "place_choice"):
        return [Out("utter_ask_location")]
    if pending.get("kind") == "life_event":
        return [Out("utter_ask_life_events", buttons=_life_event_buttons(tools))]
    return []


def _show_page(state: dict, result: dict, tools: Tools, outs: list[Out], first: bool) -> tuple[dict, list[Out]]:
    ranked = rank_for_citizen(result.get("services") or [], tools.vocab, state["life_events"])
    page = state["page"]
    chunk = ranked[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    name = state.get("location_name") or state.get("location") or ""
    if not ranked:
        state["results_seen"] = True
        outs = outs + [Out("utter_no_services", {"location_name": name})] + _navigator_outs(result, tools)
        return state, outs + _survey_end_point(state, tools, "nothing_found")
    if not chunk:
        return state, outs + [Out("utter_no_more")]
    if first:
        state["shown"] = []
    outs.append(Out("utter_services_intro" if page == 0 else "utter_services_more_intro", {"location_name": name}))
    start = len(state["shown"])
    for i, service in enumerate(chunk, start=start + 1):
        outs.append(Out("utter_service_item", service_vars(service, i, tools.phrases, tools.vocab, tools.language)))
    state["shown"] = state["shown"] + [s["id"] for s in chunk]
    if page == 0 and result.get("checklist"):
        items = "\n".join(f"- {_short(c['action'], 90)}" for c in result["checklist"][:4])
        outs.append(Out("utter_checklist", {"items": items}))
    remaining = len(ranked) - (page + 1) * PAGE_SIZE
    if remaining > 0:
        outs.append(Out("utter_results_footer_more", {"remaining": str(remaining)},
                        [{"title": tools.phrases("utter_button_more"), "payload": "/more_results"}]))
    else:
        outs.append(Out("utter_results_footer"))
    state["results_seen"] = True
    said = _survey_end_point(state, tools, "results")
    if said and tools.channel in SMS_CHANNELS:  # one "Reply 1 for …" list at a time: "more" is typed
        for out in outs:
            if out.response == "utter_results_footer_more":
                out.buttons = None
    return state, outs + said


def _survey_reply(state: dict, u: Understanding, tools: Tools) -> survey_dialogue.Reply:
    new_events = [e for e in u.life_events if e in tools.vocab.life_events and e not in state["life_events"]]
    return survey_dialogue.Reply(text=u.text, answer=u.answer, intent=u.intent, confidence=u.confidence,
                                 new_need=bool(new_events or u.places), busy=bool(state.get("pending")))


def _survey_end_point(state: dict, tools: Tools, end_point: str, offer: bool = True,
                      handed_off: bool = False) -> list[Out]:
    """Log the end point reached and offer the exit survey once per conversation (bot/survey/dialogue.py)."""
    if tools.survey is None:
        return []
    visit = survey_dialogue.Visit(
        conversation_id=tools.sender_id, channel=tools.channel, language=tools.language,
        jurisdiction=state.get("location"), topic=(state.get("life_events") or [None])[0],
        service_ids=list(state.get("shown") or []), handed_off=handed_off)
    state["survey"], said = survey_dialogue.reach_end_point(
        state.get("survey"), tools.survey, visit, end_point, tools.phrases, offer=offer,
        unmet_query=state.get("need_text") if end_point == "nothing_found" else None)
    return [Out(s.response, s.vars, s.buttons) for s in said]


def _about_results(state: dict, u: Understanding, tools: Tools, outs: list[Out]) -> tuple[dict, list[Out]]:
    try:
        result = tools.match(_profile(state, tools))
    except Exception:  # noqa: BLE001
        return state, outs + [Out("utter_service_unavailable")]
    if u.intent == "more_results":
        if not state["results_seen"]:
            state["page"] = 0
            state["pending"] = None
            return _show_page(state, result, tools, outs, first=True)
        state["page"] += 1
        return _show_page(state, result, tools, outs, first=False)
    services = result.get("services") or []
    target = _find_service(u.text, services, state.get("shown") or [])
    name = state.get("location_name") or ""
    if target is None:
        return state, outs + [Out("utter_service_not_found", {"location_name": name})]
    values = service_vars(target, 0, tools.phrases, tools.vocab, tools.language)
    if u.intent == "ask_details":
        return state, outs + [Out("utter_service_details", values)]
    if target.get("status") == "unlikely":
        return state, outs + [Out("utter_why_not_listed", values)]
    if target["id"] not in (state.get("shown") or []) and target.get("status") != "unlikely":
        return state, outs + [Out("utter_why_listed_later", values)]
    return state, outs + [Out("utter_why_listed", values)]


def _person_button(tools: Tools) -> list[dict[str, str]]:
    return [{"title": tools.phrases("utter_button_person"), "payload": "/ask_person"}]


def _navigators_for(state: dict, tools: Tools) -> list[Out]:
    """Local navigators (e.g. MyFriendBen's, by county and language) for the citizen's place and situation."""
    if not (state.get("location") and state.get("life_events")):
        return []
    try:
        navigators = tools.match(_profile(state, tools)).get("navigators") or []
    except Exception:  # noqa: BLE001 - an alternative, never a reason to fail the turn
        return []
    return _navigator_outs({"navigators": navigators}, tools)


def _person_offer(state: dict, tools: Tools) -> list[Out]:
    """Without a desk: say so, and point to local navigators or the services' own contacts."""
    navigators = _navigators_for(state, tools)
    return [Out("utter_person_requested")] + (navigators or [Out("utter_person_meanwhile")])


def _navigator_outs(result: dict, tools: Tools) -> list[Out]:
    outs = []
    for nav in (result.get("navigators") or [])[:2]:
        contact = " ".join(str(x) for x in (nav.get("phone"), nav.get("email"), nav.get("url")) if x)
        outs.append(Out("utter_navigator", {"name": nav.get("name") or "", "contact": contact}))
    return outs


def messages_text(outs: list[Out], phrases: Phrases) -> list[str]:
    """The texts of ``outs`` as the citizen reads them (for tests and ``signpost understand`` debugging)."""
    return [phrases(o.response, **o.vars) for o in outs]
