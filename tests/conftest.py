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


# --- A throwaway PostgreSQL server for tests marked `postgres` (the digest ledger across instances) ---

import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Iterator  # noqa: E402


def _postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                        if p.parent.parent.name.isdigit() else 0)
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user() -> list[str]:
    """initdb refuses to run as root: run the server as the `postgres` system user then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a PostgreSQL cluster on 127.0.0.1 and a random port in a temp dir; yield its SQLAlchemy URL."""
    bindir = _postgres_bin()
    if bindir is None:
        reason = "no PostgreSQL server binaries (initdb); run scripts/install-postgres.sh"
        if os.environ.get("BRIEFBOT_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    prefix = _as_postgres_user()
    if prefix and prefix[0] == "su":
        pytest.skip("running as root without runuser: cannot start PostgreSQL as a non-root user")
    data = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
    if prefix:
        shutil.chown(data, "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*prefix, *map(str, cmd)], check=True, capture_output=True, timeout=120)  # noqa: E731
    try:
        run(bindir / "initdb", "-D", data / "db", "-A", "trust", "-U", "postgres", "--no-sync")
        run(bindir / "pg_ctl", "-D", data / "db", "-l", data / "log", "-w", "-t", "60", "-o",
            f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off", "start")
    except subprocess.CalledProcessError as exc:
        log = (data / "log").read_text() if (data / "log").exists() else ""
        shutil.rmtree(data, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')}\n{log}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60, check=False)
        shutil.rmtree(data, ignore_errors=True)
