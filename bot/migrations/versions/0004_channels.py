"""channel tables: SMS contacts/opt-outs, webhook de-duplication, offered buttons

Revision ID: 0004_channels
Revises: 0001_conversation
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_channels"
down_revision = "0001_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_sms_contact",
        sa.Column("sender_key", sa.String(64), primary_key=True),
        sa.Column("number_encrypted", sa.Text, nullable=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "channel_processed_message",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "message_id", name="uq_channel_processed_message"),
    )
    op.create_index("ix_channel_processed_message_received_at", "channel_processed_message", ["received_at"])
    op.create_table(
        "channel_button_offer",
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("sender_id", sa.String(128), primary_key=True),
        sa.Column("buttons", sa.Text, nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "channel_button_payload",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_button_payload")
    op.drop_table("channel_button_offer")
    op.drop_index("ix_channel_processed_message_received_at", table_name="channel_processed_message")
    op.drop_table("channel_processed_message")
    op.drop_table("channel_sms_contact")
