"""Which needs a message expresses (multi-label) and whether it is in scope at all — plain Python, no Rasa.

Features: the message's sentence embedding (all-MiniLM-L6-v2, generalises to wordings never seen) next to TF-IDF
word and character n-grams (programme names such as "LIHEAP" or "section 8", which an embedding does not
know, and misspellings). One logistic regression per need (one-vs-rest, balanced classes) and one for "in scope"
(any need vs out of scope). Training adds messages that join two single-need examples, so that a message with
two needs scores high on both. Long messages are also read in windows of sentences, and each need takes its best
window.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NEED = "need"
OUT_OF_SCOPE = "out_of_scope"
OTHER = "other"  # dialogue turns ("yes", "help", "67"): no need, but not out of scope either

JOINERS = (" and ", ". ", ", also ", " + ", " and also ", ", ", " but ", "; ")
WINDOW_WORDS = 60
WINDOW_AFTER = 90  # words: about the model's 128 tokens; a shorter message is read whole in one pass
MAX_WINDOWS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


@dataclass(frozen=True)
class Example:
    """One training message: ``kind`` is NEED (with its ``needs``), OUT_OF_SCOPE or OTHER."""

    text: str
    kind: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """Every need with its probability, best first, and the probability that the message is in scope."""

    ranked: list[tuple[str, float]]
    in_scope: float

    def above(self, threshold: float) -> list[tuple[str, float]]:
        return [(n, p) for n, p in self.ranked if p >= threshold]


@dataclass
class TrainingSettings:
    C: float = 8.0
    scope_C: float = 8.0
    pairs: int = 1500
    seed: int = 1
    char_min_df: int = 2


def windows(text: str, words: int = WINDOW_WORDS, limit: int = MAX_WINDOWS, after: int = WINDOW_AFTER) -> list[str]:
    """Consecutive groups of whole sentences of at most ``words`` words, for a message of more than ``after``
    words (longer than the model reads at once); [] for shorter ones."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if len(text.split()) <= max(words, after) or len(sentences) < 2:
        return []
    out: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and len(" ".join(current + [sentence]).split()) > words:
            out.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        out.append(" ".join(current))
    return out[:limit] if len(out) > 1 else []


def paired_examples(examples: list[Example], count: int, seed: int) -> list[Example]:
    """Deterministic two-need messages made by joining single-need examples of different needs."""
    single = [e for e in examples if e.kind == NEED and len(e.needs) == 1]
    rnd = random.Random(seed)
    out: list[Example] = []
    if len({e.needs for e in single}) < 2:
        return out
    while len(out) < count:
        a, b = rnd.sample(single, 2)
        if a.needs == b.needs:
            continue
        second = b.text[:1].lower() + b.text[1:]
        out.append(Example(a.text.rstrip(".?! ") + rnd.choice(JOINERS) + second, NEED,
                           tuple(sorted(set(a.needs) | set(b.needs)))))
    return out


@dataclass
class NeedsModel:
    """The trained classifiers; ``encoder`` is any object with ``encode(list[str]) -> ndarray`` (unit vectors)."""

    labels: list[str]
    words: Any  # fitted TfidfVectorizer (word 1-2 grams)
    chars: Any  # fitted TfidfVectorizer (char_wb 2-5 grams)
    weights: np.ndarray  # (features, labels)
    bias: np.ndarray  # (labels,)
    scope_weights: np.ndarray  # (features,)
    scope_bias: float
    encoder: Any = field(repr=False, default=None)

    # --- training -------------------------------------------------------------------------------------------
    @classmethod
    def train(cls, examples: list[Example], encoder: Any, settings: TrainingSettings | None = None) -> NeedsModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        settings = settings or TrainingSettings()
        labels = sorted({n for e in examples if e.kind == NEED for n in e.needs})
        if not labels:
            raise ValueError("no training example is labelled with a need (metadata: needs: [...])")
        data = list(examples) + paired_examples(examples, settings.pairs, settings.seed)
        texts = [e.text for e in data]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                min_df=settings.char_min_df).fit(texts)
        model = cls(labels, words, chars, np.zeros((0, 0)), np.zeros(0), np.zeros(0), 0.0, encoder)
        features = model._features(texts, encoder.encode(texts))
        targets = np.zeros((len(data), len(labels)), dtype=np.int8)
        for row, example in enumerate(data):
            for need in example.needs:
                targets[row, labels.index(need)] = 1
        columns, biases = [], []
        for j in range(len(labels)):
            fit = LogisticRegression(C=settings.C, class_weight="balanced", max_iter=3000).fit(features, targets[:, j])
            columns.append(fit.coef_[0])
            biases.append(fit.intercept_[0])
        model.weights = np.stack(columns, axis=1).astype(np.float32)
        model.bias = np.array(biases, dtype=np.float32)
        scoped = [i for i, e in enumerate(data) if e.kind in (NEED, OUT_OF_SCOPE)]
        if len({data[i].kind for i in scoped}) == 2:
            fit = LogisticRegression(C=settings.scope_C, class_weight="balanced", max_iter=3000).fit(
                features[scoped], [int(data[i].kind == NEED) for i in scoped])
            model.scope_weights, model.scope_bias = fit.coef_[0].astype(np.float32), float(fit.intercept_[0])
        else:  # no out-of-scope examples: everything is in scope
            model.scope_weights, model.scope_bias = np.zeros(features.shape[1], dtype=np.float32), 10.0
        return model

    # --- prediction -----------------------------------------------------------------------------------------
    def _features(self, texts: list[str], vectors: np.ndarray):
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(vectors), self.words.transform(texts),
                              self.chars.transform(texts)]).tocsr()

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        features = self._features(texts, self.encoder.encode(texts))
        needs = 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))
        scope = 1.0 / (1.0 + np.exp(-(features @ self.scope_weights + self.scope_bias)))
        return np.asarray(needs), np.asarray(scope).reshape(-1)

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        texts = [t or "" for t in texts]
        parts = [windows(t) for t in texts]
        flat = texts + [w for p in parts for w in p]
        needs, scope = self._scores(flat)
        out, cursor = [], len(texts)
        for i, p in enumerate(parts):
            rows = [i] + list(range(cursor, cursor + len(p)))
            cursor += len(p)
            best = needs[rows].max(axis=0)
            order = np.argsort(-best, kind="stable")
            out.append(Prediction([(self.labels[j], float(best[j])) for j in order], float(scope[rows].max())))
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    # --- persistence ----------------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        import joblib

        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / "weights.npz", weights=self.weights, bias=self.bias, scope_weights=self.scope_weights,
                 scope_bias=np.array([self.scope_bias]))
        joblib.dump({"words": self.words, "chars": self.chars}, directory / "vectorizers.joblib")
        (directory / "labels.json").write_text(json.dumps(self.labels))

    @classmethod
    def load(cls, directory: Path, encoder: Any) -> NeedsModel:
        import joblib

        arrays = np.load(directory / "weights.npz")
        vectorizers = joblib.load(directory / "vectorizers.joblib")
        return cls(json.loads((directory / "labels.json").read_text()), vectorizers["words"], vectorizers["chars"],
                   arrays["weights"], arrays["bias"], arrays["scope_weights"], float(arrays["scope_bias"][0]),
                   encoder)
