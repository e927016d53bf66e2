"""The channels' database access (synchronous SQLAlchemy 2.0 style; call from async code via ``ChannelStore.call``).

The engine is created on first use, never at import time; the URL is the one ``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.models import ButtonOffer, ButtonPayload, ProcessedMessage, SmsContact
from bot.db import make_engine, session_factory
from bot.settings import load_settings
from knowledge.clock import utcnow

logger = logging.getLogger(__name__)
T = TypeVar("T")
PRUNE_EVERY = 1000  # forget old de-duplication ids every this many accepted messages


class ChannelStore:
    def __init__(self, database_url: str | None = None, engine: Engine | None = None) -> None:
        self._url = database_url
        self._engine = engine
        self._sessions: sessionmaker | None = None
        self._claims = 0

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self._url or load_settings().database_url)
        return self._engine

    def _session(self) -> Session:
        if self._sessions is None:
            self._sessions = session_factory(self.engine)
        return self._sessions()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run one of the methods below in a worker thread, so the event loop never waits on the database."""
        return await asyncio.to_thread(fn, *args)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # --- webhook de-duplication ---------------------------------------------------------------------------
    def claim_message(self, channel: str, message_id: str) -> bool:
        """True the first time ``(channel, message_id)`` is seen, False for a repeated delivery."""
        with self._session() as session:
            session.add(ProcessedMessage(channel=channel, message_id=message_id[:64]))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        self._claims += 1
        if self._claims % PRUNE_EVERY == 0:
            self.prune_processed()
        return True

    def prune_processed(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget de-duplication ids older than ``older_than`` (Twilio and Telegram stop retrying within a day)."""
        with self._session() as session:
            result = session.execute(delete(ProcessedMessage).where(
                ProcessedMessage.received_at < utcnow() - older_than))
            session.commit()
            return result.rowcount or 0

    # --- SMS contacts and opt-outs ----------------------------------------------------------------------------
    def remember_contact(self, sender_key: str, number_encrypted: str | None) -> None:
        with self._session() as session:
            row = session.get(SmsContact, sender_key)
            if row is None:
                session.add(SmsContact(sender_key=sender_key, number_encrypted=number_encrypted))
            else:
                if number_encrypted:
                    row.number_encrypted = number_encrypted
                row.updated_at = utcnow()
            try:
                session.commit()
            except IntegrityError:  # a concurrent first message from the same number won the insert
                session.rollback()

    def contact_number(self, sender_key: str) -> str | None:
        """The encrypted number of ``sender_key`` (None when unknown)."""
        with self._session() as session:
            row = session.get(SmsContact, sender_key)
            return row.number_encrypted if row else None

    def is_opted_out(self, sender_key: str) -> bool:
        with self._session() as session:
            value = session.execute(select(SmsContact.opted_out_at).where(
                SmsContact.sender_key == sender_key)).scalar_one_or_none()
            return value is not None

    def set_opted_out(self, sender_key: str, opted_out: bool) -> bool:
        """Record STOP (True) or START (False); returns whether the state changed."""
        with self._session() as session:
            row = session.get(SmsContact, sender_key)
            if row is None:
                row = SmsContact(sender_key=sender_key)
                session.add(row)
            changed = (row.opted_out_at is None) == opted_out
            if changed:
                row.opted_out_at = utcnow() if opted_out else None
                row.updated_at = utcnow()
            session.commit()
            return changed

    def opted_out_at(self, sender_key: str) -> datetime | None:
        with self._session() as session:
            return session.execute(select(SmsContact.opted_out_at).where(
                SmsContact.sender_key == sender_key)).scalar_one_or_none()

    # --- offered buttons (SMS numbered replies) ------------------------------------------------------------------
    def offer_buttons(self, channel: str, sender_id: str, buttons: Sequence[dict[str, str]]) -> None:
        data = json.dumps([{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                           for b in buttons])
        with self._session() as session:
            row = session.get(ButtonOffer, (channel, sender_id))
            if row is None:
                session.add(ButtonOffer(channel=channel, sender_id=sender_id, buttons=data))
            else:
                row.buttons, row.offered_at = data, utcnow()
            try:
                session.commit()
            except IntegrityError:
                session.rollback()

    def offered_buttons(self, channel: str, sender_id: str) -> list[dict[str, str]]:
        with self._session() as session:
            row = session.get(ButtonOffer, (channel, sender_id))
            return json.loads(row.buttons) if row else []

    def clear_offer(self, channel: str, sender_id: str) -> None:
        with self._session() as session:
            session.execute(delete(ButtonOffer).where(ButtonOffer.channel == channel,
                                                      ButtonOffer.sender_id == sender_id))
            session.commit()

    def take_choice(self, channel: str, sender_id: str, number: int | None) -> str | None:
        """The payload of button ``number`` last offered to ``sender_id`` (1-based); the offer is used up either way.

        Any message from the citizen ends the offer, so a later "2" that answers a plain question is not mistaken
        for a stale button.
        """
        buttons = self.offered_buttons(channel, sender_id)
        if not buttons:
            return None
        self.clear_offer(channel, sender_id)
        if number is not None and 1 <= number <= len(buttons):
            return buttons[number - 1]["payload"] or buttons[number - 1]["title"]
        return None

    # --- long button payloads (Telegram callback_data is limited to 64 bytes) -------------------------------------
    def save_payload(self, key: str, payload: str) -> None:
        with self._session() as session:
            if session.get(ButtonPayload, key) is None:
                session.add(ButtonPayload(key=key, payload=payload))
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()

    def payload(self, key: str) -> str | None:
        with self._session() as session:
            row = session.get(ButtonPayload, key)
            return row.payload if row else None
