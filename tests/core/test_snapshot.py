"""The store snapshot in STATE_DIR: used when current, and rebuilt (never served) when stale,
corrupt, hand-edited or foreign."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import snapshot
from bot.core.snapshot import FILE_NAME, KEY_NAME, Snapshot, _checksum, _mac, read_key, schema_version
from bot.core.store import Store, check_store, load_store

FIXTURE = Path(__file__).parent.parent / "fixtures" / "briefs"


@pytest.fixture
def briefs(tmp_path: Path) -> Path:
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE, root)
    return root


def every_file(root: Path) -> set[str]:
    return {str(Path(root.name) / p.relative_to(root)) for p in root.glob("*/*.yaml")}


def same_store(a: Store, b: Store) -> None:
    assert a.topics == b.topics
    assert a.sources == b.sources
    assert a.version == b.version
    assert [(c, e.source.id) for c, e in a.claims.items()] == [(c, e.source.id) for c, e in b.claims.items()]


def a_source(root: Path) -> Path:
    return min((root / "sources").glob("*.yaml"))


def test_a_current_snapshot_is_loaded_instead_of_parsing(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    cold = load_store(briefs, state_dir=state)
    assert set(cold.parsed) == every_file(briefs)
    snapshot.wait_for_writes()
    assert (state / FILE_NAME).is_file()
    warm = load_store(briefs, state_dir=state)
    assert warm.parsed == ()
    same_store(cold, warm)
    same_store(warm, load_store(briefs))  # and equal to a load that never saw a snapshot


WARM_PROBE = """
import sys
from pathlib import Path
from bot.core.store import load_store
cold, warm = load_store(Path(sys.argv[1])), load_store(Path(sys.argv[1]), state_dir=Path(sys.argv[2]))
assert warm.parsed == ()
by_topic = {}
for entry in warm.claims.values():
    for topic in entry.claim.topics:
        by_topic.setdefault(topic, set()).add(id(topic))
print(max(len(ids) for ids in by_topic.values()))  # string objects per topic id
empties = {id(e.claim.also_in) for e in warm.claims.values() if not e.claim.also_in}
print(len(empties))
for claim_id, entry in warm.claims.items():
    assert vars(entry.claim) == vars(cold.claims[claim_id].claim)
print(max(sys.getsizeof(vars(e.claim)) for e in warm.claims.values()),
      min(sys.getsizeof(vars(e.claim)) for e in cold.claims.values()))
"""


def test_a_warm_store_keeps_one_copy_of_repeated_text_and_shares_its_key_tables(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    # A fresh process, as a bot starts: the key table a class shares is its first instances' business.
    out = subprocess.run([sys.executable, "-c", WARM_PROBE, str(briefs), str(state)], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2]).stdout.split("\n")
    assert out[0] == "1"  # one string per topic id, however many claims name it
    assert out[1] == "1"  # every empty list is the one empty tuple
    warm_dict, cold_dict = map(int, out[2].split())
    assert warm_dict < cold_dict / 1.5  # a dict sharing its keys with the class's other instances


def test_a_changed_file_is_parsed_alone(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    path = a_source(briefs)
    path.write_text(path.read_text(encoding="utf-8").replace("\nnote: ", "\nnote: Edited. ", 1), encoding="utf-8")
    store = load_store(briefs, state_dir=state)
    assert store.parsed == (f"briefs/sources/{path.name}",)
    assert store.sources[path.stem].note.startswith("Edited. ")
    same_store(store, load_store(briefs))
    assert load_store(briefs, state_dir=state).parsed == ()  # the new content is now in the snapshot


def test_a_stale_row_is_never_served_even_when_the_file_changes_back(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = a_source(briefs)
    original = path.read_text(encoding="utf-8")
    load_store(briefs, state_dir=state)
    path.write_text(original.replace("\nnote: ", "\nnote: Second. ", 1), encoding="utf-8")
    assert load_store(briefs, state_dir=state).sources[path.stem].note.startswith("Second. ")
    path.write_text(original, encoding="utf-8")
    back = load_store(briefs, state_dir=state)
    assert not back.sources[path.stem].note.startswith("Second. ")
    same_store(back, load_store(briefs))


def test_a_corrupt_snapshot_is_rebuilt_from_the_files(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    (state / FILE_NAME).write_bytes(b"SQLite format 3\x00" + b"\xff" * 3000)
    store = load_store(briefs, state_dir=state)
    assert set(store.parsed) == every_file(briefs)
    same_store(store, load_store(briefs))
    assert load_store(briefs, state_dir=state).parsed == ()  # rebuilt and usable again


def test_a_foreign_database_is_not_trusted(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    with sqlite3.connect(state / FILE_NAME) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', 'someone-else/7')")
    store = load_store(briefs, state_dir=state)
    assert set(store.parsed) == every_file(briefs)
    assert load_store(briefs, state_dir=state).parsed == ()


def _edit_rows(state: Path, edit: "callable[[dict], None]", *, fix_checksum: bool) -> str:  # type: ignore[valid-type]
    """Change the payload of one source row in place, as someone editing the database would."""
    snapshot.wait_for_writes()
    with sqlite3.connect(state / FILE_NAME) as db:
        path, digest, meaning, payload = db.execute(
            "SELECT path, digest, meaning, payload FROM files WHERE kind = 'sources' ORDER BY path LIMIT 1").fetchone()
        data = json.loads(payload)
        edit(data)
        payload = json.dumps(data).encode()
        checksum = _checksum(schema_version(), path, digest, meaning + payload.decode()) if fix_checksum else "0" * 32
        db.execute("UPDATE files SET payload = ?, checksum = ? WHERE path = ?", (payload, checksum, path))
    return str(path)


def _rename_first_claim(data: dict) -> None:  # type: ignore[type-arg]
    data["claims"][0]["statement"] = "A statement nobody curated."


@pytest.mark.parametrize("fix_checksum", [False, True], ids=["checksum-broken", "unkeyed-checksum-fixed"])
def test_a_hand_edited_row_without_a_valid_mac_is_parsed_again(briefs: Path, tmp_path: Path, fix_checksum: bool) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    path = _edit_rows(state, _rename_first_claim, fix_checksum=fix_checksum)
    store = load_store(briefs, state_dir=state)
    assert store.parsed == (path,)
    assert all(e.claim.statement != "A statement nobody curated." for e in store.claims.values())
    same_store(store, load_store(briefs))


def test_a_hand_edited_row_with_a_valid_checksum_must_still_validate(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)

    def break_rating(data: dict) -> None:  # type: ignore[type-arg]
        data["claims"][0]["evidence"] = "proven-beyond-doubt"
        data["claims"][0]["__class__"] = "os.system"

    path = _edit_rows(state, break_rating, fix_checksum=True)
    store = load_store(briefs, state_dir=state)
    assert store.parsed == (path,)
    same_store(store, load_store(briefs))


def test_rows_written_by_another_schema_are_stale(briefs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    monkeypatch.setattr(snapshot, "CODE_VERSION", snapshot.CODE_VERSION + 1)
    schema_version.cache_clear()
    try:
        assert set(load_store(briefs, state_dir=state).parsed) == every_file(briefs)
    finally:
        monkeypatch.undo()
        schema_version.cache_clear()


def test_an_invalid_edit_is_reported_with_its_line_and_never_cached(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    path = a_source(briefs)
    text = path.read_text(encoding="utf-8")
    bad = text.replace("evidence: ", "evidence: rumour-", 1)
    path.write_text(bad, encoding="utf-8")
    store, problems = check_store(briefs, state_dir=state)
    assert store is None
    line = bad.splitlines().index(next(x for x in bad.splitlines() if "rumour-" in x)) + 1
    assert [(p.line, p.field.split(".")[-1]) for p in problems if p.severity == "error"] == [(line, "evidence")]
    assert check_store(briefs, state_dir=state)[0] is None  # still refused: the bad file was not cached


def test_processes_share_one_snapshot(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    code = ("import sys; from pathlib import Path; from bot.core.store import load_store;"
            "s = load_store(Path(sys.argv[1]), state_dir=Path(sys.argv[2])); print(s.version, len(s.claims))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(briefs), str(state)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert len({out for out, _ in outs}) == 1
    assert load_store(briefs, state_dir=state).parsed == ()
    assert Snapshot(state).load({}) == {}


def test_comments_and_blank_lines_do_not_make_a_new_version(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    before = load_store(briefs, state_dir=state)
    path = a_source(briefs)
    path.write_text("# a curator's comment\n\n" + path.read_text(encoding="utf-8").replace("\n", "   \n", 3),
                    encoding="utf-8")
    tidied = load_store(briefs, state_dir=state)
    assert tidied.parsed == (f"briefs/sources/{path.name}",)
    assert tidied.version == before.version == load_store(briefs).version
    path.write_text(path.read_text(encoding="utf-8").replace("\nnote: ", "\nnote: Changed. ", 1), encoding="utf-8")
    assert load_store(briefs, state_dir=state).version != before.version


def test_only_a_row_macd_with_the_state_key_is_trusted(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    key = read_key(state)
    assert key is not None and (state / KEY_NAME).stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(state / FILE_NAME) as db:
        path, digest, meaning, payload = db.execute(
            "SELECT path, digest, meaning, payload FROM files WHERE kind = 'sources' ORDER BY path LIMIT 1").fetchone()
        data = json.loads(payload)
        _rename_first_claim(data)
        payload = json.dumps(data).encode()
        for wrong in (b"\0" * 32, key[::-1]):
            mac = _mac(wrong, schema_version(), path, digest, meaning, payload)
            db.execute("UPDATE files SET payload = ?, checksum = ? WHERE path = ?", (payload, mac, path))
            db.commit()
            assert load_store(briefs, state_dir=state).parsed == (path,)
            snapshot.wait_for_writes()
        mac = _mac(key, schema_version(), path, digest, meaning, payload)
        db.execute("UPDATE files SET payload = ?, checksum = ? WHERE path = ?", (payload, mac, path))
    # The real key's MAC is what makes a row trusted: this row is served as written (which is why the key
    # must stay secret and STATE_DIR private).
    trusted = load_store(briefs, state_dir=state)
    assert trusted.parsed == ()
    assert any(e.claim.statement == "A statement nobody curated." for e in trusted.claims.values())


def test_without_the_key_or_with_another_every_file_is_parsed(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    (state / KEY_NAME).unlink()
    assert set(load_store(briefs, state_dir=state).parsed) == every_file(briefs)
    snapshot.wait_for_writes()
    assert load_store(briefs, state_dir=state).parsed == ()  # a new key, and rows MACed with it
    (state / KEY_NAME).write_bytes(b"k" * 32)
    store, _ = check_store(briefs, state_dir=state)
    assert store is not None and set(store.parsed) == every_file(briefs)
    same_store(store, load_store(briefs))


def test_the_key_is_never_logged(briefs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    caplog.set_level("DEBUG")
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    _edit_rows(state, _rename_first_claim, fix_checksum=True)
    load_store(briefs, state_dir=state)
    key = read_key(state)
    assert key is not None and "fails its MAC" in caplog.text
    assert key.hex() not in caplog.text and repr(key) not in caplog.text


def test_a_few_wanted_paths_are_looked_up_alone(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    cold = load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    path = a_source(briefs)
    shown = f"briefs/sources/{path.name}"
    rows = Snapshot(state).load({shown: cold.files[shown], "briefs/sources/gone.yaml": "0" * 32})
    assert list(rows) == [shown] and rows[shown].model == cold.sources[path.stem]
    assert Snapshot(state).load({shown: "0" * 32}) == {}  # the file changed since: stale


@pytest.mark.parametrize("edit", [
    lambda d: d["claims"][0].update(evidence="proven-beyond-doubt"),  # not a value of the enum
    lambda d: d["claims"][0].update(evidence=["supported"]),  # not even hashable
    lambda d: d["claims"][0].pop("reason"),  # a field missing
    lambda d: d.update(claims="not a list"),
    lambda d: d["claims"].append(["not", "a", "claim"]),
])
def test_a_macd_row_that_does_not_fit_the_schema_is_parsed_again(
        briefs: Path, tmp_path: Path, edit: "callable[[dict], None]") -> None:  # type: ignore[valid-type]
    state = tmp_path / "state"
    load_store(briefs, state_dir=state)
    snapshot.wait_for_writes()
    key = read_key(state)
    assert key is not None
    with sqlite3.connect(state / FILE_NAME) as db:
        path, digest, meaning, payload = db.execute(
            "SELECT path, digest, meaning, payload FROM files WHERE kind = 'sources' ORDER BY path LIMIT 1").fetchone()
        data = json.loads(payload)
        edit(data)
        payload = json.dumps(data).encode()
        db.execute("UPDATE files SET payload = ?, checksum = ? WHERE path = ?",
                   (payload, _mac(key, schema_version(), path, digest, meaning, payload), path))
    store = load_store(briefs, state_dir=state)
    assert store.parsed == (path,)
    same_store(store, load_store(briefs))
