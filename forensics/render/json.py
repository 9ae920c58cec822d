"""JSON and JSON Lines renderers (schema ``forensics.report/1``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from forensics.report import SCHEMA, Report, finding_dict, image_dict


def dumps(data: Any, *, indent: int | None = 2) -> str:
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False, default=str)


def render_json(report: Report) -> str:
    """The whole report as one JSON document."""
    return dumps(report.to_dict()) + "\n"


def render_jsonl(report: Report) -> Iterator[str]:
    """One line per file, then one per set-level finding, match and hypothesis.

    Every line has a ``type`` (``header``, ``image``, ``finding``, ``match``,
    ``hypothesis``) so a consumer can stream a huge scan.
    """
    full = report.to_dict()
    header = {k: full[k] for k in ("schema", "tool", "generated_at", "parameters", "summary", "skipped")}
    yield dumps({"type": "header", **header}, indent=None)
    for r in report.images:
        yield dumps({"type": "image", **image_dict(r)}, indent=None)
    for f in report.set_findings:
        yield dumps({"type": "finding", **finding_dict(f)}, indent=None)
    for m in full["matches"]:
        yield dumps({"type": "match", **m}, indent=None)
    for h in full["hypotheses"]:
        yield dumps({"type": "hypothesis", **h}, indent=None)


__all__ = ["SCHEMA", "dumps", "render_json", "render_jsonl"]
