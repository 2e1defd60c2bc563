"""Command line entry point: `briefbot validate|schema|brief|topics|sources|claims|run|digest|…`."""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.registry import COMMANDS

# Each command module registers its sub-commands on import; none of them imports this module. Only the
# module of the command being run is imported (`briefbot brief` need not load the digest ledger's
# database drivers); `--help` and unknown commands import them all. tests/cli/test_main.py holds this
# table to what the modules register.
GROUPS = ("files", "commands", "digest", "curate")  # the order of `--help`
COMMAND_MODULES = {
    "validate": "files", "schema": "files",
    "brief": "commands", "topics": "commands", "sources": "commands", "claims": "commands", "run": "commands",
    "search": "commands", "show": "commands",
    "digest": "digest",
    "draft": "curate", "export": "curate", "status": "curate",
}
_TAKES_VALUE = ("--briefs", "--config")


def default_briefs() -> Path:
    """Where the claim store lives: $BRIEFS_DIR, else ./briefs."""
    return Path(os.environ.get("BRIEFS_DIR", "briefs"))


def default_config() -> Path:
    """Where config lives: $CONFIG_DIR, else ./config."""
    return Path(os.environ.get("CONFIG_DIR", "config"))


def load_commands(argv: Sequence[str] | None = None) -> None:
    """Import the module of the sub-command `argv` names, or every command module."""
    name = _command_name(list(sys.argv[1:] if argv is None else argv))
    for group in [COMMAND_MODULES[name]] if name in COMMAND_MODULES else GROUPS:
        importlib.import_module(f"bot.cli.{group}")


def _command_name(argv: list[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _TAKES_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
        elif arg in ("-h", "--help"):
            return None
    return None


def build_parser(argv: Sequence[str] | None = ()) -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command (with `argv`: at least the one it names)."""
    load_commands(argv)
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
    args = build_parser(argv).parse_args(argv)
    args.briefs = args.briefs or default_briefs()
    args.config = args.config or default_config()
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        return 0
