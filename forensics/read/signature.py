"""The encoder signature of a JPEG: the choices its encoder made, read from the headers.

Quantisation tables, Huffman tables, sampling, the scan script, the restart
interval, the APPn segments and the EXIF layout together tell camera firmware,
libraries, editors and platforms apart (Kee, Johnson & Farid, "Digital Image
Authentication From JPEG Headers", IEEE TIFS 6(3), 2011). Everything here reads
headers only; a progressive file's later scan headers are found with one
bounded byte search (the entropy-coded data cannot hold a marker: T.81 B.1.1.5
stuffs every 0xFF in it with 0x00).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence

from forensics.knowledge.encoders import match_signature
from forensics.read.jpeg import Frame
from forensics.records.encoding import EncoderSignature, ExifLayout

# MD5 of (BITS + HUFFVAL) of the four tables of ITU-T T.81 Annex K.3, as libjpeg writes them by default.
_STANDARD_HUFFMAN = frozenset({
    "f1a74efb2a5392c92566ae83254801ea",  # DC luminance
    "f98d8ec27887b6f6133f8cdc1215e074",  # DC chrominance
    "1d9e194fd499e70e57dec680dc4edbe4",  # AC luminance
    "7f394bbf281ecffc67f5e2f4b72fe577",  # AC chrominance
})  # fmt: skip
_LATER_MARKERS = re.compile(rb"\xff[\xc4\xda\xdd\xd9]")  # DHT, SOS, DRI, EOI after the first scan
MAX_SCANS = 64  # libjpeg's own scripts use at most 10; a hostile file gets no longer walk
_EXIF_SIG = b"Exif\x00\x00"


def encoder_signature(
    data: bytes, segs: Sequence[tuple[int, int, int]], frame: Frame | None, *,
    quality: float | None = None, standard_tables: bool | None = None, tables: Sequence[Sequence[int]] | None = None,
) -> EncoderSignature:  # fmt: skip
    """Read the encoder signature of the JPEG ``data`` from its segments ``segs``.

    Parameters
    ----------
    data : bytes
        The whole file.
    segs : sequence of (int, int, int)
        Its segments up to the first scan, as :func:`forensics.read.jpeg.segments` gives them.
    frame : Frame or None
        Its frame header, as :func:`forensics.read.jpeg.frame` gives it.
    quality, standard_tables : float, bool or None
        The quantisation tables' IJG-quality fit and whether they are the scaled
        Annex K tables (:func:`forensics.read.jpeg.estimate_quality`), for the encoder match.
    tables : sequence of sequences of int, optional
        The quantisation tables in natural order (``JpegInfo.quant_tables``), for the camera entries.

    Returns
    -------
    EncoderSignature
        The signature and the named encoders it is consistent with.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> from forensics.read.jpeg import frame, segments
    >>> buf = io.BytesIO(); Image.new("RGB", (16, 8)).save(buf, "JPEG", quality=75)
    >>> data = buf.getvalue()
    >>> sig = encoder_signature(data, segments(data), frame(data))
    >>> sig.huffman, sig.sampling, sig.scans, (sig.width, sig.height)
    ('standard', '221111', ('0,1,2 0-63 0/0',), (16, 8))
    """
    dqt: list[bytes] = []
    dht: list[bytes] = []
    apps: list[str] = []
    restart = 0
    jfif = comment = None
    adobe: int | None = None
    exif: ExifLayout | None = None
    first_scan: bytes | None = None
    scan_end = 0
    for marker, start, end in segs:
        body = data[start:end]
        if marker == 0xDB:
            dqt.append(body)
        elif marker == 0xC4:
            dht.append(body)
        elif marker == 0xDD and len(body) >= 2:
            restart = int.from_bytes(body[:2], "big")
        elif marker == 0xDA:
            first_scan, scan_end = body, end
        elif marker == 0xFE and comment is None:
            comment = body[:120].decode("latin-1", "replace").strip("\x00 ").replace("\x00", " ") or None
        elif 0xE0 <= marker <= 0xEF:
            ident = body[:20].split(b"\x00", 1)[0].decode("latin-1", "replace")
            apps.append(f"APP{marker - 0xE0}" + (f":{ident}" if ident.isprintable() and ident else ""))
            if marker == 0xE0 and body.startswith(b"JFIF\x00") and len(body) >= 12:
                units = {0: "aspect", 1: "dpi", 2: "dpcm"}.get(body[7], "?")
                jfif = f"{body[5]}.{body[6]:02d} density {int.from_bytes(body[8:10], 'big')}x{int.from_bytes(body[10:12], 'big')} {units}"
            elif marker == 0xEE and body.startswith(b"Adobe") and len(body) >= 12:
                adobe = body[11]
            elif marker == 0xE1 and body.startswith(_EXIF_SIG) and exif is None:
                exif = exif_layout(body[len(_EXIF_SIG) :])
    scans: list[str] = []
    if first_scan is not None:
        scans.append(_scan(first_scan))
    progressive = bool(frame and frame.progressive)
    if progressive and first_scan is not None:
        # the later scans (and the tables defined between them) of a progressive file
        for m in _LATER_MARKERS.finditer(data, scan_end):
            if m.group()[1] == 0xD9 or len(scans) >= MAX_SCANS:
                break
            at = m.start()
            length = int.from_bytes(data[at + 2 : at + 4], "big")
            body = data[at + 4 : at + 2 + length]
            if m.group()[1] == 0xDA:
                scans.append(_scan(body))
            elif m.group()[1] == 0xC4:
                dht.append(body)
    huff = _huffman_tables(dht)
    huffman = None if not huff else ("standard" if all(t in _STANDARD_HUFFMAN for t in huff) else "custom")
    sampling = "".join(f"{h}{v}" for h, v in frame.sampling) if frame else None
    digest = hashlib.md5(b"\x00".join(dqt)).hexdigest() if dqt else None
    sig = EncoderSignature(
        digest=digest, sampling=sampling, huffman=huffman, huffman_tables=len(huff), progressive=progressive,
        scans=tuple(scans), restart_interval=restart, app_segments=tuple(apps), jfif=jfif, adobe_transform=adobe,
        comment=comment, exif=exif, width=frame.width if frame else None, height=frame.height if frame else None,
    )  # fmt: skip
    return dataclasses.replace(sig, encoders=match_signature(sig, quality=quality, standard_tables=standard_tables, tables=tables))


def _scan(body: bytes) -> str:
    """One scan header as ``components Ss-Se Ah/Al`` (T.81 B.2.3)."""
    count = body[0] if body else 0
    ids = [str(body[1 + 2 * i]) if 1 + 2 * i < len(body) else "?" for i in range(count)]
    # libjpeg numbers components 1, 2, 3; written here from 0 as the scan script files do
    comps = ",".join(str(int(i) - 1) if i.isdigit() and int(i) > 0 else i for i in ids)
    tail = body[1 + 2 * count : 4 + 2 * count]
    if len(tail) < 3:
        return comps
    return f"{comps} {tail[0]}-{tail[1]} {tail[2] >> 4}/{tail[2] & 15}"


def _huffman_tables(payloads: Sequence[bytes]) -> list[str]:
    """MD5 of each table's BITS + HUFFVAL, over every DHT payload (several tables each)."""
    out: list[str] = []
    for p in payloads:
        i = 0
        while i + 17 <= len(p) and len(out) < 64:
            n = sum(p[i + 1 : i + 17])
            out.append(hashlib.md5(p[i + 1 : i + 17 + n]).hexdigest())
            i += 17 + n
    return out


def exif_layout(tiff: bytes) -> ExifLayout | None:
    """Entries of each EXIF directory of a TIFF-structured block (None when it is not one).

    Examples
    --------
    >>> exif_layout(b"II*\\x00\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00")
    ExifLayout(byte_order='II', ifd0=0, exif=0, gps=0, interop=0, ifd1=0, makernote=False, thumbnail_bytes=0)
    """
    order = tiff[:2]
    if order not in (b"II", b"MM") or len(tiff) < 8:
        return None
    big = "big" if order == b"MM" else "little"

    def u(at: int, n: int) -> int:
        return int.from_bytes(tiff[at : at + n], big) if at + n <= len(tiff) else 0  # type: ignore[arg-type]

    def entries(at: int) -> tuple[int, dict[int, int]]:
        if at <= 0 or at + 2 > len(tiff):
            return 0, {}
        n = min(u(at, 2), 1000)
        tags = {}
        for k in range(n):
            e = at + 2 + 12 * k
            if e + 12 > len(tiff):
                break
            tags[u(e, 2)] = u(e + 8, 4)
        return n, tags

    ifd0 = u(4, 4)
    n0, tags0 = entries(ifd0)
    n_exif, tags_exif = entries(tags0.get(0x8769, 0))
    n_gps, _ = entries(tags0.get(0x8825, 0))
    n_interop, _ = entries(tags_exif.get(0xA005, 0))
    next_ifd = u(ifd0 + 2 + 12 * n0, 4) if n0 else 0
    n1, tags1 = entries(next_ifd) if next_ifd and next_ifd != ifd0 else (0, {})
    return ExifLayout(
        byte_order=order.decode(), ifd0=n0, exif=n_exif, gps=n_gps, interop=n_interop, ifd1=n1,
        makernote=0x927C in tags_exif, thumbnail_bytes=tags1.get(0x0202, 0),
    )  # fmt: skip
