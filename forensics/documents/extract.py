"""Values in a document's text: dates, military unit numbers, personal and document numbers, names.

Dates and numbers are found by the forms Russian and English documents write
them in (below, each with an example); a date is kept only when it exists on
the calendar. Names come from named-entity recognition (natasha's Russian news
model, shipped inside the package: nothing is fetched); without natasha, no
names are reported, never guessed from a list.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence

from forensics.records.document import Box, Extracted, Word

_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря")
_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_YEAR = r"((?:19|20)\d{2})"
_EN = r"(" + "|".join(m.capitalize() + ("" if len(m) <= 4 else f"|{m[:3].capitalize()}\\.?") for m in _EN_MONTHS) + r")"

# (pattern, which groups hold day, month, year): the forms documents use
_DATES: tuple[tuple[re.Pattern[str], tuple[int, int, int]], ...] = (
    (re.compile(r"(?<![\w.])(\d{1,2})\.(\d{1,2})\.(?:\s?)" + _YEAR + r"(?![\d])"), (1, 2, 3)),  # 12.05.2016
    (re.compile(r"(?<![\d-])" + _YEAR + r"-(\d{2})-(\d{2})(?![\d])"), (3, 2, 1)),  # 2016-05-12
    # 12 мая 2016 г., «12» мая 2016 года
    (
        re.compile(r"(?<!\d)[«\"“]?(\d{1,2})[»\"”]?\s+(" + "|".join(_RU_MONTHS) + r")\s+" + _YEAR + r"(?:\s*(?:года|г\.?))?(?!\d)", re.I),
        (1, 2, 3),
    ),
    (re.compile(_EN + r"\s+(\d{1,2}),?\s+" + _YEAR + r"(?!\d)"), (2, 1, 3)),  # May 12, 2016
    (re.compile(r"(?<!\d)(\d{1,2})\s+" + _EN + r",?\s+" + _YEAR + r"(?!\d)"), (1, 2, 3)),  # 12 May 2016
)

# в/ч 12345, в/ч № 12345, войсковая часть 12345, войсковой части 12345, military unit 12345
_UNIT = re.compile(
    r"(?:\bв\s?/\s?ч\b\.?|\bв\.\s?ч\.|\bвойсков\w{2,3}\s+част\w{1,3}|\bmilitary\s+unit)\s*(?:№|No\.?|N)?\s*(\d{4,5})(?!\d)", re.I
)
# labelled numbers: (label, pattern with the number as its last group)
_NUMBERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("personal number", re.compile(r"\bличн\w*\s+номер\w*\s*[:№]?\s*([А-ЯA-Z]{1,2}\s?-\s?\d{6})(?!\d)", re.I)),  # личный номер АБ-123456
    ("series and number", re.compile(r"\bсери[яи]\s+([А-ЯA-Z]{2})\s*№?\s*(\d{6,7})(?!\d)", re.I)),  # серия АА № 1234567
    ("document number", re.compile(r"(?:№|\bNo\.|\bN°)\s*([А-ЯA-Z]{0,2}\s?-?\s?\d{6,10})(?!\d)")),  # № 123456, No. 0012345
)


def dates(text: str) -> Iterator[tuple[tuple[int, int], dt.date]]:
    """Dates in the text that exist on the calendar, with their spans.

    Examples
    --------
    >>> [d.isoformat() for _, d in dates("выдан 12 мая 2016 г., до 31.02.2017, issued May 12, 2016; 2016-05-12")]
    ['2016-05-12', '2016-05-12', '2016-05-12']
    """
    taken: list[tuple[int, int]] = []
    for pattern, (di, mi, yi) in _DATES:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            month = _month(m.group(mi))
            try:
                when = dt.date(int(m.group(yi)), month, int(m.group(di))) if month else None
            except ValueError:
                when = None  # 31.02: not a date (a number, or a misreading)
            if when is not None:
                taken.append(m.span())
                yield m.span(), when


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    low = text.lower().rstrip(".")
    if low in _RU_MONTHS:
        return _RU_MONTHS.index(low) + 1
    for i, name in enumerate(_EN_MONTHS):
        if low == name or (len(name) > 4 and low == name[:3]):
            return i + 1
    return None


def units(text: str) -> Iterator[tuple[tuple[int, int], str]]:
    """Military unit numbers with their spans.

    Examples
    --------
    >>> [u for _, u in units("в/ч 12345; войсковой части № 54321; military unit 01234")]
    ['12345', '54321', '01234']
    """
    for m in _UNIT.finditer(text):
        yield m.span(), m.group(1)


def numbers(text: str) -> Iterator[tuple[tuple[int, int], str, str]]:
    """Personal and document numbers: (span, label, the number without blanks).

    Examples
    --------
    >>> [(label, n) for _, label, n in numbers("Личный номер: АБ-123456, паспорт серия АА № 1234567")]
    [('personal number', 'АБ-123456'), ('series and number', 'АА1234567')]
    """
    taken: list[tuple[int, int]] = []
    for label, pattern in _NUMBERS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append(m.span())
            yield m.span(), label, re.sub(r"\s", "", "".join(m.groups())).upper()


@functools.cache
def _ner() -> tuple[object, object] | None:
    """natasha's segmenter and Russian news NER tagger, loaded once per process; None without natasha."""
    try:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter
    except ImportError:
        return None
    return Segmenter(), NewsNERTagger(NewsEmbedding())


def names(text: str) -> Iterator[tuple[tuple[int, int], str]]:
    """People's names found by natasha's named-entity recognition (nothing without natasha)."""
    loaded = _ner()
    if loaded is None or not text.strip():
        return
    from natasha import Doc

    segmenter, tagger = loaded
    # a document's lines are its sentences (a form has no full stops between fields): each line is
    # closed with one for the tagger, and its spans are brought back to the text's own offsets
    lines = text.split("\n")
    closed = ".\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 2)
    doc = Doc(closed)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    for span in doc.spans:
        value = " ".join(span.text.split()).strip(".")
        # a name has a word of three letters or more (not "М.П.", the stamp's place)
        if span.type != "PER" or not re.search(r"[^\W\d_]{3,}", value):
            continue
        row = max(i for i, st in enumerate(starts) if st <= span.start)  # one full stop added before each line
        begin = span.start - row
        end = min(span.stop - row, len(text))
        yield (begin, end), " ".join(text[begin:end].split()).strip(".")


def names_available() -> bool:
    """Whether names can be found here (natasha installs with its model)."""
    return _ner() is not None


def extract(text: str, words: Sequence[Word] = ()) -> tuple[Extracted, ...]:
    """Every value found in a document's text, with the box and confidence of the words it stands on.

    Examples
    --------
    >>> [(e.kind, e.value) for e in extract("Справка в/ч 12345 от 12.05.2016")]
    [('date', '2016-05-12'), ('unit', '12345')]
    """
    found: list[Extracted] = []

    def add(kind: str, span: tuple[int, int], value: str, label: str | None = None) -> None:
        box, conf = _where(span, words)
        found.append(Extracted(kind, text[span[0] : span[1]], value, span, box, conf, label))

    for span, when in dates(text):
        add("date", span, when.isoformat())
    for span, unit in units(text):
        add("unit", span, unit)
    for span, label, number in numbers(text):
        add("number", span, number, label)
    for span, name in names(text):
        add("name", span, name)
    return tuple(found)


def _where(span: tuple[int, int], words: Sequence[Word]) -> tuple[Box | None, float]:
    """The union of the boxes of the words under a span, and their lowest confidence."""
    under = [w for w in words if w.span[0] < span[1] and span[0] < w.span[1]]
    if not under:
        return None, 1.0 if not words else 0.0
    box = (min(w.box[0] for w in under), min(w.box[1] for w in under), max(w.box[2] for w in under), max(w.box[3] for w in under))
    return box, min(w.confidence for w in under)
