"""Phone numbers: keyed hashes as conversation ids, encrypted at rest, the channel key."""

from __future__ import annotations

import stat

import pytest

from bot.channels.common import database_url
from bot.channels.identity import (
    NumberVault,
    channel_key,
    normalise_address,
    sender_key,
    telegram_secret_token,
)
from bot.settings import DEFAULT_DATABASE_URL


@pytest.mark.parametrize("raw,canonical", [
    ("+19025550123", "+19025550123"), (" +1 (902) 555-0123 ", "+19025550123"),
    ("whatsapp:+447700900123", "whatsapp:+447700900123"), ("12345", "12345"),
    ("", None), (None, None), ("anonymous", None), ("+1", None), ("+1234567890123456", None),
    ("<script>", None), ("+1902555\x000123", None),
])
def test_normalise_address(raw, canonical):
    assert normalise_address(raw) == canonical


def test_sender_key_is_keyed_stable_and_hides_the_number():
    a = sender_key("+19025550123", "key-one")
    assert a == sender_key("+1 902 555 0123", "key-one")
    assert a != sender_key("+19025550123", "key-two")
    assert a.startswith("sms-") and len(a) == 36
    assert "9025550123" not in a and "0123" not in a[4:8]


def test_vault_round_trip_and_wrong_key():
    sealed = NumberVault("k1").seal("+19025550123")
    assert "9025550123" not in sealed
    assert NumberVault("k1").open(sealed) == "+19025550123"
    assert NumberVault("k2").open(sealed) is None
    assert NumberVault("k1").open("garbage") is None


def test_channel_key_from_env_or_generated_once_private(tmp_path):
    assert channel_key({"SIGNPOST_CHANNEL_KEY": "abc"}, tmp_path) == "abc"
    first = channel_key({}, tmp_path)
    assert len(first) >= 32 and channel_key({}, tmp_path) == first
    assert stat.S_IMODE((tmp_path / "channel_key").stat().st_mode) == 0o600


def test_channel_key_defaults_to_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNPOST_CHANNEL_KEY", "from-the-environment")
    assert channel_key(var_dir=tmp_path) == "from-the-environment"
    assert not (tmp_path / "channel_key").exists()
    monkeypatch.delenv("SIGNPOST_CHANNEL_KEY")
    generated = channel_key(var_dir=tmp_path)
    assert generated != "from-the-environment" and (tmp_path / "channel_key").read_text() == generated


def test_the_channels_database_is_the_credentials_else_the_settings(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/from-env.db")
    assert database_url({"database_url": "sqlite:////tmp/from-credentials.db"}) == "sqlite:////tmp/from-credentials.db"
    assert database_url({}) == "sqlite:////tmp/from-env.db"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url({}) == DEFAULT_DATABASE_URL


def test_telegram_secret_token_is_valid_for_telegram():
    token = telegram_secret_token("key", "123:abc")
    assert 1 <= len(token) <= 256 and token.isalnum()
    assert token != telegram_secret_token("key", "123:abd")
