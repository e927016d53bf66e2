"""The action server's one client for the app database (catalogue and conversation records).

Nothing connects at import time: the engine is made on first use. Every database call runs in a worker
thread so ``async def run`` never blocks the action server's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine

from bot.channels.identity import NumberVault, channel_key
from bot.conversations import record_conversation
from bot.db import make_engine
from bot.dialogue.state import DialogueState
from bot.dialogue.understanding import Understanding
from bot.handoff.service import HandoffService
from bot.handoff.teams import load_teams
from bot.settings import load_settings
from bot.survey.store import record_contact
from bot.survey.tracking import citizen_key, contact_facts
from knowledge.match import match_profile
from knowledge.places import PlaceResult, resolve_place

logger = logging.getLogger(__name__)


class CatalogueClient:
    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self._database_url or load_settings().database_url)

    @cached_property
    def channel_key(self) -> str:
        """The stable secret behind keyed hashes and the contact vault (read once, not every turn)."""
        settings = load_settings()
        return channel_key(settings.channel_env, settings.var_dir)

    @cached_property
    def handoff(self) -> HandoffService:
        """The desk's queue and callbacks as the conversation sees them (bot/handoff/service.py)."""
        return HandoffService(self.engine, seal=NumberVault(self.channel_key).seal,
                              teams=load_teams(load_settings().teams_file))

    def match_sync(self, profile: dict[str, Any]) -> dict[str, Any]:
        """For code already running in a worker thread (bot.dialogue.turn.step)."""
        profile = {"as_of": date.today().isoformat(), "language": "en", "answers": {}, **profile}
        return match_profile(self.engine, profile)

    def resolve_place_sync(self, text: str) -> PlaceResult:
        return resolve_place(text)

    async def record_contact(self, sender_id: str, state: DialogueState, understanding: Understanding, channel: str,
                             language: str) -> None:
        """This turn's analytics facts (demand, fallbacks, place, topic, services shown) on the contact record."""
        facts = contact_facts(state, intent=understanding.intent, text=understanding.text, channel=channel,
                              language=language)
        try:
            key = citizen_key(channel, sender_id, self.channel_key)
            await asyncio.to_thread(lambda: record_contact(self.engine, sender_id, citizen_key=key, **facts))
        except Exception:  # bookkeeping: never let it break the citizen's turn
            logger.exception("could not record the contact's facts")

    async def record_conversation(self, sender_id: str, channel: str | None, language: str = "en") -> None:
        try:
            await asyncio.to_thread(record_conversation, self.engine, sender_id, channel or "rest", language)
        except Exception:  # recording is bookkeeping: never let it break the citizen's turn
            logger.exception("could not record conversation")


_clients: dict[str | None, CatalogueClient] = {}


def get_client(database_url: str | None = None) -> CatalogueClient:
    """One client (and so one connection pool) per database URL for the life of the action server."""
    if database_url not in _clients:
        _clients[database_url] = CatalogueClient(database_url)
    return _clients[database_url]
