"""SignpostNeeds without Rasa: the decision rules, training examples from Rasa messages, the model, the encoder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.needs import Settings, decide, example_from_message, found_needs, skips_model
from bot.nlu.needs_model import (
    NEED,
    OTHER,
    OUT_OF_SCOPE,
    Example,
    NeedsModel,
    Prediction,
    TrainingSettings,
    paired_examples,
    windows,
)

FIXTURES = Path(__file__).parent / "fixtures"
S = Settings(need_threshold=0.4, other_threshold=0.7, scope_threshold=0.4, override_threshold=0.8,
             veto_threshold=0.9, ruler_threshold=0.2)


def pred(in_scope: float, **needs: float) -> Prediction:
    return Prediction(sorted(needs.items(), key=lambda kv: -kv[1]), in_scope)


# --- decide -------------------------------------------------------------------------------------------------
def test_a_clear_need_overrides_out_of_scope_and_fallback():
    for intent in ("out_of_scope", "nlu_fallback"):
        d = decide(intent, pred(0.95, utilities=0.92, housing=0.1), set(), S)
        assert (d.intent, d.confidence, d.add) == ("tell_life_event", 0.92, [("utilities", 0.92)])


def test_needs_the_ruler_found_are_not_added_twice():
    d = decide("tell_life_event", pred(0.99, death=0.99, retirement=0.75), {"death"}, S)
    assert d.intent is None and d.add == [("retirement", 0.75)]


def test_second_needs_need_the_higher_threshold():
    assert found_needs(pred(0.9, job_loss=0.9, housing=0.71, food=0.69), S) == [("job_loss", 0.9), ("housing", 0.71)]
    assert found_needs(pred(0.9, job_loss=0.39), S) == []


def test_small_talk_becomes_a_situation_only_when_the_need_is_clear():
    assert decide("greet", pred(0.99, utilities=0.85), set(), S).intent == "tell_life_event"
    unsure = decide("greet", pred(0.99, utilities=0.6), set(), S)
    assert unsure.intent is None and unsure.add == []  # a greeting carries no need entity


@pytest.mark.parametrize("intent", ["answer", "crisis", "ask_why", "more_results", "start_over"])
def test_answers_commands_and_crisis_are_left_alone(intent):
    d = decide(intent, pred(0.99, death=0.95), set(), S)
    assert d.intent is None and d.add == []


def test_entities_are_added_where_a_situation_is_told():
    assert decide("inform_location", pred(0.9, food=0.8), set(), S).add == [("food", 0.8)]
    assert decide("ask_person", pred(0.9, legal=0.8), set(), S).add == [("legal", 0.8)]


def test_out_of_scope_wins_over_a_situation_without_a_keyword():
    d = decide("tell_life_event", pred(0.05, food=0.3), set(), S)
    assert d.intent == "out_of_scope" and d.confidence == pytest.approx(0.95) and d.add == []


def test_a_ruler_keyword_keeps_the_situation_unless_out_of_scope_is_near_certain():
    assert decide("tell_life_event", pred(0.2, food=0.3), {"food"}, S).intent is None
    assert decide("tell_life_event", pred(0.05, food=0.3), {"food"}, S).intent == "out_of_scope"


def test_a_ruler_keyword_the_model_rejects_is_dropped():
    # "free school meals": the ruler says education (keyword "school"), the model says food only
    d = decide("tell_life_event", pred(0.99, food=0.97, education=0.05), {"education"}, S)
    assert d.drop == frozenset({"education"}) and d.add == [("food", 0.97)]
    kept = decide("tell_life_event", pred(0.99, education=0.5), {"education"}, S)
    assert kept.drop == frozenset() and kept.add == []
    # a need the model was never trained on is the ruler's alone
    assert decide("tell_life_event", pred(0.99, food=0.9), {"funeral"}, S).drop == frozenset()


def test_one_word_dialogue_turns_skip_the_model():
    assert skips_model("yes", "affirm", 0.99, [], S)
    assert skips_model("Halifax", "inform_location", 0.95, [{"entity": "place", "value": "Halifax"}], S)
    assert not skips_model("yes", "affirm", 0.5, [], S)  # DIET unsure
    assert not skips_model("evicted", "deny", 0.99, [{"entity": "life_event", "value": "housing"}], S)
    assert not skips_model("no heat", "deny", 0.99, [], S)  # two words may state a need
    assert not skips_model("liheap", "tell_life_event", 0.99, [], S)


def test_settings_from_config_ignore_other_keys():
    s = Settings.from_config({"need_threshold": 0.3, "C": 8.0, "epochs": 3})
    assert s.need_threshold == 0.3 and s.other_threshold == Settings().other_threshold


# --- training examples from Rasa messages -------------------------------------------------------------------
def msg(text, intent, intent_md=None, example_md=None) -> Message:
    return Message.build(text, intent, None, intent_md, example_md)


def test_examples_from_rasa_messages():
    ignored = {"crisis"}
    assert example_from_message(msg("lost my job and rent", "tell_life_event", {"needs": ["job_loss", "housing"]}),
                                ignored) == Example("lost my job and rent", NEED, ("housing", "job_loss"))
    # an example's own label wins over its block's
    assert example_from_message(msg("x y", "tell_life_event", {"needs": ["food"]}, {"needs": ["utilities"]}),
                                ignored).needs == ("utilities",)
    assert example_from_message(msg("pizza", "out_of_scope"), ignored) == Example("pizza", OUT_OF_SCOPE)
    assert example_from_message(msg("yes", "affirm"), ignored) == Example("yes", OTHER)
    assert example_from_message(msg("my dad died", "tell_life_event"), ignored) is None  # unlabelled situation
    assert example_from_message(msg("i want to die", "crisis"), ignored) is None


# --- the model (with a tiny deterministic encoder) -------------------------------------------------------------
class HashEncoder:
    """Bag of hashed words as unit vectors: a stand-in for the sentence model, deterministic and fast."""

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, hashlib.md5(word.encode()).digest()[0] % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


TRAIN = (
    [Example(t, NEED, ("food",)) for t in ["need food", "food bank near me", "we are hungry", "no groceries left",
                                           "hungry kids need food", "food stamps"]]
    + [Example(t, NEED, ("housing",)) for t in ["rent is due", "evicted from my flat", "landlord eviction",
                                                "cannot pay rent", "homeless need shelter", "rent arrears"]]
    + [Example(t, OUT_OF_SCOPE) for t in ["weather tomorrow", "book a flight", "tell me a joke", "pizza order",
                                          "football scores", "movie times tonight"]]
    + [Example(t, OTHER) for t in ["yes", "no", "thanks", "hello"]]
)


@pytest.fixture(scope="module")
def model():
    return NeedsModel.train(TRAIN, HashEncoder(), TrainingSettings(pairs=20, char_min_df=1))


def test_model_finds_needs_and_scope(model):
    food, oos = model.predict_many(["hungry and no food", "weather for the football"])
    assert food.ranked[0][0] == "food" and food.in_scope > 0.5
    assert oos.in_scope < 0.5
    assert model.labels == ["food", "housing"]


def test_model_gives_both_needs_of_a_two_need_message(model):
    both = dict(model.predict("no food and the rent is due").ranked)
    assert both["food"] > 0.5 and both["housing"] > 0.5


def test_model_round_trips_through_disk(model, tmp_path):
    model.save(tmp_path / "needs")
    again = NeedsModel.load(tmp_path / "needs", HashEncoder())
    a, b = model.predict("evicted and hungry"), again.predict("evicted and hungry")
    assert [n for n, _ in a.ranked] == [n for n, _ in b.ranked]
    assert np.allclose([p for _, p in a.ranked], [p for _, p in b.ranked]) and a.in_scope == pytest.approx(b.in_scope)


def test_training_needs_labelled_examples():
    with pytest.raises(ValueError, match="metadata"):
        NeedsModel.train([Example("pizza", OUT_OF_SCOPE)], HashEncoder())


def test_pairs_join_two_different_needs_deterministically():
    pairs = paired_examples(TRAIN, 10, seed=3)
    assert pairs == paired_examples(TRAIN, 10, seed=3) and len(pairs) == 10
    assert all(p.needs == ("food", "housing") and p.kind == NEED for p in pairs)


def test_long_messages_are_read_in_windows():
    long = " ".join(f"Sentence number {i} says something about the rent and the kids." for i in range(20))
    parts = windows(long, words=30, limit=100, after=30)
    assert len(parts) == 10 and all(len(p.split()) <= 30 for p in parts)
    assert " ".join(parts) == long
    assert windows(long, words=30, limit=4, after=30) == parts[:4]  # a bounded cost for a pasted essay
    assert windows(long, words=30, after=len(long.split())) == []  # short enough to be read whole
    assert windows("short message. two sentences.") == []


# --- the sentence encoder ---------------------------------------------------------------------------------------
def test_encoder_matches_sentence_transformers():
    from bot.nlu.encoder import SentenceEncoder

    reference = json.loads((FIXTURES / "minilm_reference.json").read_text())
    vectors = SentenceEncoder().encode(reference["texts"])
    assert vectors.shape == (len(reference["texts"]), 384)
    assert np.abs(vectors - np.array(reference["vectors"])).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encoder_handles_empty_and_very_long_text():
    from bot.nlu.encoder import SentenceEncoder

    encoder = SentenceEncoder()
    vectors = encoder.encode(["", "word " * 4000])
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()
    assert encoder.encode([]).shape == (0, 384)


def test_intent_rules_make_a_bare_place_a_location_even_when_diet_calls_it_a_situation():
    from bot.nlu.entity_ruler import SignpostIntentRules

    place = {"entity": "place", "value": "Manchester", "start": 0, "end": 10}
    assert SignpostIntentRules.decide("Manchester", "tell_life_event", [place]) == "inform_location"
    need = {"entity": "life_event", "value": "moving"}
    assert SignpostIntentRules.decide("moved to Manchester", "tell_life_event",
                                      [dict(place, start=9, end=19), need]) is None


def test_a_weak_need_does_not_rescue_a_confident_out_of_scope():
    # "i live in Dartmouth": DIET says out of scope, the model half-thinks of a college
    weak = decide("out_of_scope", pred(0.9, education=0.45), set(), Settings(need_threshold=0.4, rescue_threshold=0.6))
    assert weak.intent is None and weak.add == []
    eager = decide("out_of_scope", pred(0.9, education=0.45), set(), Settings(need_threshold=0.4, rescue_threshold=0.4))
    assert eager.intent == "tell_life_event" and eager.add == [("education", 0.45)]
