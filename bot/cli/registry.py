"""The sub-command registry: command modules register here; this module imports none of them."""
from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, setup: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
    """Register a sub-command: `setup` adds its arguments, the decorated function runs it."""

    def wrap(handler: Handler) -> Handler:
        COMMANDS[name] = (setup, handler)
        return handler

    return wrap
