"""The `briefbot status` CLI sub-command."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.changes import ChangeEntry, ChangeLog, diff_stores
from bot.core.store import Store, build_store
from tests.conftest import FIXTURE_BRIEFS


def test_status_shows_version_counts_and_the_last_logged_change(
    tmp_path: Path, fixture_store: Store, capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--briefs", str(FIXTURE_BRIEFS), "status", "--state", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"store {fixture_store.version}: 2 topics, 3 sources, 4 claims (3 flagged)" in out
    assert "no reload has changed the store yet" in out
    smaller = build_store(list(fixture_store.topics.values()),
                          [s for s in fixture_store.sources.values() if s.id != "oped"], "v2")
    ChangeLog(tmp_path / "changes.jsonl").append(
        ChangeEntry(datetime(2025, 3, 1, 9, tzinfo=UTC), "v2", fixture_store.version, diff_stores(fixture_store, smaller)))
    assert main(args) == 0
    assert "last change: 2025-03-01T09:00:00+00:00 to v2: 1 claim withdrawn, 1 position withdrawn." in capsys.readouterr().out


def test_status_of_a_broken_store_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    (tmp_path / "briefs" / "topics" / "china.yaml").write_text("id: china\n")
    assert main(["--briefs", str(tmp_path / "briefs"), "status", "--state", str(tmp_path)]) == 1
    assert "does not load" in capsys.readouterr().out
