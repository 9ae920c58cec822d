"""Content Credentials (C2PA): a file's manifest store, read and validated offline.

The store is found from the container's structure (:mod:`forensics.read.jumbf`)
in bytes the reader already holds; only a file that has one is handed to the
reference implementation, ``c2pa-python`` (the C2PA Rust SDK), which reads the
manifests and checks the claim signatures and the hashes that bind them to the
file. It runs with remote manifests and OCSP switched off and with no trust
list of its own: a signer is held against a trust list only when the user
gives one (``trust_anchors``), and is otherwise reported as not checked.
Where the SDK cannot be installed, the store is still reported as present,
with its manifests named from the JUMBF boxes, but not validated.

A file that holds no store but whose XMP still points to one (``dcterms:provenance``)
gets a record with ``present=False`` and the traces; a file with neither gets
None, and costs a walk over its container headers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from forensics.errors import UnreadableFile
from forensics.read.jumbf import StoreLocation, Traces, manifest_labels, survey, survey_file
from forensics.read.sniff import HEAD_BYTES, FileType, sniff
from forensics.records.record import (
    Action,
    Credentials,
    ImageRecord,
    Ingredient,
    Manifest,
    Signer,
    Trust,
    Validation,
    ValidationStatus,
)

# The reader's settings (C2PA SDK settings, version 1): nothing leaves the machine. Remote manifests
# and OCSP are never fetched and no host is allowed; trust is checked only against a list the user
# gives; CAWG identity trust, which would need its own list, is not checked either.
OFFLINE_SETTINGS: dict[str, Any] = {
    "version": 1,
    "verify": {
        "verify_after_reading": True,
        "remote_manifest_fetch": False,
        "ocsp_fetch": False,
        "verify_trust": False,
        "verify_timestamp_trust": False,
    },
    "core": {"allowed_network_hosts": []},
    "cawg_trust": {"verify_trust_list": False},
}
NOT_INSTALLED = "the C2PA reader (c2pa-python) is not installed here"
MAX_MANIFESTS = 64  # links of a chain kept
MAX_ITEMS = 200  # actions, ingredients and status entries kept per manifest
MAX_TEXT = 500  # characters kept of any text the manifest holds
_TRUST_CODES = ("signingCredential.trusted", "signingCredential.untrusted")
_EXIF_LABELS = ("stds.exif", "c2pa.metadata", "cawg.metadata")

# (process id, trust anchors PEM) -> the SDK's reading context, made once per process: a context
# made before a fork is not valid in the forked worker ("Context is not valid")
_contexts: dict[tuple[int, str | None], Any] = {}


def read_credentials(
    path: str, data: bytes | None, ftype: FileType, *, full: bool = False, trust_anchors: str | None = None, trust_list: str | None = None
) -> Credentials | None:
    """The Content Credentials of one file, or None when it holds no store and no trace of one.

    Never raises: a store the reader cannot read is a record whose ``error`` says why.

    Parameters
    ----------
    path : str
        The file (opened only when ``data`` is None: a video's box headers, then the SDK's read).
    data : bytes or None
        The whole file when the caller holds it.
    ftype : FileType
        The file's type, from its content.
    full : bool
        Keep the whole store as the reader gives it in ``store``.
    trust_anchors : str, optional
        PEM certificates to hold the signer against; without, trust is not checked.
    trust_list : str, optional
        Where those came from, to name in the record.

    Returns
    -------
    Credentials or None
    """
    try:
        if data is not None:
            store, traces = survey(data, ftype.format)
        elif ftype.kind == "video":
            with open(path, "rb") as f:
                store, traces = survey_file(f, ftype.format, os.fstat(f.fileno()).st_size)
        else:  # an image too large to be held: its store is not looked for
            return None
    except OSError:
        return None
    if store is None:
        return _traces_only(traces)
    try:
        return _validated(path, data, ftype, store, full=full, trust_anchors=trust_anchors, trust_list=trust_list)
    except Exception as exc:  # noqa: BLE001 - a last guard: a hostile store must never stop a scan
        return Credentials(container=store.container, size=store.size, error=f"the manifest store cannot be read: {_text(exc)}")


@dataclass(frozen=True)
class TrustAnchors:
    """The certificates of a trust list the user gave (PEM), and the file they came from."""

    pem: str
    source: str
    count: int


def load_trust_anchors(path: str | os.PathLike[str]) -> TrustAnchors:
    """The PEM certificates of a trust-anchor file; raises :class:`UnreadableFile` if there are none.

    Examples
    --------
    >>> load_trust_anchors("/nonexistent.pem")
    Traceback (most recent call last):
    ...
    forensics.errors.UnreadableFile: /nonexistent.pem: cannot read the trust anchors: No such file or directory
    """
    name = os.fsdecode(path)
    try:
        with open(name, "rb") as f:
            raw = f.read(1 << 24)
    except OSError as exc:
        raise UnreadableFile(f"{name}: cannot read the trust anchors: {exc.strerror or exc}") from exc
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----", raw)
    if not blocks:
        raise UnreadableFile(f"{name}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the trust anchors")
    return TrustAnchors("\n".join(b.decode("ascii") for b in blocks) + "\n", name, len(blocks))


def with_trust(records: Sequence[ImageRecord], anchors: TrustAnchors) -> list[ImageRecord]:
    """The records with each signer held against trust anchors the user gave, after they were read without.

    For records already read: only files that hold a manifest store are read
    again (the reader validates the whole file once more, with the anchors); a
    file whose bytes changed since it was read keeps its first reading and says
    so. A scan passes the anchors to the reading itself instead
    (:func:`forensics.read.files.read_file`), which validates each file once.
    """
    out = []
    for r in records:
        c = r.credentials
        if c is None or not c.present or c.reader is None:
            out.append(r)
            continue
        out.append(dataclasses.replace(r, credentials=_reread(r, c, anchors)))
    return out


def _reread(r: ImageRecord, c: Credentials, anchors: TrustAnchors) -> Credentials:
    try:
        with open(r.path, "rb") as f:
            head = f.read(HEAD_BYTES)
            digest = hashlib.sha256(head)
            if r.kind == "video":
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
                data = None
            else:
                data = head + f.read()
                digest = hashlib.sha256(data)
    except OSError as exc:
        return dataclasses.replace(c, error=f"cannot read the file again to check its signer: {exc.strerror or exc}")
    if digest.hexdigest() != r.sha256:
        return dataclasses.replace(c, error="the file changed after it was read; its signer was not checked against the trust list")
    again = read_credentials(r.path, data, sniff(head), full=c.store is not None, trust_anchors=anchors.pem, trust_list=anchors.source)
    return again if again is not None else c


# ---------------------------------------------------------------------------------------------
# Without a store


def _traces_only(traces: Traces) -> Credentials | None:
    value = traces.provenance
    if value and re.match(r"https?://", value, re.I):
        return Credentials(present=False, remote=_text(value))  # a remote manifest: named, never fetched
    found = []
    if value and ("jumbf" in value.lower() or "c2pa" in value.lower()):
        found.append(f"XMP dcterms:provenance = {_text(value)}")
    if traces.namespace:
        found.append("XMP declares the c2pa namespace")
    return Credentials(present=False, traces=tuple(found)) if found else None


# ---------------------------------------------------------------------------------------------
# With a store


def _validated(
    path: str, data: bytes | None, ftype: FileType, store: StoreLocation, *, full: bool, trust_anchors: str | None, trust_list: str | None
) -> Credentials:
    base = Credentials(container=store.container, size=store.size)
    try:
        import c2pa  # deferred: the SDK's native library (25 MB) loads only for a file that holds a store
    except (ImportError, OSError):  # no wheel for this platform, or its library does not load
        labels = manifest_labels(store.jumbf) if store.jumbf is not None else ()
        chain = tuple(Manifest(label=label) for label in reversed(labels))
        return dataclasses.replace(base, active=labels[-1] if labels else None, chain=chain, error=NOT_INSTALLED)
    reader_name = f"c2pa-rs {c2pa.sdk_version()} (c2pa-python {c2pa.__version__})"
    stream: BinaryIO
    try:
        stream = io.BytesIO(data) if data is not None else open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        return dataclasses.replace(base, reader=reader_name, error=f"cannot read the file: {exc.strerror or exc}")
    try:
        with c2pa.Reader(ftype.mime or "", stream, None, context=_context(c2pa, trust_anchors)) as reader:
            manifests = json.loads(reader.json())
            try:
                detail = json.loads(reader.crjson())  # certificate subject and issuer, validity, time stamp
            except (c2pa.C2paError, ValueError):
                detail = None
    except c2pa.C2paError as exc:
        kind = type(exc).__name__.lstrip("_").removeprefix("C2pa")
        state = Validation.UNCHECKED if kind in ("ManifestNotFound", "NotSupported") else Validation.INVALID
        return dataclasses.replace(base, validation=state, reader=reader_name, error=_text(exc))
    finally:
        stream.close()
    return _from_store(manifests, detail, base, reader=reader_name, trusted=trust_anchors is not None, trust_list=trust_list, full=full)


def _context(c2pa: Any, trust_anchors: str | None) -> Any:
    key = (os.getpid(), trust_anchors)
    context = _contexts.get(key)
    if context is None:
        settings = json.loads(json.dumps(OFFLINE_SETTINGS))
        if trust_anchors is not None:
            settings["verify"]["verify_trust"] = True
            settings["trust"] = {"trust_anchors": trust_anchors}
        context = _contexts[key] = c2pa.Context.from_dict(settings)
    return context


def _from_store(
    store: Mapping[str, Any], detail: Mapping[str, Any] | None, base: Credentials, *,
    reader: str, trusted: bool, trust_list: str | None, full: bool,
) -> Credentials:  # fmt: skip
    results = _dict(store.get("validation_results"))
    active_results = _dict(results.get("activeManifest"))
    failures = _statuses(active_results.get("failure"))
    if not active_results and isinstance(store.get("validation_status"), list):  # older readers: failures only
        failures = _statuses(store["validation_status"])
    successes = {s.code for s in _statuses(active_results.get("success"))}
    ingredient_failures = tuple(
        s for delta in _items(results.get("ingredientDeltas"))
        for s in _statuses(_dict(_dict(delta).get("validationDeltas")).get("failure"))
    )[:MAX_ITEMS]  # fmt: skip
    state = str(store.get("validation_state") or "").lower()
    integrity = [s for s in failures if s.code not in _TRUST_CODES]
    valid = state in ("valid", "trusted") or (not state and not integrity)
    validation = Validation.VALID if valid else Validation.INVALID
    trust = Trust.NOT_CHECKED
    if trusted:
        trust = Trust.TRUSTED if "signingCredential.trusted" in successes else Trust.UNTRUSTED
    manifests = _dict(store.get("manifests"))
    active = store.get("active_manifest") if isinstance(store.get("active_manifest"), str) else None
    certificates = _certificates(detail)
    chain = tuple(_manifest(label, manifests[label], certificates.get(label)) for label in _chain_order(active, manifests))
    return dataclasses.replace(
        base,
        validation=validation,
        trust=trust,
        trust_list=trust_list if trusted else None,
        failures=tuple(integrity),
        ingredient_failures=ingredient_failures,
        informational=tuple(dict.fromkeys(s.code for s in _statuses(active_results.get("informational")))),
        active=active,
        chain=chain,
        reader=reader,
        store=dict(store) if full else None,
    )


def _chain_order(active: str | None, manifests: Mapping[str, Any]) -> list[str]:
    """Manifest labels from the active one back through its ingredients (parents first), then the rest."""
    order: list[str] = []
    todo = [active] if active is not None and active in manifests else []
    while todo and len(order) < MAX_MANIFESTS:
        label = todo.pop()
        if label in order:
            continue
        order.append(label)
        ingredients = [i for i in _items(_dict(manifests[label]).get("ingredients")) if isinstance(i, dict)]
        ingredients.sort(key=lambda i: i.get("relationship") != "parentOf")
        todo.extend(reversed([i["active_manifest"] for i in ingredients if i.get("active_manifest") in manifests]))
    order.extend(label for label in manifests if label not in order)
    return order[:MAX_MANIFESTS]


def _manifest(label: str, m: Any, certificate: dict[str, Any] | None) -> Manifest:
    m = m if isinstance(m, dict) else {}
    actions: list[Action] = []
    exif: dict[str, str] = {}
    for a in _items(m.get("assertions")):
        if not isinstance(a, dict) or not isinstance(a.get("data"), dict):
            continue
        name = str(a.get("label") or "")
        if name.startswith("c2pa.actions"):
            actions.extend(_action(x) for x in _items(a["data"].get("actions")) if isinstance(x, dict) and x.get("action"))
        elif name.split(".v")[0] in _EXIF_LABELS:
            for key, value in a["data"].items():
                if ":" in key and not key.startswith("@") and len(exif) < MAX_ITEMS:
                    exif[_text(key)] = _text(value if isinstance(value, (str, int, float)) else json.dumps(value, separators=(",", ":")))
    ingredients = tuple(_ingredient(i) for i in _items(m.get("ingredients")) if isinstance(i, dict))
    return Manifest(
        label=_text(label),
        claim_generator=_generator(m),
        title=_opt(m.get("title")),
        format=_opt(m.get("format")),
        signer=_signer(m.get("signature_info"), certificate),
        actions=tuple(actions[:MAX_ITEMS]),
        ingredients=ingredients[:MAX_ITEMS],
        exif=exif,
    )


def _generator(m: Mapping[str, Any]) -> str | None:
    info = m.get("claim_generator_info")
    first = info[0] if isinstance(info, list) and info and isinstance(info[0], dict) else info if isinstance(info, dict) else None
    if first and first.get("name"):
        return _text(" ".join(str(first[k]) for k in ("name", "version") if first.get(k)))
    return _opt(m.get("claim_generator"))


def _action(a: Mapping[str, Any]) -> Action:
    agent = a.get("softwareAgent")
    if isinstance(agent, dict):
        agent = " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k)) or None
    return Action(
        action=_text(a["action"]),
        software_agent=_opt(agent),
        when=_time(a.get("when")),
        digital_source_type=_opt(a.get("digitalSourceType")),
        description=_opt(a.get("description")),
    )


def _ingredient(i: Mapping[str, Any]) -> Ingredient:
    results = i.get("validation_results")
    if isinstance(results, dict):
        codes = [s.code for s in _statuses(_dict(results.get("activeManifest")).get("failure"))]
    else:
        codes = [s.code for s in _statuses(i.get("validation_status"))]
    return Ingredient(
        title=_opt(i.get("title")),
        format=_opt(i.get("format")),
        relationship=_opt(i.get("relationship")),
        manifest=_opt(i.get("active_manifest")),
        failures=tuple(dict.fromkeys(codes))[:MAX_ITEMS],
    )


def _signer(info: Any, certificate: dict[str, Any] | None) -> Signer | None:
    if not isinstance(info, dict) and not certificate:
        return None
    info = info if isinstance(info, dict) else {}
    cert = certificate or {}
    return Signer(
        common_name=_opt(info.get("common_name")) or cert.get("common_name"),
        organization=_opt(info.get("issuer")),  # the SDK's "issuer" is the signing certificate's subject O
        subject=cert.get("subject"),
        issuer=cert.get("issuer"),
        serial=_opt(info.get("cert_serial_number")) or cert.get("serial"),
        algorithm=_opt(info.get("alg")) or cert.get("algorithm"),
        not_before=cert.get("not_before"),
        not_after=cert.get("not_after"),
        time=_time(info.get("time")) or cert.get("time"),
        time_stamp_authority=cert.get("tsa"),
    )


def _certificates(detail: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per manifest label, what the reader's detailed (CrJSON) view says of the signing certificate."""
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(detail, dict):
        return out
    for m in _items(detail.get("manifests")):
        if not isinstance(m, dict) or not isinstance(m.get("label"), str):
            continue
        sig = _dict(m.get("signature") or m.get("claim_signature"))
        cert = _dict(sig.get("certificateInfo")) or sig
        validity = _dict(cert.get("validity"))
        entry = {
            "subject": _dn(cert.get("subject")),
            "issuer": _dn(cert.get("issuer")),
            "common_name": _opt(_dict(cert.get("subject")).get("CN")),
            "serial": _opt(cert.get("serialNumber") or cert.get("serial_number")),
            "algorithm": _opt(sig.get("algorithm")),
            "not_before": _time(validity.get("notBefore") or validity.get("not_before")),
            "not_after": _time(validity.get("notAfter") or validity.get("not_after")),
        }
        # the time-stamp part: "timeStampInfo" ({timestamp, certificateInfo}) in c2pa-rs 0.91's CrJSON, as a
        # signature time-stamped by an RFC 3161 authority gives it (tests/test_credentials.py signs one); any
        # other key naming a time stamp, with its own certificate, is read the same way
        stamped = [("timeStampInfo", sig["timeStampInfo"])] if isinstance(sig.get("timeStampInfo"), dict) else list(sig.items())
        for key, value in stamped:
            if "stamp" in key.lower() and isinstance(value, dict):
                tsa = _dict(value.get("certificateInfo"))
                subject = _dict(tsa.get("subject"))
                entry["tsa"] = _opt(subject.get("CN") or subject.get("O")) or _dn(tsa.get("subject"))
                entry["time"] = _time(value.get("timestamp") or value.get("time"))
        out[m["label"]] = entry
    return out


def _dn(value: Any) -> str | None:
    """A distinguished name as ``CN=…, O=…`` (from the reader's map of its parts)."""
    if isinstance(value, str):
        return _opt(value)
    if not isinstance(value, dict) or not value:
        return None
    order = ["CN", "OU", "O", "L", "ST", "C"]
    keys = sorted(value, key=lambda k: order.index(k) if k in order else len(order))
    return _text(", ".join(f"{k}={value[k]}" for k in keys))


def _statuses(value: Any) -> tuple[ValidationStatus, ...]:
    return tuple(
        ValidationStatus(_text(s["code"]), _opt(s.get("explanation")), _opt(s.get("url")))
        for s in _items(value)[:MAX_ITEMS]
        if isinstance(s, dict) and s.get("code")
    )


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_FRACTION = re.compile(r"(\.\d{6})\d+")


def _time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time as the reader writes it (``Z``, nanoseconds) as a datetime; None otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = _FRACTION.sub(r"\1", value.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _opt(value: Any) -> str | None:
    return _text(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


def _text(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
