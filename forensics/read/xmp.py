"""XMP packets: the fields that tell which programs touched a picture."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from forensics.records.record import XmpInfo

_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
}
# x:xapmeta is what Photoshop 6 and 7 wrote before the name settled on x:xmpmeta
_PACKET = re.compile(rb"<x:x[am]pmeta[\s\S]*?</x:x[am]pmeta>|<rdf:RDF[\s\S]*?</rdf:RDF>")
_UTF16_OPENINGS = ("<x:xmpmeta".encode("utf-16-le"), "<x:xmpmeta".encode("utf-16-be"))
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
MAX_PACKET = 4 * 1024 * 1024


def find_packet(data: bytes) -> bytes | None:
    """The first XMP packet in some bytes (a file, a chunk, an item), if any.

    Bounded in size (:data:`MAX_PACKET`). A packet written in UTF-16, which
    the XMP specification allows, comes back as UTF-8.
    """
    start = -1
    for opening in (b"<x:xmpmeta", b"<x:xapmeta", b"<rdf:RDF"):
        start = data.find(opening)
        if start >= 0:
            break
    if start < 0:
        return _utf16_packet(data)
    m = _PACKET.match(data, start, start + MAX_PACKET)
    return m.group(0) if m else None


def _utf16_packet(data: bytes) -> bytes | None:
    for opening, codec in zip(_UTF16_OPENINGS, ("utf-16-le", "utf-16-be")):
        start = data.find(opening)
        if start >= 0:
            text = data[start : start + 2 * MAX_PACKET].decode(codec, "replace")
            if "<x:xmpmeta" in text:  # else a match across characters of the other byte order
                return find_packet(text.encode("utf-8"))
    return None


def _q(prefix: str, local: str) -> str:
    return f"{{{_NS[prefix]}}}{local}"


def _value(desc: ET.Element, prefix: str, local: str) -> str | None:
    attr = desc.get(_q(prefix, local))
    if attr is not None:
        return attr.strip() or None
    el = desc.find(_q(prefix, local))
    if el is None:
        return None
    if el.text and el.text.strip():
        return el.text.strip()
    li = el.find(".//" + _q("rdf", "li"))
    if li is not None and li.text:
        return li.text.strip() or None
    return None


def parse_xmp(packet: bytes) -> XmpInfo | None:
    """Parse an XMP packet; None when it is not well-formed XML.

    A packet that declares a DTD or entities is refused (None): XMP allows
    neither, and entity expansion is how an XML bomb works.
    """
    if _DOCTYPE.search(packet):
        return None
    try:
        root = ET.fromstring(packet)
    except ET.ParseError:
        return None
    descs = list(root.iter(_q("rdf", "Description")))
    fields: dict[str, str | None] = {}
    history: list[dict[str, str]] = []
    wanted = {
        "creator_tool": ("xmp", "CreatorTool"),
        "create_date": ("xmp", "CreateDate"),
        "modify_date": ("xmp", "ModifyDate"),
        "metadata_date": ("xmp", "MetadataDate"),
        "date_created": ("photoshop", "DateCreated"),
        "document_id": ("xmpMM", "DocumentID"),
        "original_document_id": ("xmpMM", "OriginalDocumentID"),
    }
    for desc in descs:
        for key, (prefix, local) in wanted.items():
            if fields.get(key) is None:
                fields[key] = _value(desc, prefix, local)
        hist = desc.find(_q("xmpMM", "History"))
        if hist is not None:
            for li in hist.iter(_q("rdf", "li")):
                event = {}
                for k in ("action", "softwareAgent", "when", "changed", "instanceID"):
                    v = li.get(_q("stEvt", k))
                    if v is None:
                        el = li.find(_q("stEvt", k))
                        v = el.text if el is not None else None
                    if v:
                        event[k] = v.strip()
                if event:
                    history.append(event)
    return XmpInfo(history=tuple(history[:500]), **fields)
