"""The search arrays of a PostgreSQL index, read by one binary COPY: the same arrays as the rows packed one by one."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from imagegen import photo

from forensics import ReferenceIndex, ReferenceIndexError
from forensics.refs.index import _pack
from forensics.refs.postgres import parse_table
from forensics.refs.queries import REGIONS, to_signed
from forensics.refs.search import HashTable

K = len(REGIONS)
SELECT = "SELECT id, phash, dhash, regions FROM refs{} ORDER BY id"


def _insert(index: ReferenceIndex, rows: list[tuple[int, int, bytes | None]]) -> None:
    """References (phash, dhash, regions) written straight into the tables, one file each."""
    with index._pg._con.cursor() as cur:  # type: ignore[union-attr]
        start = cur.execute("SELECT COALESCE(MAX(id), 0) FROM files").fetchone()[0]
        files = [(start + i + 1, f"{start + i:064x}", f"/synthetic/{start + i}.jpg") for i in range(len(rows))]
        cur.executemany("INSERT INTO files (id, sha256, path, kind, added_at) VALUES (%s, %s, %s, 'image', '2026-01-01')", files)
        cur.executemany(
            "INSERT INTO refs (file_id, phash, dhash, regions) VALUES (%s, %s, %s, %s)",
            [(f[0], ph, dh, reg) for f, (ph, dh, reg) in zip(files, rows)],
        )


def _packed(index: ReferenceIndex, since: int | None = None) -> HashTable:
    """What the rows give packed one by one (the SQLite path's way)."""
    if since is None:
        return _pack(index._con.execute(SELECT.format("")).fetchall())
    return _pack(index._con.execute(SELECT.format(" WHERE id > ?"), (since,)).fetchall())


def _same(got: HashTable, want: HashTable) -> None:
    for name in ("ids", "phash", "dhash", "regions", "has_regions"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, (name, a.dtype, a.shape, b.dtype, b.shape)
        assert a.flags.c_contiguous and b.flags.c_contiguous, name
        assert np.array_equal(a, b), name


def _random_rows(rng: np.random.Generator, n: int) -> list[tuple[int, int, bytes | None]]:
    """Hashes over the whole signed range (the extremes too), regions of every kind a database may hold."""
    hashes = rng.integers(-(2**63), 2**63 - 1, (n, 2 + K), dtype=np.int64, endpoint=True)
    hashes[rng.random((n, 2 + K)) < 0.05] = -(2**63)
    hashes[rng.random((n, 2 + K)) < 0.05] = 2**63 - 1
    rows: list[tuple[int, int, bytes | None]] = []
    for h, kind in zip(hashes, rng.choice(["regions", "null", "odd"], n, p=[0.6, 0.3, 0.1])):
        regions: bytes | None = h[2:].astype("<i8").tobytes()
        if kind == "null":  # a video frame
            regions = None
        elif kind == "odd":  # a row no writer makes, read as none
            regions = bytes(rng.integers(0, 256, int(rng.choice([0, 1, 8, 8 * K - 1, 8 * K + 1, 8 * K + 8])), dtype=np.uint8))
        rows.append((int(h[0]), int(h[1]), regions))
    return rows


def test_an_empty_index_gives_empty_arrays(pg_server):
    with ReferenceIndex(pg_server.database()) as index:
        for table in (index.table(), index.table(since=0), index.table(since=10)):
            _same(table, HashTable.empty(K))


def test_the_copy_gives_exactly_the_packed_rows(tmp_path, pg_server):
    folder = tmp_path / "pics"
    folder.mkdir()
    for i in range(3):
        photo(i, (160, 120)).save(folder / f"p{i}.jpg", quality=88)
    with ReferenceIndex(pg_server.database()) as index:
        index.add([folder], workers=1)  # real references, their regions as an add writes them
        edge = [
            (-(2**63), 2**63 - 1, np.array([-1, 0, 1, -(2**63), 2**63 - 1, 5, -5, 7, -7], "<i8").tobytes()),
            (to_signed(0xFFFF_FFFF_FFFF_FFFF), to_signed(0x8000_0000_0000_0001), None),  # signed as stored: -1 and -(2**63 - 1)
            (0, -1, b""),
            (1, 2, bytes(8 * K)),  # zero regions that are there: has_regions stays True
            (3, 4, b"\x01" * (8 * K + 1)),
        ]
        _insert(index, edge + _random_rows(np.random.default_rng(5), 200))
        index._con.execute("DELETE FROM refs WHERE id IN (2, 10, 11, 50)")  # ids with gaps, as removals leave them
        want = _packed(index)
        assert len(want) == 3 + len(edge) + 200 - 4
        assert want.has_regions[:3].all() and not want.has_regions.all() and want.regions[:, ~want.has_regions].sum() == 0
        assert (want.phash > 2**63).any() and want.phash.max() == 2**64 - 1  # negative values came back as large unsigned
        _same(index.table(), want)
        ids = want.ids.tolist()
        for since in (0, ids[0], ids[1], ids[60], ids[-2], ids[-1], ids[-1] + 100, -5):
            _same(index.table(since=since), _packed(index, since))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_rows_read_back_exactly(pg_server, seed):
    rng = np.random.default_rng(seed)
    with ReferenceIndex(pg_server.database()) as index:
        for _ in range(3):  # in batches, checked after each as a matcher following the index sees them
            held = len(index)
            last = int(index.table().ids[-1]) if held else 0
            _insert(index, _random_rows(rng, int(rng.integers(1, 120))))
            _same(index.table(), _packed(index))
            _same(index.table(since=last), _packed(index, last))


def _stream(index: ReferenceIndex, sql: str) -> bytes:
    data = bytearray()
    with index._pg._con.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        for block in copy:
            data += block
    return bytes(data)


def test_the_parser_reads_the_header_and_refuses_other_streams(pg_server):
    with ReferenceIndex(pg_server.database()) as index:
        _insert(index, _random_rows(np.random.default_rng(9), 40))
        size = 8 * K
        fixed = _stream(
            index,
            f"COPY (SELECT id, phash, dhash, COALESCE(octet_length(regions) = {size}, false), CASE WHEN octet_length(regions) = {size}"
            f" THEN regions ELSE decode(repeat('00', {size}), 'hex') END FROM refs ORDER BY id) TO STDOUT (FORMAT binary)",
        )
        want = _packed(index)
        _same(parse_table(fixed, K), want)
        # a header extension (none today; the format allows one) is skipped
        extended = fixed[:15] + struct.pack(">I", 5) + b"later" + fixed[19:]
        _same(parse_table(memoryview(extended), K), want)
        # non-critical flag bits are ignored; critical ones and OIDs are refused
        _same(parse_table(fixed[:11] + struct.pack(">I", 1 << 20) + fixed[15:], K), want)
        for flags in (1 << 16, 1):
            with pytest.raises(ValueError, match="flags"):
                parse_table(fixed[:11] + struct.pack(">I", flags) + fixed[15:], K)
        plain = _stream(index, "COPY (SELECT id, phash, dhash, regions FROM refs ORDER BY id) TO STDOUT (FORMAT binary)")
        bad = [
            plain,  # rows of another size: the raw regions column
            fixed[:-2],  # no trailer
            fixed[:-3] + fixed[-2:],  # a row cut short
            b"PGCOPY\n\xff\r\n",
            fixed[:19] + b"\x00\x06" + fixed[21:],  # a first row of six fields
            fixed[:61] + b"\x02" + fixed[62:],  # a first has_regions that is neither true nor false
        ]
        for data in bad:
            with pytest.raises(ValueError):
                parse_table(data, K)
        with pytest.raises(ValueError):
            parse_table(fixed, K - 1)


def test_a_stream_that_cannot_be_read_is_a_clean_error(pg_server, monkeypatch):
    from forensics.refs import postgres

    with ReferenceIndex(pg_server.database()) as index:
        _insert(index, _random_rows(np.random.default_rng(4), 3))
        parse = postgres.parse_table
        monkeypatch.setattr(postgres, "parse_table", lambda data, k: parse(bytes(data)[:-1], k))  # a stream cut short
        with pytest.raises(ReferenceIndexError, match="search arrays cannot be read"):
            index.table()
