"""Hot reload: watch briefs/ and config/, load off the loop, swap in only a valid store or config."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import stat
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from watchfiles import Change, awatch

from bot.core.briefer import Briefer, Prepared, prepare
from bot.core.changes import ChangeEntry, ChangeLog, ChangeSet
from bot.core.patch import diff_patched, patch_store
from bot.core.problems import Problem
from bot.core.store import Store, check_store
from bot.core.yamlfile import is_yaml_name, read_yaml

log = logging.getLogger(__name__)

ConfigLoader = Callable[[Path], tuple[Any | None, list[Problem]]]
StoreHook = Callable[[Store, ChangeSet], Awaitable[None]]
ConfigHook = Callable[[Any], Awaitable[None]]
ErrorHook = Callable[[list[Problem]], Awaitable[None]]

WATCHED_SUFFIXES = {".yaml", ".yml", ""}
HISTORY = 20
STATUS_FILE = "reload-status.json"


@dataclass(frozen=True)
class ReloadOutcome:
    """What one reload of the store or the config did."""

    target: Literal["store", "config"]
    trigger: str
    at: datetime
    ok: bool
    version: str
    problems: tuple[Problem, ...] = ()
    changes: ChangeSet | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        """The errors that stopped the reload (empty when it succeeded)."""
        return [p for p in self.problems if p.severity == "error"]


def read_config_folder(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Every YAML file of `root` by file stem; the fallback until a typed config loader is given."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    for path in sorted(p for p in root.iterdir() if is_yaml_name(p.name)):
        doc = read_yaml(path, str(Path(root.name) / path.name))
        if isinstance(doc, Problem):
            problems.append(doc)
        else:
            data[path.stem] = doc.data
    return (None if problems else data), problems


def default_config_loader() -> ConfigLoader:
    """`bot.core.config.check_config` when that module exists, else `read_config_folder`."""
    try:
        from bot.core.config import check_config  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return read_config_folder
    return check_config  # type: ignore[no-any-return,unused-ignore]


class Reloader:
    """Watches the admins' folders and keeps the Briefer (and config) on the last good version."""

    def __init__(
        self, briefer: Briefer, briefs: Path, config_dir: Path | None = None, *,
        config: Any | None = None, load_config: ConfigLoader | None = None, archive: Path | None = None,
        changelog: ChangeLog | None = None, debounce_ms: int = 400, step_ms: int = 5,
        force_polling: bool | None = None, rearm_s: float = 0.25, state_dir: Path | None = None,
    ) -> None:
        self.briefer = briefer
        # Absolute but not resolved: a folder replaced by a rename, or a symlink switched to a new
        # release, is found again under the same name.
        self.briefs = briefs.absolute()
        self.config_dir = config_dir.absolute() if config_dir else None
        self.config = config
        self.archive = archive
        self.state_dir = state_dir  # where the store snapshot is kept (bot.core.snapshot)
        self.changelog = changelog
        self.on_store: list[StoreHook] = []
        self.on_config: list[ConfigHook] = []
        self.on_errors: list[ErrorHook] = []
        self.last_store: ReloadOutcome | None = None
        self.last_config: ReloadOutcome | None = None
        self.history: deque[ReloadOutcome] = deque(maxlen=HISTORY)
        self._load_config = load_config or default_config_loader()
        # rust_timeout bounds how long the watcher takes to notice stop(): shutdown waits for it.
        self._watch_args = {"debounce": debounce_ms, "step": step_ms, "force_polling": force_polling,
                            "rust_timeout": 500}
        self.rearm_s = rearm_s
        self._lock = asyncio.Lock()
        self._unserved: set[Path] = set()  # files edited since the store served now was loaded
        self._stop = asyncio.Event()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start watching; return once file events are being recorded."""
        self._stop.clear()
        self._ready.clear()
        self._task = asyncio.create_task(self.run(), name="briefbot-reloader")
        ready = asyncio.create_task(self._ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._task.done():
            self._task.result()

    async def stop(self) -> None:
        """Stop watching and wait for the watch task to end."""
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except TimeoutError:
                self._task.cancel()
            self._task = None

    async def run(self) -> None:
        """Watch both folders until stopped, reloading whichever one changed.

        The watch is re-armed whenever a folder is moved away, deleted and recreated, or replaced by
        a rename (a watch follows the old folder, not the name): each folder's identity is checked
        every `rearm_s`, and a change re-arms the watch and reloads. Nothing a reload does stops it.
        """
        rearmed = False
        while not self._stop.is_set():
            identity = self._identity()
            try:
                await self._watch(identity, rearmed)
            except Exception:
                log.exception("file watcher failed; re-arming it")
                self._ready.set()
                await self._sleep(self.rearm_s)
            rearmed = not self._stop.is_set() and self._identity() != identity
            if rearmed:
                log.warning("a watched folder was moved, deleted or replaced; re-arming the watch and reloading")

    def _folders(self) -> list[Path]:
        return [p for p in (self.briefs, self.config_dir) if p is not None]

    def _identity(self) -> tuple[tuple[int, int] | None, ...]:
        out: list[tuple[int, int] | None] = []
        for folder in self._folders():
            try:
                info = folder.stat()
            except OSError:
                out.append(None)
                continue
            out.append((info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None)
        return tuple(out)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _watch(self, identity: tuple[tuple[int, int] | None, ...], reload_first: bool) -> None:
        """Watch the folders that exist until stopped or until one of them changes identity."""
        paths = [p for p, i in zip(self._folders(), identity, strict=True) if i is not None]
        moved = asyncio.Event()

        async def check() -> None:
            while not self._stop.is_set():
                await self._sleep(self.rearm_s)
                if self._identity() != identity:
                    moved.set()
                    return

        checker = asyncio.create_task(check())
        try:
            if not paths:
                self._ready.set()
                if reload_first:
                    await self._on_files(set(self._folders()))
                await _EitherEvent(self._stop, moved).wait()
                return
            await self._consume(paths, moved, reload_first)
        finally:
            checker.cancel()

    async def _consume(self, paths: list[Path], moved: asyncio.Event, reload_first: bool) -> None:
        either = _EitherEvent(self._stop, moved)
        events = awatch(*paths, watch_filter=_admin_file, stop_event=either, **self._watch_args)  # type: ignore[arg-type]
        pending = asyncio.ensure_future(anext(events))
        # awatch builds its file watcher synchronously in its first step; from then on no edit is missed.
        for _ in range(3):
            await asyncio.sleep(0)
        if pending.done() and pending.exception() is not None:
            raise pending.exception()  # type: ignore[misc]
        self._ready.set()
        if reload_first:  # after arming: what was written before is loaded now, anything later is an event
            await self._on_files(set(self._folders()))
        try:
            while True:
                try:
                    changed = await pending
                except StopAsyncIteration:
                    return
                await self._on_files({Path(path) for _, path in changed})
                pending = asyncio.ensure_future(anext(events))
        finally:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending

    async def _on_files(self, paths: set[Path]) -> None:
        if any(_under(p, self.briefs) for p in paths):
            await self.reload_store("watch", {p for p in paths if _under(p, self.briefs)})
        if self.config_dir and any(_under(p, self.config_dir) for p in paths):
            await self.reload_config("watch")

    @contextlib.asynccontextmanager
    async def settled(self) -> AsyncIterator[None]:
        """Hold off reloads while inside; entered once the running one (and what it builds after serving) is done."""
        async with self._lock:
            yield

    async def reload_now(self, trigger: str = "admin") -> list[ReloadOutcome]:
        """Reload the store and the config at once (the admin `reload` command)."""
        outcomes = [await self.reload_store(trigger)]
        if self.config_dir is not None:
            outcomes.append(await self.reload_config(trigger))
        return outcomes

    async def reload_store(self, trigger: str, paths: set[Path] | None = None) -> ReloadOutcome:
        """Load briefs/ in a thread; swap it in only when valid, else keep serving the old store.

        With `paths` (what the watcher saw change), only those files are read again when possible."""
        async with self._lock:
            started = time.perf_counter()
            served = self.briefer.prepared
            old = served.store
            if paths is not None:
                # Files of a refused edit differ from the store served too: read them again with these.
                paths = paths | self._unserved
            store, problems, changes, prepared = await asyncio.to_thread(
                _guarded, lambda _: self._load_store(served, paths), old, target=self.briefs)
            self._unserved = set() if store is not None else self._unserved | (paths or set())
            if prepared is not None:
                self.briefer.swap(prepared)
            version = (store or old).version
            outcome = ReloadOutcome("store", trigger, datetime.now(UTC), store is not None, version,
                                    tuple(problems), changes, time.perf_counter() - started)
            self._record(outcome)
            if prepared is not None and prepared.pending:
                await self._finish(prepared)
            if store is not None and changes is not None and not changes.is_empty and self.changelog:
                entry = ChangeEntry(outcome.at, store.version, old.version, changes)
                try:
                    await asyncio.to_thread(self.changelog.append, entry)
                except Exception:
                    log.exception("could not append to the change log %s", self.changelog.path)
        if store is None:
            await _call(self.on_errors, outcome.errors)
        elif store.version != old.version:
            await _call(self.on_store, store, changes)
        return outcome

    def _load_store(self, served: Prepared, paths: set[Path] | None,
                    ) -> tuple[Store | None, list[Problem], ChangeSet | None, Prepared | None]:
        # Everything slow happens here, in a thread: load, check, diff, and building the briefs.
        old = served.store
        patched = patch_store(old, paths, archive=self.archive) if paths is not None else None
        store: Store | None
        if patched is not None:
            store, problems = patched  # only the edited files were read, checked and re-indexed
        else:
            # Files whose bytes did not change keep the previous store's models: only edits are parsed.
            store, problems = check_store(self.briefs, self.archive, state_dir=self.state_dir, previous=old,
                                          warnings=False)
        if store is None:
            return None, problems, None, None
        if store is old:
            return store, problems, ChangeSet(), served
        return store, problems, diff_patched(old, store), prepare(store, previous=served, defer=True)

    async def _finish(self, prepared: Prepared) -> None:
        """Build what the snapshot just served left to build (the summaries of the topics an edit touched)."""
        try:
            await asyncio.to_thread(prepared.finish)
        except Exception:
            # Served anyway: each summary is built on first use; the next edit then rebuilds them all.
            log.exception("building the briefs an edit touched failed")

    async def reload_config(self, trigger: str) -> ReloadOutcome:
        """Load config/ in a thread; hand a valid config to the hooks, else keep the last good one."""
        assert self.config_dir is not None
        async with self._lock:
            started = time.perf_counter()
            config, problems = await asyncio.to_thread(_guarded_config, self._load_config, self.config_dir)
            ok = config is not None and not any(p.severity == "error" for p in problems)
            if ok:
                self.config = config
            outcome = ReloadOutcome("config", trigger, datetime.now(UTC), ok, self.briefer.store.version,
                                    tuple(problems), None, time.perf_counter() - started)
            self._record(outcome)
        if ok:
            await _call(self.on_config, config)
        else:
            await _call(self.on_errors, outcome.errors)
        return outcome

    @property
    def degraded(self) -> list[ReloadOutcome]:
        """The last reloads that were refused: the bot serves an older version than the files hold."""
        return [o for o in (self.last_store, self.last_config) if o is not None and not o.ok]

    def _write_status(self) -> None:
        """The last outcome of each target, for `briefbot status` in another process (next to the change log)."""
        if self.changelog is None:
            return
        data = {o.target: {"ok": o.ok, "at": o.at.isoformat(timespec="seconds"), "trigger": o.trigger,
                           "version": o.version, "errors": [str(p) for p in o.errors[:20]],
                           "error_count": len(o.errors)}
                for o in (self.last_store, self.last_config) if o is not None}
        path = self.changelog.path.with_name(STATUS_FILE)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{STATUS_FILE}.tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not write %s: %s", path, exc)

    def _record(self, outcome: ReloadOutcome) -> None:
        if outcome.target == "store":
            self.last_store = outcome
        else:
            self.last_config = outcome
        self.history.append(outcome)
        self._write_status()
        if outcome.ok:
            log.info("reloaded %s (%s): version %s in %.3fs", outcome.target, outcome.trigger,
                     outcome.version, outcome.seconds)
            return
        log.error("reload of %s refused, %d error(s); still serving %s", outcome.target,
                  len(outcome.errors), outcome.version)
        for problem in outcome.errors:
            log.error("%s", problem)


def read_status(state_dir: Path) -> dict[str, Any]:
    """What the running bot last wrote about its reloads (empty when it never did)."""
    try:
        data = json.loads((state_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _under(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder) or path.is_relative_to(folder.resolve())


class _EitherEvent:
    """Set when either event is; what watchfiles polls to know when to stop."""

    def __init__(self, *events: asyncio.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)

    async def wait(self) -> None:
        waits = [asyncio.ensure_future(e.wait()) for e in self.events]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()


def _crash_problem(target: Path, exc: BaseException) -> Problem:
    return Problem(target.name, 1, "", f"the reload failed inside briefbot ({type(exc).__name__}: {exc}); "
                                       "the log has the traceback")


def _guarded(load: Callable[[Store], Any], old: Store, *, target: Path) -> Any:
    """Run a store load; an exception becomes a refused reload (logged once, with its traceback)."""
    try:
        return load(old)
    except Exception as exc:
        log.exception("reload of %s crashed", target)
        return None, [_crash_problem(target, exc)], None, None


def _guarded_config(load: ConfigLoader, folder: Path) -> tuple[Any | None, list[Problem]]:
    try:
        return load(folder)
    except Exception as exc:
        log.exception("reload of %s crashed", folder)
        return None, [_crash_problem(folder, exc)]


def _admin_file(change: Change, path: str) -> bool:

    # Editors' swap and backup files would trigger pointless reloads; folders count (renames, deletes).
    name = Path(path).name
    return not name.startswith((".", "#")) and not name.endswith("~") and Path(path).suffix.lower() in WATCHED_SUFFIXES


async def _call(hooks: Iterable[Callable[..., Awaitable[None]]], *args: Any) -> None:
    for hook in hooks:
        try:
            await hook(*args)
        except Exception:
            # A failing hook (say, a scheduler rebuild) must not stop the watcher or the other hooks.
            log.exception("reload hook %r failed", hook)
