"""The console adapter: `/brief` typed on standard input, documents printed as text or Markdown."""
from __future__ import annotations

import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from bot.adapters.base import AdminDesk, PageHook, Receipt, WebLink, web_url
from bot.core.briefer import Briefer
from bot.core.document import Document, Item, Line, Note, Span, Text

if TYPE_CHECKING:  # asyncio is imported when the console runs, not when the CLI renders a brief
    import asyncio

Style = Callable[[Span], str]


def _text_span(span: Span) -> str:
    return f"'{span.text}'" if span.style == "code" else span.text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


# Control characters (ESC starts terminal escape sequences) and bidi overrides, except newline and tab.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONSOLE_USER = "local-admin"  # who types at the terminal; config/admins.yaml `console:` decides if an admin
ADMIN_PREFIX = "/brief-admin"


def terminal_safe(text: str) -> str:
    """Text fit for a terminal: control and escape characters shown as \\xNN, never sent raw."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04x}", text)


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
    out += action_lines(doc)
    if doc.footer:
        out += ["", doc.footer]
    return "\n".join(out) + "\n"


def action_lines(doc: Document) -> list[str]:
    """The console's buttons: the commands to type, and how to open what a pick-list would offer."""
    commands = [a.command for a in doc.actions if a.kind == "button"]
    forms = dict.fromkeys(a.command.rsplit(" ", 1)[0] + " <id>" for a in doc.actions if a.kind == "option")
    out = ["", "More: " + " · ".join(commands)] if commands else []
    if forms:
        out += [("" if commands else "\n") + "Open one: " + " · ".join(forms)]
    return out


def render_markdown(doc: Document) -> str:
    """A document as Markdown."""
    out = [f"# {escape_markdown(doc.title)}"]
    if doc.summary:
        out += ["", _line(doc.summary, _md_span)]
    for section in doc.sections:
        out += ["", f"## {escape_markdown(section.title)}", ""]
        out += _blocks(section.blocks, _md_span, bullet="- ", indent="  ")
    out += [escape_markdown(line) for line in action_lines(doc)]
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
        self.admin: AdminDesk | None = None  # the app sets it: `/brief-admin …` then runs admin commands
        self.on_eof: Callable[[], None] | None = None  # the app sets it: Ctrl-D stops the bot
        self.web_link: WebLink | None = None  # the app sets it when the web pages have a PUBLIC_URL
        self.posted: dict[tuple[str, str], Receipt] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start reading commands when an input stream was given."""
        if self.inp is not None:
            self.out.write("briefbot console: type /brief <topic>, /brief help, /brief-admin status; "
                           "Ctrl-D or Ctrl-C to stop.\n")
            import asyncio

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
        self.out.write(terminal_safe(f"\n--- #{channel} [{key}]\n{self._shown(doc)}"))
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
        return terminal_safe(self._shown(doc))

    def _shown(self, doc: Document) -> str:
        """The document as text, with the address of its web page when the pages have one."""
        text = render_text(doc)
        url = web_url(self.web_link, doc)
        return f"{text}Open in browser: {url}\n" if url else text

    async def answer(self, line: str) -> str:
        """The answer to one typed line: `/brief-admin …` goes to the admin commands, the rest to `handle`."""
        command = line.strip()
        if command == ADMIN_PREFIX or command.startswith(ADMIN_PREFIX + " "):
            if self.admin is None:
                return "Admin commands are not enabled in this console.\n"
            doc = await self.admin.handle(self.name, CONSOLE_USER, command[len(ADMIN_PREFIX):])
            return terminal_safe(render_text(doc))
        return self.handle(line)

    async def _read_loop(self) -> None:
        assert self.inp is not None
        watchable = self._fd() is not None and os.isatty(self._fd() or 0)
        async for line in self._fd_lines() if watchable else self._thread_lines():
            if line.strip():
                self.out.write(await self.answer(line))
                self.out.flush()
        if self.on_eof is not None:  # Ctrl-D (end of input), not a cancellation
            self.on_eof()

    def _fd(self) -> int | None:
        try:
            return self.inp.fileno() if self.inp is not None else None
        except (AttributeError, OSError, ValueError):
            return None

    async def _thread_lines(self) -> AsyncIterator[str]:
        # A stream without a file descriptor (tests' StringIO) never blocks for long.
        import asyncio

        assert self.inp is not None
        while line := await asyncio.to_thread(self.inp.readline):
            yield line

    async def _fd_lines(self) -> AsyncIterator[str]:
        # The loop watches the descriptor: no thread is left blocked in read() when Ctrl-C stops the bot.
        import asyncio

        fd = self._fd()
        assert fd is not None
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue()

        def readable() -> None:
            try:
                chunks.put_nowait(os.read(fd, 65536))
            except BlockingIOError:
                return
            except OSError:
                chunks.put_nowait(b"")

        loop.add_reader(fd, readable)
        pending = b""
        try:
            while chunk := await chunks.get():
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    yield line.decode("utf-8", errors="replace") + "\n"
            if pending:
                yield pending.decode("utf-8", errors="replace")
        finally:
            loop.remove_reader(fd)
