"""Limits per file: a memory budget checked from the header, a time limit held by killing the worker.

The hostile files are built here: a tiny progressive JPEG whose frame header
declares a huge picture (libjpeg keeps every coefficient of a multi-scan
picture, however far it reduces), and one with thousands of empty scans (each
one a pass over every block). Where memory is the point, the read runs in a
child process under ``RLIMIT_AS``, so that an allocation the budget should
have prevented fails there instead of passing unnoticed.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import time

import imagegen
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from forensics import scan
from forensics.cli import cli
from forensics.pixels.preview import previews
from forensics.read import jpeg
from forensics.read.decode import (
    DEFAULT_MEMORY_BUDGET,
    Limits,
    limited,
    limits,
    limits_from_env,
    memory_needed,
    open_picture,
    parse_size,
    refusal,
)
from forensics.read.files import read_file
from forensics.read.pool import map_isolated, read_all
from forensics.refs.index import ReferenceIndex

GIB = 1 << 30

# --- generators --------------------------------------------------------------------------------


def _small_jpeg(mode: str = "RGB", *, progressive: bool = True, seed: int = 11, **kwargs) -> bytes:
    buf = io.BytesIO()
    imagegen.photo(seed, (64, 64)).convert(mode).save(buf, "JPEG", progressive=progressive, quality=90, **kwargs)
    return buf.getvalue()


def declaring(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header claiming ``width``×``height``; the scans stay as small as they were."""
    sof = next(start for marker, start, _ in jpeg.segments(data) if marker in (0xC0, 0xC1, 0xC2))
    return data[: sof + 1] + struct.pack(">HH", height, width) + data[sof + 5 :]


def with_empty_scans(data: bytes, count: int) -> bytes:
    """The JPEG with ``count`` more scans before its end: AC refinement scans of the first
    component holding no data, each of which libjpeg still runs over every block."""
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + bytes([1, 0x00, 1, 63, 0x10])  # Ss=1 Se=63 Ah=1 Al=0
    end = data.rindex(b"\xff\xd9")
    return data[:end] + sos * count + data[end:]


def gigapixel_progressive() -> bytes:
    """7 KB declaring 31622×31622 4:4:4: under the pixel limit, 5.6 GiB of coefficients."""
    return declaring(_small_jpeg(subsampling=0), 31622, 31622)


def slow_progressive() -> bytes:
    """4000×4000 grey (32 MB of coefficients: within the budget) with 20,000 empty scans:
    about a minute and a half of libjpeg's time."""
    return with_empty_scans(declaring(_small_jpeg("L"), 4000, 4000), 20_000)


def _run_limited(code: str, *, address_space: int, timeout: float = 60) -> dict:
    """Run ``code`` in a child Python under RLIMIT_AS; it prints one JSON object, to which
    the peak resident size of the child and of its own children is added.

    The child's own peak is its kernel high-water mark: ``ru_maxrss`` of a process started
    by exec keeps the peak of the process it was forked from (here, the test runner).
    """
    script = textwrap.dedent(
        f"""
        import json, re, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space}))
        out = {{}}
        exec(compile({textwrap.dedent(code)!r}, "limited", "exec"))
        with open("/proc/self/status") as f:
            out["rss"] = int(re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1)) * 1024
        out["children_rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(json.dumps(out))
        """
    )
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # each thread's malloc arena reserves address space
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the memory budget -------------------------------------------------------------------------


def test_a_tiny_progressive_jpeg_declaring_a_gigapixel_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.jpg"
    path.write_bytes(gigapixel_progressive())
    assert path.stat().st_size < 10_000
    with open_picture(path.read_bytes()) as image:
        assert image.width * image.height < 10**9  # the pixel limit lets it through
        assert memory_needed(image, side=320) > 5 * GIB  # the coefficients do not
    start = time.monotonic()
    record = read_file(path)
    assert time.monotonic() - start < 5
    assert record.error == (
        "refused: decoding would need about 5.6 GiB, above the 1 GiB budget per file; "
        "set FORENSICS_MEMORY_BUDGET or --memory-budget to read it"
    )
    assert (record.width, record.height) == (31622, 31622)  # the header is still reported


def test_hostile_jpegs_are_refused_fast_with_bounded_memory(tmp_path):
    """In workers under a 1.5 GiB address space: without the budget the first allocates 5.6 GiB."""
    (tmp_path / "bomb.jpg").write_bytes(gigapixel_progressive())
    # 20,000 empty scans over a 31622×31622 grey picture: 1.9 GiB of coefficients, and endless
    (tmp_path / "scans.jpg").write_bytes(with_empty_scans(declaring(_small_jpeg("L"), 31622, 31622), 20_000))
    (tmp_path / "big.jpg").write_bytes(declaring(_small_jpeg(progressive=False), 13000, 13000))  # baseline: read reduced
    for i in range(4):
        (tmp_path / f"ok{i}.jpg").write_bytes(_small_jpeg(progressive=bool(i % 2)))
    start = time.monotonic()
    out = _run_limited(
        f"""
        from forensics import scan
        report = scan([{str(tmp_path)!r}], workers=2)
        out["errors"] = {{r.name: r.error for r in report.images}}
        """,
        address_space=3 * GIB // 2,
    )
    assert time.monotonic() - start < 30
    errors = out["errors"]
    assert len(errors) == 7
    assert errors["bomb.jpg"].startswith("refused: decoding would need about 5.6 GiB, above the 1 GiB budget")
    assert errors["scans.jpg"].startswith("refused: decoding would need about 1.9 GiB")
    assert errors["big.jpg"] is None  # baseline at 1/8: a few MB
    assert all(errors[f"ok{i}.jpg"] is None for i in range(4))
    assert out["children_rss"] < 300 << 20


def test_the_error_level_picture_of_a_huge_baseline_jpeg_is_made_at_display_size(tmp_path):
    """4 KB declaring 13000×13000: full-size ELA took 3.5 GB; at the shown size, little."""
    path = tmp_path / "ela13k.jpg"
    path.write_bytes(declaring(_small_jpeg(progressive=False), 13000, 13000))
    out = _run_limited(
        f"""
        from forensics.pixels.preview import previews
        p = previews({str(path)!r}, max_side=320)
        out.update(size=p.size, ela=p.ela is not None, problem=p.problem)
        """,
        address_space=3 * GIB // 2,
    )
    assert out["size"] == [320, 320] and out["ela"] and out["problem"] is None
    assert out["rss"] < 250 << 20


def test_a_200_megapixel_phone_jpeg_gets_its_pictures_and_no_warning(tmp_path):
    path = tmp_path / "200mp.jpg"
    Image.new("L", (16320, 12240), 128).save(path, quality=50)
    pv = previews(path, exif_thumbnail=True)  # warnings are errors in this suite
    assert pv.problem is None and pv.size == (320, 240) and pv.picture and pv.ela
    done = subprocess.run(
        [sys.executable, "-W", "always", "-m", "forensics", "scan", str(path), "--html", str(tmp_path / "r.html"), "-q", "-w", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stderr == "" and "DecompressionBombWarning" not in done.stdout
    assert (tmp_path / "r.html").read_text().count("data:image/jpeg") == 2  # the picture and its error levels


def test_the_estimate_follows_how_libjpeg_decodes():
    # progressive 4:2:0: luma 2 bytes a pixel, each chroma half a byte; blocks rounded up to MCUs
    frame = jpeg.Frame(1001, 1001, ((2, 2), (1, 1), (1, 1)), progressive=True, first_scan_components=3)
    luma, chroma = 126 * 126, 63 * 63  # 1001 px is 125.1 blocks, 126 as MCUs are 2 blocks wide
    assert frame.coefficient_bytes() == (luma + 2 * chroma) * 128
    # a baseline picture whose first scan holds one component is multi-scan too
    assert jpeg.Frame(800, 600, ((1, 1),) * 3, progressive=False, first_scan_components=1).coefficient_bytes() == 100 * 75 * 128 * 3
    assert jpeg.Frame(800, 600, ((1, 1),) * 3, progressive=False, first_scan_components=3).coefficient_bytes() == 0
    parsed = jpeg.frame(_small_jpeg(subsampling=2))
    assert parsed == jpeg.Frame(64, 64, ((2, 2), (1, 1), (1, 1)), progressive=True, first_scan_components=3)
    assert jpeg.frame(b"\xff\xd8\xff\xd9") is None and jpeg.frame(b"not a jpeg") is None


def test_a_baseline_jpeg_decoded_reduced_needs_little_and_whole_needs_its_pixels():
    with open_picture(declaring(_small_jpeg(progressive=False), 16000, 12000)) as image:
        assert memory_needed(image, side=320) == 2000 * 1500 * 4  # at 1/8, RGB in 4 bytes a pixel
        assert memory_needed(image) == 16000 * 12000 * 8  # whole: the picture and a copy
        assert refusal(image, side=320) is None


@pytest.mark.parametrize(
    ("mode", "per_pixel"),
    [("RGB", 8), ("L", 2), ("RGBA", 20), ("P", 5), ("I;16", 28)],
)
def test_other_formats_are_estimated_at_their_modes_bytes_per_pixel(mode, per_pixel):
    with open_picture(_png(mode, (100, 50))) as image:
        assert memory_needed(image) == 100 * 50 * per_pixel


def _png(mode: str, size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    picture = Image.fromarray(np.full(size[::-1], 40000, np.uint16)) if mode == "I;16" else Image.new(mode, size)
    picture.save(buf, "PNG")
    return buf.getvalue()


def test_the_budget_comes_from_the_keyword_the_block_or_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "p.png"
    path.write_bytes(_png("RGB", (1000, 1000)))  # 8 MB to decode whole, 4 MB reduced
    assert read_file(path).error is None
    small = read_file(path, memory_budget=1 << 20).error
    assert small == (
        "refused: decoding would need about 3.8 MiB, above the 1 MiB budget per file; "
        "set FORENSICS_MEMORY_BUDGET or --memory-budget to read it"
    )
    with limited(memory_budget=1 << 20):
        assert read_file(path).error == small
        assert read_file(path, memory_budget=0).error is None  # 0: no budget
        assert scan([path]).images[0].error == small  # workers take the limits with them
        assert previews(path).problem == f"picture cannot be decoded: {small}"
    monkeypatch.setenv("FORENSICS_MEMORY_BUDGET", "1M")
    assert limits().memory_budget == 1 << 20 and read_file(path).error == small
    assert scan([path], memory_budget=16 << 20).images[0].error is None


def test_limits_are_parsed_and_checked():
    assert parse_size("1G") == parse_size("1GiB") == parse_size("1 gb") == GIB
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")
    assert limits_from_env({}) == Limits(DEFAULT_MEMORY_BUDGET, 60.0)
    from forensics.errors import ForensicsError

    with pytest.raises(ForensicsError, match="FORENSICS_MEMORY_BUDGET"):
        limits_from_env({"FORENSICS_MEMORY_BUDGET": "much"})
    with pytest.raises(ValueError):
        Limits(time_limit=-1)


def test_the_cli_takes_the_limits_from_options_and_environment(tmp_path):
    path = tmp_path / "p.png"
    path.write_bytes(_png("RGB", (1000, 1000)))
    runner = CliRunner()
    refused = runner.invoke(cli, ["scan", str(path), "--json", "-q", "--memory-budget", "1M"])
    assert refused.exit_code == 1 and "above the 1 MiB budget per file" in json.loads(refused.output)["images"][0]["error"]
    by_env = runner.invoke(cli, ["scan", str(path), "--json", "-q"], env={"FORENSICS_MEMORY_BUDGET": "1M"})
    assert by_env.exit_code == 1
    assert runner.invoke(cli, ["scan", str(path), "-q", "--memory-budget", "0"]).exit_code == 0
    bad = runner.invoke(cli, ["scan", str(path), "-q"], env={"FORENSICS_MEMORY_BUDGET": "lots"})
    assert bad.exit_code == 2 and "FORENSICS_MEMORY_BUDGET" in bad.output
    assert runner.invoke(cli, ["scan", str(path), "--time-limit", "-1"]).exit_code == 2
    added = runner.invoke(cli, ["index", "add", str(tmp_path / "refs.db"), str(path), "--json", "-q", "--memory-budget", "1M"])
    assert added.exit_code == 1 and json.loads(added.output)["added"] == 0


# --- the time limit ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slow")
    (folder / "scans.jpg").write_bytes(slow_progressive())
    for i in range(7):
        (folder / f"ok{i}.jpg").write_bytes(_small_jpeg(progressive=bool(i % 2), seed=i))
    return folder


STOPPED = "reading stopped after 1 s, the time limit per file; set FORENSICS_TIME_LIMIT or --time-limit to allow more"


@pytest.mark.parametrize("workers", [2, 1])
def test_a_file_that_takes_too_long_in_c_code_is_stopped_and_the_scan_goes_on(slow_set, workers):
    start = time.monotonic()
    report = scan([slow_set], workers=workers, time_limit=1)
    assert time.monotonic() - start < 15
    errors = {r.name: r.error for r in report.images}
    assert errors.pop("scans.jpg") == STOPPED
    assert list(errors.values()) == [None] * 7


def test_a_small_set_is_stopped_too(slow_set):
    """Below the pool's size the files are read in one worker process, which can be stopped."""
    start = time.monotonic()
    with limited(time_limit=1):
        records = read_all([str(slow_set / "scans.jpg"), str(slow_set / "ok0.jpg")])
    assert time.monotonic() - start < 10
    assert [r.error for r in records] == [STOPPED, None]


def test_index_add_reports_a_stopped_file_and_adds_the_rest(slow_set, tmp_path):
    result = CliRunner().invoke(cli, ["index", "add", str(tmp_path / "refs.db"), str(slow_set), "--json", "-q", "--time-limit", "1"])
    assert result.exit_code == 1
    counts = json.loads(result.output)
    assert counts["added"] == 7
    assert [(os.path.basename(u["path"]), u["reason"]) for u in counts["unreadable"]] == [("scans.jpg", STOPPED)]
    with ReferenceIndex(tmp_path / "refs.db", read_only=True) as index:
        assert index.stats()["failed"] == 0  # not remembered as a crash: a rerun with more time reads it


def _nap(item: tuple[str, float]) -> float:
    log, seconds = item
    with open(log, "a") as f:
        f.write(f"{seconds}\n")
    time.sleep(seconds)
    return seconds


def test_the_pool_kills_an_item_past_the_limit_and_runs_it_no_more(tmp_path):
    log = str(tmp_path / "calls")
    items = [(log, s) for s in (0.0, 0.0, 30.0, 0.0, 0.0, 0.0, 0.0, 0.0)]
    start = time.monotonic()
    out = map_isolated(_nap, items, on_crash=lambda i: "crash", on_timeout=lambda i: "late", workers=2, time_limit=1, most=1)
    assert out == [0.0, 0.0, "late", 0.0, 0.0, 0.0, 0.0, 0.0]
    assert time.monotonic() - start < 10
    assert (tmp_path / "calls").read_text().split().count("30.0") == 1  # stopped once, not tried again alone
    # without on_timeout an item stopped at the limit is reported as a crash
    assert map_isolated(_nap, [(log, 5.0)], on_crash=lambda i: "crash", time_limit=0.5) == ["crash"]


def _steady(steps: int) -> int:
    from forensics.read.decode import progressing

    for k in range(steps):
        time.sleep(0.2)
        progressing(k + 1, steps)
    return steps


def test_an_item_that_keeps_saying_how_far_it_is_is_not_stopped():
    """A long video reports its frames as they come; the limit counts the time without such news."""
    seen = []
    out = map_isolated(_steady, [10], on_crash=lambda i: "crash", time_limit=0.6, progress=lambda d, t: seen.append(d))
    assert out == [10]  # two seconds in all, never 0.6 s without news
    assert any(0 < d < 1 for d in seen)  # and the news moved the caller's progress


def _slow_preview(job: object) -> object:
    time.sleep(30)
    return None


def test_a_report_picture_past_the_limit_is_said_to_have_timed_out(slow_set, monkeypatch):
    """The HTML's pictures are made under the time limit too; one stopped there says so, not "crashed"."""
    from forensics.render import html

    report = scan([slow_set / "ok0.jpg"], workers=1)
    monkeypatch.setattr(html, "_one", _slow_preview)
    start = time.monotonic()
    with limited(time_limit=1):
        pictures = html._imagery(report, max_side=256, ela=False, workers=1)
    assert time.monotonic() - start < 10
    assert [p.problem for p in pictures.values()] == [
        "the picture could not be made: decoding it ran past 1 s, the time limit per file"]
