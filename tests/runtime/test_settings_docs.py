"""Every setting is in .env.example and in the settings table, and the example itself is valid."""
from __future__ import annotations

import re

import pytest

from bot.runtime.settings import SECRET_NAMES, Settings, load_settings
from tests.processes import ROOT

PLATFORM = ("SLACK_MODE", "SLACK_API_URL", "DISCORD_GUILD_ID", "DISCORD_SHARD_ID", "DISCORD_SHARD_COUNT",
            "DISCORD_API_URL", "DISCORD_GATEWAY_URL")
EVERY = sorted({name.upper() for name in Settings.model_fields} | set(SECRET_NAMES) | set(PLATFORM))


def test_env_example_and_settings_table_name_every_setting() -> None:
    example = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    table = set(re.findall(r"`([A-Z_]+)`", (ROOT / "README.md").read_text()))
    assert set(EVERY) - example == set()
    assert set(EVERY) - table == set()


def test_env_example_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.log_format == "text" and settings.port is None
