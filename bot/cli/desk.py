"""``signpost desk add-user|set-password|list-users``: caseworker and supervisor accounts.

The password is read from ``--password-stdin`` or asked twice at the terminal — never from the command line, where
it would end up in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.engine import Engine

from bot.cli.errors import CLIError
from bot.db import DatabaseUnavailable, make_engine, mask_url, upgrade
from bot.desk.users import UserError, colleagues, create_user, set_password
from bot.handoff.teams import load_teams
from bot.settings import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    desk = sub.add_parser("desk", help="caseworker desk accounts")
    desk_sub = desk.add_subparsers(dest="desk_command", metavar="ACTION")
    desk_sub.required = True
    add = desk_sub.add_parser("add-user", help="create a caseworker or supervisor account")
    add.add_argument("username")
    add.add_argument("--name", help="display name shown to citizens (default: the username)")
    add.add_argument("--role", choices=("caseworker", "supervisor"), default="caseworker")
    add.add_argument("--team", default="general", help="team id from bot/handoff/teams.yml (default: general)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--url", help="database URL (default: $DATABASE_URL)")
    add.set_defaults(handler=_add_user)
    pw = desk_sub.add_parser("set-password", help="change a password (logs the user out everywhere)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.add_argument("--url")
    pw.set_defaults(handler=_set_password)
    ls = desk_sub.add_parser("list-users", help="list accounts")
    ls.add_argument("--url")
    ls.set_defaults(handler=_list_users)


def _engine(args: argparse.Namespace) -> Engine:
    url = str(args.url or load_settings().database_url)
    try:
        upgrade(url)  # checks the connection first; a new machine gets the desk tables too
    except DatabaseUnavailable as exc:
        raise CLIError(f"cannot reach the database {mask_url(url)}: {exc}") from None
    return make_engine(url)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CLIError("the passwords do not match")
    return first


def _add_user(args: argparse.Namespace) -> int:
    teams = {t.id for t in load_teams(load_settings().teams_file)}
    if args.team not in teams:
        raise CLIError(f"unknown team {args.team!r}; teams: {', '.join(sorted(teams))}")
    engine = _engine(args)
    try:
        user = create_user(engine, args.username, _password(args), role=args.role, team=args.team,
                           display_name=args.name)
    except UserError as exc:
        raise CLIError(str(exc)) from None
    print(f"created {user.role} {user.username} ({user.display_name}) in team {user.team}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        set_password(engine, args.username, _password(args))
    except UserError as exc:
        raise CLIError(str(exc)) from None
    print(f"password changed for {args.username}")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    for user in colleagues(_engine(args)):
        print(f"{user.username}\t{user.role}\t{user.team}\t{user.display_name}")
    return 0
