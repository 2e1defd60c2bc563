"""The core knows nothing of any platform: no import of discord, slack or bot.adapters."""
from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "bot.adapters", "aiohttp")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_platform_code() -> None:
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 5
    for path in files:
        bad = [m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)]
        assert not bad, f"{path.name} imports {bad}"
