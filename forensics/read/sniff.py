"""File type from content (magic bytes), never from the name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    kind: str  # "image", "video" or "unknown"
    format: str | None  # short name, e.g. "JPEG", "MP4"
    mime: str | None
    extensions: tuple[str, ...] = ()  # extensions that honestly name this type


UNKNOWN = FileType("unknown", None, None)

# ISO BMFF brands (the bytes after 'ftyp'): image containers first, the rest are video.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_QUICKTIME_BRANDS = {b"qt  "}

_TYPES = {
    "JPEG": FileType("image", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif")),
    "PNG": FileType("image", "PNG", "image/png", (".png",)),
    "GIF": FileType("image", "GIF", "image/gif", (".gif",)),
    "BMP": FileType("image", "BMP", "image/bmp", (".bmp", ".dib")),
    "TIFF": FileType("image", "TIFF", "image/tiff", (".tif", ".tiff", ".dng", ".nef", ".cr2", ".arw")),
    "WEBP": FileType("image", "WEBP", "image/webp", (".webp",)),
    "HEIF": FileType("image", "HEIF", "image/heif", (".heic", ".heif", ".hif")),
    "AVIF": FileType("image", "AVIF", "image/avif", (".avif",)),
    "MP4": FileType("video", "MP4", "video/mp4", (".mp4", ".m4v", ".3gp", ".mov")),
    "MOV": FileType("video", "MOV", "video/quicktime", (".mov", ".qt", ".mp4")),
    "MKV": FileType("video", "MKV", "video/x-matroska", (".mkv", ".mk3d")),
    "WEBM": FileType("video", "WEBM", "video/webm", (".webm", ".mkv")),
    "AVI": FileType("video", "AVI", "video/x-msvideo", (".avi",)),
}

HEAD_BYTES = 64  # what sniff() needs to see


def sniff(head: bytes) -> FileType:
    """Identify a file from its first bytes (at least :data:`HEAD_BYTES`)."""
    if head.startswith(b"\xff\xd8\xff"):
        return _TYPES["JPEG"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _TYPES["PNG"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _TYPES["GIF"]
    if head.startswith(b"BM") and len(head) >= 26:
        return _TYPES["BMP"]
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return _TYPES["TIFF"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _TYPES["WEBP"]
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return _TYPES["AVI"]
    if head[4:8] == b"ftyp":
        major = head[8:12]
        # compatible brands follow the minor version; look at all of them
        size = int.from_bytes(head[0:4], "big")
        brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
        if major in _AVIF_BRANDS:
            return _TYPES["AVIF"]
        if major in _HEIF_BRANDS or (brands & _HEIF_BRANDS and not major.startswith((b"mp4", b"iso", b"M4V", b"qt"))):
            return _TYPES["HEIF"]
        if major in _QUICKTIME_BRANDS:
            return _TYPES["MOV"]
        return _TYPES["MP4"]
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return _TYPES["MOV"]  # old QuickTime files without ftyp
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _TYPES["WEBM"] if b"webm" in head[:64] else _TYPES["MKV"]
    return UNKNOWN


def type_for_extension(extension: str) -> FileType | None:
    """The type an extension claims, or None if it claims no known type."""
    ext = extension.lower()
    for t in _TYPES.values():
        if ext in t.extensions:
            return t
    return None


def extensions_of(fmt: str | None) -> tuple[str, ...]:
    """The extensions that honestly name a detected format (empty if unknown)."""
    t = _TYPES.get(fmt or "")
    return t.extensions if t else ()
