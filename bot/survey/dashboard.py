"""Numbers behind the logged-in dashboard: index trend by week, drivers, volumes, failure and unmet demand.

Internal (caseworkers and service owners), so nothing is suppressed here — but nothing personal is returned
either: counts, means and redacted-free aggregates only. The desk draws the charts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_factory
from bot.survey.definition import DRIVERS_LABELS, NEGATIVE, POSITIVE, driver_polarity
from bot.survey.failure_demand import behavioural_signals, failure_demand_by_type
from bot.survey.index import headline_index, percent_satisfied
from bot.survey.models import ContactRecord, SurveyOffer, SurveyResponse, UnmetDemand
from bot.survey.report import contact_facts
from bot.survey.store import as_utc


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


def _responses(engine: Engine, start: datetime, end: datetime, filters: Filters):
    with session_factory(engine)() as session:
        pairs = session.execute(
            select(SurveyOffer, SurveyResponse)
            .outerjoin(SurveyResponse, SurveyResponse.offer_id == SurveyOffer.id)
            .where(SurveyOffer.offered_at >= start, SurveyOffer.offered_at < end)
        ).all()
    return [(o, r) for o, r in pairs if filters.keep(o.jurisdiction, o.service_ids, o.channel)]


def weekly_index(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters()) -> list[dict]:
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


def summary(engine: Engine, start: datetime, end: datetime, filters: Filters = Filters(), top: int = 10) -> dict:
    """Everything else the dashboard charts: drivers, response rate, volumes, handoffs, failure and unmet
    demand (top needs by place and topic)."""
    pairs = _responses(engine, start, end, filters)
    answered = [(o, r) for o, r in pairs if r is not None and r.satisfaction is not None]
    drivers: dict[str, Counter[str]] = {POSITIVE: Counter(), NEGATIVE: Counter()}
    branch: Counter[str] = Counter()
    for _offer, response in answered:
        polarity = driver_polarity(response.satisfaction)
        branch[polarity] += 1
        if response.drivers and response.drivers_polarity == polarity:
            drivers[polarity].update(response.drivers)

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
    needs = Counter((u.jurisdiction or "unknown", u.topic or "unknown") for u in unmet
                    if filters.jurisdiction is None or u.jurisdiction == filters.jurisdiction)
    return {
        "conversations": conversations,
        "surveys_offered": len(pairs),
        "responses": len(answered),
        "response_rate": 100.0 * len(answered) / len(pairs) if pairs else None,
        "headline": asdict(headline_index([r.satisfaction for _, r in answered])),
        "drivers": {
            polarity: {k: (100.0 * drivers[polarity][k] / branch[polarity] if branch[polarity] else None)
                       for k in DRIVERS_LABELS}
            for polarity in (POSITIVE, NEGATIVE)
        },
        "volumes": {k: dict(v.most_common()) for k, v in volumes.items()},
        "handoff_rate": (100.0 * sum(c.handed_off for c, _ in in_period) / conversations) if conversations else None,
        "failure_demand_by_type": failure_demand_by_type([f for _, f in in_period], signals),
        "unmet_needs": [{"jurisdiction": j, "topic": t, "count": n} for (j, t), n in needs.most_common(top)],
    }
