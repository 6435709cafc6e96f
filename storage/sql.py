"""Plain SQL for the writes on the hot path (every webhook, every conversation turn).

peewee builds each ORM query anew, which costs more CPU than the grouped COMMIT itself; these
statements are written once, in SQL that SQLite (3.35+) and PostgreSQL both speak, with `?`
standing for peewee's placeholder of the database in use. The tests run them on both.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from storage.models import database


@functools.cache
def _render(statement: str, placeholder: str) -> str:
    return statement.replace("?", placeholder)


def execute(statement: str, params: Sequence[Any] = ()) -> Any:
    """Run one statement on the calling thread's connection; returns the cursor."""
    return database.execute_sql(_render(statement, database.param), params)


def fetch_one(statement: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    return execute(statement, params).fetchone()
