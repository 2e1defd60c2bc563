"""Neutral documents to Slack Block Kit: escaped for mrkdwn, measured, then split into pages."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.document import Action, Document, Item, Line, Note, Section, Span, Text, line_text

SlackBlock = dict[str, Any]

# https://docs.slack.dev/reference/block-kit/blocks: "You can include up to 50 blocks in each message".
MAX_BLOCKS = 50
# https://docs.slack.dev/reference/block-kit/blocks/section-block: section `text` is at most 3,000 characters.
SECTION_CHARS = 3000
# https://docs.slack.dev/reference/block-kit/blocks/header-block: header `text` is at most 150 characters.
HEADER_CHARS = 150
# Slack answers `msg_blocks_too_long` near 13,200 characters of blocks in all, below the per-block
# limits (slackapi/bolt-js#2509), so each page keeps its text under this budget.
MESSAGE_CHARS = 12000
# The top-level `text` is only the notification / screen-reader fallback when blocks are present.
FALLBACK_CHARS = 3000

# https://docs.slack.dev/reference/block-kit/block-elements/button-element: text ≤ 75, value ≤ 2000.
BUTTON_TEXT_CHARS = 75
BUTTONS_PER_ROW = 5
# https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element: ≤ 100 options,
# option text ≤ 75, value ≤ 150, placeholder ≤ 150.
OPTIONS_MAX = 100
OPTION_TEXT_CHARS = 75
PLACEHOLDER_CHARS = 150
# Action ids of view links: one per button of a message (Slack wants them distinct), one for the pick-list.
GO_ACTION = "bb_go_{n}"
PICK_ACTION = "bb_pick"
# A link button still sends Slack an interaction; the adapter acknowledges this action id and does nothing.
OPEN_WEB_ACTION = "bb_open_web"
URL_CHARS = 3000

# The note that ends an answer cut to the pages one reply (or one digest) may carry.
CUT_NOTE = "This is longer than Slack lets one answer carry; {left} more page(s) were left out."

ELLIPSIS = "…"
CONTINUED = " (continued)"
ERROR_BADGE = "⚠️ "


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters mrkdwn treats as control (&, <, >) so no text makes a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_len(text: str) -> int:
    """Length as Slack may count it (UTF-16 code units): never less than Python's len()."""
    return len(text.encode("utf-16-le")) // 2


_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")


def _wrap(text: str, mark: str, lookalike: str) -> str:
    """Wrap in a mrkdwn style mark, keeping outer spaces outside (Slack ignores `* x *`)."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{mark}{core.replace(mark, lookalike)}{mark}{trail}"


def render_span(span: Span, *, quiet: bool = False) -> str:
    """One span as mrkdwn; `quiet` turns plain text italic (small print)."""
    text = escape_mrkdwn(span.text)
    if span.style == "code":
        text = f"`{text.replace('`', 'ˋ')}`" if text else text
    elif span.style == "bold":
        text = _wrap(text, "*", "∗")
    elif span.style == "italic" or quiet:
        text = _wrap(text, "_", "＿")
    if span.url and _SAFE_URL.match(span.url):
        text = f"<{span.url.replace('&', '&amp;')}|{text.replace('|', '¦')}>"
    return text


def render_line(line: Line, *, quiet: bool = False) -> str:
    """A line of spans as mrkdwn."""
    return "".join(render_span(span, quiet=quiet) for span in line)


def render_block(block: Text | Item | Note) -> str:
    """A document block as one mrkdwn paragraph."""
    if isinstance(block, Item):
        badge = f"{block.badge} " if block.badge else ""
        lines = [badge + render_line(block.head), *(render_line(line) for line in block.body)]
        if block.note:
            lines.append(render_line(block.note, quiet=True))
        return "\n".join(lines)
    if isinstance(block, Note):
        return "› " + render_line(block.line, quiet=True)
    return render_line(block.line)


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into pieces of at most `limit` (Slack) characters: at lines, then spaces, never inside an entity."""
    pieces: list[str] = []
    rest = text
    while slack_len(rest) > limit:
        cut = max(_fit(rest, limit), 1)
        head = rest[:cut]
        at = max(head.rfind("\n"), head.rfind(" "))
        if at > cut // 2:
            cut = at
        amp = rest.rfind("&", max(0, cut - 5), cut)
        if amp > 0 and ";" not in rest[amp:cut]:
            cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> int:
    """The longest prefix length of `text` within `limit` Slack characters."""
    cut = min(len(text), limit)
    while slack_len(text[:cut]) > limit:
        cut -= 1
    return cut


def truncate(text: str, limit: int) -> str:
    """Text cut to `limit` Slack characters with an ellipsis when it was longer."""
    if slack_len(text) <= limit:
        return text
    return text[: _fit(text, limit - 1)].rstrip() + ELLIPSIS


def header_block(text: str) -> SlackBlock:
    """A header block, escaped like every other text and cut (never inside an entity) to its limit."""
    cut = truncate(text, HEADER_CHARS)
    while slack_len(escape_mrkdwn(cut)) > HEADER_CHARS:
        cut = truncate(cut, len(cut) - 1)
    return {"type": "header", "text": {"type": "plain_text", "text": escape_mrkdwn(cut), "emoji": True}}


def section_block(mrkdwn: str) -> SlackBlock:
    """A section block; verbatim stops Slack from auto-linking names, channels and mentions."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def context_block(mrkdwn: str) -> SlackBlock:
    """A context block: one line of small print."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn, "verbatim": True}]}


def _section_texts(section: Section) -> list[tuple[str, bool]]:
    """A document section packed into section texts; the flag marks the first one (it holds the title)."""
    title = _section_title(section)
    room = SECTION_CHARS - slack_len(title + CONTINUED) - 1
    texts: list[str] = []
    current = ""
    for block in section.blocks:
        for para in split_text(render_block(block), room):
            joined = f"{current}\n\n{para}" if current else para
            if current and slack_len(joined) > room:
                texts.append(current)
                joined = para
            current = joined
    texts.append(current)
    return [(f"{title}\n{text}" if i == 0 else text, i == 0) for i, text in enumerate(texts)]


def _section_title(section: Section, suffix: str = "") -> str:
    """A section title as a bold mrkdwn line (titles are curated but kept short all the same)."""
    return f"*{escape_mrkdwn(truncate(section.title, HEADER_CHARS)).replace('*', '∗')}{suffix}*"


def _block_chars(block: SlackBlock) -> int:
    if block["type"] == "context":
        return sum(slack_len(e["text"]) for e in block["elements"])
    if "text" in block:
        return slack_len(block["text"]["text"])
    return 0


@dataclass
class _Pager:
    """Fills pages up to the block and character budgets, keeping one slot for each page's header."""

    pages: list[list[SlackBlock]] = field(default_factory=lambda: [[]])
    chars: int = 0

    def fits(self, block: SlackBlock) -> bool:
        page = self.pages[-1]
        return len(page) + 2 <= MAX_BLOCKS and self.chars + _block_chars(block) + HEADER_CHARS <= MESSAGE_CHARS

    def add(self, block: SlackBlock) -> bool:
        """Add to the current page, or start a new one; True when a new page was started."""
        fresh = False
        if self.pages[-1] and not self.fits(block):
            self.pages.append([])
            self.chars, fresh = 0, True
        self.pages[-1].append(block)
        self.chars += _block_chars(block)
        return fresh

    def replace_last(self, block: SlackBlock) -> None:
        """Swap the last block added (a continued section gets its title back)."""
        self.chars += _block_chars(block) - _block_chars(self.pages[-1][-1])
        self.pages[-1][-1] = block


def _button(n: int, action: Action) -> SlackBlock:
    button: SlackBlock = {"type": "button", "action_id": GO_ACTION.format(n=n), "value": action.target,
                          "text": {"type": "plain_text", "text": truncate(action.label, BUTTON_TEXT_CHARS), "emoji": True}}
    if action.style == "primary":
        button["style"] = "primary"
    return button


def action_blocks(doc: Document) -> list[SlackBlock]:
    """The document's links: rows of buttons, then a static select of the `option` links."""
    buttons = [a for a in doc.actions if a.kind == "button"]
    options = [a for a in doc.actions if a.kind == "option"][:OPTIONS_MAX]
    rows: list[SlackBlock] = [
        {"type": "actions", "elements": [_button(n + i, a) for i, a in enumerate(buttons[n:n + BUTTONS_PER_ROW])]}
        for n in range(0, len(buttons), BUTTONS_PER_ROW)
    ]
    if options:
        rows.append({"type": "actions", "elements": [{
            "type": "static_select", "action_id": PICK_ACTION,
            "placeholder": {"type": "plain_text", "text": truncate(doc.menu or "Open…", PLACEHOLDER_CHARS), "emoji": True},
            "options": [{"text": {"type": "plain_text", "text": truncate(a.label, OPTION_TEXT_CHARS), "emoji": True},
                         "value": a.target} for a in options],
        }]})
    return rows


def render_blocks(doc: Document, *, extra: Sequence[SlackBlock] = ()) -> list[list[SlackBlock]]:
    """The document as pages of Block Kit blocks, each page within Slack's limits; `extra` ends the last page.

    The document's links (buttons, a select) end the last page, before `extra`.
    """
    pager = _Pager()
    if doc.summary:
        for piece in split_text(render_line(doc.summary), SECTION_CHARS):
            pager.add(section_block(piece))
    for section in doc.sections:
        title = _section_title(section, CONTINUED)
        for text, first in _section_texts(section):
            if pager.add(section_block(text)) and not first:
                pager.replace_last(section_block(f"{title}\n{text}"))
    tail = [context_block(piece) for piece in split_text(escape_mrkdwn(doc.footer), SECTION_CHARS)] if doc.footer else []
    for block in [*action_blocks(doc), *tail, *extra]:
        pager.add(block)
    pages = [page for page in pager.pages if page]
    return [[header_block(_page_title(doc, i, len(pages))), *page] for i, page in enumerate(pages)] or [
        [header_block(_page_title(doc, 0, 1))]
    ]


def fit_pages(pages: list[list[SlackBlock]], limit: int) -> list[list[SlackBlock]]:
    """At most `limit` pages; the last kept page says how many were left out."""
    if len(pages) <= limit:
        return pages
    kept = [list(page) for page in pages[:limit]]
    note = context_block(CUT_NOTE.format(left=len(pages) - limit))
    kept[-1] = kept[-1][:-1] + [note] if len(kept[-1]) >= MAX_BLOCKS else kept[-1] + [note]
    return kept


def _page_title(doc: Document, index: int, count: int) -> str:
    badge = ERROR_BADGE if doc.tone == "error" else ""
    suffix = f" ({index + 1}/{count})" if count > 1 else ""
    return truncate(badge + doc.title, HEADER_CHARS - len(suffix)) + suffix


def fallback_text(doc: Document) -> str:
    """The plain `text` of a message (notifications, screen readers), escaped and short."""
    summary = f": {line_text(doc.summary)}" if doc.summary else ""
    pieces = split_text(escape_mrkdwn(doc.title + summary), FALLBACK_CHARS - 1)
    return pieces[0] + (ELLIPSIS if len(pieces) > 1 else "")


def web_button(url: str, text: str) -> SlackBlock:
    """A link button to the document's web page (Slack opens `url`; it is ours, never a source's)."""
    return {"type": "button", "action_id": OPEN_WEB_ACTION, "url": url[:URL_CHARS],
            "text": {"type": "plain_text", "text": text}}


def with_button(blocks: Sequence[SlackBlock], button: SlackBlock) -> list[SlackBlock]:
    """`blocks` with `button` added to its closing actions block (or in a new one)."""
    out = list(blocks)
    if out and out[-1].get("type") == "actions":
        out[-1] = {**out[-1], "elements": [*out[-1]["elements"], button]}
    else:
        out.append({"type": "actions", "elements": [button]})
    return out
