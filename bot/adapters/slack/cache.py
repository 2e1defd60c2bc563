"""Block Kit pages of each document rendered once (see bot.adapters.render_cache)."""
from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.render_cache import RenderCache
from bot.adapters.slack import blocks
from bot.adapters.slack.blocks import SlackBlock
from bot.core.document import Document

_PAGES: RenderCache[list[list[SlackBlock]]] = RenderCache()


def render_blocks(doc: Document, *, extra: Sequence[SlackBlock] = ()) -> list[list[SlackBlock]]:
    """`blocks.render_blocks`, rendered once per document and `extra`; callers get their own page lists."""
    pages = _PAGES.get(doc, list(extra), lambda: blocks.render_blocks(doc, extra=extra))
    return [list(page) for page in pages]
