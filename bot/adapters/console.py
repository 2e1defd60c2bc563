"""The console adapter: `/brief` typed on standard input, documents printed as text or Markdown."""
from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TextIO

from bot.adapters.base import PageHook, Receipt
from bot.core.briefer import Briefer
from bot.core.document import Document, Item, Line, Note, Span, Text

Style = Callable[[Span], str]


def _text_span(span: Span) -> str:
    return f"'{span.text}'" if span.style == "code" else span.text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_markdown(text: str) -> str:
    """Escape Markdown so source and user text stays literal."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_span(span: Span) -> str:
    if span.style == "code":
        return f"`{span.text.replace('`', 'ˋ')}`"
    text = escape_markdown(span.text)
    if span.url:
        text = f"[{text}](<{span.url}>)"
    return {"bold": f"**{text}**", "italic": f"*{text}*"}.get(span.style, text)


def _line(line: Line, style: Style) -> str:
    return "".join(style(span) for span in line)


def render_text(doc: Document) -> str:
    """A document as plain text for a terminal."""
    out = [doc.title, "=" * min(len(doc.title), 78)]
    if doc.summary:
        out.append(_line(doc.summary, _text_span))
    for section in doc.sections:
        out += ["", section.title, "-" * len(section.title)]
        out += _blocks(section.blocks, _text_span, bullet="* ", indent="    ")
    if doc.footer:
        out += ["", doc.footer]
    return "\n".join(out) + "\n"


def render_markdown(doc: Document) -> str:
    """A document as Markdown."""
    out = [f"# {escape_markdown(doc.title)}"]
    if doc.summary:
        out += ["", _line(doc.summary, _md_span)]
    for section in doc.sections:
        out += ["", f"## {escape_markdown(section.title)}", ""]
        out += _blocks(section.blocks, _md_span, bullet="- ", indent="  ")
    if doc.footer:
        out += ["", f"*{escape_markdown(doc.footer)}*"]
    return "\n".join(out) + "\n"


def _blocks(blocks: Sequence[Text | Item | Note], style: Style, bullet: str, indent: str) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Item):
            badge = f"{block.badge} " if block.badge else ""
            out.append(f"{bullet}{badge}{_line(block.head, style)}")
            out += [f"{indent}{_line(line, style)}" for line in block.body]
            if block.note:
                out.append(f"{indent}({_line(block.note, style)})")
        elif isinstance(block, Note):
            out.append(f"{bullet}{_line(block.line, style)}")
        else:
            out.append(_line(block.line, style))
    return out


class ConsoleAdapter:
    """Reads `/brief …` lines from a stream and prints the answers; posts digests to the same output."""

    name = "console"

    def __init__(self, briefer: Briefer, out: TextIO | None = None, inp: TextIO | None = None) -> None:
        self.briefer = briefer
        self.out = out or sys.stdout
        self.inp = inp
        self.posted: dict[tuple[str, str], Receipt] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start reading commands when an input stream was given."""
        if self.inp is not None:
            self.out.write("briefbot console: type /brief <topic>, /brief help, or Ctrl-D to stop reading.\n")
            self._task = asyncio.create_task(self._read_loop())

    async def close(self) -> None:
        """Stop reading commands."""
        if self._task is not None:
            self._task.cancel()

    async def post(
        self, channel: str, doc: Document, *, key: str, first_page: int = 0, on_page: PageHook | None = None,
    ) -> Receipt:
        """Print the document under a channel header (one page); the key is printed so a post can be found again."""
        if first_page > 0:
            return Receipt(self.name, channel, [], pages=1)
        receipt = Receipt(self.name, channel, [f"{channel}:{len(self.posted) + 1}"], pages=1)
        self.out.write(f"\n--- #{channel} [{key}]\n{render_text(doc)}")
        self.out.flush()
        self.posted[(channel, key)] = receipt
        if on_page is not None:
            await on_page(0, 1, receipt.message_ids[0])
        return receipt

    async def find_post(
        self, channel: str, key: str, *, since: datetime | None = None, pages: int | None = None,
    ) -> Receipt | None:
        """A post made in this process with that key."""
        return self.posted.get((channel, key))

    def handle(self, line: str) -> str:
        """The text answer to one typed command line."""
        command = line.strip()
        for prefix in ("/brief", "brief"):
            if command.startswith(prefix):
                command = command[len(prefix):]
                break
        doc, _ = self.briefer.answer(command)
        return render_text(doc)

    async def _read_loop(self) -> None:
        assert self.inp is not None
        while True:
            line = await asyncio.to_thread(self.inp.readline)
            if not line:
                return
            if line.strip():
                self.out.write(self.handle(line))
                self.out.flush()
