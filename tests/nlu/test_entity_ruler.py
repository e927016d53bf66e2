"""The spaCy entity ruler generated from the catalogue vocabulary (no model download)."""

from __future__ import annotations

import pytest
import spacy

from bot.nlu.entity_ruler import entities_from_doc
from bot.nlu.spacy_pipeline import all_patterns, ensure_pipeline, vocabulary_fingerprint


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    return spacy.load(ensure_pipeline(tmp_path_factory.mktemp("spacy")))


def found(nlp, text):
    return {(e["entity"], e["value"]) for e in entities_from_doc(nlp(text))}


@pytest.mark.parametrize("text,expected", [
    ("my husband passed away on sunday", {("relation", "spouse"), ("life_event", "death")}),
    ("got laid off", {("life_event", "job_loss")}),
    ("we're expecting twins", {("life_event", "new_child")}),
    ("I can't work because of my back", {("life_event", "disability")}),
    ("how do I apply for EI?", {("life_event", "job_loss")}),
    ("I'm in Halifax, Nova Scotia", {("place", "Halifax, Nova Scotia")}),
    ("postal code B3H 1X1", {("place", "B3H 1X1")}),
    ("my zip is 80202", {("place", "80202")}),
    ("I am 67 years old", {("age", 67)}),
    ("my mom", {("relation", "parent")}),
    ("what's the weather", set()),
])
def test_entities(nlp, text, expected):
    assert found(nlp, text) == expected


def test_places_come_from_the_jurisdiction_tree_not_a_hand_list():
    from knowledge.places import all_place_names

    place_patterns = {p["pattern"].lower() if isinstance(p["pattern"], str)
                      else " ".join(t["ORTH"] for t in p["pattern"] if "ORTH" in t).lower()
                      for p in all_patterns() if p["label"] == "PLACE"}
    names = {n.lower() for n, _ in all_place_names() if len(n) > 1}
    assert names <= place_patterns  # everyday-word names ("Reading") as case-sensitive token patterns


def test_pipeline_is_rebuilt_only_when_the_vocabulary_changes(tmp_path):
    path = ensure_pipeline(tmp_path)
    stamp = (path / "signpost-vocabulary.txt").read_text()
    assert stamp == vocabulary_fingerprint(all_patterns())
    mtime = (path / "signpost-vocabulary.txt").stat().st_mtime
    assert ensure_pipeline(tmp_path) == path
    assert (path / "signpost-vocabulary.txt").stat().st_mtime == mtime


def test_a_town_named_like_an_everyday_word_is_a_place_only_when_written_as_one():
    from bot.nlu.spacy_pipeline import build_pipeline

    nlp = build_pipeline()
    assert [e.text for e in nlp("I was reading the letter about my rent").ents if e.label_ == "PLACE"] == []
    assert [e.text for e in nlp("we live in Reading").ents if e.label_ == "PLACE"] == ["Reading"]
    assert [e.text for e in nlp("bath time is hard").ents if e.label_ == "PLACE"] == []
