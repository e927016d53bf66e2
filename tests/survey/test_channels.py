"""One channel-name table: Rasa's input channels → report codes (survey) → the words people read (desk)."""

from __future__ import annotations

import pytest

from bot.survey.channels import DISPLAY_NAMES, REPORT_CODES, display_name, report_code


@pytest.mark.parametrize(("rasa", "code", "name"), [
    ("socketio", "web", "Web chat"), ("twilio", "sms", "SMS"), ("telegram", "telegram", "Telegram"),
    ("rest", "api", "API"), ("callback", "api", "API"),
])
def test_a_rasa_channel_has_one_code_and_one_name(rasa, code, name):
    assert report_code(rasa) == code
    assert display_name(rasa) == display_name(code) == name


def test_codes_and_unknown_channels_pass_through():
    for code in DISPLAY_NAMES:
        assert report_code(code) == code
    assert report_code(None) is None
    assert report_code("whatsapp") == "whatsapp" and display_name("whatsapp") == "whatsapp"


def test_every_code_has_a_name():
    assert set(REPORT_CODES.values()) <= set(DISPLAY_NAMES)
