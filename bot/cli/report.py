"""``signpost report``: the public quarterly report (CSV/JSON) or the Touchpoints upload file."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.errors import CLIError
from bot.db import DatabaseUnavailable, check_connection, make_engine
from bot.settings import load_settings
from bot.survey.quarters import QuarterError, parse_quarter
from bot.survey.report_render import render_report
from bot.survey.store import import_legacy_rating


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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

    ratings = sub.add_parser(
        "import-ratings", help="import satisfaction ratings collected elsewhere, converted to the 0-100 index",
        description="CSV with a header: id, value, rated_at (YYYY-MM-DD or ISO time), and optionally scale_min, "
                    "scale_max, jurisdiction, service, channel. Every row is checked first; any error names the "
                    "file and line and nothing is imported. Re-importing the same source and id updates the row.",
    )
    ratings.add_argument("file", type=Path)
    ratings.add_argument("--source", required=True, help="where the ratings come from, e.g. 'ns-311-2025'")
    ratings.add_argument("--scale", help="the scale for rows without scale_min/scale_max, e.g. 1-5 or 0-10")
    ratings.set_defaults(handler=run_import_ratings)


def run_report(args: argparse.Namespace) -> int:
    try:
        quarter = parse_quarter(args.quarter)
    except QuarterError as exc:
        raise CLIError(str(exc)) from exc
    engine = make_engine(load_settings().database_url)
    try:
        check_connection(engine)
        text = render_report(engine, quarter, args.format, args.touchpoints)
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


def parse_ratings(path: Path, default_scale: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's rows as keyword arguments for ``import_legacy_rating``, and its errors as ``file:line: …``."""
    def scale_of(text: str) -> tuple[float, float]:
        low, _, high = text.partition("-")
        return float(low), float(high)

    rows, errors = [], []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        return [], [f"{path}: {exc.strerror}"]
    with handle:
        reader = csv.DictReader(handle)
        missing = {"id", "value", "rated_at"} - set(reader.fieldnames or [])
        if missing:
            return [], [f"{path}:1: missing column(s): {', '.join(sorted(missing))}"]
        for line, raw in enumerate(reader, start=2):
            try:
                if raw.get("scale_min") and raw.get("scale_max"):
                    low, high = float(raw["scale_min"]), float(raw["scale_max"])
                elif default_scale:
                    low, high = scale_of(default_scale)
                else:
                    raise ValueError("no scale: give scale_min/scale_max or --scale")
                value = float(raw["value"])
                if not low <= value <= high or low >= high:
                    raise ValueError(f"value {raw['value']} is outside the scale {low:g}-{high:g}")
                rated = datetime.fromisoformat(raw["rated_at"].strip())
                if not (raw.get("id") or "").strip():
                    raise ValueError("empty id")
            except (ValueError, TypeError, AttributeError) as exc:
                errors.append(f"{path}:{line}: {exc}")
                continue
            rows.append({"source_id": raw["id"].strip(), "value": value, "scale_min": low, "scale_max": high,
                         "rated_at": rated if rated.tzinfo else rated.replace(tzinfo=UTC),
                         "jurisdiction": raw.get("jurisdiction") or None, "service_id": raw.get("service") or None,
                         "channel": raw.get("channel") or None})
    return rows, errors


def run_import_ratings(args: argparse.Namespace) -> int:
    rows, errors = parse_ratings(args.file, args.scale)
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        raise CLIError(f"{len(errors)} bad row(s); nothing imported")
    engine = make_engine(load_settings().database_url)
    try:
        check_connection(engine)
        indexes = [import_legacy_rating(engine, source=args.source, **row) for row in rows]
    except DatabaseUnavailable as exc:
        raise CLIError(str(exc)) from exc
    finally:
        engine.dispose()
    mean = sum(indexes) / len(indexes) if indexes else 0.0
    print(f"imported {len(indexes)} rating(s) from {args.source}: mean index {mean:.1f} on 0-100")
    return 0
