"""Settings: every variable Signpost reads, read in one place (``bot.settings.load_settings``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rasa_ext.serve import rasa_argv
from bot.settings import DEFAULT_DATABASE_URL, Settings, child_environment, load_settings


def test_an_empty_environment_gives_the_defaults():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.rasa_token, settings.public_rasa_url, settings.teams_file, settings.shared_data_dir,
            settings.policyengine_wheel) == (None, None, None, None, None)
    assert dict(settings.channel_env) == {}
    assert settings.rasa_url == "http://127.0.0.1:5005"


def test_every_variable_lands_in_its_field():
    settings = load_settings({
        "DATABASE_URL": "postgresql://u@db/s", "REDIS_URL": "redis://r:6379/1", "RABBITMQ_URL": "amqp://q/",
        "SIGNPOST_BROKER_QUEUE": "q1", "SIGNPOST_RASA_PORT": "6005", "SIGNPOST_ACTION_PORT": "6055",
        "SIGNPOST_DESK_PORT": "9090", "SIGNPOST_HOST": "0.0.0.0", "SIGNPOST_RASA_TOKEN": "tok",
        "SIGNPOST_PUBLIC_RASA_URL": "https://chat.example", "SIGNPOST_TEAMS_FILE": "/etc/signpost/teams.yml",
        "SIGNPOST_SHARED_DATA": "/srv/data", "SIGNPOST_POLICYENGINE_CANADA": "/srv/pe.whl",
    })
    assert settings.database_url == "postgresql://u@db/s"
    assert (settings.redis_url, settings.rabbitmq_url, settings.broker_queue) == ("redis://r:6379/1", "amqp://q/", "q1")
    assert (settings.rasa_port, settings.action_port, settings.desk_port) == (6005, 6055, 9090)
    assert settings.rasa_url == "http://0.0.0.0:6005"
    assert settings.rasa_token == "tok"
    assert settings.public_rasa_url == "https://chat.example"
    assert settings.teams_file == Path("/etc/signpost/teams.yml")
    assert settings.shared_data_dir == Path("/srv/data")
    assert settings.policyengine_wheel == Path("/srv/pe.whl")


def test_empty_values_count_as_unset():
    settings = load_settings({"SIGNPOST_RASA_TOKEN": "", "SIGNPOST_TEAMS_FILE": "", "DATABASE_URL": ""})
    assert settings.rasa_token is None and settings.teams_file is None
    assert settings.database_url == DEFAULT_DATABASE_URL


def test_channel_variables_are_kept_and_nothing_else():
    env = {"TWILIO_ACCOUNT_SID": "AC1", "TELEGRAM_TOKEN": "1:abc", "SIGNPOST_CHANNEL_KEY": "k", "PATH": "/bin",
           "HOME": "/root", "SIGNPOST_RASA_TOKEN": "tok"}
    assert dict(load_settings(env).channel_env) == {"TWILIO_ACCOUNT_SID": "AC1", "TELEGRAM_TOKEN": "1:abc",
                                                    "SIGNPOST_CHANNEL_KEY": "k"}


def test_the_process_environment_is_the_default(monkeypatch):
    monkeypatch.setenv("SIGNPOST_RASA_TOKEN", "from-env")
    monkeypatch.setenv("TELEGRAM_VERIFY", "bot")
    settings = load_settings()
    assert settings.rasa_token == "from-env"
    assert settings.channel_env["TELEGRAM_VERIFY"] == "bot"


def test_settings_are_frozen_and_hashable():
    settings = load_settings({"TWILIO_NUMBER": "+1"})
    assert hash(settings) == hash(load_settings({"TWILIO_NUMBER": "+1"}))
    with pytest.raises(TypeError):
        settings.channel_env["TWILIO_NUMBER"] = "+2"  # type: ignore[index]
    assert settings.channel_env["TWILIO_NUMBER"] == "+1"


def test_child_processes_get_this_environment_plus_overrides(monkeypatch):
    monkeypatch.setenv("SIGNPOST_SOMETHING", "kept")
    env = child_environment(DATABASE_URL="sqlite:///x.db")
    assert env["SIGNPOST_SOMETHING"] == "kept" and env["DATABASE_URL"] == "sqlite:///x.db"


def test_rasa_gets_the_token_from_the_settings_only_when_there_is_one():
    assert rasa_argv(["--port", "5005"], Settings()) == ["rasa", "run", "--port", "5005"]
    assert rasa_argv(["--enable-api"], Settings(rasa_token="s3cret")) == [
        "rasa", "run", "--enable-api", "--auth-token", "s3cret"]
