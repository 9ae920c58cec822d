"""Case files: the competing hypotheses an investigator weighs, read from TOML."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
from dataclasses import dataclass

from forensics.errors import CaseFileError
from forensics.geo.zones import country_zones
from forensics.records.record import Serialisable
from forensics.records.text import printable_path

HYPOTHESIS_KEYS = (
    "id",
    "statement",
    "country",
    "taken_after",
    "taken_before",
    "single_device",
    "unpublished_before",
    "signed",
    "signer",
    "originals",
    "unit",  # what photographed documents should show (scan --ocr)
    "name",
)

# A case file is a few KB of text. Past these limits a file is refused before it is parsed,
# so that a hostile one found among the evidence cannot take the memory or the time of a
# run: the TOML parser's cost grows with the number of tables and keys (a 256 KiB file of
# them takes at most about 60 MB and half a second) and, for one dotted key (a.b.c = 1),
# with the square of its parts (8,000 parts take 0.3 GB, 100,000 exhaust any machine).
# Case files need no dotted keys at all. Nesting deeper than the interpreter's recursion
# limit is refused through the parser's RecursionError.
MAX_CASE_BYTES = 256 * 1024
MAX_KEY_PARTS = 32
# Each hypothesis is weighed against every finding and lists them all in the report: a
# thousand of them would multiply a large set's report by a thousand. A case weighs a few.
MAX_HYPOTHESES = 100


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
    originals: bool | None = None  # the files are as the camera wrote them (true) or were re-encoded (false)
    unit: str | None = None  # a military unit's number the photographed documents should name (scan --ocr)
    name: str | None = None  # a person's name the photographed documents should bear (scan --ocr)


@dataclass(frozen=True)
class Case(Serialisable):
    """A case file: a title and the competing hypotheses."""

    hypotheses: tuple[Hypothesis, ...]
    title: str | None = None
    description: str | None = None
    path: str | None = None


def load_case(path: str | os.PathLike[str]) -> Case:
    """Read a case file (TOML); a malformed one raises :class:`CaseFileError` naming the line.

    Only a regular file of at most :data:`MAX_CASE_BYTES` is read (at most one byte
    more is taken from it), so that ``/dev/zero``, a FIFO or a huge file is refused
    at once instead of filling the memory.
    """
    path = os.fsdecode(path)
    where = _printable(path)
    try:
        raw = _read_small(path, where)
    except OSError as exc:
        raise CaseFileError(f"{where}: cannot read the case file: {_printable(exc.strerror or str(exc))}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError(f"{where}, line {line}: the case file is not UTF-8 text") from exc
    return parse_case(text, path=path)


def _read_small(path: str, where: str) -> bytes:
    """The bytes of a regular file of at most MAX_CASE_BYTES; CaseFileError for anything else."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
            raise CaseFileError(f"{where}: not a case file: {what}, not a regular file")
        with open(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_CASE_BYTES + 1)  # never more, whatever the file claims or grows to
    finally:
        os.close(fd)
    if len(raw) > MAX_CASE_BYTES:
        raise CaseFileError(f"{where}: not a case file: larger than {MAX_CASE_BYTES // 1024} KiB (a case file is a few KB of text)")
    return raw


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

    where = _printable(path) if path else "case file"
    if len(text) > MAX_CASE_BYTES:
        raise CaseFileError(f"{where}: not a case file: larger than {MAX_CASE_BYTES // 1024} KiB (a case file is a few KB of text)")
    if (deep := _deep_key_line(text)) is not None:
        raise CaseFileError(f"{where}, line {deep}: a dotted key of more than {MAX_KEY_PARTS} parts (a case file needs none)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{where}: not valid TOML: {_printable(str(exc))}") from exc
    except RecursionError:
        raise CaseFileError(f"{where}: not valid TOML: arrays or tables nested too deeply") from None
    except (ValueError, OverflowError):  # an integer of thousands of digits, which Python refuses to convert
        raise CaseFileError(f"{where}: not valid TOML: a number too large to read") from None

    def fail(message: str, line: int | None) -> CaseFileError:
        return CaseFileError(f"{where}{f', line {line}' if line else ''}: {message}")

    for key in data:
        if key not in TOP_KEYS:
            raise fail(f"unknown key {key!r} (expected {', '.join(TOP_KEYS)})", _line_of(text, None, key))
    hyps = data.get("hypotheses")
    if not isinstance(hyps, list) or not hyps or not all(isinstance(h, dict) for h in hyps):
        raise fail("needs at least one [[hypotheses]] table", _line_of(text, None, "hypotheses"))
    if len(hyps) > MAX_HYPOTHESES:
        raise fail(f"more than {MAX_HYPOTHESES} hypotheses (a case weighs a few)", _header_line(text, MAX_HYPOTHESES))
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
            try:
                sortable_time(value)  # weighed in UTC: an offset must not carry it past year 1 or 9999
            except OverflowError:
                raise fail(f"{key} of {hid!r} is out of range", line(key)) from None
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
        originals = h.get("originals")
        if originals is not None and not isinstance(originals, bool):
            raise fail(f"originals of {hid!r} must be true or false", line("originals"))
        unit, person = h.get("unit"), h.get("name")
        if isinstance(unit, int) and not isinstance(unit, bool) and unit >= 0:
            unit = str(unit)
        if unit is not None and (not isinstance(unit, str) or not re.fullmatch(r"\s*\d{4,5}\s*", unit)):
            raise fail(f'unit of {hid!r} must be a military unit\'s number ("12345")', line("unit"))
        if person is not None and (not isinstance(person, str) or not person.strip()):
            raise fail(f"name of {hid!r} must be a person's name (a non-empty string)", line("name"))
        out.append(
            Hypothesis(
                id=hid,
                statement=h["statement"].strip(),
                country=tuple(c.upper() for c in countries),
                single_device=single,
                signed=signed,
                signer=signer.strip() if signer is not None else None,
                originals=originals,
                unit=unit.strip() if unit is not None else None,
                name=" ".join(person.split()) if person is not None else None,
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

# One part of a dotted key, with the blanks around it: bare, "basic" or 'literal'.
# Matched at a position (never searched), so its run time is the length of the part.
_KEY_PART = re.compile(r"""[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')[ \t]*""")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _deep_key_line(text: str) -> int | None:
    """The first line whose key (or table header) has more than MAX_KEY_PARTS dotted parts.

    A line of a multi-line string may look like one; only a run of parts that ends
    in ``=`` or ``]`` counts, which prose (``word.word.word.``) does not do.
    """
    if text.count(".") < MAX_KEY_PARTS:
        return None  # every case file worth the name
    for number, line in enumerate(text.split("\n"), 1):
        if line.count(".") < MAX_KEY_PARTS:
            continue
        pos = len(line) - len(line.lstrip(" \t["))  # after a table header's [ or [[
        parts = 0
        while (m := _KEY_PART.match(line, pos)) is not None:
            parts += 1
            pos = m.end()
            if not line.startswith(".", pos):
                break
            pos += 1
        if parts > MAX_KEY_PARTS and line.startswith(("=", "]"), pos):
            return number
    return None


def _printable(text: str) -> str:
    """Text for a one-line message: control characters (a newline in a file name) as escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", printable_path(text))


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
