"""JPEG structure: segment markers, quantisation tables and the quality they imply.

Camera firmware ships its own quantisation tables; generic encoders (libjpeg and
everything built on it: editors, social networks, ``PIL.Image.save``) use the
tables of the JPEG standard's Annex K scaled to a quality setting. Which kind a
file carries is evidence about the last program that encoded it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
