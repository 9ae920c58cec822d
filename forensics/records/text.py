"""Text for people: printable file names, lists of names, durations."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence


def printable_path(path: str) -> str:
    """A path as text that any terminal or JSON reader accepts.

    Names that are not valid UTF-8 keep their bytes visible as ``\\xNN``
    escapes instead of breaking the output.
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


def file_name(path: str) -> str:
    """The last part of a path, printable, for messages and tables."""
    return printable_path(os.path.basename(path))  # split first: the printable form may hold backslashes


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
