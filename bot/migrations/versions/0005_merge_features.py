"""merge the catalogue, survey and channel branches into one head

Revision ID: 0005_merge_features
Revises: 0002_catalogue, 0003_survey, 0004_channels
Create Date: 2026-11-23
"""

revision = "0005_merge_features"
down_revision = ("0002_catalogue", "0003_survey", "0004_channels")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
