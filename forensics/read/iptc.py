"""IPTC-IIM datasets by name (the ones investigators read)."""

from __future__ import annotations

from typing import Any

# (record, dataset) -> name, from the IPTC-IIM 4.2 specification.
DATASETS = {
    (2, 5): "ObjectName", (2, 15): "Category", (2, 25): "Keywords", (2, 40): "SpecialInstructions",
    (2, 55): "DateCreated", (2, 60): "TimeCreated", (2, 62): "DigitalCreationDate",
    (2, 63): "DigitalCreationTime", (2, 65): "OriginatingProgram", (2, 70): "ProgramVersion",
    (2, 80): "By-line", (2, 85): "By-lineTitle", (2, 90): "City", (2, 92): "Sub-location",
    (2, 95): "Province-State", (2, 100): "Country-PrimaryLocationCode",
    (2, 101): "Country-PrimaryLocationName", (2, 103): "OriginalTransmissionReference",
    (2, 105): "Headline", (2, 110): "Credit", (2, 115): "Source", (2, 116): "CopyrightNotice",
    (2, 120): "Caption-Abstract", (2, 122): "Writer-Editor",
}  # fmt: skip


def _decode(v: Any) -> str:
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            return v.decode("latin-1")
    return str(v)


def iptc_fields(image: Any) -> dict[str, Any]:
    """Named IPTC fields of an opened Pillow image (empty when there are none)."""
    from PIL import IptcImagePlugin

    try:
        info = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception:  # noqa: BLE001  (a damaged IPTC block is no IPTC, never a failed read)
        return {}
    return _named(info)


def iim_fields(block: bytes) -> dict[str, Any]:
    """Named IPTC fields from raw IPTC-IIM datasets (a PSD's image resource 1028); empty when there are none."""
    found: dict[tuple[int, int], list[bytes]] = {}
    at = 0
    for _ in range(10_000):
        if at + 5 > len(block) or block[at] != 0x1C:
            break
        key, size = (block[at + 1], block[at + 2]), int.from_bytes(block[at + 3 : at + 5], "big")
        if size & 0x8000:  # an extended length, for datasets over 32 kB: none of the named fields
            break
        value = bytes(block[at + 5 : at + 5 + size])
        at += 5 + size
        found.setdefault(key, []).append(value)
    # one value, or a list of the repeated ones, as Pillow gives them
    return _named({key: values[0] if len(values) == 1 else values for key, values in found.items()})


def _named(info: dict[tuple[int, int], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in info.items():
        name = DATASETS.get(key)
        if name is None or key[0] != 2:
            continue
        if isinstance(value, list):
            out[name] = [_decode(v)[:500] for v in value[:100]]
        else:
            out[name] = _decode(value)[:2000]
    return out
