"""Channel tables (on bot.db.Base): SMS contacts and opt-outs, webhook de-duplication, offered buttons.

No table holds a phone number in clear. An SMS conversation is keyed by a keyed hash of the number
(``bot.channels.identity.sender_key``); the number itself is kept only Fernet-encrypted, because a caseworker
reply pushed through Rasa's API must reach the citizen after a restart.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint

from bot.db import Base
from knowledge.clock import utcnow


class SmsContact(Base):
    """One SMS sender: hashed key, encrypted number, opt-out state (STOP/START)."""

    __tablename__ = "channel_sms_contact"

    sender_key = Column(String(64), primary_key=True)  # the Rasa sender_id of the conversation
    number_encrypted = Column(Text, nullable=True)
    opted_out_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ProcessedMessage(Base):
    """A webhook delivery already accepted (Twilio ``MessageSid``, Telegram ``update_id``): processed once."""

    __tablename__ = "channel_processed_message"
    __table_args__ = (UniqueConstraint("channel", "message_id", name="uq_channel_processed_message"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    message_id = Column(String(64), nullable=False)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class ButtonOffer(Base):
    """The buttons last offered to a conversation, so an SMS reply "2" maps back to the second payload."""

    __tablename__ = "channel_button_offer"

    channel = Column(String(32), primary_key=True)
    sender_id = Column(String(128), primary_key=True)
    buttons = Column(Text, nullable=False)  # JSON list of {"title", "payload"}
    offered_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ButtonPayload(Base):
    """Button payloads too long for Telegram's 64-byte ``callback_data``, by a short digest key."""

    __tablename__ = "channel_button_payload"

    key = Column(String(32), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
