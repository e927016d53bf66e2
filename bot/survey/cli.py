"""``signpost report``: the public quarterly report (CSV/JSON) or the Touchpoints upload file."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report", help="write the quarterly satisfaction report (suppressed, no free text)",
        description="One row per jurisdiction x service x channel for the quarter, small cells suppressed. "
                    "Reads DATABASE_URL.",
    )
    parser.add_argument("--quarter", required=True, help="calendar quarter, e.g. 2026Q3")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--output", type=Path, help="write here instead of stdout")
    parser.add_argument("--touchpoints", action="store_true",
                        help="GSA Touchpoints CX Data Collection layout (per response, US services; for OMB)")
    parser.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli import CLIError
    from bot.db import DatabaseUnavailable, check_connection, make_engine
    from bot.settings import load_settings
    from bot.survey.report import quarter_bounds

    try:
        quarter_bounds(args.quarter)
    except ValueError as exc:
        raise CLIError(str(exc)) from exc
    engine = make_engine(load_settings().database_url)
    try:
        check_connection(engine)
        text = render(engine, args.quarter.upper(), args.format, args.touchpoints)
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CLIError(f"cannot read the survey tables (has `signpost db upgrade` run?): {reason}") from exc
    finally:
        engine.dispose()
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def render(engine, quarter: str, fmt: str = "csv", touchpoints: bool = False) -> str:
    """The report (or the Touchpoints file) as text — what the CLI prints and the desk can serve."""
    from bot.survey.report import (
        TOUCHPOINTS_RESPONSE_COLUMNS,
        build_report,
        touchpoints_responses,
        write_csv,
        write_json,
    )

    buffer = io.StringIO()
    if touchpoints:
        rows = touchpoints_responses(engine, quarter)
        if fmt == "csv":
            write_csv(rows, buffer, TOUCHPOINTS_RESPONSE_COLUMNS)
        else:
            json.dump(rows, buffer, indent=2)
            buffer.write("\n")
    else:
        rows = build_report(engine, quarter)
        if fmt == "csv":
            write_csv(rows, buffer)
        else:
            write_json(rows, buffer, quarter)
    return buffer.getvalue()
