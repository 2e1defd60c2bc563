"""Routes: everything a click needs (view, item id, page, the item's fingerprint) in one short string.

A route travels in a Slack action `value` and a Discord `custom_id` (at most 100 characters), so a
click can be answered by any process, after a restart, from whatever store it serves then.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal, get_args

PREFIX = "bb1"
# Discord: a custom_id (and a select option's value) is at most 100 characters.
MAX_ROUTE_CHARS = 100
QUERY_CHARS = 60

ViewName = Literal["summary", "thesis", "flagged", "positions", "sources", "source", "claim", "search", "topics", "changes"]
VIEWS: tuple[str, ...] = get_args(ViewName)
MAX_PAGE = 9999


class BadRoute(ValueError):
    """A route string that is not one of ours (forged, truncated, or from an unknown version)."""


@dataclass(frozen=True)
class Route:
    """One view of one item at one page; `fp` is the item's fingerprint when the link was made."""

    view: ViewName
    id: str = ""
    page: int = 0
    fp: str = ""

    def encode(self) -> str:
        """`bb1:view:id:page:fp`, within MAX_ROUTE_CHARS."""
        item = self.id[:QUERY_CHARS] if self.view == "search" else self.id
        text = f"{PREFIX}:{self.view}:{item}:{self.page}:{self.fp}"
        if len(text) > MAX_ROUTE_CHARS:
            raise BadRoute(f"route too long ({len(text)} characters)")
        return text

    def at(self, page: int) -> Route:
        """The same view at another page."""
        return Route(self.view, self.id, page, self.fp)


def decode(text: str) -> Route:
    """The route a click carries; BadRoute when it is not one we made."""
    parts = text.split(":")
    if len(text) > MAX_ROUTE_CHARS or len(parts) != 5 or parts[0] != PREFIX:
        raise BadRoute("not a briefbot route")
    _, view, item, page, fp = parts
    if view not in VIEWS or not page.isdigit() or int(page) > MAX_PAGE:
        raise BadRoute("unknown view or page")
    if not all(c.isalnum() or c in "- " for c in item) or not all(c in "0123456789abcdef" for c in fp):
        raise BadRoute("bad item id")
    return Route(view, item, int(page), fp)  # type: ignore[arg-type]


def fingerprint(*parts: object) -> str:
    """A short hash of what an item shows, to tell later whether it changed."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:8]
