"""Rasa's tracker store, event broker and lock store all configured from the project's URLs."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import text

from bot.db import make_engine
from bot.rasa_config import BROKER_TYPE, TRACKER_STORE_TYPE, endpoints, sql_params
from bot.rasa_ext.event_broker import BROKER_TABLE
from bot.settings import Settings


def test_sqlite_url_becomes_rasa_sql_params(tmp_path):
    params = sql_params(f"sqlite:///{tmp_path}/s.db")
    assert params == {"dialect": "sqlite", "db": f"{tmp_path}/s.db"}


def test_postgres_url_becomes_rasa_sql_params():
    params = sql_params("postgresql://user:pw@db.local:5433/signpost")
    assert params == {"dialect": "postgresql", "url": "db.local", "port": 5433, "db": "signpost",
                      "username": "user", "password": "pw"}


def test_unsupported_database_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        sql_params("oracle://u@h/db")


def test_endpoints_default_to_sql_store_and_broker(tmp_path):
    cfg = endpoints(Settings(database_url=f"sqlite:///{tmp_path}/s.db"))
    assert cfg["tracker_store"]["type"] == TRACKER_STORE_TYPE
    assert cfg["event_broker"]["type"] == BROKER_TYPE
    assert cfg["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert "lock_store" not in cfg


def test_endpoints_use_redis_and_rabbitmq_when_configured(tmp_path):
    cfg = endpoints(Settings(database_url=f"sqlite:///{tmp_path}/s.db", redis_url="redis://:pw@127.0.0.1:6379/2",
                             rabbitmq_url="amqp://guest:guest@127.0.0.1:5672/"))
    assert cfg["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 2,
                                 "key_prefix": "signpost", "password": "pw"}
    assert cfg["event_broker"]["type"] == "pika" and cfg["event_broker"]["queues"] == ["signpost_events"]


async def test_tracker_store_and_event_broker_share_one_database(database_url):
    """Stock Rasa names both tables ``events``; ours must coexist on one URL (SQLite and PostgreSQL)."""
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.utils.endpoints import EndpointConfig

    cfg = endpoints(Settings(database_url=database_url))
    broker = await EventBroker.create(EndpointConfig.from_dict(cfg["event_broker"]))
    store = TrackerStore.create(EndpointConfig.from_dict(cfg["tracker_store"]), Domain.empty(), event_broker=broker)
    assert type(store).__name__ == "SignpostSQLTrackerStore"  # not Rasa's silent in-memory fallback
    tracker = await store.get_or_create_tracker("citizen-42")
    tracker.update(UserUttered("my dad died", intent={"name": "tell_life_event", "confidence": 1.0}))
    await store.save(tracker)

    again = await store.retrieve("citizen-42")
    assert again is not None and again.latest_message.text == "my dad died"
    engine = make_engine(database_url)
    with engine.connect() as conn:
        published = conn.execute(text(f"SELECT data FROM {BROKER_TABLE} WHERE sender_id = 'citizen-42'")).all()
        stored = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = 'citizen-42'")).scalar()
    assert stored >= 1
    assert any(json.loads(row.data)["event"] == "user" for row in published)
    engine.dispose()


def _redis_or_skip(url: str):
    import redis

    from tests.conftest import service_missing

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis at {url}")
    return client


async def test_redis_lock_store_from_rendered_endpoints(tmp_path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    _redis_or_skip("redis://127.0.0.1:6379/0")
    cfg = endpoints(Settings(database_url=f"sqlite:///{tmp_path}/s.db", redis_url="redis://127.0.0.1:6379/0"))
    store = LockStore.create(EndpointConfig.from_dict(cfg["lock_store"]))
    conversation = f"lock-test-{time.time_ns()}"
    async with store.lock(conversation):
        held = store.get_lock(conversation)  # read back from Redis, not from memory
        assert held is not None and len(held.tickets) == 1
    released = store.get_lock(conversation)
    assert released is None or not released.tickets


async def test_rabbitmq_broker_from_rendered_endpoints_publishes(tmp_path):
    import aio_pika
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import EndpointConfig

    from tests.conftest import service_missing

    url = "amqp://guest:guest@127.0.0.1:5672/"
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url), 5)
    except Exception as exc:  # noqa: BLE001
        service_missing(f"RabbitMQ at 127.0.0.1:5672 ({type(exc).__name__})")
    channel = await connection.channel()
    queue = await channel.declare_queue("signpost_events", durable=True)
    await queue.purge()

    cfg = endpoints(Settings(database_url=f"sqlite:///{tmp_path}/s.db", rabbitmq_url=url))
    broker = await EventBroker.create(EndpointConfig.from_dict(cfg["event_broker"]))
    marker = f"rabbit-{time.time_ns()}"
    broker.publish({"event": "user", "sender_id": marker, "text": "hello"})
    message = None
    for _ in range(50):
        message = await queue.get(no_ack=True, fail=False)
        if message:
            break
        await asyncio.sleep(0.1)
    await broker.close()
    await connection.close()
    assert message is not None, "nothing reached RabbitMQ"
    assert json.loads(message.body)["sender_id"] == marker
