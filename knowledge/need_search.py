"""Which needs of the taxonomy a message may be about, by its words: the last look before "I can't help with that".

The entity ruler finds needs whose phrases appear exactly; the classifier finds them by meaning. This search adds
what both miss in typed text: misspelt words ("evicshun", "unemployement", "benifits") and phrases whose words
are all there but not side by side ("the bill for heating"). Its guesses are offered as buttons ("Is this about
paying for heating?"), never taken as fact.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexicon import normalise
from knowledge.vocab import Vocabulary, load_vocabulary

STOP_WORDS = frozenset({
    "a", "an", "the", "my", "our", "i", "im", "me", "we", "you", "to", "of", "for", "in", "on", "at", "and", "or",
    "is", "are", "was", "be", "it", "its", "this", "that", "with", "what", "how", "can", "do", "does", "get", "got",
    "help", "need", "want", "please", "so", "just", "have", "has", "had", "up", "out", "off", "from", "by", "about",
    "any", "some", "who", "where", "when", "there", "their", "they", "he", "she", "his", "her", "not", "no", "yes",
    "de", "la", "le", "les", "el", "los", "las", "un", "une", "y", "et", "mi", "mon", "ma", "mes"})
MIN_FUZZY_LENGTH = 6  # shorter words are matched exactly: "rent" is not "tent", "monkey" is not "money"
FUZZY_CUTOFF = 0.82
MAX_CHARS = 600  # a pasted page is not searched word by word: its first lines say what it is about


@dataclass(frozen=True)
class NeedHit:
    need: str
    score: float  # 0..1: the share of the best phrase's words found, weighted by how long the phrase is


@dataclass(frozen=True)
class _Phrase:
    need: str
    words: tuple[str, ...]


def _words(text: str) -> list[str]:
    return [w for w in normalise(text).replace("-", " ").replace("/", " ").split() if w not in STOP_WORDS]


class NeedIndex:
    """The taxonomy's labels and synonyms (every language), searchable word by word."""

    def __init__(self, vocab: Vocabulary) -> None:
        phrases: list[_Phrase] = []
        for need in vocab.life_events.values():
            texts = [*need.label.values(), *(s for values in need.synonyms.values() for s in values)]
            for text in texts:
                words = tuple(_words(text))
                if words:
                    phrases.append(_Phrase(need.id, words))
        self._phrases = tuple(phrases)
        self._vocabulary = sorted({w for p in phrases for w in p.words if len(w) >= MIN_FUZZY_LENGTH})

    def _spelled(self, word: str) -> str | None:
        """The taxonomy word a misspelt word stands for, if one is close enough."""
        if len(word) < MIN_FUZZY_LENGTH:
            return None
        close = difflib.get_close_matches(word, self._vocabulary, n=3, cutoff=FUZZY_CUTOFF)
        return next((c for c in close if c[0] == word[0]), None)  # misspellings keep their first letter

    def search(self, text: str, limit: int = 3) -> list[NeedHit]:
        """Needs whose phrases' words all appear in ``text`` (spelling forgiven), best first."""
        words = set(_words(text[:MAX_CHARS]))
        if not words:
            return []
        known = set(words)
        for word in words:
            if (spelled := self._spelled(word)) is not None:
                known.add(spelled)
        best: dict[str, float] = {}
        for phrase in self._phrases:
            if all(w in known for w in phrase.words):
                score = min(1.0, 0.5 + 0.25 * len(phrase.words))
                best[phrase.need] = max(best.get(phrase.need, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [NeedHit(need, score) for need, score in ranked[:limit]]


@lru_cache(maxsize=1)
def default_index() -> NeedIndex:
    """The index of ``knowledge/life_events.yml``, built once per process."""
    return NeedIndex(load_vocabulary())
