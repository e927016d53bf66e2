"""Shared fixtures: databases (SQLite and the real PostgreSQL on 127.0.0.1:5432) and service gating.

``SIGNPOST_REQUIRE_SERVICES=1`` (set by .ci/run) turns "service not here, skipping" into a failure, so CI
can never go green by skipping the PostgreSQL or Redis tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URL = os.environ.get("SIGNPOST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


SLOW_FOLDERS = ("integration", "web")  # tests/<folder>: real Rasa servers, a browser


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``integration`` every test that needs a trained model, a running Rasa or a browser, so that
    ``make unit`` (``-m "not integration"``) runs exactly the tests that need none of them."""
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        path = Path(str(item.fspath)).resolve()
        folder = path.relative_to(tests_dir).parts[0] if path.is_relative_to(tests_dir) else ""
        if folder in SLOW_FOLDERS or "trained_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


def service_missing(what: str) -> None:
    """Skip (on a bare machine) or fail (in CI) because ``what`` is not reachable."""
    if os.environ.get("SIGNPOST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required (SIGNPOST_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{what} not reachable on this machine")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Admin URL of the local PostgreSQL, or skip/fail when it is not running."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL} ({type(exc).__name__})")
    return POSTGRES_ADMIN_URL


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"signpost_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL, once on SQLite and once on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'signpost.db'}"
    else:
        admin_url = request.getfixturevalue("postgres_server")
        yield from _fresh_postgres_database(admin_url)


@pytest.fixture
def migrated_url(database_url) -> str:
    """A database URL with every Alembic migration applied."""
    from bot.db import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
def trained_model():
    """The Rasa model for the current training data (trained once if missing)."""
    from bot.settings import PROJECT_ROOT
    from bot.training import train

    return train(PROJECT_ROOT)


@pytest.fixture
def seeded(migrated_url):
    """A month (2026-07) of synthetic conversations and survey answers (bot/survey/seed.py), on each database."""
    from bot.db import make_engine
    from bot.survey.seed import seed_month

    engine = make_engine(migrated_url)
    seed_month(engine, "2026-07")
    yield engine
    engine.dispose()


# --- the dialogue on a real catalogue (no Rasa) ----------------------------------------------------------------
DIALOGUE_TODAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def catalogue_engine(tmp_path_factory):
    """The real catalogue in a throw-away, migrated SQLite database (shared by the session)."""
    from bot.db import make_engine, upgrade
    from knowledge.loader import ensure_catalogue_loaded

    url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'signpost.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert ensure_catalogue_loaded(engine).ok
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def responses():
    """Every bot response of domain/responses.yml."""
    from bot.settings import PROJECT_ROOT

    return yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"]


@pytest.fixture
def ctx(catalogue_engine, responses):
    """A dialogue turn context on the real catalogue and place resolver, today fixed."""
    from bot.dialogue.context import MatchFunction, PlaceFunction, TurnContext
    from bot.dialogue.phrases import Phrases
    from knowledge.match import match_profile
    from knowledge.places import resolve_place
    from knowledge.vocab import load_vocabulary

    return TurnContext(catalogue=MatchFunction(lambda profile: match_profile(catalogue_engine, profile)),
                       places=PlaceFunction(resolve_place), vocab=load_vocabulary(), phrases=Phrases(responses),
                       today=DIALOGUE_TODAY)
