"""The real stack for integration tests, shared by the modules that only converse (one per database)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stack(request, trained_model, tmp_path_factory):
    """Real action + Rasa servers on SQLite, then on the real PostgreSQL; senders are unique per test."""
    from bot.stack import running_stack
    from tests.conftest import _fresh_postgres_database

    workdir = tmp_path_factory.mktemp(f"stack-{request.param}")
    if request.param == "sqlite":
        with running_stack(f"sqlite:///{workdir / 'signpost.db'}", trained_model, workdir) as running:
            yield running
    else:
        admin = request.getfixturevalue("postgres_server")
        for url in _fresh_postgres_database(admin):
            with running_stack(url, trained_model, workdir) as running:
                yield running
