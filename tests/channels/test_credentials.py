"""credentials.yml entries for SMS and Telegram, only for the channels configured by environment variables."""

from __future__ import annotations

import stat

import pytest
import yaml

from bot.channels.credentials import (
    TELEGRAM,
    TWILIO,
    ChannelConfigError,
    channel_credentials,
)
from bot.settings import PROJECT_ROOT

TWILIO_ENV = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok", "TWILIO_NUMBER": "+19025550100"}
TELEGRAM_ENV = {"TELEGRAM_TOKEN": "1:abc", "TELEGRAM_VERIFY": "signpost_bot",
                "TELEGRAM_WEBHOOK_URL": "https://signpost.example/webhooks/telegram/webhook"}


def test_nothing_configured_adds_nothing(tmp_path):
    assert channel_credentials({"PATH": "/bin"}, tmp_path) == {}
    assert not (tmp_path / "channel_key").exists()


def test_twilio_only(tmp_path):
    creds = channel_credentials({**TWILIO_ENV, "SIGNPOST_CHANNEL_KEY": "k"}, tmp_path)
    assert list(creds) == [TWILIO]
    assert creds[TWILIO] == {"account_sid": "AC1", "auth_token": "tok", "twilio_number": "+19025550100",
                             "channel_key": "k"}


def test_both_with_optional_api_bases(tmp_path):
    env = {**TWILIO_ENV, **TELEGRAM_ENV, "TWILIO_API_BASE": "http://127.0.0.1:9/",
           "TELEGRAM_API_BASE": "http://127.0.0.1:8", "TWILIO_WEBHOOK_URL": "https://x/webhooks/twilio/webhook"}
    creds = channel_credentials(env, tmp_path)
    assert set(creds) == {TWILIO, TELEGRAM}
    assert creds[TWILIO]["api_base"] == "http://127.0.0.1:9/"
    assert creds[TWILIO]["webhook_url"] == "https://x/webhooks/twilio/webhook"
    assert creds[TELEGRAM] == {"access_token": "1:abc", "verify": "signpost_bot",
                               "webhook_url": TELEGRAM_ENV["TELEGRAM_WEBHOOK_URL"],
                               "api_base": "http://127.0.0.1:8", "channel_key": creds[TWILIO]["channel_key"]}
    assert (tmp_path / "channel_key").is_file()  # generated once, shared by both


def test_half_configured_channel_is_an_error_naming_what_is_missing(tmp_path):
    with pytest.raises(ChannelConfigError, match="TWILIO_NUMBER"):
        channel_credentials({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok"}, tmp_path)


def test_signpost_run_renders_them_into_credentials_yml(tmp_path):
    from bot.rasa_config import write_credentials
    from bot.settings import Settings

    out = write_credentials(Settings(), tmp_path / "credentials.yml", env={**TELEGRAM_ENV, "SIGNPOST_CHANNEL_KEY": "k"})
    config = yaml.safe_load(out.read_text())
    base = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    assert set(config) == set(base) | {TELEGRAM}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_channel_classes_load_from_the_rendered_entries(tmp_path, monkeypatch):
    from rasa.core import run

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    creds = channel_credentials({**TWILIO_ENV, **TELEGRAM_ENV, "SIGNPOST_CHANNEL_KEY": "k"}, tmp_path)
    twilio = run._create_single_channel(TWILIO, creds[TWILIO])
    telegram = run._create_single_channel(TELEGRAM, creds[TELEGRAM])
    assert (twilio.name(), telegram.name()) == ("twilio", "telegram")  # Rasa's names: same webhook paths
    assert twilio.url_prefix() == "twilio" and telegram.url_prefix() == "telegram"
    assert twilio.get_output_channel() is twilio.get_output_channel()
    assert telegram.get_output_channel() is telegram.get_output_channel()
