"""The search index's database file: where it lives, that it goes with the index, that a patched copy
leaves the original answering for its own store, and that the compact vocabulary finds the same typos."""
from __future__ import annotations

import dataclasses
import gc
import os
import random
import shutil
import string
import threading
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz, process

from bot.core.patch import patch_store
from bot.core.search import TYPO_ALTERNATIVES, TYPO_CUTOFF, SearchIndex, _by_length, _closest
from bot.core.store import Store, load_store
from tests.conftest import BRIEFS


def open_files(folder: Path) -> list[str]:
    """The search index files under `folder` this process holds open (unlinked ones too)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)) and "/.search-" in target:
            found.append(target)
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


@needs_proc
def test_the_file_is_in_the_state_dir_unlinked_and_closed_when_the_index_is_dropped(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    store = load_store(BRIEFS, state_dir=state)
    index = SearchIndex(store)
    assert index.search("peskov")
    assert not [p for p in state.iterdir() if p.name.startswith(".search-")]  # nothing to leave behind
    held = open_files(state)
    assert len(held) == 1 and held[0].endswith(" (deleted)")
    patched = index.patched(store, store, [next(iter(store.sources))])
    assert len(open_files(state)) == 2
    del index
    gc.collect()
    assert len(open_files(state)) == 1 and patched.search("peskov")
    del patched
    gc.collect()
    assert open_files(state) == [] and not list(state.glob(".search-*"))


@pytest.mark.parametrize("state", ["missing/state", "a-file"])
def test_an_unusable_state_dir_falls_back_to_the_temp_dir(tmp_path: Path, store: Store, state: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    index = SearchIndex(dataclasses.replace(store, state_dir=tmp_path / state))
    assert index.search("peskov") == SearchIndex(store).search("peskov")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_patching_needs_the_index_s_own_store(store: Store) -> None:
    with pytest.raises(ValueError):
        SearchIndex(store).patched(load_store(BRIEFS), store, [])


def test_a_patched_index_leaves_the_old_one_answering_the_old_store(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    shutil.copytree(BRIEFS, root)
    old = load_store(root)
    path = min((root / "sources").glob("*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = data["claims"][0]["statement"]
    data["claims"][0]["statement"] = "Zyxwvutian gloaming reworded."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    patched = patch_store(old, [path])
    assert patched is not None and not patched[1]
    new = patched[0]
    index = SearchIndex(old)
    answers = {q: index.search(q) for q in ("peskov", "wall street journal", before[:40], "zyxwvutian")}
    successor = index.patched(old, new, [path.stem])
    claim = data["claims"][0]["id"]
    assert claim in [h.id for h in successor.search("zyxwvutian gloaming")]
    assert successor.search("zyxwvutian gloaming") == SearchIndex(new).search("zyxwvutian gloaming")
    assert {q: index.search(q) for q in answers} == answers  # the old snapshot still answers as before
    assert index.search("zyxwvutian") == []


def test_searches_from_several_threads_answer_as_one(store: Store) -> None:
    index = SearchIndex(store)
    queries = ["peskov", "wall street journal", "sanctoins relief", "pékin", "lavrof", "qqqzzzx"] * 5
    expected = [index.search(q) for q in queries]
    results: dict[int, list[object]] = {}

    def run(n: int) -> None:
        results[n] = [index.search(q) for q in queries]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[n] == expected for n in range(4))


def test_the_typo_alternatives_are_those_of_one_sorted_list() -> None:
    rnd = random.Random(4)
    letters = string.ascii_lowercase[:8] + "éß0"
    terms = sorted({"".join(rnd.choices(letters, k=rnd.randint(1, 14))) for _ in range(6000)})
    grouped = _by_length(terms)
    for word in [*rnd.sample(terms, 200), *("".join(rnd.choices(letters, k=rnd.randint(4, 12))) for _ in range(300))]:
        want = [t for t, _, _ in process.extract(word, terms, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF,
                                                 limit=TYPO_ALTERNATIVES)]
        assert _closest(word, grouped) == want, word
