"""Input checks shared by SMS and Telegram: what reaches the bot and what gets a clear reply instead."""

from __future__ import annotations

import pytest

from bot.channels.inbound import check_text


@pytest.mark.parametrize("raw,problem", [
    (None, "empty"), ("", "empty"), ("   \n\t ", "empty"),
    ("x" * 2000, "too_long"),
    ("\x00\x01\x02\x03\x04\x05binary\x06\x07\x08\x0b\x0c\x0e", "unreadable"),
    ("\ufffd\ufffd\ufffd\ufffd", "unreadable"),
    ("\U0001F600\U0001F622", "emoji_only"), ("\u2764\ufe0f", "emoji_only"), ("\U0001F44D\U0001F3FD", "emoji_only"),
    ("/", "empty"),
])
def test_problems(raw, problem):
    checked = check_text(raw, max_chars=1600)
    assert not checked.ok and checked.problem == problem


def test_plain_text_passes_cleaned():
    checked = check_text("  I lost   my job\u00a0in Halifax \U0001F622 ", max_chars=1600)
    assert checked.ok and checked.text == "I lost my job in Halifax \U0001F622"


def test_a_few_control_bytes_are_dropped_not_fatal():
    assert check_text("my dad\x00 died", max_chars=1600).text == "my dad died"


def test_leading_slash_cannot_inject_intents():
    assert check_text('/restart', 1600).text == "restart"
    assert check_text('/affirm{"location": "US-CO"}', 1600).text == 'affirm{"location": "US-CO"}'


def test_punctuation_only_still_reaches_the_bot():
    assert check_text("???", 1600).text == "???"
