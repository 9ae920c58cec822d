"""The sample HTML report in a real browser (headless Chromium): it renders, loads nothing, runs nothing.

Skips, saying why, where no Chromium or no Playwright is installed (``.ci/run``
installs Debian's ``chromium``; ``playwright`` is in the ``test`` extra and is
only ever pointed at that browser, never asked to download one).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from reportgen import ARTIST, CREATOR_TOOL, DESCRIPTION, MAKE, make_case

from forensics import scan
from forensics.render.html import write_html

LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# every test here starts or shares a Chromium: seconds each
pytestmark = pytest.mark.slow

SECTIONS = ("summary", "set-findings", "timeline", "map", "files", "custody", "parameters")


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    pytest.skip("no Chromium installed (apt-get install chromium); the browser test cannot run here")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]'); the browser test cannot run here")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means: no usable browser here
            pytest.skip(f"Chromium at {executable} does not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    report = scan([str(make_case(root / "evidence"))], workers=1)
    out = root / "report.html"
    write_html(report, out, workers=1)
    return out


def _open(browser, path: Path, *, media: str = "screen"):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"requests": [], "console": [], "errors": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))

    def route(r):
        seen["requests"].append(r.request.url)
        if r.request.url == path.as_uri():
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.emulate_media(media=media)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(200)  # anything lazy would have asked by now
    return page, seen


def test_report_renders_in_chromium_without_any_request(browser, sample):
    page, seen = _open(browser, sample)
    assert seen["requests"] == [sample.as_uri()], seen["requests"]
    assert not seen["console"] and not seen["errors"], seen
    assert not seen["dialogs"], seen["dialogs"]  # no payload ran
    for section in SECTIONS:
        assert page.locator(f"section#{section}").is_visible(), section
    assert page.locator("details.card").count() == 5
    # every embedded picture decoded
    broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
    assert broken == 0 and page.evaluate("document.images.length") == 9
    # the hostile strings are text on the page, not elements
    body = page.inner_text("body")
    for text in (DESCRIPTION, ARTIST, CREATOR_TOOL, MAKE):
        assert text in body, text
    assert page.evaluate("document.querySelectorAll('[onload],[onerror],[onmouseover],script').length") == 0
    assert page.locator("svg.map circle").count() == 3 and page.locator("svg.timeline circle").count() == 4
    shot = sample.with_name("report.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_report_prints_with_collapsed_cards_open(browser, sample, tmp_path):
    from forensics.render.html import render_html

    report = scan([str(sample.parent / "evidence")], workers=1)
    collapsed = tmp_path / "collapsed.html"
    collapsed.write_text(render_html(report, workers=1, ela=False, collapse_above=0), encoding="utf-8")
    page, seen = _open(browser, collapsed)
    hidden = page.locator("details.card:not([open]) .cardbody")
    assert hidden.count() >= 1 and not hidden.first.is_visible()  # on screen, collapsed
    page.emulate_media(media="print")
    assert hidden.first.is_visible()  # on paper, every card is shown
    assert not seen["console"] and not seen["errors"]
    page.close()


@pytest.fixture(scope="module")
def worked_case(tmp_path_factory, browser) -> Path:
    """The sample case of the README, with its case file and reference index: every section has content."""
    import tomllib
    from click.testing import CliRunner

    from forensics.cli import cli

    case = Path(__file__).resolve().parents[1] / "samples" / "stolen-phone"
    tmp = tmp_path_factory.mktemp("worked")
    db, html = tmp / "refs.db", tmp / "report.html"
    runner = CliRunner()
    for entry in tomllib.loads((case / "references" / "sources.toml").read_text(encoding="utf-8"))["published"]:
        args = ["index", "add", str(db), str(case / "references" / entry["folder"]), "--source", entry["source"],
                "--published", str(entry["published"]), "--url", entry["url"], "--quiet", "--workers", "1"]  # fmt: skip
        assert runner.invoke(cli, args).exit_code == 0
    args = ["scan", str(case / "evidence"), "--case", str(case / "case.toml"), "--refs", str(db), "--html", str(html), "--quiet", "--workers", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return html


def test_worked_case_report_in_chromium(browser, worked_case):
    page, seen = _open(browser, worked_case)
    assert seen["requests"] == [worked_case.as_uri()], seen["requests"]
    assert not seen["console"] and not seen["errors"] and not seen["dialogs"], seen
    for section in ("hypotheses", "comparisons", *SECTIONS):
        assert page.locator(f"section#{section}").is_visible(), section
    assert page.locator("#hypotheses .badge.inconsistent").count() >= 2
    assert page.locator("#comparisons .comparison").count() >= 2
    assert page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length") == 0
    page.screenshot(path=str(worked_case.with_name("report.png")), full_page=True)
    page.close()
