"""``signpost db upgrade|current``: schema migrations on the one database URL."""

from __future__ import annotations

import argparse

from bot.cli.errors import CLIError
from bot.db import DatabaseUnavailable, check_connection, current_revision, make_engine, mask_url, upgrade
from bot.settings import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    up = db_sub.add_parser("upgrade", help="apply migrations up to the latest (idempotent)")
    up.add_argument("--url", help="database URL (default: $DATABASE_URL or sqlite:///var/signpost.db)")
    up.add_argument("--revision", default="head")
    up.set_defaults(handler=_upgrade)
    cur = db_sub.add_parser("current", help="print the applied migration revision")
    cur.add_argument("--url")
    cur.set_defaults(handler=_current)


def _url(args: argparse.Namespace) -> str:
    return str(args.url or load_settings().database_url)


def _upgrade(args: argparse.Namespace) -> int:
    url = _url(args)
    try:
        upgrade(url, args.revision)
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    print(f"database at {mask_url(url)} is at revision {args.revision}")
    return 0


def _current(args: argparse.Namespace) -> int:
    url = _url(args)
    try:
        check_connection(make_engine(url))
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    print(current_revision(url) or "(no migrations applied)")
    return 0
