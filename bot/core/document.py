"""The platform-neutral document every adapter renders: plain text spans, never Markdown."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Node(BaseModel):
    """Base of document nodes: immutable."""

    model_config = ConfigDict(frozen=True)


class Span(Node):
    """A run of plain text with one style; adapters escape it for their markup."""

    text: str
    style: Literal["plain", "bold", "italic", "code"] = "plain"
    url: str | None = None


Line = list[Span]


def plain(text: str) -> Span:
    """A plain span."""
    return Span(text=text)


def bold(text: str) -> Span:
    """A bold span."""
    return Span(text=text, style="bold")


def italic(text: str) -> Span:
    """An italic span."""
    return Span(text=text, style="italic")


def code(text: str) -> Span:
    """A monospace span (used for the exact words that triggered a computed signal)."""
    return Span(text=text, style="code")


class Text(Node):
    """A paragraph."""

    kind: Literal["text"] = "text"
    line: Line


class Item(Node):
    """A list entry: a badge (emoji), a head line, body lines and a small-print note."""

    kind: Literal["item"] = "item"
    badge: str = ""
    head: Line
    body: Sequence[Line] = Field(default_factory=list)
    note: Line = Field(default_factory=list)


class Note(Node):
    """Small print: context, provenance, hints."""

    kind: Literal["note"] = "note"
    line: Line


Block = Annotated[Text | Item | Note, Field(discriminator="kind")]


class Section(Node):
    """A titled group of blocks; adapters split long documents between sections or blocks."""

    title: str
    blocks: Sequence[Block] = Field(default_factory=list)


class Action(Node):
    """A link to another view: a button (or, as `option`, an entry of a pick-list) and its typed form.

    `target` is an opaque route string the core reads back (`bot.core.views.routes`); `command` is
    what to type instead on a platform without buttons (the console).
    """

    label: str
    target: str
    command: str
    kind: Literal["button", "option"] = "button"
    style: Literal["default", "primary"] = "default"


class Document(Node):
    """A whole message: title, optional summary line, sections, footer and links to other views."""

    title: str
    summary: Line = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    footer: str = ""
    tone: Literal["info", "error"] = "info"
    actions: list[Action] = Field(default_factory=list)
    # What a select of the `option` actions says before one is picked.
    menu: str = ""
    # The route of this view itself (for "Post to channel" and "open again"); empty for other documents.
    route: str = ""
    # The path of this document's web page (bot.core.permalinks); adapters turn it into an
    # "Open in browser" link when the pages have a public address. Empty: no page.
    web_path: str = ""


def line_text(line: Line) -> str:
    """The plain text of a line, styles dropped."""
    return "".join(span.text for span in line)


def visible_chars(doc: Document) -> int:
    """The characters a reader sees: every text, button labels and the select's placeholder.

    Buttons are counted at the longer of their label and their typed command (the console shows
    the command), so one budget holds on every platform.
    """
    lines = [doc.title, line_text(doc.summary), doc.footer]
    for section in doc.sections:
        lines.append(section.title)
        for block in section.blocks:
            if isinstance(block, Item):
                lines += [block.badge, line_text(block.head), *map(line_text, block.body), line_text(block.note)]
            else:
                lines.append(line_text(block.line))
    buttons = [a for a in doc.actions if a.kind == "button"]
    size = sum(len(text) for text in lines) + sum(max(len(a.label), len(a.command)) + 3 for a in buttons)
    return size + (len(doc.menu) if any(a.kind == "option" for a in doc.actions) else 0)


def message(title: str, text: str, *, tone: Literal["info", "error"] = "info") -> Document:
    """A one-paragraph document, for short answers and errors."""
    return Document(title=title, summary=[plain(text)], tone=tone)
