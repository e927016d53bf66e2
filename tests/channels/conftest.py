"""Fixtures for the channel tests: channel tables, fake provider APIs, and one live Rasa server with our channels."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.channels.fakes import FakeTelegram, FakeTwilio

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TWILIO_NUMBER = "+19025550100"
TELEGRAM_TOKEN = "123456789:AAH-test-token_for_signpost-bot0123"
TELEGRAM_USERNAME = "signpost_test_bot"
CHANNEL_KEY = "test-channel-key-not-secret"
RASA_TOKEN = "channels-test-token"

MIGRATION = PROJECT_ROOT / "bot" / "migrations" / "versions" / "0004_channels.py"


def apply_channel_migration(url: str) -> None:
    """Apply only 0004_channels (what `upgrade heads` runs for this branch), independent of other branches."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from bot.db import make_engine

    spec = importlib.util.spec_from_file_location("migration_0004_channels", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = make_engine(url)
    with engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            module.upgrade()
    engine.dispose()


@pytest.fixture
def channel_db(database_url) -> str:
    """An empty database (SQLite and the real PostgreSQL) with the channel tables."""
    apply_channel_migration(database_url)
    return database_url


@pytest.fixture
def store(channel_db):
    from bot.channels.store import ChannelStore

    store = ChannelStore(channel_db)
    yield store
    store.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    """The store on SQLite only (channel logic tests that do not depend on the database engine)."""
    from bot.channels.store import ChannelStore

    url = f"sqlite:///{tmp_path / 'channels.db'}"
    apply_channel_migration(url)
    store = ChannelStore(url)
    yield store
    store.dispose()


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN, TELEGRAM_USERNAME).start()
    yield fake
    fake.stop()


# --- one live Rasa server with the SMS and Telegram channels -------------------------------------------------------

@dataclass
class Live:
    rasa_url: str
    twilio: FakeTwilio
    telegram: FakeTelegram
    logs: dict[str, Path]
    database_url: str

    @property
    def twilio_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/twilio/webhook"

    @property
    def telegram_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/telegram/webhook"

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def api(self, method: str, path: str, payload: dict | None = None) -> dict:
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(f"{self.rasa_url}{path}{sep}token={RASA_TOKEN}", method=method,
                                     data=json.dumps(payload).encode() if payload is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    def push(self, conversation_id: str, event: dict) -> dict:
        """What the desk does for a caseworker reply: append a bot event, executed on the latest channel."""
        return self.api("POST", f"/conversations/{conversation_id}/tracker/events"
                                "?output_channel=latest&execute_side_effects=true", event)

    def tracker(self, conversation_id: str) -> dict:
        return self.api("GET", f"/conversations/{conversation_id}/tracker")


@pytest.fixture(scope="session")
def live(trained_model, tmp_path_factory) -> Iterator[Live]:
    """Rasa (``rasa run --enable-api --credentials``) + action server, with both channels pointed at fakes."""
    from bot.db import upgrade
    from bot.rasa_config import write_credentials, write_endpoints
    from bot.settings import Settings
    from bot.stack import free_port, stop_processes, wait_until_up

    workdir = tmp_path_factory.mktemp("channels-live")
    database_url = f"sqlite:///{workdir / 'signpost.db'}"
    try:
        upgrade(database_url)  # every branch, as `signpost run` does
    except Exception:  # noqa: BLE001 - another branch mid-edit must not hide channel results
        apply_channel_migration(database_url)
    twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    telegram = FakeTelegram(TELEGRAM_TOKEN, TELEGRAM_USERNAME).start()
    settings = Settings(database_url=database_url, rasa_port=free_port(), action_port=free_port(),
                        desk_port=free_port())
    rasa_url = settings.rasa_url
    env = {**os.environ, "DATABASE_URL": database_url, "SIGNPOST_CHANNEL_KEY": CHANNEL_KEY,
           "SIGNPOST_RASA_TOKEN": RASA_TOKEN, "PYTHONUNBUFFERED": "1",
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_NUMBER": TWILIO_NUMBER,
           "TWILIO_API_BASE": twilio.url,
           "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_VERIFY": TELEGRAM_USERNAME,
           "TELEGRAM_WEBHOOK_URL": f"{rasa_url}/webhooks/telegram/webhook", "TELEGRAM_API_BASE": telegram.url}
    credentials = write_credentials(settings, workdir / "credentials.yml", env=env)  # as `signpost run`
    endpoints = write_endpoints(settings, workdir / "endpoints.yml")
    logs = {"actions": workdir / "actions.log", "rasa": workdir / "rasa.log"}
    procs: list[subprocess.Popen] = []

    def start(name: str, cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=logs[name].open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    try:
        actions = start("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                    "--port", str(settings.action_port)])
        try:
            wait_until_up(f"http://127.0.0.1:{settings.action_port}/health", actions, logs["actions"], timeout=120)
        except RuntimeError:  # greetings and channel mechanics do not need custom actions
            pass
        rasa = start("rasa", [sys.executable, "-m", "rasa", "run", "--enable-api", "--auth-token", RASA_TOKEN,
                              "--interface", "127.0.0.1", "--port", str(settings.rasa_port),
                              "--model", str(trained_model), "--endpoints", str(endpoints),
                              "--credentials", str(credentials)])
        wait_until_up(f"{rasa_url}/", rasa, logs["rasa"], timeout=300)
        yield Live(rasa_url=rasa_url, twilio=twilio, telegram=telegram, logs=logs, database_url=database_url)
    finally:
        stop_processes(procs)
        twilio.stop()
        telegram.stop()

