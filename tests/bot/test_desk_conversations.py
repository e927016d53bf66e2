"""What the desk does to a conversation (bot/desk/conversations.py), with a stand-in for Rasa's HTTP API: every
database change goes through the handoff store, and a claim Rasa cannot pause is undone there."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from aiohttp import web

from bot.db import make_engine
from bot.desk import audit, conversations
from bot.desk.keys import ENGINE, PHRASES, RASA, TEAMS
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.users import create_user
from bot.handoff import store
from bot.handoff.store import HandoffError
from bot.handoff.teams import DEFAULT_FILE, load_teams
from bot.settings import PROJECT_ROOT

PASSWORD = "correct horse battery"


class FakeRasa:
    """Records the calls the desk makes; ``down`` makes every call fail as an unreachable Rasa does."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.calls: list[tuple[str, str, Any]] = []

    def _call(self, name: str, sender_id: str, detail: Any = None) -> dict[str, Any]:
        if self.down:
            raise RasaUnavailable(f"Rasa is unreachable ({name})")
        self.calls.append((name, sender_id, detail))
        return {}

    async def pause(self, sender_id: str) -> dict[str, Any]:
        return self._call("pause", sender_id)

    async def resume(self, sender_id: str) -> dict[str, Any]:
        return self._call("resume", sender_id)

    async def send_text(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("send_text", sender_id, (text, metadata))

    async def trigger_intent(self, sender_id: str, intent: str) -> dict[str, Any]:
        return self._call("trigger_intent", sender_id, intent)


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


def desk_app(engine, rasa: FakeRasa) -> web.Application:
    app = web.Application()
    app[ENGINE] = engine
    app[RASA] = rasa  # type: ignore[assignment]  # the stand-in has the calls the desk makes
    app[TEAMS] = load_teams(DEFAULT_FILE)
    app[PHRASES] = yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"]
    return app


async def test_a_claim_pauses_the_bot_and_greets_the_citizen(engine):
    sam = create_user(engine, "sam", PASSWORD, display_name="Sam Rivera")
    handoff_id = store.request_handoff(engine, sender_id="web-1", team="general").handoff_id
    rasa = FakeRasa()
    row = await conversations.claim(desk_app(engine, rasa), handoff_id, sam)
    saved = store.get_handoff(engine, handoff_id)
    assert row.id == handoff_id and (saved.status, saved.claimed_by) == ("claimed", "sam")
    assert [c[0] for c in rasa.calls] == ["pause", "send_text"]
    text, metadata = rasa.calls[1][2]
    assert "Sam Rivera" in text and metadata == {"caseworker": "Sam Rivera"}
    assert [e.action for e in audit.entries(engine, handoff_id)] == ["claimed"]


async def test_a_claim_rasa_cannot_pause_is_undone_through_the_store(engine):
    sam = create_user(engine, "sam", PASSWORD)
    first = store.request_handoff(engine, sender_id="web-1", team="general").handoff_id
    second = store.request_handoff(engine, sender_id="web-2", team="general").handoff_id
    with pytest.raises(HandoffError, match="left in the queue"):
        await conversations.claim(desk_app(engine, FakeRasa(down=True)), first, sam)
    saved = store.get_handoff(engine, first)
    assert (saved.status, saved.claimed_by, saved.claimed_at) == ("waiting", None, None)
    assert store.ticket(engine, saved).position == 1  # first in line still, ahead of web-2
    assert store.ticket(engine, store.get_handoff(engine, second)).position == 2
    assert audit.entries(engine, first) == []  # nothing was claimed


async def test_a_claim_someone_else_won_says_who(engine):
    sam, alex = create_user(engine, "sam", PASSWORD), create_user(engine, "alex", PASSWORD)
    handoff_id = store.request_handoff(engine, sender_id="web-1", team="general").handoff_id
    app = desk_app(engine, FakeRasa())
    await conversations.claim(app, handoff_id, alex)
    with pytest.raises(HandoffError, match="alex has already taken this conversation"):
        await conversations.claim(app, handoff_id, sam)
    assert store.get_handoff(engine, handoff_id).claimed_by == "alex"
