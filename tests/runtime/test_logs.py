"""Log lines as `briefbot run` writes them: the text and JSON formats, secrets masked."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logs import setup_logging

TOKEN = "xoxb-1234-5678-abcdefgh"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """setup_logging's handler writing to a buffer; the logging setup as it was afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging._srcfile, logging.logThreads,  # type: ignore[attr-defined]
             logging.logProcesses, logging.logMultiprocessing)
    buffer = io.StringIO()
    yield buffer
    root.handlers[:], level, logging._srcfile, logging.logThreads, logging.logProcesses, \
        logging.logMultiprocessing = saved  # type: ignore[attr-defined]
    root.setLevel(level)


def _setup(fmt: str, buffer: io.StringIO) -> None:
    setup_logging(fmt, "INFO", ("a-known-secret-value",))
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)


def test_text_lines_are_level_logger_and_masked_message(captured: io.StringIO) -> None:
    _setup("text", captured)
    logging.getLogger("bot.x").info("command topic=%r token=%s secret=%s", "china", TOKEN, "a-known-secret-value")
    line = captured.getvalue().strip()
    assert line.endswith(" INFO bot.x: command topic='china' token=*** secret=***"), line


def test_json_lines_carry_the_extras_and_no_caller_or_thread(captured: io.StringIO) -> None:
    _setup("json", captured)
    logging.getLogger("bot.y").warning("posted %s", TOKEN, extra={"platform": "slack", "ms": 1.5})
    data = json.loads(captured.getvalue())
    assert {k: data[k] for k in ("level", "logger", "message", "platform", "ms")} == {
        "level": "WARNING", "logger": "bot.y", "message": "posted ***", "platform": "slack", "ms": 1.5}
    assert set(data) == {"time", "level", "logger", "message", "platform", "ms"}
