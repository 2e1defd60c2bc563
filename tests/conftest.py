"""Shared fixtures: the real claim store, a small fixture store, and a Briefer over each."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.briefer import Briefer
from bot.core.store import Store, load_store

ROOT = Path(__file__).resolve().parent.parent
BRIEFS = ROOT / "briefs"
FIXTURE_BRIEFS = Path(__file__).resolve().parent / "fixtures" / "briefs"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def store() -> Store:
    """The curated store in briefs/."""
    return load_store(BRIEFS)


@pytest.fixture(scope="session")
def fixture_store() -> Store:
    """A small hand-made store with a derived source, an anonymous claim and a loaded one."""
    return load_store(FIXTURE_BRIEFS)


@pytest.fixture
def briefer(store: Store) -> Briefer:
    """A Briefer over the curated store."""
    return Briefer(store)


@pytest.fixture
def fixture_briefer(fixture_store: Store) -> Briefer:
    """A Briefer over the fixture store."""
    return Briefer(fixture_store)
