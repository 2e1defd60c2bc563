"""The console bot on a real terminal (a pty): admin commands, no raw escapes, and Ctrl-C, SIGTERM or Ctrl-D stop it at once."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_BRIEFS, ROOT


def read_until(fd: int, word: bytes, timeout: float = 20.0) -> bytes:
    buf = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end and word not in buf:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                break
    return buf


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "ctrl-d"])
def test_the_console_answers_admin_commands_never_echoes_escapes_and_stops_at_once(tmp_path: Path, how: str) -> None:
    shutil_config = tmp_path / "config"
    shutil_config.mkdir()
    (shutil_config / "admins.yaml").write_text("console: [local-admin]\n")
    master, slave = pty.openpty()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--briefs", str(FIXTURE_BRIEFS), "--config",
                             str(shutil_config), "run", "--no-digests"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    try:
        assert b"Ctrl-C to stop" in read_until(master, b"Ctrl-C to stop")
        os.write(master, b"/brief-admin status\n")
        assert b"Last reload" in read_until(master, b"Last reload")
        os.write(master, b"/brief \x1b[31mchnia\n")
        answer = read_until(master, b"Did you mean")
        shown = answer[answer.index(b"No topic"):]
        assert b"\x1b" not in shown and b"\\x1b[31mchnia" in shown
        started = time.monotonic()
        if how == "ctrl-d":
            os.write(master, b"\x04")
        else:
            proc.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
