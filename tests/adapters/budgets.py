"""What a reader sees of a rendered view on each platform, counted the same way for the budget tests."""
from __future__ import annotations

from typing import Any

from bot.adapters.console import render_text
from bot.adapters.discord.components import components, make_items
from bot.adapters.discord.embeds import render_embeds
from bot.adapters.slack.blocks import render_blocks
from bot.core.document import Document


def slack_visible(blocks: list[dict[str, Any]]) -> int:
    """Every text of the blocks, markup included (so never less than what shows), plus button labels
    and the select's placeholder."""
    size = 0
    for block in blocks:
        if "text" in block:
            size += len(block["text"]["text"])
        for element in block.get("elements", []):
            if element["type"] == "static_select":
                size += len(element["placeholder"]["text"])
            elif isinstance(element.get("text"), dict):
                size += len(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                size += len(element["text"])
    return size


async def _noop(*_: Any) -> None:
    return None


ITEMS = make_items(_noop)


def discord_visible(doc: Document) -> tuple[int, int]:
    """(characters, messages) of the document on Discord: embed texts with markup, button labels, placeholder."""
    pages = render_embeds(doc)
    size = sum(len(e.title or "") + len(e.description or "") + len(e.footer.text or "") for page in pages for e in page)
    view = components(doc, ITEMS)
    if view is not None:
        for item in view.children:
            size += len(getattr(item, "label", None) or "") + len(getattr(item, "placeholder", None) or "")
    return size, len(pages)


def console_visible(doc: Document) -> int:
    """The console text without its underline rows (decoration, not reading)."""
    lines = render_text(doc).splitlines()
    return sum(len(line) for line in lines if line.strip("=-") or not line)


def slack_pages(doc: Document) -> list[list[dict[str, Any]]]:
    return render_blocks(doc)
