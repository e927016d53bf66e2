"""The public report on the web: the files are the CLI's, invalid quarters are a clear 400, nothing personal is
ever published (audit over the seeded PII), and the page works and passes axe in a real browser.

Over HTTP on SQLite and PostgreSQL (aiohttp test server); in Chromium against the real desk app on a free port
(no Rasa stack needed: the page only reads the database).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.cli import main as signpost
from bot.db import make_engine, session_factory
from bot.desk.public_views import methodology_sections, published_quarters
from bot.survey.models import SurveyResponse, UnmetDemand
from bot.survey.quarters import QuarterError, complete_quarter, latest_complete_quarter
from bot.survey.report import (
    REPORT_COLUMNS,
    TOUCHPOINTS_SUMMARY_COLUMNS,
    build_report,
    methodology,
    touchpoints_summary,
    write_csv,
)
from bot.survey.seed import PII_COMMENTS, UNMET_QUERIES, seed_month
from tests.web.conftest import DESKTOP, PHONE

BLOCKING = {"serious", "critical"}
PUBLIC_FILES = ("/public/report.csv", "/public/report.json", "/public/report.touchpoints.csv")


# --- quarters ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("now", "latest"), [
    (datetime(2026, 12, 3, tzinfo=UTC), "2026Q3"), (datetime(2026, 10, 1, tzinfo=UTC), "2026Q3"),
    (datetime(2026, 9, 30, 23, tzinfo=UTC), "2026Q2"), (datetime(2027, 2, 1, tzinfo=UTC), "2026Q4"),
])
def test_latest_complete_quarter(now, latest):
    assert latest_complete_quarter(now) == latest


def test_complete_quarter():
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert complete_quarter(" 2026q3 ", now) == "2026Q3" and complete_quarter("2025-Q4", now) == "2025Q4"
    for raw, message in (("2026-09", "look like 2026Q3"), ("2026Q5", "look like 2026Q3"), ("", "look like"),
                         ("2026Q3" * 10, "look like"), ("2026Q4", "not over yet"), ("2031Q1", "not over yet"),
                         ("0000Q1", "out of range")):
        with pytest.raises(QuarterError, match=message):
            complete_quarter(raw, now)


def test_methodology_sections_keep_every_sentence():
    sections = methodology_sections(methodology())
    titles = [s["title"] for s in sections]
    assert titles == ["Who is asked", "Items (OMB Circular A-11 Section 280)", "Scales and formula",
                      "Conversations", "Rows", "Suppression"]
    items = sections[1]["entries"]
    assert len(items) == 5 and items[0].startswith('"I am satisfied with the service I received."')
    assert "The caseworker option is shown only after a handoff." in items[2]
    words = lambda text: re.sub(r"\s+", " ", text).split()  # noqa: E731
    rendered = " ".join(" ".join([s["title"], s["body"], *s["entries"]]) for s in sections)
    for word in words(methodology().split("\n\n", 1)[1]):
        assert word.rstrip(".:") in rendered, word


# --- over HTTP, SQLite and PostgreSQL ----------------------------------------------------------------------------



@pytest.fixture
async def desk(seeded):
    from bot.desk.app import create_app
    from bot.settings import Settings

    client = TestClient(TestServer(create_app(Settings(database_url=seeded.url.render_as_string(
        hide_password=False)))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def as_csv_cells(rows: list[dict], columns: list[str]) -> list[dict]:
    return [{c: "" if r[c] is None else str(r[c]) for c in columns} for r in rows]


@pytest.fixture
def cli_report(seeded, monkeypatch, tmp_path):
    """``signpost report --quarter Q --format F`` on the seeded database, as the text it writes."""
    monkeypatch.setenv("DATABASE_URL", seeded.url.render_as_string(hide_password=False))

    def run(quarter: str, fmt: str) -> str:
        output = tmp_path / f"report-{quarter}.{fmt}"
        assert signpost(["report", "--quarter", quarter, "--format", fmt, "--output", str(output)]) == 0
        return output.read_text(encoding="utf-8")
    return run


async def test_files_are_what_the_cli_writes(desk, seeded, cli_report):
    rows = build_report(seeded, "2026Q3")
    resp = await desk.get("/public/report.csv", params={"quarter": "2026q3"})
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="signpost-report-2026Q3.csv"'
    text = await resp.text()
    assert text == cli_report("2026Q3", "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == REPORT_COLUMNS
    assert table == as_csv_cells(rows, REPORT_COLUMNS)

    resp = await desk.get("/public/report.json", params={"quarter": "2026Q3"})
    document = await resp.json()
    assert await resp.text() == cli_report("2026Q3", "json")
    assert document["rows"] == json.loads(json.dumps(rows)) and document["methodology"] == methodology()

    resp = await desk.get("/public/report.touchpoints.csv", params={"quarter": "2026Q3"})
    summary = list(csv.DictReader(io.StringIO(await resp.text())))
    assert list(summary[0]) == TOUCHPOINTS_SUMMARY_COLUMNS
    assert summary == as_csv_cells(touchpoints_summary(rows), TOUCHPOINTS_SUMMARY_COLUMNS)
    telegram = [r for r in summary if (r["service_provided"], r["channel"]) == ("us-snap", "telegram")][0]
    assert telegram["volume_of_respondents"] == "" and telegram["q1_5"] == ""  # suppressed as in the report


@pytest.mark.parametrize("typed", ["2026-q3", "2026Q3", "2026-Q3"])
async def test_one_quarter_label_however_it_is_typed(desk, cli_report, typed):
    """The CLI's rows and JSON document, the web files and the page all say 2026Q3, whatever was typed."""
    cli_json = cli_report(typed, "json")
    document = json.loads(cli_json)
    assert document["quarter"] == "2026Q3" and {r["quarter"] for r in document["rows"]} == {"2026Q3"}
    assert {r["quarter"] for r in csv.DictReader(io.StringIO(cli_report(typed, "csv")))} == {"2026Q3"}
    web_json = await desk.get("/public/report.json", params={"quarter": typed})
    assert await web_json.text() == cli_json
    for path, filename in (("/public/report.csv", "signpost-report-2026Q3.csv"),
                           ("/public/report.touchpoints.csv", "signpost-a11-summary-2026Q3.csv")):
        resp = await desk.get(path, params={"quarter": typed})
        assert resp.headers["Content-Disposition"] == f'attachment; filename="{filename}"', path
        assert {r["quarter"] for r in csv.DictReader(io.StringIO(await resp.text()))} == {"2026Q3"}, path
    page = await (await desk.get("/public/report", params={"quarter": typed})).text()
    assert '<option value="2026Q3" selected>' in page and "2026 Q3 (July to September)" in page


async def test_default_quarter_is_the_latest_complete_one(desk):
    latest = latest_complete_quarter(datetime.now(UTC))
    document = await (await desk.get("/public/report.json")).json()
    assert document["quarter"] == latest
    page = await (await desk.get("/public/report")).text()
    assert f'<option value="{latest}" selected>' in page


@pytest.mark.parametrize("quarter", ["2026-09", "Q3", "2026Q5", "<script>alert(1)</script>", "9" * 200, "2999Q1",
                                     "0000Q1"])
async def test_invalid_quarters_are_a_clear_400(desk, quarter):
    for path in PUBLIC_FILES:
        resp = await desk.get(path, params={"quarter": quarter})
        assert resp.status == 400, (path, quarter)
        text = await resp.text()
        assert "2026Q3" in text or "not over yet" in text or "out of range" in text
        if path.endswith(".json"):
            assert set(await resp.json()) == {"error"}
    page = await desk.get("/public/report", params={"quarter": quarter})
    html = await page.text()
    assert page.status == 400 and 'role="alert"' in html and "That quarter cannot be shown" in html
    assert "<script>alert" not in html


async def test_an_empty_quarter_is_the_default(desk):
    for path in ("/public/report", *PUBLIC_FILES):
        assert (await desk.get(path, params={"quarter": ""})).status == 200, path


async def test_the_current_quarter_is_not_published_yet(desk):
    current = f"{datetime.now(UTC).year}Q{(datetime.now(UTC).month - 1) // 3 + 1}"
    resp = await desk.get("/public/report.csv", params={"quarter": current})
    assert resp.status == 400 and "not over yet" in await resp.text()


async def test_no_personal_datum_or_comment_is_published(desk, seeded):
    """Audit: the seed's comments and unmet queries carry emails, phones, names, ids; fetch every public export."""
    fragments = [f for _, fs in PII_COMMENTS + UNMET_QUERIES for f in fs]
    with session_factory(seeded)() as session:
        stored = [s for s in session.execute(select(SurveyResponse.comment_redacted)).scalars() if s]
        stored += [s for s in session.execute(select(UnmetDemand.query_redacted)).scalars() if s]
    assert len(stored) >= 10  # comments and unmet queries were stored (redacted): there is something to leak

    exports = {}
    for quarter in ("2026Q3", None):
        params = {"quarter": quarter} if quarter else {}
        for path in ("/public/report", *PUBLIC_FILES):
            resp = await desk.get(path, params=params)
            assert resp.status == 200, path
            exports[f"{path}?{quarter}"] = await resp.text()
    assert "us-snap" in exports["/public/report.csv?2026Q3"]  # the audit reads real exports
    for name, text in exports.items():
        lowered = text.lower()
        for fragment in fragments:
            assert fragment.lower() not in lowered, (name, fragment)
        for comment in stored:
            assert comment.lower() not in lowered, (name, comment)
        for marker in ("[name]", "[phone]", "[email]", "seed-co-", "seed-ns-", "-citizen-"):
            assert marker not in lowered, (name, marker)


async def test_page_shows_rows_suppression_and_methodology(desk, seeded):
    resp = await desk.get("/public/report", params={"quarter": "2026Q3"})
    html = await resp.text()
    assert resp.status == 200 and "{{" not in html
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")

    def row(service: str, channel: str) -> str:
        match = re.search(rf'<tr[^>]*data-service="{re.escape(service)}" data-channel="{channel}">(.*?)</tr>',
                          html, re.S)
        assert match, (service, channel)
        return match.group(1)

    assert "67.5 (57.2–77.8)" in row("us-snap", "web")
    assert "Withheld: fewer than 10" in row("us-snap", "telegram")
    assert "Withheld: so that a small number cannot be worked out" in row("us-snap", "sms")
    assert "Low base" in row("all", "telegram")
    assert "I am satisfied with the service I received." in html
    assert "100 x (x - min) / (max - min)" in html and "Suppression" in html
    for path in PUBLIC_FILES:
        assert f'href="{path}?quarter=2026Q3"' in html


def test_published_quarters_run_from_the_first_data(seeded):
    now = datetime(2027, 5, 2, tzinfo=UTC)
    assert published_quarters(seeded, now) == ["2027Q1", "2026Q4", "2026Q3"]
    assert published_quarters(seeded, datetime(2026, 8, 1, tzinfo=UTC)) == ["2026Q2"]


# --- in the browser ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def public_desk(chromium, tmp_path_factory):
    """The desk on a free port over a seeded SQLite database."""
    from bot.db import upgrade
    from tests.web.desk_server import serve_desk

    url = f"sqlite:///{tmp_path_factory.mktemp('public-report') / 'signpost.db'}"
    upgrade(url)
    engine = make_engine(url)
    seed_month(engine, "2026-07")
    try:
        with serve_desk(url) as base:
            yield base, engine
    finally:
        engine.dispose()


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in results.response["violations"] if v.get("impact") in BLOCKING]


@pytest.fixture
def report_page(browser, public_desk):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "400" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, public_desk[0], errors
    context.close()


def test_report_page_in_the_browser(report_page, public_desk, artifacts):
    page, base, errors = report_page
    page.goto(f"{base}/public/report?quarter=2026Q3")
    assert "2026 Q3" in page.locator("h1").inner_text()
    assert blocking_violations(page) == []
    page.screenshot(path=str(artifacts / "public-report-desktop.png"), full_page=True)
    withheld = page.locator('tr[data-service="us-snap"][data-channel="telegram"]')
    assert "Withheld" in withheld.inner_text()
    assert page.get_by_role("heading", name="Methodology").is_visible()
    assert page.locator("#methodology").get_by_text("I am satisfied with the service I received.").count() >= 1

    # the quarter picker, by keyboard: choose and submit
    page.get_by_label("Quarter").select_option("2026Q3")
    page.get_by_role("button", name="Show this quarter").press("Enter")
    page.wait_for_url(re.compile(r"quarter=2026Q3"))

    # the CSV link downloads the same rows as build_report, suppression included
    with page.expect_download() as download:
        page.get_by_role("link", name="Full report for 2026Q3 (CSV)").click()
    assert download.value.suggested_filename == "signpost-report-2026Q3.csv"
    table = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    rows = build_report(public_desk[1], "2026Q3")
    assert table == as_csv_cells(rows, REPORT_COLUMNS)
    telegram = [r for r in table if (r["jurisdiction"], r["service_id"], r["channel"]) ==
                ("US-CO", "us-snap", "telegram")][0]
    assert (telegram["suppressed"], telegram["responses"], telegram["base"]) == ("primary", "", "suppressed")
    buffer = io.StringIO()
    write_csv(touchpoints_summary(rows), buffer, TOUCHPOINTS_SUMMARY_COLUMNS)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("OMB Circular A-11 quarterly summary")).click()
    assert open(download.value.path(), encoding="utf-8").read() == buffer.getvalue()
    assert errors == []


def test_report_page_on_a_phone_and_with_a_bad_quarter(browser, public_desk, artifacts):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{public_desk[0]}/public/report?quarter=2026Q3")
        assert blocking_violations(page) == []
        page.screenshot(path=str(artifacts / "public-report-phone.png"), full_page=True)
        response = page.goto(f"{public_desk[0]}/public/report?quarter=2026-09")
        assert response.status == 400
        assert "must look like 2026Q3" in page.get_by_role("alert").inner_text()
        assert blocking_violations(page) == []
    finally:
        context.close()
