"""`kill -9` during a digest fan-out, restart; two instances on PostgreSQL, one killed; PostgreSQL stopped
mid fan-out: every one of 20 Slack channels ends with each page of its digest exactly once."""
from __future__ import annotations

import pytest

from tests.runtime.crash_trials import PostgresCluster, TrialResult, run_trial


def assert_exactly_once(result: TrialResult) -> None:
    # Since the compact digest (issue 12) a digest is one message; pages beyond the first are exercised by
    # tests/digests/test_fault_matrix.py, through the same adapters.
    assert result.pages_expected >= 1
    assert (result.lost, result.duplicated, result.failed_rows) == (0, 0, 0), result
    assert result.delivered == 20 * result.pages_expected


async def test_kill_9_mid_fan_out_then_restart() -> None:
    result = await run_trial("restart", 1, kills=2)  # more trials: bench/bench_faults.py
    assert result.kills >= 1
    assert_exactly_once(result)
    print(result)


@pytest.mark.postgres
async def test_two_discord_instances_on_postgres_one_killed(postgres_url: str) -> None:
    # Discord, whose nonce dedup the fake switches off: takeover must not depend on it.
    result = await run_trial("two", 7, database_url=postgres_url, platform="discord")
    assert result.kills == 1
    assert_exactly_once(result)
    assert result.takeovers and all(t < 10 for t in result.takeovers), result  # a 2 s lease: seconds, not minutes
    print(result)


@pytest.mark.postgres
async def test_postgres_stopped_mid_fan_out(stoppable_postgres: PostgresCluster) -> None:
    result = await run_trial("db-stop", 3, database_url=stoppable_postgres.url, cluster=stoppable_postgres)
    assert result.db_outages == 1
    assert_exactly_once(result)
    print(result)
