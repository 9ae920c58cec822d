"""JPEG structure: segment markers, quantisation tables and the quality they imply.

Camera firmware ships its own quantisation tables; generic encoders (libjpeg and
everything built on it: editors, social networks, ``PIL.Image.save``) use the
tables of the JPEG standard's Annex K scaled to a quality setting. Which kind a
file carries is evidence about the last program that encoded it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .record import JpegInfo

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


def estimate_quality(tables: Mapping[int, Sequence[int]]) -> tuple[float | None, bool | None]:
    """Estimate the IJG quality of quantisation tables, and say if they are standard.

    Returns ``(quality, standard)``: ``quality`` is the setting whose scaled
    Annex K tables come closest (a float, so a camera's custom tables get an
    honest approximate figure); ``standard`` is True when the tables equal the
    scaled Annex K tables exactly for some quality, as generic encoders write.
    """
    if not tables:
        return None, None
    luma = tuple(tables.get(0) or next(iter(tables.values())))
    chroma = tuple(tables[1]) if 1 in tables else None
    if len(luma) != 64 or (chroma is not None and len(chroma) != 64):
        return None, None
    best_q, best_err = None, None
    for q, (std_l, std_c) in _STD_BY_QUALITY.items():
        err = sum(abs(a - b) for a, b in zip(luma, std_l))
        if chroma is not None:
            err += sum(abs(a - b) for a, b in zip(chroma, std_c))
        if best_err is None or err < best_err:
            best_q, best_err = q, err
        if err == 0:
            break
    assert best_q is not None
    standard = best_err == 0
    if standard:
        return float(best_q), True
    # Custom tables: report the quality whose mean step size matches theirs.
    mean = sum(luma) / 64
    lo, hi = 1.0, 100.0
    for _ in range(30):
        mid = (lo + hi) / 2
        scale = 5000 / mid if mid < 50 else 200 - 2 * mid
        m = sum(min(max(q * scale / 100, 1), 255) for q in STD_LUMA) / 64
        if m > mean:
            lo = mid
        else:
            hi = mid
    return round((lo + hi) / 2, 1), False


def markers(data: bytes, *, limit: int = 256) -> tuple[str, ...]:
    """Names of the segments before the image data, e.g. ``APP1:Exif``.

    Stops at Start of Scan, at damage, or after ``limit`` segments, so a hostile
    file cannot make this loop long.
    """
    names: list[str] = []
    i, n = 2, len(data)
    if not data.startswith(b"\xff\xd8"):
        return ()
    names.append("SOI")
    while i + 4 <= n and len(names) < limit:
        if data[i] != 0xFF:
            names.append("?garbage")
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        name = _MARKER_NAMES.get(marker)
        if name is None and 0xE0 <= marker <= 0xEF:
            payload = data[i + 4 : i + 4 + 32]
            ident = payload.split(b"\x00", 1)[0][:20].decode("latin-1", "replace")
            name = f"APP{marker - 0xE0}" + (f":{ident}" if ident.isprintable() and ident else "")
        names.append(name or f"0x{marker:02X}")
        if marker == 0xDA:
            break
        if length < 2:
            names.append("?bad-length")
            break
        i += 2 + length
    return tuple(names)


def _subsampling(layer: Sequence[tuple] | None) -> str | None:
    if not layer or len(layer) < 3:
        return "4:0:0" if layer and len(layer) == 1 else None
    (_, h0, v0, _), (_, h1, v1, _) = layer[0][:4], layer[1][:4]
    if h1 == 0 or v1 == 0:
        return None
    ratio = (h0 // h1, v0 // v1)
    return {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (4, 1): "4:1:1", (1, 2): "4:4:0"}.get(ratio, f"{h0}x{v0}/{h1}x{v1}")


def jpeg_info(image, data: bytes) -> JpegInfo:
    """Structure of an opened Pillow JPEG ``image`` whose file bytes are ``data``."""
    tables = dict(getattr(image, "quantization", None) or {})
    quality, standard = estimate_quality(tables)
    return JpegInfo(
        markers=markers(data),
        quant_tables=tuple(tuple(int(v) for v in tables[k]) for k in sorted(tables)),
        quality=quality,
        standard_tables=standard,
        progressive=bool(image.info.get("progressive") or image.info.get("progression")),
        subsampling=_subsampling(getattr(image, "layer", None)),
    )
