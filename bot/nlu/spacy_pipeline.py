"""Build Signpost's spaCy pipeline: ``spacy.blank`` + an entity ruler generated from the knowledge vocabulary.

Nothing is downloaded and nothing is hand-copied: places come from the jurisdiction tree, life events from the
life-event taxonomy. The pipeline is rebuilt when that vocabulary changes, which needs no Rasa retraining
because the Rasa component loads it from disk at start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import spacy
import yaml
from spacy.pipeline import EntityRuler

from bot.settings import PROJECT_ROOT
from knowledge.lexicon import load_lexicon, normalise

KNOWLEDGE = PROJECT_ROOT / "knowledge"
DEFAULT_DIR = PROJECT_ROOT / "var" / "spacy"

# Who the citizen mentions, as the relationship of that person to the citizen.
RELATIONS: dict[str, list[str]] = {
    "parent": ["mother", "mom", "mum", "mommy", "mama", "ma", "father", "dad", "daddy", "papa", "pa", "my parent",
               "mère", "maman", "père", "papa", "madre", "mamá", "padre", "papá"],
    "spouse": ["husband", "wife", "spouse", "partner", "hubby", "common-law partner", "common law partner",
               "mari", "épouse", "femme", "conjoint", "conjointe", "esposo", "esposa", "marido", "pareja"],
    "child": ["son", "daughter", "child", "kid", "baby", "fils", "fille", "enfant", "hijo", "hija", "niño", "niña"],
    "sibling": ["brother", "sister", "sibling", "frère", "soeur", "sœur", "hermano", "hermana"],
    "grandparent": ["grandmother", "grandma", "granny", "nan", "grandfather", "grandpa", "grandad",
                    "grand-mère", "grand-père", "abuela", "abuelo"],
}

POSTAL_PATTERNS: list[list[dict[str, Any]]] = [
    [{"TEXT": {"REGEX": r"^[A-Za-z]\d[A-Za-z]$"}}, {"TEXT": {"REGEX": r"^\d[A-Za-z]\d$"}}],  # CA: B3H 1X1
    [{"TEXT": {"REGEX": r"^[A-Za-z]\d[A-Za-z]\d[A-Za-z]\d$"}}],  # CA without space
    [{"TEXT": {"REGEX": r"^\d{5}(-\d{4})?$"}}],  # US ZIP
    [{"TEXT": {"REGEX": r"^[A-Za-z]{1,2}\d[A-Za-z\d]?$"}}, {"TEXT": {"REGEX": r"^\d[A-Za-z]{2}$"}}],  # UK
]

AGE_PATTERNS: list[list[dict[str, Any]]] = [
    [{"TEXT": {"REGEX": r"^\d{1,3}$"}}, {"LOWER": {"IN": ["years", "year", "yrs", "yo", "ans", "años"]}},
     {"LOWER": {"IN": ["old", "of"]}, "OP": "?"}, {"LOWER": "age", "OP": "?"}],
    [{"LOWER": {"IN": ["'m", "am", "aged", "age", "im", "i'm"]}}, {"TEXT": {"REGEX": r"^\d{1,3}$"}}],
    [{"LOWER": {"IN": ["turning", "turned"]}}, {"TEXT": {"REGEX": r"^\d{1,3}$"}}],
]


def _life_event_patterns() -> Iterable[dict[str, Any]]:
    events = yaml.safe_load((KNOWLEDGE / "life_events.yml").read_text())
    for event in events:
        for phrases in (event.get("synonyms") or {}).values():
            for phrase in phrases:
                yield {"label": "LIFE_EVENT", "pattern": phrase, "id": event["id"]}
        for label in (event.get("label") or {}).values():
            yield {"label": "LIFE_EVENT", "pattern": label, "id": event["id"]}


def _place_patterns() -> Iterable[dict[str, Any]]:
    from knowledge.places import all_place_names

    everyday = load_lexicon().not_places
    seen: set[str] = set()
    for name, _code in all_place_names():
        key = name.lower()
        if key not in seen and len(key) > 1:
            seen.add(key)
            if normalise(name) in everyday:  # "Reading", "Bath": a place only when written as one
                yield {"label": "PLACE", "pattern": [{"ORTH": word} for word in name.split()]}
            else:
                yield {"label": "PLACE", "pattern": name}  # ambiguity ("London") is settled at run time
    for pattern in POSTAL_PATTERNS:
        yield {"label": "PLACE", "pattern": pattern}


def _relation_patterns() -> Iterable[dict[str, Any]]:
    for relation, words in RELATIONS.items():
        for word in words:
            yield {"label": "RELATION", "pattern": word, "id": relation}


def all_patterns() -> list[dict[str, Any]]:
    patterns = [*_life_event_patterns(), *_place_patterns(), *_relation_patterns()]
    patterns += [{"label": "AGE", "pattern": p} for p in AGE_PATTERNS]
    return patterns


def vocabulary_fingerprint(patterns: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(patterns, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def build_pipeline(lang: str = "en", patterns: list[dict[str, Any]] | None = None) -> spacy.language.Language:
    nlp = spacy.blank(lang)
    # add_pipe is typed as returning any pipe; "entity_ruler" makes an EntityRuler
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}))
    ruler.add_patterns(all_patterns() if patterns is None else patterns)
    return nlp


def ensure_pipeline(target: Path = DEFAULT_DIR, lang: str = "en") -> Path:
    """Build the pipeline into ``target/lang`` unless the one there was built from the same vocabulary."""
    patterns = all_patterns()
    fingerprint = vocabulary_fingerprint(patterns)
    path = target / lang
    stamp = path / "signpost-vocabulary.txt"
    if stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return path
    import shutil
    import tempfile

    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=target))  # build aside, then swap: readers never see half
    build_pipeline(lang, patterns).to_disk(tmp / lang)
    (tmp / lang / stamp.name).write_text(fingerprint)
    old = target / f".{lang}-old-{tmp.name}"
    if path.exists():
        path.rename(old)
    (tmp / lang).rename(path)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return path
