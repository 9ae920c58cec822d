"""Terminal rendering of reference matches (``forensics match`` and the scan report)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forensics.records.text import common_folder, display_path, display_text, shorten
from forensics.refs.match import Match
from forensics.report import Report


def matches_table(matches: Sequence[Match], *, title: str | None = None) -> Table:
    """One row per match: query, reference, provenance, transform, distances, confidence."""
    qbase = common_folder([m.path for m in matches])
    rbase = common_folder([m.reference.path for m in matches])
    table = Table(title=title, title_justify="left")
    for col in ("file", "reference", "source", "published", "transform", "distances", "confidence"):
        table.add_column(col, overflow="fold")
    if qbase or rbase:
        table.caption = " · ".join(
            f"{what} under {escape(display_path(base))}" for what, base in (("files", qbase), ("references", rbase)) if base
        )
        table.caption_justify = "left"
    for m in matches:
        ref = m.reference
        name = display_path(shorten(ref.path, rbase))
        if ref.timestamp is not None:
            name += f" @ {ref.timestamp:.1f} s"
        query = display_path(shorten(m.path, qbase))
        if "query_timestamp" in m.details:
            query += f" @ {m.details['query_timestamp']:.1f} s"
        source = display_text(" ".join(s for s in (ref.source, ref.url) if s))  # provenance as the index holds it
        transform = m.transform
        if m.region:
            x, y, w, h = m.region
            transform += f" [dim]at {x},{y} {w}×{h}[/]"
        distances = " ".join(f"{k} {v}" for k, v in m.distances.items())
        table.add_row(
            escape(query), escape(name), escape(source) or "[dim]–[/]",
            escape(ref.published.isoformat()) if ref.published else "[dim]–[/]",
            transform if m.region else escape(transform), escape(distances), f"{m.confidence:.2f} ({m.method})",
        )  # fmt: skip
    return table


def print_matches(matches: Sequence[Match], console: Console, *, queries: int | None = None) -> None:
    """The matches of ``forensics match``, or a line saying there are none."""
    if not matches:
        console.print(f"No match{f' for {queries} file(s)' if queries is not None else ''}.", highlight=False)
        return
    found = len({m.path for m in matches})
    title = f"{len(matches)} match(es) for {found} file(s)" + (f" of {queries}" if queries is not None else "")
    console.print(matches_table(matches, title=title))


def matches_section(report: Report, console: Console) -> None:
    """The reference matches of a scan report (nothing when no index was searched)."""
    if not report.matches:
        return
    console.print()
    console.print(matches_table(report.matches, title=f"{len(report.matches)} reference match(es)"))
