"""A reference index: pictures (and video frames) with their provenance, in one SQLite file.

``forensics index add`` fills it; ``forensics match`` and ``forensics scan
--refs`` search it. One row in ``files`` per distinct content (SHA-256), one
row in ``refs`` per searchable picture (a still image, or one sampled frame of
a video), holding the packed 64-bit hashes that the search loads into numpy.

While a writer has it open the file is in WAL mode: one process may search
while another adds, and a crash loses at most the batch being written (each
batch is one transaction). A writer puts it back in rollback-journal mode when
it closes, so that a reader of a read-only copy, folder or mount needs no
``-wal`` or ``-shm`` file. Read-only opening (``read_only=True``, what every
read command uses) writes nothing at all. The schema is versioned by named
migrations recorded in the ``migrations`` table; ``PRAGMA application_id``
marks the file as ours.

Given a ``postgresql://`` URL instead of a path, the same index lives in a
PostgreSQL database shared by a desk (:mod:`forensics.refs.postgres`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics.errors import ReferenceIndexError
from forensics.read.decode import limits
from forensics.read.discover import discover
from forensics.read.files import read_picture
from forensics.read.pool import READ_CRASHED, imap_isolated, offer_next, stopped_reason
from forensics.records.record import ImageRecord
from forensics.records.text import printable_path
from forensics.refs import postgres as pg
from forensics.refs.match import Match, Reference, find_matches
from forensics.refs.queries import REGIONS, hex_to_int, region_hashes, to_signed, to_unsigned

if TYPE_CHECKING:
    from distributed import Client

    from forensics.refs.search import HashTable

Progress = Callable[[int, int], None]

APPLICATION_ID = 0x46524E58  # "FRNX": this file is a forensics reference index
_SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_MAX_DISTANCE = 10
BATCH = 64  # files per transaction while adding

# Named migrations, applied in order and recorded in the ``migrations`` table.
# Never edit one that has shipped: add the next.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            size INTEGER,
            mtime REAL,
            kind TEXT,
            format TEXT,
            width INTEGER,
            height INTEGER,
            make TEXT,
            model TEXT,
            software TEXT,
            captured TEXT,
            duration REAL,
            source TEXT,
            url TEXT,
            published TEXT,
            label TEXT,
            added_at TEXT NOT NULL,
            copies INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX files_path ON files(path);
        CREATE INDEX files_source ON files(source);
        CREATE INDEX files_label ON files(label);
        CREATE TABLE refs (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            timestamp REAL,
            phash INTEGER NOT NULL,
            dhash INTEGER NOT NULL,
            ahash INTEGER,
            whash INTEGER,
            colorhash TEXT,
            regions BLOB
        );
        CREATE INDEX refs_file ON refs(file_id);
        """,
    ),
    (
        # A file name that is not valid UTF-8 cannot be stored as TEXT: ``path`` keeps it
        # readable (``\xNN`` escapes) and ``raw_path`` its exact bytes, to reopen the file.
        "0002_raw_path",
        "ALTER TABLE files ADD COLUMN raw_path BLOB",
    ),
    (
        # ``copies`` was raised by every add of a copy, a rerun of the same add too. The paths of
        # the copies are kept now, one row per (path, content), and ``copies`` is one plus their
        # number. The old counts cannot be told apart from reruns: they start again from 1, and
        # the next add of those folders records the copies (their paths were never skipped).
        "0003_copies",
        """
        CREATE TABLE copies (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            raw_path BLOB,
            size INTEGER,
            mtime REAL,
            added_at TEXT NOT NULL,
            UNIQUE (file_id, path)
        );
        CREATE INDEX copies_path ON copies(path);
        UPDATE files SET copies = 1 WHERE copies != 1;
        """,
    ),
    (
        # Files whose reading killed the worker process, with the size and modification time
        # they had: a rerun skips them (unchanged) instead of crashing on them again.
        "0004_failed",
        """
        CREATE TABLE failed (
            path TEXT PRIMARY KEY,
            raw_path BLOB,
            size INTEGER,
            mtime REAL,
            reason TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        """,
    ),
    (
        # Removals are logged, so that a matcher holding the search arrays in memory can drop what
        # went without reloading the rest; and reference ids are never handed out twice
        # (AUTOINCREMENT), so that the ids above the last one it saw are exactly what was added.
        "0005_removed",
        """
        CREATE TABLE refs_numbered (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            timestamp REAL,
            phash INTEGER NOT NULL,
            dhash INTEGER NOT NULL,
            ahash INTEGER,
            whash INTEGER,
            colorhash TEXT,
            regions BLOB
        );
        INSERT INTO refs_numbered SELECT id, file_id, timestamp, phash, dhash, ahash, whash, colorhash, regions FROM refs;
        DROP TABLE refs;
        ALTER TABLE refs_numbered RENAME TO refs;
        CREATE INDEX refs_file ON refs(file_id);
        CREATE TABLE removed (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            ref_id INTEGER NOT NULL,
            removed_at TEXT NOT NULL
        );
        """,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
assert [name for name, _ in MIGRATIONS] == list(pg.MIGRATIONS), "every migration has its PostgreSQL form"


@dataclass(frozen=True)
class AddResult:
    """What one ``add`` did: counts, and the files that could not be read."""

    added: int = 0  # new contents
    references: int = 0  # searchable pictures added (video frames count one each)
    duplicates: int = 0  # contents already in the index (counted in ``copies``, not stored twice)
    skipped: int = 0  # paths already indexed unchanged (a resumed run)
    unreadable: tuple[tuple[str, str], ...] = ()  # (path, reason)
    # (path, reason): unchanged files whose reading crashed a worker in an earlier add, not read
    # again (``retry_failed=True`` reads them)
    after_crash: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "references": self.references, "duplicates": self.duplicates,
            "skipped": self.skipped, "unreadable": [{"path": printable_path(p), "reason": r} for p, r in self.unreadable],
            "skipped_after_crash": [{"path": printable_path(p), "reason": r} for p, r in self.after_crash],
        }  # fmt: skip


@dataclass(frozen=True)
class _Item:
    """What a worker read from one file for the index."""

    record: ImageRecord
    mtime: float | None
    regions: bytes | None  # REGIONS pHashes, little-endian uint64


def _db_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite failures on a damaged file become ReferenceIndexError, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: ReferenceIndex, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, (sqlite3.DatabaseError, *pg.database_errors())):
                raise
            # a driver's error may carry its connection's details: not chained to it
            raise ReferenceIndexError(f"{self.path}: the reference index cannot be read ({self._scrub(str(exc))})") from (
                exc if self._pg is None else None
            )

    return wrapper


def parse_published(value: str | dt.date | None) -> str | None:
    """A publication date or time as ISO 8601 text; ValueError when it is neither."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()


def _published_value(text: str | None) -> dt.date | dt.datetime | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        return None


class ReferenceIndex:
    """A reference set in a SQLite file: add pictures with provenance, match queries.

    Parameters
    ----------
    path : str or os.PathLike
        The index file, or a ``postgresql://user@host/db`` URL: a shared
        index in a PostgreSQL database (password from the URL, ``PGPASSWORD``
        or ``~/.pgpass``; ``path`` and every message show it without one).
    create : bool
        Create the file when it does not exist (``add`` does); when False a
        missing file is an error.
    read_only : bool
        Open for reading only (SQLite ``mode=ro``): nothing is written, not
        even a migration, so a file that cannot be written (a read-only
        copy, folder or mount) can be searched; a missing file is an error
        whatever ``create`` says, and ``add`` and ``remove`` raise.

    Raises
    ------
    ReferenceIndexError
        The file is missing (and ``create`` is False), is not SQLite, is
        corrupt, is a SQLite database of something else, or was made by a
        newer version (refused before anything is written).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with ReferenceIndex(os.path.join(d, "refs.db")) as index:
    ...         index.stats()["files"]
    0
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False) -> None:
        self.path = os.fsdecode(path)
        self.read_only = read_only
        self._table: HashTable | None = None
        self._table_key: tuple[int, int] | None = None
        self._applied: set[str] = set()
        self._pg: pg.Connection | None = None
        create = create and not read_only
        if pg.is_database_url(self.path):
            self._open_database(self.path, create=create)
            return
        exists = os.path.exists(self.path)
        if not exists and not create:
            raise ReferenceIndexError(f"{self.path}: no such reference index")
        if exists:
            if os.path.isdir(self.path):
                raise ReferenceIndexError(f"{self.path}: is a folder, not a reference index")
            try:
                with open(self.path, "rb") as f:
                    head = f.read(16)
            except OSError as exc:
                raise ReferenceIndexError(f"{self.path}: cannot read ({exc.strerror or exc})") from exc
            if head and head != _SQLITE_MAGIC:
                raise ReferenceIndexError(f"{self.path}: not a reference index (not an SQLite file)")
            if not head and not create:
                raise ReferenceIndexError(f"{self.path}: not a reference index (empty file)")
        try:
            self._con = self._connect_read_only() if read_only else self._connect(self.path)
        except sqlite3.Error as exc:
            raise ReferenceIndexError(f"{self.path}: cannot open ({exc})") from exc
        try:
            self._open(create=create)
        except sqlite3.OperationalError as exc:
            self._con.close()
            if not read_only and "readonly" in str(exc):
                raise ReferenceIndexError(f"{self.path}: cannot be written here ({exc}); read commands open it read-only") from exc
            raise ReferenceIndexError(f"{self.path}: not a readable reference index ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            self._con.close()
            raise ReferenceIndexError(f"{self.path}: not a readable reference index ({exc})") from exc
        except ReferenceIndexError:
            self._con.close()
            raise

    # -- opening and migrations -------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return self._pg.scrub(text) if self._pg is not None else text

    def _open_database(self, url: str, *, create: bool) -> None:
        """A PostgreSQL index: connect (libpq finds the password), check the schema, migrate under a lock."""
        self.path = pg.redact_url(url)
        try:
            self._pg = pg.Connection(url, read_only=self.read_only)
        except ImportError as exc:
            raise ReferenceIndexError(f"{self.path}: {exc}") from None
        except ConnectionError as exc:
            raise ReferenceIndexError(f"{self.path}: cannot connect ({exc})") from None
        self._con = self._pg  # type: ignore[assignment]  # the sqlite3.Connection calls the index makes
        try:
            self._applied = self._check_database(create=create)
            if not self.read_only:
                self._migrate_database()
        except ReferenceIndexError:
            self._pg.close()
            raise
        except pg.database_errors() as exc:
            self._pg.close()
            raise ReferenceIndexError(f"{self.path}: not a readable reference index ({self._scrub(str(exc))})") from None

    def _check_database(self, *, create: bool) -> set[str]:
        """The migrations applied to the database; refused when it holds something else, or a newer index."""
        con = self._con
        tables = {r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        if "migrations" not in tables:
            if tables & {"files", "refs"}:
                raise ReferenceIndexError(f"{self.path}: not a reference index (a database of something else)")
            if not create:
                raise ReferenceIndexError(f"{self.path}: no reference index in this database (index add creates one)")
            return set()
        mark = con.execute("SELECT obj_description(to_regclass('migrations'), 'pg_class')").fetchone()
        if not mark or mark[0] != pg.MARK:
            raise ReferenceIndexError(f"{self.path}: not a reference index (a database of something else)")
        done = {r[0] for r in con.execute("SELECT name FROM migrations")}
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise ReferenceIndexError(
                f"{self.path}: made by a newer version of forensics (unknown migrations: {', '.join(sorted(unknown))})"
            )
        return done

    def _migrate_database(self) -> None:
        """The named migrations, each in the transaction that records it, under an advisory lock:
        two editors opening a new index at once do not both create its tables."""
        con = self._con
        con.execute("BEGIN")
        try:
            con.execute("SELECT pg_advisory_xact_lock(?)", (pg.MIGRATION_LOCK,))
            con.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            if con.execute("SELECT obj_description(to_regclass('migrations'), 'pg_class')").fetchone()[0] is None:
                con.execute(f"COMMENT ON TABLE migrations IS '{pg.MARK}'")  # just created: marked ours (a foreign one was refused)
            done = self._check_database(create=True)  # again, under the lock
            for name, _ in MIGRATIONS:
                if name not in done:
                    con.execute(pg.MIGRATIONS[name])
                    con.execute("INSERT INTO migrations VALUES (?, ?)", (name, _now()))
                    done.add(name)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self._applied = done

    @staticmethod
    def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
        return sqlite3.connect(target, timeout=60.0, isolation_level=None, check_same_thread=False, uri=uri)

    def _connect_read_only(self) -> sqlite3.Connection:
        """A ``mode=ro`` connection; ``immutable=1`` only where nobody can be writing the file."""
        uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=ro"
        con = self._connect(uri, uri=True)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # SQLite opens the file (and its WAL) on first use
            return con
        except sqlite3.OperationalError:
            con.close()
            if not _in_wal_mode(self.path):
                raise
        # A file left in WAL mode (by an older version, or a writer that could not switch back)
        # needs an -shm file beside it to be read, which SQLite cannot create here. Without a
        # -wal file every commit is in the main file, and when no one at all may create files in
        # its folder (a read-only mount, or a folder without write permission for anyone) no
        # writer can start either: the file cannot change while it is read, and may be opened
        # immutable. Elsewhere an owner could be adding to it at this moment: refused.
        folder = os.path.dirname(os.path.abspath(self.path))
        if os.path.exists(self.path + "-wal"):
            raise ReferenceIndexError(
                f"{self.path}: has commits not yet merged into it (in {os.path.basename(self.path)}-wal) and SQLite cannot read"
                " them here without writing; open it once where it can be written"
            )
        if not _nobody_can_write(folder):
            raise ReferenceIndexError(
                f"{self.path}: is in WAL mode and its folder cannot be written by this account, so SQLite cannot read it"
                " safely; copy it to a folder you can write, or have its owner run sqlite3 on it with PRAGMA journal_mode=DELETE"
            )
        return self._connect(uri + "&immutable=1", uri=True)

    def _open(self, *, create: bool) -> None:
        con = self._con
        con.execute("PRAGMA busy_timeout = 60000")
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id != APPLICATION_ID:
            if tables or app_id:
                raise ReferenceIndexError(f"{self.path}: not a reference index (an SQLite database of something else)")
            if not create:
                raise ReferenceIndexError(f"{self.path}: not a reference index (empty database)")
        # before anything is written: a newer file is left as it is
        self._applied = self._check_version()
        if self.read_only:
            con.execute("PRAGMA query_only = ON")  # a connection setting: a write by mistake fails, nothing reaches the file
            return
        _journal_wal(con)
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _check_version(self) -> set[str]:
        """The migrations applied to the file; ReferenceIndexError when a newer version made it."""
        con = self._con
        version = con.execute("PRAGMA user_version").fetchone()[0]
        has_log = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
        done = {r[0] for r in con.execute("SELECT name FROM migrations")} if has_log else set()
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise ReferenceIndexError(
                f"{self.path}: made by a newer version of forensics (unknown migrations: {', '.join(sorted(unknown))})"
            )
        if version > SCHEMA_VERSION:
            raise ReferenceIndexError(
                f"{self.path}: made by a newer version of forensics (schema {version}; this version knows up to {SCHEMA_VERSION})"
            )
        return done

    def _migrate(self) -> None:
        con = self._con
        with self._writing():
            con.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = self._check_version()  # again, under the write lock
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute("INSERT INTO migrations VALUES (?, ?)", (name, _now()))
                done.add(name)
            # written only when they differ: opening an up-to-date index changes nothing in it
            if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._applied = done

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole or rolled back."""
        if self.read_only:
            raise ReferenceIndexError(f"{self.path}: opened read-only")
        con = self._con
        if self._pg is not None:
            con.execute("BEGIN")
            try:
                # one batch at a time across every writer: ids rise in commit order (see refs/postgres.py)
                con.execute("SELECT pg_advisory_xact_lock(?)", (pg.WRITE_LOCK,))
            except BaseException:
                con.execute("ROLLBACK")
                raise
        else:
            con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the file (further calls fail).

        A writer leaves the file in rollback-journal mode, its WAL merged and
        removed, so that readers of a read-only copy need no ``-wal`` or
        ``-shm`` file. While another connection has the file open it stays in
        WAL mode, until a writer closes it alone.
        """
        if self._pg is not None:
            self._pg.close()
            return
        if not self.read_only:
            try:
                self._con.execute("PRAGMA busy_timeout = 0")  # another connection open: no waiting, the file stays in WAL mode
                self._con.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error:
                pass
        self._con.close()

    def __enter__(self) -> ReferenceIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReferenceIndex({self.path!r})"

    # -- adding ---------------------------------------------------------------------------------------

    @_db_errors
    def add(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        source: str | None = None,
        published: str | dt.date | None = None,
        url: str | None = None,
        label: str | None = None,
        workers: int | None = None,
        progress: Progress | None = None,
        batch: int = BATCH,
        retry_failed: bool = False,
        dask: str | Client | None = None,
    ) -> AddResult:
        """Add the pictures and videos under ``paths`` (folders recursively) with their provenance.

        Parameters
        ----------
        paths : str, os.PathLike or an iterable of them
            Files and folders (a single path is one path).
        source, url, label : str, optional
            Where the pictures were published, and a free label to group them by.
        published : str or datetime.date, optional
            Publication date or time (ISO 8601).
        workers : int, optional
            Processes that read and hash files; default: every core.
        progress : callable, optional
            Called as ``progress(done, total)``.
        batch : int
            Files per transaction; an interrupted run keeps every finished batch
            and a rerun skips the paths already indexed.
        retry_failed : bool
            Read again the files whose reading crashed a worker in an earlier
            add; by default they are skipped while unchanged (``after_crash``).
        dask : str or distributed.Client, optional
            Read and hash on a Dask cluster instead of this machine's
            processes: a scheduler's address (``tcp://host:8786``),
            ``"local"``, or a connected client. The workers must see the
            files under the same paths; this process commits
            (:mod:`forensics.refs.cluster`).

        Returns
        -------
        AddResult
            Counts of added, duplicate, skipped and unreadable files.
        """

        if self.read_only:
            raise ReferenceIndexError(f"{self.path}: opened read-only")
        try:
            published_text = parse_published(published)
        except ValueError as exc:
            raise ReferenceIndexError(f"publication date {published!r} is not ISO 8601 (YYYY-MM-DD)") from exc
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        found = discover([os.path.abspath(os.fsdecode(p)) for p in paths])
        own = {os.path.abspath(self.path + suffix) for suffix in ("", "-wal", "-shm", "-journal")}
        files = [f for f in found.files if f not in own]  # an index kept beside its pictures
        total = len(files)
        todo, skipped = self._not_yet_indexed(files)
        failed = self._known(todo, "failed")
        after_crash = [] if retry_failed else [(p, failed[p][0][2]) for p in todo if p in failed and _unchanged(p, failed[p])]
        if after_crash:
            passed = {p for p, _ in after_crash}
            todo = [p for p in todo if p not in passed]
        added = refs = duplicates = 0
        unreadable: list[tuple[str, str]] = [(p, "not found") for p in found.missing]
        done = skipped + len(after_crash)
        if progress:
            progress(done, total)
        pending: list[_Item] = []
        settled: list[str] = []  # read without a crash: no longer a failed file

        def flush() -> None:
            nonlocal added, refs, duplicates
            if not pending and not settled:
                return
            a, r, d = self._write(pending, settled, source=source, url=url, published=published_text, label=label)
            added, refs, duplicates = added + a, refs + r, duplicates + d
            pending.clear()
            settled.clear()

        if dask is not None:
            from forensics.refs.cluster import read_on_cluster  # distributed: only when asked for

            items = read_on_cluster(
                todo, dask, read=_read_chunk_items, read_here=_read_item, on_crash=_unreadable_item, on_error=_failed_item
            )
        else:
            items = _read_items(todo, workers=workers)
        for item in items:
            record = item.record
            frames = _frames(record)  # a video cut short keeps the frames read before the damage
            if record.error == READ_CRASHED:
                unreadable.append((record.path, record.error))
                self._remember_crash(record.path, record.error)  # at once: the run may not live to its next batch
            else:
                if (record.error and not frames) or (record.hashes is None and not frames):
                    unreadable.append((record.path, record.error or "no picture to hash"))
                else:
                    pending.append(item)
                if record.path in failed:
                    settled.append(record.path)
            done += 1
            if len(pending) >= batch:
                flush()
            if progress:
                progress(done, total)
        flush()
        return AddResult(
            added=added, references=refs, duplicates=duplicates, skipped=skipped, unreadable=tuple(unreadable),
            after_crash=tuple(after_crash),
        )  # fmt: skip

    def _known(self, files: Sequence[str], table: str) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of ``table`` (files, copies or failed) for these paths: path -> [(size, mtime, *extra)]."""
        extra = ", reason" if table == "failed" else ""
        known: dict[str, list[tuple[Any, ...]]] = {}
        for i in range(0, len(files), 500):
            part = [printable_path(p) for p in files[i : i + 500]]
            q = f"SELECT path, raw_path, size, mtime{extra} FROM {table} WHERE path IN ({','.join('?' * len(part))})"
            for path, raw, *facts in self._con.execute(q, part):
                known.setdefault(_real_path(path, raw), []).append(tuple(facts))
        return known

    def _not_yet_indexed(self, files: Sequence[str]) -> tuple[list[str], int]:
        """Paths whose file (same size and modification time) is not in the index yet, as content or as a copy."""
        known = self._known(files, "files")
        for path, rows in self._known(files, "copies").items():
            known.setdefault(path, []).extend(rows)
        todo = [p for p in files if p not in known or not _unchanged(p, known[p])]
        return todo, len(files) - len(todo)

    def _remember_crash(self, path: str, reason: str) -> None:
        """Record a file that killed its worker, as it is now: a rerun skips it while it stays so."""
        try:
            st: os.stat_result | None = os.stat(path)
        except OSError:
            st = None
        upsert = "INSERT" if self._pg is not None else "INSERT OR REPLACE"
        conflict = (
            " ON CONFLICT (path) DO UPDATE SET raw_path = excluded.raw_path, size = excluded.size, mtime = excluded.mtime,"
            " reason = excluded.reason, failed_at = excluded.failed_at"
            if self._pg is not None
            else ""
        )
        with self._writing() as con:
            con.execute(
                f"{upsert} INTO failed (path, raw_path, size, mtime, reason, failed_at) VALUES (?,?,?,?,?,?){conflict}",
                (*_stored_path(path), st.st_size if st else None, st.st_mtime if st else None, reason, _now()),
            )

    def _write(
        self,
        items: Sequence[_Item],
        settled: Sequence[str],
        *,
        source: str | None,
        url: str | None,
        published: str | None,
        label: str | None,
    ) -> tuple[int, int, int]:
        added = refs = duplicates = 0
        with self._writing() as con:
            for path in settled:
                con.execute("DELETE FROM failed WHERE path = ?", (printable_path(path),))
            for item in items:
                r = item.record
                row = con.execute("SELECT id, path, raw_path FROM files WHERE sha256 = ?", (r.sha256,)).fetchone()
                if row is not None:
                    duplicates += 1
                    self._record_copy(row[0], r.path, same=_real_path(row[1], row[2]) == r.path, size=r.size, mtime=item.mtime)
                    continue
                m = r.metadata
                size = r.display_size or (None, None)
                cur = con.execute(
                    "INSERT INTO files (sha256, path, raw_path, size, mtime, kind, format, width, height, make, model, software,"
                    " captured, duration, source, url, published, label, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    + self._returning_id,
                    (
                        r.sha256, *_stored_path(r.path), r.size, item.mtime, r.kind, r.format, size[0], size[1], m.make, m.model,
                        m.software, m.capture_time.isoformat() if m.capture_time else None,
                        r.video.duration if r.video else None, source, url, published, label, _now(),
                    ),
                )  # fmt: skip
                if self._pg is not None:
                    inserted = cur.fetchone()
                    if inserted is None:  # another writer's commit got there first: a copy, as above
                        row = con.execute("SELECT id, path, raw_path FROM files WHERE sha256 = ?", (r.sha256,)).fetchone()
                        duplicates += 1
                        self._record_copy(row[0], r.path, same=_real_path(row[1], row[2]) == r.path, size=r.size, mtime=item.mtime)
                        continue
                    file_id = inserted[0]
                else:
                    file_id = cur.lastrowid
                added += 1
                if r.hashes is not None and r.kind != "video":
                    con.execute(
                        "INSERT INTO refs (file_id, timestamp, phash, dhash, ahash, whash, colorhash, regions) VALUES (?,?,?,?,?,?,?,?)",
                        (file_id, None, *_hash_columns(r.hashes), item.regions),
                    )
                    refs += 1
                for frame in _frames(r):
                    con.execute(
                        "INSERT INTO refs (file_id, timestamp, phash, dhash, ahash, whash, colorhash, regions) VALUES (?,?,?,?,?,?,?,?)",
                        (file_id, float(frame.timestamp), *_hash_columns(frame.hashes), None),
                    )
                    refs += 1
        return added, refs, duplicates

    @property
    def _returning_id(self) -> str:
        # the unique sha256 is the guard against a second row for one content; the write lock
        # already orders the writers, so the conflict is never met, but it is what the schema says
        return " ON CONFLICT (sha256) DO NOTHING RETURNING id" if self._pg is not None else ""

    def _record_copy(self, file_id: int, path: str, *, same: bool, size: int | None, mtime: float | None) -> None:
        """Content already indexed, met at ``path``: a copy is one (path, content) pair, whatever the reruns.

        Its size and modification time are brought up to date, so that the
        next rerun skips the path without reading it.
        """
        con = self._con
        if same:  # the indexed file itself, touched since
            con.execute("UPDATE files SET size = ?, mtime = ? WHERE id = ?", (size, mtime, file_id))
            return
        shown, raw = _stored_path(path)
        cur = con.execute(
            "UPDATE copies SET raw_path = ?, size = ?, mtime = ? WHERE file_id = ? AND path = ?", (raw, size, mtime, file_id, shown)
        )
        if cur.rowcount == 0:
            con.execute(
                "INSERT INTO copies (file_id, path, raw_path, size, mtime, added_at) VALUES (?,?,?,?,?,?)",
                (file_id, shown, raw, size, mtime, _now()),
            )
            _recount_copies(con, [file_id])

    # -- reading ------------------------------------------------------------------------------------

    @_db_errors
    def files(self, *, source: str | None = None, label: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The indexed files with their provenance, oldest addition first."""
        where, args = _filters(source=source, label=label)
        sql = f"SELECT f.*, (SELECT COUNT(*) FROM refs r WHERE r.file_id = f.id) AS refs FROM files f{where} ORDER BY f.id" + (
            f" LIMIT {int(limit)}" if limit else ""
        )
        cur = self._con.execute(sql, args)
        names = [d[0] for d in cur.description]
        return [_without_raw(dict(zip(names, row))) for row in cur]

    @_db_errors
    def stats(self) -> dict[str, Any]:
        """Counts by kind, source and label; schema version; file size; files skipped after a crash."""
        con = self._con
        files = con.execute("SELECT COUNT(*), COALESCE(SUM(copies), 0) FROM files").fetchone()
        refs = con.execute("SELECT COUNT(*), COUNT(timestamp) FROM refs").fetchone()

        def by(col: str) -> dict[str, int]:
            return {
                str(k) if k is not None else "": n
                for k, n in con.execute(f"SELECT {col}, COUNT(*) FROM files GROUP BY {col} ORDER BY 2 DESC, 1")
            }

        span = con.execute("SELECT MIN(published), MAX(published) FROM files").fetchone()
        failed = con.execute("SELECT COUNT(*) FROM failed").fetchone()[0] if "0004_failed" in self._applied else 0
        if self._pg is not None:
            size = con.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size(to_regclass(name))), 0) FROM unnest(?::text[]) AS name",
                (["files", "refs", "copies", "failed", "removed", "migrations"],),
            ).fetchone()[0]
            version = len(self._applied)  # the named migrations are applied in order
        else:
            size = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
            version = con.execute("PRAGMA user_version").fetchone()[0]  # the file's: read-only opening migrates nothing
        return {
            "path": self.path,
            "schema_version": version,
            "migrations": [r[0] for r in con.execute("SELECT name FROM migrations ORDER BY name")],
            "files": files[0],
            "other_copies": files[1] - files[0],  # distinct (path, content) pairs beyond each content's first path
            "references": refs[0],
            "video_frames": refs[1],
            "by_kind": by("kind"),
            "by_source": by("source"),
            "by_label": by("label"),
            "published": {"earliest": span[0], "latest": span[1]},
            "failed": failed,  # files skipped by add since reading them crashed a worker
            "bytes": int(size),
            "backend": "postgresql" if self._pg is not None else "sqlite",
        }

    @_db_errors
    def remove(self, *, source: str | None = None, label: str | None = None, paths: Sequence[str] = ()) -> int:
        """Remove files (and their references) by source, label or path; returns how many.

        ``paths`` may name files or folders (everything indexed under a folder
        goes, and so do the copies recorded there of contents that stay). At
        least one criterion is needed: removing everything takes deleting the
        file.
        """
        if source is None and label is None and not paths:
            raise ReferenceIndexError("say what to remove: a source, a label or paths")
        clauses, args = _conditions(source=source, label=label, alias="")
        under, under_args = _under(paths)
        with self._writing() as con:
            where = " AND ".join(clauses + ([under] if paths else []))
            ids = [r[0] for r in con.execute(f"SELECT id FROM files WHERE {where}", args + under_args)]
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ",".join("?" * len(part))
                if "0005_removed" in self._applied:  # for the matchers that hold the arrays in memory
                    con.execute(
                        f"INSERT INTO removed (ref_id, removed_at) SELECT id, ? FROM refs WHERE file_id IN ({marks})", [_now(), *part]
                    )
                con.execute(f"DELETE FROM refs WHERE file_id IN ({marks})", part)
                con.execute(f"DELETE FROM copies WHERE file_id IN ({marks})", part)
                con.execute(f"DELETE FROM files WHERE id IN ({marks})", part)
            if paths:
                of_files = f" AND file_id IN (SELECT id FROM files WHERE {' AND '.join(clauses)})" if clauses else ""
                touched = [r[0] for r in con.execute(f"SELECT DISTINCT file_id FROM copies WHERE {under}{of_files}", under_args + args)]
                con.execute(f"DELETE FROM copies WHERE {under}{of_files}", under_args + args)
                _recount_copies(con, touched)
        return len(ids)

    @_db_errors
    def export(self) -> Iterator[dict[str, Any]]:
        """One dict per file: its row, provenance and the hashes of each of its references."""
        import numpy as np

        con = self._con
        cur = con.execute("SELECT * FROM files ORDER BY id")
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            d = _without_raw(dict(zip(names, row)))
            d["references"] = [
                {
                    "id": rid,
                    "timestamp": ts,
                    "phash": _hex(p),
                    "dhash": _hex(dh),
                    "ahash": _hex(a),
                    "whash": _hex(w),
                    "colorhash": c,
                    "regions": {name: _hex(int(v)) for (name, _), v in zip(REGIONS, np.frombuffer(reg, "<u8"))} if reg else None,
                }
                for rid, ts, p, dh, a, w, c, reg in con.execute(
                    "SELECT id, timestamp, phash, dhash, ahash, whash, colorhash, regions FROM refs WHERE file_id = ? ORDER BY id",
                    (d["id"],),
                )
            ]
            yield d

    @_db_errors
    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM refs").fetchone()[0])

    @_db_errors
    def table(self, *, since: int | None = None) -> HashTable:
        """The packed search arrays, loaded once and reloaded when the index changed.

        Parameters
        ----------
        since : int, optional
            Only the references with a larger id: what was added after a
            table whose largest id was ``since`` (ids are never handed out
            twice and rise in commit order). Not cached.
        """
        if since is not None:
            return self._load_table(since)
        key = self._change_key()
        if self._table is not None and key == self._table_key:
            return self._table
        table = self._load_table(None)
        self._table, self._table_key = table, key
        return table

    def _load_table(self, since: int | None) -> HashTable:
        if self._pg is not None:  # one binary COPY parsed by numpy: no Python object per row
            try:
                return self._pg.hash_table(len(REGIONS), since=since)
            except ValueError as exc:
                raise ReferenceIndexError(f"{self.path}: the search arrays cannot be read ({exc})") from None
        if since is not None:
            return _pack(self._con.execute("SELECT id, phash, dhash, regions FROM refs WHERE id > ? ORDER BY id", (int(since),)).fetchall())
        return _pack(self._con.execute("SELECT id, phash, dhash, regions FROM refs ORDER BY id").fetchall())

    def _change_key(self) -> tuple[int, int]:
        if self._pg is not None:  # ids are never reused and every removal is logged: the two largest say what changed
            row = self._con.execute(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM refs), (SELECT COALESCE(MAX(seq), 0) FROM removed)"
            ).fetchone()
            return int(row[0]), int(row[1])
        return self._con.execute("PRAGMA data_version").fetchone()[0], self._con.total_changes

    @_db_errors
    def removed(self, *, since: int = 0) -> tuple[list[int], int]:
        """The reference ids removed after removal number ``since``, and the number of the last removal.

        With :meth:`table` (``since=``), what a matcher holding the arrays in
        memory needs to follow the index (:mod:`forensics.refs.matcher`).
        An index of an older schema opened read-only has no log: nothing.
        """
        if "0005_removed" not in self._applied:
            return [], since
        rows = self._con.execute("SELECT seq, ref_id FROM removed WHERE seq > ? ORDER BY seq", (int(since),)).fetchall()
        return [int(r[1]) for r in rows], (int(rows[-1][0]) if rows else since)

    @_db_errors
    def last_removal(self) -> int:
        """The number of the last removal logged (0 when none)."""
        if "0005_removed" not in self._applied:
            return 0
        return int(self._con.execute("SELECT COALESCE(MAX(seq), 0) FROM removed").fetchone()[0])

    @_db_errors
    def references(self, ids: Iterable[int]) -> dict[int, tuple[Reference, dict[str, Any]]]:
        """References by id, each with its stored hashes (ints) and file facts."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        raw = "f.raw_path" if "0002_raw_path" in self._applied else "NULL"  # a first-schema file opened read-only
        out: dict[int, tuple[Reference, dict[str, Any]]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = (
                f"SELECT r.id, r.timestamp, r.phash, r.dhash, r.ahash, r.whash, r.colorhash, f.path, {raw}, f.sha256, f.source,"
                " f.url, f.published, f.label, f.width, f.height, f.kind FROM refs r JOIN files f ON f.id = r.file_id"
                f" WHERE r.id IN ({','.join('?' * len(part))})"
            )
            for rid, ts, ph, dh, ah, wh, ch, shown, raw, sha, source, url, pub, label, w, h, kind in self._con.execute(q, part):
                path = _real_path(shown, raw)  # the exact name, to reopen the file
                ref = Reference(
                    id=rid, path=path, sha256=sha, source=source, url=url, published=_published_value(pub), label=label,
                    width=w, height=h, timestamp=ts, video=path if kind == "video" else None,
                )  # fmt: skip
                hashes = {"phash": to_unsigned(ph), "dhash": to_unsigned(dh), "ahash": _opt(ah), "whash": _opt(wh), "colorhash": ch}
                out[rid] = (ref, hashes)
        return out

    @_db_errors
    def contains_sha256(self, sha256: str) -> list[int]:
        """Reference ids of the file with this SHA-256 (empty when not indexed)."""
        q = "SELECT r.id FROM refs r JOIN files f ON f.id = r.file_id WHERE f.sha256 = ? ORDER BY r.id"
        return [r[0] for r in self._con.execute(q, (sha256,))]

    # -- matching -------------------------------------------------------------------------------------

    def match(
        self,
        records: Iterable[ImageRecord],
        *,
        max_distance: int | None = None,
        verify: bool = True,
        progress: Progress | None = None,
    ) -> list[Match]:
        """Find each record's picture (or video frames) in the index.

        Parameters
        ----------
        records : iterable of ImageRecord
            Records from :func:`forensics.read_file` (or a scan).
        max_distance : int, optional
            Largest pHash distance (bits of 64) for a hash match; default 10.
        verify : bool
            Confirm unsure candidates (crops, overlays, frames) with local
            features; without it only hash matches are returned.
        progress : callable, optional
            Called as ``progress(done, total)`` over the records.

        Returns
        -------
        list of Match
            One per (query, reference) pair found; a query without a match has none.
        """

        return find_matches(
            self,
            list(records),
            max_distance=DEFAULT_MAX_DISTANCE if max_distance is None else max_distance,
            verify=verify,
            progress=progress,
        )


def _unchanged(path: str, rows: Iterable[tuple[Any, ...]]) -> bool:
    """Whether the file at ``path`` still has the size and modification time of one of ``rows``."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return any(size == st.st_size and mtime is not None and abs(mtime - st.st_mtime) < 1e-3 for size, mtime, *_ in rows)


def _recount_copies(con: sqlite3.Connection, file_ids: Iterable[int]) -> None:
    for file_id in file_ids:
        con.execute("UPDATE files SET copies = 1 + (SELECT COUNT(*) FROM copies WHERE file_id = ?) WHERE id = ?", (file_id, file_id))


def _under(paths: Sequence[str | os.PathLike[str]]) -> tuple[str, list[Any]]:
    """An SQL condition on ``path``: one of these files, or anything under one of these folders."""
    alts: list[str] = []
    args: list[Any] = []
    for p in paths:
        shown = printable_path(os.path.abspath(os.fsdecode(p)))
        prefix = shown.rstrip(os.sep) + os.sep
        alts.append("path = ? OR substr(path, 1, CAST(? AS INTEGER)) = ?")
        args.extend([shown, len(prefix), prefix])
    return "(" + " OR ".join(alts) + ")", args


def _in_wal_mode(path: str) -> bool:
    """Whether the SQLite header says WAL (file format versions 2 at offsets 18 and 19)."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return head[18:20] == b"\x02\x02"


def _nobody_can_write(folder: str) -> bool:
    """A read-only mount, or a folder with no write permission for anyone (root aside)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        return not os.stat(folder).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _stored_path(path: str) -> tuple[str, bytes | None]:
    """A path as the ``path`` (readable text) and ``raw_path`` (exact bytes, only when they differ) columns."""
    shown = printable_path(path)
    return shown, (None if shown == path else os.fsencode(path))


def _real_path(shown: str, raw: bytes | None) -> str:
    return shown if raw is None else os.fsdecode(raw)


def _without_raw(row: dict[str, Any]) -> dict[str, Any]:
    row.pop("raw_path", None)  # bytes, for reopening only: ``path`` is the name to show
    return row


def _hex(v: int | None) -> str | None:
    return None if v is None else f"{to_unsigned(v):016x}"


def _opt(v: int | None) -> int | None:
    return None if v is None else to_unsigned(v)


def _conditions(*, source: str | None, label: str | None, alias: str = "f.") -> tuple[list[str], list[Any]]:
    """SQL conditions (and their arguments) selecting files by source and label."""
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (("source", source), ("label", label)):
        if value is not None:
            clauses.append(f"{alias}{column} = ?")
            args.append(value)
    return clauses, args


def _filters(*, source: str | None, label: str | None) -> tuple[str, list[Any]]:
    clauses, args = _conditions(source=source, label=label)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _hash_columns(h: Any) -> tuple[int, int, int, int, str]:
    return (
        to_signed(hex_to_int(h.phash)), to_signed(hex_to_int(h.dhash)), to_signed(hex_to_int(h.ahash)),
        to_signed(hex_to_int(h.whash)), h.colorhash,
    )  # fmt: skip


def _frames(record: ImageRecord) -> tuple[Any, ...]:
    return record.video.frames if record.video is not None else ()


def _read_item(path: str) -> _Item:
    import numpy as np

    # one decode: the regions are hashed from the small picture the whole-picture hashes came from
    # (measured with benchmarks/neardup_eval.py: recall unchanged against hashing a 512-px copy)
    record, picture = read_picture(path)
    try:
        mtime: float | None = os.stat(path).st_mtime
    except OSError:
        mtime = None
    regions = None
    if picture is not None and record.hashes is not None:
        try:
            regions = np.array(region_hashes(picture), dtype=np.uint64).astype("<u8").tobytes()
        except Exception:  # noqa: BLE001  (the whole-picture hashes are still good; crops will not be found)
            regions = None
    return _Item(record, mtime, regions)


def _unreadable_item(path: str) -> _Item:
    return _Item(ImageRecord(path=path, error=READ_CRASHED), None, None)


def _failed_item(path: str, reason: str) -> _Item:
    return _Item(ImageRecord(path=path, error=reason), None, None)


def _read_chunk_items(paths: Sequence[str]) -> list[_Item]:
    """A chunk of a cluster add, on its worker: read as a local add reads, in a process of its own."""
    return list(_read_items(paths, workers=1))


def _read_items(paths: Sequence[str], *, workers: int | None) -> Iterator[_Item]:
    """Read files in worker processes, yielding in order as they finish; a file that
    kills its process comes back unreadable and costs no other file. A few files, or one
    worker's, are read in a worker process too: the add must live to remember the crash."""
    seconds = limits().time_limit

    def stopped(path: str) -> _Item:  # at the time limit: unreadable, and not remembered as a crash
        return _Item(ImageRecord(path=path, error=stopped_reason(seconds)), None, None)

    yield from imap_isolated(
        _read_item, paths, on_crash=_unreadable_item, on_timeout=stopped, workers=workers, most=16, isolate=True, ahead=offer_next
    )


WAL_WAIT = 60.0  # seconds an opening waits for the file's journal mode to be switched, as its busy timeout


def _journal_wal(con: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting while another process holds it.

    SQLite answers "database is locked" at once, without its busy handler, when the switch meets
    another connection's lock: an editor whose add began while another's was closing (and
    switching the file back to a rollback journal) failed to open the index.
    """
    deadline = time.monotonic() + WAL_WAIT
    pause = 0.005
    while True:
        try:
            con.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(0.25, pause * 2)


def _pack(rows: Sequence[tuple[Any, ...]]) -> HashTable:
    """Rows of (id, phash, dhash, regions) as the search arrays."""
    import numpy as np

    from forensics.refs.search import HashTable  # deferred: numpy load on first use, not on `import forensics`

    n = len(rows)
    k = len(REGIONS)
    if not n:
        return HashTable.empty(k)
    ids = np.fromiter((r[0] for r in rows), np.int64, n)
    ph = np.fromiter((r[1] for r in rows), np.int64, n).view(np.uint64)
    dh = np.fromiter((r[2] for r in rows), np.int64, n).view(np.uint64)
    blank = bytes(8 * k)
    has = np.fromiter((r[3] is not None and len(r[3]) == 8 * k for r in rows), bool, n)
    blob = b"".join(bytes(r[3]) if ok else blank for r, ok in zip(rows, has))
    regions = np.frombuffer(blob, "<u8").reshape(n, k).T.astype(np.uint64, order="C")
    return HashTable(ids, ph, dh, regions, has)
