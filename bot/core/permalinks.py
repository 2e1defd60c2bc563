"""The paths of the web pages, in one place: the pages serve them, chat links and exports point at them."""
from __future__ import annotations

from urllib.parse import quote

from bot.core.document import Document
from bot.core.views.routes import BadRoute, decode

INDEX = "/"
SEARCH = "/search"


def topic_path(topic_id: str) -> str:
    """The page of a topic's whole brief."""
    return f"/topics/{quote(topic_id, safe='')}"


def claim_path(claim_id: str) -> str:
    """The page of one claim (where its ClaimReview lives)."""
    return f"/claims/{quote(claim_id, safe='')}"


def source_path(source_id: str) -> str:
    """The page of one source."""
    return f"/sources/{quote(source_id, safe='')}"


def absolute(base_url: str, path: str) -> str:
    """`path` under a public base address (with or without a trailing slash, maybe under a prefix)."""
    return base_url.rstrip("/") + path


# The chat views of a topic all open its one page; cards open theirs.
_TOPIC_VIEWS = ("summary", "thesis", "flagged", "positions", "sources")


def page_of(doc: Document) -> str:
    """The path of the web page showing what `doc` shows in chat; empty when there is none."""
    if doc.web_path or not doc.route:
        return doc.web_path
    try:
        route = decode(doc.route)
    except BadRoute:
        return ""
    if route.view in _TOPIC_VIEWS:
        return topic_path(route.id)
    if route.view == "claim":
        return claim_path(route.id)
    if route.view == "source":
        return source_path(route.id)
    return INDEX if route.view == "topics" else ""
