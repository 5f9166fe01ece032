"""Table definitions (SQLAlchemy Core). Migrations under ``migrations/`` create them.

Every change to this file needs a new Alembic revision; a test checks that the
migrated schema and these definitions agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | ok | failed
    Column("reason", Text),
    Column("config_path", Text, nullable=False),
    Column("config_hash", String(64), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("entities_requested", JSON, nullable=False),
    Column("entities_covered", JSON, nullable=False),
    Column("inputs_digest", String(64)),
    Column("discrepancy_count", Integer, nullable=False, default=0),
    Column("synced_at", DateTime(timezone=True)),
)

run_inputs = Table(
    "run_inputs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("entity", String(100), nullable=False),
    Column("side", String(8), nullable=False),
    Column("path", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("sheets", JSON, nullable=False),
    Column("columns", JSON),
)

entity_stats = Table(
    "entity_stats",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("entity", String(100), primary_key=True),
    Column("module", String(100), nullable=False),
    Column("rows_manual", Integer, nullable=False),
    Column("rows_crm", Integer, nullable=False),
    Column("pairs", Integer, nullable=False),
    Column("identical_pairs", Integer, nullable=False),
    Column("match_rate", Float),
    Column("stats", JSON, nullable=False),
)

owner_stats = Table(
    "owner_stats",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("entity", String(100), primary_key=True),
    Column("owner", String(200), primary_key=True),
    Column("rows_manual", Integer, nullable=False),
    Column("rows_crm", Integer, nullable=False),
    Column("missing_in_crm", Integer, nullable=False),
    Column("amounts", JSON, nullable=False),
)

discrepancies = Table(
    "discrepancies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("entity", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("key", Text),
    Column("field", String(200)),
    Column("manual_present", Boolean, nullable=False),
    Column("manual_raw", Text),
    Column("manual_normalised", Text),
    Column("manual_record_id", Text),
    Column("manual_file", Text),
    Column("manual_sheet", Text),
    Column("manual_row", Integer),
    Column("manual_record", Text),
    Column("crm_present", Boolean, nullable=False),
    Column("crm_raw", Text),
    Column("crm_normalised", Text),
    Column("crm_record_id", Text),
    Column("crm_file", Text),
    Column("crm_sheet", Text),
    Column("crm_row", Integer),
    Column("crm_record", Text),
    Column("rule", String(200)),
    Column("score", Float),
    Column("owner", String(200)),
    Column("members", Text),
    Column("identity", Text),
    Index("ix_discrepancies_run_fingerprint", "run_id", "fingerprint"),
)

issues = Table(
    "issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("category", String(32)),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("severity", String(2)),
    Column("blocks_cutover", Boolean, nullable=False, default=False),
    Column("module", String(100)),
    Column("entity", String(100)),
    Column("record_key", Text),
    Column("fingerprint", String(64), unique=True),
    Column("reporter", String(200), nullable=False),
    Column("owner", String(200)),
    Column("status", String(20), nullable=False),
    Column("resolution", String(32)),
    Column("workaround", Text),
    Column("due_date", Date),
    Column("escalated_to", String(200)),
    Column("escalated_at", DateTime(timezone=True)),
    Column("consultant_ref", String(200)),
    Column("accepted_by", String(200)),
    Column("accepted_until", Date),
    Column("labels", JSON, nullable=False),
    Column("watchers", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("evidence", JSON),
    Column("occurrences", Integer, nullable=False, default=0),
    Column("first_seen_run", Integer),
    Column("last_seen_run", Integer),
    Column("missed_runs", Integer, nullable=False, default=0),
    Column("source", String(32), nullable=False),
    Column("source_ref", Text),
    Column("resolved_at", DateTime(timezone=True)),
    Column("systemic", Boolean, nullable=False, default=False),
    Column("accepted_evidence", JSON),
    Index("ix_issues_status", "status"),
    Index("ix_issues_owner", "owner"),
    sqlite_autoincrement=True,  # keys are never reused
)

issue_comments = Table(
    "issue_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issue_id", Integer, ForeignKey("issues.id"), nullable=False, index=True),
    Column("author", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
    Column("batch_id", Integer),
)

issue_journal = Table(
    "issue_journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issue_id", Integer, ForeignKey("issues.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("field", String(64)),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("batch_id", Integer),
    Column("run_id", Integer),
)

issue_links = Table(
    "issue_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issue_id", Integer, ForeignKey("issues.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("target_id", Integer, ForeignKey("issues.id"), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("issue_id", "kind", "target_id", name="uq_issue_links"),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("source", Text),
    Column("summary", JSON),
)

nightly_lock = Table(
    "nightly_lock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder", Text),
    Column("since", DateTime(timezone=True)),
)

match_decisions = Table(
    "match_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(100), nullable=False),
    Column("manual_key", Text, nullable=False),
    Column("crm_key", Text, nullable=False),
    Column("decision", String(16), nullable=False),  # confirm | reject
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    UniqueConstraint("entity", "manual_key", "crm_key", name="uq_match_decisions"),
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("role", String(32), nullable=False),
    Column("who", String(200), nullable=False),
    Column("module", String(100)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
)

accepted_risks = Table(
    "accepted_risks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("gate", String(100), nullable=False),
    Column("module", String(100)),
    Column("owner", String(200), nullable=False),
    Column("due", Date, nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

cutovers = Table(
    "cutovers",
    metadata,
    Column("module", String(100), primary_key=True),
    Column("on", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("carry_on", JSON, nullable=False),
)
