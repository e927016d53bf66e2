"""What citizens type: one normaliser for replies and every word list (``lexicon.yml``), read once.

The NLU components, the guided conversation, the handoff and the exit survey all read replies through
:func:`normalise` and compare them with the lists of :class:`Lexicon`. Entries are normalised on load the same way as
replies, so a list entry written with an apostrophe ("don't know") matches "dont know", "Don't know!" and "don’t know".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yml"

_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_OTHER = re.compile(r"[^a-z0-9_/#&+\-]+")


def normalise(text: str | None) -> str:
    """A reply as the word lists compare it: ``"Don’t know!"`` → ``"dont know"``, ``"Sí."`` → ``"si"``.

    Lower case, accents folded, apostrophes dropped (so contractions keep one spelling), every other mark but
    ``_ / # & + -`` (button values, "4/5", "n/a", "-") turned into a space, spaces collapsed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    folded = _OTHER.sub(" ", _APOSTROPHES.sub("", folded)).strip()
    return folded if folded == "-" else folded.strip("- ")


def _entry(value: Any) -> str:
    # YAML 1.1 reads a bare yes/no as a boolean: the lists mean the words
    if isinstance(value, bool):
        return "yes" if value else "no"
    return normalise(str(value))


def _phrases(values: list[Any]) -> frozenset[str]:
    return frozenset(_entry(v) for v in values)


def _table(mapping: dict[str, list[Any]]) -> dict[str, str]:
    """``{meaning: [phrases]}`` → ``{phrase: meaning}``."""
    return {_entry(phrase): str(meaning) for meaning, phrases in mapping.items() for phrase in phrases}


@dataclass(frozen=True)
class Lexicon:
    """Every word list, normalised. Phrase sets match a whole normalised reply."""

    affirm: frozenset[str]
    deny: frozenset[str]
    dont_know: frozenset[str]
    acknowledge: frozenset[str]
    commands: dict[str, str]
    place_filler: frozenset[str]
    not_places: frozenset[str]
    crisis: tuple[tuple[str, re.Pattern[str]], ...]
    handoff_cancel: frozenset[str]
    handoff_yes: frozenset[str]
    handoff_no: frozenset[str]
    callback_request: frozenset[str]
    keep_chatting: frozenset[str]
    callback_stop: frozenset[str]
    callback_methods: dict[str, str]
    callback_times: dict[str, str]
    survey_stop: frozenset[str]
    survey_skip: frozenset[str]
    survey_next: frozenset[str]
    survey_no_comment: frozenset[str]
    survey_none: frozenset[str]
    survey_first_time_yes: frozenset[str]
    survey_first_time_no: frozenset[str]
    survey_not_sure: frozenset[str]
    number_words: dict[str, int]
    likert: tuple[tuple[int, re.Pattern[str]], ...]

    def command(self, text: str | None) -> str | None:
        """The intent of a one-word command ("more", "person", "restart"), or None."""
        return self.commands.get(normalise(text))

    def crisis_kind(self, text: str | None) -> str | None:
        """suicide / abuse / shelter / danger when the message carries crisis words, else None."""
        low = (text or "").lower().replace("\u2019", "'")
        return next((kind for kind, pattern in self.crisis if pattern.search(low)), None)

    def yes_or_no(self, text: str) -> bool | None:
        """True/False for a normalised reply that says yes or no (whole reply, else its first word), else None."""
        for candidate in (text, text.split()[0] if text.split() else ""):
            if candidate in self.affirm:
                return True
            if candidate in self.deny:
                return False
        return None

    def likert_value(self, text: str) -> int | None:
        return next((value for value, pattern in self.likert if pattern.search(text)), None)


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    """A :class:`Lexicon` from the parsed YAML (tests build small ones)."""
    phrase_lists = {name: _phrases(data[name]) for name in (
        "affirm", "deny", "dont_know", "acknowledge", "place_filler", "not_places", "handoff_cancel", "handoff_yes", "handoff_no", "callback_request",
        "keep_chatting", "callback_stop", "survey_stop", "survey_skip", "survey_next", "survey_no_comment", "survey_none",
        "survey_first_time_yes", "survey_first_time_no", "survey_not_sure")}
    return Lexicon(
        **phrase_lists,
        commands=_table(data["commands"]),
        crisis=tuple((kind, re.compile(pattern, re.I)) for kind, pattern in data["crisis"].items()),
        callback_methods=_table(data["callback_methods"]),
        callback_times=_table(data["callback_times"]),
        number_words={normalise(k): int(v) for k, v in data["number_words"].items()},
        likert=tuple((int(value), re.compile(rf"\b({pattern})\b")) for value, pattern in data["likert"]),
    )


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon of ``lexicon.yml``, read once per process."""
    with open(path, encoding="utf-8") as fh:
        return build_lexicon(yaml.safe_load(fh))
