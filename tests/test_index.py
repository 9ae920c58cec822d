"""The reference index: ingest, idempotence, provenance, schema, damage, concurrency, interruption."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from imagegen import photo

from forensics import ReferenceIndex, ReferenceIndexError
from forensics.cli import cli
from forensics.refs.index import APPLICATION_ID, MIGRATIONS, parse_published


def _pictures(folder: Path, n: int, *, start: int = 0, size=(320, 240)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        p = folder / f"p{i:03d}.jpg"
        photo(i, size).save(p, quality=88)
        out.append(p)
    return out


@pytest.fixture
def refs(tmp_path) -> Path:
    _pictures(tmp_path / "refs", 5)
    return tmp_path / "refs"


def test_add_stores_provenance_and_hashes(index_target, refs):
    db = index_target
    with ReferenceIndex(db) as index:
        result = index.add([refs], source="Example News", published="2016-05-01", url="https://example.org/x", label="batch1", workers=1)
        assert (result.added, result.references, result.duplicates, result.skipped) == (5, 5, 0, 0)
        rows = index.files()
        assert [Path(r["path"]).name for r in rows] == [f"p{i:03d}.jpg" for i in range(5)]
        assert {r["source"] for r in rows} == {"Example News"} and rows[0]["published"] == "2016-05-01"
        assert rows[0]["width"] == 320 and rows[0]["height"] == 240 and rows[0]["refs"] == 1
        assert os.path.isabs(rows[0]["path"])
        table = index.table()
        assert len(table) == 5 and table.has_regions.all()
        assert table.nbytes / len(table) <= 100  # packed search arrays per reference
        exported = list(index.export())
        assert len(exported) == 5 and len(exported[0]["references"][0]["phash"]) == 16
        assert len(exported[0]["references"][0]["regions"]) == 9 and "centre" in exported[0]["references"][0]["regions"]


def test_same_content_is_counted_not_duplicated(tmp_path, refs, index_target):
    db = index_target
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copy(refs / "p000.jpg", copies / "renamed.jpg")
    with ReferenceIndex(db) as index:
        index.add([refs], workers=1)
        again = index.add([refs], workers=1)
        assert (again.added, again.skipped) == (0, 5)  # unchanged paths: skipped without reading
        dup = index.add([copies], workers=1)
        assert (dup.added, dup.duplicates) == (0, 1)
        assert index.stats()["files"] == 5 and len(index) == 5
        assert index.files()[0]["copies"] == 2


def test_unreadable_files_are_reported_not_fatal(tmp_path, refs, index_target):
    (refs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    with ReferenceIndex(index_target) as index:
        result = index.add([refs, tmp_path / "missing.jpg"], workers=1)
    assert result.added == 5
    reasons = dict(result.unreadable)
    assert str(tmp_path / "missing.jpg") in reasons and any(p.endswith("broken.jpg") for p in reasons)


def test_remove_by_source_label_and_path(tmp_path, index_target):
    a = _pictures(tmp_path / "a", 3)
    _pictures(tmp_path / "b", 2, start=10)
    with ReferenceIndex(index_target) as index:
        index.add([tmp_path / "a"], source="A", label="one", workers=1)
        index.add([tmp_path / "b"], source="B", label="two", workers=1)
        assert index.remove(paths=[str(a[0])]) == 1
        assert index.remove(label="two") == 2
        assert index.remove(source="A") == 2
        assert index.stats()["files"] == 0 and len(index) == 0
        with pytest.raises(ReferenceIndexError):
            index.remove()


def test_schema_is_versioned_with_named_migrations_and_wal(tmp_path, refs):
    db = tmp_path / "a.db"
    ReferenceIndex(db).close()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [r[0] for r in con.execute("SELECT name FROM migrations")] == [m[0] for m in MIGRATIONS]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # WAL while a writer has it open; see test_index_safety.py
    # a file from a newer version (an unknown migration) is refused, not misread
    con.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    con.commit()
    con.close()
    with pytest.raises(ReferenceIndexError, match="newer version"):
        ReferenceIndex(db)


def test_missing_corrupt_and_foreign_files_are_clean_errors(tmp_path):
    with pytest.raises(ReferenceIndexError, match="no such"):
        ReferenceIndex(tmp_path / "missing.db", create=False)
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(ReferenceIndexError, match="not an SQLite"):
        ReferenceIndex(text)
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(ReferenceIndexError, match="something else"):
        ReferenceIndex(foreign)
    corrupt = tmp_path / "corrupt.db"
    ReferenceIndex(corrupt).close()
    data = bytearray(corrupt.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ReferenceIndexError):
        with ReferenceIndex(corrupt, create=False) as index:
            index.stats()
    with pytest.raises(ReferenceIndexError, match="folder"):
        ReferenceIndex(tmp_path)


@pytest.mark.parametrize("name", ["missing.db", "notes.db", "foreign.db"])
def test_cli_bad_db_is_one_line_not_a_traceback(tmp_path, name):
    (tmp_path / "notes.db").write_text("hello", encoding="utf-8")
    con = sqlite3.connect(tmp_path / "foreign.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    photo(1, (64, 48)).save(tmp_path / "q.jpg")
    for args in (["index", "ls", str(tmp_path / name)], ["match", str(tmp_path / "q.jpg"), "--refs", str(tmp_path / name)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and result.output.startswith("Error: ")
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_one_process_reads_while_another_writes(tmp_path, refs):
    db = tmp_path / "a.db"
    writer = ReferenceIndex(db)
    writer.add([refs], workers=1)
    reader = ReferenceIndex(db, create=False)
    writer._con.execute("BEGIN IMMEDIATE")
    writer._con.execute("DELETE FROM refs")
    assert len(reader.table()) == 5  # WAL: the reader sees the last commit while a write is open
    writer._con.execute("ROLLBACK")
    more = tmp_path / "more"
    _pictures(more, 2, start=50)
    writer.add([more], workers=1)
    assert len(reader.table()) == 7  # and sees new commits on the next search
    writer.close()
    reader.close()


def test_published_dates_are_iso_8601():
    assert parse_published("2016-06-22") == "2016-06-22"
    assert parse_published("2016-06-22T14:00:00Z") == "2016-06-22T14:00:00+00:00"
    with pytest.raises(ValueError):
        parse_published("22/06/2016")


def test_cli_index_commands(refs, index_target):
    db = index_target
    runner = CliRunner()
    r = runner.invoke(cli, ["index", "add", db, str(refs), "--source", "S", "--published", "2016-05-01", "--label", "L", "--quiet", "--json", "-w", "1"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 5 and r.stderr == ""
    r = runner.invoke(cli, ["index", "add", db, str(refs), "--quiet"])
    assert r.exit_code == 0 and "0 added" in r.stdout and "5 unchanged" in r.stdout
    r = runner.invoke(cli, ["index", "ls", db, "--json"])
    files = json.loads(r.stdout)["files"]
    assert len(files) == 5 and files[0]["source"] == "S" and files[0]["label"] == "L"
    r = runner.invoke(cli, ["index", "ls", db])
    assert r.exit_code == 0 and "5 file(s)" in r.stdout and "image" in r.stdout
    r = runner.invoke(cli, ["index", "stats", db, "--json"])
    stats = json.loads(r.stdout)
    assert stats["files"] == 5 and stats["by_source"] == {"S": 5} and stats["schema_version"] == len(MIGRATIONS)
    assert "5 file(s)" in runner.invoke(cli, ["index", "stats", db]).stdout
    lines = runner.invoke(cli, ["index", "export", db, "--jsonl"]).stdout.splitlines()
    assert len(lines) == 5 and json.loads(lines[0])["references"][0]["phash"]
    r = runner.invoke(cli, ["index", "rm", db, "--path", str(refs / "p001.jpg")])
    assert r.exit_code == 0 and "1 file(s) removed" in r.stdout
    assert json.loads(runner.invoke(cli, ["index", "rm", db, "--source", "S", "--json"]).stdout)["removed"] == 4
    assert runner.invoke(cli, ["index", "rm", db]).exit_code == 2
    assert runner.invoke(cli, ["index", "add", db, str(refs), "--published", "June 2016"]).exit_code == 2


def test_cli_add_exits_1_when_a_file_is_unreadable(tmp_path, refs):
    (refs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    r = CliRunner().invoke(cli, ["index", "add", str(tmp_path / "c.db"), str(refs), "-w", "1"])
    assert r.exit_code == 1 and "broken.jpg" in r.stderr and "5 added" in r.stdout


def test_video_frames_become_references(tmp_path, index_target):
    pytest.importorskip("cv2")
    from videogen import Clip

    video = Clip(3, (1.0, 1.0), size=(160, 120)).write(tmp_path / "clip.mp4")
    with ReferenceIndex(index_target) as index:
        result = index.add([video], source="TV", workers=1)
        assert result.added == 1 and result.references >= 2
        table = index.table()
        refs = index.references(table.ids.tolist())
        stamps = sorted(ref.timestamp for ref, _ in refs.values())
        assert stamps[0] == 0.0 and all(ref.video == str(video) for ref, _ in refs.values())
        assert index.stats()["video_frames"] == result.references


def test_killed_ingest_keeps_every_committed_batch(tmp_path):
    """Kill the ingesting process mid-way: the file is intact, every batch is whole, a rerun finishes."""
    folder = tmp_path / "many"
    _pictures(folder, 200, size=(96, 72))
    db = tmp_path / "k.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "forensics", "index", "add", str(db), str(folder), "--workers", "1", "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    committed = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                    committed = con.execute("SELECT COUNT(*) FROM files").fetchone()[0]
                    con.close()
                except sqlite3.Error:
                    committed = 0
                if committed > 0:
                    break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    files = con.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    refs = con.execute("SELECT COUNT(*) FROM refs").fetchone()[0]
    orphans = con.execute("SELECT COUNT(*) FROM files f WHERE NOT EXISTS (SELECT 1 FROM refs r WHERE r.file_id = f.id)").fetchone()[0]
    con.close()
    assert files >= committed and files == refs and orphans == 0
    if proc.returncode == -signal.SIGKILL:
        assert files % 64 == 0 and files < 200  # whole batches only
    with ReferenceIndex(db) as index:
        result = index.add([folder], workers=1)
        assert result.skipped == files and result.added == 200 - files
        assert index.stats()["files"] == 200 and len(index) == 200


def test_an_index_kept_beside_its_pictures_does_not_index_itself(tmp_path, refs):
    db = refs / "refs.db"
    with ReferenceIndex(db) as index:
        index.add([refs], workers=1)
        again = index.add([refs], workers=1)  # the -wal and -shm files exist now
    assert again.unreadable == () and again.skipped == 5


def test_within_columns_finds_what_a_plain_scan_finds():
    import numpy as np

    from forensics.refs.search import CHUNK, within_columns

    rng = np.random.default_rng(5)
    cols = [rng.integers(0, 2**63, CHUNK + 777, dtype=np.int64).view(np.uint64) for _ in range(3)]
    queries = [[int(cols[0][5]), int(cols[0][CHUNK + 3]) ^ 0b111], [], [int(cols[2][0]) ^ 1]]
    got = within_columns(cols, queries, 20)
    assert got[1] == []
    for col, qs, per_query in zip(cols, queries, got):
        for (rows, dists), q in zip(per_query, qs):
            d = np.bitwise_count(col ^ np.uint64(q))
            assert rows.tolist() == np.flatnonzero(d <= 20).tolist() and dists.tolist() == d[d <= 20].tolist()
    assert CHUNK + 3 in got[0][1][0].tolist() and 0 in got[2][0][0].tolist()


def test_every_query_view_has_its_regions():
    from forensics.refs.queries import REGIONS, VIEW_REGIONS, query_views, tilted_views

    names = {name for name, _ in REGIONS}
    assert all(set(v) <= names for v in VIEW_REGIONS.values())
    image = photo(3, (400, 300)).convert("RGB")
    views, _ = query_views(image)
    for v in [v for v in views if v.anchor is not None or v.name == "identity"] + tilted_views(image):
        assert VIEW_REGIONS[v.anchor or "identity"]


def test_a_jpeg_query_is_decoded_reduced_for_its_views_and_other_formats_at_800_px(tmp_path):
    from forensics.refs.queries import VERIFY_SIDE, VIEW_SIDE, load_query_picture

    picture = photo(5, (1280, 960)).convert("RGB")
    picture.save(tmp_path / "q.jpg", quality=90)
    picture.save(tmp_path / "q.png")
    small, verifiable = load_query_picture(tmp_path / "q.jpg")
    assert small.size == (VIEW_SIDE, VIEW_SIDE * 3 // 4) and not verifiable  # 1/2 scale in the DCT
    full, verifiable = load_query_picture(tmp_path / "q.png")
    assert full.size == (VERIFY_SIDE, VERIFY_SIDE * 3 // 4) and verifiable  # the copy features are taken from


@pytest.mark.parametrize("screen", [False, True])
def test_query_view_hashes_are_those_of_each_view_cut_and_turned(screen):
    """The views are hashed from four resizes for the eight turns and one DCT for all: the bits
    of hashing each view on its own."""
    from PIL import Image, ImageDraw

    from forensics.read.hashing import dhash, phash
    from forensics.refs.queries import ALIGNED, DIHEDRAL, HASH_SIDE, QUERY_SUBCROPS, REGIONS, crop_fraction, hash_copy, query_views, transpose

    image = photo(11, (640, 480)).convert("RGB")
    if screen:  # a picture in a player window: framed views, each also mirrored
        shot = Image.new("RGB", (900, 700), (20, 20, 22))
        shot.paste(image, (130, 60))
        ImageDraw.Draw(shot).rectangle((130, 600, 770, 606), fill=(200, 30, 30))
        image = shot
    views, _ = query_views(image)
    grey = hash_copy(image)
    assert grey.mode == "L" and max(grey.size) == HASH_SIDE
    assert hash_copy(grey) is grey  # a copy of the copy is itself: the worker thread's tilted views take it as it is
    by_name = {v.name: v for v in views}
    for op, name in DIHEDRAL:
        turned = transpose(grey, op)
        assert (by_name[name].phash, by_name[name].dhash) == (phash(turned), dhash(turned)), name
    framed = [v for v in views if v.name.startswith("framed")]
    assert bool(framed) == screen
    f = grey.width / image.width, grey.height / image.height
    for v in framed:
        b = v.box
        inner = grey.crop((round(b[0] * f[0]), round(b[1] * f[1]), round(b[2] * f[0]), round(b[3] * f[1])))
        inner = transpose(inner, "FLIP_LEFT_RIGHT") if v.name.startswith("framed-mirrored") else inner
        assert (v.phash, v.dhash) == (phash(inner), dhash(inner)), v.name
    crops = [v for v in views if v.name.startswith("crop:")]
    assert len(crops) == 5 * len(QUERY_SUBCROPS)
    for v in crops:
        _, anchor, side = v.name.split(":")
        s, m = float(side), 1.0 - float(side)
        box = {"centre": (m / 2, m / 2, 1 - m / 2, 1 - m / 2), "top-left": (0.0, 0.0, s, s), "top-right": (m, 0.0, 1.0, s),
               "bottom-left": (0.0, m, s, 1.0), "bottom-right": (m, m, 1.0, 1.0)}[anchor]  # fmt: skip
        assert v.phash == phash(crop_fraction(grey, box)) and v.dhash is None, v.name
    for name in ALIGNED:
        assert by_name[f"aligned:{name}"].phash == phash(crop_fraction(grey, dict(REGIONS)[name]))


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that accepts any bytes in a name")
def test_a_name_that_is_not_utf8_is_indexed_and_reopened(tmp_path, index_target):
    folder = tmp_path / "odd"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"bad\xff\xfe.jpg")
    photo(7, (320, 240)).save(raw.decode("utf-8", "surrogateescape"), format="JPEG", quality=88)
    db = index_target
    with ReferenceIndex(db) as index:
        result = index.add(str(folder), workers=1)  # one path, not its characters
        assert (result.added, result.references, result.unreadable) == (1, 1, ())
        (row,) = index.files()
        assert row["path"].endswith("bad\\xff\\xfe.jpg") and "raw_path" not in row
        json.dumps(list(index.export()))  # every value shows as text
        (ref, _), = index.references(index.table().ids.tolist()).values()
        assert os.fsencode(ref.path) == raw  # the exact name, to reopen the file for verification
        assert index.add([folder], workers=1).skipped == 1  # a rerun knows it
        assert index.remove(paths=[str(folder)]) == 1
    runner = CliRunner()
    res = runner.invoke(cli, ["index", "add", str(tmp_path / "b.db"), str(folder), "--json", "--quiet"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"] == 1


def test_an_index_of_the_first_schema_is_migrated(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for statement in MIGRATIONS[0][1].split(";"):
        if statement.strip():
            con.execute(statement)
    con.execute("INSERT INTO migrations VALUES ('0001_initial', 'x')")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.commit()
    con.close()
    with ReferenceIndex(db) as index:
        assert index.stats()["migrations"] == [m[0] for m in MIGRATIONS]
        assert index.add([_pictures(tmp_path / "p", 1)[0]], workers=1).added == 1


def _corrupt_exif_jpeg(path: Path) -> Path:
    """A JPEG whose EXIF block is cut short: Pillow warns "Corrupt EXIF data" on every decode."""
    from imagegen import exif_bytes

    photo(11, (320, 240)).save(path, "JPEG", quality=88, exif=exif_bytes(thumbnail=None)[:22])
    return path


def test_decoder_warnings_stay_off_stderr_and_regions_are_still_indexed(tmp_path):
    folder = tmp_path / "damaged"
    folder.mkdir()
    picture = _corrupt_exif_jpeg(folder / "a.jpg")
    db = tmp_path / "a.db"
    with ReferenceIndex(db) as index:  # pytest turns a leaked warning into an error: the regions would be lost
        assert index.add([folder], workers=1).added == 1
        assert index.table().has_regions.all()
    exe = [sys.executable, "-m", "forensics"]
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    add = subprocess.run([*exe, "index", "add", "--quiet", str(tmp_path / "b.db"), str(folder)], capture_output=True, text=True, env=env, timeout=120)
    assert add.returncode == 0 and add.stderr == "", add.stderr
    found = subprocess.run([*exe, "match", "--quiet", "--json", "--refs", str(db), str(picture)], capture_output=True, text=True, env=env, timeout=120)
    assert found.returncode == 0 and found.stderr == "", found.stderr
    assert len(json.loads(found.stdout)["matches"]) == 1


def test_regions_come_from_the_one_decode_as_displayed(tmp_path):
    import numpy as np
    from imagegen import write_jpeg

    from forensics.read.files import read_picture
    from forensics.refs.queries import load_picture, region_hashes

    path = write_jpeg(tmp_path / "turned.jpg", seed=4, size=(400, 300), orientation=6, thumbnail=False)
    record, picture = read_picture(path)
    assert record.error is None and picture is not None
    assert picture.width < picture.height  # EXIF orientation applied, as a viewer shows it
    with ReferenceIndex(tmp_path / "a.db") as index:
        index.add(path, workers=1)
        stored = np.frombuffer(index.table().regions.T.tobytes(), np.uint64)
    again = region_hashes(load_picture(path, side=512))
    assert max((int(a) ^ int(b)).bit_count() for a, b in zip(stored, again)) <= 6
    assert read_picture(tmp_path)[1] is None  # a folder: no picture, no error raised
