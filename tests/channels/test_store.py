"""Channel tables on SQLite and the real PostgreSQL: migration, de-duplication, opt-outs, offered buttons."""

from __future__ import annotations

from datetime import timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text

from bot.channels import models
from bot.db import MIGRATIONS_DIR, alembic_config, make_engine

CHANNEL_TABLES = {"channel_sms_contact", "channel_processed_message", "channel_button_offer",
                  "channel_button_payload"}


def test_migration_branches_off_the_conversation_revision():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revision = script.get_revision("0004_channels")
    assert revision.down_revision == "0001_conversation"
    # merged into the single head, so upgrading to head applies it
    assert any("0004_channels" in (r.down_revision or ()) for r in script.walk_revisions()
               if isinstance(r.down_revision, tuple))
    assert (MIGRATIONS_DIR / "versions" / "0004_channels.py").is_file()


def test_migration_creates_exactly_the_model_tables(channel_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(channel_db)
    try:
        assert CHANNEL_TABLES <= set(inspect(engine).get_table_names())
        ours = MetaData()
        for table in models.Base.metadata.tables.values():
            if table.name in CHANNEL_TABLES:
                table.to_metadata(ours)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), ours)
        diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name not in CHANNEL_TABLES)]
        assert diff == []
    finally:
        engine.dispose()


def test_full_upgrade_to_heads_includes_the_channel_tables(migrated_url):
    engine = make_engine(migrated_url)
    try:
        assert CHANNEL_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_message_ids_are_claimed_once_per_channel(store):
    assert store.claim_message("twilio", "SM1") is True
    assert store.claim_message("twilio", "SM1") is False
    assert store.claim_message("telegram", "SM1") is True
    assert store.prune_processed(timedelta(days=-1)) == 2
    assert store.claim_message("twilio", "SM1") is True


def test_opt_out_and_back_in_report_changes_once(store):
    assert store.is_opted_out("sms-a") is False
    assert store.set_opted_out("sms-a", True) is True
    assert store.set_opted_out("sms-a", True) is False  # STOP twice: confirm once
    assert store.is_opted_out("sms-a") is True
    assert store.set_opted_out("sms-a", False) is True
    assert store.is_opted_out("sms-a") is False


def test_contact_keeps_only_the_sealed_number(store):
    store.remember_contact("sms-b", "sealed-1")
    store.remember_contact("sms-b", "sealed-2")
    assert store.contact_number("sms-b") == "sealed-2"
    assert store.contact_number("sms-unknown") is None


def test_offered_buttons_map_a_number_once_and_survive_a_new_store(store, channel_db):
    from bot.channels.store import ChannelStore

    buttons = [{"title": "Halifax, NS", "payload": "/a"}, {"title": "Halifax, UK", "payload": "/b"}]
    store.offer_buttons("twilio", "sms-c", buttons)
    restarted = ChannelStore(channel_db)  # a new process reads the same offer
    try:
        assert restarted.take_choice("twilio", "sms-c", 2) == "/b"
        assert restarted.take_choice("twilio", "sms-c", 2) is None  # used up
    finally:
        restarted.dispose()
    store.offer_buttons("twilio", "sms-c", buttons)
    assert store.take_choice("twilio", "sms-c", 7) is None  # out of range ends the offer too
    assert store.offered_buttons("twilio", "sms-c") == []


def test_payloads_by_key(store, channel_db):
    store.save_payload("k1", "/inform{\"x\": 1}")
    store.save_payload("k1", "/inform{\"x\": 1}")
    assert store.payload("k1") == "/inform{\"x\": 1}"
    assert store.payload("nope") is None
    engine = make_engine(channel_db)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM channel_button_payload")).scalar() == 1
    finally:
        engine.dispose()
