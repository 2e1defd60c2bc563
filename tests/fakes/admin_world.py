"""A real Admin over a real Reloader on a temporary copy of the fixture store, for the adapters' admin tests."""
from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.status import DigestControl
from bot.curation.admin import Admin, AdminIds
from bot.core.briefer import Briefer
from bot.core.store import load_store
from bot.curation.reload import Reloader, read_config_folder
from tests.conftest import FIXTURE_BRIEFS


def make_admin(tmp_path: Path, admins: AdminIds, digests: DigestControl | None = None) -> Admin:
    """An Admin whose reloader watches (without a watcher task) a writable copy of tests/fixtures/briefs."""
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    (tmp_path / "config").mkdir()
    briefer = Briefer(load_store(tmp_path / "briefs"))
    reloader = Reloader(briefer, tmp_path / "briefs", tmp_path / "config", load_config=read_config_folder)
    return Admin(reloader, lambda: admins, digests)


def break_china(admin: Admin) -> str:
    """Add an unknown field to topics/china.yaml (its line 3); the `file:line` a reload must report."""
    path = admin.reloader.briefs / "topics" / "china.yaml"
    path.write_text(path.read_text().replace("title: China", "title: China\nflag: red"))
    return "briefs/topics/china.yaml:3"
