"""The read-only sub-commands: brief, topics, sources, claims; each in text, markdown or json."""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from bot.adapters.console import render_markdown, render_text
from bot.cli.registry import command
from bot.core.briefing import claim_view, source_view, backlinks
from bot.core.compose import compose_brief, compose_claims, compose_sources, compose_topics
from bot.core.document import Document
from bot.core.errors import BriefbotError, UserError
from bot.core.labels import is_flagged
from bot.core.problems import StoreInvalid
from bot.core.store import Store, load_store
from bot.core.search import Hit, SearchIndex
from bot.core.topics import MAX_QUERY_CHARS, find_topic, normalise
from bot.core.views.catalog import Views
from bot.core.views.routes import Route

FORMATS = ("text", "markdown", "json")


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text")


def _emit(fmt: str, doc: Document, data: Any) -> None:
    if fmt == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_markdown(doc) if fmt == "markdown" else render_text(doc))


StoreHandler = Callable[[argparse.Namespace, Store], int]


def with_store(handler: StoreHandler) -> Callable[[argparse.Namespace], int]:
    """Load the store for a read-only command: exit 1 with every problem when it has errors, 2 on a
    user error (unknown topic or source) with its sentence."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            store = load_store(args.briefs)
        except StoreInvalid as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print("The claim store has errors; run `briefbot validate` for the full list.", file=sys.stderr)
            return 1
        try:
            return handler(args, store)
        except UserError as exc:
            print(exc, file=sys.stderr)
            return 2

    return run


TOPIC_VIEWS = ("summary", "thesis", "flagged", "positions", "sources")


def _brief_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("topic", help="topic id, title or alias, in English or French")
    p.add_argument("--view", choices=TOPIC_VIEWS, default="summary",
                   help="which view of the topic (default: the summary, a 30-second read)")
    p.add_argument("--page", type=_page, default=1, help="page of a paged view (from 1)")
    p.add_argument("--full", action="store_true", help="the whole detail: every position, key claim, flag and origin")
    _format(p)


def _page(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 9999:
        raise argparse.ArgumentTypeError("a page is a number from 1 to 9999")
    return int(value)


def _view_data(doc: Document, name: str, page: int) -> dict[str, Any]:
    """What `--format json` adds about the view shown: its name, page, own route and the document."""
    return {"name": name, "page": page, "route": doc.route, "document": doc.model_dump(mode="json")}


@command("brief", _brief_args)
@with_store
def brief_command(args: argparse.Namespace, store: Store) -> int:
    """Print a topic's summary (or another view with --view, or the whole brief with --full)."""
    topic = find_topic(store.topics, args.topic)
    views = Views(store)
    result = views.brief(topic.id)
    if args.full:
        doc, name = compose_brief(result), "full"
    else:
        doc, name = views.open(Route(args.view, topic.id, args.page - 1)), args.view
    _emit(args.format, doc, {**result.model_dump(mode="json"), "view": _view_data(doc, name, args.page)})
    return 0


def _show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("claim", "source"), help="what to show")
    p.add_argument("id", help="its id (`briefbot claims` and `briefbot sources` list them)")
    p.add_argument("--page", type=_page, default=1, help="page of a source's claims (from 1)")
    _format(p)


@command("show", _show_args)
@with_store
def show_command(args: argparse.Namespace, store: Store) -> int:
    """Print one claim's or one source's card."""
    views = Views(store)
    if args.kind == "claim":
        entry = store.claims.get(args.id)
        if entry is None:
            print(f"No claim called “{args.id[:80]}”; `briefbot claims` lists them with their ids.", file=sys.stderr)
            return 2
        data: dict[str, Any] = claim_view(store, entry, views.links()).model_dump(mode="json")
    else:
        source = store.sources.get(args.id)
        if source is None:
            print(f"No source called “{args.id[:80]}”; `briefbot sources` lists them.", file=sys.stderr)
            return 2
        data = source_view(store, source).model_dump(mode="json") | {"claims": [c.id for c in source.claims]}
    doc = views.open(Route(args.kind, args.id, args.page - 1))
    _emit(args.format, doc, {**data, "view": _view_data(doc, args.kind, args.page)})
    return 0


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+", help="words to look for: a speaker, an outlet, a phrase (English or French)")
    p.add_argument("--limit", type=_page, default=20, help="at most this many results (default 20)")
    _format(p)


@command("search", _search_args)
@with_store
def search_command(args: argparse.Namespace, store: Store) -> int:
    """Search claims (statements, quotes, speakers), sources (titles, outlets, authors) and topics."""
    query = " ".join(args.query)
    views = Views(store)
    hits = views.search_index.search(query, limit=args.limit)
    results = [_result(store, h) for h in hits]
    doc = views.search(query)
    _emit(args.format, doc, {"query": query, "store_version": store.version, "results": results})
    return 0


def _result(store: Store, hit: Hit) -> dict[str, Any]:
    """One search result for `--format json`: kind, id, score, and the text to show."""
    if hit.kind == "topic":
        topic = store.topics[hit.id]
        title, text = topic.title, topic.description
    elif hit.kind == "source":
        src = store.sources[hit.id]
        title, text = src.title, src.outlet
    else:
        entry = store.claims[hit.id]
        title, text = entry.claim.speaker or entry.source.title, entry.claim.statement
    return {"kind": hit.kind, "id": hit.id, "score": round(hit.score, 4), "title": title, "text": text,
            "via": hit.via or None}


@command("topics", _format)
@with_store
def topics_command(args: argparse.Namespace, store: Store) -> int:
    """List the topics with their aliases and theses."""
    topics = sorted(store.topics.values(), key=lambda t: t.id)
    _emit(args.format, compose_topics(topics), [t.model_dump(mode="json") for t in topics])
    return 0


@command("sources", _format)
@with_store
def sources_command(args: argparse.Namespace, store: Store) -> int:
    """List the sources with the curator's note on each."""
    sources = sorted(store.sources.values(), key=lambda s: s.id)
    views = [source_view(store, s) for s in sources]
    data = [
        {**s.model_dump(mode="json", exclude={"claims"}), "claims": [c.id for c in s.claims],
         "origins": v.origins}
        for s, v in zip(sources, views, strict=True)
    ]
    _emit(args.format, compose_sources(views), data)
    return 0


def _claims_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", help="only claims from this source id")
    p.add_argument("--topic", help="only claims on this topic (id or alias)")
    p.add_argument("--flagged", action="store_true", help="only flagged claims")
    p.add_argument("--speaker", help="only claims whose speaker's name contains this (any case or accents)")
    p.add_argument("--search", help="only claims matching these words, best match first (as `briefbot search`)")
    _format(p)


@command("claims", _claims_args)
@with_store
def claims_command(args: argparse.Namespace, store: Store) -> int:
    """List claims, filtered by source, topic or flag."""
    entries = list(store.claims.values())
    if args.topic:
        entries = store.claims_for(find_topic(store.topics, args.topic).id)
    if args.source:
        if args.source not in store.sources:
            print(f"No source called “{args.source}”; `briefbot sources` lists them.", file=sys.stderr)
            return 2
        entries = [e for e in entries if e.source.id == args.source]
    if args.flagged:
        entries = [e for e in entries if is_flagged(e.claim)]
    if args.speaker:
        wanted = normalise(args.speaker[:MAX_QUERY_CHARS])
        entries = [e for e in entries if wanted and wanted in normalise(e.claim.speaker or "")]
    if args.search:
        ranked = [h.id for h in SearchIndex(store).search(args.search, limit=len(store.claims) or 1) if h.kind == "claim"]
        keep = {e.claim.id: e for e in entries}
        entries = [keep[c] for c in ranked if c in keep]
    links = backlinks(store, list(store.claims.values()))
    views = [claim_view(store, e, links) for e in entries]
    titles = {s.id: s.title for s in store.sources.values()}
    _emit(args.format, compose_claims(views, titles), [v.model_dump(mode="json") for v in views])
    return 0


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--console", action="store_true", help="also run the console adapter")
    p.add_argument("--only", type=_platforms, metavar="PLATFORMS",
                   help="comma-separated adapters this process runs (slack, discord, console); "
                        "the others are left off even when their tokens are set")
    p.add_argument("--no-digests", dest="digests", action="store_false",
                   help="do not run the digest scheduler in this process (e.g. stateless Slack HTTP workers)")


def _platforms(value: str) -> frozenset[str]:
    from bot.app import PLATFORMS

    names = frozenset(n.strip().lower() for n in value.split(",") if n.strip())
    unknown = sorted(names - set(PLATFORMS) - {"console"})
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown platform {', '.join(unknown) or '(none)'}; choose from {', '.join([*PLATFORMS, 'console'])}")
    return names


def _database_problem(exc: Exception) -> str:
    """One line on why the ledger's database cannot be used, without the URL (it may hold a password)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return "DATABASE_URL is not a database URL; use postgresql://user:password@host:5432/name."
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
    return f"the database in DATABASE_URL cannot be used: {reason}"


@command("run", _run_args)
def run_command(args: argparse.Namespace) -> int:
    """Run the bot: every adapter whose tokens are set (console when none is), the scheduler, the reloader."""
    import asyncio

    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import build, serve
    from bot.core.config import ConfigInvalid
    from bot.runtime.logs import mask, setup_logging
    from bot.runtime.settings import SettingsError, load_dotenv_file, load_settings, secrets_in

    load_dotenv_file()
    secrets = secrets_in(os.environ)
    try:
        settings = load_settings(briefs_dir=args.briefs, config_dir=args.config,
                                 **({"console": True} if args.console else {}))
    except SettingsError as exc:
        print(mask(str(exc), secrets), file=sys.stderr)
        return 2
    setup_logging(settings.log_format, settings.log_level, secrets)
    try:
        app = build(settings, os.environ, only=args.only, digests=args.digests)
    except (StoreInvalid, ConfigInvalid) as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except BriefbotError as exc:
        print(f"cannot start: {mask(str(exc), secrets)}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"cannot start: {_database_problem(exc)}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(app))
    except BriefbotError as exc:  # a platform refused the token, a gateway never became ready, …
        print(f"cannot start: {mask(str(exc), secrets)}", file=sys.stderr)
        return 2
    except (OSError, asyncio.TimeoutError) as exc:  # aiohttp's connection errors are OSErrors too
        print(f"cannot start: {mask(network_problem(exc), secrets)}", file=sys.stderr)
        return 2
    return 0


def network_problem(exc: BaseException) -> str:
    """One line on a network failure (no traceback): what could not be reached, and why."""
    if isinstance(exc, TimeoutError):
        return "a platform did not answer in time (network timeout); check the connection and try again."
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{text[:300]}. Check the network connection (and any proxy), then try again."

