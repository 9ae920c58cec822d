"""``forensics meta`` and ``forensics hash``: one file at a time."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from forensics.cli.common import json_option, stdout_console, trust_anchors_option
from forensics.pipeline.listings import describe, hash_files, metadata_dict
from forensics.records.record import Credentials
from forensics.records.text import display_path, display_text
from forensics.render.json import dumps


def _flatten(prefix: str, value, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(f"{prefix}[{i}]", v, out)
    elif value not in (None, [], {}, "", False, 0) or prefix.endswith(("present", "orientation")):
        out.append((prefix, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))


@click.command("meta")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@json_option
@click.option("--all", "all_tags", is_flag=True, help="Add every raw EXIF tag, and a Content Credentials manifest store as its JSON.")
@trust_anchors_option
def meta_command(files, as_json, all_tags, trust_anchors) -> None:
    """Show everything the metadata of FILES (or of the files in folders) says, Content Credentials included."""
    listing = describe(files, all_tags=all_tags, trust_anchors=trust_anchors)
    if as_json:
        sys.stdout.write(dumps(listing.to_dict()) + "\n")
    else:
        console = stdout_console(sys.stdout)
        for r in listing.files:
            d = metadata_dict(r)
            d.pop("path", None)
            store = (d.get("credentials") or {}).pop("store", None)  # printed whole below, not as rows
            table = Table(title=escape(display_path(r.path)), title_justify="left", show_header=False)
            table.add_column("field", style="bold")
            table.add_column("value", overflow="fold")
            rows: list[tuple[str, str]] = []
            if r.width:
                m = r.metadata
                exif_size = f"{m.exif_width}×{m.exif_height}" if m.exif_width and m.exif_height else "none"
                rows.append(("pixels", f"{r.width}×{r.height} decoded; EXIF says {exif_size}"))
            if (c := r.credentials) is not None:
                rows.append(("Content Credentials", credentials_summary(c)))
            _flatten("", d, rows)
            for k, v in rows:
                table.add_row(escape(display_text(k)), escape(display_text(v)))  # tag names and values are the file's text
            console.print(table)
            if store is not None:
                console.print("Content Credentials manifest store, as the C2PA reader gives it:")
                console.print(escape(dumps(store)), highlight=False, soft_wrap=True)  # dumps escapes what a terminal would act on
    if listing.unreadable:
        raise SystemExit(1)


@click.command("hash")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@json_option
def hash_command(files, as_json) -> None:
    """Print SHA-256 and the perceptual hashes of FILES (or of the files in folders)."""
    listing = hash_files(files)
    if as_json:
        sys.stdout.write(dumps(listing.to_dict()) + "\n")
    else:
        console = stdout_console(sys.stdout)
        table = Table(show_header=True)
        for col in ("file", "sha256", "phash", "dhash", "ahash", "whash", "colorhash"):
            table.add_column(col, overflow="fold")
        for f in listing.files:
            name = escape(display_path(f.path))
            if f.error:
                table.add_row(name, f.sha256 or "–", f"[red]{escape(display_text(f.error))}[/]", "", "", "", "")
            elif f.hashes is None:  # a video: its frames have hashes (`forensics frames`), the file has none
                table.add_row(name, f.sha256 or "–", *["[dim]–[/]"] * 5)
            else:
                h = f.hashes
                table.add_row(name, f.sha256 or "–", h.phash, h.dhash, h.ahash, h.whash, h.colorhash)
        console.print(table)
    if listing.unreadable:
        raise SystemExit(1)


def credentials_summary(c: Credentials) -> str:
    """One line on a file's Content Credentials: the state, the signer, the trust, the chain's length."""
    if not c.present:
        return (
            f"none embedded; refers to a remote manifest {c.remote} (not fetched)"
            if c.remote
            else "removed; traces: " + "; ".join(c.traces)
        )
    signer = c.signer.name if c.signer is not None and c.signer.name else "an unnamed signer"
    parts = [c.validation.value, f"signed by {signer}", f"signer {c.trust.value}", f"{len(c.chain)} manifest(s)"]
    if c.failures:
        parts.append("failing: " + ", ".join(dict.fromkeys(f.code for f in c.failures)))
    if c.error:
        parts.append(c.error)
    return "; ".join(parts)
