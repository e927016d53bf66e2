"""Dashboard numbers from a handful of conversations: weekly index with band, drivers, volumes, demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import make_engine
from bot.survey.dashboard import Filters, summary, week_start, weekly_index
from bot.survey.store import record_contact, record_offer, record_unmet_demand, submit_response

MONDAY = datetime(2026, 7, 6, 10, tzinfo=UTC)


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    # week 1: satisfaction 5, 4, 2 on web; week 2: 3 on SMS, plus one offer nobody answered
    plan = [(0, "web", 5, ["ease"]), (1, "web", 4, ["ease", "humanity"]), (2, "web", 2, ["efficiency"]),
            (8, "twilio", 3, None), (9, "twilio", None, None)]
    for i, (day, channel, satisfaction, drivers) in enumerate(plan):
        cid = f"c{i}"
        moment = MONDAY + timedelta(days=day)
        record_contact(engine, cid, channel=channel, jurisdiction="US-CO", service_ids=["us-snap"],
                       started_at=moment, citizen_key="same-person" if i < 2 else f"p{i}", handed_off=i == 2)
        record_offer(engine, cid, channel=channel, end_point="results", jurisdiction="US-CO",
                     service_ids=["us-snap"], offered_at=moment + timedelta(minutes=5))
        if satisfaction:
            submit_response(engine, cid, {"satisfaction": satisfaction, "drivers": drivers})
    record_unmet_demand(engine, "c9", query="dog food", topic="pet_care", jurisdiction="US-CO",
                        asked_at=MONDAY + timedelta(days=9))
    yield engine
    engine.dispose()


def test_weekly_index_with_confidence_band(engine):
    trend = weekly_index(engine, MONDAY - timedelta(days=7), MONDAY + timedelta(days=21))
    assert [w["week"] for w in trend] == ["2026-07-06", "2026-07-13"]
    first, second = trend
    assert (first["responses"], first["index"]) == (3, pytest.approx((100 + 75 + 25) / 3))
    assert first["ci_low"] < first["index"] < first["ci_high"]
    assert (second["offered"], second["responses"], second["index"], second["ci_low"]) == (2, 1, 50.0, None)


def test_summary_and_filters(engine):
    data = summary(engine, MONDAY, MONDAY + timedelta(days=14))
    assert (data["conversations"], data["surveys_offered"], data["responses"]) == (5, 5, 4)
    assert data["response_rate"] == 80.0
    assert data["drivers"]["went_well"]["ease"] == 100.0 and data["drivers"]["went_well"]["humanity"] == 50.0
    assert data["drivers"]["went_badly"]["efficiency"] == 50.0  # 2 dissatisfied (2 and 3), one chose it
    assert data["volumes"]["channel"] == {"web": 3, "sms": 2}
    assert data["handoff_rate"] == 20.0
    assert data["failure_demand_by_type"] == {"repeat_contact": 1}
    assert data["unmet_needs"] == [{"jurisdiction": "US-CO", "topic": "pet_care", "reason": "no_service", "count": 1}]
    sms = summary(engine, MONDAY, MONDAY + timedelta(days=14), Filters(channel="sms"))
    assert (sms["conversations"], sms["responses"], sms["headline"]["index"]) == (2, 1, 50.0)


def test_week_start_is_monday():
    assert week_start(datetime(2026, 7, 12, 23, tzinfo=UTC)) == "2026-07-06"
