"""The issue tracker: issues, comments, an append-only journal, links, batches.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("severity", sa.String(2)),
        sa.Column("blocks_cutover", sa.Boolean, nullable=False),
        sa.Column("module", sa.String(100)),
        sa.Column("entity", sa.String(100)),
        sa.Column("record_key", sa.Text),
        sa.Column("fingerprint", sa.String(64), unique=True),
        sa.Column("reporter", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.String(32)),
        sa.Column("workaround", sa.Text),
        sa.Column("due_date", sa.Date),
        sa.Column("escalated_to", sa.String(200)),
        sa.Column("escalated_at", TZ),
        sa.Column("consultant_ref", sa.String(200)),
        sa.Column("accepted_by", sa.String(200)),
        sa.Column("accepted_until", sa.Date),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("watchers", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("evidence", sa.JSON),
        sa.Column("occurrences", sa.Integer, nullable=False),
        sa.Column("first_seen_run", sa.Integer),
        sa.Column("last_seen_run", sa.Integer),
        sa.Column("missed_runs", sa.Integer, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_issues_status", "issues", ["status"])
    op.create_index("ix_issues_owner", "issues", ["owner"])
    op.create_table(
        "issue_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Integer),
    )
    op.create_index("ix_issue_comments_issue_id", "issue_comments", ["issue_id"])
    op.create_table(
        "issue_journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("field", sa.String(64)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("batch_id", sa.Integer),
        sa.Column("run_id", sa.Integer),
    )
    op.create_index("ix_issue_journal_issue_id", "issue_journal", ["issue_id"])
    op.create_table(
        "issue_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.UniqueConstraint("issue_id", "kind", "target_id", name="uq_issue_links"),
    )
    op.create_index("ix_issue_links_issue_id", "issue_links", ["issue_id"])
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("summary", sa.JSON),
    )


def downgrade() -> None:
    for table in ("batches", "issue_links", "issue_journal", "issue_comments", "issues"):
        op.drop_table(table)
