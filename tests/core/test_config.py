"""config/: the shipped example is valid; mistakes come back with file, line and field."""
from __future__ import annotations

from pathlib import Path

from bot.core.config import Platform, check_config
from bot.core.schema import SCHEMA_MODELS
from tests.conftest import ROOT

CHANNELS = """channels:
  - id: news
    platform: slack
    channel_id: C0123
  - id: ops
    platform: discord
    channel_id: "1234567890"
    admin: true
"""


def write(folder: Path, digests: str, channels: str = CHANNELS) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "channels.yaml").write_text(channels, encoding="utf-8")
    (folder / "digests.yaml").write_text(digests, encoding="utf-8")
    return folder


def problems_of(folder: Path, topics: set[str] | None = None) -> list[str]:
    config, problems = check_config(folder, topics)
    assert (config is None) == bool(problems)
    return [str(p) for p in problems]


def test_shipped_example_posts_to_the_console() -> None:
    config, problems = check_config(ROOT / "config", {"china", "russia"})
    assert problems == [] and config is not None
    digest = config.digests["morning"]
    assert digest.platform is Platform.CONSOLE and config.targets(digest)[0].channel_id == "news"
    assert [c.id for c in config.admin_channels()] == ["console-admins"]


def test_a_missing_or_mistyped_folder_is_an_error_not_an_empty_config(tmp_path: Path) -> None:
    config, [problem] = check_config(tmp_path / "absent")
    assert config is None and "config folder does not exist; check CONFIG_DIR or --config" in problem.message
    (tmp_path / "file").write_text("x")
    config, [problem] = check_config(tmp_path / "file")
    assert config is None and "is not a folder" in problem.message


def test_an_empty_folder_means_no_digests_and_yml_files_are_read(tmp_path: Path) -> None:
    config, problems = check_config(tmp_path)
    assert problems == [] and config is not None and config.digests == {}
    (tmp_path / "Admins.YML").write_text("slack: [U1]\n")
    config, problems = check_config(tmp_path)
    assert problems == [] and config is not None and list(config.admins.slack) == ["U1"]
    (tmp_path / "admins.yaml").write_text("slack: [U2]\n")
    config, [problem] = check_config(tmp_path)
    assert config is None and "keep one" in problem.message


def test_errors_name_file_line_and_field(tmp_path: Path) -> None:
    folder = write(tmp_path / "config", """digests:
  - id: daily
    platform: slack
    channels: [news, ops, nowhere]
    topics: [china, atlantis]
    schedule: {time: "25:00"}
    timezone: Europe/Pariss
  - id: both
    platform: slack
    channels: [news]
    schedule: {time: "08:00", cron: "0 8 * * *"}
    timezone: UTC
    colour: blue
  - id: badcron
    platform: slack
    channels: [news]
    schedule: {cron: "0 8 * *"}
    timezone: UTC
""")
    problems = problems_of(folder)
    assert any(p.startswith("config/digests.yaml:6 [digests.0.schedule.time] error: ") and "HH:MM" in p for p in problems)
    assert any(p.startswith("config/digests.yaml:7 [digests.0.timezone]") and "IANA" in p for p in problems)
    assert any(p.startswith("config/digests.yaml:11 [digests.1.schedule]") and "not both" in p for p in problems)
    assert any(p.startswith("config/digests.yaml:13 [digests.1.colour]") and "unknown field" in p for p in problems)
    assert any(p.startswith("config/digests.yaml:17 [digests.2.schedule.cron]") and "cron" in p for p in problems)


def test_cross_checks_channels_platforms_and_topics(tmp_path: Path) -> None:
    folder = write(tmp_path / "config", """digests:
  - id: daily
    platform: slack
    channels: [news, ops, nowhere]
    topics: [china, atlantis]
    schedule: {time: "08:00", weekdays: [mon, fri]}
    timezone: America/New_York
""")
    problems = problems_of(folder, {"china"})
    assert problems == [
        "config/digests.yaml:4 [digests.0.channels.1] error: channel 'ops' is on discord, not slack",
        "config/digests.yaml:4 [digests.0.channels.2] error: unknown channel 'nowhere'; add it to channels.yaml",
        "config/digests.yaml:5 [digests.0.topics.1] error: unknown topic 'atlantis'",
    ]


def test_unquoted_time_reads_as_a_time(tmp_path: Path) -> None:
    folder = write(tmp_path / "config", """digests:
  - id: daily
    platform: slack
    channels: [news]
    schedule: {time: 8:30}
    timezone: UTC
""")
    config, problems = check_config(folder)
    assert problems == [] and config is not None and config.digests["daily"].schedule.time == "08:30"


def test_config_schemas_are_published() -> None:
    assert {"channels", "admins", "digests"} <= set(SCHEMA_MODELS)
