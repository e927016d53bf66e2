"""The one dialogue action: tracker → :func:`bot.dialogue.turn.step` → domain responses. Thin by design."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue_client import CatalogueClient, get_client
from bot.dialogue.context import HandoffPort, MatchFunction, PlaceFunction, TurnContext
from bot.dialogue.phrases import Phrases
from bot.dialogue.state import DialogueState
from bot.dialogue.turn import step
from bot.dialogue.understanding import understanding_from_message
from bot.handoff.teams import TeamsFileError
from bot.survey.dialogue import StorePort
from knowledge.vocab import load_vocabulary

logger = logging.getLogger(__name__)


def _handoff(client: CatalogueClient) -> HandoffPort | None:
    try:
        return client.handoff  # the desk's queue and callbacks (bot/handoff/service.py)
    except TeamsFileError as exc:  # a broken teams file: the citizen still gets navigators and numbers
        logger.error("handoff unavailable: %s", exc)
        return None


class ActionSignpost(Action):
    def name(self) -> str:
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        client = get_client()
        channel = tracker.get_latest_input_channel() or "rest"
        await client.record_conversation(tracker.sender_id, channel)
        language = tracker.get_slot("language") or "en"
        ctx = TurnContext(catalogue=MatchFunction(client.match_sync), places=PlaceFunction(client.resolve_place_sync),
                          vocab=load_vocabulary(), phrases=Phrases(domain.get("responses") or {}, language),
                          language=language, channel=channel, sender_id=tracker.sender_id,
                          survey=StorePort(lambda: client.engine), handoff=_handoff(client))
        understanding = understanding_from_message(tracker.latest_message)
        before = DialogueState.from_slot(tracker.get_slot("dialogue"))
        state, outs = await asyncio.to_thread(step, before, understanding, ctx)
        await client.record_contact(tracker.sender_id, state, understanding, channel, language)
        for out in outs:
            if out.buttons:
                dispatcher.utter_message(response=out.response, buttons=out.buttons, **out.vars)
            else:
                dispatcher.utter_message(response=out.response, **out.vars)
        return [
            SlotSet("dialogue", state.to_slot()),
            SlotSet("life_events", state.life_events or None),
            SlotSet("location", state.location),
            SlotSet("location_name", state.location_name),
            SlotSet("shown_services", state.shown or None),
            SlotSet("wants_person", state.wants_person),
        ]
