"""handoff desk: caseworker accounts, sessions, audit log, broker cursor, handoffs, notes, callback requests

Revision ID: 0006_handoff_desk
Revises: 0005_merge_features
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_handoff_desk"
down_revision = "0005_merge_features"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "desk_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("available", sa.Boolean, nullable=False),
        sa.Column("last_seen_at", TZ),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "desk_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("desk_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_desk_session_user_id", "desk_session", ["user_id"])
    op.create_index("ix_desk_session_expires_at", "desk_session", ["expires_at"])
    op.create_table(
        "desk_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("username", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("handoff_id", sa.Integer),
        sa.Column("callback_id", sa.Integer),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("remote", sa.String(64)),
    )
    op.create_index("ix_desk_audit_at", "desk_audit", ["at"])
    op.create_index("ix_desk_audit_handoff_id", "desk_audit", ["handoff_id"])
    op.create_table(
        "desk_broker_cursor",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("location", sa.String(64)),
        sa.Column("location_name", sa.String(160)),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("life_events", sa.JSON, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("shown_services", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("claimed_at", TZ),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("assigned_to", sa.String(64)),
        sa.Column("closed_at", TZ),
        sa.Column("disposition", sa.String(32)),
        sa.Column("avoidable", sa.String(8)),
        sa.Column("failure_type", sa.String(48)),
        sa.Column("handed_back_at", TZ),
        sa.Column("last_position_sent", sa.Integer),
        sa.Column("last_citizen_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    )
    for column in ("sender_id", "team", "status", "requested_at", "updated_at"):
        op.create_index(f"ix_handoff_{column}", "handoff", [column])
    open_only = sa.text("status IN ('waiting', 'claimed')")
    op.create_index("uq_handoff_open_sender", "handoff", ["sender_id"], unique=True, postgresql_where=open_only,
                    sqlite_where=open_only)
    op.create_table(
        "handoff_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_handoff_note_handoff_id", "handoff_note", ["handoff_id"])
    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoff.id", ondelete="SET NULL")),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("contact_encrypted", sa.Text, nullable=False),
        sa.Column("contact_hint", sa.String(64), nullable=False),
        sa.Column("preferred", sa.String(32), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("location", sa.String(64)),
        sa.Column("location_name", sa.String(160)),
        sa.Column("life_events", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("done_at", TZ),
        sa.Column("done_by", sa.String(64)),
        sa.Column("outcome", sa.String(32)),
    )
    for column in ("sender_id", "team", "due_at", "status"):
        op.create_index(f"ix_callback_request_{column}", "callback_request", [column])


def downgrade() -> None:
    for table in ("callback_request", "handoff_note", "handoff", "desk_broker_cursor", "desk_audit", "desk_session",
                  "desk_user"):
        op.drop_table(table)
