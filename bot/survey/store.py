"""Writing survey and contact facts: every write is an idempotent upsert keyed by the conversation.

Rasa actions, the event-broker consumer and the desk call these; a retried webhook or a second process writing
the same conversation updates the one row instead of adding another, so nothing is ever counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import session_factory
from bot.survey.channels import report_code as channel_name  # Rasa's channel → report code
from bot.survey.definition import (
    DRIVERS_LABELS,
    FIRST_TIME_LABELS,
    QUESTION_VERSION,
    SCALE_MAX,
    SCALE_MIN,
    driver_polarity,
)
from bot.survey.failure_demand import AVOIDABLE_CONTACT_CODES, FAILURE, FAILURE_TYPES, VALUE
from bot.survey.index import item_index
from bot.survey.models import (
    END_POINTS,
    NO_SERVICE,
    ContactRecord,
    LegacyRating,
    SurveyOffer,
    SurveyResponse,
    UnmetDemand,
)
from bot.survey.redact import redact
from knowledge.clock import as_utc, utcnow

MAX_COMMENT_CHARS = 1000
MAX_QUERY_CHARS = 300

T = TypeVar("T")


class SurveyNotOffered(LookupError):
    """An answer arrived for a conversation where no survey offer was logged."""


class UnknownConversation(LookupError):
    """No contact record for this conversation."""


def _upsert(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a transaction; a concurrent first insert loses the unique-key race once, then updates."""
    Session = session_factory(engine)
    for _attempt in range(3):
        with Session() as session:
            try:
                result = work(session)
                session.commit()
                return result
            except IntegrityError:
                session.rollback()
    raise RuntimeError("could not write after concurrent updates")


# --- contacts -------------------------------------------------------------------------------------------------

_CONTACT_FIELDS = {"citizen_key", "channel", "language", "jurisdiction", "topic", "started_at", "ended_at",
                   "end_point", "fallback_count", "max_consecutive_fallbacks"}


def record_contact(engine: Engine, conversation_id: str, *, service_ids: Iterable[str] = (),
                   handed_off: bool | None = None, handoff_after_misunderstanding: bool | None = None,
                   demand: str | None = None, failure_type: str | None = None, **facts: Any) -> int:
    """Create or update what we know about a conversation; returns the contact id.

    Given fields overwrite, ``None`` leaves a field alone. Services shown accumulate; a handoff, once seen,
    stays; failure demand, once seen, is not downgraded to value demand by a later message.
    """
    unknown = set(facts) - _CONTACT_FIELDS
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    if facts.get("end_point") is not None and facts["end_point"] not in END_POINTS:
        raise ValueError(f"end_point must be one of {END_POINTS}")
    if demand not in (None, VALUE, FAILURE) or (failure_type is not None and failure_type not in FAILURE_TYPES):
        raise ValueError(f"demand must be value/failure and failure_type one of {FAILURE_TYPES}")
    if facts.get("channel") is not None:
        facts["channel"] = channel_name(facts["channel"])
    for key in ("started_at", "ended_at"):
        if facts.get(key) is not None:
            facts[key] = as_utc(facts[key])
    services = [s for s in service_ids if s]

    def work(session: Session) -> int:
        row = session.execute(
            select(ContactRecord).where(ContactRecord.conversation_id == conversation_id)
        ).scalar_one_or_none()
        if row is None:
            if not facts.get("channel"):
                raise ValueError("a new contact needs its channel")
            row = ContactRecord(conversation_id=conversation_id, service_ids=[], handed_off=False,
                                handoff_after_misunderstanding=False, fallback_count=0,
                                max_consecutive_fallbacks=0, language="en", started_at=utcnow())
            session.add(row)
        for key, value in facts.items():
            if value is not None:
                setattr(row, key, value)
        merged = list(row.service_ids or [])
        row.service_ids = merged + [s for s in services if s not in merged]
        if handed_off:
            row.handed_off = True
        if handoff_after_misunderstanding:
            row.handoff_after_misunderstanding = True
        if demand == FAILURE and row.demand != FAILURE:
            row.demand, row.failure_type = FAILURE, failure_type
        elif demand == VALUE and row.demand is None:
            row.demand = VALUE
        session.flush()
        return int(row.id)

    return _upsert(engine, work)


def mark_avoidable_contact(engine: Engine, conversation_id: str, code: str) -> None:
    """The caseworker's call after a handoff: ``unavoidable`` or why the contact was avoidable (desk writes)."""
    if code not in AVOIDABLE_CONTACT_CODES:
        raise ValueError(f"avoidable-contact code must be one of {AVOIDABLE_CONTACT_CODES}")
    with session_factory(engine)() as session:
        row = session.execute(
            select(ContactRecord).where(ContactRecord.conversation_id == conversation_id)
        ).scalar_one_or_none()
        if row is None:
            raise UnknownConversation(conversation_id)
        row.avoidable_contact_code, row.coded_at = code, utcnow()
        session.commit()


# --- survey ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferOutcome:
    offer_id: int
    newly_offered: bool
    """False when this conversation was already offered the survey: do not ask again."""


def record_offer(engine: Engine, conversation_id: str, *, channel: str, end_point: str, language: str = "en",
                 jurisdiction: str | None = None, service_ids: Iterable[str] = (), handed_off: bool = False,
                 offered_at: datetime | None = None, question_version: str = QUESTION_VERSION) -> OfferOutcome:
    """Log that the survey was offered — once per conversation, at the first end point reached."""
    if end_point not in END_POINTS:
        raise ValueError(f"end_point must be one of {END_POINTS}")

    def work(session: Session) -> OfferOutcome:
        row = session.execute(
            select(SurveyOffer).where(SurveyOffer.conversation_id == conversation_id)
        ).scalar_one_or_none()
        if row is not None:
            return OfferOutcome(row.id, False)
        row = SurveyOffer(conversation_id=conversation_id, channel=channel_name(channel), language=language,
                          jurisdiction=jurisdiction, service_ids=[s for s in service_ids if s],
                          end_point=end_point, handed_off=bool(handed_off), question_version=question_version,
                          offered_at=as_utc(offered_at) or utcnow())
        session.add(row)
        session.flush()
        return OfferOutcome(row.id, True)

    return _upsert(engine, work)


@dataclass(frozen=True)
class ResponseOutcome:
    response_id: int
    created: bool


def validate_answers(answers: Mapping[str, Any], handed_off: bool) -> dict[str, Any]:
    """Check answers from any channel; unknown keys and out-of-range values are errors, not silently dropped."""
    allowed = {"satisfaction", "trust", "drivers", "drivers_polarity", "first_time", "comment", "stopped"}
    unknown = set(answers) - allowed
    if unknown:
        raise ValueError(f"unknown survey answers: {sorted(unknown)}")
    clean = {k: v for k, v in answers.items() if v is not None}
    for item in ("satisfaction", "trust"):
        if item in clean:
            value = clean[item]
            if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
                raise ValueError(f"{item} must be an integer {SCALE_MIN}–{SCALE_MAX}, got {value!r}")
    if "drivers" in clean:
        drivers = list(clean["drivers"])
        bad = [d for d in drivers if d not in DRIVERS_LABELS or (d == "caseworker_helpful" and not handed_off)]
        if bad:
            raise ValueError(f"drivers not offered in this conversation: {bad}")
        clean["drivers"] = sorted(set(drivers), key=list(DRIVERS_LABELS).index)
    if "first_time" in clean and clean["first_time"] not in FIRST_TIME_LABELS:
        raise ValueError(f"first_time must be one of {list(FIRST_TIME_LABELS)}")
    if "comment" in clean:
        # Redacted again here whatever the caller did: this is the last gate before storage.
        comment = redact(str(clean["comment"])[: MAX_COMMENT_CHARS * 2]).text.strip()[:MAX_COMMENT_CHARS]
        clean["comment"] = comment or None
    return clean


def submit_response(engine: Engine, conversation_id: str, answers: Mapping[str, Any], *,
                    submitted_at: datetime | None = None) -> ResponseOutcome:
    """Store (or merge into) the one response of this conversation.

    Call it after each step or once at the end: answers given overwrite, missing ones are kept, so a
    repeated webhook or a resend changes nothing and partial answers still count.
    """

    def work(session: Session) -> ResponseOutcome:
        offer = session.execute(
            select(SurveyOffer).where(SurveyOffer.conversation_id == conversation_id)
        ).scalar_one_or_none()
        if offer is None:
            raise SurveyNotOffered(conversation_id)
        clean = validate_answers(answers, offer.handed_off)
        row = session.execute(
            select(SurveyResponse).where(SurveyResponse.offer_id == offer.id)
        ).scalar_one_or_none()
        created = row is None
        moment = as_utc(submitted_at) or utcnow()
        if created:
            row = SurveyResponse(offer_id=offer.id, question_version=offer.question_version, submitted_at=moment,
                                 stopped=False)
            session.add(row)
        row.updated_at = moment
        for item in ("satisfaction", "trust"):
            if item in clean:
                setattr(row, item, clean[item])
                setattr(row, f"{item}_min", SCALE_MIN)
                setattr(row, f"{item}_max", SCALE_MAX)
        if "drivers" in clean:
            row.drivers = clean["drivers"]
            row.drivers_polarity = clean.get("drivers_polarity") or driver_polarity(row.satisfaction)
        if "first_time" in clean:
            row.first_time = clean["first_time"]
        if clean.get("comment"):
            row.comment_redacted = clean["comment"]
        if clean.get("stopped"):
            row.stopped = True
        session.flush()
        return ResponseOutcome(row.id, created)

    return _upsert(engine, work)


# --- legacy ratings and unmet demand ---------------------------------------------------------------------------

def import_legacy_rating(engine: Engine, *, source: str, source_id: str, value: float, scale_min: float,
                         scale_max: float, rated_at: datetime, jurisdiction: str | None = None,
                         service_id: str | None = None, channel: str | None = None) -> float:
    """Import one rating from another instrument, kept raw and converted to 0–100; returns its index."""
    index = item_index(value, scale_min, scale_max)

    def work(session: Session) -> float:
        row = session.execute(select(LegacyRating).where(
            LegacyRating.source == source, LegacyRating.source_id == source_id)).scalar_one_or_none()
        if row is None:
            row = LegacyRating(source=source, source_id=source_id)
            session.add(row)
        row.value, row.scale_min, row.scale_max, row.item_index = value, scale_min, scale_max, index
        row.rated_at, row.jurisdiction, row.service_id, row.channel = (as_utc(rated_at), jurisdiction,
                                                                       service_id, channel)
        return index

    return _upsert(engine, work)


def record_unmet_demand(engine: Engine, conversation_id: str, *, query: str | None, topic: str | None,
                        jurisdiction: str | None, channel: str | None = None, language: str | None = None,
                        asked_at: datetime | None = None, reason: str = NO_SERVICE) -> int:
    """Log a need that matched no service (or a message judged out of scope), once per conversation, place, topic
    and reason; the query is redacted."""
    redacted = redact((query or "")[: MAX_QUERY_CHARS * 2]).text.strip()[:MAX_QUERY_CHARS] or None
    with session_factory(engine)() as session:
        row = session.execute(select(UnmetDemand).where(
            UnmetDemand.conversation_id == conversation_id, UnmetDemand.reason == reason,
            UnmetDemand.topic.is_(None) if topic is None else UnmetDemand.topic == topic,
            UnmetDemand.jurisdiction.is_(None) if jurisdiction is None else UnmetDemand.jurisdiction == jurisdiction,
        )).scalars().first()
        if row is None:
            row = UnmetDemand(conversation_id=conversation_id, topic=topic, jurisdiction=jurisdiction,
                              asked_at=as_utc(asked_at) or utcnow(), reason=reason)
            session.add(row)
        row.query_redacted = redacted or row.query_redacted
        row.channel, row.language = channel_name(channel) or row.channel, language or row.language
        session.commit()
        return int(row.id)
