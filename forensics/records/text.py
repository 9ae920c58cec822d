"""Text for people: printable file names, lists of names, durations."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence


def printable_path(path: str) -> str:
    """A path as text that any JSON reader accepts: the name itself when it is valid UTF-8.

    Names that are not valid UTF-8 keep their bytes visible as ``\\xNN``
    escapes instead of breaking the output. Nothing else changes, so a JSON
    path is the file's name exactly; for text shown to people use
    :func:`display_path`.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")  # the bytes of a file-system name
        except UnicodeEncodeError:
            raw = path.encode("utf-8", "backslashreplace")  # a lone surrogate from elsewhere
        return raw.decode("utf-8", "backslashreplace")


_BACKSLASH_IN_NAMES = os.sep != "\\"  # on Windows it is the separator, never part of a name
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(text: str, *, backslash: bool) -> str:
    """``text`` with every character a terminal could act on or hide written as an escape.

    Python's ``str.isprintable`` decides: controls (C0, DEL, C1), format
    characters (bidi overrides such as U+202E, zero-width joiners), line and
    paragraph separators, spaces other than U+0020, surrogates, private-use and
    unassigned code points are escaped; everything else is kept as it is.
    """
    if text.isprintable() and not (backslash and "\\" in text):
        return text  # the common case, decided in C
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\" if backslash else ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")  # a C0 control or DEL: the character and the byte agree
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")  # a byte of a name that is not UTF-8 (surrogateescape)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def display_path(path: str) -> str:
    """A path as shown to people: inert on a terminal and never ambiguous.

    Characters a terminal would act on or that hide or reorder text are
    escaped (``\\x1b``, ``\\u202e``, ``\\n``), a byte that is not UTF-8 is
    ``\\xNN`` (always 80-ff) and a backslash of the name itself is ``\\\\``,
    so the name ``bad\\xff`` (text) and ``bad`` + byte ff stay apart. On Windows
    a backslash separates folders and cannot be part of a name: it is kept.
    """
    return _escape(path, backslash=_BACKSLASH_IN_NAMES)


def display_text(text: str) -> str:
    """Free text for a terminal (a message, a metadata value, an error): non-printables escaped.

    Backslashes are kept: a message names its files with :func:`file_name` or
    :func:`name_list`, which have already made them unambiguous.
    """
    return _escape(text, backslash=False)


def file_name(path: str) -> str:
    """The last part of a path as :func:`display_path` shows it, for messages and tables."""
    return display_path(os.path.basename(path))  # split first: the shown form may hold backslashes


def name_list(paths: Sequence[str], limit: int = 4) -> str:
    """``a.jpg, b.jpg and 3 more``: the names of files, bounded for a message."""
    names = ", ".join(file_name(p) for p in paths[:limit])
    return names + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def common_folder(paths: list[str]) -> str:
    """The folder every path lies under ('' when they share none), to shorten tables."""
    dirs = [os.path.dirname(p) for p in paths]
    if not dirs:
        return ""
    try:
        base = os.path.commonpath(dirs)
    except ValueError:  # mixed absolute and relative paths
        return ""
    return "" if base in ("", ".", os.sep) else base


def shorten(path: str, base: str) -> str:
    """``path`` relative to ``base`` when it lies under it (for display only)."""
    return path[len(base) :].lstrip("/\\") if base and path.startswith(base) else path


def describe_span(delta: dt.timedelta | float, *, decimals: int = 0) -> str:
    """A duration (or seconds) as a person says it: ``3 days``, ``2.4 days``, ``42 seconds``."""
    s = abs(delta.total_seconds() if isinstance(delta, dt.timedelta) else float(delta))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size:
            n = round(s / size, decimals)
            return f"{n:.{decimals}f} {unit}{'' if n == 1 else 's'}"
    return f"{s:.0f} seconds"
