"""Browser fixtures: the real Rasa + action server stack, the desk in-process, and Debian's Chromium via Playwright.

One stack per test module (the machine is shared). Without Chromium the browser tests skip with the reason,
except under ``SIGNPOST_REQUIRE_SERVICES=1`` where they fail (see ``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.conftest import service_missing

CHROMIUM = Path(os.environ.get("SIGNPOST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "web"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def open_chat(page, url: str) -> None:
    """Load the page and wait for the widget to connect and greet (the init payload)."""
    page.goto(url)
    page.wait_for_selector(".rw-new-message:not([disabled])")
    page.wait_for_selector(".rw-messages-container .rw-response")
    page.wait_for_timeout(500)



@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        service_missing(f"Chromium at {CHROMIUM} (install: apt-get update && apt-get install -y chromium)")
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        service_missing(f"Playwright / axe-playwright-python ({exc})")
    return CHROMIUM


@pytest.fixture(scope="module")
def stack(chromium, trained_model, tmp_path_factory):
    from bot.stack import running_stack

    workdir = tmp_path_factory.mktemp("web-stack")
    with running_stack(f"sqlite:///{workdir / 'signpost.db'}", trained_model, workdir) as running:
        yield running


@dataclass
class Desk:
    url: str
    stack: object


@pytest.fixture(scope="module")
def desk(stack) -> Iterator[Desk]:
    """The desk app (real factory and routes) on a free port, in a thread with its own event loop."""
    from aiohttp import web

    from bot.desk.app import create_app
    from bot.settings import Settings
    from bot.stack import free_port

    port = free_port()
    loop = asyncio.new_event_loop()
    app = create_app(Settings(database_url=stack.settings.database_url, rasa_port=stack.settings.rasa_port,
                              public_rasa_url=stack.settings.rasa_url))
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield Desk(url=f"http://127.0.0.1:{port}/", stack=stack)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage, so a new conversation) at desktop size."""
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, desk):
    page = context.new_page()
    open_chat(page, desk.url)
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
