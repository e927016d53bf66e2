"""Start the Rasa server and action server as child processes on given ports — for tests and benchmarks.

Uses the very command lines ``signpost run`` gives honcho, so what is tested is what runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.cli.run import process_commands
from bot.db import make_engine, upgrade
from bot.rasa_config import write_credentials, write_endpoints
from bot.settings import PROJECT_ROOT, Settings, child_environment
from knowledge.loader import ensure_catalogue_loaded


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


def stop_processes(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@dataclass
class Stack:
    settings: Settings
    token: str
    logs: dict[str, Path]
    pids: dict[str, int]

    @property
    def rest_url(self) -> str:
        return f"{self.settings.rasa_url}/webhooks/rest/webhook"


@contextmanager
def running_stack(database_url: str, model: Path, workdir: Path, token: str = "local-token",
                  channel_env: dict[str, str] | None = None, rabbitmq_url: str | None = None,
                  broker_queue: str = "signpost_events") -> Iterator[Stack]:
    """Migrate and load the catalogue into ``database_url``, then run actions + Rasa until the block ends."""
    settings = Settings(database_url=database_url, rasa_port=free_port(), action_port=free_port(),
                        desk_port=free_port(), rabbitmq_url=rabbitmq_url, broker_queue=broker_queue)
    upgrade(database_url)
    engine = make_engine(database_url)
    ensure_catalogue_loaded(engine)
    engine.dispose()
    endpoints = write_endpoints(settings, workdir / "endpoints.yml")
    env = child_environment(**(channel_env or {}), DATABASE_URL=database_url, SIGNPOST_RASA_TOKEN=token,
                            PYTHONUNBUFFERED="1")
    credentials = write_credentials(settings, workdir / "credentials.yml", env=channel_env or {})
    commands = process_commands(settings, model, endpoints, credentials)
    procs: list[subprocess.Popen] = []
    logs: dict[str, Path] = {}
    try:
        for name, health in (("actions", f"http://127.0.0.1:{settings.action_port}/health"),
                             ("rasa", f"{settings.rasa_url}/")):
            logs[name] = workdir / f"{name}.log"
            proc = subprocess.Popen(commands[name], shell=True, cwd=PROJECT_ROOT, env=env,
                                    stdout=logs[name].open("w"), stderr=subprocess.STDOUT, start_new_session=True)
            procs.append(proc)
            wait_until_up(health, proc, logs[name])
        yield Stack(settings=settings, token=token, logs=logs, pids={n: p.pid for n, p in zip(logs, procs, strict=False)})
    finally:
        stop_processes(procs)
