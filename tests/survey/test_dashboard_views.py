"""The dashboard's numbers and filters (bot.desk.dashboard_views + bot.survey.dashboard) from the seeded month,
handoff wait times from the desk's handoff table, and the two routes over HTTP behind the desk login.

Seeded cohorts (bot.survey.seed): US-CO us-snap web 50 conversations / 48 offered / 40 answered (5 handed off,
all satisfied; the caseworker driver chosen by k = 0, 2, 4), SMS cohorts 25 + 14 (US-CO) + 12 (CA-NS), unmet
needs only in CA-NS on the web.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.db import make_engine, session_factory
from bot.desk.dashboard_views import (
    FilterError,
    chart_specs,
    dashboard_data,
    headline_stats,
    parse_query,
)
from bot.survey.dashboard import Filters, handoff_waits, summary

JULY = {"start": "2026-07-01", "end": "2026-07-31"}
PASSWORD = "a long test password"




# --- filters -----------------------------------------------------------------------------------------------------

def test_default_period_is_twelve_weeks_to_today():
    query = parse_query({}, date(2026, 12, 3))  # a Thursday
    assert (query.start, query.end) == (date(2026, 9, 14), date(2026, 12, 3))
    assert query.start.weekday() == 0
    assert query.filters == Filters()
    start, end = query.bounds
    assert (start, end) == (datetime(2026, 9, 14, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))


def test_filters_from_the_query_string():
    query = parse_query({"start": "2026-07-01", "end": "2026-07-31", "jurisdiction": " US-CO ",
                         "service": "us-snap", "channel": ""}, date(2026, 12, 3))
    assert query.filters == Filters(jurisdiction="US-CO", service_id="us-snap", channel=None)
    assert query.params() == {"start": "2026-07-01", "end": "2026-07-31", "jurisdiction": "US-CO",
                              "service": "us-snap"}


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "07/01/2026"}, "must look like 2026-07-31"),
    ({"end": "2026-02-30"}, "does not exist"),
    ({"start": "2026-08-01", "end": "2026-07-01"}, "on or before"),
    ({"start": "2020-01-01", "end": "2026-07-01"}, "at most two years"),
    ({"channel": "x" * 33}, "too long"),
])
def test_bad_filters_are_explained(params, message):
    with pytest.raises(FilterError, match=message):
        parse_query(params, date(2026, 12, 3))


# --- numbers -----------------------------------------------------------------------------------------------------

def test_dashboard_data_for_the_seeded_month(seeded):
    data = dashboard_data(seeded, parse_query(JULY, date(2026, 12, 3)))
    numbers = data["summary"]
    assert data["period"] == {"start": "2026-07-01", "end": "2026-07-31"}
    assert numbers["conversations"] == 218
    assert numbers["volumes"]["channel"] == {"web": 143, "sms": 51, "telegram": 24}
    assert numbers["volumes"]["jurisdiction"] == {"US-CO": 148, "CA-NS": 70}
    assert sum(w["offered"] for w in data["weekly"]) == numbers["surveys_offered"] == 205
    for week in data["weekly"]:
        assert week["response_rate"] == pytest.approx(100.0 * week["responses"] / week["offered"])
    assert [u["topic"] for u in numbers["unmet_needs"]] == ["pet_care", "vehicle_repair", "immigration_legal"]
    assert json.loads(json.dumps(data)) == data  # plain JSON


def test_filters_narrow_every_number(seeded):
    def data(**params):
        return dashboard_data(seeded, parse_query({**JULY, **params}, date(2026, 12, 3)))

    snap_web = data(jurisdiction="US-CO", service="us-snap", channel="web")["summary"]
    assert (snap_web["conversations"], snap_web["surveys_offered"], snap_web["responses"]) == (50, 48, 40)
    # the same number as the public report's row: base = satisfied respondents who were handed off (5), 3 chose it
    assert snap_web["drivers"]["went_well"]["caseworker_helpful"] == 60.0
    assert snap_web["driver_bases"]["went_well"] == {"respondents": 28, "handed_off": 5}
    assert snap_web["handoff_rate"] == 10.0
    # trust and "not the first time" as in the report row (75.0 and 25.0)
    assert snap_web["trust"]["index"] == 75.0 and snap_web["not_first_contact_pct"] == 25.0
    assert snap_web["first_time"] == {"yes": 20, "no": 10, "not_sure": 10}
    # failure demand as in the report row (44% of 50)
    assert snap_web["failure_demand_conversations"] == 22 and snap_web["failure_demand_share"] == 44.0

    sms = data(channel="sms")["summary"]
    assert sms["conversations"] == 25 + 14 + 12 and sms["volumes"]["channel"] == {"sms": 51}
    assert sms["unmet_needs"] == []  # unmet needs were all on the web
    ei = data(service="ca-ei")["summary"]
    assert ei["conversations"] == 30 + 12 and ei["volumes"]["jurisdiction"] == {"CA-NS": 42}
    ns = data(jurisdiction="CA-NS")["summary"]
    assert ns["conversations"] == 70 and len(ns["unmet_needs"]) == 3
    assert data(jurisdiction="US-CO")["summary"]["unmet_needs"] == []
    # period: only the first five days of July (k mod 10 in 0..3 start on days 1-4, plus k ≡ 1 on day 4)
    early = dashboard_data(seeded, parse_query({"start": "2026-07-01", "end": "2026-07-04"}, date(2026, 12, 3)))
    direct = summary(seeded, datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 5, tzinfo=UTC))
    assert early["summary"]["conversations"] == direct["conversations"] < 218
    assert data(jurisdiction="GB-SCT")["summary"]["conversations"] == 0


def test_every_chart_has_a_table_of_the_same_numbers(seeded):
    data = dashboard_data(seeded, parse_query(JULY, date(2026, 12, 3)))
    charts = chart_specs(data)
    assert {c["id"] for c in charts} == {
        "trend", "response-rate", "drivers", "volume-channel", "volume-language", "volume-jurisdiction",
        "handoff-waits", "handoff-weekly", "failure-demand", "unmet-needs"}
    for chart in charts:
        assert chart["title"] and chart["summary"]
        for series in chart["series"]:
            assert len(series["values"]) == len(series["cells"]) == len(chart["labels"]), chart["id"]
    trend = next(c for c in charts if c["id"] == "trend")
    roles = [s.get("role") for s in trend["series"]]
    assert roles[:3] == [None, "band-low", "band-high"]
    channel = next(c for c in charts if c["id"] == "volume-channel")
    assert channel["labels"] == ["Web chat", "SMS", "Telegram"] and channel["series"][0]["cells"] == ["143", "51", "24"]
    assert "218 conversations" in channel["summary"]
    assert dict(headline_stats(data))["Conversations"] == "218"


# --- handoff wait times ------------------------------------------------------------------------------------------

def add_handoffs(engine):
    from bot.handoff.models import Handoff

    monday = datetime(2026, 7, 6, 10, tzinfo=UTC)
    plan = [  # (location, channel, shown, requested, wait in seconds or None, status)
        ("US-CO", "web", ["us-snap"], monday, 30, "closed"),
        ("US-CO", "web", [], monday + timedelta(hours=1), 180, "closed"),
        ("US-CO", "twilio", ["us-liheap"], monday + timedelta(days=1), 1200, "claimed"),
        ("CA-NS", "web", [], monday + timedelta(days=8), 7200, "closed"),
        ("US-CO", "web", [], monday + timedelta(days=2), None, "waiting"),
        ("US-CO", "web", [], monday + timedelta(days=2, hours=1), None, "cancelled"),
        ("US-CO", "web", [], datetime(2026, 8, 20, tzinfo=UTC), 60, "closed"),  # outside July
    ]
    with session_factory(engine)() as session:
        for i, (location, channel, shown, requested, wait, status) in enumerate(plan):
            session.add(Handoff(
                sender_id=f"sender-{i}", channel=channel, language="en", location=location, team="general",
                life_events=[], answers={}, shown_services=shown, reason="asked", status=status,
                requested_at=requested, updated_at=requested,
                claimed_at=None if wait is None else requested + timedelta(seconds=wait)))
        session.commit()


def test_handoff_wait_times(migrated_url):
    engine = make_engine(migrated_url)
    add_handoffs(engine)
    july = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
    waits = handoff_waits(engine, *july)
    assert (waits["requested"], waits["claimed"], waits["still_waiting"], waits["cancelled"]) == (6, 4, 1, 1)
    assert (waits["median_wait_seconds"], waits["p90_wait_seconds"]) == (180, 7200)
    assert waits["mean_wait_seconds"] == pytest.approx((30 + 180 + 1200 + 7200) / 4)
    assert [b["count"] for b in waits["buckets"]] == [1, 1, 0, 1, 1]
    assert waits["weekly"] == [
        {"week": "2026-07-06", "requested": 5, "claimed": 3, "median_wait_seconds": 180},
        {"week": "2026-07-13", "requested": 1, "claimed": 1, "median_wait_seconds": 7200},
    ]
    colorado = handoff_waits(engine, *july, Filters(jurisdiction="US-CO"))
    assert (colorado["requested"], colorado["claimed"], colorado["median_wait_seconds"]) == (5, 3, 180)
    assert handoff_waits(engine, *july, Filters(channel="sms"))["claimed"] == 1
    assert handoff_waits(engine, *july, Filters(service_id="us-snap"))["median_wait_seconds"] == 30
    empty = handoff_waits(engine, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert (empty["requested"], empty["median_wait_seconds"]) == (0, None)

    data = dashboard_data(engine, parse_query(JULY, date(2026, 12, 3)))
    assert data["handoff_waits"]["available"] is True and data["handoff_waits"]["claimed"] == 4
    chart = next(c for c in chart_specs(data) if c["id"] == "handoff-waits")
    assert chart["series"][0]["cells"] == ["1", "1", "0", "1", "1"]
    assert "median wait 3.0 min" in chart["summary"] and "1 still waiting" in chart["summary"]
    engine.dispose()


# --- over HTTP, behind the desk login ----------------------------------------------------------------------------

@pytest.fixture
async def desk(seeded):
    from bot.desk.app import create_app
    from bot.desk.users import create_user
    from bot.settings import Settings

    url = seeded.url.render_as_string(hide_password=False)
    create_user(seeded, "casey", PASSWORD, role="caseworker")
    create_user(seeded, "sue", PASSWORD, role="supervisor")
    client = TestClient(TestServer(create_app(Settings(database_url=url))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def login(client, username: str) -> None:
    form = await (await client.get("/desk/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    resp = await client.post("/desk/login", data={"username": username, "password": PASSWORD, "csrf": csrf,
                                                  "next": "/desk/dashboard"}, allow_redirects=False)
    assert resp.status == 302, await resp.text()


async def test_dashboard_routes_need_a_login(desk):
    resp = await desk.get("/desk/dashboard/data.json")
    assert resp.status == 401
    page = await desk.get("/desk/dashboard", headers={"Accept": "text/html"}, allow_redirects=False)
    assert page.status == 302 and page.headers["Location"].startswith("/desk/login")


async def test_data_json_applies_the_filters(desk, seeded):
    await login(desk, "casey")
    params = {**JULY, "jurisdiction": "US-CO", "channel": "sms"}
    resp = await desk.get("/desk/dashboard/data.json", params=params)
    assert resp.status == 200
    body = await resp.json()
    expected = json.loads(json.dumps(dashboard_data(seeded, parse_query(params, date(2026, 12, 3)))))
    assert body == expected
    assert body["summary"]["conversations"] == 25 + 14
    bad = await desk.get("/desk/dashboard/data.json", params={"start": "yesterday"})
    assert bad.status == 400 and "2026-07-31" in (await bad.json())["error"]


async def test_dashboard_page(desk):
    await login(desk, "casey")
    resp = await desk.get("/desk/dashboard", params={**JULY, "service": "us-snap"})
    html = await resp.text()
    assert resp.status == 200 and "{{" not in html
    for chart in ("trend", "response-rate", "drivers", "volume-channel", "handoff-waits", "failure-demand",
                  "unmet-needs"):
        assert f'id="{chart}-title"' in html, chart
    for chart in ("trend", "drivers", "volume-channel", "failure-demand"):
        assert f'id="{chart}-caption"' in html, chart  # the table alternative
    island = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S).group(1)
    assert {c["id"] for c in json.loads(island)["charts"]} >= {"trend", "drivers"}
    assert '<option value="us-snap" selected>' in html
    assert "/static/vendor/chartjs/chart.umd.js" in html
    assert (await desk.get("/static/vendor/chartjs/chart.umd.js")).status == 200
    bad = await desk.get("/desk/dashboard", params={"start": "2026-13-01"})
    assert bad.status == 400 and "does not exist" in await bad.text()


async def test_touchpoints_upload_is_for_supervisors(desk):
    await login(desk, "casey")
    resp = await desk.get("/desk/dashboard/touchpoints-responses.csv", params={"quarter": "2026Q3"})
    assert resp.status == 403
    desk.session.cookie_jar.clear()
    await login(desk, "sue")
    resp = await desk.get("/desk/dashboard/touchpoints-responses.csv", params={"quarter": "2026Q3"})
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/csv")
    lines = (await resp.text()).splitlines()
    assert len(lines[0].split(",")) == 17 and len(lines) == 1 + 121
    assert (await desk.get("/desk/dashboard/touchpoints-responses.csv", params={"quarter": "2026Q9"})).status == 400
