"""Content Credentials of one file as the HTML report's card shows them: the state, the signer, the chain."""

from __future__ import annotations

from typing import Any

from forensics.records.record import Action, Credentials, ImageRecord, Trust, Validation

_STATE = {
    Validation.VALID: "valid: the signature and the content hashes check out",
    Validation.INVALID: "INVALID: the file or its manifest changed after signing",
    Validation.UNCHECKED: "present, not validated",
}


def credentials_view(record: ImageRecord) -> dict[str, Any] | None:
    """Rows and the chain of manifests for a card; None for a file without credentials or traces of them."""
    c = record.credentials
    if c is None:
        return None
    if not c.present:
        rows = [("remote manifest", f"{c.remote} (not fetched)" if c.remote else None),
                ("traces of removed credentials", "; ".join(c.traces) or None)]  # fmt: skip
        return {"rows": [(k, v) for k, v in rows if v], "chain": []}
    s = c.signer
    trust = c.trust.value if c.trust is Trust.NOT_CHECKED else f"{c.trust.value} ({c.trust_list})"
    signed_at = None
    if s is not None and s.time is not None:
        signed_at = s.time.isoformat(sep=" ") + (f", time stamp by {s.time_stamp_authority}" if s.time_stamp_authority else "")
    rows = [
        ("state", _STATE[c.validation]),
        ("signer", s.name if s is not None else None),
        ("trust", f"signer {trust}"),
        ("certificate", "; ".join(f"{k} {v}" for k, v in (("subject", s and s.subject), ("issuer", s and s.issuer)) if v) or None),
        ("signed at", signed_at),
        ("failures", "; ".join(f"{f.code}: {f.explanation}" if f.explanation else f.code for f in c.failures) or None),
        ("ingredient failures", "; ".join(dict.fromkeys(f.code for f in c.ingredient_failures)) or None),
        ("store", f"{c.container}, {c.size:,} bytes" if c.container and c.size is not None else c.container),
        ("reader", c.reader or c.error),
        ("error", c.error if c.reader else None),
    ]
    chain = [
        {
            "title": m.title or m.label,
            "generator": m.claim_generator,
            "signer": m.signer.name if m.signer is not None else None,
            "actions": [_action(a) for a in m.actions[:20]],
            "ingredients": ", ".join(f"{i.title or 'untitled'} ({i.relationship or 'ingredient'})" for i in m.ingredients[:10]),
        }
        for m in c.chain[:10]
    ]
    return {"rows": [(k, v) for k, v in rows if v], "chain": chain}


def _action(a: Action) -> str:
    parts = [a.when.isoformat(sep=" ") if a.when else None, a.action, f"by {a.software_agent}" if a.software_agent else None,
             f"({a.digital_source_type.rstrip('/').rsplit('/', 1)[-1]})" if a.digital_source_type else None, a.description]  # fmt: skip
    return " ".join(p for p in parts if p)


def credentials_columns(c: Credentials | None) -> dict[str, Any]:
    """The CSV columns of a file's Content Credentials (empty without them)."""
    if c is None:
        return {"c2pa": None, "c2pa_signer": None, "c2pa_generator": None, "c2pa_failures": None}
    if not c.present:
        return {"c2pa": "remote" if c.remote else "stripped", "c2pa_signer": None, "c2pa_generator": None, "c2pa_failures": None}
    m = c.manifest
    return {
        "c2pa": c.validation.value,
        "c2pa_signer": c.signer.name if c.signer is not None else None,
        "c2pa_generator": m.claim_generator if m is not None else None,
        "c2pa_failures": ";".join(dict.fromkeys(f.code for f in c.failures)) or None,
    }
