"""Seeded mutations of a real claim store, and the oracle that judges what the loader made of each.

Shared by the suite's small fuzz (tests/core/test_fuzz_store.py) and the long run (bench/fuzz_store.py).
A mutation edits one file of a copy of `briefs/` (its text, its bytes, or what the file is); the loader
must then either refuse the store with problems that each name a file and a line, or accept a store
that is whole (every file loaded, every reference resolved, every model valid).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.models import Source, Topic
from bot.core.problems import StoreInvalid
from bot.core.store import Store, load_store
from bot.core.yamlfile import is_yaml_name

HANG_S = 5.0

# Values an admin (or a hostile one) might type where a scalar was.
HOSTILE_VALUES = [
    "!!bool maybe", "!!int ''", "!!float x", "!!null 3", "!!str", "!foo bar", "!!python/name:os.system",
    "!!python/object/apply:os.system ['true']", "!!binary AAAA", "!!set {a, b}", "!!omap [a: 1]",
    "!!timestamp {a: 1}", "{a: 1}", "{id: {x: 1}}", "[1, [2, [3]]]", "*nowhere", "&r [*r]", "True", "yes",
    "~", "null", "-1", "1e400", ".nan", "0x", "0o9", "0b2", "1_000", "'unterminated", '"bad \\q escape"',
    ":" + "1:" * 4000 + "1", "9" * 5000, "@reserved", "`tick", "%TAG", "- in a value", "? complex",
    "|\n  block", ">-\n  folded", "<<: {a: 1}", "[" * 600 + "]" * 600, "{" * 300 + "}" * 300,
    "\t tab", "\x00nul", "\x1b[31mred", "\u202eRTL", "\ufeffbom", "é" * 500, "x" * 5000,
    "2025-13-45", "12:30", "0001-01-01", "@everyone", "<@123>", "[x](https://evil.example)",
]
# Whole lines or blocks inserted between lines.
HOSTILE_BLOCKS = [
    "a: &r [*r]",
    "lol: &a [x, x, x, x, x, x, x, x, x]\nlol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nlol4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "lol5: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nlol6: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "lol7: [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
    "deep: " + "[" * 500 + "]" * 500,
    "deep: " + "".join("\n" + "  " * i + "- " for i in range(1, 300)) + "x",
    "<<: {evidence: supported}",
    "base: &base {evidence: supported}\nother:\n  <<: *base",
    "!!python/name:os.system : x",
    "? [a, b]\n: c",
    "id: {x: 1}",
    "claims: !foo [1]",
    "positions: !!set {a}",
    "---\nsecond: document",
    "%YAML 1.1\n---",
    "key: value\nkey: again",
    "&anchor\n",
]
CONTROL_BYTES = [b"\x00", b"\x07", b"\x1b", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r", b"\t", b"\x85"]


@dataclass
class Verdict:
    """What the loader made of one mutated store."""

    outcome: str  # "refused", "accepted", "crash", "hang", "broken-accepted"
    seconds: float
    detail: str = ""


@dataclass
class Tally:
    """Outcomes over a run."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    slowest: float = 0.0
    times: list[float] = field(default_factory=list)

    def add(self, verdict: Verdict, mutation: str) -> None:
        self.counts[verdict.outcome] = self.counts.get(verdict.outcome, 0) + 1
        self.slowest = max(self.slowest, verdict.seconds)
        self.times.append(verdict.seconds)
        if verdict.outcome in ("crash", "hang", "broken-accepted"):
            self.examples.setdefault(verdict.outcome, []).append(f"{mutation}: {verdict.detail}"[:500])

    @property
    def failures(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("crash", "hang", "broken-accepted"))


class _Hang(BaseException):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block with _Hang after `seconds` (main thread only, via SIGALRM)."""

    def fire(signum: int, frame: object) -> None:
        raise _Hang()

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def judge(root: Path, hang_s: float = HANG_S) -> Verdict:
    """Load `root` and classify the result."""
    started = time.perf_counter()
    try:
        with deadline(hang_s):
            store = load_store(root)
    except StoreInvalid as exc:
        bad = [p for p in exc.problems if not p.file or p.line < 1 or not isinstance(p.field, str)]
        seconds = time.perf_counter() - started
        if bad:
            return Verdict("crash", seconds, f"problem without a place: {bad[0]!r}")
        return Verdict("refused", seconds)
    except _Hang:
        return Verdict("hang", time.perf_counter() - started)
    except BaseException as exc:  # noqa: BLE001 - any other exception is the crash we look for
        return Verdict("crash", time.perf_counter() - started, f"{type(exc).__name__}: {str(exc)[:200]}")
    seconds = time.perf_counter() - started
    broken = store_breakage(root, store)
    return Verdict("broken-accepted", seconds, broken) if broken else Verdict("accepted", seconds)


def store_breakage(root: Path, store: Store) -> str:
    """Why an accepted store is not whole ('' when it is)."""
    for folder, held in (("topics", store.topics), ("sources", store.sources)):
        files = [p for p in (root / folder).iterdir() if is_yaml_name(p.name)]
        if len(files) != len(held):
            return f"{len(files)} files in {folder}/ but {len(held)} loaded"
        for path in files:
            if not path.is_file() or path.is_symlink() and not path.resolve().is_file():
                return f"{path.name} is not a regular file but was accepted"
    for topic in store.topics.values():
        Topic.model_validate(topic.model_dump())
    theses = {t.id: {th.id for th in t.theses} for t in store.topics.values()}
    for source in store.sources.values():
        Source.model_validate(source.model_dump())
        for origin in source.derived_from:
            if origin not in store.sources:
                return f"{source.id} derived from unknown {origin}"
        for claim in source.claims:
            if any(t not in store.topics for t in claim.topics):
                return f"claim {claim.id} names an unknown topic"
            own = set().union(*(theses[t] for t in claim.topics))
            if any(th not in own for th in claim.theses):
                return f"claim {claim.id} names an unknown thesis"
            if any(c not in store.claims for c in (*claim.corroborates, *claim.contradicts)):
                return f"claim {claim.id} links an unknown claim"
    return ""


Mutation = Callable[[random.Random, Path], str]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def replace_value(rng: random.Random, path: Path) -> str:
    lines = _lines(path)
    spots = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    i = rng.choice(spots)
    value = rng.choice(HOSTILE_VALUES)
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {value}\n"
    _write(path, lines)
    return f"line {i + 1} value -> {value[:40]!r}"


def insert_block(rng: random.Random, path: Path) -> str:
    lines = _lines(path)
    i = rng.randrange(len(lines) + 1)
    block = rng.choice(HOSTILE_BLOCKS)
    indent = " " * rng.choice([0, 0, 2, 4])
    lines.insert(i, "".join(indent + line + "\n" for line in block.split("\n")))
    _write(path, lines)
    return f"block at line {i + 1}: {block[:40]!r}"


def shuffle_lines(rng: random.Random, path: Path) -> str:
    lines = _lines(path)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    how = rng.choice(["delete", "duplicate", "swap", "indent", "dedent"])
    if how == "delete":
        del lines[i]
    elif how == "duplicate":
        lines.insert(j, lines[i])
    elif how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "indent":
        lines[i] = " " * rng.randint(1, 3) + lines[i]
    else:
        lines[i] = lines[i][min(rng.randint(1, 4), len(lines[i]) - len(lines[i].lstrip())):]
    _write(path, lines)
    return f"{how} line {i + 1}"


def edit_bytes(rng: random.Random, path: Path) -> str:
    raw = bytearray(path.read_bytes())
    how = rng.choice(["flip", "insert", "truncate", "control"])
    at = rng.randrange(len(raw))
    if how == "flip":
        raw[at] ^= 1 << rng.randrange(8)
    elif how == "insert":
        raw[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif how == "truncate":
        del raw[at:]
    else:
        raw[at:at] = rng.choice(CONTROL_BYTES)
    path.write_bytes(bytes(raw))
    return f"bytes {how} at {at}"


def swap_ids(rng: random.Random, path: Path) -> str:
    """Rename a referenced id to a near miss (a typo), which must be refused or still resolve."""
    text = path.read_text(encoding="utf-8")
    words = sorted({w for w in text.replace(",", " ").replace("[", " ").replace("]", " ").split()
                    if w.islower() and "-" in w and w.isascii()})
    if not words:
        return replace_value(rng, path)
    word = rng.choice(words)
    typo = word[:-1] if rng.random() < 0.5 else word + "x"
    path.write_text(text.replace(word, typo, 1), encoding="utf-8")
    return f"typo {word} -> {typo}"


def change_file(rng: random.Random, path: Path) -> str:
    """Change what the file is: a FIFO, a symlink to a device, a folder, a huge file, another extension."""
    how = rng.choice(["fifo", "devzero", "folder", "huge", "yml", "upper", "dangling"])
    if how in ("yml", "upper"):
        target = path.with_name(path.stem + (".yml" if how == "yml" else ".YAML"))
        os.replace(path, target)
        return f"renamed to {target.name}"
    path.unlink()
    if how == "fifo":
        os.mkfifo(path)
    elif how == "devzero":
        path.symlink_to("/dev/zero")
    elif how == "folder":
        path.mkdir()
    elif how == "dangling":
        path.symlink_to(path.with_name("nowhere.yaml"))
    else:
        path.write_bytes(b"a: " + b"x" * 2_100_000 + b"\n")
    return f"{path.name} became a {how}"


MUTATIONS: list[tuple[Mutation, int]] = [
    (replace_value, 30), (insert_block, 25), (shuffle_lines, 15), (edit_bytes, 15), (swap_ids, 10),
    (change_file, 5),
]


def mutate(rng: random.Random, root: Path) -> str:
    """Apply 1–3 mutations to one random file of `root`; a description of what was done."""
    files = sorted(p for p in root.glob("*/*") if is_yaml_name(p.name) and p.is_file() and not p.is_symlink())
    path = rng.choice(files)
    done = []
    ops, weights = zip(*MUTATIONS, strict=True)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if not path.is_file() or path.is_symlink():
            break
        op = rng.choices(ops, weights)[0]
        try:
            done.append(op(rng, path))
        except (UnicodeDecodeError, IndexError, ValueError):
            done.append(edit_bytes(rng, path))  # text edits need text; fall back to bytes
        if op is change_file:
            break
    return f"{path.relative_to(root)}: " + "; ".join(done)


def run(source: Path, count: int, seed: int, work: Path, hang_s: float = HANG_S,
        progress: Callable[[int, Tally], None] | None = None) -> Tally:
    """`count` seeded mutations of a copy of `source`, each judged on a fresh copy."""
    rng = random.Random(seed)
    tally = Tally()
    for n in range(count):
        root = work / f"m{n % 2}" / "briefs"
        if root.parent.exists():
            shutil.rmtree(root.parent)
        shutil.copytree(source, root)
        what = mutate(rng, root)
        tally.add(judge(root, hang_s), what)
        if progress:
            progress(n + 1, tally)
    return tally
