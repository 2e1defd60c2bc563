"""Logging: readable lines by default, JSON lines with LOG_FORMAT=json; secrets are masked."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Slack tokens (xoxb-, xapp-, …) and anything shaped like a Discord bot token.
_SECRET = re.compile(r"\b(xox[abposr]-[\w-]+|xapp-[\w-]+|[\w-]{24,}\.[\w-]{6}\.[\w-]{27,})\b")

# Shorter values are no real token, and replacing them would garble every line they occur in.
MIN_SECRET = 8


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace tokens in `text` by a mask: known secret values and token-shaped strings."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET:
            text = text.replace(secret, "***")
    return _SECRET.sub("***", text)


class _Redact(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage(), self.secrets)
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra=` fields the caller passed."""

    _skip = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in self._skip})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(fmt: str = "text", level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Configure the root logger once for the process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Redact(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # Neither format shows where a line was logged from, nor the thread or process: skip finding them for
    # every record (the logging HOWTO's "Optimization"; a quarter of a command line's cost).
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries' own chatter (job added, access lines) only when debugging.
    for noisy in ("apscheduler", "aiohttp.access", "discord", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel("DEBUG" if level == "DEBUG" else "WARNING")
