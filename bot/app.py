"""Composition root: build the store, Briefer, adapters, digests and HTTP endpoints; run them in one loop."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.adapters.base import Adapter
from bot.adapters.console import ConsoleAdapter
from bot.core.config import Config, load_config
from bot.core.briefer import Briefer
from bot.core.search import SearchIndex
from bot.core.store import load_store
from bot.digests.delivery import Outcome, ledger_reason
from bot.curation.admin import Admin
from bot.core.changes import ChangeLog, ChangeSet
from bot.core.document import Document
from bot.core.problems import Problem
from bot.core.store import Store
from bot.digests.runner import DigestAdmin, DigestRunner, build_digests, start_digests
from bot.curation.reload import Reloader
from bot.runtime.health import Check, health_routes
from bot.digests.ledger import database_url
from bot.runtime.metrics import Metrics
from bot.digests.schedule import DigestScheduler
from bot.runtime.settings import Settings, SettingsError
from bot.web.server import Pages, WebSettings
from bot.web.signing import MIN_SECRET_CHARS, Signer

log = logging.getLogger(__name__)

# How long shutdown waits for digest deliveries in flight; a run cut short is left to the ledger's lease.
DIGEST_GRACE_S = 20.0

# (briefer, environment, shared web application) -> the adapter, or None when its variables are unset.
AdapterFactory = Callable[[Briefer, Mapping[str, str], web.Application], Adapter | None]


def _slack(briefer: Briefer, env: Mapping[str, str], web_app: web.Application) -> Adapter | None:
    from bot.adapters.slack.adapter import slack_adapter_from_env

    return slack_adapter_from_env(briefer, env, web_app=web_app)


def _discord(briefer: Briefer, env: Mapping[str, str], web_app: web.Application) -> Adapter | None:
    from bot.adapters.discord.adapter import discord_adapter_from_env

    return discord_adapter_from_env(briefer, env)


# Adding a platform means one adapter module and one line here.
PLATFORMS: dict[str, AdapterFactory] = {"slack": _slack, "discord": _discord}


def build_adapters(
    briefer: Briefer, env: Mapping[str, str], web_app: web.Application, *, console: bool | None,
    factories: Mapping[str, AdapterFactory] | None = None, only: frozenset[str] | None = None,
) -> dict[str, Adapter]:
    """Every adapter whose variables are set (among `only`, when given); console when asked or when none is."""
    adapters: dict[str, Adapter] = {}
    for name, factory in (factories or PLATFORMS).items():
        adapter = factory(briefer, env, web_app) if only is None or name in only else None
        if adapter is not None:
            adapters[name] = adapter
    if only is not None and "console" not in only:
        console = False if console is None else console
    if console or (console is None and not adapters):
        interactive = sys.stdin is not None and sys.stdin.isatty()
        adapters["console"] = ConsoleAdapter(briefer, inp=sys.stdin if interactive else None)
    return adapters


@dataclass
class App:
    """Everything one briefbot process runs."""

    settings: Settings
    briefer: Briefer
    config: Config
    metrics: Metrics
    web_app: web.Application
    adapters: dict[str, Adapter] = field(default_factory=dict)
    runner: DigestRunner | None = None
    scheduler: DigestScheduler | None = None
    reloader: Reloader | None = None
    admin: Admin | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    started: set[str] = field(default_factory=set)
    digests: bool = True
    pages: Pages | None = None
    _web_runner: web.AppRunner | None = None


def build(
    settings: Settings, env: Mapping[str, str], factories: Mapping[str, AdapterFactory] | None = None, *,
    only: frozenset[str] | None = None, digests: bool = True,
) -> App:
    """Load the store and config (raising on errors) and build every part; nothing connects yet."""
    metrics = Metrics()
    changelog = ChangeLog(settings.state_dir / "changes.jsonl")  # the reloader writes it; digests and the changes view read it
    briefer = Briefer(load_store(settings.briefs_dir, state_dir=settings.state_dir), observer=metrics.command,
                      changelog=changelog)
    config = load_config(settings.config_dir, set(briefer.store.topics))
    # First: a bad web setting stops before anything is built. The pages search with chat's index.
    pages = web_pages(settings, env, lambda: briefer.store, lambda store: _search_index(briefer, store))
    web_app = web.Application()
    adapters = build_adapters(briefer, env, web_app, console=settings.console, factories=factories, only=only)
    app = App(settings, briefer, config, metrics, web_app, adapters, digests=digests)
    app.runner, app.scheduler = build_digests(
        config, lambda: briefer.store, adapters, url=database_url(settings.state_dir), changelog=changelog,
    )
    app.runner.deliverer.on_outcome = lambda platform, o: _count_delivery(metrics, platform, o)
    app.reloader = _reloader(app)
    app.admin = Admin(app.reloader, lambda: _admin_ids(app), DigestAdmin(app.runner))
    for adapter in adapters.values():
        if hasattr(adapter, "admin"):
            adapter.admin = app.admin  # adapters with admin commands answer them through this
        if settings.public_url:
            adapter.web_link = pages.chat_link  # "Open in browser" under briefs, signed when the pages are
    console = adapters.get("console")
    if isinstance(console, ConsoleAdapter) and console.inp is not None:
        console.on_eof = app.stopping.set  # Ctrl-D at the console stops the bot, like Ctrl-C
    web_app.add_routes(health_routes(metrics, readiness_checks(app)))
    app.pages = pages
    web_app.add_routes(pages.routes())
    return app


def _search_index(briefer: Briefer, store: Store) -> SearchIndex | None:
    """The search index of `store` if it is the snapshot chat serves (built or patched there), else None."""
    prepared = briefer.prepared
    return prepared.views.search_index if prepared.store is store else None


def web_pages(settings: Settings, env: Mapping[str, str], current: Callable[[], Store],
              shared_index: Callable[[Store], SearchIndex | None] | None = None) -> Pages:
    """The web pages over the store in service, with the access rule and ClaimReview from the settings."""
    from bot.curation.export import Reviewer, claim_review

    secret = settings.web_signing_secret.get_secret_value() if settings.web_signing_secret else ""
    if secret and len(secret) < MIN_SECRET_CHARS:
        raise SettingsError(f"WEB_SIGNING_SECRET is {len(secret)} characters long: use at least {MIN_SECRET_CHARS} "
                            "(for example `openssl rand -hex 32`).")
    if settings.public_url and settings.web_access == "signed" and not secret:
        raise SettingsError("PUBLIC_URL is set but WEB_SIGNING_SECRET is not: chat cannot sign its links to the "
                            "pages. Set WEB_SIGNING_SECRET, or WEB_ACCESS=public to open the pages to anyone.")
    signer = Signer(secret, settings.web_link_expiry_hours * 3600) if secret else None
    reviewer_name = env.get("BRIEFBOT_REVIEWER", "briefbot curators")
    reviewer_url = env.get("BRIEFBOT_REVIEWER_URL")

    def review(store: Store, claim_id: str, base_url: str) -> dict[str, Any] | None:
        return claim_review(store.claims[claim_id], store, Reviewer(reviewer_name, reviewer_url, base_url),
                            store.loaded_at.date())

    return Pages(current, WebSettings(settings.web_access, signer, settings.public_url), review, shared_index)


def _admin_ids(app: App) -> dict[str, list[str]]:
    admins = app.config.admins
    return {"slack": list(admins.slack), "discord": list(admins.discord), "console": list(admins.console)}


def _reloader(app: App) -> Reloader:
    """Hot reload of briefs/ and config/: good edits swap in, bad ones are counted and sent to admins."""
    settings = app.settings
    assert app.runner is not None
    reloader = Reloader(app.briefer, settings.briefs_dir, settings.config_dir, config=app.config,
                        changelog=app.runner.changelog, state_dir=settings.state_dir)

    async def on_store(store: Store, changes: ChangeSet | None) -> None:
        app.metrics.reloads.labels("ok").inc()

    async def on_config(config: object) -> None:
        assert app.runner is not None and app.scheduler is not None
        app.config = config  # type: ignore[assignment]
        app.runner.config = config  # type: ignore[assignment]
        app.scheduler.apply(config)  # type: ignore[arg-type]
        app.metrics.reloads.labels("ok").inc()

    async def on_errors(problems: list[Problem]) -> None:
        app.metrics.reloads.labels("error").inc()
        await _tell_admins(app, problems)

    reloader.on_store.append(on_store)
    reloader.on_config.append(on_config)
    reloader.on_errors.append(on_errors)
    return reloader


async def _tell_admins(app: App, problems: list[Problem]) -> None:
    from bot.curation.admin import refused_reload_document

    doc: Document = refused_reload_document(problems, "edit", app.briefer.store.version)
    for channel in app.config.admin_channels():
        adapter = app.adapters.get(channel.platform.value)
        if adapter is None or channel.platform.value not in app.started:
            continue
        try:
            digest = hashlib.sha1("".join(map(str, problems)).encode()).hexdigest()[:12]
            await adapter.post(channel.channel_id, doc, key=f"reload-{digest}")
        except Exception:  # an alert that cannot be posted is logged, never fatal
            log.exception("could not tell admins in %s about a refused edit", channel.id)


def _count_delivery(metrics: Metrics, platform: str, outcome: Outcome) -> None:
    result = {"posted": "delivered", "recovered": "delivered"}.get(outcome.status, outcome.status)
    metrics.digests.labels(platform, result).inc()
    if outcome.attempts > 1:
        metrics.digests.labels(platform, "retried").inc(outcome.attempts - 1)


def readiness_checks(app: App) -> dict[str, Check]:
    """What /readyz checks: the store, each adapter, the ledger's database."""

    async def store() -> tuple[bool, str]:
        s = app.briefer.store
        serving = f"version {s.version}: {len(s.topics)} topics, {len(s.claims)} claims"
        refused = app.reloader.degraded if app.reloader is not None else []
        if refused:
            what = ", ".join(f"{o.target} ({len(o.errors)} error(s))" for o in refused)
            return True, f"degraded: the last reload of the {what} was refused; serving {serving}"
        return True, serving

    async def adapters() -> tuple[bool, str]:
        if app.stopping.is_set():
            return False, "shutting down"
        lost = {name for name in app.started if not getattr(app.adapters[name], "connected", True)}
        waiting = sorted(set(app.adapters) - app.started | lost)
        up = ", ".join(sorted(app.started - lost))
        return not waiting, f"connected: {up}" + (f"; waiting: {', '.join(waiting)}" if waiting else "")

    async def database() -> tuple[bool, str]:
        # A write probe, not a ping: ready means a digest post could be recorded right now.
        assert app.runner is not None
        deliverer = app.runner.deliverer
        try:
            detail = await asyncio.wait_for(asyncio.to_thread(app.runner.ledger.probe, deliverer.owner), 5.0)
        except Exception as exc:  # noqa: BLE001 (any failure is the reason shown)
            return False, f"{app.runner.ledger.engine.dialect.name}: {ledger_reason(exc)}"
        return True, detail

    return {"store": store, "adapters": adapters, "database": database}


async def start(app: App) -> None:
    """Connect every adapter, serve $PORT when no adapter does, then start the digests."""
    if app.settings.port is not None and not _serves_http(app):
        app._web_runner = web.AppRunner(app.web_app)
        await app._web_runner.setup()
        await web.TCPSite(app._web_runner, app.settings.host, app.settings.port).start()
        log.info("health, metrics and web pages on port %s", app.settings.port)
    for name, adapter in app.adapters.items():
        await adapter.start()
        app.started.add(name)
        log.info("adapter %s started", name)
    if not app.adapters:
        log.warning("no adapter in this process (its platform variables are unset): serving health only")
    assert app.runner is not None and app.scheduler is not None and app.reloader is not None
    if app.digests:
        await start_digests(app.runner, app.scheduler)
    await app.reloader.start()
    log.info("briefbot ready: store %s, adapters %s, digests %s", app.briefer.store.version,
             ", ".join(app.adapters) or "none", "on" if app.digests else "off")


def _serves_http(app: App) -> bool:
    slack = app.adapters.get("slack")
    return slack is not None and getattr(slack, "mode", None) == "http"


async def stop(app: App) -> None:
    """Finish digest runs in flight, let adapters stop and finish their replies, then stop watching files."""
    if app.scheduler is not None:
        await app.scheduler.drain(DIGEST_GRACE_S)  # adapters stay open: a post under way completes and is recorded
        app.scheduler.close()
    for name in list(app.started):
        await app.adapters[name].close()
        app.started.discard(name)
    if app._web_runner is not None:
        await app._web_runner.cleanup()
    if app.reloader is not None:
        await app.reloader.stop()
    log.info("briefbot stopped")


async def serve(app: App) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, app.stopping.set)
    try:
        await start(app)
        await app.stopping.wait()
        log.info("signal received: stopping")
    finally:
        await stop(app)
