"""JPEG structure: segment markers, quantisation tables and the quality they imply.

Camera firmware ships its own quantisation tables; generic encoders (libjpeg and
everything built on it: editors, social networks, ``PIL.Image.save``) use the
tables of the JPEG standard's Annex K scaled to a quality setting. Which kind a
file carries is evidence about the last program that encoded it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from forensics.records.record import JpegInfo

# ITU-T T.81 Annex K tables, natural (row-major) order, as libjpeg uses them.
STD_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip
STD_CHROMA = (
    17, 18, 24, 47, 99, 99, 99, 99,
    18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
)  # fmt: skip

_MARKER_NAMES = {
    0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC3: "SOF3", 0xC4: "DHT", 0xC9: "SOF9",
    0xCA: "SOF10", 0xCC: "DAC", 0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT",
    0xDD: "DRI", 0xFE: "COM",
}  # fmt: skip


def scaled_table(base: Sequence[int], quality: int) -> tuple[int, ...]:
    """libjpeg's ``jpeg_quality_scaling``: the base table at ``quality`` (1..100)."""
    quality = min(max(quality, 1), 100)
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return tuple(min(max((q * scale + 50) // 100, 1), 255) for q in base)


_STD_BY_QUALITY = {q: (scaled_table(STD_LUMA, q), scaled_table(STD_CHROMA, q)) for q in range(1, 101)}
# exact tables -> quality, for the common case of a generic encoder (one dict lookup)
_EXACT = {pair: q for q, pair in sorted(_STD_BY_QUALITY.items(), reverse=True)}
_EXACT_LUMA = {pair[0]: q for q, pair in sorted(_STD_BY_QUALITY.items(), reverse=True)}


_MEAN_STEPS = None  # (qualities 1.0..100.0 by 0.1, mean luma step of the scaled table at each)


def _mean_steps():
    import numpy as np

    q = np.round(np.arange(10, 1001) / 10, 1)
    scale = np.where(q < 50, 5000 / q, 200 - 2 * q)
    steps = np.clip(np.outer(scale, np.array(STD_LUMA, dtype=np.float64)) / 100, 1, 255)
    return q, steps.mean(axis=1)


def estimate_quality(tables: Mapping[int, Sequence[int]]) -> tuple[float | None, bool | None]:
    """Estimate the IJG quality of quantisation tables, and say if they are standard.

    Returns ``(quality, standard)``: ``quality`` is the setting whose scaled
    Annex K tables come closest (a float, so a camera's custom tables get an
    honest approximate figure); ``standard`` is True when the tables equal the
    scaled Annex K tables exactly for some quality, as generic encoders write.

    Examples
    --------
    >>> estimate_quality({0: scaled_table(STD_LUMA, 90), 1: scaled_table(STD_CHROMA, 90)})
    (90.0, True)
    """
    global _MEAN_STEPS
    if not tables:
        return None, None
    luma = tuple(int(v) for v in (tables.get(0) or next(iter(tables.values()))))
    chroma = tuple(int(v) for v in tables[1]) if 1 in tables else None
    if len(luma) != 64 or (chroma is not None and len(chroma) != 64):
        return None, None
    exact = _EXACT.get((luma, chroma)) if chroma is not None else _EXACT_LUMA.get(luma)
    if exact is not None:
        return float(exact), True
    # Custom tables: report the quality whose mean step size matches theirs.
    import numpy as np

    if _MEAN_STEPS is None:
        _MEAN_STEPS = _mean_steps()
    qualities, means = _MEAN_STEPS
    i = int(np.argmin(np.abs(means - sum(luma) / 64)))
    return float(qualities[i]), False


def segments(data: bytes, *, limit: int = 256) -> list[tuple[int, int, int]]:
    """The segments before the image data as ``(marker, payload_start, payload_end)``.

    Walks the marker chain from SOI and stops at Start of Scan, at damage
    (recorded as marker ``-1``), or after ``limit`` segments, so a hostile file
    cannot make the walk long. Payload offsets are clipped to the data.

    Examples
    --------
    >>> segments(b"\\xff\\xd8\\xff\\xe1\\x00\\x04ab\\xff\\xda\\x00\\x02")
    [(225, 6, 8), (218, 12, 12)]
    """
    out: list[tuple[int, int, int]] = []
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        return out
    i = 2
    while i + 4 <= n and len(out) < limit:
        if data[i] != 0xFF:
            out.append((-1, i, i))
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # stand-alone markers carry no length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2:
            out.append((-1, i, i))
            break
        out.append((marker, i + 4, min(i + 2 + length, n)))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


# Start-of-frame markers (T.81 B.1.1.3; C4 DHT, C8 JPG and CC DAC share the range but are not frames)
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
_COEFFICIENT_BLOCK = 64 * 2  # bytes: an 8×8 block of 16-bit DCT coefficients (libjpeg's JBLOCK)


@dataclass(frozen=True)
class Frame:
    """What a JPEG's frame header and first scan header say about decoding it.

    Attributes
    ----------
    width, height : int
        The declared size, in pixels.
    sampling : tuple of (int, int)
        Each component's horizontal and vertical sampling factors.
    progressive : bool
        A progressive (SOF2, SOF6, SOF10, SOF14) frame.
    first_scan_components : int or None
        Components in the first scan; None when no scan header was found.
    """

    width: int
    height: int
    sampling: tuple[tuple[int, int], ...]
    progressive: bool
    first_scan_components: int | None

    @property
    def multi_scan(self) -> bool:
        """libjpeg keeps every coefficient of the picture (``has_multiple_scans``): a
        progressive frame, or a first scan without every component (or none found)."""
        first = self.first_scan_components
        return self.progressive or first is None or first < len(self.sampling)

    def coefficient_bytes(self) -> int:
        """Bytes of libjpeg's whole-picture coefficient buffer (0 when it decodes scan by scan).

        Per component: its blocks (the size scaled by its sampling, in 8×8 blocks,
        rounded up to whole MCUs), 128 bytes each; the DCT scaling of a reduced
        decode does not change it.

        Examples
        --------
        >>> Frame(8000, 8000, ((1, 1),) * 3, True, 3).coefficient_bytes()
        384000000
        >>> Frame(8000, 8000, ((1, 1),) * 3, False, 3).coefficient_bytes()
        0
        """
        if not self.multi_scan or not self.sampling:
            return 0
        hmax = max(h for h, _ in self.sampling) or 1
        vmax = max(v for _, v in self.sampling) or 1
        total = 0
        for h, v in self.sampling:
            across = _round_up(-(-self.width * h // (8 * hmax)), max(h, 1))
            down = _round_up(-(-self.height * v // (8 * vmax)), max(v, 1))
            total += across * down * _COEFFICIENT_BLOCK
        return total


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def frame(data: bytes, *, limit: int = 4096) -> Frame | None:
    """The frame of a JPEG from its header (None when no frame header precedes the first scan).

    Examples
    --------
    >>> sof = b"\\xff\\xc2\\x00\\x11\\x08\\x10\\x00\\x20\\x00\\x03\\x01\\x22\\x00\\x02\\x11\\x01\\x03\\x11\\x01"
    >>> frame(b"\\xff\\xd8" + sof + b"\\xff\\xda\\x00\\x08\\x01\\x01\\x00\\x00\\x00\\x00")
    Frame(width=8192, height=4096, sampling=((2, 2), (1, 1), (1, 1)), progressive=True, first_scan_components=1)
    """
    sof: tuple[int, int, int] | None = None
    scan: int | None = None
    for marker, start, end in segments(data, limit=limit):
        if marker in _SOF and sof is None:
            sof = (marker, start, end)
        elif marker == 0xDA and end > start:
            scan = data[start]
    if sof is None:
        return None
    marker, start, end = sof
    body = data[start:end]
    if len(body) < 6:
        return None
    height, width, count = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big"), body[5]
    sampling = tuple((b >> 4, b & 15) for b in body[7 : 6 + 3 * count : 3])
    return Frame(width, height, sampling, marker in _PROGRESSIVE, scan)


def app_payload(data: bytes, segs: Sequence[tuple[int, int, int]], marker: int, signature: bytes) -> memoryview | None:
    """The payload (after ``signature``) of the first segment ``marker`` that starts with it."""
    for m, start, end in segs:
        if m == marker and data.startswith(signature, start):
            return memoryview(data)[start + len(signature) : end]
    return None


def markers(data: bytes, *, limit: int = 256, segs: Sequence[tuple[int, int, int]] | None = None) -> tuple[str, ...]:
    """Names of the segments before the image data, e.g. ``APP1:Exif``.

    Stops at Start of Scan, at damage (``?garbage``), or after ``limit`` segments.
    """
    if not data.startswith(b"\xff\xd8"):
        return ()
    names = ["SOI"]
    for marker, start, _end in segs if segs is not None else segments(data, limit=limit):
        if marker < 0:
            names.append("?garbage")
            break
        name = _MARKER_NAMES.get(marker)
        if name is None and 0xE0 <= marker <= 0xEF:
            ident = bytes(data[start : min(start + 32, _end)]).split(b"\x00", 1)[0][:20].decode("latin-1", "replace")
            name = f"APP{marker - 0xE0}" + (f":{ident}" if ident.isprintable() and ident else "")
        names.append(name or f"0x{marker:02X}")
    return tuple(names)


def _subsampling(layer: Sequence[tuple] | None) -> str | None:
    if not layer or len(layer) < 3:
        return "4:0:0" if layer and len(layer) == 1 else None
    (_, h0, v0, _), (_, h1, v1, _) = layer[0][:4], layer[1][:4]
    if h1 == 0 or v1 == 0:
        return None
    ratio = (h0 // h1, v0 // v1)
    return {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (4, 1): "4:1:1", (1, 2): "4:4:0"}.get(ratio, f"{h0}x{v0}/{h1}x{v1}")


def jpeg_info(image, data: bytes, segs: Sequence[tuple[int, int, int]] | None = None) -> JpegInfo:
    """Structure of an opened Pillow JPEG ``image`` whose file bytes are ``data``."""
    tables = dict(getattr(image, "quantization", None) or {})
    quality, standard = estimate_quality(tables)
    return JpegInfo(
        markers=markers(data, segs=segs),
        quant_tables=tuple(tuple(int(v) for v in tables[k]) for k in sorted(tables)),
        quality=quality,
        standard_tables=standard,
        progressive=bool(image.info.get("progressive") or image.info.get("progression")),
        subsampling=_subsampling(getattr(image, "layer", None)),
    )
