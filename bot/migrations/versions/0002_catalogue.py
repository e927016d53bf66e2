"""service catalogue: HSDS tables, eligibility rules, life events, navigators, jurisdictions, versions

Revision ID: 0002_catalogue
Revises: 0001_conversation
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_catalogue"
down_revision = "0001_conversation"
branch_labels = None
depends_on = None

CODE, SID = 100, 200


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("services", sa.Integer, nullable=False),
        sa.Column("navigators", sa.Integer, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
    )
    op.create_table(
        "catalogue_source",
        sa.Column("id", sa.String(SID), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("attribution", sa.Text),
        sa.Column("retrieved", sa.String(64)),
        sa.Column("file", sa.Text),
    )
    op.create_table(
        "jurisdiction",
        sa.Column("code", sa.String(CODE), primary_key=True),
        sa.Column("parent_code", sa.String(CODE)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("names", sa.JSON, nullable=False),
    )
    op.create_index("ix_jurisdiction_parent", "jurisdiction", ["parent_code"])
    op.create_table(
        "organization",
        sa.Column("id", sa.String(SID), primary_key=True),
        sa.Column("source_id", sa.String(SID), sa.ForeignKey("catalogue_source.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("names", sa.JSON, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("email", sa.Text),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(SID), primary_key=True),
        sa.Column("source_id", sa.String(SID), sa.ForeignKey("catalogue_source.id"), nullable=False),
        sa.Column("organization_id", sa.String(SID), sa.ForeignKey("organization.id")),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_reviewed", sa.Date, nullable=False),
        sa.Column("source_url", sa.Text),
        sa.Column("source_record_id", sa.Text, nullable=False),
        sa.Column("doc", sa.JSON, nullable=False),
    )
    op.create_index("ix_service_source", "service", ["source_id"])
    op.create_table(
        "service_area",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("jurisdiction_code", sa.String(CODE), nullable=False),
    )
    op.create_index("ix_service_area_jurisdiction", "service_area", ["jurisdiction_code"])
    op.create_index("ix_service_area_service", "service_area", ["service_id"])
    op.create_table(
        "service_life_event",
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), primary_key=True),
        sa.Column("life_event", sa.String(64), primary_key=True),
    )
    op.create_index("ix_service_life_event_event", "service_life_event", ["life_event"])
    op.create_table(
        "service_match_index",
        sa.Column("jurisdiction_code", sa.String(CODE), primary_key=True),
        sa.Column("life_event", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), primary_key=True),
    )
    op.create_table(
        "eligibility_rule",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("criterion", sa.String(100)),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("values", sa.JSON, nullable=False),
        sa.Column("label", sa.JSON),
        sa.Column("any_of", sa.JSON),
    )
    op.create_index("ix_eligibility_rule_service", "eligibility_rule", ["service_id"])
    op.create_index("ix_eligibility_rule_criterion", "eligibility_rule", ["criterion"])
    op.create_table(
        "required_document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("url", sa.Text),
    )
    op.create_index("ix_required_document_service", "required_document", ["service_id"])
    op.create_table(
        "phone",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id")),
        sa.Column("organization_id", sa.String(SID), sa.ForeignKey("organization.id")),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("description", sa.JSON),
        sa.Column("languages", sa.JSON, nullable=False),
    )
    op.create_index("ix_phone_service", "phone", ["service_id"])
    op.create_table(
        "service_language",
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
    )
    op.create_table(
        "location",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("region", sa.Text),
        sa.Column("postal_code", sa.String(16)),
        sa.Column("country", sa.String(64)),
        sa.Column("jurisdiction_code", sa.String(CODE)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
    )
    op.create_index("ix_location_service", "location", ["service_id"])
    op.create_index("ix_location_jurisdiction", "location", ["jurisdiction_code"])
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("description", sa.JSON),
        sa.Column("byday", sa.String(64)),
        sa.Column("opens_at", sa.String(16)),
        sa.Column("closes_at", sa.String(16)),
    )
    op.create_index("ix_schedule_service", "schedule", ["service_id"])
    op.create_table(
        "navigator",
        sa.Column("id", sa.String(SID), primary_key=True),
        sa.Column("source_id", sa.String(SID), sa.ForeignKey("catalogue_source.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.String(64)),
        sa.Column("url", sa.Text),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("doc", sa.JSON, nullable=False),
    )
    op.create_table(
        "navigator_area",
        sa.Column("navigator_id", sa.String(SID), sa.ForeignKey("navigator.id"), primary_key=True),
        sa.Column("jurisdiction_code", sa.String(CODE), primary_key=True),
    )
    op.create_index("ix_navigator_area_jurisdiction", "navigator_area", ["jurisdiction_code"])
    op.create_table(
        "navigator_service",
        sa.Column("navigator_id", sa.String(SID), sa.ForeignKey("navigator.id"), primary_key=True),
        sa.Column("service_id", sa.String(SID), sa.ForeignKey("service.id"), primary_key=True),
    )
    op.create_index("ix_navigator_service_service", "navigator_service", ["service_id"])


def downgrade() -> None:
    for table in (
        "navigator_service", "navigator_area", "navigator", "schedule", "location", "service_language", "phone",
        "required_document", "eligibility_rule", "service_match_index", "service_life_event", "service_area",
        "service", "organization", "jurisdiction", "catalogue_source", "catalogue_version",
    ):
        op.drop_table(table)
