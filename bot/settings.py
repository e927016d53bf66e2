"""Settings read from the environment, in one place, so every process agrees on them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/signpost.db"


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

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_endpoint(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def var_dir(self) -> Path:
        return self.project_root / "var"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables (``DATABASE_URL``, ``REDIS_URL``, ``RABBITMQ_URL``, ports)."""
    env = dict(os.environ if env is None else env)
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
    )
