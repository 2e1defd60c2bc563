"""Rendering a neutral Document to pages of Discord embeds, within Discord's embed limits."""
from __future__ import annotations

import re

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.document import Document, Item, Line, Note, Section, Span, Text

# Discord "Embed limits" (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # the sum over every embed of one message
EMBEDS_PER_MESSAGE = 10

# Room kept in each footer for a page counter such as " · 12/12".
PAGE_COUNTER_ROOM = 12
ELLIPSIS = "…"

COLOURS = {"info": discord.Colour.blurple(), "error": discord.Colour.red()}

Page = list[discord.Embed]


ZWSP = "\u200b"
# `<#id>` channels, `<@&id>` roles, `<@id>` users, `</cmd:id>` commands, `<t:…>`, `<a:…>`: any `<` that
# opens one of Discord's angle-bracket forms gets a zero-width space after it.
_ANGLE = re.compile(r"<(?=[#@/:!]|a:|t:)")
# Every masked link `[text](url)`, however many on a line and however nested: `](` is split.
_MASKED = re.compile(r"\]\s*\(")
# Discord turns any bare `scheme://…` into a live link (and `<https://…>` too); a zero-width space
# before the `://` leaves the address readable but not clickable.
_BARE_URL = re.compile(r"(?i)(?<=[a-z0-9])(?=:/{2})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """No mention, channel or role reference, masked link or bare link can survive in `text`."""
    text = _BARE_URL.sub(ZWSP, _MASKED.sub(lambda m: "]" + ZWSP + m.group()[1:], text))
    return escape_mentions(_ANGLE.sub("<" + ZWSP, text))


def escape(text: str) -> str:
    """Text a user or a source wrote, made literal: no Markdown, and mentions and links shown but inert."""
    return neutralise(escape_markdown(text))


def inert(text: str) -> str:
    """Text shown where Discord renders no Markdown (footers): mentions and links made inert only."""
    return neutralise(text)


def clean_label(text: str) -> str:
    """A label Discord shows as plain text (autocomplete choices): no control characters, one line."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _wrap(text: str, mark: str) -> str:
    # Discord ignores `**x **`; keep the spaces outside the markers.
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def render_span(span: Span) -> str:
    """One span as Discord Markdown, its text escaped."""
    if span.style == "code":
        # Backticks cannot be escaped inside a code span; a look-alike keeps the span closed.
        return _wrap(neutralise(span.text.replace("`", "ˋ")), "`")
    text = escape(span.text)
    if span.url:
        url = span.url.replace(" ", "%20").replace(">", "%3E")
        text = f"[{text}](<{url}>)"
    return _wrap(text, {"bold": "**", "italic": "*"}.get(span.style, ""))


def render_line(line: Line) -> str:
    """A line of spans as Discord Markdown."""
    return "".join(render_span(span) for span in line)


def render_block(block: Text | Item | Note) -> str:
    """One block as a paragraph of Discord Markdown."""
    if isinstance(block, Text):
        return render_line(block.line)
    if isinstance(block, Note):
        return f"▫️ {render_line(block.line)}"
    badge = f"{block.badge} " if block.badge else ""
    lines = [f"{badge}{render_line(block.head)}"]
    lines += [render_line(line) for line in block.body]
    if block.note:
        lines.append(f"*({render_line(block.note).strip()})*")
    return "\n".join(lines)


def truncate(text: str, limit: int) -> str:
    """Text cut to `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip("\\") + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at a line break, else a space, else anywhere."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        run = len(text[:cut]) - len(text[:cut].rstrip("\\"))
        if run % 2 and cut > 1:
            cut -= 1  # never cut between a backslash and the character it escapes
        chunk = text[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        text = text[cut:].lstrip("\n ")
    if text or not chunks:
        chunks.append(text)
    return chunks


def _paragraph_chunks(paragraphs: list[str], limit: int) -> list[str]:
    """Paragraphs joined by blank lines into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current = ""
    for para in paragraphs:
        for piece in split_text(para, limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _section_embeds(section: Section, colour: discord.Colour, limit: int) -> list[discord.Embed]:
    title = truncate(escape(section.title), TITLE_MAX - len(" (cont.)"))
    chunks = _paragraph_chunks([render_block(b) for b in section.blocks], limit) or [""]
    return [
        discord.Embed(title=title if i == 0 else f"{title} (cont.)", description=chunk or None, colour=colour)
        for i, chunk in enumerate(chunks)
    ]


def _head_embeds(doc: Document, colour: discord.Colour, limit: int) -> list[discord.Embed]:
    title = truncate(escape(doc.title), TITLE_MAX) or ELLIPSIS
    chunks = split_text(render_line(doc.summary), limit) if doc.summary else [""]
    return [
        discord.Embed(title=title if i == 0 else None, description=chunk or None, colour=colour)
        for i, chunk in enumerate(chunks)
    ]


def _pack(embeds: list[discord.Embed], budget: int) -> list[Page]:
    """Embeds grouped into messages of at most 10 embeds and `budget` characters."""
    pages: list[Page] = [[]]
    used = 0
    for embed in embeds:
        size = len(embed)
        if pages[-1] and (len(pages[-1]) >= EMBEDS_PER_MESSAGE or used + size > budget):
            pages.append([])
            used = 0
        pages[-1].append(embed)
        used += size
    return pages


def footer_text(base: str, page: int, pages: int, counted: bool) -> str:
    """The footer of a page: the document's footer, a marker, and `page/pages` when counted."""
    counter = f"{page}/{pages}" if counted else ""
    return " · ".join(part for part in (base, counter) if part)


def render_embeds(doc: Document, *, marker: str = "") -> list[Page]:
    """The document as pages of embeds (one message each), every Discord embed limit respected.

    `marker` is appended to every page's footer (the adapter puts its delivery reference there);
    with a marker, or more than one page, footers also count pages (`2/3`).
    """
    colour = COLOURS[doc.tone]
    # The marker must survive, so only the document's own footer is cut to fit.
    room = FOOTER_MAX - PAGE_COUNTER_ROOM - (len(marker) + 3 if marker else 0)
    base = " · ".join(part for part in (truncate(inert(doc.footer), room), marker) if part)
    # Each page carries a footer and chunks carry a title; both are kept out of the description budget.
    footer_room = len(base) + PAGE_COUNTER_ROOM
    budget = EMBED_TOTAL_MAX - footer_room
    limit = min(DESCRIPTION_MAX, budget - TITLE_MAX)
    embeds = _head_embeds(doc, colour, limit)
    for section in doc.sections:
        embeds += _section_embeds(section, colour, limit)
    pages = _pack(embeds, budget)
    counted = bool(marker) or len(pages) > 1
    for number, page in enumerate(pages, start=1):
        text = footer_text(base, number, len(pages), counted)
        if text:
            page[-1].set_footer(text=text)
    return pages


def embed_problems(page: Page) -> list[str]:
    """Every way a message's embeds break Discord's limits (empty when the page is valid)."""
    problems = []
    if not 1 <= len(page) <= EMBEDS_PER_MESSAGE:
        problems.append(f"{len(page)} embeds in one message (1 to {EMBEDS_PER_MESSAGE} allowed)")
    total = sum(len(embed) for embed in page)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"{total} characters in one message's embeds (max {EMBED_TOTAL_MAX})")
    for n, embed in enumerate(page):
        problems += [f"embed {n}: {p}" for p in _one_embed_problems(embed)]
    return problems


def _one_embed_problems(embed: discord.Embed) -> list[str]:
    checks = [
        ("title", len(embed.title or ""), TITLE_MAX),
        ("description", len(embed.description or ""), DESCRIPTION_MAX),
        ("fields", len(embed.fields), FIELDS_MAX),
        ("footer", len(embed.footer.text or ""), FOOTER_MAX),
    ]
    for field in embed.fields:
        checks += [("field name", len(field.name or ""), FIELD_NAME_MAX),
                   ("field value", len(field.value or ""), FIELD_VALUE_MAX)]
    problems = [f"{what} is {size} long (max {limit})" for what, size, limit in checks if size > limit]
    if not (embed.title or embed.description or embed.fields):
        problems.append("embed is empty")
    return problems


# https://discord.com/developers/docs/components/reference#button: a link button's url is at most 512 characters.
LINK_URL_CHARS = 512


def web_view(url: str, label: str, view: discord.ui.View | None = None) -> discord.ui.View:
    """`view` (or a new one) with a link button to the document's web page; Discord opens it, the bot sees no click."""
    view = view if view is not None else discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=label, url=url[:LINK_URL_CHARS]))
    return view
