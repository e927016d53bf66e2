"""The one dialogue action: tracker → :func:`bot.conversation.step` → domain responses. Thin by design."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue_client import get_client

logger = logging.getLogger(__name__)


class ActionSignpost(Action):
    def name(self) -> str:
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        from bot.conversation import Phrases, Tools, step, understanding_from_message
        from bot.handoff.teams import TeamsFileError
        from bot.survey.dialogue import StorePort
        from knowledge.vocab import load_vocabulary

        client = get_client()
        await client.record_conversation(tracker.sender_id, tracker.get_latest_input_channel())
        language = tracker.get_slot("language") or "en"
        tools = Tools(match=client.match_sync, resolve_place=client.resolve_place_sync, vocab=load_vocabulary(),
                      phrases=Phrases(domain.get("responses") or {}, language), language=language)
        try:
            tools.handoff = client.handoff  # the desk's queue and callbacks (bot/handoff/service.py)
        except TeamsFileError as exc:  # a broken teams file: the citizen still gets navigators and numbers
            logger.error("handoff unavailable: %s", exc)
        tools.sender_id = tracker.sender_id
        tools.channel = tracker.get_latest_input_channel() or "rest"
        tools.survey = StorePort(lambda: client.engine)  # the exit survey's store (bot/survey/dialogue.py)
        understanding = understanding_from_message(tracker.latest_message)
        state, outs = await asyncio.to_thread(step, tracker.get_slot("dialogue"), understanding, tools)
        await client.record_contact(tracker.sender_id, state, understanding, tools.channel, language)
        for out in outs:
            if out.buttons:
                dispatcher.utter_message(response=out.response, buttons=out.buttons, **out.vars)
            else:
                dispatcher.utter_message(response=out.response, **out.vars)
        return [
            SlotSet("dialogue", state),
            SlotSet("life_events", state["life_events"] or None),
            SlotSet("location", state["location"]),
            SlotSet("location_name", state["location_name"]),
            SlotSet("shown_services", state["shown"] or None),
            SlotSet("wants_person", bool(state.get("wants_person"))),
        ]
