"""The one-database layer: URL handling, migrations and conversation bookkeeping on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from bot.conversations import record_conversation
from bot.db import (
    DatabaseUnavailable,
    check_connection,
    current_revision,
    make_engine,
    mask_url,
    normalise_url,
)
from bot.models import Conversation


def test_mask_url_hides_password_but_keeps_the_rest():
    masked = mask_url("postgresql://signpost:s3cr%40t@db.example:5432/signpost")
    assert "s3cr" not in masked
    assert masked == "postgresql://signpost:***@db.example:5432/signpost"


def test_mask_url_without_password_is_unchanged():
    assert mask_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_relative_sqlite_path_resolves_against_project_root(tmp_path):
    url = normalise_url("sqlite:///var/x.db", root=tmp_path)
    assert url == f"sqlite:///{tmp_path / 'var' / 'x.db'}"
    assert (tmp_path / "var").is_dir()


def test_unreachable_database_names_the_masked_url():
    engine = make_engine("postgresql://someone:hunter2@127.0.0.1:1/nowhere")
    with pytest.raises(DatabaseUnavailable) as err:
        check_connection(engine)
    message = str(err.value)
    assert "postgresql://someone:***@127.0.0.1:1/nowhere" in message
    assert "hunter2" not in message


def test_migrations_create_the_app_tables_and_are_idempotent(database_url):
    from bot.db import upgrade

    upgrade(database_url)
    upgrade(database_url)  # a second run changes nothing and does not fail
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    assert "conversation" in tables
    assert "alembic_version" in tables
    assert current_revision(database_url) is not None


def test_record_conversation_creates_then_updates_one_row(migrated_url):
    engine = make_engine(migrated_url)
    first = record_conversation(engine, "citizen-1", "rest")
    second = record_conversation(engine, "citizen-1", "twilio", "fr")
    with engine.connect() as conn:
        rows = conn.execute(select(Conversation.__table__)).all()
    assert len(rows) == 1
    assert rows[0].channel == "twilio" and rows[0].language == "fr"
    assert second.last_seen_at >= first.started_at


def test_migrations_have_a_single_head():
    """Feature branches are merged, so `signpost db upgrade --revision head` is unambiguous."""
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == ["0007_unmet_demand_reason"]


def test_downgrade_to_base_and_back(database_url):
    from alembic import command
    from sqlalchemy import inspect

    from bot.db import alembic_config, upgrade

    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(database_url)
    assert current_revision(database_url) == "0007_unmet_demand_reason"


HANDOFF_TABLES = {"desk_user", "desk_session", "desk_audit", "desk_broker_cursor", "handoff", "handoff_note",
                  "callback_request"}


def test_handoff_migration_creates_exactly_the_model_tables(migrated_url):
    """The 0006 migration and bot/desk + bot/handoff models agree column for column, index for index."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData, inspect

    from bot.db import Base
    from bot.db import make_engine as engine_for

    engine = engine_for(migrated_url)
    try:
        assert HANDOFF_TABLES <= set(inspect(engine).get_table_names())
        ours = MetaData()
        for table in Base.metadata.tables.values():
            if table.name in HANDOFF_TABLES:
                table.to_metadata(ours)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), ours)
        diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name not in HANDOFF_TABLES)
                and not (d[0] == "remove_index" and d[1].table.name not in HANDOFF_TABLES)]
        assert diff == []
    finally:
        engine.dispose()


def test_migrations_create_exactly_the_tables_of_every_model(migrated_url):
    """Both metadata (the app's on bot.db.Base, the catalogue's on its own base) against the migrated schema:
    no table, column or index missing on either side, and every migrated table belongs to one of them."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData, inspect

    from bot.db import make_engine as engine_for
    from bot.models import METADATA

    engine = engine_for(migrated_url)
    try:
        ours = MetaData()
        for metadata in METADATA:
            for table in metadata.tables.values():
                table.to_metadata(ours)
        assert {"conversation", "service", "handoff", "survey_offer", "channel_sms_contact"} <= set(ours.tables)
        migrated = set(inspect(engine).get_table_names()) - {"alembic_version"}
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), ours)
    finally:
        engine.dispose()
    assert migrated == set(ours.tables)
    assert diff == []
