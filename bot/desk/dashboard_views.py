"""The logged-in dashboard: ``/desk/dashboard`` (charts with table alternatives) and its numbers as JSON.

Login is the desk middleware's job (every path under ``/desk``); these handlers only read ``request["user"]``.
Filters come as query parameters: ``start`` and ``end`` (dates, both included), ``jurisdiction``, ``service``,
``channel`` (empty = all). Internal numbers, so nothing is suppressed — but nothing personal is returned either.
Each chart is described once (:func:`chart_specs`); the page draws it with Chart.js and prints the same numbers
as a table.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import distinct, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db import session_factory
from bot.desk.auth import require_supervisor
from bot.desk.keys import ENGINE
from bot.desk.templating import render
from bot.survey.channels import display_name
from bot.survey.dashboard import Filters, handoff_waits, legacy_ratings, summary, weekly_index
from bot.survey.definition import DRIVERS_LABELS, NEGATIVE, POSITIVE
from bot.survey.failure_demand import (
    BOT_CAUSED,
    CHASING_PROGRESS,
    DONE_WRONG,
    EXPLAINING_LETTERS,
    REPEAT_CONTACT,
    SHOULD_HAVE_BEEN_ONLINE,
    WRONG_JURISDICTION,
)
from bot.survey.models import ContactRecord
from bot.survey.quarters import QuarterError, complete_quarter, latest_complete_quarter
from bot.survey.report_render import render_report
from knowledge.models import Service

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()

DEFAULT_WEEKS = 12
MAX_DAYS = 2 * 366
MAX_FILTER_CHARS = {"jurisdiction": 64, "service": 128, "channel": 32}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}
FAILURE_NAMES = {
    CHASING_PROGRESS: "Chasing progress", DONE_WRONG: "Something done wrong",
    EXPLAINING_LETTERS: "Explaining our letters", WRONG_JURISDICTION: "Wrong place or level of government",
    SHOULD_HAVE_BEEN_ONLINE: "Should have been online", BOT_CAUSED: "Caused by the assistant",
    REPEAT_CONTACT: "Repeat contact within 28 days", "other_avoidable": "Other avoidable contact",
}


class FilterError(ValueError):
    """A filter the dashboard cannot apply; the message is for the person who typed it."""


@dataclass(frozen=True)
class DashboardQuery:
    start: date
    end: date  # included
    filters: Filters

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time(), UTC), datetime.combine(self.end + timedelta(days=1), time(), UTC))

    def params(self) -> dict[str, str]:
        """As query parameters (what the form and the JSON link carry)."""
        values = {"start": self.start.isoformat(), "end": self.end.isoformat(),
                  "jurisdiction": self.filters.jurisdiction, "service": self.filters.service_id,
                  "channel": self.filters.channel}
        return {k: v for k, v in values.items() if v}


def _date(raw: str | None, name: str) -> date | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise FilterError(f"The {name} date must look like 2026-07-31 (year-month-day).")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"The {name} date {text} does not exist.") from exc


def _text(query: Mapping[str, str], name: str) -> str | None:
    value = (query.get(name) or "").strip()
    if len(value) > MAX_FILTER_CHARS[name]:
        raise FilterError(f"The {name} filter is too long (at most {MAX_FILTER_CHARS[name]} characters).")
    return value or None


def parse_query(query: Mapping[str, str], today: date) -> DashboardQuery:
    """Filters from the query string; by default the last 12 weeks (Monday to today) and everything."""
    end = _date(query.get("end"), "end") or today
    start = _date(query.get("start"), "start") or (end - timedelta(days=end.weekday(), weeks=DEFAULT_WEEKS - 1))
    if start > end:
        raise FilterError("The start date must be on or before the end date.")
    if (end - start).days >= MAX_DAYS:
        raise FilterError("Choose a period of at most two years.")
    filters = Filters(jurisdiction=_text(query, "jurisdiction"), service_id=_text(query, "service"),
                      channel=_text(query, "channel"))
    return DashboardQuery(start, end, filters)


# --- numbers -----------------------------------------------------------------------------------------------------

def _handoff_waits(engine: Engine, start: datetime, end: datetime, filters: Filters) -> dict[str, Any]:
    try:
        return {"available": True, **handoff_waits(engine, start, end, filters)}
    except SQLAlchemyError as exc:  # the handoff table is not there (yet)
        logger.warning("handoff wait times unavailable: %s", str(exc).splitlines()[0])
        return {"available": False}


def dashboard_data(engine: Engine, query: DashboardQuery) -> dict[str, Any]:
    """Everything the dashboard shows, as plain JSON-able data (the ``data.json`` body)."""
    start, end = query.bounds
    weekly = weekly_index(engine, start, end, query.filters)
    for week in weekly:
        week["response_rate"] = 100.0 * week["responses"] / week["offered"] if week["offered"] else None
    numbers = summary(engine, start, end, query.filters)
    conversations = numbers["conversations"]
    numbers["failure_demand_share"] = (100.0 * numbers["failure_demand_conversations"] / conversations
                                       if conversations else None)
    return {
        "period": {"start": query.start.isoformat(), "end": query.end.isoformat()},
        "filters": {"jurisdiction": query.filters.jurisdiction, "service": query.filters.service_id,
                    "channel": query.filters.channel},
        "weekly": weekly,
        "summary": numbers,
        "handoff_waits": _handoff_waits(engine, start, end, query.filters),
        "legacy": legacy_ratings(engine, start, end, query.filters),
    }


def filter_options(engine: Engine, query: DashboardQuery) -> dict[str, list[tuple[str, str]]]:
    """Values the filters can take: places and channels ever seen, services seen in the period."""
    start, end = query.bounds
    with session_factory(engine)() as session:
        places = sorted(p for p in session.execute(select(distinct(ContactRecord.jurisdiction))).scalars() if p)
        channels = sorted(c for c in session.execute(select(distinct(ContactRecord.channel))).scalars() if c)
        service_lists = session.execute(select(ContactRecord.service_ids).where(
            ContactRecord.started_at >= start, ContactRecord.started_at < end)).scalars().all()
    services = sorted({s for ids in service_lists for s in (ids or []) if isinstance(s, str)})
    names = _service_names(engine, services)
    selected = query.filters
    for values, value in ((places, selected.jurisdiction), (channels, selected.channel),
                          (services, selected.service_id)):
        if value and value not in values:
            values.append(value)
    return {
        "jurisdiction": [(p, p) for p in places],
        "service": sorted(((s, names.get(s, s)) for s in services), key=lambda o: o[1].lower()),
        "channel": [(c, display_name(c)) for c in channels],
    }


def _service_names(engine: Engine, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    try:
        with session_factory(engine)() as session:
            return dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all())
    except SQLAlchemyError:  # no catalogue tables in this database: ids are shown
        return {}


# --- charts ------------------------------------------------------------------------------------------------------

def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "minutes":
        return f"{value:.1f} min"
    if unit == "count":
        return f"{int(value):,}"
    return f"{value:.1f}"


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60.0


def _top(counts: Mapping[str, int], names: Mapping[str, str], total: int, n: int = 3) -> str:
    parts = [f"{names.get(k, k)} {v:,}" + (f" ({100.0 * v / total:.0f}%)" if total else "")
             for k, v in list(counts.items())[:n]]
    return ", ".join(parts)


def _series(label: str, values: list, unit: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "values": values, "unit": unit, "cells": [_fmt(v, unit) for v in values], **extra}


def chart_specs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One description per chart: title, a one-sentence summary, labels and series (the table shows the same)."""
    weekly, numbers, waits = data["weekly"], data["summary"], data["handoff_waits"]
    charts: list[dict[str, Any]] = []

    answered = [w for w in weekly if w["index"] is not None]
    if answered:
        last = answered[-1]
        band = (f", 95% confidence interval {last['ci_low']:.1f} to {last['ci_high']:.1f}"
                if last["ci_low"] is not None else "")
        text = (f"{len(weekly)} weeks. Latest week with answers ({last['week']}): index {last['index']:.1f} out of "
                f"100{band}, from {last['responses']} responses.")
    else:
        text = "No survey answers in this period."
    weeks = [w["week"] for w in weekly]
    charts.append({
        "id": "trend", "kind": "band", "unit": "index", "title": "Satisfaction index by week, with 95% confidence band",
        "summary": text, "label_header": "Week starting", "labels": weeks,
        "series": [
            _series("Satisfaction index", [w["index"] for w in weekly], "index"),
            _series("95% CI low", [w["ci_low"] for w in weekly], "index", role="band-low"),
            _series("95% CI high", [w["ci_high"] for w in weekly], "index", role="band-high"),
            _series("Satisfied (4 or 5)", [w["percent_satisfied"] for w in weekly], "percent", chart=False),
            _series("Responses", [w["responses"] for w in weekly], "count", chart=False),
        ],
    })

    offered, responses = numbers["surveys_offered"], numbers["responses"]
    charts.append({
        "id": "response-rate", "kind": "line", "unit": "percent", "title": "Survey response rate by week",
        "summary": (f"{_fmt(numbers['response_rate'], 'percent')} over the period: {responses:,} answers to "
                    f"{offered:,} surveys offered." if offered else "No survey was offered in this period."),
        "label_header": "Week starting", "labels": weeks,
        "series": [
            _series("Response rate", [w["response_rate"] for w in weekly], "percent"),
            _series("Surveys offered", [w["offered"] for w in weekly], "count", chart=False),
            _series("Responses", [w["responses"] for w in weekly], "count", chart=False),
        ],
    })

    drivers = numbers["drivers"]
    bases = numbers.get("driver_bases", {})

    def best(polarity: str) -> str:
        ranked = sorted(((v, k) for k, v in drivers[polarity].items() if v), reverse=True)
        return f"{DRIVERS_LABELS[ranked[0][1]]} ({ranked[0][0]:.0f}%)" if ranked else "none chosen"

    charts.append({
        "id": "drivers", "kind": "hbar", "unit": "percent", "title": "What went well, and what didn't",
        "summary": (f"Most chosen when it went well: {best(POSITIVE)}. When it didn't: {best(NEGATIVE)}. "
                    f"Bases: {bases.get(POSITIVE, {}).get('respondents', 0)} satisfied and "
                    f"{bases.get(NEGATIVE, {}).get('respondents', 0)} not satisfied respondents; the caseworker "
                    "option counts only respondents who were handed to a caseworker."),
        "label_header": "Driver", "labels": list(DRIVERS_LABELS.values()),
        "series": [
            _series("Went well (% of satisfied)", [drivers[POSITIVE][k] for k in DRIVERS_LABELS], "percent"),
            _series("Didn't go well (% of not satisfied)", [drivers[NEGATIVE][k] for k in DRIVERS_LABELS],
                    "percent"),
        ],
    })

    conversations = numbers["conversations"]
    channel_names = {code: display_name(code) for code in numbers["volumes"]["channel"]}
    for key, title, names in (("channel", "Conversations by channel", channel_names),
                              ("language", "Conversations by language", LANGUAGE_NAMES),
                              ("jurisdiction", "Conversations by place", {})):
        counts = numbers["volumes"][key]
        charts.append({
            "id": f"volume-{key}", "kind": "bar", "unit": "count", "title": title,
            "summary": (f"{conversations:,} conversations: {_top(counts, names, conversations)}."
                        if conversations else "No conversations in this period."),
            "label_header": key.capitalize() if key != "jurisdiction" else "Place",
            "labels": [names.get(k, k) for k in counts],
            "series": [_series("Conversations", list(counts.values()), "count")],
        })

    handoff_text = f"Handoff rate {_fmt(numbers['handoff_rate'], 'percent')} of conversations."
    if waits.get("available") and waits["requested"]:
        handoff_text += (
            f" {waits['requested']:,} handoffs requested, {waits['claimed']:,} picked up by a caseworker; median "
            f"wait {_fmt(_minutes(waits['median_wait_seconds']), 'minutes')}, 90th percentile "
            f"{_fmt(_minutes(waits['p90_wait_seconds']), 'minutes')}; {waits['still_waiting']} still waiting, "
            f"{waits['cancelled']} cancelled.")
    elif waits.get("available"):
        handoff_text += " No handoff requests in this period."
    else:
        handoff_text += " Wait times are not available (no handoff table in this database)."
    buckets = waits.get("buckets") if waits.get("claimed") else []
    charts.append({
        "id": "handoff-waits", "kind": "bar", "unit": "count", "title": "Handoffs: time waiting for a caseworker",
        "summary": handoff_text, "label_header": "Wait", "labels": [b["label"] for b in buckets],
        "series": [_series("Handoffs", [b["count"] for b in buckets], "count")],
    })
    weekly_waits = waits.get("weekly") or []
    charts.append({
        "id": "handoff-weekly", "kind": "line", "unit": "minutes", "title": "Median wait for a caseworker by week",
        "summary": (f"{len(weekly_waits)} weeks with handoff requests." if weekly_waits
                    else "No handoff requests in this period."),
        "label_header": "Week starting", "labels": [w["week"] for w in weekly_waits],
        "series": [
            _series("Median wait", [_minutes(w["median_wait_seconds"]) for w in weekly_waits], "minutes"),
            _series("Requested", [w["requested"] for w in weekly_waits], "count", chart=False),
            _series("Picked up", [w["claimed"] for w in weekly_waits], "count", chart=False),
        ],
    })

    failure = numbers["failure_demand_by_type"]
    ranked = sorted(failure.items(), key=lambda kv: (-kv[1], kv[0]))
    charts.append({
        "id": "failure-demand", "kind": "hbar", "unit": "count", "title": "Failure demand by type",
        "summary": (f"{numbers['failure_demand_conversations']:,} of {conversations:,} conversations "
                    f"({_fmt(numbers['failure_demand_share'], 'percent')}) show failure demand"
                    + (f"; most often {FAILURE_NAMES.get(ranked[0][0], ranked[0][0]).lower()} ({ranked[0][1]:,})."
                       if ranked else ".") + " A conversation can show several types."
                    if conversations else "No conversations in this period."),
        "label_header": "Type", "labels": [FAILURE_NAMES.get(k, k) for k, _ in ranked],
        "series": [
            _series("Conversations", [v for _, v in ranked], "count"),
            _series("Share of conversations", [100.0 * v / conversations if conversations else None
                                               for _, v in ranked], "percent", chart=False),
        ],
    })

    unmet = numbers["unmet_needs"]
    why = {"no_service": "no service matched", "out_of_scope": "refused as out of scope"}
    labels = [f"{u['topic'].replace('_', ' ')} ({u['jurisdiction']}, {why.get(u.get('reason'), 'no service matched')})"
              for u in unmet]
    charts.append({
        "id": "unmet-needs", "kind": "hbar", "unit": "count",
        "title": "Top unmet needs (no service matched, or refused as out of scope)",
        "summary": (f"Most asked for without a match: {labels[0]}, {unmet[0]['count']:,} conversations."
                    if unmet else "No unmet needs recorded in this period."),
        "label_header": "Need (place)", "labels": labels,
        "series": [_series("Conversations", [u["count"] for u in unmet], "count")],
    })
    return charts


def headline_stats(data: dict[str, Any]) -> list[tuple[str, str]]:
    numbers, waits = data["summary"], data["handoff_waits"]
    headline = numbers["headline"]
    index = _fmt(headline["index"], "index")
    if headline["ci_low"] is not None:
        index += f" ({headline['ci_low']:.1f} to {headline['ci_high']:.1f})"
    stats = [
        ("Conversations", _fmt(numbers["conversations"], "count")),
        ("Surveys offered", _fmt(numbers["surveys_offered"], "count")),
        ("Responses", _fmt(numbers["responses"], "count")),
        ("Response rate", _fmt(numbers["response_rate"], "percent")),
        ("Satisfaction index (95% CI)", index),
        ("Trust index", _fmt(numbers["trust"]["index"], "index")),
        ("Handoff rate", _fmt(numbers["handoff_rate"], "percent")),
        ("Failure demand", _fmt(numbers["failure_demand_share"], "percent")),
        ("Had contacted us before (own answer)", _fmt(numbers["not_first_contact_pct"], "percent")),
    ]
    if waits.get("available"):
        stats.append(("Median wait for a caseworker", _fmt(_minutes(waits["median_wait_seconds"]), "minutes")))
    legacy = data.get("legacy") or {}
    if legacy.get("count"):
        stats.append((f"Imported ratings ({', '.join(legacy['sources'])}; n={legacy['count']})",
                      _fmt(legacy["index"]["index"], "index")))
    return stats


# --- handlers ----------------------------------------------------------------------------------------------------

def _today() -> date:
    return datetime.now(UTC).date()


@routes.get("/desk/dashboard/data.json")
async def dashboard_json(request: web.Request) -> web.Response:
    try:
        query = parse_query(request.query, _today())
    except FilterError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    try:
        data = await asyncio.to_thread(dashboard_data, request.app[ENGINE], query)
    except SQLAlchemyError:
        logger.exception("dashboard data failed")
        return web.json_response({"error": "The dashboard cannot read the database right now."}, status=503)
    return web.json_response(data, headers={"Cache-Control": "no-store"})


def _page_data(engine: Engine, query: DashboardQuery) -> tuple[dict, dict, list]:
    data = dashboard_data(engine, query)
    options = filter_options(engine, query)
    return data, options, chart_specs(data)


@routes.get("/desk/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    context: dict[str, Any] = {"user": request.get("user"), "csrf_token": request.get("csrf_token"),
                               "error": None, "charts": [], "stats": [], "data": None, "json_url": None,
                               "options": {"jurisdiction": [], "service": [], "channel": []}}
    try:
        query = parse_query(request.query, _today())
    except FilterError as exc:
        fallback = parse_query({}, _today())
        context.update(error=str(exc), query=fallback, selected={"start": request.query.get("start", ""),
                                                                 "end": request.query.get("end", "")})
        return render("dashboard.html", status=400, headers={"Cache-Control": "no-store"}, **context)
    try:
        data, options, charts = await asyncio.to_thread(_page_data, engine, query)
    except SQLAlchemyError:
        logger.exception("dashboard page failed")
        return web.Response(text="The dashboard cannot read the database right now.\n", status=503,
                            content_type="text/plain")
    context.update(query=query, selected={"start": query.start.isoformat(), "end": query.end.isoformat()},
                   data=data, options=options, charts=charts, stats=headline_stats(data),
                   json_url="/desk/dashboard/data.json?" + urlencode(query.params()),
                   chart_data={"charts": charts})
    return render("dashboard.html", headers={"Cache-Control": "no-store"}, **context)


@routes.get("/desk/dashboard/touchpoints-responses.csv")
async def touchpoints_responses_file(request: web.Request) -> web.Response:
    """The per-response GSA Touchpoints CX Data Collection upload for OMB (not public): supervisors only."""
    require_supervisor(request)
    now = datetime.now(UTC)
    try:
        raw = request.query.get("quarter")
        quarter = complete_quarter(raw, now) if raw else latest_complete_quarter(now)
    except QuarterError as exc:
        return web.Response(text=f"{exc}\n", status=400, content_type="text/plain")
    text = await asyncio.to_thread(render_report, request.app[ENGINE], quarter, "csv", True)
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="signpost-touchpoints-responses-{quarter}.csv"',
        "Cache-Control": "no-store"})
