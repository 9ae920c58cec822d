"""Terminal renderer: a table of files, then findings grouped by severity."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forensics.records.findings import Severity
from forensics.records.record import ImageRecord
from forensics.records.text import common_folder, display_path, display_text, name_list, shorten
from forensics.render.matches import matches_section
from forensics.render.sets_text import render_set
from forensics.report import Report

_STYLE = {Severity.WARNING: "bold red", Severity.NOTICE: "yellow", Severity.INFO: "cyan"}


def _cell(value: Any) -> str:
    """A table cell: what a file says is text, never markup or terminal control."""
    return escape(display_text(str(value))) if value not in (None, "") else "[dim]–[/]"


def files_table(report: Report) -> Table:
    base = common_folder([r.path for r in report.images])
    title = f"{len(report.images)} file(s)" + (f" in {escape(display_path(base))}" if base else "")
    table = Table(title=title, title_justify="left", expand=False)
    for col in ("file", "type", "size", "device", "captured", "GPS", "findings"):
        table.add_column(col, overflow="fold")
    # a file's count includes the set findings that name it (device-mix, travel, matches…)
    per_file: dict[str, list[Severity]] = {}
    for f in report.findings:
        for p in set(f.paths):
            per_file.setdefault(p, []).append(f.severity)
    for r in report.images:
        table.add_row(*_row(r, base, per_file.get(r.path, [])))
    return table


def _row(r: ImageRecord, base: str = "", severities: list[Severity] | None = None) -> list[str]:
    m = r.metadata
    gps = f"{m.gps.lat:.5f}, {m.gps.lon:.5f}" if m.gps and m.gps.lat is not None and m.gps.lon is not None else None
    size = f"{r.width}×{r.height}" if r.width else None
    if severities is None:
        severities = [f.severity for f in r.findings]
    counts = {s: severities.count(s) for s in Severity}
    marks = " ".join(f"[{_STYLE[s]}]{n} {s.value}[/]" for s, n in reversed(counts.items()) if n)
    captured = m.capture_time.isoformat(sep=" ") if m.capture_time else None
    if captured is None and r.video is not None and r.video.creation_time is not None:
        captured = r.video.creation_time.isoformat(sep=" ")  # a video's container creation time (UTC)
    kind = r.format or ("?" if r.error else r.kind)
    return [
        escape(display_path(shorten(r.path, base))) or "[dim]–[/]",
        _cell(kind),
        _cell(size),
        _cell(m.device),
        _cell(captured),
        _cell(gps),
        marks or "[dim]none[/]",
    ]


def render_text(report: Report, console: Console) -> None:
    """Print the report for a person reading a terminal."""
    console.print(files_table(report))
    matches_section(report, console)
    if not report.findings:
        console.print("\nNo findings.")
    for severity in (Severity.WARNING, Severity.NOTICE, Severity.INFO):
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        console.print(f"\n[{_STYLE[severity]}]{severity.value.upper()}[/] ({len(group)})")
        for f in group:
            names = name_list(f.paths)
            console.print(f"  [bold]{escape(f.check)}[/] {escape(names)}: {escape(display_text(f.message))}", highlight=False)
    render_set(report, console)
    s = report.skipped
    for path, reason in s.errors:  # the scan is incomplete: said in full, not counted away
        console.print(f"\n[yellow]not examined:[/] {escape(display_path(path))}: {escape(display_text(reason))}", highlight=False)
    if s.junk or s.other or s.missing:
        parts = []
        if s.junk:
            parts.append(f"{s.junk} OS junk file(s) skipped")
        if s.other:
            parts.append(f"{len(s.other)} other path(s) skipped")
        if s.missing:
            parts.append(f"{len(s.missing)} path(s) not found: " + ", ".join(escape(display_path(p)) for p in s.missing))
        console.print("\n[dim]" + "; ".join(parts) + "[/]")
