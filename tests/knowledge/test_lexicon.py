"""The one lexicon: replies are normalised once, so apostrophes, accents, capitals and SMS shorthand match."""

from __future__ import annotations

import pytest

from knowledge.lexicon import build_lexicon, load_lexicon, normalise


@pytest.mark.parametrize("typed,expected", [
    ("Don't know", "dont know"), ("DON’T KNOW!!", "dont know"), ("I'm not sure.", "im not sure"),
    ("That's right", "thats right"), ("  Sí. ", "si"), ("Oui", "oui"), ("e-mail", "e-mail"), ("4/5", "4/5"),
    ("n/a", "n/a"), ("-", "-"), ("consent_yes", "consent_yes"), ("yes, please", "yes please"), ("", ""),
    ("😀", ""), ("Nouvelle-Écosse", "nouvelle-ecosse"),
])
def test_normalise(typed, expected):
    assert normalise(typed) == expected


@pytest.mark.parametrize("typed", ["don't know", "Don’t know", "I DON'T KNOW", "idk", "dunno", "not sure",
                                   "No idea.", "i'm not sure"])
def test_dont_know_in_every_spelling(typed):
    assert normalise(typed) in load_lexicon().dont_know


@pytest.mark.parametrize("typed,said", [
    ("that's right", True), ("Yes!", True), ("yep", True), ("ok", True), ("yes she did", True), ("Sí", True),
    ("oui", True), ("i'm not", False), ("I’m not", False), ("NOPE", False), ("no, he didn't", False),
    ("no they didnt", False), ("not really", False), ("non", False), ("banana", None),
])
def test_yes_and_no_with_apostrophes_accents_and_capitals(typed, said):
    assert load_lexicon().yes_or_no(normalise(typed)) is said


@pytest.mark.parametrize("typed,intent", [("MORE", "more_results"), ("Next.", "more_results"),
                                          ("start over", "start_over"), ("Person", "ask_person"),
                                          ("help me", "help"), ("stop", "goodbye"), ("more please", None)])
def test_commands(typed, intent):
    assert load_lexicon().command(typed) == intent


@pytest.mark.parametrize("text,kind", [("I don’t want to live anymore", "suicide"), ("he hits me", "abuse"),
                                       ("nowhere to sleep tonight", "shelter"), ("my dad died", None)])
def test_crisis_words_with_curly_apostrophes(text, kind):
    assert load_lexicon().crisis_kind(text) == kind


def test_every_entry_is_reachable_by_a_typed_reply():
    """An entry that normalisation would change can never match a reply: the loader normalises entries."""
    lexicon = load_lexicon()
    for name in ("affirm", "deny", "dont_know", "handoff_yes", "handoff_no", "survey_stop", "survey_skip",
                 "survey_not_sure", "place_filler"):
        for entry in getattr(lexicon, name):
            assert normalise(entry) == entry, (name, entry)
    assert {"dont know", "thats right", "im not"} <= lexicon.dont_know | lexicon.affirm | lexicon.deny


def test_a_bare_yes_or_no_in_yaml_means_the_word():
    """YAML 1.1 reads bare yes/no as booleans; the lexicon means the words."""
    data = load_raw()
    data["affirm"] = [True, "yep"]
    data["deny"] = [False]
    lexicon = build_lexicon(data)
    assert lexicon.affirm == {"yes", "yep"} and lexicon.deny == {"no"}


def load_raw() -> dict:
    import yaml

    from knowledge.lexicon import LEXICON_FILE

    return yaml.safe_load(LEXICON_FILE.read_text())
