"""Read one file, once: file facts, metadata, hashes. Damage becomes data.

``read_file`` never raises for a bad file: whatever goes wrong is put in the
record's ``error`` (the file could not be analysed) or ``problems`` (some
metadata was damaged but the picture was read), so a scan goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import stat
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import TYPE_CHECKING, Any

from forensics.errors import UnreadableFile
from forensics.read import carriers, containers, decode, hashing
from forensics.read.containers import Embedded
from forensics.read.credentials import TrustAnchors, read_credentials
from forensics.read.icc import profile_description
from forensics.read.iptc import iim_fields, iptc_fields
from forensics.read.jpeg import app_payload, segments
from forensics.read.jpeg import frame as _jpeg_frame
from forensics.read.jpeg import jpeg_info as _jpeg_info
from forensics.read.signature import encoder_signature
from forensics.read.sniff import HEAD_BYTES, sniff
from forensics.read.threads import threads
from forensics.read.video import Progress, read_video
from forensics.read.xmp import find_packet, parse_xmp
from forensics.records.record import Hashes, ImageRecord, Metadata, Thumbnail

if TYPE_CHECKING:
    from PIL import Image

MAX_IMAGE_BYTES = 1 << 30  # larger "images" are refused rather than read into memory
_HASH_CHUNK = 1 << 20
_THREAD_HASH_BYTES = 1 << 20  # from this size the SHA-256 runs on a thread while the picture decodes


class _Digest:
    """The SHA-256 of a file's bytes, computed on a thread beside the decode for a large file.

    hashlib and Pillow's decoder both release the GIL, so on a machine with a
    core to spare (one worker process) the 1–2 ms of a 12-MP JPEG's hash costs
    no wall time; the result is the same.
    """

    def __init__(self, data: bytes) -> None:
        self._future = _hasher().submit(hashlib.sha256, data) if len(data) >= _THREAD_HASH_BYTES else None
        self._digest = hashlib.sha256(data) if self._future is None else None

    @property
    def pending(self) -> bool:
        return self._future is not None

    def hexdigest(self) -> str:
        digest = self._digest if self._future is None else self._future.result()
        assert digest is not None
        return digest.hexdigest()


def _hasher() -> ThreadPoolExecutor:
    """This process's SHA-256 thread (a file's hash runs beside its decode)."""
    return threads("reader")


def _decoder() -> ThreadPoolExecutor:
    """This process's decoding thread: one, so that a file read ahead decodes after the one under way."""
    return threads("decoder")


# -- reading ahead in a worker ------------------------------------------------------------------
#
# With one worker the decode of a 12-MP JPEG (about 27 ms at 1/8 scale) is most of a file's time,
# and everything else (reading the bytes, the metadata, the hashes) waits for it or comes before
# it: about 6 ms a file with the decoding thread idle. So while a JPEG decodes, the worker reads
# the next file of its chunk, opens it here (its warnings caught for it) and queues its decode
# behind the one under way: the thread never idles. The next file is marked begun in the pool
# (a decoder crash makes it a suspect with the file under way); at its turn it is used only if
# the file is the one read (same size, modification time and inode), its own time limit running
# from then as before.

AHEAD_BYTES = 64 << 20  # a larger file is not read ahead: two at once would double the worker's memory


@dataclasses.dataclass
class _Ahead:
    path: str
    stat: tuple[int, int, int]
    data: bytes
    decoded: Future[Image.Image]
    caught: list[warnings.WarningMessage]


_next: tuple[str, Any] | None = None  # (path, mark it begun), offered by the worker's chunk loop
_ahead: _Ahead | None = None


def offer_next(path: str | None, begun: Any) -> None:
    """The file a worker reads after the one it begins now (None: none), and the function that marks
    it begun in the pool; read ahead while that one decodes (:func:`forensics.read.pool.map_isolated`)."""
    global _next
    _next = (path, begun) if path is not None else None


def _read_next(budget: int | None) -> None:
    """Read the offered next file ahead, if it is a JPEG small enough, and queue its decode."""
    global _next, _ahead
    if _next is None:
        return
    path, begun = _next
    _next = None
    _drop_ahead()
    from PIL import Image

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= AHEAD_BYTES:
            return
        with open(path, "rb") as f:
            data = f.read()
        if sniff(data[:HEAD_BYTES]).format != "JPEG":
            return
        with warnings.catch_warnings(record=True) as caught:  # its own: opening it here is part of reading it
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = decode.open_picture(data)
        if decode.refusal_error(image, side=hashing.HASH_SIDE, memory_budget=budget) is not None:
            image.close()
            return
    except Exception:  # noqa: BLE001 - read at its turn instead, where whatever this was is reported
        return
    begun()
    decoded = _decoder().submit(_decode_stored, image, budget, size=len(data))
    _ahead = _Ahead(os.fsdecode(path), _identity(st), data, decoded, list(caught))


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """What says a file is still the one read: its size, modification time and inode."""
    return st.st_size, st.st_mtime_ns, st.st_ino


def _drop_ahead() -> None:
    global _ahead
    if _ahead is not None:
        futures_wait([_ahead.decoded])
        _ahead = None


def _take_ahead(path: str, st: os.stat_result) -> _Ahead | None:
    """The file read ahead, if it is this one unchanged."""
    global _ahead
    found, _ahead = _ahead, None
    if found is None:
        return None
    if found.path != path or found.stat != _identity(st):
        futures_wait([found.decoded])
        return None
    return found


def read_file(
    path: str | os.PathLike[str], *, all_tags: bool = False, hashes: bool = True, progress: Progress | None = None,
    memory_budget: int | None = None, trust_anchors: TrustAnchors | None = None,
) -> ImageRecord:  # fmt: skip
    """Read one file into an :class:`ImageRecord` (no findings yet).

    Never raises for a bad file: what went wrong is in ``record.error`` (the
    file could not be analysed) or ``record.problems`` (damage that did not
    stop the reading).

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    all_tags : bool
        Keep every raw EXIF tag in ``metadata.raw``.
    hashes : bool
        Decode the picture and compute its perceptual hashes (for a video:
        sample and hash its frames; without, only its container facts).
    progress : callable, optional
        Called as ``progress(decoded, total)`` while a video's frames are decoded.
    memory_budget : int, optional
        Bytes decoding the picture may allocate, estimated from its header; a
        picture that needs more is refused (``record.error``). Default: the
        limits in force (:func:`forensics.read.decode.limits`: 1 GiB, or
        ``$FORENSICS_MEMORY_BUDGET``); 0: no budget. The time limit applies
        only in worker processes (:mod:`forensics.read.pool`): this call reads
        in the calling process.
    trust_anchors : TrustAnchors, optional
        Certificates (:func:`forensics.read.credentials.load_trust_anchors`) to
        hold a Content Credentials signer against, in the one validation of the
        file; without, trust is not checked.

    Returns
    -------
    ImageRecord
        File facts, metadata and (when asked) hashes of the picture as displayed.
    """
    return _read(path, all_tags=all_tags, hashes=hashes, progress=progress, keep=None, budget=memory_budget, anchors=trust_anchors)


def read_picture(path: str | os.PathLike[str]) -> tuple[ImageRecord, Image.Image | None]:
    """Read one file like :func:`read_file`, and keep the small picture its hashes came from.

    For a caller that hashes more views of the picture (the reference index
    hashes its regions) without decoding the file a second time.

    Returns
    -------
    tuple of (ImageRecord, PIL.Image.Image or None)
        The record, and the picture as displayed (long side at most
        :data:`forensics.hashing.HASH_SIDE`, RGB or L); None for a video or
        a file whose picture could not be decoded.
    """
    keep: list[Any] = []
    record = _read(path, all_tags=False, hashes=True, progress=None, keep=keep, budget=None, anchors=None)
    return record, (keep[0] if keep and record.error is None and record.kind == "image" else None)


def _read(
    path: str | os.PathLike[str], *, all_tags: bool, hashes: bool, progress: Any, keep: list[Any] | None, budget: int | None,
    anchors: TrustAnchors | None,
) -> ImageRecord:  # fmt: skip
    path = os.fsdecode(path)
    ext = os.path.splitext(path)[1].lower() or None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            return ImageRecord(path=path, extension=ext, error=f"cannot read file: {kind}")
        taken = _take_ahead(path, st)
        digest: Any
        if taken is not None:  # read ahead while the one before it decoded
            data = taken.data
            head = data[:HEAD_BYTES]
            ftype = sniff(head)
            digest = _Digest(data)
        else:
            with open(path, "rb") as f:
                head = f.read(HEAD_BYTES)
                ftype = sniff(head)
                if ftype.kind != "image" or st.st_size > MAX_IMAGE_BYTES:  # hashed in chunks, never held whole
                    digest = hashlib.sha256(head)
                    for chunk in iter(lambda: f.read(_HASH_CHUNK), b""):
                        digest.update(chunk)
                    data = None
                else:
                    f.seek(0)  # one read of the whole file: `head + rest` would copy it again
                    data = f.read()
                    digest = _Digest(data)
    except OSError as exc:
        return ImageRecord(path=path, extension=ext, error=f"cannot read file: {exc.strerror or exc}")

    base = ImageRecord(
        path=path, size=st.st_size, sha256=None if isinstance(digest, _Digest) and digest.pending else digest.hexdigest(), kind=ftype.kind,
        mime=ftype.mime, format=ftype.format, extension=ext,
        # None, at the cost of a header walk, for most files; a signer is held against the anchors in the same reading
        credentials=read_credentials(path, data, ftype, full=all_tags, trust_anchors=anchors.pem if anchors else None,
                                     trust_list=anchors.source if anchors else None),
    )  # fmt: skip
    if st.st_size == 0:
        return dataclasses.replace(base, error="empty file (0 bytes)")
    if ftype.kind == "video":
        return read_video(base, sample=hashes, progress=_progressing(progress))
    if ftype.kind == "unknown":
        return dataclasses.replace(base, error=f"not a recognised image or video format (starts with {head[:8].hex(' ')})")
    if data is None:
        return dataclasses.replace(base, error=f"refused: {st.st_size} bytes is larger than the {MAX_IMAGE_BYTES} byte limit for an image")
    from PIL import Image

    # Decoder warnings (corrupt EXIF, truncated chunks…) are damage to report, not noise on stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies, per format
        try:
            early = taken.decoded if taken is not None and hashes else None
            record = _read_image(base, data, all_tags=all_tags, want_hashes=hashes, keep=keep, budget=budget, early=early)
        except Exception as exc:  # noqa: BLE001 - a last guard: a file must never stop a scan
            record = dataclasses.replace(base, error=f"cannot be read: {_reason(exc)}")
        finally:
            if taken is not None:  # decoded even if not used: never left running past its file
                futures_wait([taken.decoded])
    if taken is not None:
        caught = taken.caught + caught
    if record.sha256 is None and isinstance(digest, _Digest):  # hashed on the thread meanwhile
        record = dataclasses.replace(record, sha256=digest.hexdigest())
    notes = []
    for w in caught:
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, ResourceWarning)):
            continue
        text = f"decoder warning: {_reason(w.message)}"
        if text not in notes and text not in record.problems:
            notes.append(text)
    if notes:
        record = dataclasses.replace(record, problems=record.problems + tuple(notes[:10]))
    return record


def _progressing(progress: Progress | None) -> Progress:
    """``progress``, telling a worker pool too: each report renews the file's time limit."""
    if progress is None:
        return decode.progressing

    def both(done: int, total: int) -> None:
        decode.progressing(done, total)
        progress(done, total)

    return both


_EXIF_SIG = b"Exif\x00\x00"
_XMP_SIG = b"http://ns.adobe.com/xap/1.0/\x00"


def _exif_block(image: Any, data: bytes, fmt: str | None, segs: list[tuple[int, int, int]] | None, found: Embedded | None) -> bytes | None:
    """The TIFF-structured EXIF block of a file (None when it has none)."""
    if fmt == "JPEG":
        payload = app_payload(data, segs or [], 0xE1, _EXIF_SIG)
        return bytes(payload) if payload is not None and len(payload) >= 8 else None
    if found is not None:
        return found.exif
    block = image.info.get("exif")
    if not block:
        return None
    return block[6:] if block.startswith(_EXIF_SIG) else block


def _embedded(image: Any, data: bytes, fmt: str | None) -> Embedded | None:
    """EXIF and XMP of a PNG, WebP, HEIF or TIFF file, by the container's own bounded walk."""
    if fmt == "PNG":
        return containers.png_metadata(data)
    if fmt == "WEBP":
        return containers.webp_metadata(data)
    if fmt == "TIFF":
        return containers.tiff_metadata(data)
    if fmt in ("HEIF", "AVIF") and image is not None:
        return containers.heif_metadata(image.info)
    if fmt in carriers.FORMATS:
        return carriers.metadata(data, fmt)
    return None


def _heif_stored_size(image: Any) -> tuple[int, int]:
    """HEIF pictures come out of libheif already rotated; the size as stored in the file."""
    w, h = image.size
    try:  # pillow-heif keeps the container's transformations on the decoded item
        heif = image._heif_file
        item = heif._images[heif.primary_index]
        rotation = dict((t[0], t[1]) for t in item._c_image.transformations if t[0] == "irot").get("irot", 0)
    except Exception:  # noqa: BLE001 - an internal of pillow-heif; fall back on EXIF
        rotation = 90 if image.info.get("original_orientation") in (5, 6, 7, 8) else 0
    return (h, w) if rotation in (90, 270) else (w, h)


def _read_image(
    base: ImageRecord, data: bytes, *, all_tags: bool, want_hashes: bool, keep: list[Any] | None = None, budget: int | None = None,
    early: Future[Image.Image] | None = None,
) -> ImageRecord:  # fmt: skip
    from PIL import Image

    fmt = base.format
    if fmt in carriers.FORMATS and not carriers.FORMATS[fmt].decoded:
        return _read_undecoded(base, data, all_tags=all_tags, budget=budget)
    try:
        image = decode.open_picture(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return dataclasses.replace(base, error=f"refused as a decompression bomb: {_reason(exc)}")
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a property of the file
        return dataclasses.replace(base, metadata=_salvage_metadata(data, fmt), error=f"cannot open as {fmt}: {_reason(exc)}")

    # checked even when nothing is decoded: a bomb is reported as one whatever was asked
    refused = decode.refusal_error(image, side=hashing.HASH_SIDE, memory_budget=budget)
    # A JPEG's picture decodes on a thread while its metadata is read here: libjpeg releases the
    # GIL, so with a core to spare (one worker) the EXIF, thumbnail and structure cost no wall time.
    # It is opened here, as a file read ahead is: opening may warn (a malformed MPO), and a warning
    # on the decoding thread could land among the warnings caught for the file read ahead next.
    # (``early``: read ahead, decoding already)
    pending = None
    if want_hashes and refused is None and fmt == "JPEG":
        pending = early or _decoder().submit(_decode_stored, decode.open_picture(data), budget, size=len(data))
        # The next file, read now (not after this one's metadata), decodes as soon as this one is
        # done. Its warnings are caught for it: a decode of an opened JPEG gives none, so nothing of
        # this one's can land among them.
        _read_next(budget)
    try:
        return _read_opened(base, data, image, all_tags=all_tags, want_hashes=want_hashes, keep=keep, budget=budget,
                            refused=refused, pending=pending)  # fmt: skip
    finally:
        if pending is not None:  # never left running past its file: its memory and its warnings belong to this one
            futures_wait([pending])


def _decode_stored(picture: Image.Image, budget: int | None, *, size: int) -> Image.Image:
    """The picture reduced for hashing, as stored (not turned yet: the orientation is in the metadata),
    from a picture opened on ``size`` bytes of the file (an object of its own: the metadata reads
    the other meanwhile; closed here)."""
    image: Any = picture  # an ImageFile: its decoder's block size is set below
    with image:
        # The whole file to the decoder in one call, which holds no GIL from start to end. In Pillow's
        # 64 KB blocks this thread took the GIL back between blocks and waited, up to the 5 ms switch
        # interval each time, for the metadata's Python code to let it go.
        image.decodermaxblock = max(image.decodermaxblock, size)
        return decode.decode(image, side=hashing.HASH_SIDE, orientation=None, memory_budget=budget)


def _read_opened(
    base: ImageRecord, data: bytes, image: Any, *, all_tags: bool, want_hashes: bool, keep: list[Any] | None, budget: int | None,
    refused: str | None, pending: Future[Image.Image] | None,
) -> ImageRecord:  # fmt: skip
    """:func:`_read_image` once the picture is open: metadata, then the hashes of the decoded
    picture (``pending``: decoding on a thread already)."""
    from forensics.read import exif  # exifread loads on the first read, not on `import forensics`

    problems: list[str] = []
    fmt = base.format
    heif = fmt in ("HEIF", "AVIF")
    width, height = _heif_stored_size(image) if heif else image.size
    segs = None
    if fmt == "JPEG":
        segs = segments(data)

    found = _embedded(image, data, fmt)
    if found is not None:
        problems.extend(found.problems)
    fields: dict[str, Any] = {}
    tags: dict[str, Any] = {}
    failure = None
    damage: list[str] = []
    if fmt == "JPEG":
        # exifread's own JPEG walk decodes more maker notes (offsets kept relative to the file)
        # but gives up when another APP1 (XMP) comes first; then the EXIF segment is read alone.
        try:
            tags, damage = exif.read_tags_noting_damage(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - exifread raises many types on damage
            failure = exc
    if not tags:
        try:
            block = _exif_block(image, data, fmt, segs, found)
            if block:
                tags, damage = exif.read_tags_noting_damage(io.BytesIO(block))
                failure = None
        except Exception as exc:  # noqa: BLE001
            failure = failure or exc
    if failure is not None:
        problems.append(f"EXIF unreadable: {_reason(failure)}")
    problems.extend(f"EXIF damaged: {m}" for m in damage)
    if tags:
        try:
            fields = exif.fields_from_tags(tags)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"EXIF fields malformed: {_reason(exc)}")
    if heif and fields and image.info.get("original_orientation"):
        # pillow-heif rewrites Orientation to 1 once it has rotated the picture; report what the file says
        fields["orientation"] = image.info["original_orientation"]
    if "GPS GPSLatitude" in tags and fields.get("gps") is None:
        problems.append("GPS position present but malformed")

    thumb = Thumbnail()
    thumb_bytes = tags.get("JPEGThumbnail")
    if isinstance(thumb_bytes, (bytes, bytearray)) and thumb_bytes:
        thumb = _thumbnail(bytes(thumb_bytes), fields.get("orientation"), (width, height), problems, budget)

    xmp_info = None
    if fmt == "JPEG":
        payload = app_payload(data, segs or [], 0xE1, _XMP_SIG)
        packet = find_packet(bytes(payload)) if payload is not None else None
    else:
        packet = found.xmp if found is not None and found.xmp else image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
        if isinstance(packet, str):
            packet = packet.encode("utf-8", "replace")
        packet = find_packet(packet) if packet else find_packet(data[: 1 << 22])
    if packet:
        xmp_info = parse_xmp(packet)
        if xmp_info is None:
            problems.append("XMP packet is not well-formed XML")

    jpeg_info = None
    if fmt == "JPEG":
        try:
            jpeg_info = _jpeg_info(image, data, segs)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"JPEG structure unreadable: {_reason(exc)}")
    signature = None
    if jpeg_info is not None:
        try:
            signature = encoder_signature(
                data, segs or [], _jpeg_frame(data), quality=jpeg_info.quality,
                standard_tables=jpeg_info.standard_tables, tables=jpeg_info.quant_tables,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001
            problems.append(f"JPEG encoder signature unreadable: {_reason(exc)}")

    meta = Metadata(
        **fields,
        thumbnail=thumb,
        xmp=xmp_info,
        iptc=iptc_fields(image) if fmt in ("JPEG", "TIFF") else _iim(data, fmt),
        icc_description=profile_description(image.info.get("icc_profile")),
        jpeg=jpeg_info,
        raw=exif.raw_tags(tags) if all_tags else None,
    )
    record = dataclasses.replace(base, width=width, height=height, metadata=meta, signature=signature)

    if refused is not None:
        image.close()
        return dataclasses.replace(record, error=refused, problems=tuple(problems))
    if not want_hashes:
        image.close()
        return dataclasses.replace(record, problems=tuple(problems))
    try:
        if pending is not None:  # decode(orientation=o) is orient(decode(orientation=None), o): the same pixels
            shown = decode.orient(pending.result(), meta.orientation)
        else:
            # an opened image is at its first frame; asking for n_frames would walk a whole animation
            shown = decode.decode(image, side=hashing.HASH_SIDE, orientation=meta.orientation, memory_budget=budget)
        hashes = hashing.compute_hashes(shown)
        luma = hashing.mean_luma(shown)
        if keep is not None:
            keep.append(shown)
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt image data
        return dataclasses.replace(record, error=f"image data cannot be decoded: {_reason(exc)}", problems=tuple(problems))
    finally:
        image.close()
    return dataclasses.replace(record, hashes=hashes, luma_mean=luma, problems=tuple(problems))


def _iim(data: bytes, fmt: str | None) -> dict[str, Any]:
    """IPTC of a format that keeps it as raw IPTC-IIM datasets (PSD)."""
    block = carriers.iptc_block(data, fmt or "")
    return iim_fields(block) if block else {}


def _read_undecoded(base: ImageRecord, data: bytes, *, all_tags: bool, budget: int | None) -> ImageRecord:
    """The metadata of a format whose pixels are not decoded (camera raw, editors' files), and an error saying so."""
    from forensics.read import exif  # exifread loads on the first read, not on `import forensics`

    found = carriers.metadata(data, base.format or "")
    problems = list(found.problems)
    tags: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    if found.exif:
        try:
            tags, damage = exif.read_tags_noting_damage(io.BytesIO(found.exif))
            problems.extend(f"EXIF damaged: {m}" for m in damage)
            fields = exif.fields_from_tags(tags) if tags else {}
        except Exception as exc:  # noqa: BLE001 - exifread raises many types on damage
            problems.append(f"EXIF unreadable: {_reason(exc)}")
        notes = carriers.note_serials(data, base.format or "", fields.get("make"))
        if notes:
            fields["makernote_serials"] = notes
    if "GPS GPSLatitude" in tags and fields.get("gps") is None:
        problems.append("GPS position present but malformed")
    thumb = Thumbnail()
    thumb_bytes = tags.get("JPEGThumbnail")
    if isinstance(thumb_bytes, (bytes, bytearray)) and thumb_bytes:
        thumb = _thumbnail(bytes(thumb_bytes), fields.get("orientation"), None, problems, budget)
    xmp_info = None
    packet = find_packet(found.xmp) if found.xmp else None
    if packet:
        xmp_info = parse_xmp(packet)
        if xmp_info is None:
            problems.append("XMP packet is not well-formed XML")
    meta = Metadata(**fields, thumbnail=thumb, xmp=xmp_info, raw=exif.raw_tags(tags) if all_tags else None)
    what = carriers.FORMATS[base.format or ""].description
    return dataclasses.replace(
        base, metadata=meta, problems=tuple(problems),
        error=f"{carriers.UNDECODED}: {what} is a format whose metadata is read but whose picture this toolkit does not decode",
    )  # fmt: skip


def _salvage_metadata(data: bytes, fmt: str | None) -> Metadata:
    """What EXIF says in a file whose picture cannot be opened (a cut or damaged JPEG, PNG, WebP)."""
    from forensics.read import exif  # exifread loads on the first read, not on `import forensics`

    if fmt not in ("JPEG", "TIFF", "PNG", "WEBP"):
        return Metadata()
    try:
        found = _embedded(None, data, fmt)
        block = found.exif if found is not None else data
        tags = exif.read_tags(io.BytesIO(block)) if block else {}
        return Metadata(**exif.fields_from_tags(tags)) if tags else Metadata()
    except Exception:  # noqa: BLE001 - the error already says the file is damaged
        return Metadata()


def _thumbnail(
    data: bytes, orientation: int | None, picture: tuple[int, int] | None, problems: list[str], budget: int | None = None
) -> Thumbnail:
    """The EXIF thumbnail decoded and hashed: as displayed, and under every turn and flip.

    ``picture`` is the stored size of the picture it stands for: padding bars
    that give the thumbnail exactly that shape are cut even when one-sided.
    """
    try:
        with decode.open_picture(data) as t:
            if t.width * t.height > 4096 * 4096:
                raise ValueError(f"{t.width}×{t.height} pixels is not a thumbnail")
            size = t.size
            # decoded as stored: the bars are cut and the content brought to size before it is turned
            content = hashing.trim_black_bars(decode.decode(t, orientation=None, memory_budget=budget), picture=picture)
            small = hashing.working_image(content)
            hashes = hashing.compute_hashes(decode.orient(small, orientation))
            # every turn and flip, for a picture turned without its thumbnail (checks never reopen files)
            turned = hashing.turned_hashes(small, orientation)
    except Exception as exc:  # noqa: BLE001
        problems.append(f"EXIF thumbnail cannot be decoded: {_reason(exc)}")
        return Thumbnail(present=True, size=len(data))
    return Thumbnail(
        present=True, size=len(data), width=size[0], height=size[1],
        content_width=content.width, content_height=content.height, hashes=hashes, turned=turned,
    )  # fmt: skip


_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")


def _reason(exc: BaseException | Warning | str) -> str:
    """An error as a stable one-line reason: no object addresses, no trailing full stops."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "not a valid picture of this type (the decoder does not recognise its data)"
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = _OBJECT_REPR.sub("the data", text).rstrip(". ")
    return text if len(text) < 300 else text[:300] + "…"


def read_metadata(path: str | os.PathLike[str], *, all_tags: bool = False, trust_anchors: TrustAnchors | None = None) -> ImageRecord:
    """Read a file's metadata and file facts without decoding its pixels.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    all_tags : bool
        Keep every raw EXIF tag in ``record.metadata.raw``.
    trust_anchors : TrustAnchors, optional
        Certificates (:func:`forensics.read.credentials.load_trust_anchors`) to
        hold a Content Credentials signer against; without, trust is not checked.

    Returns
    -------
    ImageRecord
        File facts (size, SHA-256, type) and :class:`Metadata`; ``hashes`` is
        None. A damaged file gives a record whose ``error`` says why.
    """
    return read_file(path, all_tags=all_tags, hashes=False, trust_anchors=trust_anchors)


def hash_image(image: Image.Image | str | os.PathLike[str], *, orientation: int | None = None) -> Hashes:
    """Perceptual hashes of a picture as displayed.

    Parameters
    ----------
    image : PIL.Image.Image or path
        A Pillow image, or the path of an image file. A path is opened with a
        reduced-size decode and its EXIF orientation is applied.
    orientation : int, optional
        EXIF orientation to apply to a Pillow image (a path's own is used).

    Returns
    -------
    Hashes
        pHash, dHash, aHash, wHash (64 bits each) and colour hash, as hex.

    Examples
    --------
    >>> from PIL import Image
    >>> h = hash_image(Image.new("RGB", (64, 64), "white"))
    >>> len(h.phash)
    16
    """
    from PIL import Image as _Image

    if isinstance(image, _Image.Image):
        return hashing.compute_hashes(decode.orient(hashing.working_image(image), orientation))
    record = read_file(image)
    if record.hashes is None:
        raise UnreadableFile(f"{os.fsdecode(image)}: {record.error or 'no picture to hash'}")
    return record.hashes
