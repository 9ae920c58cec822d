"""The HTML report: self-contained, escaped, every section present; and the CSV export."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from imagegen import camera_jpeg, photo
from PIL import Image
from reportgen import CREATOR_TOOL, HOSTILE_NAME, MAKE, PAYLOADS, make_case

from forensics import scan
from forensics.cli import cli
from forensics.pixels.ela import error_level
from forensics.pixels.preview import previews
from forensics.records.findings import Finding, Severity
from forensics.refs.match import Match, Reference
from forensics.render.csv import COLUMNS, render_csv, write_csv
from forensics.render.html import render_html, safe_url, write_html
from forensics.render.svg import has_outlines


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    return make_case(tmp_path_factory.mktemp("case") / "evidence")


@pytest.fixture(scope="module")
def report(case):
    return scan([str(case)], workers=1)


@pytest.fixture(scope="module")
def page(report) -> str:
    return render_html(report, workers=1)


class Loads(HTMLParser):
    """Every tag and every attribute that could make a browser load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.handlers: list[tuple[str, str]] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("src", "href", "srcset", "poster", "data", "action", "formaction", "background", "xlink:href", "ping"):
                self.loads.append((tag, name, value or ""))
            if tag == "img" and name == "src":
                self.images.append(value or "")

    handle_startendtag = handle_starttag


def parsed(html: str) -> Loads:
    p = Loads()
    p.feed(html)
    return p


def test_strings_from_files_are_escaped(page):
    for payload in PAYLOADS:
        assert payload not in page, payload
    p = parsed(page)
    assert not p.handlers, p.handlers  # no on* attribute was injected
    assert "script" not in p.tags and "svg" in p.tags  # svg: our own drawings only
    assert p.tags.count("svg") == 2  # the timeline and the map, not the file name's <svg onload>
    # ... and each payload is there as text.
    for text in ("&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(&#39;artist&#39;)&gt;",
                 "&lt;/td&gt;&lt;script&gt;alert(&#39;xmp&#39;)&lt;/script&gt;", "&lt;b onmouseover=alert(1)&gt;Evil&lt;/b&gt;",
                 "&#34;&gt;&lt;svg onload=alert(&#39;name&#39;)&gt;x.jpg"):  # fmt: skip
        assert text in page, text


def test_the_page_loads_nothing_from_outside(page):
    p = parsed(page)
    assert not {"script", "link", "iframe", "object", "embed", "base", "audio", "video", "source", "form"} & set(p.tags)
    for tag, attr, value in p.loads:
        if tag == "img":
            assert value.startswith("data:image/jpeg;base64,"), (tag, attr, value[:40])
        elif tag == "a" and attr == "href":
            assert value.startswith("#") or value.startswith("https://"), value  # a plain link, followed only by choice
        else:
            pytest.fail(f"{tag} {attr}={value[:60]}")
    # nothing in CSS or SVG fetches either
    assert not re.search(r"url\(|@import|@font-face", page)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page.replace('<a href="https://', "<a "))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1) and "img-src data:" in csp.group(1) and "script-src" not in csp.group(1)


def test_sections_cards_and_pictures(page, report):
    for section in ("summary", "set-findings", "timeline", "map", "files", "custody", "parameters"):
        assert f'<section id="{section}"' in page, section
    assert page.count('<details class="card') == len(report.images) == 5
    p = parsed(page)
    sizes = [Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).size for src in p.images]
    assert sizes and max(max(s) for s in sizes) <= 320
    # four decodable JPEGs: picture + error levels each; the edited one also shows its EXIF thumbnail
    assert len(p.images) == 4 * 2 + 1
    assert "EXIF thumbnail: differs from the picture" in page
    assert page.count("error level analysis (") == 4
    # the broken file has a card that says why, and the custody table lists every file with its hash
    assert "broken.jpg" in page and "cannot open as JPEG" in page
    for r in report.images:
        assert r.sha256 in page
    assert "Syrian Arab Republic" in page  # countries from the set summary
    assert "openstreetmap.org/?mlat=35.2" in page


def test_map_draws_offline_outlines_or_a_graticule(page):
    assert 'class="graticule"' in page and page.count('class="fix"') == 3
    if has_outlines():
        assert '<path class="land" d="M' in page


CASE = """
title = "Said to come from one phone"
[[hypotheses]]
id = "recovered"
statement = "Taken in Syria"
country = "SY"
[[hypotheses]]
id = "stolen"
statement = "Taken in Russia <b>"
country = "RU"
"""


def test_hypotheses_matrix(case, tmp_path):
    (tmp_path / "case.toml").write_text(CASE, encoding="utf-8")
    report = scan([str(case)], case=str(tmp_path / "case.toml"), workers=1)
    assert report.hypotheses
    page = render_html(report, workers=1, ela=False)
    assert '<section id="hypotheses"' in page
    matrix = page[page.index('<section id="hypotheses"') : page.index("</section>", page.index('<section id="hypotheses"'))]
    assert "Taken in Russia &lt;b&gt;" in matrix and "country (GPS)" in matrix
    # one GPS fix in Russia, two in Syria: each hypothesis is contradicted by the other's fixes
    assert matrix.count('<span class="badge inconsistent">inconsistent</span>') >= 2
    assert "expects" in matrix and "shows" in matrix


def test_reference_matches_and_near_duplicates_side_by_side(report, case):
    ref = Reference(id=1, path=str(case / "IMG_0001.jpg"), source="Agency <i>", url="javascript:alert(1)", published=None)
    match = Match(path=str(case / "IMG_0003.jpg"), reference=ref, distances={"phash": 4}, transform="cropped",
                  confidence=0.9, region=(64, 48, 320, 240), method="features")  # fmt: skip
    web = dataclasses.replace(match, reference=dataclasses.replace(ref, url="https://example.org/p/1", path="/nonexistent/ref.jpg"))
    dup = Finding("near-duplicate", Severity.NOTICE, (str(case / "IMG_0001.jpg"), str(case / "IMG_0003.jpg")), "Near-duplicates", {"phash": 6})
    rich = dataclasses.replace(report, facts=dataclasses.replace(report.facts, reference_matches=(match, web)), set_findings=(*report.set_findings, dup))
    page = render_html(rich, workers=1, ela=False)
    assert '<section id="comparisons"' in page
    assert 'class="region" style="left:10.00%;top:10.00%;width:50.00%;height:50.00%"' in page
    assert "Agency &lt;i&gt;" in page and 'href="javascript' not in page  # not a followable address: shown as text
    assert '<a href="https://example.org/p/1" rel="noopener noreferrer">' in page
    assert "Near-duplicates within the set" in page
    assert "error level analysis (" not in page


def test_empty_report_renders(tmp_path):
    page = render_html(scan([str(tmp_path)]), workers=1)
    assert "No files." in page and '<section id="map"' not in page and '<section id="timeline"' not in page


def test_many_files_collapse_cards(report):
    page = render_html(report, workers=1, ela=False, collapse_above=2)
    assert page.count("<details class=\"card") == 5
    # only the cards with a warning stay open
    assert len(re.findall(r'<details class="card warning" id="f\d+" open>', page)) == 2
    assert not re.search(r'<details class="card (notice|info|)" id="f\d+" open>', page)


def test_safe_url_allows_only_plain_web_addresses():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org", "file:///etc/passwd", None, 3, "http://"):
        assert safe_url(bad) is None


def test_error_level_and_previews(tmp_path):
    flat = Image.new("RGB", (64, 48), (120, 120, 120))
    assert error_level(flat).size == (64, 48)
    path = camera_jpeg(tmp_path / "turned.jpg", seed=5, size=(400, 300), orientation=6)
    pv = previews(path, orientation=6, max_side=200, exif_thumbnail=True)
    assert pv.size == (150, 200)  # turned as a viewer shows it, within the bound
    assert Image.open(io.BytesIO(pv.ela)).size == (150, 200)
    assert Image.open(io.BytesIO(pv.exif_thumbnail)).size[1] > Image.open(io.BytesIO(pv.exif_thumbnail)).size[0]
    (tmp_path / "junk.jpg").write_bytes(b"\xff\xd8junk")
    assert previews(tmp_path / "junk.jpg").problem.startswith("picture cannot be decoded")
    assert previews(tmp_path / "missing.jpg").problem.startswith("cannot read file")
    photo(1, (50, 40)).save(tmp_path / "p.png")
    assert previews(tmp_path / "p.png").ela is None  # error levels only mean something for JPEG


def test_cli_writes_html_and_csv(case, tmp_path):
    html, table = tmp_path / "r.html", tmp_path / "r.csv"
    result = CliRunner().invoke(cli, ["scan", str(case), "--html", str(html), "--csv", str(table), "--quiet", "--workers", "1"])
    assert result.exit_code == 1, result.output  # the broken file makes the scan exit 1; the reports are still written
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    with open(table, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 5
    by_name = {r["name"]: r for r in rows}
    edited = by_name["IMG_0003.jpg"]
    assert edited["worst_severity"] == "warning"
    assert "thumbnail-mismatch" in edited["findings"].split(";") and "editing-software" in edited["findings"].split(";")
    assert by_name["IMG_0001.jpg"]["gps_lat"] == "35.2" and by_name["IMG_0001.jpg"]["serial"] == "C39X1"
    hostile = by_name[HOSTILE_NAME]
    assert hostile["make"] == MAKE and hostile["xmp_creator_tool"] == CREATOR_TOOL  # CSV keeps text as it is
    assert by_name["broken.jpg"]["findings"] == "unreadable" and by_name["broken.jpg"]["error"]


def test_csv_defuses_formulas(tmp_path):
    camera_jpeg(tmp_path / "f.jpg", seed=1, make="=HYPERLINK(\"http://x\")", software="-2+3")
    text = render_csv(scan([str(tmp_path)], workers=1))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["make"] == "'=HYPERLINK(\"http://x\")" and row["software"] == "'-2+3"


def test_video_card_shows_a_frame(tmp_path):
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(tmp_path / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for i in range(12):
        writer.write(np.full((120, 160, 3), 20 * i, np.uint8))
    writer.release()
    report = scan([str(tmp_path)], workers=1)
    assert report.images[0].kind == "video"
    p = parsed(render_html(report, workers=1))
    assert len(p.images) == 1 and p.images[0].startswith("data:image/jpeg;base64,")  # a frame, no error levels


def test_names_that_are_not_utf8_are_written(tmp_path):
    import os

    folder = os.fsencode(tmp_path)
    camera_jpeg(os.fsdecode(folder + b"/caf\xe9.jpg"), seed=2)
    report = scan([str(tmp_path)], workers=1)
    write_html(report, tmp_path / "r.html", workers=1, ela=False)
    write_csv(report, tmp_path / "r.csv")
    assert "caf\\xe9.jpg" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "caf\\xe9.jpg" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_cli_no_ela_and_unwritable_report(case, tmp_path):
    with_ela, without = tmp_path / "a.html", tmp_path / "b.html"
    runner = CliRunner()
    runner.invoke(cli, ["scan", str(case), "--html", str(with_ela), "--quiet", "--workers", "1"])
    runner.invoke(cli, ["scan", str(case), "--html", str(without), "--no-ela", "--quiet", "--workers", "1"])
    assert "error levels of" in with_ela.read_text(encoding="utf-8")
    assert "error levels of" not in without.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["scan", str(case), "--html", str(tmp_path / "missing" / "r.html"), "--quiet"])
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output


def test_report_picture_of_a_heic_in_a_fresh_process(tmp_path):
    """Pillow cannot identify HEIC until pillow-heif is registered: previews must do it themselves."""
    import subprocess
    import sys

    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "p.heic"
    photo(5, (320, 240)).save(path, format="HEIF", quality=80)
    code = "import sys; from forensics.pixels.preview import previews; p = previews(sys.argv[1]); print(p.problem, p.size)"
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None (320, 240)"
