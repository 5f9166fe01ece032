"""People's decisions on fuzzy pairs: confirm or reject, honoured by every later run.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("manual_key", sa.Text, nullable=False),
        sa.Column("crm_key", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("entity", "manual_key", "crm_key", name="uq_match_decisions"),
    )


def downgrade() -> None:
    op.drop_table("match_decisions")
