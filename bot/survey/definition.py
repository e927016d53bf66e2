"""The exit survey as data (OMB Circular A-11 §280 items) and the step machine the conversation drives.

Rasa renders a step (buttons on web/Telegram, "Reply 1–5" by SMS); everything that decides *which* step comes
next lives here so every channel asks the same questions in the same order. The state is a plain dict so it
fits in a Rasa slot. Free text is redacted as soon as it arrives: raw comments never reach the state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, overload

from bot.survey.redact import redact
from knowledge.lexicon import load_lexicon, normalise

QUESTION_VERSION = "a11-280-2024.1"
"""Bumped whenever wording, order or options change, so answers to different wordings are never pooled blindly."""

SATISFACTION, TRUST, DRIVERS, FIRST_TIME, COMMENT, DONE = (
    "satisfaction", "trust", "drivers", "first_time", "comment", "done",
)
STEPS = (SATISFACTION, TRUST, DRIVERS, FIRST_TIME, COMMENT)

SCALE_MIN, SCALE_MAX = 1, 5
SATISFIED_FROM = 4
"""4 (agree) and 5 (strongly agree) count as satisfied, and branch the drivers to "What went well?"."""

LIKERT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}

WORDING = {
    SATISFACTION: "I am satisfied with the service I received.",
    TRUST: "Based on this experience, I trust {service} to deliver on its mission.",
    "drivers_positive": "What went well? Choose any that apply.",
    "drivers_negative": "What didn't go so well? Choose any that apply.",
    FIRST_TIME: "Is this the first time you've contacted us about this?",
    COMMENT: "Anything else you want to tell us? Please don't include personal details.",
}

# Driver keys follow the A-11 drivers (effectiveness, ease, efficiency, transparency, humanity, employee) plus
# one of our own about the assistant. Touchpoints calls the caseworker driver "employee".
DRIVERS_LABELS = {
    "effectiveness": "I got what I needed",
    "ease": "It was easy",
    "efficiency": "It took a reasonable amount of time",
    "transparency": "I understood what was asked and what happens next",
    "humanity": "I was treated fairly and with respect",
    "caseworker_helpful": "The caseworker was helpful",
    "assistant_understood": "The assistant understood me",
}
HANDOFF_ONLY_DRIVERS = frozenset({"caseworker_helpful"})

FIRST_TIME_LABELS = {"yes": "Yes", "no": "No, I've contacted you before", "not_sure": "Not sure"}

POSITIVE, NEGATIVE = "went_well", "went_badly"

MAX_ATTEMPTS = 2
"""After this many answers we cannot read on one step, the step is skipped rather than asked forever."""



@overload
def driver_polarity(satisfaction: int) -> str: ...
@overload
def driver_polarity(satisfaction: None) -> None: ...
def driver_polarity(satisfaction: int | None) -> str | None:
    """The drivers branch: satisfied (4–5) are asked what went well, everyone else what didn't."""
    if satisfaction is None:
        return None
    return POSITIVE if satisfaction >= SATISFIED_FROM else NEGATIVE


def driver_keys(handed_off: bool) -> list[str]:
    """Drivers offered in this conversation: the caseworker one only when a caseworker took part."""
    return [k for k in DRIVERS_LABELS if handed_off or k not in HANDOFF_ONLY_DRIVERS]


@dataclass(frozen=True)
class Option:
    """One answer the channel can render as a button, or as "<number> = <label>" by SMS."""

    number: int
    value: str
    label: str


@dataclass
class SurveyStep:
    """What to ask next. ``step == "done"`` means the survey is over (answered, skipped or stopped)."""

    step: str
    prompt: str
    options: list[Option] = field(default_factory=list)
    multi_select: bool = False
    free_text: bool = False
    skippable: bool = True
    reprompt: bool = False
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.step == DONE

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.state.get("answers", {}))

    @property
    def response_key(self) -> str:
        """The Rasa response name the domain can define to translate this prompt (``utter_survey_<step>``)."""
        return f"utter_survey_{self.step}"

    def sms_text(self) -> str:
        """The prompt with numbered options, for channels without buttons."""
        if not self.options:
            return f"{self.prompt} (Reply SKIP to skip.)"
        lines = [self.prompt] + [f"{o.number} = {o.label}" for o in self.options]
        numbers = [o.number for o in self.options]
        if self.multi_select:
            hint = "Reply with one or more numbers, e.g. 1 3"
        else:
            hint = f"Reply {numbers[0]}–{numbers[-1]}"
        return "\n".join(lines) + f"\n{hint}, or SKIP."


def new_state(handed_off: bool = False, service: str = "this public service") -> dict[str, Any]:
    return {"step": None, "answers": {}, "handed_off": bool(handed_off), "service": service,
            "attempts": 0, "question_version": QUESTION_VERSION}


def start_survey(handed_off: bool = False, service: str = "this public service") -> SurveyStep:
    """The first step (satisfaction) for a conversation; ``handed_off`` adds the caseworker driver."""
    return next_survey_step(new_state(handed_off, service), None)


def next_survey_step(state: dict[str, Any] | None, answer: str | list[str] | None) -> SurveyStep:
    """Apply ``answer`` to the current step and return the next one.

    ``answer`` is a button payload or typed text ("5", "Agree", "skip", "1 3", ["ease", "humanity"]).
    ``None`` with a fresh state starts the survey. "skip" skips one item; "stop" ends the survey with what was
    answered so far. An answer we cannot read re-asks the same step (``reprompt``) up to ``MAX_ATTEMPTS`` times.
    """
    state = _copy_state(state)
    current = state.get("step")
    if current is None:
        state["step"] = SATISFACTION
        return _render(state)
    if current == DONE:
        return _render(state)

    text = _normalise(answer)
    words = load_lexicon()
    if text in words.survey_stop:
        state["step"] = DONE
        state["stopped"] = True
        return _render(state)
    if text in words.survey_skip or text in words.survey_next:
        return _advance(state)

    value = _parse(current, answer, text, state)
    if value is _UNREADABLE:
        state["attempts"] = state.get("attempts", 0) + 1
        if state["attempts"] >= MAX_ATTEMPTS:
            return _advance(state)
        step = _render(state)
        step.reprompt = True
        return step
    if value is not None:
        state["answers"][current] = value
        if current == DRIVERS:
            state["answers"]["drivers_polarity"] = driver_polarity(state["answers"].get(SATISFACTION))
    return _advance(state)


_UNREADABLE = object()


def _copy_state(state: dict[str, Any] | None) -> dict[str, Any]:
    base = new_state()
    if state:
        base.update({k: v for k, v in state.items() if k != "answers"})
        base["answers"] = dict(state.get("answers") or {})
    return base


def _advance(state: dict[str, Any]) -> SurveyStep:
    state["attempts"] = 0
    order = list(STEPS)
    index = order.index(state["step"]) + 1
    while index < len(order):
        step = order[index]
        # Drivers branch on satisfaction; with no satisfaction there is no branch to ask.
        if step == DRIVERS and state["answers"].get(SATISFACTION) is None:
            index += 1
            continue
        state["step"] = step
        return _render(state)
    state["step"] = DONE
    return _render(state)


def _normalise(answer: str | list[str] | None) -> str:
    """A reply as the lexicon reads it (knowledge/lexicon.py): "Don't know." == "dont know"."""
    if answer is None:
        return ""
    if isinstance(answer, list | tuple):
        return " ".join(str(a) for a in answer).strip().lower()
    return normalise(str(answer))


def _parse(step: str, raw: str | list[str] | None, text: str, state: dict[str, Any]) -> Any:
    if step in (SATISFACTION, TRUST):
        return _parse_likert(text)
    if step == DRIVERS:
        return _parse_drivers(raw, text, driver_keys(state.get("handed_off", False)))
    if step == FIRST_TIME:
        return _parse_first_time(text)
    if step == COMMENT:
        comment = redact(str(raw or "")).text.strip()
        return comment or None
    return _UNREADABLE


def _parse_likert(text: str) -> int | object:
    match = re.fullmatch(r"\s*([1-5])\s*(?:/\s*5)?\s*", text)
    if match:
        return int(match.group(1))
    for value, label in LIKERT_LABELS.items():
        if text == label.lower():
            return value
    return _UNREADABLE


def _parse_drivers(raw: str | list[str] | None, text: str, keys: list[str]) -> list[str] | object:
    if text in load_lexicon().survey_none:
        return []
    tokens = list(raw) if isinstance(raw, list | tuple) else re.split(r"[\s,;]+", text)
    chosen: list[str] = []
    for token in (str(t).strip().lower() for t in tokens if str(t).strip()):
        if token.isdigit() and 1 <= int(token) <= len(keys):
            key = keys[int(token) - 1]
        elif token in keys:
            key = token
        else:
            return _UNREADABLE
        if key not in chosen:
            chosen.append(key)
    return sorted(chosen, key=keys.index) if chosen else _UNREADABLE


def _parse_first_time(text: str) -> str | object:
    if text in ("1", "2", "3"):
        return {"1": "yes", "2": "no", "3": "not_sure"}[text]  # the buttons' numbers
    words = load_lexicon()
    if text in words.survey_first_time_yes:
        return "yes"
    if text in words.survey_first_time_no:
        return "no"
    if text in words.survey_not_sure:
        return "not_sure"
    return _UNREADABLE


def _render(state: dict[str, Any]) -> SurveyStep:
    step = state["step"]
    if step in (SATISFACTION, TRUST):
        prompt = WORDING[step].format(service=state.get("service") or "this public service")
        options = [Option(v, str(v), f"{v} {label}") for v, label in LIKERT_LABELS.items()]
        return SurveyStep(step, prompt, options, state=state)
    if step == DRIVERS:
        positive = driver_polarity(state["answers"].get(SATISFACTION)) == POSITIVE
        prompt = WORDING["drivers_positive" if positive else "drivers_negative"]
        keys = driver_keys(state.get("handed_off", False))
        options = [Option(i, k, DRIVERS_LABELS[k]) for i, k in enumerate(keys, start=1)]
        return SurveyStep(step, prompt, options, multi_select=True, state=state)
    if step == FIRST_TIME:
        options = [Option(i, k, label) for i, (k, label) in enumerate(FIRST_TIME_LABELS.items(), start=1)]
        return SurveyStep(step, WORDING[FIRST_TIME], options, state=state)
    if step == COMMENT:
        return SurveyStep(step, WORDING[COMMENT], free_text=True, state=state)
    return SurveyStep(DONE, "Thank you for your feedback.", skippable=False, state=state)


def render_step(state: dict[str, Any]) -> SurveyStep:
    """The step ``state`` is at, rendered again without applying anything (to ask the current question again)."""
    return _render(dict(state, answers=dict(state.get("answers") or {})))
