"""The citizen's side of a handoff, as plain Python: one of the dialogue's turn handlers (bot/dialogue/handlers.py).

Stages kept in ``state.handoff.stage`` (:class:`bot.handoff.state.HandoffState`): ``consent`` (may we share this
chat?), ``waiting`` (in the queue; the bot answers with the place in line, CANCEL stops waiting), ``unavailable``
(closed or nobody online: callback or carry on with the bot), ``callback_method`` → ``callback_time`` →
``callback_contact``. Once a caseworker claims the conversation the desk pauses Rasa (``ConversationPaused``), so
none of this runs until the desk hands back with the ``handoff_closed`` intent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.dialogue.context import HandoffPort, TurnContext
from bot.dialogue.state import DialogueState
from bot.dialogue.understanding import Understanding
from bot.handoff.state import HandoffState
from bot.handoff.store import CALLBACK_WINDOWS, normalise_email, normalise_phone
from bot.replies import Out
from knowledge.lexicon import normalise

REASONS = {"asked": "asked for a person", "misunderstood": "asked for a person after the bot misunderstood",
           "crisis": "crisis words: crisis line given, then a person offered"}
"""How the desk's summary line says why a person was wanted (caseworkers' wording, not the citizen's)."""


def _word(u: Understanding) -> str:
    if u.answer is not None:  # a button's value, e.g. "consent_yes"
        return u.answer.strip().lower()
    return normalise(u.text)


def _button(title: str, value: str) -> dict[str, str]:
    return {"title": title, "payload": "/answer" + json.dumps({"answer": value})}


def _desk(ctx: TurnContext) -> HandoffPort:
    if ctx.handoff is None:
        raise RuntimeError("no handoff desk in this context")
    return ctx.handoff


def summary(state: DialogueState, ctx: TurnContext, reason: str) -> str:
    """The line at the top of the desk's conversation view: situation, place, why a person, what was shown."""
    events = [ctx.vocab.life_events[e].label.get(ctx.language) or e
              for e in state.life_events if e in ctx.vocab.life_events]
    parts = [", ".join(events) or "Situation not told yet", state.location_name or "place not told yet",
             REASONS.get(reason, reason)]
    if state.answers:
        parts.append(f"{len(state.answers)} answer(s) given")
    if state.shown:
        parts.append(f"{len(state.shown)} service(s) shown")
    return " · ".join(parts)


def ask_consent(state: DialogueState, ctx: TurnContext, reason: str) -> list[Out]:
    """Before anything is shared: may a caseworker see this chat and the answers?"""
    ticket = _desk(ctx).status(ctx.sender_id)
    if ticket is not None:  # already in line: say where
        state.handoff = HandoffState(stage="waiting", id=ticket.handoff_id, reason=reason)
        return [_waiting_out(ticket, ctx)]
    state.handoff = HandoffState(stage="consent", reason=reason)
    return [Out("utter_handoff_consent", buttons=[_button(ctx.phrases("utter_button_consent_yes"), "consent_yes"),
                                                  _button(ctx.phrases("utter_button_consent_no"), "consent_no")])]


def _waiting_out(ticket: Any, ctx: TurnContext) -> Out:
    return Out("utter_handoff_waiting", {"position": str(ticket.position or 1), "minutes": str(ticket.wait_minutes or 1)},
               [_button(ctx.phrases("utter_button_cancel_wait"), "cancel_handoff")])


def _connect(state: DialogueState, handoff: HandoffState, ctx: TurnContext, navigators: list[Out]) -> list[Out]:
    desk = _desk(ctx)
    situation = state.to_slot()
    available = desk.availability(situation, ctx.language)
    if available.can_take_now:
        ticket = desk.request(situation, sender_id=ctx.sender_id, channel=ctx.channel, language=ctx.language,
                              reason=handoff.reason, summary=summary(state, ctx, handoff.reason), team=available.team)
        state.handoff = HandoffState(stage="waiting", id=ticket.handoff_id, reason=handoff.reason)
        return [Out("utter_handoff_queued", {"team": available.team.name, "position": str(ticket.position or 1),
                                             "minutes": str(ticket.wait_minutes or 1)},
                    [_button(ctx.phrases("utter_button_cancel_wait"), "cancel_handoff")])] + navigators
    state.handoff = HandoffState(stage="unavailable", reason=handoff.reason)
    buttons = [_button(ctx.phrases("utter_button_callback"), "callback"),
               _button(ctx.phrases("utter_button_keep_chatting"), "keep_chatting")]
    if available.next_opening is None:
        return [Out("utter_handoff_no_hours", {"team": available.team.name}, buttons)] + navigators
    when = desk.when(available.next_opening, available.team)
    response = "utter_handoff_nobody_online" if available.open_now else "utter_handoff_closed_now"
    return [Out(response, {"team": available.team.name, "when": when}, buttons)] + navigators


def _method_out(ctx: TurnContext) -> Out:
    return Out("utter_callback_method", buttons=[_button(ctx.phrases("utter_button_phone"), "phone"),
                                                 _button(ctx.phrases("utter_button_sms"), "sms"),
                                                 _button(ctx.phrases("utter_button_email"), "email")])


def _time_out(state: DialogueState, ctx: TurnContext) -> Out:
    desk = _desk(ctx)
    available = desk.availability(state.to_slot(), ctx.language)
    when = desk.when(available.next_opening, available.team) or ctx.phrases("utter_button_asap")
    buttons = [_button(ctx.phrases("utter_button_next_opening", when=when), "next_opening")]
    for window, (start, end) in CALLBACK_WINDOWS.items():  # only parts of the day when the team can call
        if available.team.open_between(start, end):
            buttons.append(_button(ctx.phrases(f"utter_button_{window}"), window))
    return Out("utter_callback_time", buttons=buttons)


def handoff_turn(state: DialogueState, u: Understanding, ctx: TurnContext,
                 navigators: Callable[[], list[Out]] | None = None) -> list[Out] | None:
    """Handle the message when a handoff stage is pending; None lets the normal conversation go on."""
    if ctx.handoff is None:
        return None
    if u.intent == "handoff_closed":  # the desk handed back: the survey follows (bot/survey/dialogue.py)
        state.handoff = None
        state.wants_person = False
        return None
    current = state.handoff
    if current is None:
        return None
    word = _word(u)
    words = ctx.lexicon
    if current.stage == "consent":
        if word in words.handoff_yes or u.intent in ("affirm", "ask_person"):
            return _connect(state, current, ctx, navigators() if navigators else [])
        state.handoff = None
        if word in words.handoff_no or u.intent == "deny":
            return [Out("utter_handoff_declined")]
        return None
    if current.stage == "waiting":
        ticket = ctx.handoff.status(ctx.sender_id)
        if ticket is None:  # closed or cancelled at the desk
            state.handoff = None
            return None
        if word in words.handoff_cancel or u.intent == "cancel_handoff":
            ctx.handoff.cancel(ctx.sender_id)
            state.handoff = None
            state.wants_person = False
            return [Out("utter_handoff_cancelled")]
        return [_waiting_out(ticket, ctx)]  # the message itself is on the desk already (event broker)
    if current.stage == "unavailable":
        return _unavailable(state, current, word, ctx)
    if word in words.handoff_cancel or word in words.callback_stop:
        state.handoff = None
        return [Out("utter_callback_cancelled")]
    if current.stage == "callback_method":
        method = words.callback_methods.get(word)
        if method is None:
            return [Out("utter_callback_not_understood"), _method_out(ctx)]
        current.stage, current.method = "callback_time", method
        return [_time_out(state, ctx)]
    if current.stage == "callback_time":
        preferred = words.callback_times.get(word) or next(
            (v for k, v in words.callback_times.items() if k in word), None)
        if preferred is None:
            return [Out("utter_callback_not_understood"), _time_out(state, ctx)]
        current.stage, current.preferred = "callback_contact", preferred
        return [Out("utter_callback_ask_email" if current.method == "email" else "utter_callback_ask_phone")]
    return _callback_contact(state, current, u, ctx)


def _unavailable(state: DialogueState, current: HandoffState, word: str, ctx: TurnContext) -> list[Out] | None:
    words = ctx.lexicon
    if word in words.callback_request or word in words.callback_methods:
        if word in words.callback_methods:
            current.stage, current.method = "callback_time", words.callback_methods[word]
            return [_time_out(state, ctx)]
        current.stage = "callback_method"
        return [_method_out(ctx)]
    state.handoff = None
    if word in words.keep_chatting:
        return [Out("utter_handoff_keep_chatting")]
    return None


def _callback_contact(state: DialogueState, current: HandoffState, u: Understanding,
                      ctx: TurnContext) -> list[Out]:
    raw = u.text if u.answer is None else u.answer
    method = current.method or "phone"
    contact = normalise_email(raw) if method == "email" else normalise_phone(raw)
    if contact is None:
        return [Out("utter_callback_invalid_email" if method == "email" else "utter_callback_invalid_phone")]
    desk = _desk(ctx)
    row = desk.callback(state.to_slot(), sender_id=ctx.sender_id, channel=ctx.channel, language=ctx.language,
                        method=method, contact=contact, preferred=current.preferred or "next_opening",
                        summary=summary(state, ctx, current.reason))
    state.handoff = None
    how = ctx.phrases(f"utter_part_callback_{method}")
    return [Out("utter_callback_booked", {"how": how, "when": desk.due_text(row), "reference": f"CB-{row.id}"})]
