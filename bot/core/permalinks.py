"""The paths of the web pages, in one place: the pages serve them, chat links and exports point at them."""
from __future__ import annotations

from urllib.parse import quote

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
