"""Storage on SQLite and the real PostgreSQL: schema, once-per-conversation offers, idempotent responses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select

from bot.db import Base, current_revision, make_engine, session_factory
from bot.survey.models import ContactRecord, LegacyRating, SurveyOffer, SurveyResponse, UnmetDemand
from bot.survey.store import (
    SurveyNotOffered,
    UnknownConversation,
    import_legacy_rating,
    mark_avoidable_contact,
    record_contact,
    record_offer,
    record_unmet_demand,
    submit_response,
)

SURVEY_TABLES = ("contact_record", "survey_offer", "survey_response", "legacy_rating", "unmet_demand")


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


def count(engine, model) -> int:
    with session_factory(engine)() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def one(engine, model):
    with session_factory(engine)() as session:
        return session.execute(select(model)).scalar_one()


def test_migration_creates_the_tables_the_models_describe(migrated_url, engine):
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(migrated_url))
    applied = {r.revision for r in script.iterate_revisions(current_revision(migrated_url), "base")}
    assert "0003_survey" in applied
    inspector = inspect(engine)
    for table in SURVEY_TABLES:
        migrated = {c["name"] for c in inspector.get_columns(table)}
        assert migrated == set(Base.metadata.tables[table].columns.keys()), table
    uniques = {u["name"] for u in inspector.get_unique_constraints("survey_response")}
    assert "uq_survey_response_offer" in uniques


def test_offer_is_logged_once_per_conversation(engine):
    first = record_offer(engine, "conv-1", channel="web", end_point="results", jurisdiction="US-CO",
                         service_ids=["us-snap"])
    again = record_offer(engine, "conv-1", channel="web", end_point="goodbye")
    assert first.newly_offered and not again.newly_offered
    assert first.offer_id == again.offer_id
    offer = one(engine, SurveyOffer)
    assert (offer.end_point, offer.service_ids, offer.question_version[:3]) == ("results", ["us-snap"], "a11")


def test_unknown_end_point_is_refused(engine):
    with pytest.raises(ValueError):
        record_offer(engine, "conv-1", channel="web", end_point="finished")


def test_a_repeated_webhook_does_not_double_count(engine):
    record_offer(engine, "conv-1", channel="twilio", end_point="results")
    answers = {"satisfaction": 4, "trust": 5}
    first = submit_response(engine, "conv-1", answers)
    second = submit_response(engine, "conv-1", answers)
    assert first.created and not second.created and first.response_id == second.response_id
    assert count(engine, SurveyResponse) == 1


def test_answers_arriving_step_by_step_merge_into_one_response(engine):
    record_offer(engine, "conv-1", channel="web", end_point="handoff_closed", handed_off=True)
    submit_response(engine, "conv-1", {"satisfaction": 2})
    submit_response(engine, "conv-1", {"trust": None, "drivers": ["caseworker_helpful", "ease"]})
    submit_response(engine, "conv-1", {"first_time": "no", "comment": "Mr. Okafor never called 902-555-0199"})
    row = one(engine, SurveyResponse)
    assert (row.satisfaction, row.satisfaction_min, row.satisfaction_max) == (2, 1, 5)
    assert row.trust is None and row.trust_min is None
    assert row.drivers == ["ease", "caseworker_helpful"] and row.drivers_polarity == "went_badly"
    assert row.first_time == "no"
    assert row.comment_redacted == "[NAME] never called [PHONE]"


@pytest.mark.parametrize("answers", [
    {"satisfaction": 6}, {"satisfaction": "5"}, {"trust": 0}, {"drivers": ["speed"]},
    {"drivers": ["caseworker_helpful"]}, {"first_time": "maybe"}, {"nps": 9},
])
def test_invalid_answers_are_refused(engine, answers):
    record_offer(engine, "conv-1", channel="web", end_point="results")
    with pytest.raises(ValueError):
        submit_response(engine, "conv-1", answers)
    assert count(engine, SurveyResponse) == 0


def test_an_answer_without_an_offer_is_refused(engine):
    with pytest.raises(SurveyNotOffered):
        submit_response(engine, "nobody", {"satisfaction": 5})


def test_contact_facts_accumulate(engine):
    record_contact(engine, "conv-1", channel="web", jurisdiction="CA-NS", service_ids=["ca-ei"], demand="value")
    record_contact(engine, "conv-1", service_ids=["ca-ei", "ca-cpp-death"], handed_off=True,
                   demand="failure", failure_type="explaining_letters", end_point="handoff_closed")
    record_contact(engine, "conv-1", handed_off=False, demand="value", max_consecutive_fallbacks=2)
    row = one(engine, ContactRecord)
    assert row.service_ids == ["ca-ei", "ca-cpp-death"]
    assert row.handed_off is True
    assert (row.demand, row.failure_type) == ("failure", "explaining_letters")
    assert (row.end_point, row.max_consecutive_fallbacks, row.jurisdiction) == ("handoff_closed", 2, "CA-NS")
    with pytest.raises(TypeError):
        record_contact(engine, "conv-1", sender_phone="+19025550199")


def test_caseworker_avoidable_contact_code(engine):
    record_contact(engine, "conv-1", channel="web")
    mark_avoidable_contact(engine, "conv-1", "wrong_jurisdiction")
    row = one(engine, ContactRecord)
    assert row.avoidable_contact_code == "wrong_jurisdiction" and row.coded_at is not None
    with pytest.raises(ValueError):
        mark_avoidable_contact(engine, "conv-1", "rude citizen")
    with pytest.raises(UnknownConversation):
        mark_avoidable_contact(engine, "conv-404", "unavoidable")


def test_unmet_demand_is_stored_redacted_once_per_conversation_and_topic(engine):
    for _ in range(2):
        record_unmet_demand(engine, "conv-1", query="vet bills for my dog, email me at a.b@example.com",
                            topic="pet_care", jurisdiction="CA-NS", channel="web")
    assert count(engine, UnmetDemand) == 1
    assert one(engine, UnmetDemand).query_redacted == "vet bills for my dog, email me at [EMAIL]"


def test_legacy_rating_is_kept_raw_and_converted(engine):
    moment = datetime(2026, 8, 1, tzinfo=UTC)
    assert import_legacy_rating(engine, source="old-portal", source_id="17", value=4, scale_min=1, scale_max=5,
                                rated_at=moment, service_id="us-snap") == 75.0
    import_legacy_rating(engine, source="old-portal", source_id="17", value=4, scale_min=1, scale_max=5,
                         rated_at=moment)
    import_legacy_rating(engine, source="nps-survey", source_id="a", value=6, scale_min=0, scale_max=10,
                         rated_at=moment)
    assert count(engine, LegacyRating) == 2
    with session_factory(engine)() as session:
        indexes = sorted(session.execute(select(LegacyRating.item_index)).scalars())
    assert indexes == [60.0, 75.0]
