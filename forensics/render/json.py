"""JSON and JSON Lines renderers (schema ``forensics.report/1``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from forensics.report import SCHEMA, Report, finding_dict, image_dict

# json.dumps escapes C0 controls but, with ensure_ascii=False, leaves these raw: C1 controls (a
# terminal shown the JSON may act on U+009B as CSI), bidi overrides and invisible format characters
# (which reorder or hide text) and line separators. Written as \uXXXX escapes the value is the same,
# and they can only occur inside strings, so the document's meaning does not change.
_INERT = re.compile("[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")


try:  # indented, the standard library encodes in Python: 27 ms for a scan of 60 files, 60 ms for 260
    import orjson as _orjson
except ImportError:  # a platform without its wheel: the standard library's encoder
    _orjson = None  # type: ignore[assignment]


# what the standard library writes with default=str, orjson writes the same way: datetimes and
# dataclasses go to the default too (orjson has its own forms for them), a float's subclass (numpy's
# float64) is written as the float and a tuple's (a named tuple) as a list (orjson would call the
# default for both). Where they still differ, no report holds the value (records.jsonable makes keys
# strings and enums their values): a plain Enum (orjson writes its value), a float or date key, and
# a NaN or an infinity, which orjson writes as null where the standard library, and so the JSON
# Lines, refuse it (tests/test_calibration.py checks that no record of the real files holds one).
_OPTIONS = (
    _orjson.OPT_INDENT_2 | _orjson.OPT_NON_STR_KEYS | _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
    if _orjson is not None
    else 0
)


def _default(value: object) -> object:
    if isinstance(value, float):
        return float(value)
    return list(value) if isinstance(value, tuple) else str(value)


def dumps(data: object, *, indent: int | None = 2) -> str:
    """JSON text: UTF-8 kept readable, with every character a terminal would act on escaped."""
    text = None
    if indent == 2 and _orjson is not None:
        # the text of json.dumps(indent=2, ensure_ascii=False), 15 times faster, but for how a float
        # may be spelled (1e-7 for 1e-07, 0.00006103515625 for 6.103515625e-05: the same numbers)
        try:
            text = _orjson.dumps(data, option=_OPTIONS, default=_default).decode()
        except _orjson.JSONEncodeError:  # a lone surrogate, an integer past 64 bits: as the standard library does
            pass
    if text is None:
        text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False, default=str)
    return _INERT.sub(lambda m: json.dumps(m.group())[1:-1], text) if _INERT.search(text) else text


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
