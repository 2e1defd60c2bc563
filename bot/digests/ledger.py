"""The delivery ledger: one row per digest, channel and period, claimed atomically before posting.

Same SQLAlchemy Core code on SQLite (default, `state/ledger.sqlite`) and PostgreSQL (`DATABASE_URL`).
A claim is `INSERT … ON CONFLICT DO NOTHING RETURNING`. It carries a short lease that its owner renews
(a heartbeat, and every write it makes about the delivery); a claim whose lease ran out belongs to a dead
process and is taken over, and the taker asks the platform (`find_post`) before posting again. Each page
is recorded as it lands (`message_ids`, `pages`), so a post cut short resumes at the first missing page.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from urllib.parse import quote, unquote
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column, DateTime, Engine, Integer, MetaData, String, Table, Text, UniqueConstraint, and_, create_engine,
    inspect, make_url, select, text, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from bot.core.clock import Clock, as_utc, system_clock
from bot.core.errors import BriefbotError

Status = Literal["claimed", "posted", "failed"]


class LedgerBroken(BriefbotError):
    """The ledger cannot be used (its file is gone, unreadable or read-only; its server is unreachable)."""
# Short on purpose: a crashed instance's claims are taken over within seconds. The owner renews it every
# few seconds while it lives, and never posts a page that could still be under way when it runs out.
DEFAULT_LEASE = timedelta(seconds=20)
SCHEMA_LOCK = 0x62726966  # "brif": the advisory lock key guarding table creation

metadata = MetaData()
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest_id", String(64), nullable=False),
    Column("channel", String(128), nullable=False),
    Column("period_key", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("message_ids", Text, nullable=False, default="[]"),
    Column("key", String(32), nullable=False),
    Column("claimed_by", String(128), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("error", Text),
    Column("snapshot", Text),
    Column("pages", Integer),  # how many pages the post has, once the first one landed
    Column("document", Text),  # the document being sent (JSON), so a takeover sends the very same pages
    UniqueConstraint("digest_id", "channel", "period_key", name="uq_delivery_period"),
)
schedules = Table(
    "digest_schedules", metadata,
    Column("digest_id", String(64), primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False),
)
# One row, rewritten by the readiness probe: proof that the ledger can be written, not only read.
probes = Table(
    "ledger_probe", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("owner", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Row:
    """One delivery as the ledger holds it."""

    id: int
    digest_id: str
    channel: str
    period_key: str
    status: Status
    attempts: int
    message_ids: list[str]
    key: str
    claimed_by: str
    error: str | None
    snapshot: str | None
    updated_at: datetime
    claimed_at: datetime | None = None  # when the delivery was first claimed (kept on takeover)
    pages: int | None = None
    document: str | None = None


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a delivery: won it, took over a dead claim, already ours (a claim whose
    commit we did not see, or a retry), or must leave it alone."""

    state: Literal["won", "took_over", "mine", "skip"]
    row: Row


def delivery_key(digest_id: str, channel: str, period_key: str) -> str:
    """The idempotency key a platform sees (≤25 characters, the Discord nonce limit)."""
    return hashlib.sha256(f"{digest_id}|{channel}|{period_key}".encode()).hexdigest()[:24]


def database_url(state_dir: Path | None = None) -> str:
    """`DATABASE_URL` when set (PostgreSQL), else SQLite in the state folder ($STATE_DIR or ./state)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        if not url.startswith(("postgresql+psycopg://", "sqlite:")):
            raise BriefbotError("DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:5432/name); "
                                "leave it unset for SQLite in STATE_DIR.")
        return url
    folder = state_dir or Path(os.environ.get("STATE_DIR", "state"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'ledger.sqlite'}"


def make_engine(url: str) -> Engine:
    """An engine with the tables created (and columns added by later versions).

    SQLite opens the file afresh for every operation (no pool) and never creates it after start-up
    (`mode=rw`): a ledger file deleted, replaced, made read-only or corrupted is noticed at the next
    operation, instead of a pooled connection writing on into a deleted file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database or "")
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, pool_pre_ping=True, connect_args=args)
    with engine.begin() as conn:
        # Instances started together on a fresh database would race to create the tables (and fail on
        # PostgreSQL's catalog); a transaction-scoped advisory lock lets one create them, the others see them.
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(conn)
        _add_missing_columns(conn)
    return engine


def _sqlite_engine(path: str) -> Engine:
    if path in ("", ":memory:"):
        engine = create_engine("sqlite://")
        metadata.create_all(engine)
        return engine
    first = sqlite3.connect(path)  # creates the file the first time; afterwards the engine only opens it
    first.execute("PRAGMA journal_mode=WAL")  # kept in the file: concurrent readers and one writer
    first.close()
    # sqlite3's `timeout` is SQLite's busy timeout: writers wait for each other instead of failing.
    engine = create_engine(f"sqlite:///file:{quote(path)}?mode=rw&uri=true", poolclass=NullPool,
                           connect_args={"timeout": 10.0})
    with engine.begin() as conn:
        metadata.create_all(conn)
        _add_missing_columns(conn)
    return engine


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a SQLite ledger (None for PostgreSQL or an in-memory database)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or not database.startswith("file:"):
        return None
    return Path(unquote(database.removeprefix("file:").split("?", 1)[0]))


def _add_missing_columns(conn: Any) -> None:
    """Add columns this version defines to a `deliveries` table an older version created."""
    have = {c["name"] for c in inspect(conn).get_columns("deliveries")}
    for column in deliveries.columns:
        if column.name not in have:
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f'ALTER TABLE deliveries ADD COLUMN "{column.name}" {kind}'))


class Ledger:
    """Claims, attempts and outcomes of digest deliveries."""

    def __init__(self, engine: Engine, clock: Clock = system_clock, lease: timedelta = DEFAULT_LEASE) -> None:
        self.engine = engine
        self.clock = clock
        self.lease = lease
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert

    def claim(self, digest_id: str, channel: str, period_key: str, owner: str) -> Claim:
        """Claim a delivery: 'won' (new row), 'took_over' (the last owner's lease ran out), 'mine' (this
        owner holds it already: a retry) or 'skip'. A takeover keeps `claimed_at`, when the delivery began."""
        now = self.clock()
        values = dict(
            digest_id=digest_id, channel=channel, period_key=period_key, status="claimed", attempts=0,
            message_ids="[]", key=delivery_key(digest_id, channel, period_key), claimed_by=owner,
            claimed_at=now, lease_until=now + self.lease, updated_at=now,
        )
        where = _same(digest_id, channel, period_key)
        with self.engine.begin() as conn:
            # RETURNING, not rowcount: psycopg 3 reports -1 for INSERT … ON CONFLICT DO NOTHING.
            won = conn.execute(self._insert(deliveries).values(**values).on_conflict_do_nothing(
                index_elements=["digest_id", "channel", "period_key"]).returning(deliveries.c.id)).first()
            state: Literal["won", "took_over", "mine", "skip"] = "won"
            if won is None:
                took = conn.execute(update(deliveries).where(
                    where, deliveries.c.status == "claimed", deliveries.c.lease_until < now,
                    deliveries.c.claimed_by != owner,
                ).values(claimed_by=owner, lease_until=now + self.lease, updated_at=now)
                    .returning(deliveries.c.id)).first()
                state = "took_over" if took is not None else "skip"
            row = _row(conn.execute(select(deliveries).where(where)).mappings().one())
            if state == "skip" and row.status == "claimed" and row.claimed_by == owner:
                state = "mine"
                conn.execute(update(deliveries).where(deliveries.c.id == row.id).values(
                    lease_until=now + self.lease, updated_at=now))
        return Claim(state, row)

    def start_attempt(self, row_id: int, owner: str, snapshot: str | None, document: str | None = None) -> bool:
        """Count one post attempt and renew the lease; False when `owner` no longer holds the claim.

        Delivery posts only after this write succeeds: a post is never made that the ledger cannot record.
        """
        now = self.clock()
        values: dict[str, Any] = dict(attempts=deliveries.c.attempts + 1, lease_until=now + self.lease, updated_at=now)
        if snapshot is not None:
            values["snapshot"] = snapshot
        if document is not None:
            values["document"] = document
        return self._fenced(row_id, owner, values)

    def record_pages(self, row_id: int, owner: str, message_ids: list[str], pages: int | None) -> bool:
        """Record the pages landed so far (and renew the lease); False when `owner` lost the claim."""
        now = self.clock()
        return self._fenced(row_id, owner, dict(message_ids=json.dumps(message_ids), pages=pages,
                                                lease_until=now + self.lease, updated_at=now))

    def heartbeat(self, owner: str) -> int:
        """Renew the lease of every claim `owner` holds; how many it holds."""
        now = self.clock()
        with self.engine.begin() as conn:
            return len(conn.execute(update(deliveries).where(
                deliveries.c.claimed_by == owner, deliveries.c.status == "claimed",
            ).values(lease_until=now + self.lease).returning(deliveries.c.id)).all())

    def probe(self, owner: str) -> str:
        """Write to the ledger (one row, rewritten), raising when it cannot be written; a short description."""
        path = sqlite_path(self.engine)
        if path is not None and not path.is_file():
            raise LedgerBroken(f"the SQLite ledger {path} is gone (deleted or moved)")
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(self._insert(probes).values(id=1, owner=owner, at=now).on_conflict_do_update(
                index_elements=["id"], set_=dict(owner=owner, at=now)))
        return f"{self.engine.dialect.name}: writable"

    def mark_posted(self, row_id: int, owner: str, message_ids: list[str]) -> bool:
        """Record the post and the platform's message ids; False when `owner` lost the claim.

        True also when this owner had already recorded it (a retry after a commit whose answer was lost).
        """
        if self._fenced(row_id, owner, dict(status="posted", message_ids=json.dumps(message_ids),
                                            error=None, updated_at=self.clock())):
            return True
        row = self.row(row_id)
        return row is not None and row.status == "posted" and row.claimed_by == owner

    def row(self, row_id: int) -> Row | None:
        """One delivery row by id."""
        with self.engine.connect() as conn:
            found = conn.execute(select(deliveries).where(deliveries.c.id == row_id)).mappings().first()
        return _row(found) if found is not None else None

    def mark_failed(self, row_id: int, owner: str, error: str) -> bool:
        """Record a final failure with its reason."""
        return self._fenced(row_id, owner, dict(status="failed", error=error[:2000], updated_at=self.clock()))

    def record_missed(self, digest_id: str, channel: str, period_key: str, owner: str, reason: str) -> bool:
        """Record a period that can no longer be sent (missed beyond catch-up); True if newly recorded."""
        now = self.clock()
        values = dict(
            digest_id=digest_id, channel=channel, period_key=period_key, status="failed", attempts=0,
            message_ids="[]", key=delivery_key(digest_id, channel, period_key), claimed_by=owner,
            claimed_at=now, lease_until=now, updated_at=now, error=reason,
        )
        with self.engine.begin() as conn:
            return conn.execute(self._insert(deliveries).values(**values).on_conflict_do_nothing(
                index_elements=["digest_id", "channel", "period_key"]).returning(deliveries.c.id)).first() is not None

    def stale_claims(self) -> list[Row]:
        """Rows still 'claimed' after their lease ran out: a process died while posting them."""
        now = self.clock()
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries).where(
                deliveries.c.status == "claimed", deliveries.c.lease_until < now).order_by(deliveries.c.id)).mappings()
            return [_row(r) for r in rows]

    def settled(self, digest_id: str, period_key: str) -> set[str]:
        """Channels whose delivery of this period is posted or finally failed."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries.c.channel).where(
                deliveries.c.digest_id == digest_id, deliveries.c.period_key == period_key,
                deliveries.c.status.in_(("posted", "failed")))).all()
        return {r.channel for r in rows}

    def sent_snapshots(self, channel: str, limit: int = 20) -> list[str]:
        """Snapshots of the channel's latest posted digests, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries.c.snapshot).where(
                deliveries.c.channel == channel, deliveries.c.status == "posted",
                deliveries.c.snapshot.is_not(None),
            ).order_by(deliveries.c.updated_at.desc(), deliveries.c.id.desc()).limit(limit)).all()
        return [r.snapshot for r in rows]

    def rows(self, digest_id: str | None = None) -> list[Row]:
        """Every delivery row (of one digest), oldest first."""
        query = select(deliveries).order_by(deliveries.c.id)
        if digest_id is not None:
            query = query.where(deliveries.c.digest_id == digest_id)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def schedule_since(self, digest_id: str) -> datetime:
        """When this digest was first scheduled; periods before it were never owed."""
        with self.engine.begin() as conn:
            conn.execute(self._insert(schedules).values(digest_id=digest_id, since=self.clock())
                         .on_conflict_do_nothing(index_elements=["digest_id"]))
            since = conn.execute(select(schedules.c.since).where(schedules.c.digest_id == digest_id)).scalar_one()
        return as_utc(since)

    def _fenced(self, row_id: int, owner: str, values: dict[str, Any]) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(deliveries).where(
                deliveries.c.id == row_id, deliveries.c.claimed_by == owner, deliveries.c.status == "claimed",
            ).values(**values).returning(deliveries.c.id)).first()
        return done is not None


def _same(digest_id: str, channel: str, period_key: str) -> Any:
    return and_(deliveries.c.digest_id == digest_id, deliveries.c.channel == channel,
                deliveries.c.period_key == period_key)


def _row(r: Any) -> Row:
    return Row(
        id=r["id"], digest_id=r["digest_id"], channel=r["channel"], period_key=r["period_key"], status=r["status"],
        attempts=r["attempts"], message_ids=json.loads(r["message_ids"] or "[]"), key=r["key"],
        claimed_by=r["claimed_by"], error=r["error"], snapshot=r["snapshot"], updated_at=as_utc(r["updated_at"]),
        claimed_at=as_utc(r["claimed_at"]), pages=r["pages"], document=r["document"],
    )


def latest_per_channel(ledger: Ledger, limit: int = 500) -> list[Row]:
    """The most recent delivery row of each channel, among the last `limit` rows."""
    query = select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)
    with ledger.engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(query).mappings()]
    latest: dict[str, Row] = {}
    for row in rows:
        latest.setdefault(row.channel, row)
    return sorted(latest.values(), key=lambda r: r.channel)
