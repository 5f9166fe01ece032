"""The store: SQLAlchemy 2 Core tables behind small repository functions.

SQLite by default (a file beside the config), PostgreSQL for a team. The schema is
versioned by Alembic migrations and created or upgraded on first use.
"""

from dualrun.store.database import open_store

__all__ = ["open_store"]
