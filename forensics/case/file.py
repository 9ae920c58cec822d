"""Case files: the competing hypotheses an investigator weighs, read from TOML."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass

from forensics.errors import CaseFileError
from forensics.geo.zones import country_zones
from forensics.records.record import Serialisable

HYPOTHESIS_KEYS = ("id", "statement", "country", "taken_after", "taken_before", "single_device", "unpublished_before", "signed", "signer")


TOP_KEYS = ("title", "description", "hypotheses")


Bound = dt.date | dt.datetime


@dataclass(frozen=True)
class Hypothesis(Serialisable):
    """One claim about the set; unset criteria are not tested."""

    id: str
    statement: str
    country: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 codes; any of them fits
    taken_after: Bound | None = None
    taken_before: Bound | None = None
    single_device: bool | None = None
    unpublished_before: Bound | None = None
    signed: bool | None = None  # the pictures carry valid Content Credentials (true) or none (false)
    signer: str | None = None  # a name their Content Credentials' signer must bear


@dataclass(frozen=True)
class Case(Serialisable):
    """A case file: a title and the competing hypotheses."""

    hypotheses: tuple[Hypothesis, ...]
    title: str | None = None
    description: str | None = None
    path: str | None = None


def load_case(path: str | os.PathLike[str]) -> Case:
    """Read a case file (TOML); a malformed one raises :class:`CaseFileError` naming the line."""
    path = os.fsdecode(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read the case file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError(f"{path}, line {line}: the case file is not UTF-8 text") from exc
    return parse_case(text, path=path)


def parse_case(text: str, *, path: str | None = None) -> Case:
    """Parse case-file text; see :func:`load_case`.

    Examples
    --------
    >>> case = parse_case('[[hypotheses]]\\nid = "a"\\nstatement = "In Syria"\\ncountry = "SY"')
    >>> case.hypotheses[0].country
    ('SY',)
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib

    where = path or "case file"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{where}: not valid TOML: {exc}") from exc

    def fail(message: str, line: int | None) -> CaseFileError:
        return CaseFileError(f"{where}{f', line {line}' if line else ''}: {message}")

    for key in data:
        if key not in TOP_KEYS:
            raise fail(f"unknown key {key!r} (expected {', '.join(TOP_KEYS)})", _line_of(text, None, key))
    hyps = data.get("hypotheses")
    if not isinstance(hyps, list) or not hyps or not all(isinstance(h, dict) for h in hyps):
        raise fail("needs at least one [[hypotheses]] table", _line_of(text, None, "hypotheses"))
    out = []
    seen: set[str] = set()
    for i, h in enumerate(hyps):
        line = lambda key, i=i: _line_of(text, i, key)  # noqa: E731
        for key in h:
            if key not in HYPOTHESIS_KEYS:
                raise fail(f"unknown key {key!r} in hypothesis {i + 1} (expected {', '.join(HYPOTHESIS_KEYS)})", line(key))
        for key in ("id", "statement"):
            if not isinstance(h.get(key), str) or not h[key].strip():
                raise fail(f"hypothesis {i + 1} needs a {key} (a non-empty string)", line(key) or _header_line(text, i))
        hid = h["id"].strip()
        if hid in seen:
            raise fail(f"hypothesis id {hid!r} is used twice", line("id"))
        seen.add(hid)
        countries = h.get("country", [])
        if isinstance(countries, str):
            countries = [countries]
        if not isinstance(countries, list) or not all(isinstance(c, str) and re.fullmatch(r"[A-Za-z]{2}", c) for c in countries):
            raise fail(f"country of {hid!r} must be an ISO 3166 two-letter code or a list of them", line("country"))
        for c in countries:
            if not country_zones(c):  # tzdata's zone.tab lists every inhabited ISO 3166 country
                hint = " (the United Kingdom is GB)" if c.upper() == "UK" else ""
                raise fail(f"country of {hid!r}: {c!r} is not an ISO 3166 country code{hint}", line("country"))
        bounds = {}
        for key in ("taken_after", "taken_before", "unpublished_before"):
            value = h.get(key)
            if value is None:
                continue
            if isinstance(value, dt.time) or not isinstance(value, (dt.date, str)):
                raise fail(f"{key} of {hid!r} must be a date (2016-06-22) or a date and time", line(key))
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value) if len(value.strip()) == 10 else dt.datetime.fromisoformat(value)
                except ValueError:
                    raise fail(f"{key} of {hid!r} must be a date (2016-06-22) or a date and time, not {value!r}", line(key)) from None
            bounds[key] = value
        after, before = bounds.get("taken_after"), bounds.get("taken_before")
        if after is not None and before is not None and sortable_time(after) >= sortable_time(before):
            raise fail(f"taken_after of {hid!r} ({after}) is not before its taken_before ({before})", line("taken_after"))
        single = h.get("single_device")
        if single is not None and not isinstance(single, bool):
            raise fail(f"single_device of {hid!r} must be true or false", line("single_device"))
        signed, signer = h.get("signed"), h.get("signer")
        if signed is not None and not isinstance(signed, bool):
            raise fail(f"signed of {hid!r} must be true or false", line("signed"))
        if signer is not None and (not isinstance(signer, str) or not signer.strip()):
            raise fail(f"signer of {hid!r} must be a name (a non-empty string)", line("signer"))
        out.append(
            Hypothesis(
                id=hid,
                statement=h["statement"].strip(),
                country=tuple(c.upper() for c in countries),
                single_device=single,
                signed=signed,
                signer=signer.strip() if signer is not None else None,
                **bounds,
            )
        )
    title = data.get("title")
    description = data.get("description")
    for key, value in (("title", title), ("description", description)):
        if value is not None and not isinstance(value, str):
            raise fail(f"{key} must be a string", _line_of(text, None, key))
    return Case(hypotheses=tuple(out), title=title, description=description, path=path)


_HEADER = re.compile(r"^\s*\[\[\s*hypotheses\s*\]\]", re.M)


def _header_line(text: str, index: int) -> int | None:
    heads = list(_HEADER.finditer(text))
    if index < len(heads):
        return text.count("\n", 0, heads[index].start()) + 1
    return None


def _line_of(text: str, index: int | None, key: str) -> int | None:
    """The line where ``key`` is set (in the ``index``-th hypothesis table, or at top level)."""
    heads = [m.start() for m in _HEADER.finditer(text)]
    if index is None:
        start, end = 0, heads[0] if heads else len(text)
    elif index < len(heads):
        start, end = heads[index], heads[index + 1] if index + 1 < len(heads) else len(text)
    else:
        return None
    m = re.compile(rf"^\s*{re.escape(key)}\s*=", re.M).search(text, start, end)
    if m is None:
        return None
    return text.count("\n", 0, m.start()) + 1


def sortable_time(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    return dt.datetime.combine(value, dt.time())
