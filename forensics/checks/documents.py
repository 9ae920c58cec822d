"""Per-image check ``document-text``: what a photo of a document says (with ``scan --ocr``)."""

from __future__ import annotations

from collections.abc import Iterator

from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord

# How much of a document's text a finding carries (the record holds it all).
TEXT_IN_FINDING = 2000
_KINDS = (("date", "dates"), ("unit", "unit"), ("number", "numbers"), ("name", "names"))


@check("document-text")
def document_text(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """A picture of a document: the text read from it and the dates, numbers and names found, or why it was not read."""
    doc = record.document
    if doc is None:
        return
    if not doc.read:
        yield Finding(
            "document-text", Severity.INFO, (record.path,),
            f"Shows text ({doc.score:g} lines of it in the reduced picture) that was not read: {doc.reason}",
            {"read": False, "reason": doc.reason, "score": doc.score},
        )  # fmt: skip
        return
    what = "a photographed page" if doc.kind == "page" else "text"
    parts = []
    for kind, label in _KINDS:
        values = list(dict.fromkeys(e.value for e in doc.values(kind)))
        if values:
            parts.append(f"{label} {', '.join(values)}")
    found = "; ".join(parts) if parts else "no dates, unit numbers, document numbers or names"
    yield Finding(
        "document-text", Severity.INFO, (record.path,),
        f"{what[0].upper()}{what[1:]} read ({doc.languages}, {len(doc.words)} words, mean confidence {doc.confidence:.2f}): {found}.",
        {"read": True, "kind": doc.kind, "languages": doc.languages, "words": len(doc.words), "confidence": round(doc.confidence, 3),
         "rotation": doc.rotation, "text": doc.text[:TEXT_IN_FINDING],
         "extracted": [{"kind": e.kind, "value": e.value, "text": e.text, "confidence": round(e.confidence, 3), "label": e.label}
                       for e in doc.extracted]},
    )  # fmt: skip
