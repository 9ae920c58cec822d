"""``forensics scan``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from forensics.cli.common import limit_options, progress_bar, quiet_option, stderr_console, stdout_console, trust_anchors_option
from forensics.cli.outputs import check_writable, guard_outputs, output_stream
from forensics.pipeline.scanning import ocr_unavailable, scan
from forensics.read.decode import limited
from forensics.records.findings import Severity
from forensics.records.text import display_path, display_text

if TYPE_CHECKING:
    from forensics.report import Report

# The renderers (and the report and rich modules they need) are imported after the scan: the
# reading starts without waiting for them, and the scan imports the report meanwhile.


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON (schema forensics.report/1).")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print JSON Lines: a header, then one line per file, finding, match, hypothesis.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file instead of stdout.")
@click.option("--workers", "-w", type=click.IntRange(min=1), help="Processes that read files (default: all cores).")
@click.option(
    "--fail-on", type=click.Choice([s.value for s in Severity]), help="Exit with status 1 if any finding is at least this severe."
)
@click.option(
    "--refs",
    type=click.Path(dir_okay=False),
    help="Reference index to match every picture against (an SQLite file, or a postgresql:// URL).",
)
@click.option("--max-distance", type=click.IntRange(0, 64), help="Largest pHash distance for a reference match.")
@click.option(
    "--case",
    "case_file",
    type=click.Path(dir_okay=False),
    help="Case file (TOML) with the hypotheses to weigh; default: case.toml in a scanned folder.",
)
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Also write a self-contained HTML report to this file.")
@click.option("--no-ela", is_flag=True, help="Leave error level analysis images out of the HTML report (faster on large photos).")
@click.option(
    "--sensor",
    is_flag=True,
    help="Also compare the pictures' sensor noise (PRNU): which share one camera sensor (slower: a full decode per picture).",
)
@click.option(
    "--pixels",
    is_flag=True,
    help="Also analyse the pixels: double JPEG compression from the DCT coefficients, regions copied within a picture (copy-move) and pasted ones (slower: a full decode and a few seconds per picture).",
)
@click.option("--ocr", is_flag=True, help="Also read the photos of documents (Tesseract): text, dates, unit and document numbers, names.")
@click.option("--ocr-lang", default="rus+eng", show_default=True, help="Tesseract languages for --ocr, joined by '+' (e.g. rus+eng+ukr).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Also write one CSV row per file to this file.")
@trust_anchors_option
@limit_options
@quiet_option
def scan_command(
    paths,
    as_json,
    as_jsonl,
    output,
    workers,
    fail_on,
    refs,
    max_distance,
    case_file,
    html_file,
    no_ela,
    sensor,
    pixels,
    ocr,
    ocr_lang,
    csv_file,
    trust_anchors,
    memory_budget,
    time_limit,
    quiet,
) -> None:
    """Read, hash and check the images and videos under PATHS.

    Exit status: 0 when done, 1 when a file could not be read, a path was not
    found, a folder or a found case file could not be examined, or a finding
    reaches --fail-on, 2 on a usage error.
    """

    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl exclude each other")
    outputs = (("--output", output), ("--html", html_file), ("--csv", csv_file))
    guard_outputs(outputs, [*paths, *(p for p in (refs, case_file, trust_anchors) if p)])
    check_writable(output, html_file, csv_file)
    if ocr and (problem := ocr_unavailable(ocr_lang)) is not None:
        from rich.markup import escape

        stderr_console().print(f"[yellow]{escape(problem)}[/]", soft_wrap=True)  # one line; the rest of the scan runs
    with progress_bar("Reading", quiet=quiet) as progress:
        report = scan(
            paths, references=refs, case=case_file, workers=workers, max_distance=max_distance, progress=progress,
            sensor=sensor, pixels=pixels, trust_anchors=trust_anchors, memory_budget=memory_budget, time_limit=time_limit,
            ocr=ocr, ocr_lang=ocr_lang,
        )  # fmt: skip

    if html_file:
        from forensics.render.html import write_html  # deferred: Pillow and Jinja load on first use, not on `import forensics`

        with limited(memory_budget=memory_budget, time_limit=time_limit):  # the report's pictures decode under them too
            _write(html_file, lambda: write_html(report, html_file, ela=not no_ela))
    if csv_file:
        from forensics.render.csv import write_csv  # renderers after the scan (see the note on imports)

        _write(csv_file, lambda: write_csv(report, csv_file))

    with output_stream(output) as out:
        if as_json:
            from forensics.render.json import render_json  # (idem)

            out.write(render_json(report))
        elif as_jsonl:
            from forensics.render.json import render_jsonl  # (idem)

            for line in render_jsonl(report):
                out.write(line + "\n")
        else:
            from forensics.render.text import render_text  # (idem)

            render_text(report, stdout_console(out))

    missing = report.skipped.missing
    errors = report.skipped.errors
    if missing or errors or (report.unreadable and not quiet):
        _tell(report, quiet=quiet)
    status = 1 if report.unreadable or missing or errors else 0
    if fail_on and (worst := report.worst()) is not None and worst >= Severity(fail_on):
        status = 1
    if status:
        raise SystemExit(status)


def _tell(report: Report, *, quiet: bool) -> None:
    """What went wrong, on stderr (rich loads only when there is something to say)."""
    from rich.markup import escape  # only when there is something to say

    from forensics.read.carriers import UNDECODED  # (idem)

    err = stderr_console()
    missing = report.skipped.missing
    if missing:  # said even with --quiet: a mistyped path must not pass for an empty folder
        err.print(f"[red]not found:[/] {escape(', '.join(display_path(p) for p in missing))}")
    if report.unreadable and not quiet:
        only_metadata = sum(1 for r in report.unreadable if (r.error or "").startswith(UNDECODED))
        part = f", {only_metadata} of them read for their metadata only" if only_metadata else ""
        err.print(f"[yellow]{len(report.unreadable)} file(s) could not be read[/]{part} (see the unreadable findings).")
    errors = report.skipped.errors
    if errors:  # said even with --quiet: the scan is incomplete
        err.print("[yellow]not examined:[/] " + escape("; ".join(f"{display_path(p)}: {display_text(r)}" for p, r in errors)))


def _write(path: str, write: Callable[[], None]) -> None:
    """Run one writer; its failure names the file asked for (not the temporary file beside it)."""
    try:
        write()
    except OSError as exc:
        raise click.ClickException(f"cannot write {display_path(path)}: {exc.strerror or exc}") from exc
