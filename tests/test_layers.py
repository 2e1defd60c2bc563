"""The layout's rule: which folder of bot/ may import which, no import cycle, and a core with no platform code.

Every import counts, also those inside functions or under TYPE_CHECKING: a lazy import still ties
two modules together.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Each part of the bot, and the parts of ours it may import (besides itself). Listed most specific first.
LAYERS: dict[str, set[str]] = {
    "bot.core": set(),
    "bot.adapters.base": {"bot.core"},
    "bot.adapters": {"bot.core", "bot.adapters.base"},
    "bot.digests": {"bot.core", "bot.adapters.base"},
    "bot.curation": {"bot.core", "bot.adapters.base"},
    "bot.runtime": {"bot.core"},
    "bot.web": {"bot.core"},
    "bot.app": {"bot.core", "bot.adapters", "bot.digests", "bot.curation", "bot.runtime", "bot.web"},
    "bot.cli": {"bot.core", "bot.adapters", "bot.digests", "bot.curation", "bot.runtime", "bot.web", "bot.app"},
    "bot.__main__": {"bot.cli"},
}
PLATFORM_LIBRARIES = ("discord", "slack_bolt", "slack_sdk", "aiohttp")


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, ours resolved to the module (`from bot.cli import files` -> bot.cli.files)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & MODULES.keys()
            names.update(subs or {node.module})
    return names


def part_of(module: str) -> str:
    """The layer a module of ours belongs to: the longest LAYERS key that prefixes it."""
    owners = [k for k in LAYERS if module == k or module.startswith(k + ".")]
    assert owners, f"{module} belongs to no part of the layout: add it to a folder (and to LAYERS)"
    return max(owners, key=len)


def platform_of(module: str) -> str | None:
    """`slack` for bot.adapters.slack.*, and so on; None outside a platform sub-package."""
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "adapters" else None


def ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "bot" or n.startswith("bot.")}


def test_every_module_is_in_a_part() -> None:
    assert len(MODULES) > 40
    for module in MODULES:
        if module != "bot":
            part_of(module)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "bot"))
def test_imports_follow_the_layer_rule(module: str) -> None:
    mine = part_of(module)
    for target in ours(imports_of(MODULES[module])):
        theirs = part_of(target)
        if theirs == mine:
            continue
        allowed = any(theirs == a or theirs.startswith(a + ".") for a in LAYERS[mine])
        assert allowed, f"{module} ({mine}) imports {target} ({theirs}); {mine} may import only {sorted(LAYERS[mine])}"
        if mine == "bot.adapters" and platform_of(module) and platform_of(target):
            assert platform_of(module) == platform_of(target), f"{module} imports another platform: {target}"


def test_core_imports_no_platform_library() -> None:
    core = [m for m in MODULES if m.startswith("bot.core")]
    assert len(core) > 5
    for module in core:
        path = MODULES[module]
        bad = [m for m in imports_of(path) if m.split(".")[0] in PLATFORM_LIBRARIES]
        assert not bad, f"{module} imports {bad}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in `graph` as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle() -> None:
    graph = {m: (ours(imports_of(p)) & MODULES.keys()) - {m} for m, p in MODULES.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_layer_rule_catches_a_bad_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from bot.adapters.slack.adapter import SlackAdapter\n")
    target = next(iter(ours(imports_of(bad))))
    assert part_of(target) == "bot.adapters"
    assert "bot.adapters" not in LAYERS["bot.core"]
