"""Admin commands, platform-neutral: who may run them, and what status, reload and digest answer."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.adapters.console import render_text
from bot.curation.admin import Admin, AdminIds, is_admin, refuse, refused_reload_document
from bot.core import messages
from bot.core.briefer import Briefer
from bot.core.problems import Problem
from bot.core.store import load_store
from bot.curation.reload import Reloader, read_config_folder
from tests.conftest import FIXTURE_BRIEFS
from tests.fakes.digests import FakeDigests

ADMINS: dict[str, set[str]] = {"slack": {"U1"}, "discord": {"42"}}


def test_admins_are_listed_per_platform() -> None:
    assert is_admin("slack", "U1", ADMINS)
    assert not is_admin("discord", "U1", ADMINS)
    assert not is_admin("slack", "U2", ADMINS)
    assert not is_admin("teams", "U1", ADMINS)
    assert is_admin("discord", "42", {"discord": [42]})  # type: ignore[list-item]


def test_the_platform_permission_makes_an_admin() -> None:
    assert is_admin("discord", "99", ADMINS, extra_permission=True)
    assert not is_admin("discord", "99", ADMINS, extra_permission=False)


def test_a_refusal_is_polite_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.curation.admin"):
        doc = refuse("slack", "U9", "reload")
    assert doc.tone == "error" and messages.admin_refused("reload") in render_text(doc)
    assert "refused admin command 'reload' from slack user U9" in caplog.text


@pytest.fixture
def admin(tmp_path: Path) -> tuple[Admin, FakeDigests, dict[str, set[str]]]:
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    (tmp_path / "config").mkdir()
    reloader = Reloader(Briefer(load_store(tmp_path / "briefs")), tmp_path / "briefs", tmp_path / "config",
                        load_config=read_config_folder)
    admins = {k: set(v) for k, v in ADMINS.items()}
    digests = FakeDigests()
    return Admin(reloader, lambda: admins, digests), digests, admins


@pytest.mark.parametrize("text", ["status", "reload", "digest", "digest C-news", "nonsense", ""])
async def test_non_admins_are_refused_every_command_and_nothing_runs(
    admin: tuple[Admin, FakeDigests, AdminIds], text: str, caplog: pytest.LogCaptureFixture,
) -> None:
    bot, digests, _ = admin
    with caplog.at_level(logging.WARNING, logger="bot.curation.admin"):
        doc = await bot.handle("slack", "U-intruder", text)
    assert doc.tone == "error" and doc.title == "Admins only"
    assert bot.reloader.last_store is None and digests.requests == []
    assert "U-intruder" in caplog.text


async def test_status_shows_version_counts_reloads_and_digests(admin: tuple[Admin, FakeDigests, AdminIds]) -> None:
    bot, _, _ = admin
    store = bot.reloader.briefer.store
    text = render_text(await bot.handle("slack", "U1", "status"))
    assert messages.store_counts(store.version, 2, 3, 4, 3) in text
    assert messages.NO_RELOAD_YET in text
    assert "slack C-news: 2025-03-03 09:00 UTC" in text and "discord 1234: 2025-03-03 17:30 UTC" in text
    assert messages.NO_DELIVERIES in text


async def test_reload_reports_a_broken_file_by_line_and_status_keeps_it(
    admin: tuple[Admin, FakeDigests, AdminIds],
) -> None:
    bot, _, _ = admin
    served = bot.reloader.briefer.store
    path = bot.reloader.briefs / "topics" / "china.yaml"
    path.write_text(path.read_text().replace("title: China", "title: China\nflag: red"))
    doc = await bot.handle("discord", "42", "reload")
    text = render_text(doc)
    assert doc.tone == "error" and "briefs/topics/china.yaml:3" in text
    errors = bot.reloader.last_store.errors  # type: ignore[union-attr]
    assert messages.reload_refused("new store", len(errors), served.version) in text
    assert bot.reloader.briefer.store is served
    status = render_text(await bot.handle("discord", "99", "status", extra_permission=True))
    assert "briefs/topics/china.yaml:3" in status and "❌" in status


async def test_reload_reports_what_changed(admin: tuple[Admin, FakeDigests, AdminIds]) -> None:
    bot, _, _ = admin
    path = bot.reloader.briefs / "sources" / "oped.yaml"
    path.write_text(path.read_text().replace("evidence: unsupported", "evidence: disputed"))
    doc = await bot.handle("slack", "U1", "reload")
    assert doc.tone == "info" and "1 claim changed." in render_text(doc)
    assert "1 claim changed." in render_text(bot.status())


async def test_digest_now_sends_through_the_scheduler(admin: tuple[Admin, FakeDigests, AdminIds]) -> None:
    bot, digests, _ = admin
    text = render_text(await bot.handle("slack", "U1", "digest C-news"))
    assert digests.requests == ["C-news"] and "slack C-news: 2025-03-02 12:00 UTC" in text
    assert "C-news" in render_text(bot.status())


async def test_unknown_admin_command_lists_the_commands(admin: tuple[Admin, FakeDigests, AdminIds]) -> None:
    bot, _, _ = admin
    doc = await bot.handle("slack", "U1", "explode")
    assert doc.tone == "error" and messages.admin_unknown("explode") in render_text(doc)


async def test_admin_list_is_read_at_each_command(admin: tuple[Admin, FakeDigests, dict[str, set[str]]]) -> None:
    bot, _, admins = admin
    assert (await bot.handle("slack", "U7", "status")).tone == "error"
    admins["slack"].add("U7")
    assert (await bot.handle("slack", "U7", "status")).title == "briefbot status"


def test_refused_edits_are_listed_for_admins_and_cut_short() -> None:
    problems = [Problem("briefs/sources/a.yaml", n, "id", f"bad {n}") for n in range(1, 15)]
    text = render_text(refused_reload_document(problems, "store", "abc123"))
    assert "briefs/sources/a.yaml:10" in text and "briefs/sources/a.yaml:11" not in text
    assert messages.more_problems(4) in text and messages.reload_refused("store", 14, "abc123") in text
