"""Presenting the services that fit: asks the match engine, then renders with the domain's responses."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue_client import get_client

logger = logging.getLogger(__name__)

MAX_SHOWN = 5


class ActionShowServices(Action):
    def name(self) -> str:
        return "action_show_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        client = get_client()
        await client.record_conversation(tracker.sender_id, tracker.get_latest_input_channel())
        profile = {
            "life_events": tracker.get_slot("life_events") or [],
            "location": tracker.get_slot("location"),
            "answers": {},
        }
        try:
            result = await client.match(profile)
        except Exception:
            logger.exception("match failed for profile %s", {k: profile[k] for k in ("life_events", "location")})
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        location_name = tracker.get_slot("location_name") or tracker.get_slot("location") or "your area"
        shown = [s for s in result.get("services", []) if s.get("status") != "unlikely"][:MAX_SHOWN]
        if not shown:
            dispatcher.utter_message(response="utter_no_services", location_name=location_name)
            return [SlotSet("shown_services", [])]
        dispatcher.utter_message(response="utter_services_intro", location_name=location_name)
        for service in shown:
            dispatcher.utter_message(
                response="utter_service_item",
                title=service["title"],
                url=service["url"],
                level=service.get("level", ""),
                why=(service.get("reasons") or [""])[0],
            )
        return [SlotSet("shown_services", [s["id"] for s in shown])]
