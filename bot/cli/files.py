"""`briefbot validate` and `briefbot schema`: the files admins edit."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.registry import command
from bot.core.config import check_config
from bot.core.problems import Problem
from bot.core.schema import write_schemas
from bot.core.store import check_store


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
    if args.archive is not None:
        archived = [s for s in store.sources.values() if s.archive]
        quotes = sum(len(s.claims) for s in archived)
        print(f"quotes: {quotes} quote(s) of {len(archived)} source(s) found verbatim in {args.archive}; "
              f"{len(store.sources) - len(archived)} source(s) have no archived text to check against")
    else:
        print("quotes: not checked; pass --archive DIR to check each quote against its source's archived text")
    print(f"ok: {len(store.topics)} topics, {len(store.sources)} sources, {len(store.claims)} claims, "
          f"{warnings} warning(s); version {store.version}")
    return 1 if args.strict and warnings else 0


def _config_problems(config: Path, topics: set[str] | None) -> list[Problem]:
    """Problems in config/, digests' topics checked against the store when it loaded."""
    return check_config(config, topics)[1]


def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("schema"), help="folder to write *.schema.json into")


@command("schema", _schema_args)
def schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of every file kind admins edit."""
    for path in write_schemas(args.out):
        print(path)
    return 0
