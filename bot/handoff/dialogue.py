"""The citizen's side of a handoff, as plain Python called from :func:`bot.conversation.step`.

Stages kept in ``state["handoff"]["stage"]``: ``consent`` (may we share this chat?), ``waiting`` (in the queue; the
bot answers with the place in line, CANCEL stops waiting), ``unavailable`` (closed or nobody online: callback or
carry on with the bot), ``callback_method`` → ``callback_time`` → ``callback_contact``. Once a caseworker claims the
conversation the desk pauses Rasa (``ConversationPaused``), so none of this runs until the desk hands back with the
``handoff_closed`` intent.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.handoff.store import CALLBACK_WINDOWS, normalise_email, normalise_phone
from bot.replies import Out

if TYPE_CHECKING:
    from bot.conversation import Tools, Understanding

CANCEL_WORDS = {"cancel", "stop waiting", "cancel please", "dont wait", "never mind", "nevermind", "cancel_handoff"}
YES_WORDS = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "yes please", "connect me", "yes connect me", "oui",
             "si", "sí", "consent_yes"}
NO_WORDS = {"no", "n", "nope", "no thanks", "no thank you", "not now", "non", "consent_no"}
METHODS = {"phone": "phone", "call": "phone", "phone call": "phone", "call me": "phone", "text": "sms",
           "sms": "sms", "text message": "sms", "text me": "sms", "email": "email", "e-mail": "email",
           "mail": "email"}
TIMES = {"next_opening": "next_opening", "asap": "next_opening", "as soon as possible": "next_opening",
         "soon": "next_opening", "morning": "morning", "afternoon": "afternoon", "evening": "evening"}


def _word(u: Understanding) -> str:
    from bot.conversation import _clean

    if u.answer is not None:  # a button's value, e.g. "consent_yes" (kept as is: _clean turns "_" into spaces)
        return u.answer.strip().lower()
    return _clean(u.text)


def _button(title: str, value: str) -> dict[str, str]:
    return {"title": title, "payload": "/answer" + json.dumps({"answer": value})}


def summary(state: dict, tools: Tools, reason: str) -> str:
    """The line at the top of the desk's conversation view: situation, place, why a person, what was shown."""
    events = [tools.vocab.life_events[e].label.get(tools.language) or e
              for e in state.get("life_events") or [] if e in tools.vocab.life_events]
    parts = [", ".join(events) or "Situation not told yet",
             state.get("location_name") or "place not told yet"]
    why = {"asked": "asked for a person", "misunderstood": "asked for a person after the bot misunderstood",
           "crisis": "crisis words: crisis line given, then a person offered"}.get(reason, reason)
    parts.append(why)
    answers = state.get("answers") or {}
    if answers:
        parts.append(f"{len(answers)} answer(s) given")
    if state.get("shown"):
        parts.append(f"{len(state['shown'])} service(s) shown")
    return " · ".join(parts)


def ask_consent(state: dict, tools: Tools, reason: str) -> list[Out]:
    """Before anything is shared: may a caseworker see this chat and the answers?"""
    ticket = tools.handoff.status(tools.sender_id)
    if ticket is not None:  # already in line: say where
        state["handoff"] = {"stage": "waiting", "id": ticket.handoff_id, "reason": reason}
        return [_waiting_out(ticket, tools)]
    state["handoff"] = {"stage": "consent", "reason": reason}
    return [Out("utter_handoff_consent", buttons=[_button(tools.phrases("utter_button_consent_yes"), "consent_yes"),
                                                  _button(tools.phrases("utter_button_consent_no"), "consent_no")])]


def _waiting_out(ticket: Any, tools: Tools) -> Out:
    return Out("utter_handoff_waiting", {"position": str(ticket.position or 1), "minutes": str(ticket.wait_minutes or 1)},
               [_button(tools.phrases("utter_button_cancel_wait"), "cancel_handoff")])


def _connect(state: dict, tools: Tools, navigators: list[Out]) -> list[Out]:
    reason = (state.get("handoff") or {}).get("reason") or "asked"
    available = tools.handoff.availability(state, tools.language)
    if available.can_take_now:
        ticket = tools.handoff.request(state, sender_id=tools.sender_id, channel=tools.channel,
                                       language=tools.language, reason=reason,
                                       summary=summary(state, tools, reason), team=available.team)
        state["handoff"] = {"stage": "waiting", "id": ticket.handoff_id, "reason": reason}
        return [Out("utter_handoff_queued", {"team": available.team.name, "position": str(ticket.position or 1),
                                             "minutes": str(ticket.wait_minutes or 1)},
                    [_button(tools.phrases("utter_button_cancel_wait"), "cancel_handoff")])] + navigators
    state["handoff"] = {"stage": "unavailable", "reason": reason}
    buttons = [_button(tools.phrases("utter_button_callback"), "callback"),
               _button(tools.phrases("utter_button_keep_chatting"), "keep_chatting")]
    if available.next_opening is None:
        return [Out("utter_handoff_no_hours", {"team": available.team.name}, buttons)] + navigators
    when = tools.handoff.when(available.next_opening, available.team)
    response = "utter_handoff_nobody_online" if available.open_now else "utter_handoff_closed_now"
    return [Out(response, {"team": available.team.name, "when": when}, buttons)] + navigators


def _method_out(tools: Tools) -> Out:
    return Out("utter_callback_method", buttons=[_button(tools.phrases("utter_button_phone"), "phone"),
                                                 _button(tools.phrases("utter_button_sms"), "sms"),
                                                 _button(tools.phrases("utter_button_email"), "email")])


def _time_out(state: dict, tools: Tools) -> Out:
    available = tools.handoff.availability(state, tools.language)
    when = tools.handoff.when(available.next_opening, available.team) or tools.phrases("utter_button_asap")
    buttons = [_button(tools.phrases("utter_button_next_opening", when=when), "next_opening")]
    for window, (start, end) in CALLBACK_WINDOWS.items():  # only parts of the day when the team can call
        if available.team.open_between(start, end):
            buttons.append(_button(tools.phrases(f"utter_button_{window}"), window))
    return Out("utter_callback_time", buttons=buttons)


def handoff_turn(state: dict, u: Understanding, tools: Tools,
                 navigators: Any = None) -> list[Out] | None:
    """Handle the message when a handoff stage is pending; None lets the normal conversation go on."""
    if tools.handoff is None:
        return None
    if u.intent == "handoff_closed":  # the desk handed back: the survey follows (bot/survey/dialogue.py)
        state["handoff"] = None
        state["wants_person"] = False
        return None
    current = state.get("handoff") or {}
    stage = current.get("stage")
    if not stage:
        return None
    word = _word(u)
    if stage == "consent":
        if word in YES_WORDS or u.intent in ("affirm", "ask_person"):
            return _connect(state, tools, navigators() if navigators else [])
        if word in NO_WORDS or u.intent == "deny":
            state["handoff"] = None
            return [Out("utter_handoff_declined")]
        state["handoff"] = None
        return None
    if stage == "waiting":
        ticket = tools.handoff.status(tools.sender_id)
        if ticket is None:  # closed or cancelled at the desk
            state["handoff"] = None
            return None
        if word in CANCEL_WORDS or u.intent == "cancel_handoff":
            tools.handoff.cancel(tools.sender_id)
            state["handoff"] = None
            state["wants_person"] = False
            return [Out("utter_handoff_cancelled")]
        return [_waiting_out(ticket, tools)]  # the message itself is on the desk already (event broker)
    if stage == "unavailable":
        if word in ("callback", "call back", "call me back", "yes") or word in METHODS:
            current["stage"] = "callback_method"
            if word in METHODS and word not in ("callback",):
                current["method"] = METHODS[word]
                current["stage"] = "callback_time"
                return [_time_out(state, tools)]
            return [_method_out(tools)]
        if word in ("keep_chatting", "keep chatting", "no", "no thanks", "continue", "bot"):
            state["handoff"] = None
            return [Out("utter_handoff_keep_chatting")]
        state["handoff"] = None
        return None
    if word in CANCEL_WORDS or word in ("stop", "no thanks"):
        state["handoff"] = None
        return [Out("utter_callback_cancelled")]
    if stage == "callback_method":
        method = METHODS.get(word)
        if method is None:
            return [Out("utter_callback_not_understood"), _method_out(tools)]
        current.update(stage="callback_time", method=method)
        return [_time_out(state, tools)]
    if stage == "callback_time":
        preferred = TIMES.get(word) or next((v for k, v in TIMES.items() if k in word), None)
        if preferred is None:
            return [Out("utter_callback_not_understood"), _time_out(state, tools)]
        current.update(stage="callback_contact", preferred=preferred)
        return [Out("utter_callback_ask_email" if current["method"] == "email" else "utter_callback_ask_phone")]
    if stage == "callback_contact":
        raw = u.text if u.answer is None else u.answer
        method = current.get("method") or "phone"
        contact = normalise_email(raw) if method == "email" else normalise_phone(raw)
        if contact is None:
            return [Out("utter_callback_invalid_email" if method == "email" else "utter_callback_invalid_phone")]
        reason = current.get("reason") or "asked"
        row = tools.handoff.callback(state, sender_id=tools.sender_id, channel=tools.channel,
                                     language=tools.language, method=method, contact=contact,
                                     preferred=current.get("preferred") or "next_opening",
                                     summary=summary(state, tools, reason))
        state["handoff"] = None
        how = tools.phrases(f"utter_part_callback_{method}")
        return [Out("utter_callback_booked", {"how": how, "when": tools.handoff.due_text(row),
                                              "reference": f"CB-{row.id}"})]
    state["handoff"] = None
    return None
