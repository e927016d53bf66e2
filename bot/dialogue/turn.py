"""The bot's turn: the message as understood + the state so far → the new state and the messages to send.

No Rasa here. The action (``actions/converse.py``) turns the tracker into an :class:`Understanding` and a
:class:`DialogueState` (from the ``dialogue`` slot), builds a :class:`TurnContext`, calls :func:`step`, and sends
the returned messages (domain response names + variables, so no citizen-facing wording lives in Python).
The handlers and their order are in :mod:`bot.dialogue.handlers`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.dialogue.context import TurnContext
from bot.dialogue.handlers import HANDLERS
from bot.dialogue.state import DialogueState, Offer, TurnProgress
from bot.dialogue.understanding import Understanding
from bot.replies import Out
from knowledge.lexicon import Lexicon


def read_message(u: Understanding, lexicon: Lexicon) -> Understanding:
    """One-word commands typed ("more", "person") are never left to the classifier; a message judged out of scope
    names no situation of ours, whatever it contains ("when does my visa expire")."""
    intent = (lexicon.command(u.text) or u.intent) if u.typed else u.intent
    if intent == "out_of_scope":
        return replace(u, intent=intent, life_events=(), places=(), ages=(), relations=())
    return replace(u, intent=intent)


PERSON_OFFERS = frozenset({"utter_offer_person", "utter_offer_person_misunderstood"})


def offer_made(said: list[Out]) -> Offer | None:
    """What this turn offered, so that a plain "yes" next turn accepts it."""
    names = {o.response for o in said}
    if names & PERSON_OFFERS:
        return "person"
    if "utter_results_footer_more" in names:
        return "more"
    return None


def step(state: DialogueState | None, u: Understanding, ctx: TurnContext) -> tuple[DialogueState, list[Out]]:
    """The bot's turn. Returns the new state and the messages to send, in order. The state passed in is not
    changed (it goes through the slot's JSON form, as it does between two turns in production)."""
    state = DialogueState.from_slot(state.to_slot()) if state is not None else DialogueState()
    state.turn = TurnProgress(asked=state.pending, offer=state.offer)
    u = read_message(u, ctx.lexicon)
    for handler in HANDLERS:
        reply = handler(state, u, ctx)
        if reply is not None:
            said = state.turn.said + reply
            state.offer = offer_made(said)
            return state, said
    raise AssertionError("the last handler always answers")  # pragma: no cover - next_step returns a list
