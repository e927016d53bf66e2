"""survey, contact and unmet-demand tables

Revision ID: 0003_survey
Revises: 0001_conversation
Create Date: 2026-11-23

Branches off 0001 on purpose: the survey tables do not depend on other feature branches (upgrade to "heads").
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_survey"
down_revision = "0001_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("citizen_key", sa.String(128)),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("jurisdiction", sa.String(64)),
        sa.Column("topic", sa.String(64)),
        sa.Column("service_ids", sa.JSON, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_point", sa.String(32)),
        sa.Column("handed_off", sa.Boolean, nullable=False),
        sa.Column("handoff_after_misunderstanding", sa.Boolean, nullable=False),
        sa.Column("fallback_count", sa.Integer, nullable=False),
        sa.Column("max_consecutive_fallbacks", sa.Integer, nullable=False),
        sa.Column("demand", sa.String(16)),
        sa.Column("failure_type", sa.String(48)),
        sa.Column("avoidable_contact_code", sa.String(48)),
        sa.Column("coded_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("conversation_id", name="uq_contact_record_conversation"),
    )
    op.create_index("ix_contact_record_citizen_key", "contact_record", ["citizen_key"])
    op.create_index("ix_contact_record_started_at", "contact_record", ["started_at"])

    op.create_table(
        "survey_offer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("jurisdiction", sa.String(64)),
        sa.Column("service_ids", sa.JSON, nullable=False),
        sa.Column("end_point", sa.String(32), nullable=False),
        sa.Column("handed_off", sa.Boolean, nullable=False),
        sa.Column("question_version", sa.String(32), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", name="uq_survey_offer_conversation"),
    )
    op.create_index("ix_survey_offer_offered_at", "survey_offer", ["offered_at"])

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("offer_id", sa.Integer, sa.ForeignKey("survey_offer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_version", sa.String(32), nullable=False),
        sa.Column("satisfaction", sa.Integer),
        sa.Column("satisfaction_min", sa.Integer),
        sa.Column("satisfaction_max", sa.Integer),
        sa.Column("trust", sa.Integer),
        sa.Column("trust_min", sa.Integer),
        sa.Column("trust_max", sa.Integer),
        sa.Column("drivers_polarity", sa.String(16)),
        sa.Column("drivers", sa.JSON),
        sa.Column("first_time", sa.String(16)),
        sa.Column("comment_redacted", sa.Text),
        sa.Column("stopped", sa.Boolean, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("offer_id", name="uq_survey_response_offer"),
    )

    op.create_table(
        "legacy_rating",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.Column("jurisdiction", sa.String(64)),
        sa.Column("service_id", sa.String(128)),
        sa.Column("channel", sa.String(32)),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("scale_min", sa.Float, nullable=False),
        sa.Column("scale_max", sa.Float, nullable=False),
        sa.Column("item_index", sa.Float, nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_legacy_rating_source"),
    )

    op.create_table(
        "unmet_demand",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32)),
        sa.Column("language", sa.String(8)),
        sa.Column("jurisdiction", sa.String(64)),
        sa.Column("topic", sa.String(64)),
        sa.Column("query_redacted", sa.Text),
    )
    op.create_index("ix_unmet_demand_conversation_id", "unmet_demand", ["conversation_id"])
    op.create_index("ix_unmet_demand_asked_at", "unmet_demand", ["asked_at"])


def downgrade() -> None:
    op.drop_table("unmet_demand")
    op.drop_table("legacy_rating")
    op.drop_table("survey_response")
    op.drop_table("survey_offer")
    op.drop_table("contact_record")
