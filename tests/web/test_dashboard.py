"""The desk dashboard in Chromium: log in through the desk's form, every chart drawn by the vendored Chart.js with
a table of the same numbers, filters by form, axe clean with the tables open, and on a phone.

The desk app alone on a free port over a seeded SQLite database plus a few handoffs (no Rasa stack needed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import make_engine, session_factory
from bot.survey.seed import seed_month
from tests.web.conftest import DESKTOP, PHONE

BLOCKING = {"serious", "critical"}
PASSWORD = "a long test password"
JULY = "start=2026-07-01&end=2026-07-31"


@pytest.fixture(scope="module")
def dashboard_desk(chromium, tmp_path_factory):
    from bot.db import upgrade
    from bot.desk.users import create_user
    from bot.handoff.models import Handoff
    from tests.web.desk_server import serve_desk

    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'signpost.db'}"
    upgrade(url)
    engine = make_engine(url)
    seed_month(engine, "2026-07")
    create_user(engine, "casey", PASSWORD, role="caseworker", team="general")
    monday = datetime(2026, 7, 6, 10, tzinfo=UTC)
    with session_factory(engine)() as session:
        for i, wait in enumerate((45, 200, 400, 1000, None)):
            requested = monday + timedelta(days=i)
            session.add(Handoff(sender_id=f"s{i}", channel="web", language="en", location="US-CO", team="general",
                                life_events=[], answers={}, shown_services=["us-snap"], reason="asked",
                                status="waiting" if wait is None else "closed", requested_at=requested,
                                updated_at=requested,
                                claimed_at=None if wait is None else requested + timedelta(seconds=wait),
                                closed_at=None if wait is None else requested + timedelta(minutes=30),
                                handed_back_at=None if wait is None else requested + timedelta(minutes=30)))
        session.commit()
    try:
        with serve_desk(url) as base:
            yield base
    finally:
        engine.dispose()


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in results.response["violations"] if v.get("impact") in BLOCKING]


def log_in(page, base: str, target: str) -> None:
    page.goto(f"{base}{target}")
    assert "/desk/login" in page.url  # not logged in yet: the desk sends us to its login
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/dashboard"))


@pytest.fixture
def desk_page(browser, dashboard_desk):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, errors
    context.close()


def charts_drawn(page) -> dict[str, bool]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('canvas[data-chart]')]
        .map(c => [c.dataset.chart, !!(window.Chart && Chart.getChart(c)) && c.width > 0]))""")


def stat(page, label: str) -> str:
    item = page.locator(".stats li").filter(has=page.get_by_text(label, exact=True))
    return item.locator(".value").inner_text()


def test_dashboard_charts_tables_and_filters(desk_page, dashboard_desk, artifacts):
    page, errors = desk_page
    log_in(page, dashboard_desk, f"/desk/dashboard?{JULY}")
    assert page.get_by_role("heading", level=1).inner_text() == "Satisfaction and demand dashboard"
    drawn = charts_drawn(page)
    assert set(drawn) == {"trend", "response-rate", "drivers", "volume-channel", "volume-language",
                          "volume-jurisdiction", "handoff-waits", "handoff-weekly", "failure-demand", "unmet-needs"}
    assert all(drawn.values()), drawn
    # the confidence band is two filled datasets around the index line
    band = page.evaluate("""() => Chart.getChart(document.getElementById('chart-trend')).data.datasets
        .map(d => [d.label, d.fill])""")
    assert band[0][0] == "Satisfaction index" and band[2][1] == "-1"
    assert stat(page, "Conversations") == "218"
    assert stat(page, "Median wait for a caseworker") == "3.3 min"  # 45, 200, 400, 1000 s → 200 s

    # every chart has its numbers as a table, one click away, and axe is clean with all of them open
    for summary in page.locator(".chart details summary").all():
        summary.click()
    channel_table = page.get_by_role("table", name="Conversations by channel")
    assert channel_table.locator("tbody tr").all_inner_texts() == ["Web chat\t143", "SMS\t51", "Telegram\t24"]
    waits = page.get_by_role("table", name="Handoffs: time waiting for a caseworker")
    assert "1 to 5 minutes\t1" in waits.locator("tbody").inner_text()
    assert blocking_violations(page) == []
    page.screenshot(path=str(artifacts / "dashboard-desktop.png"), full_page=True)

    # filters are a plain form: SMS only
    page.get_by_label("Channel", exact=True).select_option(label="SMS")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"channel=sms"))
    assert "start=2026-07-01" in page.url
    assert stat(page, "Conversations") == "51"
    assert page.get_by_label("Channel", exact=True).input_value() == "sms"
    assert all(charts_drawn(page).values())
    assert errors == []


def test_dashboard_json_link_and_bad_filters(desk_page, dashboard_desk):
    page, _ = desk_page
    log_in(page, dashboard_desk, f"/desk/dashboard?{JULY}&jurisdiction=CA-NS")
    with page.expect_response(re.compile(r"/desk/dashboard/data\.json")) as response:
        page.get_by_role("link", name="These numbers as JSON").click()
    body = response.value.json()
    assert body["filters"]["jurisdiction"] == "CA-NS" and body["summary"]["conversations"] == 70
    response = page.goto(f"{dashboard_desk}/desk/dashboard?start=2026-07-31&end=2026-07-01")
    assert response.status == 400
    assert "on or before" in page.get_by_role("alert").inner_text()
    assert blocking_violations(page) == []


def test_dashboard_on_a_phone(browser, dashboard_desk, artifacts):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, dashboard_desk, f"/desk/dashboard?{JULY}")
        assert all(charts_drawn(page).values())
        assert blocking_violations(page) == []
        page.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)
    finally:
        context.close()
