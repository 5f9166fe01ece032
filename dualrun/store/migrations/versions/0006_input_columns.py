"""Each input's header columns per sheet, so a run can tell when a feed's columns drift.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_inputs") as batch:
        batch.add_column(sa.Column("columns", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("run_inputs") as batch:
        batch.drop_column("columns")
