"""What a new user hits first: bad folders, network failures at start-up, what validate and status say."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.store import load_store
from tests.conftest import BRIEFS, FIXTURE_BRIEFS, ROOT, SEEDS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_mistyped_config_dir_or_briefs_dir_is_an_error(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "--config", str(tmp_path / "confg"), "validate")
    assert code == 1 and "config folder does not exist; check CONFIG_DIR or --config" in out
    assert "ok:" not in out
    code, out, err = run(capsys, "--briefs", str(tmp_path / "brefs"), "validate")
    assert code == 1 and "claim store folder does not exist" in out


def test_validate_says_how_many_quotes_were_checked_and_a_missing_archive_is_one_line(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--briefs", str(FIXTURE_BRIEFS), "validate")
    assert "quotes: not checked" in out
    code, out, err = run(capsys, "--briefs", str(FIXTURE_BRIEFS), "validate", "--archive", str(tmp_path / "none"))
    lines = [line for line in out.splitlines() if "error" in line]
    assert code == 1 and lines == [f"{tmp_path / 'none'}:1 error: archive folder does not exist; no quote was checked"]
    if not SEEDS.is_dir():
        pytest.skip("no seed archive")
    store = load_store(BRIEFS)
    archived = [s for s in store.sources.values() if s.archive]
    code, out, _ = run(capsys, "--briefs", str(BRIEFS), "validate", "--archive", str(SEEDS))
    expected = f"{sum(len(s.claims) for s in archived)} quote(s) of {len(archived)} source(s) found verbatim"
    assert code == 0 and expected in out and len(archived) >= 1


def test_errors_use_yaml_spellings_and_name_the_form_not_a_regex(capsys, tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    path = tmp_path / "briefs" / "sources" / "oped.yaml"
    path.write_text(path.read_text().replace("evidence: unsupported", "evidence: yes")
                    .replace("topics: [china]", "topics: [China]"))
    code, out, _ = run(capsys, "--briefs", str(tmp_path / "briefs"), "validate")
    assert code == 1
    assert "true is not allowed; expected" in out and "True" not in out
    assert "'China' is not an id: lower-case letters, digits and hyphens" in out and "^[a-z0-9]" not in out


def test_a_non_utf8_file_reports_the_right_line(capsys, tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    path = tmp_path / "briefs" / "sources" / "oped.yaml"
    raw = path.read_bytes().replace(b"note: Speculative.", b"note: Sp\xe9culative.")
    path.write_bytes(raw)
    line = raw[: raw.index(b"\xe9")].count(b"\n") + 1
    code, out, _ = run(capsys, "--briefs", str(tmp_path / "briefs"), "validate")
    assert code == 1 and f"briefs/sources/oped.yaml:{line} error: not UTF-8 text: byte 0xe9" in out and line > 1


def test_a_network_failure_at_start_up_is_one_line_and_a_non_zero_exit(tmp_path: Path, unused_tcp_port: int) -> None:
    (tmp_path / "config").mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "STATE_DIR": str(tmp_path / "state"),
           "DISCORD_TOKEN": "abc.def.ghi", "DISCORD_API_URL": f"http://127.0.0.1:{unused_tcp_port}/api/v10"}
    done = subprocess.run([sys.executable, "-m", "bot", "--briefs", str(FIXTURE_BRIEFS), "--config",
                           str(tmp_path / "config"), "run", "--no-digests"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("cannot start")]
    assert f"Cannot connect to host 127.0.0.1:{unused_tcp_port}" in line


def test_status_shows_a_running_bot_whose_last_reload_was_refused(capsys, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "reload-status.json").write_text(
        '{"store": {"ok": false, "at": "2026-12-03T10:00:00+00:00", "trigger": "watch", "version": "abc",'
        ' "errors": ["briefs/sources/x.yaml:3 [kind] error: unknown tag"], "error_count": 1}}')
    code, out, _ = run(capsys, "--briefs", str(FIXTURE_BRIEFS), "status", "--state", str(state))
    assert code == 0
    assert "running bot: DEGRADED: the last store reload at 2026-12-03T10:00:00+00:00 was refused with 1 error(s)" in out
    assert "briefs/sources/x.yaml:3 [kind] error: unknown tag" in out


def test_digest_send_with_the_network_down_is_one_line_and_a_non_zero_exit(tmp_path: Path, unused_tcp_port: int) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "channels.yaml").write_text("channels:\n  - {id: news, platform: discord, channel_id: '123456789012345678'}\n")
    (config / "digests.yaml").write_text(
        "digests:\n  - {id: daily, platform: discord, channels: [news], schedule: {time: '08:00'}, timezone: UTC}\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "STATE_DIR": str(tmp_path / "state"),
           "DISCORD_TOKEN": "abc.def.ghi", "DISCORD_API_URL": f"http://127.0.0.1:{unused_tcp_port}/api/v10"}
    done = subprocess.run([sys.executable, "-m", "bot", "--briefs", str(FIXTURE_BRIEFS), "--config", str(config),
                           "digest", "--send", "daily"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("cannot send")]
    assert f"Cannot connect to host 127.0.0.1:{unused_tcp_port}" in line
