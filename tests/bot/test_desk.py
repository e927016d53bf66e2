"""The desk app over real HTTP (aiohttp test server): health, demo page, and the match API contract."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.db import make_engine
from bot.desk.app import create_app, rasa_token
from bot.settings import Settings, load_settings


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


async def test_the_demo_page_points_at_the_public_rasa_url_from_settings(migrated_url):
    settings = load_settings({"DATABASE_URL": migrated_url, "SIGNPOST_PUBLIC_RASA_URL": "http://127.0.0.1:5999"})
    assert settings.public_rasa_url == "http://127.0.0.1:5999"
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        html = await (await client.get("/")).text()
    finally:
        await client.close()
    assert '"http://127.0.0.1:5999"' in html and "127.0.0.1:5005" not in html


def test_the_rasa_token_comes_from_settings_else_from_var(tmp_path):
    assert load_settings({"SIGNPOST_RASA_TOKEN": "from-the-env"}).rasa_token == "from-the-env"
    assert load_settings({}).rasa_token is None and load_settings({}).public_rasa_url is None
    assert rasa_token(Settings(project_root=tmp_path)) is None
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "rasa_token").write_text("from-the-file\n")
    assert rasa_token(Settings(project_root=tmp_path)) == "from-the-file"  # what `signpost run` generated
    assert rasa_token(Settings(project_root=tmp_path, rasa_token="set")) == "set"
