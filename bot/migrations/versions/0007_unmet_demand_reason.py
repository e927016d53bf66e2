"""unmet demand: why the need went unmet (no service matched, or the message was judged out of scope)

Revision ID: 0007_unmet_demand_reason
Revises: 0006_handoff_desk
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_unmet_demand_reason"
down_revision = "0006_handoff_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unmet_demand") as batch:
        batch.add_column(sa.Column("reason", sa.String(32), nullable=False, server_default="no_service"))


def downgrade() -> None:
    with op.batch_alter_table("unmet_demand") as batch:
        batch.drop_column("reason")
