"""End to end through the real Rasa server and action server: REST in, services with title and URL out.

Runs once on SQLite and once on the real PostgreSQL: the whole stack is configured by DATABASE_URL alone.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import text

from bot.db import make_engine
from bot.rasa_ext.event_broker import BROKER_TABLE

pytestmark = pytest.mark.integration


def say(stack, sender: str, message: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(stack.rest_url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def expected_titles(stack, profile: dict) -> set[str]:
    """What the match engine itself returns for the profile, read from the same database."""
    from knowledge.match import match_profile

    engine = make_engine(stack.settings.database_url)
    try:
        result = match_profile(engine, {"as_of": "2026-11-23", "language": "en", "answers": {}, **profile})
    finally:
        engine.dispose()
    return {s["title"] for s in result["services"] if s["status"] != "unlikely"}


def test_greet_then_life_event_and_place_lists_services_with_title_and_url(stack):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    greeting = say(stack, sender, "hello")
    assert "Signpost" in texts(greeting)

    reply = say(stack, sender, "I lost my job and I live in Halifax")
    shown = texts(reply)
    titles = expected_titles(stack, {"life_events": ["job_loss"], "location": "CA-NS-halifax"})
    assert titles, "the catalogue has services for a job loss in Halifax"
    listed = [t for t in titles if t in shown]
    assert listed, f"no catalogue service title in the reply:\n{shown}"
    assert "https://" in shown


def test_bot_asks_for_the_place_when_it_is_missing(stack):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    first = texts(say(stack, sender, "my dad died"))
    assert "Where do you live" in first
    second = texts(say(stack, sender, "Denver"))
    if "Here is what may help" not in second:  # a question that still changes the answer; the citizen skips it
        second = texts(say(stack, sender, "just show me"))
    titles = expected_titles(stack, {"life_events": ["death"], "location": "US-CO-denver"})
    assert any(t in second for t in titles), second
    assert "https://" in second


def test_out_of_scope_gets_a_polite_answer_not_services(stack):
    reply = texts(say(stack, f"it-{uuid.uuid4().hex[:8]}", "book me a flight to paris"))
    assert "can't help with that" in reply
    assert "https://" not in reply


def test_conversation_is_stored_in_the_tracker_store_and_published_to_the_broker(stack):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "hi")
    say(stack, sender, "I lost my job in Toronto")
    engine = make_engine(stack.settings.database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
            published = conn.execute(text(f"SELECT count(*) FROM {BROKER_TABLE} WHERE sender_id = :s"),
                                     {"s": sender}).scalar()
            channel = conn.execute(text("SELECT channel FROM conversation WHERE sender_id = :s"),
                                   {"s": sender}).scalar()
    finally:
        engine.dispose()
    assert stored >= 4 and published >= 4
    assert channel == "rest"


@pytest.mark.parametrize("body", [
    b"{not json",
    b"[1, 2, 3]",
    b'{"sender": "x"}',
    b'{"sender": "x", "message": 42}',
    b'{"sender": "x", "message": "   "}',
    b'{"message": "hi"}',
    json.dumps({"sender": "x", "message": "a" * 5000}).encode(),
    b"\xff\xfe\x00binary",
])
def test_malformed_rest_body_is_a_client_error_not_a_crash(stack, body):
    req = urllib.request.Request(stack.rest_url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert 400 <= err.value.code < 500, err.value.read()[:500]
    # and the server still answers afterwards
    assert "Signpost" in texts(say(stack, f"it-{uuid.uuid4().hex[:8]}", "hi"))


def test_api_token_is_not_visible_in_the_process_list(stack):
    """The Rasa API token is passed by environment, never on a command line other users can read."""
    import os
    from pathlib import Path

    group = {os.getpgid(pid) for pid in stack.pids.values()}
    seen = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) not in group:
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        seen += 1
        assert stack.token not in cmdline
    assert seen >= 2  # the Rasa and action server processes were really inspected


def test_rasa_http_api_requires_the_token(stack):
    url = f"{stack.settings.rasa_url}/conversations/nobody/tracker"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=30)
    assert err.value.code == 401
    with urllib.request.urlopen(f"{url}?token={stack.token}", timeout=30) as resp:
        assert json.loads(resp.read())["sender_id"] == "nobody"
