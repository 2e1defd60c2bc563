"""Writable copies of a claim store for tests that edit its files."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURE_BRIEFS


def fixture_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture store, as `tmp_path/briefs`."""
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE_BRIEFS, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first `old` in the file `rel` of the store (which must hold it) with `new`."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
