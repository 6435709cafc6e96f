"""Fixtures shared by every test folder: a real SQLite file, migrated, with one tenant."""

from pathlib import Path

import pytest

from storage.database import migrate, open_sqlite
from storage.models import Tenant


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "showroom.db"


@pytest.fixture
def db(db_path: Path):
    database = open_sqlite(db_path)
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def tenant(db) -> Tenant:
    with db.connection_context():
        return Tenant.create(slug="surabaya-motor", name="Surabaya Motor")
