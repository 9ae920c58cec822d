"""Which device took which picture: grouping a set by what identifies a camera.

Make, model and serial numbers identify a device; firmware/software, lens,
native resolution and JPEG quantisation tables vary within one device (an OS
update, front and back cameras, a resolution setting, adaptive quality) and
are kept as each device's variants. A field that is absent is unknown, not
different: a picture with no serial joins the group of its make and model
when that group is unambiguous.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from forensics.knowledge.editors import editor_name
from forensics.records.record import ImageRecord
from forensics.records.text import printable_path


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    v = " ".join(value.split()).strip().lower()
    return v or None


def serials(record: ImageRecord) -> tuple[str, ...]:
    """Every body serial the metadata holds (EXIF and maker notes), normalised."""
    m = record.metadata
    out = {s for s in (_norm(m.serial), *(_norm(v) for v in m.makernote_serials.values())) if s}
    return tuple(sorted(out))


def quant_signature(record: ImageRecord) -> str | None:
    """A short digest of the JPEG quantisation tables (equal tables, equal digest)."""
    j = record.metadata.jpeg
    if j is None or not j.quant_tables:
        return None
    text = ";".join(",".join(str(v) for v in t) for t in j.quant_tables)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def firmware(record: ImageRecord) -> str | None:
    """Firmware or camera software version; editing programs' names are not firmware."""
    m = record.metadata
    if m.firmware:
        return m.firmware
    if m.software and editor_name(m.software) is None:
        return m.software
    return None


def lens(record: ImageRecord) -> str | None:
    m = record.metadata
    parts = [p for p in (m.lens_make, m.lens_model) if p]
    return " ".join(parts) if parts else None


def resolution(record: ImageRecord) -> str | None:
    """Pixel size as ``long×short`` (orientation does not make another device)."""
    if not record.width or not record.height:
        return None
    a, b = sorted((record.width, record.height), reverse=True)
    return f"{a}×{b}"


@dataclass(frozen=True)
class DeviceGroup:
    """Pictures that one device may have taken, with the variants seen among them."""

    make: str | None
    model: str | None
    serial: str | None  # None: no serial in any member (one or more devices of this model)
    paths: tuple[str, ...]
    firmware: tuple[str, ...] = ()
    lenses: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    quant_signatures: tuple[str, ...] = ()
    without_serial: int = 0  # members that carried no serial and were joined by make and model

    @property
    def label(self) -> str:
        parts = [p for p in (self.make, self.model) if p]
        if len(parts) == 2 and parts[1].lower().startswith(parts[0].lower()):
            parts = [parts[1]]
        text = " ".join(parts) or "unknown device"
        return f"{text} (serial {self.serial})" if self.serial else text

    def to_dict(self) -> dict[str, object]:
        return {
            "device": self.label,
            "make": self.make,
            "model": self.model,
            "serial": self.serial,
            "count": len(self.paths),
            "paths": [printable_path(p) for p in self.paths],
            "firmware": list(self.firmware),
            "lenses": list(self.lenses),
            "resolutions": list(self.resolutions),
            "quant_signatures": list(self.quant_signatures),
            "without_serial": self.without_serial,
        }


@dataclass(frozen=True)
class DeviceSummary:
    """The devices of a set, the pictures no device could be named for, and ambiguities."""

    groups: tuple[DeviceGroup, ...]
    unknown: tuple[str, ...]  # no make, model or serial
    ambiguous: tuple[str, ...]  # make and model shared by several serials, own serial absent

    @property
    def count(self) -> int:
        """How many distinct devices the known fields prove (at least)."""
        return len(self.groups)


def _variants(values: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


def group_devices(records: Sequence[ImageRecord]) -> DeviceSummary:
    """Group readable pictures by device; unknown fields never split a group."""
    by_model: dict[tuple[str | None, str | None], list[ImageRecord]] = {}
    unknown: list[str] = []
    display: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
    for r in records:
        if r.error or r.kind != "image":
            continue
        m = r.metadata
        key = (_norm(m.make), _norm(m.model))
        if key == (None, None) and not serials(r):
            unknown.append(r.path)
            continue
        by_model.setdefault(key, []).append(r)
        display.setdefault(key, (m.make, m.model))

    _merge_partial(by_model)
    groups: list[DeviceGroup] = []
    ambiguous: list[str] = []
    for key, members in by_model.items():
        make, model = display[key]
        by_serial: dict[str, list[ImageRecord]] = {}
        loose: list[ImageRecord] = []
        for r in members:
            s = serials(r)
            if s:
                # several serial fields in one file name the same body; the first is its key
                by_serial.setdefault(s[0], []).append(r)
            else:
                loose.append(r)
        if not by_serial:
            groups.append(_group(make, model, None, loose, len(loose)))
        elif len(by_serial) == 1:
            ((serial, owned),) = by_serial.items()
            groups.append(_group(make, model, serial, owned + loose, len(loose)))
        else:
            for serial, owned in by_serial.items():
                groups.append(_group(make, model, serial, owned, 0))
            ambiguous.extend(r.path for r in loose)
    groups.sort(key=lambda g: (-len(g.paths), g.label))
    return DeviceSummary(tuple(groups), tuple(unknown), tuple(ambiguous))


def _merge_partial(by_model: dict[tuple[str | None, str | None], list[ImageRecord]]) -> None:
    """Move pictures with only a make (or only a model) into the one group they fit, if it is unique."""
    for key in [k for k in by_model if None in k]:
        make, model = key
        fits = [
            k for k in by_model
            if None not in k and (make is None or k[0] == make) and (model is None or k[1] == model)
        ]  # fmt: skip
        if len(fits) == 1:
            by_model[fits[0]].extend(by_model.pop(key))


def _group(make: str | None, model: str | None, serial: str | None, members: list[ImageRecord], loose: int) -> DeviceGroup:
    return DeviceGroup(
        make=make,
        model=model,
        serial=serial,
        paths=tuple(r.path for r in members),
        firmware=_variants([firmware(r) for r in members]),
        lenses=_variants([lens(r) for r in members]),
        resolutions=_variants([resolution(r) for r in members]),
        quant_signatures=_variants([quant_signature(r) for r in members]),
        without_serial=loose,
    )
