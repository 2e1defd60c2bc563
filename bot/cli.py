"""Command line: `briefbot validate|schema|brief|topics|sources|claims|run|digest`."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.core.problems import Problem
from bot.core.schema import write_schemas
from bot.core.store import check_store

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, setup: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
    """Register a sub-command: `setup` adds its arguments, the decorated function runs it."""

    def wrap(handler: Handler) -> Handler:
        COMMANDS[name] = (setup, handler)
        return handler

    return wrap


def default_briefs() -> Path:
    """Where the claim store lives: $BRIEFS_DIR, else ./briefs."""
    return Path(os.environ.get("BRIEFS_DIR", "briefs"))


def default_config() -> Path:
    """Where config lives: $CONFIG_DIR, else ./config."""
    return Path(os.environ.get("CONFIG_DIR", "config"))


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--archive", type=Path, help="folder of archived source texts; checks every quote")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


@command("validate", _validate_args)
def validate(args: argparse.Namespace) -> int:
    """Check every file of briefs/ (and config/); print each problem with file, line and field."""
    store, problems = check_store(args.briefs, args.archive)
    problems += _config_problems(args.config, set(store.topics) if store else None)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if errors or store is None:
        print(f"{len(errors)} error(s), {warnings} warning(s): these files would be refused (a running bot keeps its last good version).", file=sys.stderr)
        return 1
    print(f"ok: {len(store.topics)} topics, {len(store.sources)} sources, {len(store.claims)} claims, "
          f"{warnings} warning(s); version {store.version}")
    return 1 if args.strict and warnings else 0


def _config_problems(config: Path, topics: set[str] | None) -> list[Problem]:
    """Problems in config/, digests' topics checked against the store when it loaded."""
    from bot.config import check_config

    return check_config(config, topics)[1]


def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("schema"), help="folder to write *.schema.json into")


@command("schema", _schema_args)
def schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of every file kind admins edit."""
    for path in write_schemas(args.out):
        print(path)
    return 0


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
    _load_commands()
    args = build_parser().parse_args(argv)
    args.briefs = args.briefs or default_briefs()
    args.config = args.config or default_config()
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        return 0


def _load_commands() -> None:
    # Sub-commands defined in other modules register themselves on import.
    import bot.commands  # noqa: F401
    import bot.admin_commands  # noqa: F401
