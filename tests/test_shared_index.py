"""A desk's shared index: PostgreSQL, concurrent editors, credentials, matchers that follow it, ingest on Dask."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from imagegen import photo
from pgserver import PASSWORD, PASSWORD_USER

from forensics import ReferenceIndex, ReferenceIndexError, read_file
from forensics.cli import cli
from forensics.refs.index import MIGRATIONS
from forensics.refs.matcher import Matcher
from forensics.refs.postgres import redact_url

ROOT = Path(__file__).resolve().parents[1]


def _pictures(folder: Path, n: int, *, start: int = 0, size=(160, 120)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        photo(i, size).save(folder / f"p{i:03d}.jpg", quality=88)
    return folder


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# -- PostgreSQL: the index itself -------------------------------------------------------------------


@pytest.mark.slow
def test_two_editors_adding_the_same_folder_at_once_store_each_picture_once(tmp_path, index_target):
    folder = _pictures(tmp_path / "shared", 24)
    ReferenceIndex(index_target).close()  # both find the schema in place; creating it at once is the next test's
    cmd = [sys.executable, "-m", "forensics", "index", "add", index_target, str(folder), "-w", "1", "--quiet", "--json"]
    procs = [subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    with ReferenceIndex(index_target, read_only=True) as index:
        stats = index.stats()
        assert stats["files"] == 24 and stats["references"] == 24 and stats["other_copies"] == 0
        assert len({r["sha256"] for r in index.files()}) == 24
        assert len(set(index.table().ids.tolist())) == 24
    # every file was added by one of them; the other met it as already indexed (read, or skipped unread)
    assert sum(r["added"] for r in results) == 24
    assert all(r["added"] + r["duplicates"] + r["skipped"] == 24 for r in results)


@pytest.mark.slow
def test_a_new_database_opened_by_several_processes_at_once_is_migrated_once(pg_server):
    url = pg_server.database()
    code = f"from forensics import ReferenceIndex\nReferenceIndex({url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=_env(), stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with ReferenceIndex(url, read_only=True) as index:
        stats = index.stats()
    assert stats["migrations"] == [name for name, _ in MIGRATIONS] and stats["schema_version"] == len(MIGRATIONS)
    assert stats["backend"] == "postgresql"


def test_readers_never_wait_for_a_writer(tmp_path, pg_server):
    import psycopg

    url = pg_server.database()
    with ReferenceIndex(url) as writer:
        writer.add([_pictures(tmp_path / "a", 4)], workers=1)
        reader = ReferenceIndex(url, read_only=True)
        with writer._writing() as con:  # a batch under way, holding the write lock, rows deleted but not committed
            con.execute("DELETE FROM refs")
            started = time.monotonic()
            assert len(reader.table()) == 4 and len(reader.files()) == 4 and reader.stats()["references"] == 4
            assert time.monotonic() - started < 5
            con.execute("ROLLBACK")
            con.execute("BEGIN")  # what _writing commits
        # a reader in the middle of a long read does not hold a writer up either
        with psycopg.connect(url) as long_read:
            long_read.execute("SELECT * FROM refs").fetchall()  # its transaction stays open
            result = writer.add([_pictures(tmp_path / "b", 2, start=40)], workers=1)
            assert result.added == 2
        assert len(reader.table()) == 6  # the next search sees the new commits
        reader.close()


def test_read_only_opening_writes_nothing_and_refuses_writes(pg_server, tmp_path):
    url = pg_server.database()
    with pytest.raises(ReferenceIndexError, match="no reference index in this database"):
        ReferenceIndex(url, read_only=True)
    with pytest.raises(ReferenceIndexError, match="no reference index"):
        ReferenceIndex(url, create=False)
    ReferenceIndex(url).close()
    with ReferenceIndex(url, read_only=True) as index, pytest.raises(ReferenceIndexError, match="read-only"):
        index.add([_pictures(tmp_path / "a", 1)], workers=1)


def test_foreign_and_newer_databases_are_refused(pg_server):
    import psycopg

    foreign = pg_server.database()
    with psycopg.connect(foreign, autocommit=True) as con:
        con.execute("CREATE TABLE files (id integer)")
    with pytest.raises(ReferenceIndexError, match="something else"):
        ReferenceIndex(foreign)
    newer = pg_server.database()
    ReferenceIndex(newer).close()
    with psycopg.connect(newer, autocommit=True) as con:
        con.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    with pytest.raises(ReferenceIndexError, match="newer version"):
        ReferenceIndex(newer)


def test_an_unreachable_server_is_a_clean_error():
    r = CliRunner().invoke(cli, ["index", "stats", "postgresql://nobody:hunter2@%2Fnonexistent-socket-dir/db"])
    assert r.exit_code == 1 and "cannot connect" in r.output and "hunter2" not in r.output
    assert "Traceback" not in r.output


# -- credentials ------------------------------------------------------------------------------------


def _editor_database(pg_server) -> str:
    url = pg_server.database(owner=PASSWORD_USER)
    return url.replace("postgresql://postgres@", f"postgresql://{PASSWORD_USER}@")


def test_password_from_the_url_is_used_and_never_shown(tmp_path, pg_server):
    bare = _editor_database(pg_server)
    url = bare.replace(f"{PASSWORD_USER}@", f"{PASSWORD_USER}:{PASSWORD.replace('!', '%21')}@")
    folder = _pictures(tmp_path / "a", 2)
    runner = CliRunner()
    outputs = []
    for args in (
        ["index", "add", url, str(folder), "--json", "--quiet", "-w", "1"],
        ["index", "stats", url, "--json"],
        ["index", "stats", url],
        ["index", "ls", url, "--json"],
        ["match", "--refs", url, str(folder / "p000.jpg"), "--json", "--quiet", "-w", "1"],
        ["scan", str(folder), "--refs", url, "--json", "--quiet", "-w", "1"],
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code in (0, 1), r.output
        outputs.append(r.output)
    joined = "\n".join(outputs)
    assert PASSWORD not in joined and "pw-7Qz" not in joined
    assert json.loads(outputs[1])["path"] == redact_url(url) and ":***@" in redact_url(url)
    assert json.loads(outputs[4])["refs"] == redact_url(url) and json.loads(outputs[5])["parameters"]["references"] == redact_url(url)
    with ReferenceIndex(url) as index:
        assert "pw-7Qz" not in repr(index) and "pw-7Qz" not in index.path
    wrong = bare.replace(f"{PASSWORD_USER}@", f"{PASSWORD_USER}:not-the-password@")
    with pytest.raises(ReferenceIndexError, match="cannot connect") as caught:
        ReferenceIndex(wrong)
    assert "not-the-password" not in str(caught.value)


def test_password_from_pgpassword_or_a_pgpass_file(tmp_path, pg_server, monkeypatch):
    url = _editor_database(pg_server)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(ReferenceIndexError, match="cannot connect"):
        ReferenceIndex(url)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    ReferenceIndex(url).close()
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{PASSWORD_USER}:{PASSWORD}\n")  # what ~/.pgpass holds; libpq reads it (PGPASSFILE points here)
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with ReferenceIndex(url) as index:
        assert index.stats()["files"] == 0


def test_urls_are_redacted():
    assert redact_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("postgres://h/db?password=x&sslmode=require") == "postgres://h/db?password=***&sslmode=require"
    assert redact_url("postgresql:///db?host=/run/pg") == "postgresql:///db?host=/run/pg"


# -- a matcher that follows the index ---------------------------------------------------------------


def test_a_matcher_refreshes_by_what_changed(tmp_path, index_target):
    first = _pictures(tmp_path / "first", 6)
    with ReferenceIndex(index_target) as editor:
        editor.add([first], source="A", workers=1)
        with ReferenceIndex(index_target, read_only=True) as follower:
            matcher = Matcher(follower)
            assert len(matcher) == 6
            assert matcher.refresh().to_dict() == {"added": 0, "removed": 0, "references": 6}
            later = _pictures(tmp_path / "later", 3, start=20)
            editor.add([later], source="B", workers=1)
            assert editor.remove(paths=[str(first / "p000.jpg"), str(first / "p001.jpg")]) == 2
            assert matcher.refresh().to_dict() == {"added": 3, "removed": 2, "references": 7}
            full = editor.table()
            assert matcher.table().ids.tolist() == full.ids.tolist()
            assert (matcher.table().phash == full.phash).all() and (matcher.table().regions == full.regions).all()
            # removing the newest reference and adding again: ids are never handed out twice
            assert editor.remove(source="B") == 3
            editor.add([later], source="B", workers=1)
            assert matcher.refresh().to_dict() == {"added": 3, "removed": 3, "references": 7}
            assert matcher.table().ids.tolist() == editor.table().ids.tolist()
            found = matcher.match([read_file(later / "p020.jpg"), read_file(first / "p000.jpg")], verify=False)
            assert [Path(m.reference.path).name for m in found] == ["p020.jpg"]


# -- ingest on a Dask cluster -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        yield client


def test_dask_ingest_reads_on_the_workers_and_commits_here(tmp_path, index_target, dask_client):
    folder = _pictures(tmp_path / "many", 40)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    seen: list[tuple[int, int]] = []
    with ReferenceIndex(index_target) as index:
        result = index.add([folder], source="wire", dask=dask_client, progress=lambda d, t: seen.append((d, t)))
        assert (result.added, result.references, len(result.unreadable)) == (40, 40, 1)
        assert index.stats()["files"] == 40 and index.table().has_regions.all()
        assert seen[-1] == (41, 41)
        assert index.add([folder], dask=dask_client).skipped == 40


def test_dask_ingest_resumes_after_the_client_dies(tmp_path, index_target, dask_client):
    folder = _pictures(tmp_path / "many", 40, size=(64, 48))

    def die(done: int, total: int) -> None:
        if done >= 20:
            raise KeyboardInterrupt  # the client killed: what was committed stays

    with ReferenceIndex(index_target) as index:
        with pytest.raises(KeyboardInterrupt):
            index.add([folder], dask=dask_client, progress=die, batch=8)
        committed = index.stats()["files"]
        assert 8 <= committed < 40 and committed % 8 == 0
        result = index.add([folder], dask=dask_client, batch=8)
        assert result.skipped == committed and result.added == 40 - committed
        assert index.stats()["files"] == 40 and len(index) == 40


def test_a_chunk_that_kills_its_workers_is_split_and_the_culprit_remembered(tmp_path, index_target, dask_client, monkeypatch):
    import distributed

    from forensics.refs import cluster

    folder = _pictures(tmp_path / "many", 10)
    real = cluster._read_chunk

    def deadly(read, read_here, paths, in_force):
        if any(p.endswith("p007.jpg") for p in paths):
            raise distributed.KilledWorker("forensics-read", SimpleNamespace(address="tcp://gone"), 3)  # what the scheduler says after the retries
        return real(read, read_here, paths, in_force)

    monkeypatch.setattr(cluster, "_read_chunk", deadly)
    with ReferenceIndex(index_target) as index:
        result = index.add([folder], dask=dask_client)
        assert result.added == 9 and [Path(p).name for p, _ in result.unreadable] == ["p007.jpg"]
        assert index.stats()["failed"] == 1
        again = index.add([folder], dask=dask_client)
        assert again.skipped == 9 and [Path(p).name for p, _ in again.after_crash] == ["p007.jpg"]


def test_cli_add_on_a_scheduler_address(tmp_path, index_target, dask_client):
    folder = _pictures(tmp_path / "many", 6)
    address = dask_client.scheduler.address  # in-process here; tcp://host:8786 on a desk
    r = CliRunner().invoke(cli, ["index", "add", index_target, str(folder), "--dask", address, "--json", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 6


def test_an_unreachable_scheduler_is_a_clean_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from forensics.refs import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    folder = _pictures(tmp_path / "few", 1)
    r = CliRunner().invoke(cli, ["index", "add", str(tmp_path / "a.db"), str(folder), "--dask", "tcp://127.0.0.1:9", "--quiet"])
    assert r.exit_code == 1 and "Dask scheduler" in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_cli_add_on_a_local_cluster_of_processes(tmp_path):
    pytest.importorskip("distributed")
    folder = _pictures(tmp_path / "few", 4)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    r = CliRunner().invoke(cli, ["index", "add", str(tmp_path / "a.db"), str(folder), "--dask", "local", "--json", "--quiet"])
    assert r.exit_code == 1, r.output  # the broken file is left out, and said so
    assert json.loads(r.stdout)["added"] == 4 and len(json.loads(r.stdout)["unreadable"]) == 1


def test_without_psycopg_the_cli_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an import of a missing package does
    r = CliRunner().invoke(cli, ["index", "stats", "postgresql://desk:hunter2@db.example.org/archive"])
    assert r.exit_code == 1 and "pip install 'forensics[postgres]'" in r.output and "hunter2" not in r.output


def test_the_progress_bar_shows_the_rate(monkeypatch, capsys):
    from forensics.cli.common import progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress_bar("Indexing", rate="files") as update:
        assert update is not None
        for done in range(0, 50, 5):
            update(done, 50)
            time.sleep(0.05)
    assert re.search(r"\d[\d,.]* files/s", capsys.readouterr().err)  # a number once rich has seen progress


@pytest.mark.slow
def test_dask_ingest_survives_a_worker_that_dies(tmp_path, index_target):
    distributed = pytest.importorskip("distributed")
    import dask

    folder = _pictures(tmp_path / "many", 48, size=(64, 48))
    killed: list[str] = []
    with dask.config.set({"distributed.worker.daemon": False}), distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=50
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip

        def kill_one(done: int, total: int) -> None:
            if done and not killed:  # the first chunk is back: one worker dies with chunks under way
                victim, pid = sorted(client.run(os.getpid).items())[0]
                killed.append(victim)
                os.kill(pid, signal.SIGKILL)

        with ReferenceIndex(index_target) as index:
            result = index.add([folder], dask=client, progress=kill_one)
            assert killed and result.added == 48 and not result.unreadable  # its chunks ran again elsewhere
            assert index.stats()["files"] == 48 and len(index) == 48
