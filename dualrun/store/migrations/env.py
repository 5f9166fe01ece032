"""Alembic environment: runs on the connection dualrun hands it, under a lock."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from dualrun.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Two processes upgrading a new store at once: the second waits, then sees head.
        connection.execute(text("SELECT pg_advisory_xact_lock(7242001)"))
    context.run_migrations()
