"""The reference index under hostile conditions: reruns change nothing, reading writes nothing
(a read-only file, folder or mount, a newer file), and a file that crashed its reader is not
read again on every rerun."""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from imagegen import photo

from forensics import ReferenceIndex, ReferenceIndexError
from forensics.cli import cli
from forensics.read.pool import READ_CRASHED
from forensics.refs import index as index_module
from forensics.refs.index import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION


def _picture(path: Path, seed: int, size=(160, 120)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    photo(seed, size).save(path, quality=88)
    return path


def _cli(*args: str | os.PathLike[str]):
    return CliRunner().invoke(cli, [os.fspath(a) for a in args])


def _dump(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


# -- copies: distinct (path, content) pairs, not add events ---------------------------------------


@pytest.fixture
def dup(tmp_path) -> Path:
    folder = tmp_path / "dup"
    _picture(folder / "a.jpg", 1)
    shutil.copy(folder / "a.jpg", folder / "b.jpg")
    return folder


def test_a_rerun_of_the_same_add_changes_nothing(tmp_path, dup):
    db = tmp_path / "d.db"
    first = _cli("index", "add", db, dup, "--json", "-q", "-w", "1")
    assert first.exit_code == 0, first.output
    assert (json.loads(first.stdout)["added"], json.loads(first.stdout)["duplicates"]) == (1, 1)
    after_first = _dump(db)
    for _ in range(2):
        again = _cli("index", "add", db, dup, "--json", "-q", "-w", "1")
        assert again.exit_code == 0, again.output
        counts = json.loads(again.stdout)
        assert (counts["added"], counts["duplicates"], counts["skipped"]) == (0, 0, 2)  # the copy is known too: not even read
        assert _dump(db) == after_first
    stats = json.loads(_cli("index", "stats", db, "--json").stdout)
    assert (stats["files"], stats["other_copies"]) == (1, 1)
    assert "1 file(s) (and 1 copies under other paths)" in _cli("index", "stats", db).stdout


def test_copies_count_paths_and_follow_removal(tmp_path, dup):
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(dup / "a.jpg", more / "c.jpg")
    with ReferenceIndex(tmp_path / "d.db") as index:
        index.add([dup], workers=1)
        assert index.add([more, dup], workers=1).duplicates == 1  # c.jpg only: a.jpg and b.jpg are known
        assert index.files()[0]["copies"] == 3 and index.stats()["other_copies"] == 2
        os.utime(dup / "b.jpg", (1_000_000_000, 1_000_000_000))  # touched, same content: still the same pair
        touched = index.add([dup], workers=1)
        assert (touched.duplicates, touched.skipped) == (1, 1) and index.files()[0]["copies"] == 3
        assert index.add([dup], workers=1).skipped == 2  # and known as it is now
        assert index.remove(paths=[more]) == 0  # a copy goes, not the content
        assert index.files()[0]["copies"] == 2
        assert index.remove(paths=[dup / "a.jpg"]) == 1  # the content goes with its copies
        assert index.stats()["files"] == 0
        con = index._con
        assert con.execute("SELECT COUNT(*) FROM copies").fetchone()[0] == 0


def _schema_2_index(db: Path, *, copies: int) -> None:
    """An index as version 2 of the schema left it, with an inflated copy count."""
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:2]:
        for statement in sql.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("INSERT INTO migrations VALUES (?, 'x')", (name,))
    con.execute(
        "INSERT INTO files (sha256, path, size, mtime, kind, added_at, copies) VALUES (?, ?, 1, 1.0, 'image', 'x', ?)",
        ("00" * 32, "/nowhere/a.jpg", copies),
    )
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()


def test_the_copies_migration_repairs_an_inflated_count(tmp_path, dup):
    db = tmp_path / "old.db"
    _schema_2_index(db, copies=7)
    with ReferenceIndex(db, read_only=True) as index:  # reading migrates nothing
        assert index.stats()["other_copies"] == 6 and index.stats()["schema_version"] == 2
    with ReferenceIndex(db) as index:
        stats = index.stats()
        assert stats["migrations"] == [name for name, _ in MIGRATIONS] and stats["schema_version"] == SCHEMA_VERSION
        assert stats["other_copies"] == 0  # reruns and copies cannot be told apart: counted again from here
        index.add([dup], workers=1)
        assert index.stats()["other_copies"] == 1


# -- reading writes nothing ------------------------------------------------------------------------


def _state(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry of the folder: its bytes (hashed), modification time and mode."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = p.stat()
        out[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "", st.st_mtime_ns, st.st_mode)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """Three reference pictures and their index, made once; a query picture of one of them."""
    root = tmp_path_factory.mktemp("built")
    refs = root / "refs"
    for i in range(3):
        _picture(refs / f"r{i}.jpg", 10 + i)
    db = root / "refs.db"
    with ReferenceIndex(db) as index:
        index.add([refs], workers=1)
    return db, _picture(root / "q" / "q.jpg", 11)


@pytest.fixture
def indexed(tmp_path, built) -> tuple[Path, Path]:
    """A copy of that index in a folder of its own, and the query picture."""
    db, query = built
    (tmp_path / "store").mkdir()
    copy = tmp_path / "store" / "refs.db"
    shutil.copy2(db, copy)
    return copy, query


def _to_legacy_wal(db: Path) -> None:
    """Leave the file in WAL mode at rest, as versions before rollback-at-rest did."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    con.close()
    assert not os.path.exists(f"{db}-wal")


READ_COMMANDS = [
    ("index", "stats"),
    ("index", "stats", "--json"),
    ("index", "ls"),
    ("index", "ls", "--json"),
    ("index", "export", "--jsonl"),
    ("match", "{query}", "--json", "--refs"),
    ("scan", "{query}", "--json", "-q", "--refs"),
]


def _read_args(command: tuple[str, ...], db: Path, query: Path) -> list[str]:
    args = [a.format(query=query) for a in command]
    return [*args, str(db)] if args[-1] == "--refs" else [*args[:2], str(db), *args[2:]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_read_commands_never_write(indexed, command):
    db, query = indexed
    before = _state(db.parent)
    assert list(before) == ["refs.db"]  # at rest: no -wal, no -shm
    result = _cli(*_read_args(command, db, query))
    assert result.exit_code == 0, result.output
    assert _state(db.parent) == before


def test_a_legacy_wal_file_is_read_without_being_changed(indexed):
    db, query = indexed
    _to_legacy_wal(db)
    main = _state(db.parent)["refs.db"]
    for command in READ_COMMANDS:
        result = _cli(*_read_args(command, db, query))
        assert result.exit_code == 0, result.output
        after = _state(db.parent)
        # SQLite coordinates WAL readers through an -shm file it creates where it may; the file itself is untouched
        assert after["refs.db"] == main and set(after) <= {"refs.db", "refs.db-wal", "refs.db-shm"}
        assert os.path.getsize(f"{db}-wal") == 0


def test_a_read_only_connection_cannot_write(indexed):
    db, _ = indexed
    before = _state(db.parent)
    with ReferenceIndex(db, read_only=True) as index:
        assert index.read_only and index.stats()["files"] == 3 and len(index.table()) == 3
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
            index._con.execute("DELETE FROM refs")
        with pytest.raises(ReferenceIndexError, match="read-only"):
            index.add([db.parent], workers=1)
        with pytest.raises(ReferenceIndexError, match="read-only"):
            index.remove(source="x")
    assert _state(db.parent) == before
    with pytest.raises(ReferenceIndexError, match="no such"):
        ReferenceIndex(db.parent / "new.db", read_only=True)  # whatever create says
    assert not (db.parent / "new.db").exists()


def test_a_read_only_reader_follows_a_writer(tmp_path, indexed):
    db, _ = indexed
    writer = ReferenceIndex(db)
    reader = ReferenceIndex(db, read_only=True)
    assert len(reader.table()) == 3
    writer.add([_picture(tmp_path / "more" / "m.jpg", 40)], workers=1)
    assert len(reader.table()) == 4  # WAL: the reader sees the writer's commits
    writer.close()  # not alone: the file stays in WAL mode
    reader.close()
    with ReferenceIndex(db) as index:
        assert len(index) == 4
    assert sorted(os.listdir(db.parent)) == ["refs.db"]  # the last writer closed alone: back at rest


def test_a_first_schema_index_is_read_read_only(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for statement in MIGRATIONS[0][1].split(";"):
        if statement.strip():
            con.execute(statement)
    con.execute("INSERT INTO migrations VALUES ('0001_initial', 'x')")
    con.execute("INSERT INTO files (id, sha256, path, kind, added_at) VALUES (1, ?, '/x/a.jpg', 'image', 'x')", ("11" * 32,))
    con.execute("INSERT INTO refs (file_id, phash, dhash) VALUES (1, 5, 6)")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.commit()
    con.close()
    before = db.read_bytes()
    with ReferenceIndex(db, read_only=True) as index:
        assert index.stats()["migrations"] == ["0001_initial"]
        ((ref, hashes),) = index.references(index.table().ids.tolist()).values()
        assert ref.path == "/x/a.jpg" and hashes["phash"] == 5
    assert db.read_bytes() == before


@pytest.mark.parametrize("how", ["user_version", "migration"])
def test_a_newer_index_is_refused_by_every_command_and_left_unchanged(indexed, how):
    db, query = indexed
    con = sqlite3.connect(db)
    if how == "user_version":
        con.execute("PRAGMA user_version = 99")
    else:
        con.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    con.commit()
    con.close()
    before = _state(db.parent)
    commands = [_read_args(c, db, query) for c in READ_COMMANDS]
    commands += [["index", "add", str(db), str(query), "-q"], ["index", "rm", str(db), "--source", "x"]]
    for args in commands:
        result = _cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: ") and "newer version" in result.output and result.output.count("\n") == 1
        assert _state(db.parent) == before, args
    for read_only in (True, False):
        with pytest.raises(ReferenceIndexError, match="newer version"):
            ReferenceIndex(db, read_only=read_only)
    assert _state(db.parent) == before


# -- read-only files and folders, in a process that file modes bind -------------------------------

_DROP = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]


@functools.cache
def _unprivileged() -> list[str] | None:
    """A command prefix under which file modes bind: nothing when not root; for root, setpriv
    without the capabilities that override them (the interpreter stays readable, as it is root's).
    None when neither works."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        probe = subprocess.run([*_DROP, sys.executable, "-c", f"open({os.path.join(folder, 'x')!r}, 'w')"], capture_output=True)
        os.chmod(folder, 0o755)
    return _DROP if probe.returncode != 0 and b"PermissionError" in probe.stderr else None


@pytest.fixture
def unprivileged() -> list[str]:
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE: file modes would not bind")
    return prefix


class _Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


# one interpreter for several commands: starting one costs about a second
_DRIVER = """
import json, sys
from click.testing import CliRunner
from forensics.cli import cli
runs = [CliRunner().invoke(cli, args) for args in json.loads(sys.argv[1])]
print(json.dumps([[r.exit_code, r.stdout, r.stderr] for r in runs]))
"""


def _run_unprivileged(*commands: Sequence[str | os.PathLike[str]]) -> list[_Run]:
    """Each command (the arguments of ``forensics``) in one process that file modes bind."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    batch = json.dumps([[os.fspath(a) for a in c] for c in commands])
    done = subprocess.run(
        [*(_unprivileged() or []), sys.executable, "-c", _DRIVER, batch], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return [_Run(*r) for r in json.loads(done.stdout.splitlines()[-1])]


@pytest.fixture
def locked_up():
    """Folders to make read-only, given back their modes afterwards so that tmp_path can be removed."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        os.chmod(folder, 0o755)


def _lock(folders: list[Path], folder: Path, mode: int = 0o555) -> None:
    for p in folder.iterdir():
        os.chmod(p, 0o444)
    os.chmod(folder, mode)
    folders.append(folder)


def _main_file_count(db: Path) -> int:
    """Files committed to the main file, its -wal left aside (immutable: nothing created beside it)."""
    con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    finally:
        con.close()


def _is_error_line(run: _Run, text: str) -> bool:
    return run.code == 1 and run.stderr.startswith("Error: ") and text in run.stderr and run.stderr.count("\n") == 1


def test_a_read_only_file_is_read_and_refused_by_write_commands(indexed, unprivileged):
    db, query = indexed
    os.chmod(db, 0o444)  # in a folder that can be written
    before = _state(db.parent)
    *reads, added, removed = _run_unprivileged(
        *(_read_args(c, db, query) for c in READ_COMMANDS), ["index", "add", db, query, "-q"], ["index", "rm", db, "--source", "x"]
    )
    assert all(r.code == 0 for r in reads), reads
    assert _is_error_line(added, "cannot be written") and _is_error_line(removed, "cannot be written"), (added, removed)
    assert _state(db.parent) == before


@pytest.mark.parametrize("at_rest", ["rollback", "legacy-wal"])
def test_an_index_in_a_read_only_folder_is_read(indexed, unprivileged, locked_up, at_rest):
    db, query = indexed
    if at_rest == "legacy-wal":
        _to_legacy_wal(db)  # read immutable: no one may create files in the folder, so no writer can start
    _lock(locked_up, db.parent)
    before = _state(db.parent)
    stats, found, removed = _run_unprivileged(
        ["index", "stats", db, "--json"], ["match", query, "--json", "--refs", db], ["index", "rm", db, "--source", "x"]
    )
    assert stats.code == 0 and json.loads(stats.stdout)["files"] == 3, stats
    assert found.code == 0 and len(json.loads(found.stdout)["matches"]) == 1, found
    assert removed.code == 1 and removed.stderr.startswith("Error: ") and removed.stderr.count("\n") == 1, removed
    assert _state(db.parent) == before


def test_a_legacy_wal_index_someone_may_write_is_refused_not_read_unsafely(indexed, unprivileged, locked_up):
    db, _ = indexed
    _to_legacy_wal(db)
    _lock(locked_up, db.parent, 0o575)  # the owner may not write, its group may: a writer could start at any time
    (result,) = _run_unprivileged(["index", "stats", db])
    assert _is_error_line(result, "WAL mode"), result


def _with_unmerged_commits(db: Path, copies: dict[Path, tuple[str, ...]]) -> None:
    """Copy the index as a writer left it mid-way, one more file committed in its -wal only:
    to each folder, the files with these suffixes."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA wal_autocheckpoint = 0")
    con.execute("INSERT INTO files (sha256, path, kind, added_at) VALUES (?, '/x/late.jpg', 'image', 'x')", ("22" * 32,))
    for dest, suffixes in copies.items():
        dest.mkdir()
        for suffix in suffixes:
            shutil.copy(f"{db}{suffix}", dest / f"{db.name}{suffix}")
    con.close()


def test_unmerged_commits_in_a_read_only_folder(tmp_path, indexed, unprivileged, locked_up):
    db, _ = indexed
    _with_unmerged_commits(db, {tmp_path / "with-shm": ("", "-wal", "-shm"), tmp_path / "no-shm": ("", "-wal")})
    for name in ("with-shm", "no-shm"):
        _lock(locked_up, tmp_path / name)
    whole, cut = tmp_path / "with-shm" / db.name, tmp_path / "no-shm" / db.name
    before = _state(whole.parent)
    assert _main_file_count(cut) == 3  # the fourth file is in the -wal only
    read, refused = _run_unprivileged(["index", "stats", whole, "--json"], ["index", "stats", cut])
    assert read.code == 0 and json.loads(read.stdout)["files"] == 4, read  # the -wal's commit is read
    assert _state(whole.parent) == before
    # without its -shm SQLite cannot read the -wal here, and the main file alone would miss a commit
    assert _is_error_line(refused, "not yet merged"), refused


# -- a file that crashed its reader ---------------------------------------------------------------

forked = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="a function patched in the test reaches the worker processes only when they are forked",
)

_read_item = index_module._read_item


def _read_item_logged(path):
    """Log every file read; the poison file kills its process, as the system ends one out of memory."""
    with open(os.environ["READ_LOG"], "a", encoding="utf-8") as log:
        log.write(os.path.basename(path) + "\n")
    if os.path.basename(path) == "poison.jpg" and os.environ.get("POISON") == "1":
        os.kill(os.getpid(), signal.SIGKILL)
    return _read_item(path)


@pytest.fixture
def poisoned(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "pictures"
    for i in range(4):
        _picture(folder / f"ok{i}.jpg", 20 + i, size=(48, 36))
    _picture(folder / "poison.jpg", 99, size=(48, 36))
    monkeypatch.setattr(index_module, "_read_item", _read_item_logged)
    monkeypatch.setenv("READ_LOG", str(tmp_path / "reads.log"))
    monkeypatch.setenv("POISON", "1")
    return folder


def _reads(tmp_path: Path) -> list[str]:
    log = tmp_path / "reads.log"
    reads = log.read_text(encoding="utf-8").split() if log.exists() else []
    log.unlink(missing_ok=True)
    return reads


@forked
def test_a_rerun_skips_the_file_that_crashed_and_finishes(tmp_path, poisoned, monkeypatch):
    poison = str(poisoned / "poison.jpg")
    with ReferenceIndex(tmp_path / "refs.db") as index:
        first = index.add([poisoned], workers=2)
        assert first.unreadable == ((poison, READ_CRASHED),) and first.added == 4
        assert "poison.jpg" in _reads(tmp_path)
        assert index.stats()["failed"] == 1
        second = index.add([poisoned], workers=2)
        assert _reads(tmp_path) == []  # nothing read: the four are indexed, the poison is not touched again
        assert (second.skipped, second.after_crash, second.unreadable) == (4, ((poison, READ_CRASHED),), ())
        retried = index.add([poisoned], workers=2, retry_failed=True)
        assert _reads(tmp_path).count("poison.jpg") >= 1 and retried.unreadable == ((poison, READ_CRASHED),)
        os.utime(poison, (1_000_000_000, 1_000_000_000))  # another file now: read again without being asked
        index.add([poisoned], workers=2)
        assert "poison.jpg" in _reads(tmp_path)
        monkeypatch.setenv("POISON", "0")  # a reader that copes with it now
        assert index.add([poisoned], workers=2).after_crash  # still skipped unless asked
        healed = index.add([poisoned], workers=2, retry_failed=True)
        assert (healed.added, healed.unreadable, healed.after_crash) == (1, (), ())
        assert index.stats()["failed"] == 0 and index.stats()["files"] == 5


@forked
def test_cli_rerun_reports_the_file_skipped_after_a_crash(tmp_path, poisoned):
    db = tmp_path / "refs.db"
    assert _cli("index", "add", db, poisoned, "-w", "2", "-q").exit_code == 1
    _reads(tmp_path)
    again = _cli("index", "add", db, poisoned, "-w", "2", "--json", "-q")
    assert again.exit_code == 1  # the poison is still not in the index
    assert _reads(tmp_path) == []
    counts = json.loads(again.stdout)
    assert counts["skipped"] == 4 and counts["unreadable"] == []
    assert [c["path"] for c in counts["skipped_after_crash"]] == [str(poisoned / "poison.jpg")]
    shown = _cli("index", "add", db, poisoned, "-w", "2")
    assert "1 skipped after a crash (--retry-failed reads them)" in shown.stdout
    assert "skipped" in shown.stderr and "poison.jpg" in shown.stderr and "earlier run" in shown.stderr
    assert "1 file(s) skipped by add" in _cli("index", "stats", db).stdout
    assert _cli("index", "add", db, poisoned, "-w", "2", "-q", "--retry-failed").exit_code == 1
    assert "poison.jpg" in _reads(tmp_path)


def test_opening_waits_while_another_process_holds_the_journal_switch(monkeypatch):
    # SQLite answers "database is locked" at once to the switch into WAL mode that meets another
    # connection's lock (an editor's add beginning while another's was closing): opening waits
    import sqlite3

    from forensics.refs import index as index_module

    class Busy:
        def __init__(self, times: int, message: str = "database is locked") -> None:
            self.times, self.message, self.calls = times, message, 0

        def execute(self, sql: str):
            self.calls += 1
            if self.calls <= self.times:
                raise sqlite3.OperationalError(self.message)

    con = Busy(3)
    index_module._journal_wal(con)
    assert con.calls == 4
    monkeypatch.setattr(index_module, "WAL_WAIT", 0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        index_module._journal_wal(Busy(10**6))  # not for ever
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        index_module._journal_wal(Busy(1, "disk I/O error"))  # other errors at once
