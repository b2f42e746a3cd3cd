"""The instance's secrets (the CSRF key) and today's click digests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_instance_secret",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    op.create_table(
        "web_stats_click",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("digest", sa.String(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("web_stats_click")
    op.drop_table("web_instance_secret")
