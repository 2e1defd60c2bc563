"""Settings from the environment (or a git-ignored .env); platform tokens are read by their adapters."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import BriefbotError


class Settings(BaseSettings):
    """Process-wide settings; each adapter reads and checks its own platform variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    briefs_dir: Path = Field(Path("briefs"), description="Folder of the claim store.")
    config_dir: Path = Field(Path("config"), description="Folder of digests, channels and admins config.")
    state_dir: Path = Field(Path("state"), description="Local state: SQLite ledger, change log.")
    database_url: str | None = Field(None, description="SQLAlchemy URL of the ledger; default SQLite in STATE_DIR.")
    port: int | None = Field(None, ge=1, le=65535, description="Port for health, metrics and Slack HTTP mode.")
    host: str = Field("0.0.0.0", description="Address the HTTP server binds to.")
    log_format: Literal["text", "json"] = Field("text", description="text for people, json for log pipelines.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    console: bool | None = Field(None, description="Force the console adapter on or off (default: on when no platform token is set).")
    public_url: str | None = Field(None, pattern=r"^https?://[^\s?#]+$",
                                   description="Public address of the web pages; chat links and ClaimReview urls use it.")
    web_access: Literal["signed", "public"] = Field("signed", description="signed: pages need a signed link; public: open to anyone.")
    web_signing_secret: SecretStr | None = Field(None, description="Key of the signed links (at least 16 characters).")
    web_link_expiry_hours: int = Field(168, ge=1, le=8760, description="How long a signed link from chat stays valid.")


SECRET_NAMES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "WEB_SIGNING_SECRET")


def secrets_in(env: Mapping[str, str]) -> tuple[str, ...]:
    """The secret values set in `env`, so logs can mask them."""
    return tuple(env[name] for name in SECRET_NAMES if env.get(name))


def load_dotenv_file(path: Path = Path(".env")) -> None:
    """Put a git-ignored .env's variables into the environment (real environment variables win)."""
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


class SettingsError(BriefbotError):
    """A setting is missing or malformed; the message names each one."""


def load_settings(**overrides: object) -> Settings:
    """Read settings; a SettingsError naming every bad variable (one line each) instead of a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            name = "_".join(str(p) for p in err["loc"]).upper()
            shown = str(err.get("input", ""))[:40]
            lines.append(f"bad setting {name}={shown!r}: {err['msg']}")
        raise SettingsError("\n".join(lines)) from None
