"""Survey and analytics tables (on bot.db.Base).

Keyed by ``conversation_id``: one conversation (a Rasa session). Where a channel keeps the same sender across
sessions (SMS, Telegram), the Rasa side passes sender + session start so each conversation is counted once.
No foreign key to ``conversation``: the offer may be logged by a process that has not seen that row yet.
Nothing here holds raw free text: comments and unmet queries are stored redacted only.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from bot.db import Base
from knowledge.clock import utcnow

END_POINTS = ("results", "handoff_closed", "nothing_found", "goodbye")


class ContactRecord(Base):
    """What one conversation was about and how it went: the unit of volumes, completion and failure demand.

    ``citizen_key`` is a pseudonymous key from the channel (e.g. a hashed phone number), used only to find
    repeat contacts; ``avoidable_contact_code`` is written by the caseworker desk after a handoff.
    """

    __tablename__ = "contact_record"
    __table_args__ = (UniqueConstraint("conversation_id", name="uq_contact_record_conversation"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(160), nullable=False)
    citizen_key = Column(String(128), index=True)
    channel = Column(String(32), nullable=False)
    language = Column(String(8), nullable=False, default="en")
    jurisdiction = Column(String(64))
    topic = Column(String(64))
    service_ids = Column(JSON, nullable=False, default=list)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    ended_at = Column(DateTime(timezone=True))
    end_point = Column(String(32))
    handed_off = Column(Boolean, nullable=False, default=False)
    handoff_after_misunderstanding = Column(Boolean, nullable=False, default=False)
    fallback_count = Column(Integer, nullable=False, default=0)
    max_consecutive_fallbacks = Column(Integer, nullable=False, default=0)
    demand = Column(String(16))  # value | failure
    failure_type = Column(String(48))
    avoidable_contact_code = Column(String(48))
    coded_at = Column(DateTime(timezone=True))


class SurveyOffer(Base):
    """The survey was offered in this conversation (logged even when nobody answers: the response-rate base)."""

    __tablename__ = "survey_offer"
    __table_args__ = (UniqueConstraint("conversation_id", name="uq_survey_offer_conversation"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(160), nullable=False)
    channel = Column(String(32), nullable=False)
    language = Column(String(8), nullable=False, default="en")
    jurisdiction = Column(String(64))
    service_ids = Column(JSON, nullable=False, default=list)
    end_point = Column(String(32), nullable=False)
    handed_off = Column(Boolean, nullable=False, default=False)
    question_version = Column(String(32), nullable=False)
    offered_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class SurveyResponse(Base):
    """At most one per offer (the unique key makes a repeated webhook update, never double count).

    Every rated answer is stored raw with its scale's min and max, so it can be re-indexed if scales change.
    """

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("offer_id", name="uq_survey_response_offer"),)

    id = Column(Integer, primary_key=True)
    offer_id = Column(Integer, ForeignKey("survey_offer.id", ondelete="CASCADE"), nullable=False)
    question_version = Column(String(32), nullable=False)
    satisfaction = Column(Integer)
    satisfaction_min = Column(Integer)
    satisfaction_max = Column(Integer)
    trust = Column(Integer)
    trust_min = Column(Integer)
    trust_max = Column(Integer)
    drivers_polarity = Column(String(16))  # went_well | went_badly
    drivers = Column(JSON)  # list of driver keys; [] = answered "none"; NULL = not answered
    first_time = Column(String(16))  # yes | no | not_sure
    comment_redacted = Column(Text)
    stopped = Column(Boolean, nullable=False, default=False)
    submitted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class LegacyRating(Base):
    """A rating collected elsewhere on another scale ("4/5", "6/10"), kept raw and converted to 0–100."""

    __tablename__ = "legacy_rating"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_legacy_rating_source"),)

    id = Column(Integer, primary_key=True)
    source = Column(String(64), nullable=False)
    source_id = Column(String(128), nullable=False)
    jurisdiction = Column(String(64))
    service_id = Column(String(128))
    channel = Column(String(32))
    rated_at = Column(DateTime(timezone=True), nullable=False)
    value = Column(Float, nullable=False)
    scale_min = Column(Float, nullable=False)
    scale_max = Column(Float, nullable=False)
    item_index = Column(Float, nullable=False)


NO_SERVICE, OUT_OF_SCOPE = "no_service", "out_of_scope"
"""Why a need went unmet: no service matched it, or the message was judged out of scope (maybe wrongly)."""


class UnmetDemand(Base):
    """Something a citizen asked for that matched no service — by place and topic, query text redacted."""

    __tablename__ = "unmet_demand"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(160), nullable=False, index=True)
    asked_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    channel = Column(String(32))
    language = Column(String(8))
    jurisdiction = Column(String(64))
    topic = Column(String(64))  # the need asked about (for an out-of-scope message: the best guess, if any)
    query_redacted = Column(Text)
    reason = Column(String(32), nullable=False, default=NO_SERVICE, server_default=NO_SERVICE)
