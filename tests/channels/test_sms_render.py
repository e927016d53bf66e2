"""SMS rendering as plain Python: GSM-7, segments, splitting at sentences, links whole, buttons, keywords."""

from __future__ import annotations

import pytest

from bot.channels import sms

LINK = "https://www.canada.ca/en/services/benefits/ei/ei-regular-benefit/apply.html"
SERVICES = (
    "Here is what may help you in Halifax: "
    "Employment Insurance (federal). You lost your job, so you may get temporary income while you look for work. "
    f"Apply: {LINK}. "
    "Nova Scotia Income Assistance (provincial). Your income dropped and you live in Nova Scotia. "
    "Apply: https://novascotia.ca/coms/employment/income_assistance/"
)


def test_typographic_characters_become_gsm7_and_emoji_go():
    text = "It\u2019s \u201cfree\u201d \u2014 apply now\u2026 \U0001F600\u2764\ufe0f \u2022 done"
    friendly = sms.gsm_friendly(text)
    assert friendly == "It's \"free\" - apply now... - done"
    assert sms.encoding(friendly) == "GSM-7"


def test_letters_outside_gsm7_are_kept_and_need_ucs2():
    assert sms.gsm_friendly("Trois-Rivi\u00e8res, \u00celes") == "Trois-Rivi\u00e8res, \u00celes"
    assert sms.encoding("Montr\u00e9al") == "GSM-7"  # é is in the GSM alphabet
    assert sms.encoding("\u00celes") == "UCS-2"


@pytest.mark.parametrize("text,expected", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("\u00ee" * 70, 1), ("\u00ee" * 71, 2), ("\u00ee" * 134, 2), ("\u00ee" * 135, 3),
    ("[" * 80, 1), ("[" * 81, 2),  # extension characters cost two septets
])
def test_segment_count_follows_gsm7_and_ucs2_limits(text, expected):
    assert sms.segments(text) == expected


def test_short_message_is_one_part():
    assert sms.split_sms("Hi, I'm Signpost.") == ["Hi, I'm Signpost."]


def test_long_message_splits_at_sentence_boundaries_within_one_segment_and_keeps_links_whole():
    parts = sms.split_sms(SERVICES)
    assert len(parts) > 1
    for part in parts:
        assert sms.length(part) <= 160, part
        assert sms.segments(part) == 1
        assert part[-1] in ".:/" or part.endswith("html."), f"cut mid-sentence: {part!r}"
    joined = " ".join(parts)
    assert LINK in joined and "https://novascotia.ca/coms/employment/income_assistance/" in joined
    assert any(LINK in p for p in parts), "the link is cut"
    assert joined.split() == SERVICES.split()  # nothing lost, nothing added


def test_concatenated_budget_uses_153_per_segment():
    parts = sms.split_sms(SERVICES, max_segments=2)
    assert all(sms.length(p) <= 306 for p in parts)
    assert len(parts) < len(sms.split_sms(SERVICES))


def test_ucs2_text_uses_the_70_character_budget():
    text = "\u00celes de la Madeleine: aide au revenu. " * 4
    parts = sms.split_sms(text)
    assert len(parts) > 1
    assert all(sms.length(p, "UCS-2") <= 70 for p in parts)


def test_a_link_longer_than_a_segment_travels_alone_and_whole():
    link = "https://example.org/" + "x" * 200
    parts = sms.split_sms(f"Apply here. {link} Thank you.")
    assert link in parts


def test_one_very_long_sentence_breaks_at_words():
    sentence = " ".join(["word"] * 100) + "."
    parts = sms.split_sms(sentence)
    assert all(len(p) <= 160 for p in parts)
    assert " ".join(parts).split() == sentence.split()


def test_buttons_become_numbered_replies():
    rendered = sms.render_buttons("There is more than one Halifax. Which one do you mean?", [
        {"title": "Halifax, Nova Scotia", "payload": "/inform_location{\"place\": \"CA-NS-halifax\"}"},
        {"title": "Halifax, England", "payload": "/inform_location{\"place\": \"GB-ENG-calderdale\"}"},
    ])
    assert rendered == ("There is more than one Halifax. Which one do you mean?\n"
                        "Reply 1 for Halifax, Nova Scotia, 2 for Halifax, England.")


@pytest.mark.parametrize("reply,number", [("1", 1), (" 2 ", 2), ("2.", 2), ("#3", 3), ("10", 10),
                                          ("one", None), ("1 2", None), ("12345", None), ("", None)])
def test_numeric_replies(reply, number):
    assert sms.numeric_choice(reply) == number


@pytest.mark.parametrize("text,word", [
    ("STOP", "stop"), ("stop", "stop"), (" Stop. ", "stop"), ("UNSUBSCRIBE", "stop"), ("quit", "stop"),
    ("START", "start"), ("unstop", "start"), ("HELP", "help"), ("info", "help"),
    ("AGENT", "agent"), ("person", "agent"), ("Person!", "agent"),
    ("stop the bus", None), ("I need help with rent", None), ("hi", None), ("", None),
])
def test_keywords_are_whole_messages(text, word):
    assert sms.keyword(text) == word
