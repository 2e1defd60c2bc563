"""Embed pages of each document rendered once (see bot.adapters.render_cache)."""
from __future__ import annotations

from bot.adapters.discord import embeds
from bot.adapters.discord.embeds import Page
from bot.adapters.render_cache import RenderCache
from bot.core.document import Document

_PAGES: RenderCache[list[Page]] = RenderCache()


def render_embeds(doc: Document, *, marker: str = "") -> list[Page]:
    """`embeds.render_embeds`, rendered once per document and marker; callers get their own list."""
    return list(_PAGES.get(doc, marker, lambda: embeds.render_embeds(doc, marker=marker)))
