"""Settings read from the environment, in one place, so every process agrees on them.

This is the only module that reads ``os.environ`` (a test greps for that): everything else takes a
:class:`Settings` from :func:`load_settings`, and child processes get theirs from :func:`child_environment`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/signpost.db"

# The variables the SMS and Telegram channels are configured by (bot/channels/credentials.py names them all).
CHANNEL_PREFIXES = ("TWILIO_", "TELEGRAM_")
CHANNEL_KEY_VARIABLE = "SIGNPOST_CHANNEL_KEY"



def _no_variables() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    rabbitmq_url: str | None = None
    broker_queue: str = "signpost_events"  # the RabbitMQ queue Rasa publishes to and the desk consumes
    rasa_port: int = 5005
    action_port: int = 5055
    desk_port: int = 8080
    host: str = "127.0.0.1"
    project_root: Path = field(default=PROJECT_ROOT)
    rasa_token: str | None = None  # Rasa's HTTP API token; None: the one generated once in var/rasa_token
    public_rasa_url: str | None = None  # where browsers reach Rasa, when not at rasa_url (a proxy)
    teams_file: Path | None = None  # the caseworker teams; None: bot/handoff/teams.yml
    shared_data_dir: Path | None = None  # the real source data the importers read; None: ../shared/data
    policyengine_wheel: Path | None = None  # the policyengine-canada wheel `knowledge import pe` reads
    # TWILIO_*, TELEGRAM_* and SIGNPOST_CHANNEL_KEY as set: bot.channels.credentials validates them
    channel_env: Mapping[str, str] = field(default_factory=_no_variables, hash=False)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_endpoint(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def var_dir(self) -> Path:
        return self.project_root / "var"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables (``DATABASE_URL``, ``REDIS_URL``, ``RABBITMQ_URL``, ports,
    ``SIGNPOST_*``, the channels' ``TWILIO_*``/``TELEGRAM_*``); ``env`` instead of the process environment."""
    env = dict(os.environ if env is None else env)
    channels = {name: value for name, value in env.items()
                if name.startswith(CHANNEL_PREFIXES) or name == CHANNEL_KEY_VARIABLE}
    return Settings(
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        redis_url=env.get("REDIS_URL") or None,
        rabbitmq_url=env.get("RABBITMQ_URL") or None,
        broker_queue=env.get("SIGNPOST_BROKER_QUEUE") or "signpost_events",
        rasa_port=int(env.get("SIGNPOST_RASA_PORT", 5005)),
        action_port=int(env.get("SIGNPOST_ACTION_PORT", 5055)),
        desk_port=int(env.get("SIGNPOST_DESK_PORT", 8080)),
        host=env.get("SIGNPOST_HOST", "127.0.0.1"),
        rasa_token=env.get("SIGNPOST_RASA_TOKEN") or None,
        public_rasa_url=env.get("SIGNPOST_PUBLIC_RASA_URL") or None,
        teams_file=_path(env.get("SIGNPOST_TEAMS_FILE")),
        shared_data_dir=_path(env.get("SIGNPOST_SHARED_DATA")),
        policyengine_wheel=_path(env.get("SIGNPOST_POLICYENGINE_CANADA")),
        channel_env=MappingProxyType(channels),
    )


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a child process (the Rasa, action and desk servers): this one's, plus ``overrides``."""
    return {**os.environ, **overrides}
