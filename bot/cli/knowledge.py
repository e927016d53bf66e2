"""``signpost knowledge load|validate|import|place|status`` and ``signpost match``: the catalogue and the match
engine (``knowledge/``) from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.errors import CLIError
from bot.db import DatabaseUnavailable, check_connection, make_engine, mask_url, upgrade
from bot.settings import load_settings
from knowledge.catalogue import read_catalogue
from knowledge.importers import PACKAGE_SOURCES, SOURCES, run_import
from knowledge.loader import catalogue_status, load_catalogue
from knowledge.match import CatalogueNotLoaded, ProfileError, match_profile
from knowledge.places import resolve_place


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kn = sub.add_parser("knowledge", help="the service catalogue: import, validate, load",
                        description="The service catalogue (knowledge/catalogue/*.yml): import real sources, validate, load.")
    kn_sub = kn.add_subparsers(dest="knowledge_command", metavar="ACTION")
    kn_sub.required = True

    load = kn_sub.add_parser("load", help="validate the catalogue and load it into the database (idempotent)",
                             description="Validate every catalogue file, apply migrations, then replace the catalogue "
                                         "in the database. Nothing is loaded if any file has an error.")
    load.add_argument("--url", help="database URL (default: $DATABASE_URL or sqlite:///var/signpost.db)")
    load.add_argument("--root", help="catalogue directory or file (default: knowledge/catalogue)")
    load.set_defaults(handler=_load)

    validate = kn_sub.add_parser("validate", help="check the catalogue files; print every error as file:line: field: message",
                                 description="Check every catalogue file (structure, jurisdictions, life events, criteria, "
                                             "ids). Exit 1 when there is any error.")
    validate.add_argument("--root", help="catalogue directory or file (default: knowledge/catalogue)")
    validate.set_defaults(handler=_validate)

    imp = kn_sub.add_parser("import", help="build catalogue YAML from the real data in ../shared/data",
                            description="Run an importer (or all) and write knowledge/catalogue/<source>.yml.")
    imp.add_argument("source", choices=[*SOURCES, *PACKAGE_SOURCES, "all"], help="which source to import")
    imp.add_argument("--data-dir", help="shared data directory (default: $SIGNPOST_SHARED_DATA or ../shared/data)")
    imp.add_argument("--out", help="output directory (default: knowledge/catalogue)")
    imp.set_defaults(handler=_import)

    place = kn_sub.add_parser("place", help="resolve a place name or postal code to a jurisdiction code",
                              description="Show how free text (\"Halifax\", \"B3H 1X1\", \"London\") resolves.")
    place.add_argument("text", help="place name, postal code or code")
    place.add_argument("--language", default="en")
    place.set_defaults(handler=_place)

    status = kn_sub.add_parser("status", help="show the loaded catalogue version",
                               description="Print the latest catalogue version loaded in the database, as JSON.")
    status.add_argument("--url", help="database URL (default: $DATABASE_URL)")
    status.set_defaults(handler=_status)

    match = sub.add_parser("match", help="match a JSON profile to services (stdin or --profile)",
                           description="Read a JSON profile {life_events, location, answers, as_of, language} on stdin or "
                                       "from --profile FILE and print the matching services as JSON.")
    match.add_argument("--profile", help="JSON file with the profile (default: read stdin)")
    match.add_argument("--url", help="database URL (default: $DATABASE_URL or sqlite:///var/signpost.db)")
    match.add_argument("--indent", type=int, default=2, help="JSON indentation (0 for one line)")
    match.set_defaults(handler=_match)


def _url(args: argparse.Namespace) -> str:
    return str(getattr(args, "url", None) or load_settings().database_url)


def _engine(url: str) -> Engine:
    engine = make_engine(url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    return engine


def _validate(args: argparse.Namespace) -> int:
    catalogue = read_catalogue(args.root)
    for error in catalogue.errors:
        print(error, file=sys.stderr)
    if catalogue.errors:
        print(f"{len(catalogue.errors)} error(s) in the catalogue", file=sys.stderr)
        return 1
    print(f"catalogue OK: {len(catalogue.files)} files, {len(catalogue.services)} services, "
          f"{len(catalogue.navigators)} navigators")
    return 0


def _load(args: argparse.Namespace) -> int:
    url = _url(args)
    try:
        upgrade(url)
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    report = load_catalogue(_engine(url), args.root)
    if not report.ok:
        for error in report.errors:
            print(error, file=sys.stderr)
        raise CLIError(f"{len(report.errors)} error(s) in the catalogue; nothing was loaded")
    print(f"loaded catalogue version {report.version} into {mask_url(url)}: {report.services} services, "
          f"{report.navigators} navigators, {report.organizations} organizations from {len(report.files)} files"
          + ("" if report.changed else " (content unchanged)"))
    return 0


def _import(args: argparse.Namespace) -> int:
    sources = SOURCES if args.source == "all" else (args.source,)
    # mfb writes the county nodes other files may use: run it first
    sources = tuple(sorted(sources, key=lambda s: s != "mfb"))
    settings = load_settings()
    failed = 0
    for source in sources:
        # pe reads a PyPI wheel ($SIGNPOST_POLICYENGINE_CANADA), the others ../shared/data ($SIGNPOST_SHARED_DATA)
        default = settings.policyengine_wheel if source == "pe" else settings.shared_data_dir
        try:
            result = run_import(source, args.data_dir or default, args.out)
        except FileNotFoundError as exc:
            raise CLIError(f"{source}: source data not found: {exc.filename} (use --data-dir or $SIGNPOST_SHARED_DATA)") from exc
        extra = f", {result.navigators} navigators" if result.navigators else ""
        print(f"{source}: {result.services} services{extra} → {result.path}")
        for note in result.skipped:
            print(f"  skipped: {note}")
        for error in result.errors:
            print(f"  {error}", file=sys.stderr)
        failed += bool(result.errors)
    if failed:
        raise CLIError(f"{failed} generated file(s) do not validate")
    return 0


def _place(args: argparse.Namespace) -> int:
    print(json.dumps(resolve_place(args.text, args.language).to_dict(), ensure_ascii=False, indent=2))
    return 0


def _status(args: argparse.Namespace) -> int:
    engine = _engine(_url(args))
    try:
        status = catalogue_status(engine)
    except Exception as exc:  # noqa: BLE001 - missing tables etc.
        raise CLIError(f"cannot read the catalogue: {exc.__class__.__name__}; run `signpost knowledge load`") from exc
    if status is None:
        raise CLIError("no catalogue loaded; run `signpost knowledge load`")
    print(json.dumps(status, indent=2))
    return 0


def _read_profile(args: argparse.Namespace) -> Any:
    if args.profile:
        try:
            text = Path(args.profile).read_text(encoding="utf-8")
        except OSError as exc:
            raise CLIError(f"cannot read profile file {args.profile}: {exc.strerror}") from exc
        where = args.profile
    else:
        text = sys.stdin.read()
        where = "stdin"
    if not text.strip():
        raise CLIError(f"no profile on {where}: give a JSON object such as "
                       '{"life_events": ["death"], "location": "US-CO"}')
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CLIError(f"malformed JSON profile on {where}: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def _match(args: argparse.Namespace) -> int:
    profile = _read_profile(args)
    engine = _engine(_url(args))
    try:
        result = match_profile(engine, profile)
    except ProfileError as exc:
        raise CLIError(f"invalid profile: {exc}") from exc
    except CatalogueNotLoaded as exc:
        raise CLIError(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise CLIError("the database has no catalogue tables; run `signpost knowledge load` "
                       f"({exc.__class__.__name__})") from exc
    print(json.dumps(result, ensure_ascii=False, indent=args.indent or None))
    return 0
