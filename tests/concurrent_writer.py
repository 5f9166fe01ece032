"""A writer process for the concurrency tests: read an issue, think, write it back.

Each update appends the writer's mark to the issue's labels from the copy it read
(a read-modify-write), so a lost update would show as a missing mark.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime

from dualrun.errors import ConflictError
from dualrun.store import issues as repo
from dualrun.store import open_store


def write(url: str, key: str, writer: int, updates: int) -> tuple[int, int]:
    engine = open_store(url)
    applied = conflicts = 0
    rng = random.Random(writer)
    for n in range(updates):
        with engine.connect() as connection:
            row = dict(repo.get_row(connection, key)._mapping)
        time.sleep(rng.uniform(0, 0.004))  # the person thinks
        try:
            with engine.begin() as connection:
                repo.change_issue(
                    connection,
                    key,
                    {"labels": [*row["labels"], f"w{writer}-{n}"]},
                    expected=row,
                    actor=f"writer{writer}",
                    at=datetime.now(UTC),
                )
            applied += 1
        except ConflictError:
            conflicts += 1
    engine.dispose()
    return applied, conflicts


if __name__ == "__main__":
    url, key, writer, updates = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(*write(url, key, writer, updates))
