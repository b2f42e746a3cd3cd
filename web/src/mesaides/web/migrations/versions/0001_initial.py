"""Saved situations and aggregated statistics.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_saved_situation",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_web_saved_situation_expires_at", "web_saved_situation", ["expires_at"])
    op.create_table(
        "web_stats_counter",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("metric", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "web_stats_visitor",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("digest", sa.String(32), primary_key=True),
    )
    op.create_table(
        "web_stats_salt",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_stats_salt")
    op.drop_table("web_stats_visitor")
    op.drop_table("web_stats_counter")
    op.drop_index("ix_web_saved_situation_expires_at", table_name="web_saved_situation")
    op.drop_table("web_saved_situation")
