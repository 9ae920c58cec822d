"""What was read from a photo of a document: its words with their boxes, and the values found in them.

Boxes are fractions (0..1) of the picture as shown (EXIF orientation applied),
``(left, top, right, bottom)``, so a renderer can draw them over the picture at
any size. A word read from a page that was warped flat carries the box of its
corners mapped back into the picture.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Word:
    """One word as Tesseract read it: its text, box and confidence (0..1)."""

    text: str
    box: Box
    confidence: float
    span: tuple[int, int]  # where the word stands in the document's text

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": [round(v, 4) for v in self.box], "confidence": round(self.confidence, 3), "span": list(self.span)}


@dataclass(frozen=True)
class Extracted:
    """A value found in a document's text.

    ``kind`` is ``date`` (``value`` in ISO 8601), ``unit`` (a military unit's
    number), ``number`` (a personal or document number, ``label`` says which)
    or ``name`` (a person's name, from named-entity recognition). ``span`` is
    where it stands in the text, ``box`` the union of its words' boxes and
    ``confidence`` the lowest confidence among them.
    """

    kind: str
    text: str
    value: str
    span: tuple[int, int]
    box: Box | None = None
    confidence: float = 0.0
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "text": self.text, "value": self.value, "span": list(self.span),
            "box": [round(v, 4) for v in self.box] if self.box is not None else None,
            "confidence": round(self.confidence, 3), "label": self.label,
        }  # fmt: skip


@dataclass(frozen=True)
class DocumentText:
    """A picture taken for a document (or a screen of text), and what was read from it, or why nothing was.

    ``score`` is the classifier's (text lines found in the reduced picture);
    ``kind`` is ``page`` (a sheet's outline was found and warped flat) or
    ``text`` (text without a page outline: a screenshot, a close-up).
    ``rotation`` is the turn (degrees clockwise) orientation detection applied.
    """

    reason: str | None = None  # why the text was not read; None when it was
    kind: str | None = None
    score: float = 0.0
    languages: str = ""
    page: tuple[tuple[float, float], ...] | None = None  # the page's corners, fractions of the picture
    rotation: int = 0
    text: str = ""
    confidence: float = 0.0  # mean word confidence
    words: tuple[Word, ...] = ()
    extracted: tuple[Extracted, ...] = ()

    @property
    def read(self) -> bool:
        return self.reason is None

    def values(self, kind: str) -> tuple[Extracted, ...]:
        """The extracted values of one kind."""
        return tuple(e for e in self.extracted if e.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read, "reason": self.reason, "kind": self.kind, "score": round(self.score, 3),
            "languages": self.languages,
            "page": [[round(x, 4), round(y, 4)] for x, y in self.page] if self.page else None,
            "rotation": self.rotation, "text": self.text, "confidence": round(self.confidence, 3),
            "words": [w.to_dict() for w in self.words], "extracted": [e.to_dict() for e in self.extracted],
        }  # fmt: skip


def same_name(a: str, b: str) -> bool:
    """Whether two spellings name the same person: the same words, in any order, case and ё/е aside.

    Examples
    --------
    >>> same_name("Иванов Пётр", "пётр иванов")
    True
    >>> same_name("Иванов Петр", "Иванова Петра")
    False
    """
    return _name_words(a) == _name_words(b) and bool(_name_words(a))


def contains_name(found: str, wanted: str) -> bool:
    """Whether a name as read holds every word of the name wanted (a read name may add a patronymic).

    Examples
    --------
    >>> contains_name("Иванов Пётр Сергеевич", "Пётр Иванов")
    True
    """
    want = _name_words(wanted)
    return bool(want) and want <= _name_words(found)


def _name_words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return frozenset(re.findall(r"\w+", folded))


def digits(text: str) -> str:
    """The digits of a number as written (``"12 345"`` and ``"№12345"`` are ``"12345"``)."""
    return "".join(ch for ch in text if ch.isdigit())
