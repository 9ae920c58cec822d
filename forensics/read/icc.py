"""The description of an embedded ICC profile (e.g. ``Display P3``, ``sRGB IEC61966-2.1``)."""

from __future__ import annotations


def profile_description(profile: bytes | None) -> str | None:
    """Read the ``desc`` tag of an ICC profile (v2 ``desc`` or v4 ``mluc``)."""
    if not profile or len(profile) < 132:
        return None
    count = int.from_bytes(profile[128:132], "big")
    for i in range(min(count, 200)):
        entry = profile[132 + 12 * i : 144 + 12 * i]
        if len(entry) < 12:
            return None
        if entry[:4] != b"desc":
            continue
        off, size = int.from_bytes(entry[4:8], "big"), int.from_bytes(entry[8:12], "big")
        body = profile[off : off + size]
        kind = body[:4]
        if kind == b"desc" and len(body) >= 12:
            n = int.from_bytes(body[8:12], "big")
            text = body[12 : 12 + n].split(b"\x00", 1)[0].decode("latin-1", "replace")
        elif kind == b"mluc" and len(body) >= 28:
            rlen, roff = int.from_bytes(body[20:24], "big"), int.from_bytes(body[24:28], "big")
            text = body[roff : roff + rlen].decode("utf-16-be", "replace")
        else:
            return None
        return text.strip() or None
    return None
