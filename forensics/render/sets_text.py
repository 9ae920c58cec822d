"""Terminal rendering of what concerns the whole set: its summary and the hypotheses matrix."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forensics.records.text import describe_span, display_path, display_text, file_name
from forensics.report import Report

_VERDICT_STYLE = {"consistent": "green", "inconsistent": "bold red", "silent": "dim"}


def render_set(report: Report, console: Console) -> None:
    """Print the set summary (devices, time range, places) and the case's evidence matrix."""
    summary = report.facts.to_dict()
    if summary and len(report.images) > 1:
        _summary(summary, console)
    if report.hypotheses:
        _matrix(report, console)


def _summary(s: dict[str, Any], console: Console) -> None:
    console.print("\n[bold]Across the set[/]")
    devices = s.get("devices") or []
    if devices:
        text = "; ".join(f"{d['device']} ({d['count']})" for d in devices)
        if s.get("unknown_device"):
            text += f"; no device named: {len(s['unknown_device'])}"
        console.print(f"  devices: {escape(display_text(text))}", highlight=False)
    t = s.get("time") or {}
    if t.get("first"):
        line = f"  captured: {t['first'].replace('T', ' ')} to {t['last'].replace('T', ' ')} (local clock, {t['timed']} timed"
        line += f", {t['untimed']} without a time)" if t.get("untimed") else ")"
        console.print(escape(line), highlight=False)
        for g in t.get("gaps", [])[:3]:
            console.print(
                f"  gap: {describe_span(g['seconds'], decimals=1)} between {escape(file_name(g['after']))} and {escape(file_name(g['before']))}",
                highlight=False,
            )
    if s.get("countries"):
        places = ", ".join(f"{p['place']} ({p['country_code']}): {p['count']}" for p in s.get("places", [])[:6])
        countries = ", ".join(f"{c['code']}: {c['count']}" for c in s["countries"])
        console.print(
            f"  located: {s.get('located', 0)} in {escape(display_text(countries))}"
            + (f"; {escape(display_text(places))}" if places else ""),
            highlight=False,
        )


def _matrix(report: Report, console: Console) -> None:
    title = report.parameters.case
    console.print(f"\n[bold]Hypotheses[/]{f' ({escape(display_path(str(title)))})' if title else ''}")
    console.print("[dim]  An evidence matrix, not a verdict: what each hypothesis expects and how the files bear on it.[/]")
    for h in report.hypotheses:
        d = h.to_dict()
        table = Table(title=escape(display_text(f"{d['id']}: {d['statement']}")), title_justify="left", expand=False)
        for col in ("criterion", "expects", "the files show", "verdict"):
            table.add_column(col, overflow="fold")
        for row in d["rows"]:
            style = _VERDICT_STYLE.get(row["verdict"], "")
            cells = (escape(display_text(row[k])) for k in ("criterion", "expectation", "observation"))
            table.add_row(*cells, f"[{style}]{row['verdict']}[/]")
        if not d["rows"]:
            table.add_row("–", "states nothing the files can test", "", "[dim]silent[/]")
        console.print(table)
        console.print(
            f"  findings: {len(d['consistent'])} consistent, {len(d['inconsistent'])} inconsistent, {len(d['silent'])} silent",
            highlight=False,
        )
