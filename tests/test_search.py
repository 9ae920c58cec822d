"""The Hamming search kernels give the same rows and distances; a batch of queries matches as single ones do."""

from __future__ import annotations

import os

import numpy as np
import pytest
from imagegen import photo
from PIL import Image, ImageDraw

from forensics import ReferenceIndex
from forensics.read.files import read_file
from forensics.refs import match as match_module
from forensics.refs import popcount, search

HAVE_FAISS = search._faiss_module() is not None
KERNELS = [k for k in search.BACKENDS if search._installed(k)]
COMPILED = [k for k in KERNELS if k != "numpy"]  # compared with the numpy scan, the reference


def _need(kernel: str) -> None:
    if not search._installed(kernel):
        pytest.skip(f"the {kernel} kernel's package ({search._PACKAGES[kernel]}) is not installed")


def _column(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**63, n, dtype=np.int64).view(np.uint64) * np.uint64(2) + np.uint64(seed & 1)


@pytest.mark.parametrize("kernel", ["numba", "faiss"])
@pytest.mark.parametrize("radius", [0, 1, 10, 18, 40, 64])
def test_the_compiled_kernels_give_what_numpy_gives(kernel, radius):
    _need(kernel)
    col = _column(150_000 if radius <= 18 else 20_000, 3)
    near = [int(col[i]) ^ (1 << (i % 64)) for i in (5, 7_000, len(col) - 1)]  # one bit off a row
    qs = [int(col[17]), 0, 2**64 - 1, *near, *(int(x) for x in np.random.default_rng(4).integers(0, 2**63, 40))]
    qs += qs[:3]  # repeated queries, and more than THREADED_QUERIES of them
    # every count of queries a column may get modulo four (the compiled kernel takes them four at a time)
    cols, per = [col, col[:1000], col[:3000], col[:2000], col[:1500]], [qs, qs[:2], qs[:3], qs[:7], qs[1:2]]
    a = search.within_columns(cols, per, radius, kernel=kernel)
    b = search.within_columns(cols, per, radius, kernel="numpy")
    for ca, cb in zip(a, b):
        assert len(ca) == len(cb)
        for (ra, da), (rb, db) in zip(ca, cb):
            assert np.array_equal(ra, rb) and np.array_equal(da, db)
            assert ra.dtype == rb.dtype == np.int64 and da.dtype == db.dtype == np.int16
            assert np.all(np.diff(ra) > 0)
    if radius == 0:
        assert a[0][0][0].tolist() == [17]


@pytest.mark.parametrize("kernel", search.BACKENDS)
def test_empty_columns_and_no_queries(kernel):
    _need(kernel)
    empty, small = np.zeros(0, np.uint64), _column(10, 1)
    (on_empty, none) = search.within_columns([empty, small], [[1, 2], []], 5, kernel=kernel)
    assert none == [] and len(on_empty) == 2
    assert all(r.size == 0 and r.dtype == np.int64 and d.dtype == np.int16 for r, d in on_empty)
    assert search.within_columns([small], [[int(small[3])]], -1, kernel=kernel)[0][0][0].size == 0


def test_the_kernel_can_be_chosen(monkeypatch):
    monkeypatch.setenv(search.SEARCH_ENV, "numpy")
    assert search.backend() == "numpy"
    monkeypatch.setenv(search.SEARCH_ENV, "simd")
    with pytest.raises(ValueError, match="unknown search kernel"):
        search.backend()
    monkeypatch.delenv(search.SEARCH_ENV)
    monkeypatch.setattr(search, "_searched", 0)
    monkeypatch.setattr(popcount, "_KERNEL", None)
    # a small search stays on FAISS (or numpy): loading numba would cost more than it saves
    assert search.backend(work=10**6) == ("faiss" if HAVE_FAISS else "numpy")
    assert search.backend(work=search.COMPILED_AFTER) == KERNELS[0]  # a large one loads the compiled kernel
    if "numba" in KERNELS:
        search.within_columns([_column(10, 1)], [[1]], 3)
        assert not popcount.loaded() and search._searched == 10
        monkeypatch.setattr(search, "_searched", search.COMPILED_AFTER - 5)
        search.within_columns([_column(10, 1)], [[1]], 3)  # the process's searches add up to the threshold
        assert popcount.loaded() and search.backend() == "numba"  # and then every search uses it
    monkeypatch.setattr(popcount, "available", lambda: False)
    assert search.backend() == ("faiss" if HAVE_FAISS else "numpy")  # the fallback where numba is absent
    with pytest.raises(ValueError, match="numba"):
        search.backend("numba")
    monkeypatch.setattr(search, "_faiss_module", lambda: None)
    assert search.backend() == "numpy"  # and where faiss is absent too
    with pytest.raises(ValueError, match="faiss-cpu"):
        search.backend("faiss")


def test_the_compiled_kernel_grows_its_buffers_for_many_hits():
    _need("numba")
    col = _column(5_000, 2)
    qs = np.array([int(col[0]), int(col[1]), 0], np.uint64)
    got = popcount.scan(col, qs, 64)  # every row within 64 bits: 15,000 hits, more than the first buffers hold
    assert [int(r[0].size) for r, _ in got] == [5_000] * 3
    assert all(np.array_equal(r[0], np.arange(5_000)) for r, _ in got)
    d = np.bitwise_count(col ^ np.uint64(col[1])).astype(np.int16)
    assert np.array_equal(got[1][1][0], d)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    refs, queries = root / "refs", root / "queries"
    refs.mkdir()
    queries.mkdir()
    for i in range(5):
        photo(300 + i, (640, 480)).save(refs / f"base{i}.jpg", quality=92)
    base = Image.open(refs / "base2.jpg").convert("RGB")
    base.resize((320, 240)).save(queries / "a-resized.jpg", quality=70)
    base.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(queries / "b-mirrored.jpg", quality=90)
    base.crop((90, 70, 90 + 452, 70 + 340)).save(queries / "c-crop.jpg", quality=90)
    over = base.copy()
    ImageDraw.Draw(over).rectangle((0, 400, 640, 480), fill=(180, 0, 0))
    over.save(queries / "d-overlay.jpg", quality=90)
    base.rotate(6, resample=Image.Resampling.BILINEAR).crop((60, 45, 580, 435)).save(queries / "e-tilted.jpg", quality=90)
    photo(999, (640, 480)).save(queries / "f-unrelated.jpg", quality=90)
    (queries / "g-exact.jpg").write_bytes((refs / "base4.jpg").read_bytes())
    db = root / "refs.db"
    with ReferenceIndex(db) as index:
        index.add([refs], workers=1)
    return db, [read_file(p) for p in sorted(queries.iterdir())]


def _key(matches):
    return [(m.path, m.reference.id, m.transform, m.method, m.confidence, sorted(m.distances.items())) for m in matches]


@pytest.mark.slow
def test_a_batch_matches_as_single_queries_do_with_either_kernel(archive, monkeypatch):
    db, records = archive
    with ReferenceIndex(db, create=False) as index:
        batched = index.match(records)  # numba where installed
        monkeypatch.setenv(search.SEARCH_ENV, "numpy")
        monkeypatch.setattr(match_module, "BATCH", 1)
        single = index.match(records)
        monkeypatch.setattr(match_module, "BATCH", 3)  # batches that split the folder unevenly
        thirds = index.match(records)
    assert _key(batched) == _key(single) == _key(thirds)
    names = {m.path.rsplit("/", 1)[-1] for m in batched}
    assert {"a-resized.jpg", "b-mirrored.jpg", "g-exact.jpg"} <= names and "f-unrelated.jpg" not in names


def test_the_batch_decodes_its_queries_under_the_callers_memory_budget(archive, monkeypatch):
    from forensics.read.decode import limited

    db, records = archive
    # a budget too small to decode a 640×480 query again for its views
    with ReferenceIndex(db, create=False) as index, limited(memory_budget=50_000):
        starved = index.match(records)
        monkeypatch.setattr(match_module, "BATCH", 1)
        single = index.match(records)
    assert _key(starved) == _key(single)
    names = {m.path.rsplit("/", 1)[-1] for m in starved}
    assert "c-crop.jpg" not in names and "a-resized.jpg" in names  # no views without a decode; hashes still match


@pytest.mark.parametrize("kernel", search.BACKENDS)
def test_a_search_spread_over_threads_gives_what_one_thread_gives(kernel):
    _need(kernel)
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cols = [_column(n, seed) for seed, n in enumerate((2 * search.CHUNK + 17, search.CHUNK, 5, 0))]

    @settings(max_examples=10, deadline=None)
    @given(
        st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=6), min_size=4, max_size=4),
        st.integers(-1, 30),
        st.integers(2, 5),
        st.data(),
    )
    def check(queries, radius, threads, data):
        # queries one bit off rows, so that the hits sit on both sides of the cuts between threads
        for col, qs in zip(cols, queries):
            if col.size:
                qs += [int(col[data.draw(st.integers(0, col.size - 1))]) ^ 1 for _ in range(2)]
        one = search.within_columns(cols, queries, radius, kernel=kernel, threads=1)
        monkey = search.PARALLEL_WORK
        search.PARALLEL_WORK = 1  # cut even these small columns
        try:
            many = search.within_columns(cols, queries, radius, kernel=kernel, threads=threads)
        finally:
            search.PARALLEL_WORK = monkey
        for ca, cb in zip(one, many):
            assert len(ca) == len(cb)
            for (ra, da), (rb, db) in zip(ca, cb):
                assert np.array_equal(ra, rb) and np.array_equal(da, db) and ra.dtype == rb.dtype and da.dtype == db.dtype

    check()


def _search_in_child(col, kernel):
    search.within_columns([col], [[int(x) for x in col[:40]]], 12, kernel=kernel)


@pytest.mark.parametrize("kernel", COMPILED or ["numba"])
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_searches_after_its_parent_did(kernel):
    # FAISS's OpenMP team does not survive a fork: a child that asked it for threads hung for ever;
    # a reader worker forked after a search inherits the compiled code of either kernel
    import multiprocessing

    _need(kernel)
    col = _column(50_000, 5)
    search.within_columns([col], [[int(x) for x in col[:40]]], 12, kernel=kernel)  # 40 queries: what used the team
    child = multiprocessing.get_context("fork").Process(target=_search_in_child, args=(col, kernel))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0


@pytest.mark.slow
def test_tilted_views_hashed_ahead_find_what_the_second_pass_finds(archive, monkeypatch):
    # in a large index the tilted views are hashed from the moment a query is decoded (on the worker
    # thread for a single query) and searched with the other views in one pass
    db, records = archive
    with ReferenceIndex(db, create=False) as index:
        monkeypatch.setattr(match_module, "TILT_AHEAD_ROWS", 10**12)
        later = index.match(records)
        monkeypatch.setattr(match_module, "TILT_AHEAD_ROWS", 0)
        batched = index.match(records)
        monkeypatch.setattr(match_module, "BATCH", 1)
        single = index.match(records)
    assert _key(later) == _key(batched) == _key(single)
    assert any(m.path.endswith("e-tilted.jpg") for m in single)


def test_a_matcher_over_a_large_index_loads_the_compiled_kernel_as_it_starts(archive, monkeypatch):
    _need("numba")
    from forensics.refs import matcher as matcher_module

    db, records = archive
    monkeypatch.setattr(popcount, "_KERNEL", None)
    monkeypatch.setattr(search, "_searched", 0)
    monkeypatch.delenv(search.SEARCH_ENV, raising=False)
    with ReferenceIndex(db, create=False) as index:
        matcher_module.Matcher(index)
        assert not popcount.loaded()  # five references: FAISS or numpy until the searches add up
        monkeypatch.setattr(matcher_module, "PRELOAD_ROWS", 1)
        m = matcher_module.Matcher(index)
        assert popcount.loaded() and search.backend() == "numba"
        assert _key(m.match(records)) == _key(index.match(records))


def test_a_compiled_kernel_that_cannot_compile_leaves_the_search_to_the_others(monkeypatch):
    _need("numba")
    from forensics.refs import _popcount_jit

    def broken(*args):
        raise RuntimeError("no locator available for the cache")  # what numba says with no writable cache folder

    monkeypatch.setattr(popcount, "_KERNEL", None)
    monkeypatch.setattr(popcount, "_BROKEN", False)
    monkeypatch.setattr(_popcount_jit, "scan", broken)
    col = _column(5_000, 4)
    qs = [int(col[9]), 12345]
    got = search.within_columns([col], [qs], 12, kernel="numba")
    want = search.within_columns([col], [qs], 12, kernel="numpy")
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(got[0], want[0]))
    assert popcount.compiled() is None and popcount._BROKEN and not popcount.loaded()


@pytest.mark.parametrize("given", [None, {"NUMBA_CPU_FEATURES": "+sse2"}, {"NUMBA_ENABLE_AVX": "0"}])
def test_the_kernel_is_compiled_for_wide_vectors_where_the_cpu_counts_bits_in_them(given, tmp_path):
    _need("numba")
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME", "NUMBA_ENABLE_AVX")}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)  # compiled here for the features chosen, whatever is cached
    env.update(given or {})
    code = (
        "from numba.core.codegen import get_host_cpu_features; from numba.core.registry import cpu_target; "
        "from forensics.refs import popcount; import numpy as np; "
        "popcount.scan(np.arange(300, dtype=np.uint64), np.array([5], np.uint64), 3); "
        "print('+avx512vpopcntdq' in get_host_cpu_features().split(','), cpu_target.target_context.codegen()._tm_features)"
    )
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wide, features = run.stdout.split()
    if given is None and wide == "True":
        assert features.endswith(",-prefer-256-bit")  # what the compiler was given, not only numba's setting
    else:
        assert "prefer-256-bit" not in features  # the user's choice, or numba's own
