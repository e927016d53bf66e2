"""``signpost run`` and ``signpost train``: prepare (migrate, load catalogue, train if needed) and supervise.

Supervision is honcho's process manager: prefixed logs, and on Ctrl-C every child gets SIGTERM (SIGKILL
after a grace period), so no process is orphaned and the ports are freed.
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import socket
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.credentials import ChannelConfigError
from bot.cli.errors import CLIError
from bot.db import DatabaseUnavailable, make_engine, upgrade
from bot.rasa_config import write_credentials, write_endpoints
from bot.secret_files import private_dir, secret_once
from bot.settings import Settings, child_environment, load_settings
from bot.training import is_trained, model_path, train
from knowledge.loader import ensure_catalogue_loaded

# Rasa's dependencies print pages of deprecation warnings at start; they are noise to an operator.
QUIET_WARNINGS = "ignore::DeprecationWarning,ignore::PendingDeprecationWarning,ignore::FutureWarning"

SERVICE_PORTS = (("rasa_port", "Rasa server", "SIGNPOST_RASA_PORT"),
                 ("action_port", "action server", "SIGNPOST_ACTION_PORT"),
                 ("desk_port", "desk", "SIGNPOST_DESK_PORT"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="start the Rasa server, the action server and the desk (trains if needed)")
    run.add_argument("--no-train", action="store_true", help="fail instead of training when no model fits the data")
    run.set_defaults(handler=_run)
    train = sub.add_parser("train", help="train the Rasa model if the training data changed")
    train.add_argument("--force", action="store_true", help="train even if a model for this data exists")
    train.set_defaults(handler=_train)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def check_ports(settings: Settings) -> None:
    for attr, what, env in SERVICE_PORTS:
        port = getattr(settings, attr)
        if port_in_use(settings.host, port):
            raise CLIError(f"port {port} ({what}) is already in use; stop what uses it or set {env} to a free port")


def rasa_token(settings: Settings) -> str:
    """The Rasa HTTP API token: $SIGNPOST_RASA_TOKEN, or one generated once and kept in var/ (mode 600)."""
    if settings.rasa_token:
        return settings.rasa_token
    return secret_once(settings.var_dir / "rasa_token", lambda: secrets.token_urlsafe(24))


def prepare(settings: Settings, allow_train: bool = True) -> Path:
    """Migrate, load the catalogue and make sure a model fits the data; returns the model path."""
    trained = is_trained(settings.project_root)
    if not trained and not allow_train:
        raise CLIError(f"no trained model for the current training data ({model_path(settings.project_root).name}); "
                       "run `signpost train` (or `make run`, which trains when needed)")
    try:
        upgrade(settings.database_url)
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    engine = make_engine(settings.database_url)
    report = ensure_catalogue_loaded(engine)
    engine.dispose()
    if not report.ok:
        details = "\n  ".join(str(e) for e in report.errors[:20])
        raise CLIError(f"the catalogue has errors, nothing was loaded:\n  {details}\n"
                       "fix them (see `signpost knowledge validate`) and start again")
    print(f"catalogue: version {report.version}, {report.services} services"
          f"{' (reloaded)' if report.changed else ''}", flush=True)
    if not trained:
        print("training the Rasa model (first run or training data changed; takes a few minutes)…", flush=True)
        train(settings.project_root)
    return model_path(settings.project_root)


def process_commands(settings: Settings, model: Path, endpoints: Path, credentials: Path) -> dict[str, str]:
    py = shlex.quote(sys.executable)
    return {
        "rasa": (f"{py} -m bot.rasa_ext.serve --enable-api --cors '*' "
                 f"--interface {settings.host} --port {settings.rasa_port} --model {shlex.quote(str(model))} "
                 f"--endpoints {shlex.quote(str(endpoints))} --credentials {shlex.quote(str(credentials))}"),
        "actions": f"SANIC_HOST={settings.host} {py} -m rasa_sdk --actions actions --port {settings.action_port}",
        "desk": f"{py} -m bot.desk --host {settings.host} --port {settings.desk_port}",
    }


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status < 500
    except Exception:  # noqa: BLE001 - not up yet
        return False


def banner(settings: Settings) -> str:
    return (
        "\n  Signpost is ready.\n"
        f"  Chat in your browser:  http://{settings.host}:{settings.desk_port}/\n"
        f"  REST endpoint:         POST {settings.rasa_url}/webhooks/rest/webhook"
        "   body: {\"sender\": \"me\", \"message\": \"hi\"}\n"
        f"  Match API:             POST http://{settings.host}:{settings.desk_port}/api/v1/match\n"
        f"  Caseworker desk:       http://{settings.host}:{settings.desk_port}/desk"
        "   (create an account: signpost desk add-user NAME --role supervisor)\n"
        f"  Public report:         http://{settings.host}:{settings.desk_port}/public/report\n"
        "  Press Ctrl-C to stop everything.\n"
    )


def _announce_when_ready(manager: Any, settings: Settings, stop: threading.Event) -> None:
    from honcho.printer import Message  # honcho only when supervising (third-party, like Manager below)

    urls = [f"{settings.rasa_url}/", f"http://{settings.host}:{settings.action_port}/health",
            f"http://{settings.host}:{settings.desk_port}/healthz"]
    while not stop.is_set():
        if all(_ready(u) for u in urls):
            manager.events.put(Message(type="line", data=banner(settings), time=datetime.now(),
                                       name="signpost", colour=None))
            return
        time.sleep(1)


def _run(args: argparse.Namespace) -> int:
    from honcho.manager import Manager

    settings = load_settings()
    check_ports(settings)
    private_dir(settings.var_dir)  # tokens, keys and rendered credentials live here
    model = prepare(settings, allow_train=not args.no_train)
    endpoints = write_endpoints(settings)
    try:
        credentials = write_credentials(settings)
    except ChannelConfigError as exc:
        raise CLIError(str(exc)) from exc
    env = child_environment(SIGNPOST_RASA_TOKEN=rasa_token(settings), DATABASE_URL=settings.database_url,
                            SIGNPOST_RASA_URL=settings.rasa_url, PYTHONUNBUFFERED="1", PYTHONWARNINGS=QUIET_WARNINGS)
    manager = Manager()
    for name, cmd in process_commands(settings, model, endpoints, credentials).items():
        manager.add_process(name, cmd, env=env, cwd=str(settings.project_root))
    stop = threading.Event()
    threading.Thread(target=_announce_when_ready, args=(manager, settings, stop), daemon=True).start()
    try:
        manager.loop()
    finally:
        stop.set()
    return manager.returncode or 0


def _train(args: argparse.Namespace) -> int:
    path = train(load_settings().project_root, force=args.force)
    print(f"model: {path}")
    return 0
