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
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
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
    Index("ix_discrepancies_run_fingerprint", "run_id", "fingerprint"),
)
