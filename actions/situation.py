"""Collecting the citizen's situation (life events and place) through ``situation_form``."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.catalogue_client import get_client


def _latest_place_text(tracker: Tracker) -> str | None:
    """The place the citizen named in their latest message, or the whole message when we had just asked."""
    for entity in (tracker.latest_message or {}).get("entities", []):
        if entity.get("entity") == "place" and entity.get("value"):
            return str(entity["value"])
    if tracker.get_slot("requested_slot") == "location":
        return (tracker.latest_message or {}).get("text") or None
    return None


class ValidateSituationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_situation_form"

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _latest_place_text(tracker)
        if not text:
            return {}
        place = await get_client().resolve_place(text)
        if place.code:
            return {"location": place.code, "location_name": place.name}
        if place.candidates:
            buttons = [
                {"title": c.label(), "payload": "/inform_location" + json.dumps({"place": c.label()})}
                for c in place.candidates
            ]
            dispatcher.utter_message(response="utter_place_ambiguous", place=text, buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_place_unknown", place=text)
        return {"location": None}

    async def validate_life_events(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        from knowledge.vocab import load_vocabulary

        values = value if isinstance(value, list) else [value]
        known = set(load_vocabulary().life_events)
        kept = list(dict.fromkeys(v for v in values if v in known))
        if not kept:
            dispatcher.utter_message(response="utter_life_event_unknown")
            return {"life_events": None}
        return {"life_events": kept}
