"""The desk app over real HTTP (aiohttp test server): health, demo page, and the match API contract."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.db import make_engine
from bot.desk.app import create_app
from bot.settings import Settings


@pytest.fixture
async def desk(migrated_url):
    from knowledge.loader import ensure_catalogue_loaded

    ensure_catalogue_loaded(make_engine(migrated_url))
    client = TestClient(TestServer(create_app(Settings(database_url=migrated_url))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_health_and_demo_page(desk):
    resp = await desk.get("/healthz")
    assert resp.status == 200 and (await resp.json())["status"] == "ok"
    page = await desk.get("/")
    html = await page.text()
    assert page.status == 200
    assert "{{" not in html  # every placeholder was filled
    assert "http://127.0.0.1:5005" in html  # the widget is pointed at the Rasa server
    for asset in ("/static/demo.js", "/static/vendor/webchat/webchat.js"):
        assert asset in html
        script = await desk.get(asset)
        assert script.status == 200 and len(await script.read()) > 100


async def test_match_api_follows_the_contract(desk):
    resp = await desk.post("/api/v1/match", json={"life_events": ["death"], "location": "US-CO",
                                                  "answers": {}, "as_of": "2026-11-23", "language": "en"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) >= {"services", "next_questions"}
    assert body["services"], "the catalogue has death-related services for Colorado"
    for service in body["services"]:
        assert {"id", "title", "url", "jurisdiction", "status", "reasons", "unknown"} <= set(service)
        assert service["status"] in {"likely", "maybe", "unlikely"}
        assert service["jurisdiction"] in {"US", "US-CO"} or service["jurisdiction"].startswith("US-CO")


@pytest.mark.parametrize("body", [b"{oops", b"[]", b'"text"'])
async def test_match_api_rejects_malformed_profiles(desk, body):
    resp = await desk.post("/api/v1/match", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert "error" in await resp.json()


async def test_match_api_refuses_huge_bodies(desk):
    resp = await desk.post("/api/v1/match", data=b"{" + b" " * 200_000 + b"}",
                           headers={"Content-Type": "application/json"})
    assert resp.status == 413
