"""Sub-commands beyond validate and schema; each registers itself with bot.cli.command."""
from __future__ import annotations
