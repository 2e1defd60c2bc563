"""Editing files under a running Reloader (in a temp copy of the fixture store)."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.core.briefer import Briefer
from bot.core.changes import ChangeLog, ChangeSet
from bot.core.document import Item, line_text
from bot.core.problems import Problem
from bot.core.store import Store, load_store
from bot.curation.reload import Reloader, read_config_folder, read_status
from tests.conftest import FIXTURE_BRIEFS


@dataclass
class Bot:
    """A running Reloader over a temp copy, with what its hooks received."""

    root: Path
    briefer: Briefer
    reloader: Reloader
    stores: list[tuple[Store, ChangeSet]] = field(default_factory=list)
    configs: list[Any] = field(default_factory=list)
    errors: list[list[Problem]] = field(default_factory=list)

    @property
    def briefs(self) -> Path:
        return self.root / "briefs"


def write_atomically(path: Path, text: str) -> None:
    """Write as editors and git do: a temp file renamed over the old one."""
    tmp = path.parent.parent / f".{path.name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


async def wait_until(check: Callable[[], bool], timeout: float) -> float:
    """Poll `check` every 5 ms; return the seconds it took, fail after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    shutil.copytree(FIXTURE_BRIEFS, tmp_path / "briefs")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "admins.yaml").write_text("slack: [U1]\ndiscord: ['42']\n", encoding="utf-8")
    briefer = Briefer(load_store(tmp_path / "briefs"))
    reloader = Reloader(briefer, tmp_path / "briefs", tmp_path / "config",
                        changelog=ChangeLog(tmp_path / "state" / "changes.jsonl"), debounce_ms=300,
                        load_config=read_config_folder)
    running = Bot(tmp_path, briefer, reloader)

    async def on_store(store: Store, changes: ChangeSet) -> None:
        running.stores.append((store, changes))

    async def on_config(config: Any) -> None:
        running.configs.append(config)

    async def on_errors(problems: list[Problem]) -> None:
        running.errors.append(problems)

    reloader.on_store.append(on_store)
    reloader.on_config.append(on_config)
    reloader.on_errors.append(on_errors)
    await reloader.start()
    yield running
    await reloader.stop()


def statements(briefer: Briefer, topic: str = "china") -> list[str]:
    return [c.statement for c in briefer.brief(topic).claims]


async def test_a_good_edit_is_served_within_a_second(bot: Bot) -> None:
    path = bot.briefs / "sources" / "oped.yaml"
    before = bot.briefer.store.version
    write_atomically(path, path.read_text().replace(
        "statement: A deal could split Russia from China.", "statement: A deal could split Moscow from Beijing."))
    took = await wait_until(lambda: "A deal could split Moscow from Beijing." in statements(bot.briefer), 1.0)
    assert took < 1.0
    assert bot.briefer.store.version != before
    await wait_until(lambda: bool(bot.stores), 1.0)
    store, changes = bot.stores[-1]
    assert store is bot.briefer.store
    [change] = changes.changes
    assert (change.kind, change.action, change.id, change.fields) == ("claim", "changed", "oped-split", ("statement",))
    assert bot.reloader.last_store is not None and bot.reloader.last_store.ok
    [entry] = bot.reloader.changelog.entries()  # type: ignore[union-attr]
    assert (entry.previous, entry.version) == (before, store.version)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


async def test_a_broken_edit_is_reported_with_file_and_line_and_the_old_store_keeps_serving(bot: Bot) -> None:
    path = bot.briefs / "sources" / "oped.yaml"
    good = path.read_text()
    served = bot.briefer.store
    bad = good.replace("evidence: unsupported", "evidence: rumour")
    write_atomically(path, bad)
    await wait_until(lambda: bool(bot.errors), 1.0)
    [problem] = [p for p in bot.errors[-1] if p.file == "briefs/sources/oped.yaml"]
    assert problem.line == line_of(bad, "evidence: rumour")
    assert problem.field == "claims.0.evidence"
    assert bot.briefer.store is served
    assert "A deal could split Russia from China." in statements(bot.briefer)
    last = bot.reloader.last_store
    assert last is not None and not last.ok and last.version == served.version and problem in last.errors

    broken_yaml = good.replace("statement: A deal could split", "statement: A deal: could split")
    write_atomically(path, broken_yaml)
    await wait_until(lambda: len(bot.errors) >= 2, 1.0)
    [problem] = [p for p in bot.errors[-1] if p.file == "briefs/sources/oped.yaml"]
    assert "bad YAML" in problem.message
    assert problem.line == line_of(broken_yaml, "statement: A deal: could split")
    assert bot.briefer.store is served

    write_atomically(path, good.replace("Speculative.", "Speculative op-ed."))
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Speculative op-ed.", 1.0)
    assert bot.reloader.last_store is not None and bot.reloader.last_store.ok


async def test_a_deleted_file_that_breaks_references_is_refused(bot: Bot) -> None:
    served = bot.briefer.store
    (bot.briefs / "sources" / "oped.yaml").unlink()
    await wait_until(lambda: bool(bot.errors), 1.0)
    assert any("unknown claim 'oped-split'" in p.message and p.file == "briefs/sources/rewrite.yaml"
               for p in bot.errors[-1])
    assert bot.briefer.store is served


GEN = re.compile(r"\(gen (\d+)\)")


def generation(text: str, n: int) -> str:
    """The oped source with a generation mark in its claim statement, position summary and note."""
    return (text.replace("A deal could split Russia from China.", f"A deal could split Russia from China (gen {n}).")
            .replace("Thinks a deal could split them.", f"Thinks a deal could split them (gen {n}).")
            .replace("note: Speculative.", f"note: Speculative (gen {n})."))


def gens_in_brief(briefer: Briefer) -> tuple[str, set[str]]:
    b = briefer.brief("china")
    texts = [c.statement for c in b.claims] + [p.summary for p in b.positions] + [s.note for s in b.sources]
    return b.store_version, {m for t in texts for m in GEN.findall(t)}


def gens_in_answer(briefer: Briefer) -> tuple[str, set[str]]:
    doc, _ = briefer.answer("china")
    lines = [doc.footer, line_text(doc.summary)]
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Item):
                lines += [line_text(block.head), line_text(block.note), *map(line_text, block.body)]
            else:
                lines.append(line_text(block.line))
    version = doc.footer.rsplit("Store ", 1)[-1].rstrip(".")
    return version, {m for t in lines for m in GEN.findall(t)}


async def test_briefs_during_many_reloads_never_fail_nor_mix_two_stores(bot: Bot) -> None:
    path = bot.briefs / "sources" / "oped.yaml"
    original = path.read_text()
    write_atomically(path, generation(original, 0))
    await bot.reloader.reload_store("test")
    seen: list[tuple[str, set[str]]] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def from_a_thread() -> None:
        while not done.is_set():
            try:
                seen.append(gens_in_brief(bot.briefer))
                time.sleep(0.001)
            except BaseException as exc:  # noqa: BLE001 - every failure is what the test looks for
                failures.append(exc)

    async def from_the_loop() -> None:
        while not done.is_set():
            seen.append(gens_in_answer(bot.briefer))
            await asyncio.sleep(0.001)

    worker = asyncio.create_task(asyncio.to_thread(from_a_thread))
    answering = asyncio.create_task(from_the_loop())
    reloads = 40
    for n in range(1, reloads + 1):
        write_atomically(path, generation(original, n))
        if n % 2:
            await bot.reloader.reload_store("test")
        else:
            await asyncio.sleep(0.01)
    await bot.reloader.reload_store("test")
    await asyncio.sleep(0.05)
    done.set()
    await asyncio.gather(worker, answering)

    assert not failures
    assert not bot.errors
    assert all(len(gens) == 1 for _, gens in seen), [g for _, g in seen if len(g) != 1][:3]
    by_version: dict[str, set[str]] = {}
    for version, gens in seen:
        by_version.setdefault(version, set()).update(gens)
    assert all(len(g) == 1 for g in by_version.values()), by_version
    assert len(by_version) >= reloads // 2 and len(seen) > 4 * reloads, (len(by_version), len(seen))
    assert gens_in_brief(bot.briefer)[1] == {str(reloads)}


async def test_config_edits_reach_the_hooks_and_bad_ones_keep_the_last_good_config(bot: Bot) -> None:
    admins = bot.root / "config" / "admins.yaml"
    write_atomically(admins, "slack: [U1, U2]\ndiscord: ['42']\n")
    await wait_until(lambda: bool(bot.configs), 1.0)
    assert bot.configs[-1]["admins"]["slack"] == ["U1", "U2"]
    write_atomically(admins, "slack: [U1, U2\ndiscord: ['42']\n")
    await wait_until(lambda: bool(bot.errors), 1.0)
    [problem] = bot.errors[-1]
    assert problem.file == "config/admins.yaml" and problem.line >= 1
    assert bot.reloader.config["admins"]["slack"] == ["U1", "U2"]
    assert bot.reloader.last_config is not None and not bot.reloader.last_config.ok


async def test_reload_now_without_changes_logs_nothing_and_keeps_the_version(bot: Bot) -> None:
    before = bot.briefer.store.version
    outcomes = await bot.reloader.reload_now()
    assert [(o.target, o.ok) for o in outcomes] == [("store", True), ("config", True)]
    assert outcomes[0].changes is not None and outcomes[0].changes.is_empty
    assert bot.briefer.store.version == before
    assert bot.reloader.changelog.entries() == []  # type: ignore[union-attr]
    assert not bot.stores


async def test_a_failing_hook_does_not_stop_the_watcher(bot: Bot) -> None:
    async def broken(store: Store, changes: ChangeSet) -> None:
        raise RuntimeError("scheduler fell over")

    bot.reloader.on_store.insert(0, broken)
    path = bot.briefs / "sources" / "oped.yaml"
    for note in ("First.", "Second."):
        write_atomically(path, path.read_text().replace("note: Speculative.", f"note: {note}")
                         .replace("note: First.", f"note: {note}"))
        await wait_until(lambda wanted=note: bot.briefer.store.sources["oped"].note == wanted, 1.0)
    await wait_until(lambda: len(bot.stores) == 2, 1.0)


LAUGHS = ("lol: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"lol{n}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]\n" for n in range(1, 9)))
# Each of these once crashed the loader inside the reload and silently killed the watcher.
HOSTILE_EDITS: list[tuple[str, Callable[[str], str]]] = [
    ("recursive alias", lambda t: t + "loop: &r [*r]\n"),
    ("lists nested 500 deep", lambda t: t + "deep: " + "[" * 500 + "]" * 500 + "\n"),
    ("unknown tag", lambda t: t.replace("kind: op-ed", "kind: !foo op-ed")),
    ("python tag", lambda t: t.replace("kind: op-ed", "kind: !!python/name:os.system")),
    ("merge key", lambda t: t.replace("positions:", "<<: {outlet: x}\npositions:")),
    ("bad bool", lambda t: t.replace("kind: op-ed", "kind: !!bool maybe")),
    ("empty int", lambda t: t.replace("kind: op-ed", "kind: !!int ''")),
    ("unhashable id", lambda t: t.replace("id: oped\n", "id: {x: 1}\n", 1).replace("kind: op-ed", "kind: blog")),
    ("tag on a list", lambda t: t.replace("topics: [china]", "topics: !!set [china]")),
    ("billion laughs", lambda t: t + LAUGHS),
    ("not UTF-8", lambda t: t.replace("note: Speculative.", "note: Sp\udcffeculative.")),
]


def write_bytes_atomically(path: Path, text: str) -> None:
    tmp = path.parent.parent / f".{path.name}.tmp"
    tmp.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    os.replace(tmp, path)


async def test_every_hostile_edit_is_refused_the_old_store_serves_and_a_fix_is_served_within_a_second(bot: Bot) -> None:
    path = bot.briefs / "sources" / "oped.yaml"
    good = path.read_text()
    for n, (name, hostile) in enumerate(HOSTILE_EDITS):
        served = bot.briefer.store
        seen = len(bot.errors)
        write_bytes_atomically(path, hostile(good))
        await wait_until(lambda: len(bot.errors) > seen, 2.0)
        problems = [p for p in bot.errors[-1] if p.file == "briefs/sources/oped.yaml"]
        assert problems and all(p.line >= 1 for p in problems), name
        assert bot.briefer.store is served, name
        assert "A deal could split" in statements(bot.briefer)[0]
        fixed = good.replace("note: Speculative.", f"note: Fixed {n}.")
        write_atomically(path, fixed)
        took = await wait_until(lambda wanted=f"Fixed {n}.": bot.briefer.store.sources["oped"].note == wanted, 1.0)
        assert took < 1.0, name


async def test_a_fifo_and_a_symlink_to_dev_zero_are_refused_without_blocking_the_watcher(bot: Bot) -> None:
    served = bot.briefer.store
    fifo = bot.briefs / "sources" / "pipe.yaml"
    os.mkfifo(fifo)
    await wait_until(lambda: bool(bot.errors), 2.0)
    assert any(p.file == "briefs/sources/pipe.yaml" and "not a regular file" in p.message for p in bot.errors[-1])
    fifo.unlink()
    (bot.briefs / "sources" / "zero.yaml").symlink_to("/dev/zero")
    await wait_until(lambda: len(bot.errors) >= 2, 2.0)
    assert any(p.file == "briefs/sources/zero.yaml" and "not a regular file" in p.message for p in bot.errors[-1])
    assert bot.briefer.store is served
    (bot.briefs / "sources" / "zero.yaml").unlink()
    path = bot.briefs / "sources" / "oped.yaml"
    write_atomically(path, path.read_text().replace("note: Speculative.", "note: After the pipe."))
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "After the pipe.", 1.0)


def edited_copy(src: Path, dst: Path, note: str) -> None:
    shutil.copytree(src, dst)
    oped = dst / "sources" / "oped.yaml"
    oped.write_text(oped.read_text().replace("note: Speculative.", f"note: {note}"))


async def test_briefs_deleted_then_recreated_is_watched_again(bot: Bot, tmp_path: Path) -> None:
    served = bot.briefer.store
    keep = tmp_path / "keep"
    shutil.copytree(bot.briefs, keep)
    shutil.rmtree(bot.briefs)
    await wait_until(lambda: bool(bot.errors), 2.0)
    assert any("does not exist" in p.message for p in bot.errors[-1])
    assert bot.briefer.store is served
    edited_copy(keep, bot.briefs, "Recreated.")
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Recreated.", 1.5)
    path = bot.briefs / "sources" / "oped.yaml"  # and the new folder is watched: a later edit is seen
    write_atomically(path, path.read_text().replace("note: Recreated.", "note: Edited after."))
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Edited after.", 1.0)


async def test_briefs_replaced_by_a_rename_and_moved_away_are_watched_again(bot: Bot, tmp_path: Path) -> None:
    edited_copy(bot.briefs, tmp_path / "briefs.new", "Release 2.")
    os.rename(bot.briefs, tmp_path / "briefs.old")
    os.rename(tmp_path / "briefs.new", bot.briefs)
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Release 2.", 1.5)
    old = tmp_path / "briefs.old" / "sources" / "oped.yaml"  # edits to the folder moved away are not served
    write_atomically(old, old.read_text().replace("note: Speculative.", "note: Old folder."))
    path = bot.briefs / "sources" / "oped.yaml"
    write_atomically(path, path.read_text().replace("note: Release 2.", "note: Release 2, edited."))
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Release 2, edited.", 1.0)
    assert bot.briefer.store.sources["oped"].note != "Old folder."


async def test_a_reload_that_raises_is_refused_counted_and_the_watcher_keeps_watching(bot: Bot) -> None:
    def crashing(folder: Path) -> tuple[Any, list[Problem]]:
        raise RuntimeError("disk on fire")

    bot.reloader._load_config = crashing
    admins = bot.root / "config" / "admins.yaml"
    write_atomically(admins, "slack: [U9]\n")
    await wait_until(lambda: bool(bot.errors), 2.0)
    [problem] = bot.errors[-1]
    assert "RuntimeError: disk on fire" in problem.message
    assert bot.reloader.last_config is not None and not bot.reloader.last_config.ok
    assert bot.reloader.degraded == [bot.reloader.last_config]
    status = read_status(bot.root / "state")
    assert status["config"]["ok"] is False and "disk on fire" in status["config"]["errors"][0]
    path = bot.briefs / "sources" / "oped.yaml"
    write_atomically(path, path.read_text().replace("note: Speculative.", "note: Still watching."))
    await wait_until(lambda: bot.briefer.store.sources["oped"].note == "Still watching.", 1.0)
