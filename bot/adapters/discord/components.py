"""A view's links as Discord components: persistent buttons and a select, answered by any process.

Each button's `custom_id` is the route it opens, and each select option's value too, so the items are
`DynamicItem`s: discord.py rebuilds them from the custom id of whatever message was clicked, after a
restart or on another shard, with no state kept between the message and the click.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.core.document import Action, Document
from bot.core.views.routes import PREFIX

# Discord: 5 action rows of at most 5 buttons; a select takes a whole row; a button label ≤ 80,
# a select ≤ 25 options, option label ≤ 100, placeholder ≤ 150, custom_id ≤ 100.
BUTTON_ROWS = 4
BUTTONS_PER_ROW = 5
LABEL_MAX = 80
OPTIONS_MAX = 25
OPTION_LABEL_MAX = 100
PLACEHOLDER_MAX = 150
SELECT_ID = "bbsel:{n}"

Answer = Callable[[discord.Interaction, str], Awaitable[None]]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_items(answer: Answer) -> tuple[type[discord.ui.DynamicItem[Any]], type[discord.ui.DynamicItem[Any]]]:
    """The two persistent item classes, their callbacks bound to `answer(interaction, route)`."""

    class RouteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PREFIX + r":[^:]*:[^:]*:\d+:[0-9a-f]*"):
        def __init__(self, route: str, label: str = "…", *, primary: bool = False, row: int | None = None) -> None:
            style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
            super().__init__(discord.ui.Button(label=_cut(label, LABEL_MAX), style=style, custom_id=route, row=row))
            self.route = route

        @classmethod
        async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any) -> RouteButton:
            return cls(match.group(0), getattr(item, "label", None) or "…")

        async def callback(self, interaction: discord.Interaction) -> None:
            await answer(interaction, self.route)

    class RouteSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"bbsel:\d+"):
        def __init__(self, custom_id: str, options: list[discord.SelectOption], placeholder: str = "Open…",
                     *, row: int | None = None) -> None:
            super().__init__(discord.ui.Select(custom_id=custom_id, options=options or [discord.SelectOption(label="…")],
                                               placeholder=_cut(placeholder, PLACEHOLDER_MAX), row=row))

        @classmethod
        async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any) -> RouteSelect:
            select = item if isinstance(item, discord.ui.Select) else None
            return cls(match.group(0), list(select.options) if select else [], getattr(select, "placeholder", None) or "Open…")

        async def callback(self, interaction: discord.Interaction) -> None:
            values = self.item.values
            if values:
                await answer(interaction, values[0])

    return RouteButton, RouteSelect


def components(doc: Document, items: tuple[type[Any], type[Any]]) -> discord.ui.View | None:
    """A view holding the document's links (None when it has none); never times out."""
    button_cls, select_cls = items
    buttons = [a for a in doc.actions if a.kind == "button"][: BUTTON_ROWS * BUTTONS_PER_ROW]
    options = [a for a in doc.actions if a.kind == "option"][:OPTIONS_MAX]
    if not buttons and not options:
        return None
    view = discord.ui.View(timeout=None)
    for n, action in enumerate(_distinct(buttons)):  # Discord wants custom ids distinct within a message
        view.add_item(button_cls(action.target, action.label, primary=action.style == "primary", row=n // BUTTONS_PER_ROW))
    if options:
        view.add_item(select_cls(SELECT_ID.format(n=0), [_option(a) for a in _distinct(options)], doc.menu or "Open…",
                                 row=BUTTON_ROWS))
    return view


def _distinct(options: list[Action]) -> list[Action]:
    return list({a.target: a for a in options}.values())


def _option(action: Action) -> discord.SelectOption:
    return discord.SelectOption(label=_cut(action.label, OPTION_LABEL_MAX), value=action.target)
