"""The stance matrix of a topic: sources, grouped by independent origin, against theses.

Laid out here (coordinates for inline SVG) so the template only draws; every cell also carries its
words, for the table that screen readers get and for the cell's tooltip.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.briefing import Brief, SourceView

STANCES = ("supports", "opposes", "mixed", "silent")
SYMBOL = {"supports": "+", "opposes": "−", "mixed": "±", "silent": "·"}
FILL = {"supports": "#2e7d32", "opposes": "#c62828", "mixed": "#f9a825", "silent": "#eeeeee"}
INK = {"supports": "#ffffff", "opposes": "#ffffff", "mixed": "#000000", "silent": "#555555"}

LABEL_W = 340
CELL_W = 56
HEAD_H = 34
ROW_H = 30
GROUP_H = 26
LABEL_CHARS = 46


@dataclass(frozen=True)
class Cell:
    thesis: str
    stance: str
    note: str | None
    x: int


@dataclass(frozen=True)
class Row:
    source: SourceView
    short: str
    cells: list[Cell]
    y: int


@dataclass(frozen=True)
class Group:
    origins: list[str]
    label: str
    y: int
    rows: list[Row]


@dataclass(frozen=True)
class Column:
    id: str
    code: str
    statement: str
    x: int


@dataclass(frozen=True)
class Matrix:
    columns: list[Column]
    groups: list[Group]
    width: int
    height: int
    counts: dict[str, int]


def stance_matrix(brief: Brief) -> Matrix:
    """The matrix of every source with a position on the topic, origins with most sources first."""
    titles = {s.id: s.title for s in brief.sources}
    columns = [Column(t.id, f"T{i + 1}", t.statement, LABEL_W + i * CELL_W) for i, t in enumerate(brief.theses)]
    by_origin: dict[tuple[str, ...], list[tuple[SourceView, dict[str, tuple[str, str | None]]]]] = {}
    for p in brief.positions:
        stances = {s.thesis: (s.stance.value, s.note) for s in p.stances}
        by_origin.setdefault(tuple(p.source.origins), []).append((p.source, stances))
    groups: list[Group] = []
    counts = dict.fromkeys(STANCES, 0)
    y = HEAD_H
    for origins, members in sorted(by_origin.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        group_y, y = y, y + GROUP_H
        rows = []
        for source, stances in members:
            cells = []
            for col in columns:
                stance, note = stances.get(col.id, ("silent", None))
                counts[stance] += 1
                cells.append(Cell(col.id, stance, note, col.x))
            rows.append(Row(source, _short(source.title), cells, y))
            y += ROW_H
        groups.append(Group(list(origins), _group_label(list(origins), titles, len(members)), group_y, rows))
    return Matrix(columns, groups, LABEL_W + max(len(columns), 1) * CELL_W + 8, y + 8, counts)


def _short(title: str) -> str:
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"


def _group_label(origins: list[str], titles: dict[str, str], size: int) -> str:
    names = ", ".join(_short(titles.get(o, o)) for o in origins)
    return f"Origin: {names} ({size} source{'s' if size != 1 else ''})"
