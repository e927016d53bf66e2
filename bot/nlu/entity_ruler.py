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
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

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
