"""Readiness: sign-offs, accepted risks, and the modules that have cut over.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("module", sa.String(100)),
        sa.Column("at", TZ, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "accepted_risks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gate", sa.String(100), nullable=False),
        sa.Column("module", sa.String(100)),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "cutovers",
        sa.Column("module", sa.String(100), primary_key=True),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("carry_on", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("cutovers", "accepted_risks", "signoffs"):
        op.drop_table(table)
