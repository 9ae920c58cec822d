"""A photographed document as the HTML report's card shows it: boxes over the picture, the text beside it."""

from __future__ import annotations

from typing import Any

from forensics.records.document import Box
from forensics.records.record import ImageRecord

_LABELS = {"date": "date", "unit": "unit", "number": "number", "name": "name"}


def document_view(record: ImageRecord) -> dict[str, Any] | None:
    """What a card shows of a record's document; None when the picture was not read as one.

    ``boxes`` are percentages of the picture (``left``, ``top``, ``width``,
    ``height``) with the ``kind`` of value a box holds (``word`` for the rest);
    ``lines`` are the text's lines as segments ``(text, kind or None)``, so the
    template marks the values found without building HTML here.

    Examples
    --------
    >>> from forensics.records.document import DocumentText, Extracted, Word
    >>> doc = DocumentText(kind="page", text="в/ч 12345", words=(Word("в/ч", (0.1, 0.1, 0.2, 0.2), 0.9, (0, 3)),),
    ...                    extracted=(Extracted("unit", "в/ч 12345", "12345", (0, 9), (0.1, 0.1, 0.4, 0.2), 0.9),))
    >>> view = document_view(ImageRecord(path="a.jpg", kind="image", document=doc))
    >>> view["lines"], view["boxes"][-1]["kind"]
    ([[('в/ч 12345', 'unit')]], 'unit')
    """
    doc = record.document
    if doc is None:
        return None
    rows = [("read", f"{doc.kind or 'text'}, {doc.languages}, {len(doc.words)} words, mean confidence {doc.confidence:.2f}"
             + (f", turned {doc.rotation}°" if doc.rotation else "") if doc.read else f"not read: {doc.reason}")]  # fmt: skip
    boxes = [_box(w.box, "word") for w in doc.words]
    boxes += [_box(e.box, e.kind) for e in doc.extracted if e.box is not None]
    values = [(e.kind, e.value, e.label, round(e.confidence, 2)) for e in doc.extracted]
    return {"rows": rows, "boxes": boxes, "lines": _lines(doc.text, [(e.span, e.kind) for e in doc.extracted]), "values": values}


def _box(box: Box, kind: str) -> dict[str, Any]:
    left, top, right, bottom = box
    return {"left": left * 100, "top": top * 100, "width": (right - left) * 100, "height": (bottom - top) * 100, "kind": kind}


def _lines(text: str, spans: list[tuple[tuple[int, int], str]]) -> list[list[tuple[str, str | None]]]:
    """The text cut at the values' spans (the first value wins where two overlap), line by line."""
    marks: list[str | None] = [None] * len(text)
    for (start, end), kind in spans:
        for i in range(max(0, start), min(end, len(text))):
            if marks[i] is None:
                marks[i] = kind
    lines: list[list[tuple[str, str | None]]] = [[]]
    for ch, mark in zip(text, marks):
        if ch == "\n":
            lines.append([])
            continue
        line = lines[-1]
        if line and line[-1][1] == mark:
            line[-1] = (line[-1][0] + ch, mark)
        else:
            line.append((ch, mark))
    return lines if text else []
