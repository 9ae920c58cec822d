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
    # camera raw and editors' formats whose metadata is read (forensics.read.carriers)
    "CR3": FileType("image", "CR3", "image/x-canon-cr3", (".cr3",)),
    "RAF": FileType("image", "RAF", "image/x-fujifilm-raf", (".raf",)),
    "RW2": FileType("image", "RW2", "image/x-panasonic-rw2", (".rw2", ".raw", ".rwl")),
    "MRW": FileType("image", "MRW", "image/x-minolta-mrw", (".mrw",)),
    "X3F": FileType("image", "X3F", "image/x-sigma-x3f", (".x3f",)),
    "PSD": FileType("image", "PSD", "image/vnd.adobe.photoshop", (".psd", ".psb")),
    "MIFF": FileType("image", "MIFF", "image/x-miff", (".miff", ".mif")),
    "BPG": FileType("image", "BPG", "image/bpg", (".bpg",)),
    "XCF": FileType("image", "XCF", "image/x-xcf", (".xcf",)),
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
    if head[4:12] == b"ftypcrx ":
        return _TYPES["CR3"]
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
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return _TYPES[fmt]
    return UNKNOWN


# Leading bytes of the formats forensics.read.carriers reads (ExifTool's and the formats' own documentation).
_MAGIC = (
    (b"FUJIFILMCCD-RAW ", "RAF"), (b"IIU\x00", "RW2"), (b"\x00MRM", "MRW"), (b"FOVb", "X3F"),
    (b"8BPS\x00\x01", "PSD"), (b"8BPS\x00\x02", "PSD"), (b"id=ImageMagick", "MIFF"), (b"BPG\xfb", "BPG"),
    (b"gimp xcf ", "XCF"),
)  # fmt: skip


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
