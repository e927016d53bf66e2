"""The public quarterly report on the web (no login): the page, its CSV/JSON files and the OMB A-11 summary.

The files are exactly what ``signpost report`` writes (:mod:`bot.survey.report_render`): same rows, same
suppression and low-base flags, no free text. The page shows the headline columns of the same rows and the
methodology. Only complete calendar quarters are published.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db import session_factory
from bot.desk.keys import ENGINE
from bot.desk.templating import render
from bot.survey.channels import display_name
from bot.survey.definition import DRIVERS_LABELS, LIKERT_LABELS, QUESTION_VERSION, WORDING
from bot.survey.models import ContactRecord, SurveyOffer
from bot.survey.quarters import (
    QuarterError,
    complete_quarter,
    latest_complete_quarter,
    quarter_bounds,
    quarter_name,
    quarter_of,
)
from bot.survey.report import LOW_BASE_MAX, NO_SERVICE, build_report, methodology
from bot.survey.report_render import render_report, render_touchpoints_summary
from bot.survey.suppression import ALL, COMPLEMENTARY, PRIMARY, THRESHOLD
from knowledge.clock import as_utc
from knowledge.models import Jurisdiction, Service

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()

MAX_QUARTERS_LISTED = 40
FILE_HEADERS = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*",
                "X-Content-Type-Options": "nosniff"}


def published_quarters(engine: Engine, now: datetime) -> list[str]:
    """Complete quarters from the first with data to the latest, newest first (at least the latest)."""
    latest = latest_complete_quarter(now)
    with session_factory(engine)() as session:
        firsts = [session.execute(select(func.min(ContactRecord.started_at))).scalar(),
                  session.execute(select(func.min(SurveyOffer.offered_at))).scalar()]
    firsts = [as_utc(f) for f in firsts if f is not None]
    quarters = [latest]
    if firsts:
        cursor, stop = quarter_bounds(latest)[0], quarter_bounds(quarter_of(min(firsts)))[0]
        while cursor > stop and len(quarters) < MAX_QUARTERS_LISTED:
            cursor = quarter_bounds(quarter_of(cursor - timedelta(days=1)))[0]
            quarters.append(quarter_of(cursor))
    return quarters


# --- files -------------------------------------------------------------------------------------------------------

def report_csv(engine: Engine, quarter: str) -> str:
    return render_report(engine, quarter, "csv")


def report_json(engine: Engine, quarter: str) -> str:
    return render_report(engine, quarter, "json")


FILES: dict[str, tuple[Callable[[Engine, str], str], str, str]] = {
    "csv": (report_csv, "text/csv", "signpost-report-{quarter}.csv"),
    "json": (report_json, "application/json", "signpost-report-{quarter}.json"),
    "touchpoints": (render_touchpoints_summary, "text/csv", "signpost-a11-summary-{quarter}.csv"),
}


async def _serve_file(request: web.Request, kind: str) -> web.Response:
    build, content_type, filename = FILES[kind]
    raw = request.query.get("quarter")
    now = datetime.now(UTC)
    try:
        quarter = complete_quarter(raw, now) if raw else latest_complete_quarter(now)
    except QuarterError as exc:
        if kind == "json":
            return web.json_response({"error": str(exc)}, status=400, headers=FILE_HEADERS)
        return web.Response(text=f"{exc}\n", status=400, content_type="text/plain", headers=FILE_HEADERS)
    try:
        text = await asyncio.to_thread(build, request.app[ENGINE], quarter)
    except SQLAlchemyError:
        logger.exception("public report %s for %s failed", kind, quarter)
        return web.Response(text="The report cannot be read right now. Please try again later.\n", status=503,
                            content_type="text/plain")
    headers = {**FILE_HEADERS, "Content-Disposition": f'attachment; filename="{filename.format(quarter=quarter)}"'}
    return web.Response(text=text, content_type=content_type, charset="utf-8", headers=headers)


@routes.get("/public/report.csv")
async def report_csv_file(request: web.Request) -> web.Response:
    return await _serve_file(request, "csv")


@routes.get("/public/report.json")
async def report_json_file(request: web.Request) -> web.Response:
    return await _serve_file(request, "json")


@routes.get("/public/report.touchpoints.csv")
async def report_touchpoints_file(request: web.Request) -> web.Response:
    return await _serve_file(request, "touchpoints")


# --- the page ----------------------------------------------------------------------------------------------------

def _number(value: Any, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}{suffix}"
    return f"{value:,}{suffix}"


def _catalogue_names(engine: Engine, rows: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """Service and jurisdiction names from the catalogue, where it is loaded (ids are shown otherwise)."""
    try:
        service_ids = {r["service_id"] for r in rows} - {ALL, NO_SERVICE}
        places = {r["jurisdiction"] for r in rows}
        with session_factory(engine)() as session:
            services = dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids))).all())
            jurisdictions = dict(session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(places))).all())
    except SQLAlchemyError:  # no catalogue tables in this database
        return {}, {}
    return services, jurisdictions


def page_tables(rows: list[dict], services: dict[str, str], places: dict[str, str]) -> list[dict]:
    """The report rows grouped by jurisdiction, formatted for the page (the files carry every column)."""
    tables: dict[str, dict] = {}
    for row in rows:
        place = row["jurisdiction"]
        table = tables.setdefault(place, {
            "code": place, "name": places.get(place, place), "rows": [], "headline": None,
        })
        service = row["service_id"]
        shown = {
            "service": ("All services" if service == ALL else "No service shown" if service == NO_SERVICE
                        else services.get(service, service)),
            "service_id": service,
            "channel": "All channels" if row["channel"] == ALL else display_name(row["channel"]),
            "channel_code": row["channel"],
            "margin": ALL in (service, row["channel"]),
            "suppressed": row["suppressed"],
            "low_base": row["base"] == "low base",
        }
        if not row["suppressed"]:
            ci = ""
            if row["satisfaction_index_ci_low"] is not None:
                ci = f" ({row['satisfaction_index_ci_low']:.1f}–{row['satisfaction_index_ci_high']:.1f})"
            shown["cells"] = [
                _number(row["conversations"]), _number(row["surveys_offered"]), _number(row["responses"]),
                _number(row["response_rate"], "%"), _number(row["satisfaction_index"]) + ci,
                _number(row["percent_satisfied"], "%"), _number(row["trust_index"]),
                _number(row["completion_rate"], "%"), _number(row["handoff_rate"], "%"),
                _number(row["failure_demand_share"], "%"),
            ]
        if (service, row["channel"]) == (ALL, ALL) and not row["suppressed"]:
            table["headline"] = row
        table["rows"].append(shown)
    return list(tables.values())


def methodology_sections(text: str) -> list[dict]:
    """:func:`bot.survey.report.methodology` (the text the JSON file carries) as titled sections for HTML."""
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    sections = []
    for block in blocks[1:]:  # the first block is the document title
        lines = block.splitlines()
        items: list[str] = []
        if len(lines) > 1 and re.match(r"\d+\. ", lines[1]):
            title, body = lines[0].rstrip(":"), ""
            for line in lines[1:]:
                if re.match(r"\d+\. ", line):
                    items.append(line.split(". ", 1)[1])
                elif items:
                    items[-1] += " " + line.strip()
        else:
            joined = " ".join(line.strip() for line in lines)
            match = re.match(r"([A-Z][A-Za-z ]{2,30})\. (.*)", joined)
            title, body = (match.group(1), match.group(2)) if match else ("", joined)
        sections.append({"title": title, "body": body, "entries": items})
    return sections


def _page_context(now: datetime, quarters: list[str], quarter: str | None) -> dict[str, Any]:
    return {
        "quarter_options": [(q, quarter_name(q)) for q in quarters], "quarter": quarter,
        "quarter_name": quarter_name(quarter) if quarter else None, "latest": latest_complete_quarter(now),
        "methodology": methodology_sections(methodology()), "question_version": QUESTION_VERSION,
        "likert": [(point, label, round(100 * (point - 1) / 4)) for point, label in LIKERT_LABELS.items()],
        "drivers": DRIVERS_LABELS, "wording": WORDING, "threshold": THRESHOLD, "low_base_max": LOW_BASE_MAX,
        "primary": PRIMARY, "complementary": COMPLEMENTARY, "error": None, "tables": [],
    }


@routes.get("/public/report")
async def report_page(request: web.Request) -> web.Response:
    """The quarter's report as a page, with the quarter picker, the downloads and the methodology."""
    engine = request.app[ENGINE]
    now = datetime.now(UTC)
    raw = request.query.get("quarter")
    try:
        quarters = await asyncio.to_thread(published_quarters, engine, now)
        try:
            quarter = complete_quarter(raw, now) if raw else latest_complete_quarter(now)
        except QuarterError as exc:
            context = _page_context(now, quarters, None)
            return render("public_report.html", status=400, **{**context, "error": str(exc)})
        rows = await asyncio.to_thread(build_report, engine, quarter)
        services, places = await asyncio.to_thread(_catalogue_names, engine, rows)
    except SQLAlchemyError:
        logger.exception("public report page failed")
        return web.Response(text="The report cannot be read right now. Please try again later.\n", status=503,
                            content_type="text/plain")
    if quarter not in quarters:
        quarters = sorted({*quarters, quarter}, reverse=True)
    context = _page_context(now, quarters, quarter)
    context["tables"] = page_tables(rows, services, places)
    return render("public_report.html", headers={"Cache-Control": "public, max-age=300"}, **context)
