"""A PostgreSQL cluster of its own for the tests that stop and start it (the session one is shared)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.runtime.crash_trials import PostgresCluster


@pytest.fixture(scope="session")
def stoppable_postgres(postgres_url: str) -> Iterator[PostgresCluster]:
    """Started after `postgres_url`, so it skips or fails the same way when PostgreSQL is missing."""
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()
