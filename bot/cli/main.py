"""Command line entry point: `briefbot validate|schema|brief|topics|sources|claims|run|digest|…`."""
from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

# Each command module registers its sub-commands on import; none of them imports this module.
from bot.cli import files, commands, digest, curate  # noqa: F401  (this order is the order of `--help`)
from bot.cli.registry import COMMANDS


def default_briefs() -> Path:
    """Where the claim store lives: $BRIEFS_DIR, else ./briefs."""
    return Path(os.environ.get("BRIEFS_DIR", "briefs"))


def default_config() -> Path:
    """Where config lives: $CONFIG_DIR, else ./config."""
    return Path(os.environ.get("CONFIG_DIR", "config"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="briefbot", description="Brief a team from a curated claim store.")
    parser.add_argument("--briefs", type=Path, default=None, help="claim store folder (default: briefs/)")
    parser.add_argument("--config", type=Path, default=None, help="config folder (default: config/)")
    subs = parser.add_subparsers(dest="command", required=True)
    for name, (setup, handler) in COMMANDS.items():
        sub = subs.add_parser(name, help=(handler.__doc__ or "").split("\n")[0])
        setup(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script and `python -m bot`."""
    args = build_parser().parse_args(argv)
    args.briefs = args.briefs or default_briefs()
    args.config = args.config or default_config()
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        return 0
