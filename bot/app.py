"""Composition root: build the store, Briefer and adapters from settings, run them in one loop."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.adapters.base import Adapter
from bot.adapters.console import ConsoleAdapter
from bot.core.briefer import Briefer
from bot.core.store import load_store
from bot.settings import Settings

log = logging.getLogger(__name__)

AdapterFactory = Callable[[Briefer, Mapping[str, str]], Adapter | None]


def _slack(briefer: Briefer, env: Mapping[str, str]) -> Adapter | None:
    from bot.adapters.slack import slack_adapter_from_env

    return slack_adapter_from_env(briefer, env)


def _discord(briefer: Briefer, env: Mapping[str, str]) -> Adapter | None:
    from bot.adapters.discord import discord_adapter_from_env

    return discord_adapter_from_env(briefer, env)


# Adding a platform means one adapter module and one line here.
PLATFORMS: dict[str, AdapterFactory] = {"slack": _slack, "discord": _discord}


@dataclass
class App:
    """Everything one briefbot process runs."""

    settings: Settings
    briefer: Briefer
    adapters: dict[str, Adapter] = field(default_factory=dict)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


def build(settings: Settings, env: Mapping[str, str], factories: dict[str, AdapterFactory] | None = None) -> App:
    """Load the store and build every adapter whose tokens are set (console when none is)."""
    briefer = Briefer(load_store(settings.briefs_dir))
    app = App(settings, briefer)
    for name, factory in (factories or PLATFORMS).items():
        adapter = factory(briefer, env)
        if adapter is not None:
            app.adapters[name] = adapter
    if settings.console or (settings.console is None and not app.adapters):
        interactive = sys.stdin is not None and sys.stdin.isatty()
        app.adapters["console"] = ConsoleAdapter(briefer, inp=sys.stdin if interactive else None)
    return app


async def serve(app: App) -> None:
    """Start every adapter, run until SIGTERM or SIGINT, then close them all."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, app.stopping.set)
    for name, adapter in app.adapters.items():
        await adapter.start()
        log.info("adapter started", extra={"platform": name})
    log.info("briefbot ready: store %s, adapters %s", app.briefer.store.version, ", ".join(app.adapters))
    await app.stopping.wait()
    log.info("stopping")
    for adapter in app.adapters.values():
        await adapter.close()
