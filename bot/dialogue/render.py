"""Turning services, questions and choices into domain responses (:class:`bot.replies.Out`) with buttons."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.dialogue.answers import AGE_KEY, DATE_CHOICES
from bot.dialogue.context import TurnContext
from bot.dialogue.phrases import Phrases
from bot.dialogue.ranking import Service, has_met_rule
from bot.replies import Out
from knowledge.text import fold
from knowledge.vocab import Vocabulary

SUGGESTED_EVENTS = ("death", "job_loss", "new_child", "disability", "retirement", "housing")
SMS_CHANNELS = frozenset({"twilio"})  # channels that number buttons ("Reply 1 for …") instead of showing them
Button = dict[str, str]

_TITLE_STOP_WORDS = frozenset({
    "the", "a", "an", "of", "for", "and", "why", "is", "not", "isn't", "isnt", "listed", "there", "tell", "me", "more",
    "about", "details", "detail", "on", "what", "whats", "what's", "no", "in", "my", "to", "show", "info",
    "information", "service", "benefit", "program", "can", "i", "get", "you", "it", "this", "that", "how", "do",
    "does", "apply", "why's", "where"})


def short(text: str, limit: int = 60) -> str:
    """The first clause of a catalogue text, cut at a word: SMS-sized."""
    text = re.split(r"\s\(|[.;]\s", str(text).strip())[0].strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def question_text(key: str, vocab: Vocabulary, language: str) -> str:
    return (vocab.question(key, language) or key).strip()


def service_vars(service: Service, number: int, phrases: Phrases, vocab: Vocabulary,
                 language: str) -> dict[str, str]:
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
    if service.get("status") == "likely" and has_met_rule(service):
        why = phrases("utter_part_why_fits", reason=reasons[0])
    elif service.get("status") == "likely":
        why = phrases("utter_part_why_situation")
    else:
        why = phrases("utter_part_why_maybe")
    unknown = [question_text(k, vocab, language).rstrip(":.?") for k in (service.get("unknown") or [])[:2]]
    docs = [short(d) for d in service.get("documents") or [] if d][:3]
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


def change_text(key: str, value: Any, ctx: TurnContext) -> str:
    """One updated fact as the citizen reads it: "your age: 30", "The person who died: your parent"."""
    if key == AGE_KEY:
        return ctx.phrases("utter_part_changed_age", value=str(value))
    crit = ctx.vocab.criterion(key)
    if crit is None:
        return str(value)
    shown = ", ".join(crit.option_label(v, ctx.language) for v in value) if isinstance(value, list) \
        else crit.option_label(value, ctx.language)
    return ctx.phrases("utter_part_changed_answer", question=question_text(key, ctx.vocab, ctx.language).rstrip(
        ":.? "), value=shown)


def answer_payload(value: Any) -> str:
    return "/answer" + json.dumps({"answer": str(value)})


def question_out(key: str, ctx: TurnContext) -> Out:
    """The question for criterion ``key`` with a button per option (and "I don't know")."""
    crit = ctx.vocab.criterion(key)
    asked = ctx.vocab.ask(key, ctx.language)  # the question as put to the citizen, when the source has a statement
    text = asked or question_text(key, ctx.vocab, ctx.language)
    buttons: list[Button] = []
    if crit is not None and crit.type == "boolean":
        buttons = [{"title": crit.option_label(True, ctx.language), "payload": answer_payload("yes")},
                   {"title": crit.option_label(False, ctx.language), "payload": answer_payload("no")}]
    elif crit is not None and crit.type in ("select", "multiselect"):
        buttons = [{"title": crit.option_label(o["value"], ctx.language), "payload": answer_payload(o["value"])}
                   for o in crit.options]
    elif crit is not None and crit.type == "date" and not crit.age_answer_key:
        buttons = [{"title": ctx.phrases(f"utter_button_{name}"), "payload": answer_payload(name)}
                   for name, _ in DATE_CHOICES]
    buttons.append({"title": ctx.phrases("utter_button_dont_know"), "payload": answer_payload("dont_know")})
    statement = not text.endswith("?")
    name = "utter_ask_age" if crit is not None and crit.age_answer_key else (
        "utter_ask_statement" if statement and crit is not None and crit.type == "boolean" else "utter_ask_criterion")
    return Out(name, {"question": text}, buttons)


def need_label(need: str, ctx: TurnContext) -> str:
    event = ctx.vocab.life_events.get(need)
    if event is None:
        return need.replace("_", " ")
    return event.label.get(ctx.language) or event.label.get("en") or need


def need_payload(need: str) -> str:
    return "/tell_life_event" + json.dumps({"life_event": need})


def life_event_buttons(ctx: TurnContext) -> list[Button]:
    return [{"title": need_label(eid, ctx), "payload": need_payload(eid)}
            for eid in SUGGESTED_EVENTS if eid in ctx.vocab.life_events]


def place_buttons(candidates: list[Any]) -> list[Button]:
    return [{"title": c.label(), "payload": "/inform_location" + json.dumps({"place": c.code})}
            for c in candidates[:5]]


def person_button(ctx: TurnContext) -> list[Button]:
    return [{"title": ctx.phrases("utter_button_person"), "payload": "/ask_person"}]


def navigator_outs(result: dict[str, Any]) -> list[Out]:
    outs = []
    for nav in (result.get("navigators") or [])[:2]:
        contact = " ".join(str(x) for x in (nav.get("phone"), nav.get("email"), nav.get("url")) if x)
        outs.append(Out("utter_navigator", {"name": nav.get("name") or "", "contact": contact}))
    return outs


def find_service(text: str, services: list[Service], shown: list[str]) -> Service | None:
    """A service the citizen points at: by its number in the list shown, or by words of its title."""
    by_id = {s["id"]: s for s in services}
    if m := re.search(r"\b(\d{1,2})\b", text or ""):
        n = int(m[1])
        if 1 <= n <= len(shown) and shown[n - 1] in by_id:
            return by_id[shown[n - 1]]
    words = {w for w in re.findall(r"[a-z0-9]+", fold(text or "")) if w not in _TITLE_STOP_WORDS and len(w) > 1}
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


def messages_text(outs: list[Out], phrases: Phrases) -> list[str]:
    """The texts of ``outs`` as the citizen reads them (for tests and ``signpost understand`` debugging)."""
    return [phrases(o.response, **o.vars) for o in outs]
