"""`briefbot digest`: preview posts nothing; send goes through the ledger, so a second send in the minute is a no-op."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.digests.ledger import Ledger, make_engine
from tests.conftest import FIXTURE_BRIEFS, ROOT


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "state"


def run(*argv: str) -> int:
    return main(["--briefs", str(FIXTURE_BRIEFS), "--config", str(ROOT / "config"), "digest", *argv])


def test_preview_renders_without_posting(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    assert run("--preview", "morning") == 0
    out = capsys.readouterr().out
    assert out.startswith("Digest morning:") and "* China — " in out and "More: /brief china" in out and "--- #" not in out
    assert Ledger(make_engine(f"sqlite:///{state / 'ledger.sqlite'}")).rows() == []


def test_send_posts_once_and_records_it(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    # A manual send is deduplicated within its minute: start both sends well inside one minute.
    while datetime.now(UTC).second >= 50:
        time.sleep(0.2)
    assert run("--send", "morning") == 0
    first = capsys.readouterr()
    assert "--- #news [" in first.out and "console:news: posted" in first.err
    assert run("--send", "morning") == 0
    second = capsys.readouterr()
    assert "--- #news" not in second.out and "nothing posted again" in second.err
    rows = Ledger(make_engine(f"sqlite:///{state / 'ledger.sqlite'}")).rows()
    assert [(r.digest_id, r.channel, r.status) for r in rows] == [("morning", "console:news", "posted")]
    assert rows[0].period_key.startswith("manual ") and rows[0].snapshot


def test_unknown_digest_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--send", "evening") == 2
    assert "No digest called “evening”" in capsys.readouterr().err
