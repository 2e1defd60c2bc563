"""`briefbot digest`: preview a digest without posting, send one now through the ledger, or list them."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.base import Adapter
from bot.adapters.console import render_markdown, render_text
from bot.cli.registry import command
from bot.core.config import Config, ConfigInvalid, load_config
from bot.core.briefer import Briefer
from bot.core.changes import ChangeLog
from bot.core.errors import BriefbotError
from bot.core.problems import StoreInvalid
from bot.core.store import Store, load_store
from bot.digests.delivery import Deliverer
from bot.digests.runner import DigestRunner, instance_id
from bot.digests.ledger import Ledger, database_url, make_engine
from bot.digests.schedule import next_period, trigger_for



def _args(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--preview", nargs="?", const="", metavar="ID", help="render a digest (all when no ID) without posting")
    what.add_argument("--send", metavar="ID", help="post a digest now; recorded in the ledger like a scheduled one")
    what.add_argument("--list", action="store_true", help="list digests with their next run")
    p.add_argument("--format", choices=("text", "markdown"), default="text", help="preview format")


@command("digest", _args)
def digest_command(args: argparse.Namespace) -> int:
    """Preview, send or list the scheduled digests of config/digests.yaml."""
    loaded = _load(args)
    if loaded is None:
        return 1
    store, config = loaded
    if args.list:
        return _list(config)
    wanted = args.send if args.send is not None else args.preview
    if wanted and wanted not in config.digests:
        known = ", ".join(sorted(config.digests)) or "none"
        print(f"No digest called “{wanted}” in config/digests.yaml (known: {known}).", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_send(store, config, args.send) if args.send else _preview(store, config, wanted, args.format))
    except (OSError, asyncio.TimeoutError) as exc:
        from bot.cli.commands import network_problem

        print(f"cannot send: {network_problem(exc)}", file=sys.stderr)
        return 2
    except BriefbotError as exc:
        print(f"cannot send: {exc}", file=sys.stderr)
        return 2


def _load(args: argparse.Namespace) -> tuple[Store, Config] | None:
    try:
        store = load_store(args.briefs)
        return store, load_config(args.config, set(store.topics))
    except (StoreInvalid, ConfigInvalid) as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Fix these first; `briefbot validate` lists every problem.", file=sys.stderr)
        return None


def _runner(store: Store, config: Config, adapters: dict[str, Adapter]) -> DigestRunner:
    ledger = Ledger(make_engine(database_url()))
    changelog = ChangeLog(Path(os.environ.get("STATE_DIR", "state")) / "changes.jsonl")
    return DigestRunner(config, lambda: store, ledger, Deliverer(ledger, adapters, owner=instance_id()),
                        changelog=changelog)


async def _preview(store: Store, config: Config, digest_id: str, fmt: str) -> int:
    runner = _runner(store, config, {})
    render = render_markdown if fmt == "markdown" else render_text
    for d in [digest_id] if digest_id else sorted(config.digests):
        sys.stdout.write(render(await runner.preview(d)))
    if not config.digests:
        print("No digests in config/digests.yaml.", file=sys.stderr)
    return 0


async def _send(store: Store, config: Config, digest_id: str) -> int:
    from aiohttp import web

    from bot.app import build_adapters

    briefer = Briefer(store)
    needed = {config.digests[digest_id].platform.value, *(c.platform.value for c in config.admin_channels())}
    built = build_adapters(briefer, os.environ, web.Application(), console="console" in needed)
    adapters = {name: a for name, a in built.items() if name in needed}
    platform = config.digests[digest_id].platform.value
    if platform not in adapters:
        print(f"No {platform} adapter: set its variables (see README, Settings) to send this digest.", file=sys.stderr)
        return 2
    for adapter in adapters.values():
        await adapter.start()
    try:
        outcomes = await _runner(store, config, adapters).send_now(digest_id)
    finally:
        for adapter in adapters.values():
            await adapter.close()
    for o in outcomes:
        print(f"{o.channel}: {o.status}" + (f" ({o.error})" if o.error else ""), file=sys.stderr)
    if not outcomes:
        print("Already sent this minute; nothing posted again.", file=sys.stderr)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _list(config: Config) -> int:
    now = datetime.now(UTC)
    for d in sorted(config.digests.values(), key=lambda d: d.id):
        at = next_period(trigger_for(d), now)
        when = f"{at:%Y-%m-%d %H:%M %Z}" if at else "never"
        print(f"{d.id}: {d.platform.value} → {', '.join(d.channels)}; topics {d.topics}; next {when} ({d.timezone})")
    return 0
