"""Sign-in requests, counted per email and per address to rate-limit them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sign_in_attempt",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_web_sign_in_attempt_key_at", "web_sign_in_attempt", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_web_sign_in_attempt_key_at", table_name="web_sign_in_attempt")
    op.drop_table("web_sign_in_attempt")
