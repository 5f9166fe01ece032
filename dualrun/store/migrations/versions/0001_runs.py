"""Runs, their inputs, per-entity and per-owner statistics, discrepancies.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("config_path", sa.Text, nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("entities_requested", sa.JSON, nullable=False),
        sa.Column("entities_covered", sa.JSON, nullable=False),
        sa.Column("inputs_digest", sa.String(64)),
        sa.Column("discrepancy_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "run_inputs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("sheets", sa.JSON, nullable=False),
    )
    op.create_index("ix_run_inputs_run_id", "run_inputs", ["run_id"])
    op.create_table(
        "entity_stats",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("entity", sa.String(100), primary_key=True),
        sa.Column("module", sa.String(100), nullable=False),
        sa.Column("rows_manual", sa.Integer, nullable=False),
        sa.Column("rows_crm", sa.Integer, nullable=False),
        sa.Column("pairs", sa.Integer, nullable=False),
        sa.Column("identical_pairs", sa.Integer, nullable=False),
        sa.Column("match_rate", sa.Float),
        sa.Column("stats", sa.JSON, nullable=False),
    )
    op.create_table(
        "owner_stats",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("entity", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("rows_manual", sa.Integer, nullable=False),
        sa.Column("rows_crm", sa.Integer, nullable=False),
        sa.Column("missing_in_crm", sa.Integer, nullable=False),
        sa.Column("amounts", sa.JSON, nullable=False),
    )
    op.create_table(
        "discrepancies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("key", sa.Text),
        sa.Column("field", sa.String(200)),
        sa.Column("manual_present", sa.Boolean, nullable=False),
        sa.Column("manual_raw", sa.Text),
        sa.Column("manual_normalised", sa.Text),
        sa.Column("manual_record_id", sa.Text),
        sa.Column("manual_file", sa.Text),
        sa.Column("manual_sheet", sa.Text),
        sa.Column("manual_row", sa.Integer),
        sa.Column("manual_record", sa.Text),
        sa.Column("crm_present", sa.Boolean, nullable=False),
        sa.Column("crm_raw", sa.Text),
        sa.Column("crm_normalised", sa.Text),
        sa.Column("crm_record_id", sa.Text),
        sa.Column("crm_file", sa.Text),
        sa.Column("crm_sheet", sa.Text),
        sa.Column("crm_row", sa.Integer),
        sa.Column("crm_record", sa.Text),
        sa.Column("rule", sa.String(200)),
        sa.Column("score", sa.Float),
        sa.Column("owner", sa.String(200)),
        sa.Column("members", sa.Text),
    )
    op.create_index("ix_discrepancies_run_fingerprint", "discrepancies", ["run_id", "fingerprint"])


def downgrade() -> None:
    for table in ("discrepancies", "owner_stats", "entity_stats", "run_inputs", "runs"):
        op.drop_table(table)
