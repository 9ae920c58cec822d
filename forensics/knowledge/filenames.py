"""File-name patterns that carry a time or a counter, as devices and systems write them.

Sources: macOS screenshot names (10.6–10.13 "Screen Shot", 10.14+ "Screenshot"),
Android ``Screenshot_YYYYMMDD-HHMMSS`` and ``Screenshot_YYYY-MM-DD-HH-MM-SS-xx``,
Windows ``Screenshot (N)``, camera DCF names (``IMG_1234``, ``DSC_0042``) and
phone camera names (``20160619_142233``, ``IMG_20160619_142233``, ``PXL_…``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_DAY_TIME = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"

SCREENSHOT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("macOS", re.compile(
        r"^Screen ?[Ss]hot " + _MONTH_DAY_TIME +
        r" at (?P<h>\d{1,2})[.:](?P<mi>\d{2})[.:](?P<s>\d{2})(?:[\s\u202f](?P<ampm>[AaPp][Mm]))?")),
    ("Android", re.compile(
        r"^Screenshot_(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})[-_](?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})")),
    ("Android", re.compile(
        r"^Screenshot_(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})-(?P<h>\d{2})-(?P<mi>\d{2})-(?P<s>\d{2})")),
    ("Windows", re.compile(r"^Screenshot (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})")),
    ("generic", re.compile(r"^(?:Screenshot|Screen Shot|Capture)(?:[ _(]|$)", re.I)),
)  # fmt: skip

CAPTURE_TIME_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:^|[_-])(?P<y>20\d{2})(?P<mo>\d{2})(?P<d>\d{2})[_-](?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})"),
)

COUNTER_PATTERN = re.compile(r"^(?P<prefix>IMG|DSC|DSCN|DSCF|DSC_|_DSC|P|PICT|GOPR|DJI|MVI|CIMG|SAM|PXL)[_-]?(?P<n>\d{3,5})(?:\D|$)", re.I)


@dataclass(frozen=True)
class NameTime:
    source: str  # "macOS", "Android", …
    time: dt.datetime | None  # local time, naive (the name carries no zone)


def _build(m: re.Match[str]) -> dt.datetime | None:
    g = m.groupdict()
    if g.get("y") is None:
        return None
    try:
        h = int(g["h"])
        if g.get("ampm"):
            pm = g["ampm"].lower() == "pm"
            h = h % 12 + (12 if pm else 0)
        return dt.datetime(int(g["y"]), int(g["mo"]), int(g["d"]), h, int(g["mi"]), int(g["s"]))
    except ValueError:
        return None


def screenshot_name(name: str) -> NameTime | None:
    """If ``name`` is a screenshot's default file name, its source and time."""
    for source, pattern in SCREENSHOT_PATTERNS:
        m = pattern.search(name)
        if m:
            return NameTime(source, _build(m))
    return None


def capture_time_from_name(name: str) -> dt.datetime | None:
    """A camera's ``YYYYMMDD_HHMMSS`` time in a file name, or None."""
    for pattern in CAPTURE_TIME_PATTERNS:
        m = pattern.search(name)
        if m:
            return _build(m)
    return None


def counter_from_name(name: str) -> tuple[str, int] | None:
    """A camera's file counter (``IMG_1234`` -> ("IMG", 1234)), or None."""
    m = COUNTER_PATTERN.match(name)
    if not m:
        return None
    return m.group("prefix").upper().strip("_"), int(m.group("n"))


# File names messengers and platforms give the pictures they deliver or save: reported, not
# measured here (each app's own naming, as seen on saved files; apps change them over the years).
PLATFORM_NAME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # WhatsApp media folders: IMG-20160621-WA0003.jpg
    ("WhatsApp", re.compile(r"^IMG-(?P<y>20\d{2})(?P<mo>\d{2})(?P<d>\d{2})-WA\d{4}", re.I)),
    # Telegram Desktop saves: photo_2016-06-21_10-30-05.jpg
    ("Telegram", re.compile(r"^photo_(?P<y>20\d{2})-(?P<mo>\d{2})-(?P<d>\d{2})_(?P<h>\d{2})-(?P<mi>\d{2})-(?P<s>\d{2})")),
    # Signal exports: signal-2016-06-21-103005.jpg (a counter may follow)
    ("Signal", re.compile(r"^signal-(?P<y>20\d{2})-(?P<mo>\d{2})-(?P<d>\d{2})-(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})")),
    # Facebook for Android saves FB_IMG_<epoch ms>.jpg; Messenger received_<id>.jpeg
    ("Facebook / Messenger", re.compile(r"^FB_IMG_\d{10,}")),
    ("Facebook / Messenger", re.compile(r"^received_\d{6,}")),
    # Facebook and Instagram CDN names: <id>_<id>_<id>_n.jpg (o, a, s and n sizes)
    ("Facebook / Instagram", re.compile(r"^\d{5,}_\d{5,}_\d{5,}_[naos]\.jpe?g$", re.I)),
)  # fmt: skip


def platform_name(name: str) -> NameTime | None:
    """If ``name`` is a file name a messenger or platform gives, the platform and any time it holds.

    Examples
    --------
    >>> platform_name("IMG-20160621-WA0003.jpg").source
    'WhatsApp'
    >>> platform_name("IMG_20160621_103005.jpg") is None
    True
    """
    for source, pattern in PLATFORM_NAME_PATTERNS:
        m = pattern.search(name)
        if m:
            return NameTime(source, _build(m) if "h" in m.groupdict() else None)
    return None
