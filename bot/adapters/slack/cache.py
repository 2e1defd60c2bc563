"""Block Kit pages of each document rendered once, and the JSON bodies of its replies encoded once (see
bot.adapters.render_cache)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.adapters.render_cache import RenderCache
from bot.adapters.slack import blocks
from bot.adapters.slack.blocks import SlackBlock
from bot.core.document import Document

_PAGES: RenderCache[list[list[SlackBlock]]] = RenderCache()
_BODIES: RenderCache[tuple[bytes, ...]] = RenderCache()

# A reply's fields besides `text` and `blocks`, as (name, value) pairs: response_type, replace_original.
Fields = tuple[tuple[str, Any], ...]


def render_blocks(doc: Document, *, extra: Sequence[SlackBlock] = ()) -> list[list[SlackBlock]]:
    """`blocks.render_blocks`, rendered once per document and `extra`; callers get their own page lists."""
    pages = _PAGES.get(doc, list(extra), lambda: blocks.render_blocks(doc, extra=extra))
    return [list(page) for page in pages]


def encode_body(body: dict[str, Any]) -> bytes:
    """A reply body as the JSON bytes POSTed (ASCII-escaped, as slack_sdk sends it, so any str encodes)."""
    return json.dumps(body, separators=(",", ":")).encode()


def reply_bodies(doc: Document, *, extra: Sequence[SlackBlock] = (), fields: Fields = (), limit: int) -> tuple[bytes, ...]:
    """The JSON body of each reply answering with `doc`: its pages with `extra` (`blocks.render_blocks`),
    cut to `limit` (`blocks.fit_pages`), each with `fields` and the document's fallback `text`.

    Encoded once per document object, `extra`, `fields` and `limit`: a prepared brief's replies cost no
    rendering and no JSON after the first request of a snapshot.
    """
    def encode() -> tuple[bytes, ...]:
        base = {**dict(fields), "text": blocks.fallback_text(doc)}
        pages = blocks.fit_pages(blocks.render_blocks(doc, extra=extra), limit)
        return tuple(encode_body({**base, "blocks": page}) for page in pages)

    return _BODIES.get(doc, (list(extra), fields, limit), encode)
