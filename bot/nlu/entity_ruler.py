"""Rasa NLU component: entities from Signpost's spaCy entity ruler (places, life events, ages, relations).

The spaCy pipeline is loaded from disk when the Rasa model loads — not stored in the model — so a changed
jurisdiction tree or life-event list is picked up by rebuilding the pipeline and restarting, never retraining.
Values are normalised here: a life event becomes its taxonomy id, an age an integer, a relation its kind.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.lexicon import load_lexicon, normalise

ENTITY_NAMES = {"PLACE": "place", "LIFE_EVENT": "life_event", "AGE": "age", "RELATION": "relation"}


def entities_from_doc(doc) -> list[dict[str, Any]]:
    """Rasa entity dicts from a spaCy doc of Signpost's ruler."""
    entities = []
    for ent in doc.ents:
        name = ENTITY_NAMES.get(ent.label_)
        if name is None:
            continue
        value: Any = ent.ent_id_ or ent.text
        if name == "age":
            digits = re.search(r"\d{1,3}", ent.text)
            if not digits:
                continue
            value = int(digits.group())
        entities.append({"entity": name, "value": value, "start": ent.start_char, "end": ent.end_char,
                         "confidence": 1.0})
    return entities


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SignpostEntityRuler(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"lang": "en", "pipeline_dir": None}

    def __init__(self, config: dict[str, Any]) -> None:
        import spacy

        from bot.nlu.spacy_pipeline import DEFAULT_DIR, ensure_pipeline

        self._config = config
        target = Path(config["pipeline_dir"]) if config.get("pipeline_dir") else DEFAULT_DIR
        self._nlp = spacy.load(ensure_pipeline(target, config.get("lang", "en")))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SignpostEntityRuler:
        return cls(config)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SignpostEntityRuler:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(entities_from_doc(self._nlp(text)))
            # entities from this ruler win over a learned extractor's guesses for the same kind
            kinds = {e["entity"] for e in found}
            kept = [e for e in message.get(ENTITIES, []) if e.get("entity") not in kinds]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SignpostIntentRules(GraphComponent):
    """Deterministic corrections after DIET, from what cannot be wrong: crisis words always mean ``crisis``;
    one-word commands ("help", "more", "person") mean what they say; a message naming a life event is never out
    of scope; a message that is only a place is ``inform_location``. Goes after FallbackClassifier."""

    SITUATION_INTENTS = {"tell_life_event", "inform_location"}
    KEEP_WITH_PLACE = {"tell_life_event", "inform_location", "ask_why", "ask_details", "ask_person", "crisis"}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SignpostIntentRules:
        return cls()

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SignpostIntentRules:
        return cls()

    SMALL_TALK = {"nlu_fallback", "dont_know", "greet", "affirm", "deny", "answer", "goodbye", "thank",
                  "show_results", "bot_challenge", "start_over", "more_results", "help"}

    @staticmethod
    def decide(text: str, intent: str | None, entities: list[dict], confidence: float = 1.0) -> str | None:
        """The corrected intent, or None to keep DIET's."""
        lexicon = load_lexicon()
        if lexicon.crisis_kind(text):
            return "crisis"
        command = lexicon.command(text)
        if command:
            return command
        kinds = {e.get("entity") for e in entities}
        unsure = intent in SignpostIntentRules.SMALL_TALK or (intent == "out_of_scope" and confidence < 0.9)
        if "life_event" in kinds and unsure:
            return "tell_life_event"
        # a "situation" naming no need (DIET, outnumbered by situation examples, calls "Manchester" one) is a place
        situation_without_need = intent == "tell_life_event" and "life_event" not in kinds
        if "place" in kinds and (intent not in SignpostIntentRules.KEEP_WITH_PLACE or situation_without_need):
            rest = text
            for e in sorted(entities, key=lambda e: -(e.get("start") or 0)):
                if e.get("start") is not None and e.get("end") is not None:
                    rest = rest[: e["start"]] + " " + rest[e["end"]:]
            words = [w for w in re.findall(r"[a-z]+", normalise(rest)) if w not in lexicon.place_filler]
            if len(words) <= 1:  # nothing but the place (and "I live in")
                return "inform_location"
        return None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            predicted = message.get(INTENT) or {}
            corrected = self.decide(text, predicted.get(INTENT_NAME_KEY), message.get(ENTITIES, []),
                                    float(predicted.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
            intent = predicted.get(INTENT_NAME_KEY)
            if corrected and corrected != intent:
                message.set(INTENT, {INTENT_NAME_KEY: corrected, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
        return messages
