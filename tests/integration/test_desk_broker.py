"""The desk learns of citizen messages from Rasa's event broker — here RabbitMQ, against the real server.

Rasa publishes every event to the queue; the desk consumes it, acknowledging only after handling, so messages
published while the desk is down are handled when it comes back (the SQL broker path is covered end to end in
tests/web/test_handoff_desk.py).
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from aiohttp import web

from tests.web.test_handoff_desk import ALWAYS_OPEN, PASSWORD

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture(scope="module")
def rabbit_stack(trained_model, tmp_path_factory):
    import aio_pika

    from bot.stack import running_stack
    from tests.conftest import service_missing

    async def reachable() -> None:
        connection = await asyncio.wait_for(aio_pika.connect(RABBIT), 5)
        await connection.close()
    try:
        asyncio.run(reachable())
    except Exception as exc:  # noqa: BLE001
        service_missing(f"RabbitMQ at 127.0.0.1:5672 ({type(exc).__name__})")
    workdir = tmp_path_factory.mktemp("rabbit-stack")
    teams = workdir / "teams.yml"
    teams.write_text(ALWAYS_OPEN)
    queue = f"signpost_test_{time.time_ns()}"  # its own queue: nothing from other runs
    with running_stack(f"sqlite:///{workdir / 'signpost.db'}", trained_model, workdir,
                       channel_env={"SIGNPOST_TEAMS_FILE": str(teams)}, rabbitmq_url=RABBIT,
                       broker_queue=queue) as stack:
        yield stack, queue, teams


async def _start_desk(stack, queue: str) -> tuple[web.AppRunner, str]:
    from bot.desk.app import create_app
    from bot.settings import Settings
    from bot.stack import free_port

    app = create_app(Settings(database_url=stack.settings.database_url, rasa_port=stack.settings.rasa_port,
                              rabbitmq_url=RABBIT, broker_queue=queue, rasa_token=stack.token))
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def _login(http: aiohttp.ClientSession, desk: str, username: str) -> None:
    import re

    form = await (await http.get(f"{desk}/desk/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', form)[1]
    async with http.post(f"{desk}/desk/login", data={"csrf": token, "username": username, "password": PASSWORD},
                         allow_redirects=False) as done:
        assert done.status == 302


async def _say(http: aiohttp.ClientSession, stack, sender: str, text: str) -> list[str]:
    async with http.post(stack.rest_url, json={"sender": sender, "message": text}) as reply:
        assert reply.status == 200
        return [m.get("text") or "" for m in await reply.json()]


async def test_citizen_messages_reach_the_desk_through_rabbitmq_even_across_a_desk_restart(rabbit_stack,
                                                                                          monkeypatch):
    from bot.db import make_engine
    from bot.desk.users import create_user
    from bot.handoff import store

    stack, queue, teams = rabbit_stack
    monkeypatch.setenv("SIGNPOST_TEAMS_FILE", str(teams))
    engine = make_engine(stack.settings.database_url)
    create_user(engine, "robin", PASSWORD, team="general", display_name="Robin")
    runner, desk = await _start_desk(stack, queue)
    sender = f"rabbit-{time.time_ns()}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _login(http, desk, "robin")
        await _say(http, stack, sender, "I lost my job in Halifax")
        await _say(http, stack, sender, "talk to a person")
        assert "in line" in " ".join(await _say(http, stack, sender, "yes"))
        handoff = store.open_handoff(engine, sender)

        async with http.get(f"{desk}/desk/events", timeout=aiohttp.ClientTimeout(total=60)) as stream:
            assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
            await _say(http, stack, sender, "My letter says I owe money")
            event = None
            async for raw in stream.content:
                line = raw.decode().strip()
                if line.startswith("data:") and "My letter says" in line:
                    event = json.loads(line[5:])
                    break
        assert event == {**event, "type": "message", "handoff_id": handoff.id, "who": "citizen",
                         "text": "My letter says I owe money"}

        await runner.cleanup()  # the desk goes away; RabbitMQ keeps what Rasa publishes meanwhile
        before = store.get_handoff(engine, handoff.id).last_citizen_at
        await _say(http, stack, sender, "Are you still there?")
        runner, desk = await _start_desk(stack, queue)
        for _ in range(100):
            after = store.get_handoff(engine, handoff.id).last_citizen_at
            if after is not None and (before is None or after > before):
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the message sent while the desk was down never reached it")
    await runner.cleanup()
    engine.dispose()
