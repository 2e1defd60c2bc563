"""The schema of `config/`: channels, admins and scheduled digests, loaded with file and line on every error."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from bot.core.models import Slug, Strict
from bot.core.problems import Problem
from bot.core.schema import register
from bot.core.validation import validate_doc
from bot.core.yamlfile import YamlDoc, is_yaml_name, read_yaml

M = TypeVar("M", bound=Strict)

FILES = {"channels": "channels.yaml", "admins": "admins.yaml", "digests": "digests.yaml"}


class Platform(StrEnum):
    """A chat platform an adapter serves."""

    DISCORD = "discord"
    SLACK = "slack"
    CONSOLE = "console"


class Weekday(StrEnum):
    """A day of the week, as cron spells it."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris, America/New_York)") from None
    return name


def _check_cron(expr: str) -> str:
    try:
        CronTrigger.from_crontab(expr, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad cron expression {expr!r}: {exc}") from None
    return expr


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _check_time(value: str) -> str:
    if not _TIME.match(value):
        raise ValueError("expected a time of day as HH:MM, 24-hour clock (e.g. 08:30)")
    return value


def _time_as_text(value: object) -> object:
    # YAML 1.1 reads an unquoted 08:30 as the sexagesimal number 510; turn it back into HH:MM.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


TimeZoneName = Annotated[str, AfterValidator(_check_zone), Field(description="IANA time zone, e.g. Europe/Paris.")]
CronExpr = Annotated[str, AfterValidator(_check_cron), Field(description="Five-field crontab: m h dom mon dow.")]
TimeOfDay = Annotated[str, AfterValidator(_check_time), Field(description="Local time of day, HH:MM.")]
PlatformId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:#-]+$")]


class Channel(Strict):
    """A named channel on one platform; digests and alerts refer to it by `id`."""

    id: Slug
    platform: Platform
    channel_id: PlatformId = Field(description="The platform's own channel id (Slack C…, Discord snowflake).")
    admin: bool = Field(default=False, description="Alerts about failed deliveries are posted here.")

    @property
    def address(self) -> str:
        """The ledger's name for the channel: `platform:channel_id`."""
        return f"{self.platform.value}:{self.channel_id}"


class ChannelsFile(Strict):
    """`config/channels.yaml`."""

    channels: list[Channel] = Field(default_factory=list)


class AdminsFile(Strict):
    """`config/admins.yaml`: the user ids of admins on each platform (never tokens)."""

    discord: list[PlatformId] = Field(default_factory=list)
    slack: list[PlatformId] = Field(default_factory=list)
    console: list[PlatformId] = Field(default_factory=list)


class Schedule(Strict):
    """When a digest is due: a time of day on some weekdays, or a cron expression; never both."""

    time: TimeOfDay | None = None
    weekdays: list[Weekday] | None = Field(default=None, description="Default: every day.")
    cron: CronExpr | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml_time(cls, data: object) -> object:
        if isinstance(data, dict) and "time" in data:
            return {**data, "time": _time_as_text(data["time"])}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        if (self.time is None) == (self.cron is None):
            raise ValueError("give either `time` (with optional `weekdays`) or `cron`, not both or neither")
        if self.cron is not None and self.weekdays is not None:
            raise ValueError("`weekdays` goes with `time`; put the days in the cron expression instead")
        return self


class Include(Strict):
    """Which parts a digest shows."""

    positions: bool = True
    changes: bool = True
    flagged: bool = True


class Digest(Strict):
    """One scheduled digest: which topics, to which channels, when, in which time zone."""

    id: Slug
    platform: Platform
    channels: list[Slug] = Field(min_length=1, description="Ids of channels in channels.yaml, on `platform`.")
    topics: Literal["all"] | list[Slug] = "all"
    schedule: Schedule
    timezone: TimeZoneName
    include: Include = Field(default_factory=Include)
    catch_up_minutes: int = Field(
        default=360, ge=0, le=7 * 24 * 60,
        description="A run missed while the bot was down is still sent if it comes back within this many minutes.",
    )


class DigestsFile(Strict):
    """`config/digests.yaml`."""

    digests: list[Digest] = Field(default_factory=list)


@dataclass(frozen=True)
class Config:
    """Everything in config/, cross-checked."""

    channels: dict[str, Channel] = field(default_factory=dict)
    admins: AdminsFile = field(default_factory=AdminsFile)
    digests: dict[str, Digest] = field(default_factory=dict)

    def targets(self, digest: Digest) -> list[Channel]:
        """The channels a digest goes to."""
        return [self.channels[name] for name in digest.channels]

    def admin_channels(self) -> list[Channel]:
        """Channels marked `admin: true`, where delivery alerts go."""
        return [c for c in self.channels.values() if c.admin]


register("channels", ChannelsFile)
register("admins", AdminsFile)
register("digests", DigestsFile)


def load_config(config_dir: Path, topics: set[str] | None = None) -> Config:
    """Load config/ or raise ConfigInvalid listing every problem."""
    config, problems = check_config(config_dir, topics)
    if config is None:
        raise ConfigInvalid(problems)
    return config


class ConfigInvalid(Exception):
    """config/ has errors; `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in config; first: {problems[0]}")


def check_config(config_dir: Path, topics: set[str] | None = None) -> tuple[Config | None, list[Problem]]:
    """Read and cross-check config/; a missing file means none of that kind. `topics` checks topic ids."""
    if not config_dir.is_dir():
        what = "is not a folder" if config_dir.exists() else "does not exist"
        return None, [Problem(str(config_dir), 1, "", f"config folder {what}; check CONFIG_DIR or --config")]
    problems: list[Problem] = []
    docs = {kind: _read(config_dir, name, problems) for kind, name in FILES.items()}
    channels = _validate(docs["channels"], ChannelsFile, problems)
    admins = _validate(docs["admins"], AdminsFile, problems)
    digests = _validate(docs["digests"], DigestsFile, problems)
    by_id = _unique_channels(channels, docs["channels"], problems)
    digest_map = _check_digests(digests, docs["digests"], by_id, topics, problems)
    if problems:
        return None, sorted(problems)
    return Config(by_id, admins or AdminsFile(), digest_map), []


def _read(config_dir: Path, name: str, problems: list[Problem]) -> YamlDoc | None:
    stem = Path(name).stem
    # channels.yaml, channels.yml, Channels.YAML… all mean the same file; two of them is an error.
    found = sorted(p for p in config_dir.iterdir() if is_yaml_name(p.name) and Path(p.name).stem.lower() == stem)
    if not found:
        return None
    if len(found) > 1:
        problems.append(Problem(str(Path(config_dir.name) / found[1].name), 1, "",
                                f"both {found[0].name} and {found[1].name} exist; keep one"))
        return None
    path = found[0]
    result = read_yaml(path, str(Path(config_dir.name) / path.name))
    if isinstance(result, Problem):
        problems.append(result)
        return None
    return result


def _validate(doc: YamlDoc | None, model: type[M], problems: list[Problem]) -> M | None:
    if doc is None:
        return None
    result = validate_doc(doc, model)
    if isinstance(result, list):
        problems.extend(result)
        return None
    return result


def _unique_channels(file: ChannelsFile | None, doc: YamlDoc | None, problems: list[Problem]) -> dict[str, Channel]:
    out: dict[str, Channel] = {}
    seen: dict[str, str] = {}
    for i, channel in enumerate(file.channels if file else []):
        assert doc is not None
        if channel.id in out:
            problems.append(Problem(doc.file, doc.line_of(("channels", i, "id")), f"channels.{i}.id",
                                    f"duplicate channel id {channel.id!r}"))
        if channel.address in seen:
            problems.append(Problem(doc.file, doc.line_of(("channels", i, "channel_id")), f"channels.{i}.channel_id",
                                    f"{channel.address} is already named {seen[channel.address]!r}"))
        out[channel.id] = channel
        seen[channel.address] = channel.id
    return out


def _check_digests(
    file: DigestsFile | None, doc: YamlDoc | None, channels: dict[str, Channel],
    topics: set[str] | None, problems: list[Problem],
) -> dict[str, Digest]:
    out: dict[str, Digest] = {}
    for i, digest in enumerate(file.digests if file else []):
        assert doc is not None

        def bad(path: tuple[str | int, ...], message: str) -> None:
            full = ("digests", i, *path)
            problems.append(Problem(doc.file, doc.line_of(full), ".".join(map(str, full)), message))

        if digest.id in out:
            bad(("id",), f"duplicate digest id {digest.id!r}")
        out[digest.id] = digest
        _check_targets(digest, channels, bad)
        if topics is not None and digest.topics != "all":
            for j, topic in enumerate(digest.topics):
                if topic not in topics:
                    bad(("topics", j), f"unknown topic {topic!r}")
    return out


def _check_targets(digest: Digest, channels: dict[str, Channel], bad: Callable[[tuple[str | int, ...], str], None]) -> None:
    seen: set[str] = set()
    for j, name in enumerate(digest.channels):
        channel = channels.get(name)
        if channel is None:
            bad(("channels", j), f"unknown channel {name!r}; add it to channels.yaml")
        elif channel.platform != digest.platform:
            bad(("channels", j), f"channel {name!r} is on {channel.platform.value}, not {digest.platform.value}")
        if name in seen:
            bad(("channels", j), f"channel {name!r} is listed twice")
        seen.add(name)
