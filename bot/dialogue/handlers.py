"""The turn handlers, in the order :func:`bot.dialogue.turn.step` tries them. Each one reads the message, may update
the state, and either answers (a list of messages: the turn ends) or returns None (the next handler goes on).

Policy in brief:
- crisis words win over everything: the crisis line of the citizen's country first, then a person is offered;
- a person can be asked for at any time; two misunderstandings in a row → a person is offered;
- life events, the place and any criteria the citizen states are taken from every message, never asked again;
- the place is always obtained (ambiguous → which one, with buttons);
- at most :data:`bot.dialogue.ranking.MAX_QUESTIONS` questions, only those that decide a service the citizen would
  see first; "show me" skips straight to results;
- results: the best of each level first (federal, provincial/state, municipal), then "more" pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.dialogue.answers import AGE_KEY, RELATIONSHIP_KEY, answers_from_statement, parse_answer
from bot.dialogue.context import MatchResult, Profile, TurnContext
from bot.dialogue.facts import implied_by_needs, stated_facts
from bot.dialogue.ranking import choose_question, rank_for_citizen
from bot.dialogue.render import (
    SMS_CHANNELS,
    change_text,
    find_service,
    life_event_buttons,
    navigator_outs,
    need_label,
    need_payload,
    person_button,
    place_buttons,
    question_out,
    service_vars,
    short,
)
from bot.dialogue.state import DialogueState, Pending
from bot.dialogue.understanding import OUT_OF_SCOPE, Understanding
from bot.handoff import dialogue as handoff_dialogue
from bot.replies import Out
from bot.survey import dialogue as survey_dialogue
from bot.survey.models import OUT_OF_SCOPE as OUT_OF_SCOPE_DEMAND
from knowledge.lexicon import normalise
from knowledge.places import PlaceResult
from knowledge.text import fold

logger = logging.getLogger(__name__)

PAGE_SIZE = 3
COUNTRIES = ("CA", "US", "GB")
RESULT_INTENTS = ("more_results", "ask_why", "ask_details", "show_results")
NOT_A_PLACE = OUT_OF_SCOPE | {"greet", "affirm", "deny", "thank", "more_results", "ask_why", "ask_details",
                              "show_results", "tell_life_event"}
"""Intents that say a reply to "where do you live?" is not the place itself."""

Reply = list[Out]
Handler = Callable[[DialogueState, Understanding, TurnContext], Reply | None]


def country_of(code: str | None) -> str | None:
    if not code:
        return None
    country = code.split("-")[0]
    return country if country in COUNTRIES else None


def profile_of(state: DialogueState, ctx: TurnContext) -> Profile:
    """The match engine's profile (DESIGN.md contract) for what the citizen has told so far."""
    return {"life_events": list(state.life_events), "location": state.location,
            "answers": {k: v for k, v in state.answers.items() if v is not None},
            "as_of": ctx.today.isoformat(), "language": ctx.language}


# --- 1. crisis -----------------------------------------------------------------------------------------------
def crisis(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    """Crisis words first, whatever else was said: the crisis line of the citizen's country, then a person."""
    kind = ctx.lexicon.crisis_kind(u.text) if u.typed else None
    if not kind and u.intent != "crisis":
        return None
    country = country_of(state.location)
    if country is None:
        for place in u.places:
            country = country_of(ctx.places.resolve(place).code) or country
    state.fallbacks.understood()
    state.wants_person = True
    state.person_reason = "crisis"
    state.survey = survey_dialogue.leave(state.survey, for_good=True)  # no survey after a crisis
    return [Out(f"utter_crisis_{(country or 'all').lower()}"),
            Out("utter_offer_person", buttons=person_button(ctx))]


# --- 2. the handoff's own questions (consent, callback, waiting) — bot/handoff/dialogue.py --------------------
def handoff(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    try:
        return handoff_dialogue.handoff_turn(state, u, ctx, navigators=lambda: navigators_for(state, ctx))
    except Exception:  # noqa: BLE001 - the desk's database down must not end the conversation
        logger.exception("handoff step failed")
        state.handoff = None
        return [Out("utter_handoff_error")] + navigators_for(state, ctx)


# --- 3. the exit survey, once offered — bot/survey/dialogue.py ------------------------------------------------
def survey(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    if state.survey is not None:
        new_events = [e for e in u.life_events if e in ctx.vocab.life_events and e not in state.life_events]
        reply = survey_dialogue.Reply(text=u.text, answer=u.answer, intent=u.intent, confidence=u.confidence,
                                      new_need=bool(new_events or u.places), busy=state.pending is not None)
        state.survey, said = survey_dialogue.turn(state.survey, reply, ctx.survey, ctx.phrases, ctx.sender_id,
                                                  ctx.lexicon)
        return said
    if u.answer and u.answer.startswith(survey_dialogue.PAYLOAD_PREFIX):  # a survey button this state never saw
        return [Out("utter_survey_closed")]
    return None


def survey_end_point(state: DialogueState, ctx: TurnContext, end_point: str, offer: bool = True,
                     handed_off: bool = False) -> Reply:
    """Log the end point reached and offer the exit survey once per conversation (bot/survey/dialogue.py)."""
    if ctx.survey is None:
        return []
    visit = survey_dialogue.Visit(
        conversation_id=ctx.sender_id, channel=ctx.channel, language=ctx.language, jurisdiction=state.location,
        topic=state.life_events[0] if state.life_events else None, service_ids=list(state.shown),
        handed_off=handed_off)
    state.survey, said = survey_dialogue.reach_end_point(
        state.survey, ctx.survey, visit, end_point, ctx.phrases, offer=offer,
        unmet_query=state.need_text if end_point == "nothing_found" else None)
    return said


# --- 4. a reply to what the bot just offered ------------------------------------------------------------------
def offer_reply(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    """ "yes" / "ok" / "please" right after "Would you like to talk to a person?" or "N more…" accepts it;
    "ok" / "thanks" after the results closes politely."""
    offer = state.turn.offer
    if offer is None or not u.typed:
        return None
    text = normalise(u.text)
    words = ctx.lexicon
    says_yes = (text in words.affirm or u.intent == "affirm") and text not in words.deny
    if offer == "person" and (says_yes or text in words.acknowledge):
        return ask_person(state, ctx)
    if offer == "more":
        if text in words.acknowledge or u.intent == "thank":
            return [Out("utter_thank")]
        if says_yes:
            return _about_results(state, replace(u, intent="more_results"), ctx)
    return None


# --- 5. requests that work at any time -----------------------------------------------------------------------
def requests(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    intent = u.intent
    if intent == "ask_person":
        return ask_person(state, ctx)
    if intent == "start_over":
        state.start_over()
        state.picker_shown = True
        return [Out("utter_restart", buttons=life_event_buttons(ctx))]
    if intent == "help":
        state.fallbacks.understood()
        return [Out("utter_help")]
    if intent == "bot_challenge":
        return [Out("utter_iamabot")]
    if intent == "goodbye":
        offer = normalise(u.text) not in ctx.lexicon.survey_stop  # "stop" is not asked a survey
        said = survey_end_point(state, ctx, "goodbye", offer=offer)
        return said or [Out("utter_goodbye")]  # with a survey, goodbye comes after it
    if intent == "handoff_closed":  # the desk handed the conversation back (POST .../trigger_intent)
        return [Out("utter_handoff_closed")] + survey_end_point(state, ctx, "handoff_closed", handed_off=True)
    if intent == "thank" and not u.life_events and not u.places:
        return [Out("utter_thank")]
    return None


def ask_person(state: DialogueState, ctx: TurnContext) -> Reply:
    state.wants_person = True
    if ctx.handoff is None:  # no desk: say so, and point to local navigators or the services' own contacts
        return [Out("utter_person_requested")] + (navigators_for(state, ctx) or [Out("utter_person_meanwhile")])
    reason = state.person_reason or "asked"
    state.person_reason = None
    try:
        return handoff_dialogue.ask_consent(state, ctx, reason)
    except Exception:  # noqa: BLE001
        logger.exception("handoff request failed")
        state.handoff = None
        return [Out("utter_handoff_error")] + navigators_for(state, ctx)


# --- 6. the answer to the question pending, typed or by button ------------------------------------------------
def pending_answer(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    pending = state.pending
    if pending is None or pending.kind != "criterion" or pending.key is None:
        return None
    if u.intent in ("tell_life_event", "inform_location", *RESULT_INTENTS):
        return None
    parsed = parse_answer(pending.key, u, ctx.vocab, ctx.today, ctx.lexicon)
    if parsed is None:
        if not u.typed:  # a button of another question: not asked again
            state.pending = None
        return None
    what, value = parsed
    if what == "answer":
        state.answers[pending.key] = value
    elif what == "age":
        crit = ctx.vocab.criterion(pending.key)
        state.answers[(crit.age_answer_key if crit else None) or AGE_KEY] = value
    state.pending = None
    state.turn.understood = True
    return None


# --- 7. life events, place and stated criteria from any message ----------------------------------------------
def situation(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    new_events = [e for e in u.life_events if e in ctx.vocab.life_events and e not in state.life_events]
    if new_events:
        had_results = state.results_seen
        state.life_events = state.life_events + new_events
        state.turn.understood = True
        if not state.need_text and u.typed:
            state.need_text = u.text[:300]  # for unmet demand if nothing fits (redacted by the survey store)
        if had_results:
            labels = [ctx.vocab.life_events[e].label.get(ctx.language) or e for e in new_events]
            state.turn.said.append(Out("utter_added_life_event", {"event": ", ".join(labels)}))
            state.page = 0
    take_facts(state, u, ctx)
    return place(state, u, ctx)


def take_facts(state: DialogueState, u: Understanding, ctx: TurnContext) -> None:
    """Facts stated in the message are kept (never asked); a fact stated again with another value replaces the
    old one ("I'm 30 not 60"), and the citizen is told what changed."""
    facts = stated_facts(u.text, state.life_events, ctx.today) if u.typed else {}
    if RELATIONSHIP_KEY in (ruler := answers_from_statement(u, state.life_events)):
        facts.setdefault(RELATIONSHIP_KEY, ruler[RELATIONSHIP_KEY])  # "my mom" with no death words near it
    changed = []
    for key, value in facts.items():
        before = state.answers.get(key)
        if before == value:
            continue
        if before is not None:
            changed.append(key)
        state.answers[key] = value
        state.turn.understood = True
    for key, value in implied_by_needs(state.life_events).items():
        state.answers.setdefault(key, value)
    if changed:
        state.page = 0
        state.turn.said.append(Out("utter_updated", {"changes": "; ".join(
            change_text(key, state.answers[key], ctx) for key in changed)}))


_PLACE_AFTER = re.compile(r"\b(?:in|from|near|live in|living in|based in|moved to|stay in|staying in)\s+"
                         r"([A-Za-z][A-Za-z.'-]+(?:[ ,]+[A-Za-z][A-Za-z.'-]+){0,2})")


def place(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    asked = state.turn.asked
    asked_where = asked is not None and asked.kind in ("location", "place_choice")
    place_text = u.places[0] if u.places else None
    found = ctx.places.resolve(place_text) if place_text else None
    if place_text is None and asked_where and not state.turn.understood:
        # we had just asked where: the whole reply may be the place, whatever the classifier thought of it
        whole = ctx.places.resolve(u.text)
        if whole.code or whole.candidates or u.intent not in NOT_A_PLACE:
            place_text, found = u.text, whole
    if place_text is None and u.typed and not state.location and u.intent not in OUT_OF_SCOPE:
        place_text, found = _place_in_words(u.text, ctx)  # "we are in fresno": a town the NLU does not spot
    if not place_text or found is None:
        return None
    if found.code:
        changed = state.location is not None and state.location != found.code
        state.location, state.location_name = found.code, found.name
        state.pending = None
        state.turn.understood = True
        if changed:
            state.page = 0
            state.turn.said.append(Out("utter_location_changed", {"location_name": found.name}))
        return None
    if found.candidates:
        state.pending = Pending("place_choice")
        state.fallbacks.understood()
        return [Out("utter_place_ambiguous", {"place": place_text}, place_buttons(found.candidates))]
    if u.places or asked_where:
        state.pending = Pending("location")
        state.fallbacks.understood()
        return [Out("utter_place_unknown", {"place": place_text})]
    return None


def _place_in_words(text: str, ctx: TurnContext) -> tuple[str | None, PlaceResult | None]:
    """A place named after "in", "from", "live in"… that resolves to exactly one place, else nothing."""
    for m in _PLACE_AFTER.finditer(text[:600]):
        words = m[1].split()
        for n in range(len(words), 0, -1):  # "fresno they cut my hours" → "fresno"
            candidate = " ".join(words[:n]).strip(" ,.")
            if normalise(candidate) in ctx.lexicon.not_places:
                continue
            found = ctx.places.resolve(candidate)
            if found.code and found.name and fold(candidate).startswith(fold(found.name)):
                return candidate, found  # the words right after "in" are the place, not a town hidden further on
    return None, None


# --- 8. questions about results ------------------------------------------------------------------------------
def about_results(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    if u.intent in RESULT_INTENTS and state.situation_known():
        state.fallbacks.understood()
        if u.intent != "show_results":
            return _about_results(state, u, ctx)
        state.hurry = True  # "just show me": no more questions, results now (handler 9)
        state.pending = None
        return None
    if u.intent in RESULT_INTENTS[:3] and not state.turn.understood:
        state.fallbacks.understood()
        return ask_missing(state, ctx)
    return None


def _about_results(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply:
    result = _match(state, ctx)
    if result is None:
        return [Out("utter_service_unavailable")]
    if u.intent == "more_results":
        if not state.results_seen:
            state.page = 0
            state.pending = None
            return show_page(state, result, ctx, first=True)
        state.page += 1
        return show_page(state, result, ctx, first=False)
    services = result.get("services") or []
    target = find_service(u.text, services, state.shown)
    if target is None:
        return [Out("utter_service_not_found", {"location_name": state.location_name or ""})]
    values = service_vars(target, 0, ctx.phrases, ctx.vocab, ctx.language)
    if u.intent == "ask_details":
        return [Out("utter_service_details", values)]
    if target.get("status") == "unlikely":
        return [Out("utter_why_not_listed", values)]
    if target["id"] not in state.shown:
        return [Out("utter_why_listed_later", values)]
    return [Out("utter_why_listed", values)]


# --- 9. not understood ---------------------------------------------------------------------------------------
def not_understood(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply | None:
    if state.turn.understood or u.intent == "show_results":
        state.fallbacks.understood()
        if state.person_reason == "misunderstood":  # understood again: a later request is a plain one
            state.person_reason = None
        return None
    asked = state.turn.asked
    text = normalise(u.text)
    if u.intent == "greet":
        state.fallbacks.understood()
        if state.life_events or state.location:
            return [Out("utter_greet_again")] + reask(state, ctx)
        return [Out("utter_greet")]
    if state.results_seen and asked is None and (u.intent in ("affirm", "thank") or text in ctx.lexicon.acknowledge):
        return [Out("utter_thank")]  # "ok" / "thanks" after the results: a polite close
    if u.intent in ("affirm", "deny", "thank") and asked is None:
        return [Out("utter_ok_what_next")]
    if (u.intent == "dont_know" or text in ctx.lexicon.dont_know) and (asked is None or asked.kind == "life_event"):
        state.fallbacks.understood()  # "not sure" where we asked what happened: examples, not an apology
        return [Out("utter_dont_know_examples", buttons=life_event_buttons(ctx))]
    state.fallbacks.missed()
    guesses = need_guesses(state, u, ctx)
    if guesses:  # never refuse what may be an in-scope need: ask which one, with buttons
        state.need_text = state.need_text or u.text[:300]
        return [Out("utter_need_guess", {"need": need_label(guesses[0], ctx)},
                    [{"title": need_label(g, ctx), "payload": need_payload(g)} for g in guesses]
                    + [{"title": ctx.phrases("utter_button_something_else"), "payload": "/dont_know"}])]
    again = state.fallbacks.run >= 2  # never the same apology twice in a row
    if u.intent == "tell_life_event":
        said = [Out("utter_default_again")] if state.picker_shown else [
            Out("utter_life_event_unknown", buttons=life_event_buttons(ctx))]
        state.picker_shown = True
    elif u.intent in OUT_OF_SCOPE:
        record_refusal(state, u, ctx)
        said = [Out("utter_out_of_scope_again" if again else "utter_out_of_scope")]
    else:
        said = [Out("utter_default_again" if again else "utter_default")]
    if state.fallbacks.offer_person:
        said.append(Out("utter_offer_person_misunderstood", buttons=person_button(ctx)))
        state.person_reason = "misunderstood"
    elif state.pending is not None:
        said += reask(state, ctx)
    return said


GUESS_FLOOR = 0.3
"""The classifier's confidence from which a need is worth offering as "Is this about …?" (below its own
threshold for taking the need as said)."""
MAX_GUESSES = 3
SURE_OUT_OF_SCOPE = 0.8
"""When the classifier is this sure a message is out of scope, one shared word ("a lawyer TV show") is no guess."""


def need_guesses(state: DialogueState, u: Understanding, ctx: TurnContext) -> list[str]:
    """Needs the message may be about, best first: the classifier's candidates, then the taxonomy search (which
    forgives spelling). Needs already known are left out."""
    if not u.typed or not u.text:
        return []
    found = [g.need for g in u.guesses if g.confidence >= GUESS_FLOOR]
    sure_out = u.intent == "out_of_scope" and u.confidence >= SURE_OUT_OF_SCOPE
    found += [hit.need for hit in ctx.needs.search(u.text) if hit.score >= 1.0 or not sure_out]
    known = set(state.life_events)
    unique = [n for i, n in enumerate(found) if n not in found[:i] and n not in known and n in ctx.vocab.life_events]
    return unique[:MAX_GUESSES]


def record_refusal(state: DialogueState, u: Understanding, ctx: TurnContext) -> None:
    """A message judged out of scope is unmet demand too (redacted by the store, with the best guess of its need):
    the dashboard shows what citizens asked for that Signpost could not place."""
    if ctx.survey is None or not ctx.sender_id or not u.text:
        return
    guess = u.guesses[0].need if u.guesses else None
    try:
        ctx.survey.record_unmet_demand(ctx.sender_id, query=u.text, topic=guess, jurisdiction=state.location,
                                       channel=ctx.channel, language=ctx.language, reason=OUT_OF_SCOPE_DEMAND)
    except Exception:  # noqa: BLE001 - bookkeeping never fails the citizen's turn
        logger.exception("could not record the out-of-scope message")


# --- 10. what next: missing situation → ask; a question still worth asking → ask it; else results -------------
def next_step(state: DialogueState, u: Understanding, ctx: TurnContext) -> Reply:
    if not state.situation_known():
        return ask_missing(state, ctx)
    result = _match(state, ctx)
    if result is None:
        return [Out("utter_service_unavailable")]
    key = choose_question(result, state, ctx.vocab)
    if key:
        said = []
        if not state.intro_done:
            state.intro_done = True
            said.append(Out("utter_few_questions"))
        state.asked.append(key)
        state.pending = Pending("criterion", key)
        return said + [question_out(key, ctx)]
    state.pending = None
    state.page = 0
    return show_page(state, result, ctx, first=True)


def ask_missing(state: DialogueState, ctx: TurnContext) -> Reply:
    if not state.life_events:
        state.pending = Pending("life_event")
        if state.picker_shown:  # the need buttons once; after that, in their own words
            return [Out("utter_ask_life_events_again")]
        state.picker_shown = True
        return [Out("utter_ask_life_events", buttons=life_event_buttons(ctx))]
    state.pending = Pending("location")
    return [Out("utter_ask_location")]


def reask(state: DialogueState, ctx: TurnContext) -> Reply:
    pending = state.pending
    if pending is None:
        return []
    if pending.kind == "criterion" and pending.key:
        return [question_out(pending.key, ctx)]
    if pending.kind in ("location", "place_choice"):
        return [Out("utter_ask_location")]
    return [Out("utter_ask_life_events_again")]


def show_page(state: DialogueState, result: MatchResult, ctx: TurnContext, first: bool) -> Reply:
    ranked = rank_for_citizen(result.get("services") or [], ctx.vocab, state.life_events)
    chunk = ranked[state.page * PAGE_SIZE:(state.page + 1) * PAGE_SIZE]
    name = state.location_name or state.location or ""
    if not ranked:
        state.results_seen = True
        said = [Out("utter_no_services", {"location_name": name})] + navigator_outs(result)
        return said + survey_end_point(state, ctx, "nothing_found")
    if not chunk:
        return [Out("utter_no_more")]
    if first:
        state.shown = []
    said = [Out("utter_services_intro" if state.page == 0 else "utter_services_more_intro", {"location_name": name})]
    for i, service in enumerate(chunk, start=len(state.shown) + 1):
        said.append(Out("utter_service_item", service_vars(service, i, ctx.phrases, ctx.vocab, ctx.language)))
    state.shown = state.shown + [s["id"] for s in chunk]
    if state.page == 0 and result.get("checklist"):
        items = "\n".join(f"- {short(c['action'], 90)}" for c in result["checklist"][:4])
        said.append(Out("utter_checklist", {"items": items}))
    remaining = len(ranked) - (state.page + 1) * PAGE_SIZE
    footer = Out("utter_results_footer")
    if remaining > 0:
        footer = Out("utter_results_footer_more", {"remaining": str(remaining)},
                     [{"title": ctx.phrases("utter_button_more"), "payload": "/more_results"}])
    said.append(footer)
    state.results_seen = True
    survey_said = survey_end_point(state, ctx, "results")
    if survey_said and ctx.channel in SMS_CHANNELS:  # one "Reply 1 for …" list at a time: "more" is typed
        footer.buttons = None
    return said + survey_said


def _match(state: DialogueState, ctx: TurnContext) -> MatchResult | None:
    try:
        return ctx.catalogue.match(profile_of(state, ctx))
    except Exception:  # noqa: BLE001 - the engine failing must not end the conversation
        logger.exception("match failed")
        return None


def navigators_for(state: DialogueState, ctx: TurnContext) -> Reply:
    """Local navigators (e.g. MyFriendBen's, by county and language) for the citizen's place and situation."""
    if not state.situation_known():
        return []
    result: dict[str, Any] | None = _match(state, ctx)  # an alternative, never a reason to fail the turn
    return navigator_outs({"navigators": (result or {}).get("navigators") or []})


HANDLERS: tuple[Handler, ...] = (crisis, handoff, survey, offer_reply, requests, pending_answer, situation,
                                 about_results, not_understood, next_step)
"""The order a turn is handled in: the first handler that answers ends the turn."""
