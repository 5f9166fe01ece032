"""The nightly job: which runs are synced to issues, identities, regressions, a lock.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("synced_at", TZ))
    with op.batch_alter_table("discrepancies") as batch:
        batch.add_column(sa.Column("identity", sa.Text))
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("resolved_at", TZ))
        batch.add_column(
            sa.Column("systemic", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("accepted_evidence", sa.JSON))
    op.create_table(
        "nightly_lock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("holder", sa.Text),
        sa.Column("since", TZ),
    )
    op.execute("INSERT INTO nightly_lock (id, holder, since) VALUES (1, NULL, NULL)")


def downgrade() -> None:
    op.drop_table("nightly_lock")
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("accepted_evidence")
        batch.drop_column("systemic")
        batch.drop_column("resolved_at")
    with op.batch_alter_table("discrepancies") as batch:
        batch.drop_column("identity")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("synced_at")
