"""A reading worker reads the next JPEG of its chunk while one decodes: the records are those of reading each alone."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal

import piexif
import pytest
from imagegen import photo
from PIL import Image

from forensics.read import files, pool


def _key(record):
    return json.dumps(record.to_dict(), sort_keys=True, default=str)


@pytest.fixture
def folder(tmp_path):
    # read by one worker in chunks of two (eight files): each chunk's second file is offered to read ahead
    for name, orientation in (("a0", 1), ("a2", 6), ("a3", 1), ("c", 8)):
        exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Phone", piexif.ImageIFD.Orientation: orientation}, "Exif": {}})
        photo(40 + len(name) + orientation, (960, 720)).save(tmp_path / f"{name}.jpg", quality=88, exif=exif)
    data = (tmp_path / "a2.jpg").read_bytes()
    (tmp_path / "a1-truncated.jpg").write_bytes(data[: len(data) // 2])  # read ahead; its decode fails as it would alone
    photo(50, (400, 300)).save(tmp_path / "b-between.png")  # not read ahead: a PNG decodes at its turn
    (tmp_path / "d-not-a-picture.jpg").write_bytes(b"\xff\xd8\xff\xe0 not much else")
    buf = io.BytesIO()
    photo(51, (640, 480)).save(buf, "JPEG", quality=90)
    (tmp_path / "e-last.jpg").write_bytes(buf.getvalue())  # after a file that does not decode: read at its turn
    return sorted(str(p) for p in tmp_path.iterdir())


def test_a_worker_reading_ahead_gives_the_records_of_files_read_alone(folder, tmp_path_factory, monkeypatch):
    alone = [files.read_file(p) for p in folder]
    log = tmp_path_factory.mktemp("log") / "taken"
    take = files._take_ahead

    def noting(path, st):  # the forked worker inherits this: which files it found read ahead
        found = take(path, st)
        if found is not None:
            with open(log, "a") as f:
                f.write(os.path.basename(path) + "\n")
        return found

    monkeypatch.setattr(files, "_take_ahead", noting)
    # one worker, chunks of two: every JPEG after a JPEG is read ahead while the one before decodes
    together = pool.map_isolated(pool._read_file, folder, on_crash=pool._crashed_record, workers=1, time_limit=60, ahead=pool.offer_next)
    assert [_key(r) for r in together] == [_key(r) for r in alone]
    # read ahead while the JPEG before it decoded; a2 begins the second chunk, read ahead from the
    # first chunk's last file (one process takes every chunk in turn)
    assert log.read_text().split() == ["a1-truncated.jpg", "a2.jpg", "a3.jpg"]
    assert together[1].error and not together[0].error


def test_a_file_changed_after_it_was_read_ahead_is_read_again(tmp_path):
    first, second = tmp_path / "1.jpg", tmp_path / "2.jpg"
    photo(60, (800, 600)).save(first, quality=90)
    photo(61, (800, 600)).save(second, quality=90)
    marked = []
    files.offer_next(str(second), lambda: marked.append(True))
    files.read_file(first)  # reads the second ahead while the first decodes
    assert marked == [True] and files._ahead is not None and files._ahead.path == str(second)
    photo(62, (640, 480)).save(second, quality=70)  # replaced before its turn
    os.utime(second, ns=(1, 1))
    record = files.read_file(second)
    assert record.sha256 == hashlib.sha256(second.read_bytes()).hexdigest()
    assert record.width == 640 and files._ahead is None
    assert _key(record) == _key(files.read_file(second))


def test_nothing_is_read_ahead_past_the_limit_or_for_other_formats(tmp_path, monkeypatch):
    jpeg, png = tmp_path / "1.jpg", tmp_path / "2.png"
    photo(70, (320, 240)).save(jpeg, quality=90)
    photo(71, (320, 240)).save(png)
    files.offer_next(str(png), lambda: None)
    files.read_file(jpeg)
    assert files._ahead is None  # a PNG decodes at its turn
    monkeypatch.setattr(files, "AHEAD_BYTES", 100)
    files.offer_next(str(jpeg), lambda: None)
    files.read_file(jpeg)
    assert files._ahead is None  # too large to hold two at once


def test_a_chunks_last_item_is_offered_the_first_of_the_next_chunk():
    heard = []

    def ahead(item, begun):
        heard.append((item, begun is not None))

    assert pool._run_chunk(str.upper, [0, 1], ["x", "y"], ahead, (2, "z")) == ["X", "Y"]
    assert heard == [("y", True), ("z", True)]
    heard.clear()
    pool._run_chunk(str.upper, [0, 1], ["x", "y"], ahead)  # the last chunk, or one of several workers': nothing after
    assert heard == [("y", True), (None, False)]


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method() != "fork", reason="the patched decoder reaches the worker only when it is forked"
)
def test_a_decoder_crash_read_ahead_across_chunks_costs_only_its_file(tmp_path, monkeypatch):
    # chunks of two: the poison begins the second chunk, so it is read ahead (and kills the worker)
    # while the first chunk's last file is under way; both are suspects, read alone, and only it is lost
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(5):  # sizes tell the files apart in the decoder below
        photo(60 + i, (322, 242) if i == 2 else (320 + 4 * i, 240)).save(folder / f"{i}.jpg", quality=90)
    paths = sorted(str(p) for p in folder.iterdir())
    alone = [files.read_file(p) for p in paths]
    decode, log = files._decode_stored, tmp_path / "decoded"

    def dying(source, budget, *, size=0):  # as a decoder that segfaults on this one file
        shape = (Image.open(io.BytesIO(source)) if isinstance(source, bytes) else source).size
        with open(log, "a") as f:
            f.write(f"{shape[0]}\n")
        if shape == (322, 242):
            os.kill(os.getpid(), signal.SIGKILL)
        return decode(source, budget, size=size)

    monkeypatch.setattr(files, "_decode_stored", dying)
    together = pool.map_isolated(
        pool._read_file, paths, on_crash=pool._crashed_record, workers=1, time_limit=60, most=2, ahead=pool.offer_next
    )
    assert together[2].error == pool.READ_CRASHED
    widths = log.read_text().split()
    assert widths.count("322") == 2  # read ahead, then alone
    assert widths.count("324") == 2  # under way when the worker died: a suspect, read again alone
    assert [_key(r) for i, r in enumerate(together) if i != 2] == [_key(r) for i, r in enumerate(alone) if i != 2]
