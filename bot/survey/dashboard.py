"""Numbers behind the logged-in dashboard: index trend by week, drivers, volumes, failure and unmet demand.

Internal (caseworkers and service owners), so nothing is suppressed here — but nothing personal is returned
either: counts, means and redacted-free aggregates only. The desk draws the charts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_factory
from bot.handoff.models import Handoff
from bot.survey.channels import report_code
from bot.survey.definition import DRIVERS_LABELS, HANDOFF_ONLY_DRIVERS, NEGATIVE, POSITIVE, driver_polarity
from bot.survey.failure_demand import Signals, behavioural_signals, failure_demand_by_type, is_failure_demand
from bot.survey.index import headline_index, index_estimate, percent_satisfied
from bot.survey.models import (
    NO_SERVICE,
    ContactRecord,
    LegacyRating,
    SurveyOffer,
    SurveyResponse,
    UnmetDemand,
)
from bot.survey.report import contact_facts
from knowledge.clock import as_utc


@dataclass(frozen=True)
class Filters:
    """Dashboard filters; ``None`` means all."""

    jurisdiction: str | None = None
    service_id: str | None = None
    channel: str | None = None

    def keep(self, jurisdiction: str | None, service_ids: list[str] | None, channel: str | None) -> bool:
        return ((self.jurisdiction is None or jurisdiction == self.jurisdiction)
                and (self.service_id is None or self.service_id in (service_ids or []))
                and (self.channel is None or channel == self.channel))


def week_start(moment: datetime) -> str:
    """ISO week start (Monday) as a date string: the x axis of the trend."""
    moment = as_utc(moment)
    return (moment - timedelta(days=moment.weekday())).date().isoformat()


def _responses(engine: Engine, start: datetime, end: datetime,
               filters: Filters) -> list[tuple[SurveyOffer, SurveyResponse | None]]:
    with session_factory(engine)() as session:
        pairs = session.execute(
            select(SurveyOffer, SurveyResponse)
            .outerjoin(SurveyResponse, SurveyResponse.offer_id == SurveyOffer.id)
            .where(SurveyOffer.offered_at >= start, SurveyOffer.offered_at < end)
        ).all()
    return [(o, r) for o, r in pairs if filters.keep(o.jurisdiction, o.service_ids, o.channel)]


def weekly_index(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters()) -> list[dict[str, Any]]:
    """Headline index per week with its 95% confidence band and % satisfied."""
    by_week: dict[str, list[int]] = defaultdict(list)
    offered: Counter[str] = Counter()
    for offer, response in _responses(engine, start, end, filters):
        week = week_start(offer.offered_at)
        offered[week] += 1
        if response is not None and response.satisfaction is not None:
            by_week[week].append(response.satisfaction)
    trend = []
    for week in sorted(offered):
        estimate = headline_index(by_week[week])
        trend.append({"week": week, "offered": offered[week], "responses": estimate.n, "index": estimate.index,
                      "ci_low": estimate.ci_low, "ci_high": estimate.ci_high,
                      "percent_satisfied": percent_satisfied(by_week[week])})
    return trend


def summary(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters(), top: int = 10) -> dict[str, Any]:
    """Everything else the dashboard charts: drivers, response rate, volumes, handoffs, failure and unmet
    demand (top needs by place and topic)."""
    pairs = _responses(engine, start, end, filters)
    answered = [(o, r) for o, r in pairs if r is not None and r.satisfaction is not None]
    drivers: dict[str, Counter[str]] = {POSITIVE: Counter(), NEGATIVE: Counter()}
    branch: Counter[str] = Counter()
    branch_handoff: Counter[str] = Counter()  # the base of the caseworker driver, as in the public report
    for offer, response in answered:
        polarity = driver_polarity(response.satisfaction)
        branch[polarity] += 1
        branch_handoff[polarity] += bool(offer.handed_off)
        if response.drivers and response.drivers_polarity == polarity:
            drivers[polarity].update(response.drivers)

    def driver_base(polarity: str, key: str) -> int:
        return branch_handoff[polarity] if key in HANDOFF_ONLY_DRIVERS else branch[polarity]

    with session_factory(engine)() as session:
        contacts = session.execute(select(ContactRecord).where(
            ContactRecord.started_at >= start - timedelta(days=28), ContactRecord.started_at < end,
        )).scalars().all()
        unmet = session.execute(select(UnmetDemand).where(
            UnmetDemand.asked_at >= start, UnmetDemand.asked_at < end)).scalars().all()
    facts = [contact_facts(c) for c in contacts]
    signals = behavioural_signals(facts)
    in_period = [(c, f) for c, f in zip(contacts, facts, strict=True)
                 if start <= f.started_at < end and filters.keep(c.jurisdiction, c.service_ids, c.channel)]
    volumes: dict[str, Counter[str]] = {"channel": Counter(), "language": Counter(), "jurisdiction": Counter()}
    for contact, _ in in_period:
        volumes["channel"][contact.channel] += 1
        volumes["language"][contact.language] += 1
        volumes["jurisdiction"][contact.jurisdiction or "unknown"] += 1
    conversations = len(in_period)
    # An unmet need matched no service, so the service filter does not apply to it; place and channel do.
    needs = Counter((u.jurisdiction or "unknown", u.topic or "unknown", u.reason or NO_SERVICE) for u in unmet
                    if (filters.jurisdiction is None or u.jurisdiction == filters.jurisdiction)
                    and (filters.channel is None or u.channel == filters.channel))
    return {
        "conversations": conversations,
        "surveys_offered": len(pairs),
        "responses": len(answered),
        "response_rate": 100.0 * len(answered) / len(pairs) if pairs else None,
        "headline": asdict(headline_index([r.satisfaction for _, r in answered])),
        "trust": asdict(headline_index([r.trust for _, r in answered if r.trust is not None])),
        # the citizen's own word on failure demand (item 4), as in the report's not_first_contact_pct
        "first_time": dict(Counter(r.first_time for _, r in answered if r.first_time)),
        "not_first_contact_pct": _share([r.first_time for _, r in answered if r.first_time], "no"),
        "drivers": {
            polarity: {k: (100.0 * drivers[polarity][k] / driver_base(polarity, k)
                           if driver_base(polarity, k) else None)
                       for k in DRIVERS_LABELS}
            for polarity in (POSITIVE, NEGATIVE)
        },
        "driver_bases": {polarity: {"respondents": branch[polarity], "handed_off": branch_handoff[polarity]}
                         for polarity in (POSITIVE, NEGATIVE)},
        "volumes": {k: dict(v.most_common()) for k, v in volumes.items()},
        "handoff_rate": (100.0 * sum(c.handed_off for c, _ in in_period) / conversations) if conversations else None,
        "failure_demand_by_type": failure_demand_by_type([f for _, f in in_period], signals),
        "failure_demand_conversations": sum(
            is_failure_demand(f, signals.get(f.conversation_id, Signals())) for _, f in in_period),
        "unmet_needs": [{"jurisdiction": j, "topic": t, "reason": r, "count": n}
                        for (j, t, r), n in needs.most_common(top)],
    }


def _share(values: list[str], value: str) -> float | None:
    return 100.0 * values.count(value) / len(values) if values else None


WAIT_BUCKETS = ((60, "under 1 minute"), (5 * 60, "1 to 5 minutes"), (15 * 60, "5 to 15 minutes"),
                (60 * 60, "15 to 60 minutes"), (None, "over 1 hour"))


def _percentile(sorted_values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (the median of an even count is the lower middle value)."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def handoff_waits(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters()) -> dict[str, Any]:
    """How long citizens waited for a caseworker: handoffs requested in the period, time to claim.

    Reads the desk's ``handoff`` table (place = its location code, services = the services shown before the
    handoff). A handoff never claimed is not a wait time: it is counted as still waiting or cancelled.
    """
    with session_factory(engine)() as session:
        rows = session.execute(select(Handoff).where(
            Handoff.requested_at >= start, Handoff.requested_at < end)).scalars().all()
    kept = [h for h in rows if filters.keep(h.location, _service_ids(h.shown_services), report_code(h.channel))]
    waits: list[float] = []
    weekly: dict[str, list[float]] = defaultdict(list)
    requested_by_week: Counter[str] = Counter()
    for handoff in kept:
        week = week_start(handoff.requested_at)
        requested_by_week[week] += 1
        if handoff.claimed_at is not None:
            wait = max(0.0, (as_utc(handoff.claimed_at) - as_utc(handoff.requested_at)).total_seconds())
            waits.append(wait)
            weekly[week].append(wait)
    waits.sort()
    buckets = []
    lower = 0
    for upper, label in WAIT_BUCKETS:
        buckets.append({"label": label, "count": sum(1 for w in waits if w >= lower and (upper is None or w < upper))})
        lower = upper or lower
    status = Counter(h.status for h in kept)
    return {
        "requested": len(kept),
        "claimed": len(waits),
        "still_waiting": status["waiting"],
        "cancelled": status["cancelled"],
        "median_wait_seconds": _percentile(waits, 0.5),
        "p90_wait_seconds": _percentile(waits, 0.9),
        "mean_wait_seconds": sum(waits) / len(waits) if waits else None,
        "buckets": buckets,
        "weekly": [{"week": week, "requested": requested_by_week[week], "claimed": len(weekly[week]),
                    "median_wait_seconds": _percentile(sorted(weekly[week]), 0.5)}
                   for week in sorted(requested_by_week)],
    }


def _service_ids(shown: object) -> list[str]:
    """Service ids from a handoff's ``shown_services`` (ids, or service objects with an ``id``)."""
    if not isinstance(shown, list):
        return []
    return [s if isinstance(s, str) else str(s.get("id")) for s in shown if isinstance(s, str | dict)]


def legacy_ratings(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters()) -> dict[str, Any]:
    """Ratings imported from other instruments ("4/5", "6/10"), on the same 0–100 index, kept apart from the
    A-11 survey's own index so the two are never mixed silently."""
    with session_factory(engine)() as session:
        rows = session.scalars(select(LegacyRating).where(LegacyRating.rated_at >= start,
                                                          LegacyRating.rated_at < end)).all()
    kept = [r for r in rows if filters.keep(r.jurisdiction, [r.service_id] if r.service_id else [], r.channel)]
    estimate = index_estimate([r.item_index for r in kept]) if kept else None
    return {"count": len(kept), "sources": sorted({r.source for r in kept}),
            "index": asdict(estimate) if estimate else None}
