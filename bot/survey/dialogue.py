"""The exit survey inside the conversation: offered once at an end point, one reply at a time, stored as it goes.

Plain Python, no Rasa. :func:`bot.dialogue.turn.step` calls :func:`reach_end_point` where a conversation ends
(results shown, nothing found, goodbye, a caseworker closing a handoff) and :func:`turn` on every later message
while a survey is under way. Which question comes next is :mod:`bot.survey.definition`'s job (A-11 §280 items,
branching, skipping); this module decides whether a message *is* a survey answer, renders each step as a domain
response with buttons, and writes through a small :class:`SurveyPort` (:class:`StorePort` on
:mod:`bot.survey.store`).

- Offered once per conversation: the store's ``record_offer`` is the judge (a lost state cannot re-offer), and the
  offer is logged even if never answered. The contact facts are written at every end point reached.
- Every answer is submitted as soon as it is given (the store merges into the one response of the conversation),
  so a survey abandoned half-way keeps what was answered and a repeated webhook never counts twice.
- Buttons everywhere: the payload names the step (``/answer{"answer": "survey:trust:4"}``), so a stale or
  repeated click is recognised; numbers and words typed by SMS citizens ("4", "agree", "1 3", "skip") work too.
  "stop" / "no thanks" ends the survey; a message that is clearly something else (a new situation, a place, a
  question, a request for a person) leaves it, and the conversation carries on as if it had not been asked.

The state is a :class:`bot.survey.state.SurveyState` (the conversation's ``state.survey``); what citizens type is
read through the lexicon (``knowledge/lexicon.yml``: ``survey_*`` lists).

No citizen-facing wording here: messages are response names of ``domain/responses.yml`` (``utter_survey_*``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from bot.replies import Out
from bot.survey import store
from bot.survey.definition import (
    COMMENT,
    DONE,
    DRIVERS,
    FIRST_TIME,
    LIKERT_LABELS,
    POSITIVE,
    SATISFACTION,
    STEPS,
    TRUST,
    SurveyStep,
    driver_keys,
    driver_polarity,
    next_survey_step,
    render_step,
    start_survey,
)
from bot.survey.state import SurveyState
from knowledge.lexicon import Lexicon, load_lexicon, normalise

logger = logging.getLogger(__name__)

PAYLOAD_PREFIX = "survey:"
END_POINT_RANK = {"goodbye": 0, "nothing_found": 1, "results": 2, "handoff_closed": 3}
"""A contact's end point only moves up this order: a "bye" after the results does not hide that results were seen."""

# Intents that say "this is something else": the survey is left and the conversation handles the message.
REQUEST_INTENTS = {"tell_life_event", "inform_location", "more_results", "ask_why", "ask_details", "show_results",
                   "start_over", "help", "ask_person", "crisis", "bot_challenge", "greet", "goodbye",
                   "handoff_closed"}


@dataclass
class Visit:
    """What is known about the conversation when it reaches an end point (the contact record's facts)."""

    conversation_id: str
    channel: str
    language: str = "en"
    jurisdiction: str | None = None
    topic: str | None = None
    service_ids: list[str] = field(default_factory=list)
    handed_off: bool = False


@dataclass
class Reply:
    """The citizen's message as the survey needs it."""

    text: str = ""
    answer: str | None = None  # a button's value (``survey:<step>:<value>`` for survey buttons)
    intent: str = ""
    confidence: float = 0.0
    new_need: bool = False  # a life event not yet known, or a place
    busy: bool = False  # the conversation is waiting for the answer to one of its own questions


class SurveyPort(Protocol):
    """Where the survey writes; every call is idempotent per conversation."""

    def record_contact(self, conversation_id: str, **facts: Any) -> Any: ...

    def record_offer(self, conversation_id: str, **facts: Any) -> bool:
        """True when newly offered, False when this conversation was offered the survey before."""

    def submit(self, conversation_id: str, answers: dict[str, Any]) -> Any: ...

    def record_unmet_demand(self, conversation_id: str, **facts: Any) -> Any: ...


class StorePort:
    """:class:`SurveyPort` on :mod:`bot.survey.store`. ``engine`` may be a zero-argument callable: the action
    server's engine is only made on first use. Calls block: run them in a worker thread."""

    def __init__(self, engine: Engine | Callable[[], Engine]) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine if isinstance(self._engine, Engine) else self._engine()

    def record_contact(self, conversation_id: str, **facts: Any) -> int:
        return store.record_contact(self.engine, conversation_id, **facts)

    def record_offer(self, conversation_id: str, **facts: Any) -> bool:
        return store.record_offer(self.engine, conversation_id, **facts).newly_offered

    def submit(self, conversation_id: str, answers: dict[str, Any]) -> Any:
        return store.submit_response(self.engine, conversation_id, answers)

    def record_unmet_demand(self, conversation_id: str, **facts: Any) -> int:
        return store.record_unmet_demand(self.engine, conversation_id, **facts)


Phrase = Callable[..., str]
Said = tuple[SurveyState, list[Out]]


# --- end points ----------------------------------------------------------------------------------------------
def reach_end_point(survey: SurveyState | None, port: SurveyPort | None, visit: Visit, end_point: str,
                    phrases: Phrase, *, offer: bool = True,
                    unmet_query: str | None = None) -> tuple[SurveyState | None, list[Out]]:
    """The conversation reached ``end_point``: log the contact (and the unmet need when nothing was found), then
    offer the survey unless this conversation was offered it before. Returns the survey state and the messages
    (the offer and the first question, or nothing). Storage failures never reach the citizen."""
    if port is None or not visit.conversation_id:
        return survey, []
    survey = replace(survey) if survey else SurveyState()
    facts: dict[str, Any] = {"channel": visit.channel, "language": visit.language,
                             "jurisdiction": visit.jurisdiction, "topic": visit.topic}
    if survey.logged is None or END_POINT_RANK.get(end_point, 0) > END_POINT_RANK.get(survey.logged, 0):
        facts["end_point"] = end_point
        survey.logged = end_point
    _safely("record_contact", port.record_contact, visit.conversation_id, service_ids=list(visit.service_ids),
            handed_off=visit.handed_off or None, **facts)
    if end_point == "nothing_found":
        _safely("record_unmet_demand", port.record_unmet_demand, visit.conversation_id, query=unmet_query,
                topic=visit.topic, jurisdiction=visit.jurisdiction, channel=visit.channel, language=visit.language)
    if not offer or survey.offered:
        return survey, []
    newly = _safely("record_offer", port.record_offer, visit.conversation_id, channel=visit.channel,
                    end_point=end_point, language=visit.language, jurisdiction=visit.jurisdiction,
                    service_ids=list(visit.service_ids), handed_off=visit.handed_off)
    if newly is None:  # not logged: not offered (an answer could not be stored anyway)
        return survey, []
    survey.offered, survey.end_point, survey.handed_off = True, end_point, visit.handed_off
    if not newly:  # offered before (the state was lost or reset): never asked twice
        survey.active = False
        survey.q = {"step": DONE, "answers": {}}
        return survey, []
    first = start_survey(handed_off=visit.handed_off)
    survey.active = True
    survey.q = first.state
    return survey, [Out("utter_survey_offer"), question(first, phrases)]


def leave(survey: SurveyState | None, for_good: bool = False) -> SurveyState | None:
    """The citizen moved on: stop asking; a click on (or a number typed for) the last question still counts.
    ``for_good`` (after a crisis): only a click on one of its buttons takes the survey up again."""
    if not survey or not (survey.active or for_good):
        return survey
    return replace(survey, active=False, left=True, closed=survey.closed or for_good)


# --- one turn ------------------------------------------------------------------------------------------------
def turn(survey: SurveyState | None, reply: Reply, port: SurveyPort | None, phrases: Phrase, conversation_id: str,
         lexicon: Lexicon | None = None) -> tuple[SurveyState | None, list[Out] | None]:
    """Handle ``reply`` if it belongs to the survey. Returns the new survey state and the messages to send, or
    ``None`` as messages when the conversation should handle the message (the survey is then left)."""
    words = lexicon or load_lexicon()
    tagged = parse_payload(reply.answer)
    if not survey or not survey.offered:
        if tagged:  # a button of a survey this state does not know (an old page, a reset conversation)
            return survey, [Out("utter_survey_closed")]
        return survey, None
    survey = replace(survey, q=dict(survey.q))
    q = survey.q
    current = q.get("step")
    if tagged:
        return _button(survey, q, tagged, port, phrases, conversation_id)
    if current in (None, DONE) or reply.answer is not None:  # another button (an older question's): not ours
        return (leave(survey) if reply.answer is not None else survey), None
    text = normalise(reply.text)
    if not survey.active:
        value = None if reply.busy or survey.closed else _strict(current, text, q, words)
        if value is None:
            return survey, None
        survey.active, survey.left = True, False  # typed an answer to the last question after all
        return _apply(survey, q, value, port, phrases, conversation_id)

    if current == COMMENT:
        if _is_request(reply, comment=True):
            return leave(survey), None
        if text in words.survey_skip or text in words.survey_no_comment or not text:  # "no thanks": no comment
            return _apply(survey, q, "skip", port, phrases, conversation_id)
        if text in words.survey_stop:
            return _apply(survey, q, "stop", port, phrases, conversation_id)
        return _apply(survey, q, reply.text.strip(), port, phrases, conversation_id)
    if text in words.survey_stop:
        return _apply(survey, q, "stop", port, phrases, conversation_id)
    if text in words.survey_skip:
        return _apply(survey, q, "skip", port, phrases, conversation_id)
    if _is_request(reply, comment=False):  # "details 1" is about the results, not a rating of 1
        return leave(survey), None
    value = _typed(current, text, q, words)
    if value is not None:
        return _apply(survey, q, value, port, phrases, conversation_id)
    if reply.intent == "out_of_scope" and reply.confidence >= 0.9:  # a question of another kind
        return leave(survey), None
    if reply.intent == "thank":  # "thanks!" is not an answer, nor a reason to nag
        return survey, [Out("utter_thank")]
    if current == SATISFACTION and not q.get("answers") and (text in words.affirm or text in words.acknowledge):
        return survey, [question(render_step(q), phrases)]  # "yes" / "ok" to the offer: the first question again
    step = next_survey_step(q, text or "?")  # unreadable: asked again, then skipped (definition.MAX_ATTEMPTS)
    survey.q = step.state
    if step.done:
        return _finish(survey, step, port, conversation_id, changed=False)
    prefix = [Out("utter_survey_reprompt")] if step.reprompt else []
    return survey, prefix + [question(step, phrases)]


def _button(survey: SurveyState, q: dict[str, Any], tagged: tuple[str, str], port: SurveyPort | None,
            phrases: Phrase, conversation_id: str) -> Said:
    step_name, value = tagged
    current = q.get("step")
    if current in (None, DONE):
        return survey, [Out("utter_survey_closed")]
    answer: Any = [value] if step_name == DRIVERS and value not in ("none", "skip", "stop") else value
    if step_name == current:
        survey.active, survey.left, survey.closed = True, False, False
        return _apply(survey, q, answer, port, phrases, conversation_id)
    if step_name in STEPS and STEPS.index(step_name) < STEPS.index(current) and value not in ("skip", "stop"):
        # A repeated webhook, or the citizen changing an earlier answer: overwrite that item, ask the current one.
        earlier = next_survey_step({**q, "step": step_name, "attempts": 0}, answer)
        if step_name in earlier.answers:
            q["answers"] = {**q.get("answers", {}), step_name: earlier.answers[step_name]}
            if step_name == DRIVERS:
                q["answers"]["drivers_polarity"] = driver_polarity(q["answers"].get(SATISFACTION))
            survey.q = q
            _submit(port, conversation_id, q)
    survey.active, survey.left = True, False
    return survey, [question(render_step(q), phrases)]


def _apply(survey: SurveyState, q: dict[str, Any], answer: Any, port: SurveyPort | None, phrases: Phrase,
           conversation_id: str) -> Said:
    before = dict(q.get("answers") or {})
    step = next_survey_step(q, answer)
    survey.q = step.state
    changed = step.answers != before or bool(step.state.get("stopped"))
    if step.done:
        return _finish(survey, step, port, conversation_id, changed)
    if changed:
        _submit(port, conversation_id, step.state)
    prefix = [Out("utter_survey_reprompt")] if step.reprompt else []
    return survey, prefix + [question(step, phrases)]


def _finish(survey: SurveyState, step: SurveyStep, port: SurveyPort | None, conversation_id: str,
            changed: bool) -> Said:
    if changed:
        _submit(port, conversation_id, step.state)
    survey.active = False
    said = [Out("utter_survey_stopped" if step.state.get("stopped") else "utter_survey_thanks")]
    if survey.end_point == "goodbye":  # the citizen was leaving: now say goodbye
        said.append(Out("utter_goodbye"))
    return survey, said


def _submit(port: SurveyPort | None, conversation_id: str, q: dict[str, Any]) -> None:
    answers = {k: v for k, v in (q.get("answers") or {}).items() if v is not None}
    if q.get("stopped"):
        answers["stopped"] = True
    if port is not None and answers:
        _safely("submit", port.submit, conversation_id, answers)


def _safely(what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Storage is bookkeeping: a failure is logged, never shown to the citizen. Returns None on failure."""
    try:
        return call(*args, **kwargs)
    except Exception:  # noqa: BLE001
        logger.exception("survey: %s failed", what)
        return None


# --- reading replies -----------------------------------------------------------------------------------------
def parse_payload(answer: str | None) -> tuple[str, str] | None:
    """``survey:<step>:<value>`` → (step, value); anything else → None."""
    if not answer or not str(answer).startswith(PAYLOAD_PREFIX):
        return None
    parts = str(answer)[len(PAYLOAD_PREFIX):].split(":", 1)
    if len(parts) != 2 or parts[0] not in STEPS:
        return None
    return parts[0], parts[1]


def _is_request(reply: Reply, comment: bool) -> bool:
    """The message is clearly not a survey answer: a new situation, a place, a question, a request."""
    if reply.intent in REQUEST_INTENTS - {"tell_life_event", "inform_location"}:
        return True
    if reply.intent in ("tell_life_event", "inform_location") and (reply.new_need or not comment):
        return True
    if comment:  # at the free-text question almost anything is a comment
        return False
    return reply.new_need or reply.text.strip().endswith("?")


def _number(text: str, words: Lexicon) -> int | None:
    """The one number in a short reply ("4", "4/5", "a 4", "four stars"), else None."""
    if text in words.number_words:
        return words.number_words[text]
    if m := re.fullmatch(r"#?\s*(\d)\s*(?:/\s*5|out of 5|stars?)?", text):
        return int(m[1])
    tokens = text.split()
    if len(tokens) <= 6:
        digits = re.findall(r"\d+", text)
        if len(digits) == 1 and not re.search(r"\d\s*/\s*\d", text):
            return int(digits[0])
        named = [words.number_words[w] for w in tokens if w in words.number_words]
        if len(named) == 1 and not digits:
            return named[0]
    return None


def _likert(text: str, words: Lexicon) -> int | None:
    if len(text.split()) > 8:
        return None
    return words.likert_value(text)


def _typed(step: str, text: str, q: dict[str, Any], words: Lexicon) -> Any:
    """A typed reply as an answer :func:`next_survey_step` reads (a number typed as its button's number too),
    or None when it cannot be read as an answer to ``step``."""
    if not text:
        return None
    if step in (SATISFACTION, TRUST, DRIVERS) and text in words.survey_not_sure:
        return "skip"
    if step in (SATISFACTION, TRUST):
        n = _number(text, words)
        if n is not None:
            return str(n) if 1 <= n <= 5 else ("skip" if n == len(LIKERT_LABELS) + 1 else None)
        value = _likert(text, words)
        return str(value) if value else None
    if step == DRIVERS:
        return _drivers(text, q, words)
    if step == FIRST_TIME:
        if text in words.survey_first_time_yes or text == "1":
            return "yes"
        if text in words.survey_first_time_no or text == "2":
            return "no"
        if text in words.survey_not_sure or text == "3":
            return "not_sure"
        return "skip" if text == "4" else None
    return None


def _drivers(text: str, q: dict[str, Any], words: Lexicon) -> Any:
    keys = driver_keys(bool(q.get("handed_off")))
    if text in words.survey_none or text == str(len(keys) + 1):
        return "none"
    if text == str(len(keys) + 2):
        return "skip"
    tokens = [t for t in re.split(r"[\s,;/&+]+|\band\b", text) if t]
    chosen = []
    for token in tokens:
        if token.isdigit() and 1 <= int(token) <= len(keys):
            chosen.append(keys[int(token) - 1])
        elif token in keys:
            chosen.append(token)
        else:
            return None
    return chosen or None


def _strict(step: str, text: str, q: dict[str, Any], words: Lexicon) -> Any:
    """After the survey was left, only an unmistakable answer (a number, a Likert label) takes it up again."""
    if step in (SATISFACTION, TRUST) and (re.fullmatch(r"[1-5]", text) or text in {
            normalise(label) for label in LIKERT_LABELS.values()}):
        return _typed(step, text, q, words)
    if step == DRIVERS and re.fullmatch(r"\d( \d)+", text):
        return _typed(step, text, q, words)
    return None


# --- rendering -----------------------------------------------------------------------------------------------
def payload(step: str, value: str) -> str:
    return "/answer" + json.dumps({"answer": f"{PAYLOAD_PREFIX}{step}:{value}"})


def question(step: SurveyStep, phrases: Phrase) -> Out:
    """A survey step as a domain response with buttons (the SMS channel numbers them: "Reply 1 for …")."""
    if step.step in (SATISFACTION, TRUST):
        buttons = [{"title": phrases(f"utter_survey_button_likert_{o.value}"), "payload": payload(step.step, o.value)}
                   for o in step.options]
        name = step.response_key
    elif step.step == DRIVERS:
        buttons = [{"title": phrases(f"utter_survey_button_driver_{o.value}"), "payload": payload(DRIVERS, o.value)}
                   for o in step.options]
        buttons.append({"title": phrases("utter_survey_button_none"), "payload": payload(DRIVERS, "none")})
        positive = driver_polarity(step.answers.get(SATISFACTION)) == POSITIVE
        name = "utter_survey_drivers_positive" if positive else "utter_survey_drivers_negative"
    elif step.step == FIRST_TIME:
        buttons = [{"title": phrases(f"utter_survey_button_first_time_{o.value}"),
                    "payload": payload(FIRST_TIME, o.value)} for o in step.options]
        name = step.response_key
    else:  # the comment: free text
        buttons = []
        name = step.response_key
    buttons.append({"title": phrases("utter_survey_button_skip"), "payload": payload(step.step, "skip")})
    return Out(name, {}, buttons)


RESPONSES = (
    "utter_survey_offer", "utter_survey_satisfaction", "utter_survey_trust", "utter_survey_drivers_positive",
    "utter_survey_drivers_negative", "utter_survey_first_time", "utter_survey_comment", "utter_survey_thanks",
    "utter_survey_stopped", "utter_survey_reprompt", "utter_survey_closed", "utter_survey_button_skip",
    "utter_survey_button_none", *(f"utter_survey_button_likert_{n}" for n in LIKERT_LABELS),
    *(f"utter_survey_button_driver_{k}" for k in driver_keys(True)),
    *(f"utter_survey_button_first_time_{k}" for k in ("yes", "no", "not_sure")),
)
"""Every domain response this module uses (checked against domain/responses.yml by the tests)."""
