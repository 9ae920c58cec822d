"""Decoding a picture: the one way every stage turns a file into pixels.

The reader, the reference matching, the report's pictures and the EXIF
thumbnails all decode through :func:`open_picture` and :func:`decode`, so what
may be decoded at all is decided in one place, :func:`refusal`, from the
header alone, before a byte of pixels is allocated: limits on the pixels, and
a memory budget per file (:func:`memory_needed` estimates what the decode
allocates). The budget, and the time a worker may spend on one file, are the
:class:`Limits` in force (:func:`limits`, set for a block by :func:`limited`).

:func:`decode` works in a fixed order, and the stored perceptual hashes
depend on it (``tests/test_hashing.py`` pins them):

1. refuse a picture over the pixel limits (:func:`refusal`);
2. decode a JPEG reduced, in the DCT (1/2, 1/4 or 1/8), keeping at least
   ``side`` pixels on its short side;
3. bring its long side down to ``side`` (:func:`fit`);
4. flatten it to 8-bit RGB or L (:func:`flatten`);
5. turn it as its EXIF orientation says (:func:`orient`).

Resizing before turning is cheaper (a small picture is turned), and it is
the order the reader has always hashed in: Pillow resizes in two passes,
so the two orders differ by rounding.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Literal, cast

from forensics.errors import ForensicsError, UnreadableFile
from forensics.read.jpeg import frame as jpeg_frame
from forensics.read.sniff import HEAD_BYTES, sniff

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported inside the functions: `forensics --help` stays instant.

Resample = Literal["box", "bilinear", "lanczos"]
Orientation = int | Literal["exif"] | None

# A JPEG is decoded at up to 1/8 scale, so a 200-megapixel phone photo costs what a
# 3-megapixel one does: its stored size may be far larger than what is decoded.
JPEG_PIXEL_LIMIT = 1_000_000_000
_REDUCIBLE = ("JPEG", "MPO")  # libjpeg scales these in the DCT (MPO: phone JPEGs with a second picture)
_ROTATED_BY_DECODER = ("HEIF",)  # libheif applies the container's rotation (irot, imir) itself
_CAN_RESIZE = ("RGB", "L", "RGBA", "LA", "CMYK")  # other modes are flattened before resizing
_RESAMPLE = {"box": "BOX", "bilinear": "BILINEAR", "lanczos": "LANCZOS"}

# Pillow transpose operations that display a picture stored with EXIF orientation n.
_ORIENT = {2: ("FLIP_LEFT_RIGHT",), 3: ("ROTATE_180",), 4: ("FLIP_TOP_BOTTOM",), 5: ("TRANSPOSE",),
           6: ("ROTATE_270",), 7: ("TRANSVERSE",), 8: ("ROTATE_90",)}  # fmt: skip
_ORIENTATION_TAG = 0x0112

_heif_registered = False

# --------------------------------------------------------------------------- limits

#: Bytes one file's decode may allocate, by default (see docs/privacy-and-limits.md, *Limits*).
DEFAULT_MEMORY_BUDGET = 1 << 30
#: Seconds a worker may spend reading one file, by default.
DEFAULT_TIME_LIMIT = 60.0
MEMORY_BUDGET_ENV = "FORENSICS_MEMORY_BUDGET"
TIME_LIMIT_ENV = "FORENSICS_TIME_LIMIT"


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost; 0 turns a limit off.

    Attributes
    ----------
    memory_budget : int
        Bytes a picture's decode may allocate, estimated from its header
        (:func:`memory_needed`); a picture that needs more is refused.
    time_limit : float
        Seconds a worker process may go on one file without progress (for a
        picture, its whole read; a video's reader reports its frames as they
        come) before it is stopped, killed and replaced, and the file reported
        as stopped.
    """

    memory_budget: int = DEFAULT_MEMORY_BUDGET
    time_limit: float = DEFAULT_TIME_LIMIT

    def __post_init__(self) -> None:
        if self.memory_budget < 0 or not self.time_limit >= 0:  # `not >=` also refuses NaN
            raise ValueError(f"limits cannot be negative: {self}")


_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("forensics_limits", default=None)
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """A size in bytes from text: a number with an optional binary unit (``K``, ``M``, ``G``, ``T``).

    Examples
    --------
    >>> parse_size("2G"), parse_size("512 MiB"), parse_size("1.5k"), parse_size("4096")
    (2147483648, 536870912, 1536, 4096)
    """
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a size (a number of bytes, or with a unit: 512M, 2G)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_size(n: int) -> str:
    """A byte count as people read it, in binary units.

    Examples
    --------
    >>> format_size(1 << 30), format_size(6_000_000_000), format_size(384_000_000), format_size(900)
    ('1 GiB', '5.6 GiB', '366 MiB', '900 bytes')
    """
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 and round(value, 1) != round(value) else f"{value:.0f} {unit}"
    return f"{n} bytes"


def limits_from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """The limits the environment sets (``FORENSICS_MEMORY_BUDGET``, ``FORENSICS_TIME_LIMIT``), else the defaults.

    Raises
    ------
    ForensicsError
        When a variable is set to something that is not a size or a number of seconds.

    Examples
    --------
    >>> limits_from_env({"FORENSICS_MEMORY_BUDGET": "2G", "FORENSICS_TIME_LIMIT": "0"})
    Limits(memory_budget=2147483648, time_limit=0.0)
    """
    env = os.environ if environ is None else environ
    budget, seconds = env.get(MEMORY_BUDGET_ENV, "").strip(), env.get(TIME_LIMIT_ENV, "").strip()
    try:
        return Limits(
            memory_budget=parse_size(budget) if budget else DEFAULT_MEMORY_BUDGET,
            time_limit=float(seconds) if seconds else DEFAULT_TIME_LIMIT,
        )
    except ValueError as exc:
        raise ForensicsError(f"{MEMORY_BUDGET_ENV}={budget!r} or {TIME_LIMIT_ENV}={seconds!r}: {exc}") from None


def limits() -> Limits:
    """The limits in force: those of the innermost :func:`limited` block, else the environment's."""
    current = _LIMITS.get()
    return current if current is not None else limits_from_env()


@contextlib.contextmanager
def limited(*, memory_budget: int | None = None, time_limit: float | None = None) -> Iterator[Limits]:
    """Set the limits for the decodes and worker pools started in this block.

    A None keeps the limit in force; 0 turns it off. Worker processes started
    in the block (:mod:`forensics.read.pool`) take the limits with them.

    Examples
    --------
    >>> with limited(memory_budget=256 << 20) as inner:
    ...     inner.memory_budget == limits().memory_budget == 256 << 20
    True
    """
    base = limits()
    token = _LIMITS.set(Limits(
        memory_budget=base.memory_budget if memory_budget is None else memory_budget,
        time_limit=base.time_limit if time_limit is None else float(time_limit),
    ))  # fmt: skip
    try:
        yield limits()
    finally:
        _LIMITS.reset(token)


_progress: Callable[[float, float], None] | None = None  # in a worker: tells the pool


def use_limits(value: Limits, *, progress: Callable[[float, float], None] | None = None) -> None:
    """Put ``value`` in force for the rest of this process's main context (a worker's start);
    ``progress`` is what :func:`progressing` calls there."""
    global _progress
    _LIMITS.set(value)
    _progress = progress


def progressing(done: float, total: float) -> None:
    """Say that the file being read is getting on (``done`` of ``total``, e.g. a video's frames).

    In a worker process of :mod:`forensics.read.pool` this renews the file's time
    limit, which counts the time without such a sign (a picture gives none until it
    is decoded), and moves the caller's progress bar; elsewhere it does nothing.
    """
    if _progress is not None:
        _progress(done, total)


def register_heif() -> None:
    """Let Pillow open HEIF (pillow-heif), once per process."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def open_picture(source: bytes | str | os.PathLike[str]) -> Image.Image:
    """Open a picture by its sniffed type: the header is read, the pixels are not.

    HEIF needs pillow-heif, registered here on first use (Pillow cannot even
    identify the file without it). A JPEG skips Pillow's own size refusal at
    open, as it is decoded reduced: :func:`refusal` applies instead. Other
    formats keep Pillow's refusal of a picture over twice
    ``Image.MAX_IMAGE_PIXELS`` (``DecompressionBombError``).

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The file's content, or its path (then it is read as it is decoded).

    Returns
    -------
    PIL.Image.Image
        The opened picture, at its first frame; close it when done.

    Raises
    ------
    Exception
        Whatever Pillow raises for data it cannot open (``UnidentifiedImageError``,
        ``SyntaxError``, ``DecompressionBombError``…), ``OSError`` for a path.
    """
    fp: IO[bytes] | str
    if isinstance(source, bytes):
        head, fp = source[:HEAD_BYTES], io.BytesIO(source)
    else:
        fp = os.fsdecode(source)
        with open(fp, "rb") as f:
            head = f.read(HEAD_BYTES)
    fmt = sniff(head).format
    if fmt in ("HEIF", "AVIF"):  # every brand the sniffer knows (pillow-heif may open AVIF too)
        register_heif()
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        # the factory hands ``fp`` to JpegImageFile, which opens (and then owns) a path itself
        return JpegImagePlugin.jpeg_factory(cast("IO[bytes]", fp))
    from PIL import Image as _Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _Image.DecompressionBombWarning)  # refusal() sets the limits
        return _Image.open(fp)


def _pillow_limit() -> int:
    """The pixel count Pillow refuses outright (twice ``MAX_IMAGE_PIXELS``, about 179 million)."""
    from PIL import Image as _Image

    return 2 * int(_Image.MAX_IMAGE_PIXELS or 0) or 178956970


def _draft_scale(image: Image.Image, side: int | None) -> int:
    """The DCT scale a reduced decode for ``side`` uses: Pillow's own choice for ``draft``."""
    if side is None or image.format not in _REDUCIBLE:
        return 1
    fits = min(image.width // side, image.height // side)
    for scale in (8, 4, 2):
        if fits >= scale:
            return scale
    return 1


# Bytes Pillow keeps per pixel of a mode (ImagingNew: 1-band 8-bit modes take a byte,
# 16-bit modes two, every other mode four, padded).
_STORED_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# Bytes per pixel of the full-size pictures made after decoding, measured (peak RSS, see
# docs/privacy-and-limits.md) on 24-megapixel pictures. Brought to a side, RGB and L are
# resized as decoded (nothing full-size) and RGBA premultiplied first (one copy).
_RESIZE_BYTES = {"RGBA": 4, "LA": 4}
# At full size, or for a mode that is flattened before it is resized: one copy (the
# default), a conversion to RGB (a palette), transparency composited over white in RGBA
# (four pictures), numpy's float64 scaling of 16-bit and float pictures (three arrays).
_FLATTEN_BYTES = {"RGBA": 16, "LA": 16, "PA": 16, "RGBa": 16, "La": 16, "P": 4, "1": 1,
                  "I;16": 26, "I;16L": 26, "I;16B": 26, "I;16N": 26, "I": 28, "F": 28}  # fmt: skip
# What a decoder allocates besides Pillow's picture, per stored pixel, measured likewise:
# libwebp's decoded RGBA and its copies; libheif's planes and its RGB output.
_DECODER_BYTES = {"WEBP": 12, "HEIF": 6, "AVIF": 6}


def _jpeg_coefficients(image: Image.Image) -> int:
    """libjpeg's whole-picture coefficient buffer for an opened JPEG, from its header."""
    fp = getattr(image, "fp", None)
    found = None
    if fp is not None:
        pos = fp.tell()
        try:
            fp.seek(0)
            found = jpeg_frame(fp.read(max(pos + 1024, 1 << 16)))
            if found is None or found.first_scan_components is None:  # segments before the scan run past it
                fp.seek(0)
                found = jpeg_frame(fp.read(64 << 20)) or found
        finally:
            fp.seek(pos)
    if found is not None:
        return found.coefficient_bytes()
    # no header to read: as if every component were kept whole (the dearest case)
    w, h = image.size
    return -(-w // 8) * -(-h // 8) * 128 * len(getattr(image, "layer", None) or image.getbands())


def memory_needed(image: Image.Image, *, side: int | None = None) -> int:
    """About how many bytes decoding an opened picture for ``side`` allocates, from its header.

    The decoded picture at the mode's bytes per pixel (for a JPEG, at the reduced
    size ``side`` allows), the full-size pictures that bringing it to ``side`` and
    to 8-bit RGB make, and what the decoder keeps besides: for a progressive or
    multi-scan JPEG every DCT coefficient of every component (about 2 bytes per
    pixel per full-size component, however far the decode reduces; freed before
    the picture is converted), for WebP and HEIF the decoder's own output.

    Examples
    --------
    >>> from PIL import Image
    >>> memory_needed(Image.new("RGB", (1000, 1000)))  # the picture and its copy
    8000000
    >>> memory_needed(Image.new("RGB", (1000, 1000)), side=100)  # resized as decoded
    4000000
    """
    w, h = image.size
    s = _draft_scale(image, side)
    pixels = -(-w // s) * -(-h // s)
    mode = image.mode
    if mode == "P" and "transparency" in image.info:
        mode = "PA"
    stored = _STORED_BYTES.get(mode, 4)
    resized_as_decoded = side is not None and mode in _CAN_RESIZE
    working = _RESIZE_BYTES.get(mode, 0) if resized_as_decoded else _FLATTEN_BYTES.get(mode, stored)
    if image.format in _REDUCIBLE:
        return pixels * stored + max(_jpeg_coefficients(image), pixels * working)
    return pixels * (stored + working) + w * h * _DECODER_BYTES.get(image.format or "", 0)


@dataclass(frozen=True)
class _Refusal:
    reason: str
    bomb: bool  # over a pixel limit, rather than over the memory budget

    @property
    def error(self) -> str:
        return f"refused as a decompression bomb: {self.reason}" if self.bomb else f"refused: {self.reason}"


def _refusal(image: Image.Image, side: int | None, memory_budget: int | None) -> _Refusal | None:
    w, h = image.size
    limit = JPEG_PIXEL_LIMIT if image.format in _REDUCIBLE else _pillow_limit()
    if w * h > limit:
        return _Refusal(f"{w}×{h} pixels exceeds the limit of {limit}", bomb=True)
    s = _draft_scale(image, side)
    dw, dh = -(-w // s), -(-h // s)
    if dw * dh > _pillow_limit():
        return _Refusal(f"decoding {dw}×{dh} pixels exceeds the limit of {_pillow_limit()}", bomb=True)
    budget = limits().memory_budget if memory_budget is None else memory_budget
    if budget:
        need = memory_needed(image, side=side)
        if need > budget:
            return _Refusal(
                f"decoding would need about {format_size(need)}, above the {format_size(budget)} budget per file; "
                f"set {MEMORY_BUDGET_ENV} or --memory-budget to read it",
                bomb=False,
            )  # fmt: skip
    return None


def refusal(image: Image.Image, *, side: int | None = None, memory_budget: int | None = None) -> str | None:
    """Why decoding an opened picture for ``side`` is refused, from its header alone.

    Three limits: on the stored pixels (:data:`JPEG_PIXEL_LIMIT` for a JPEG,
    Pillow's for any other format), on the pixels the decode allocates
    (Pillow's), which for a JPEG depend on how far ``side`` lets it reduce, and
    on the memory the decode needs (:func:`memory_needed`).

    Parameters
    ----------
    image : PIL.Image.Image
        A picture from :func:`open_picture`, not decoded yet.
    side : int, optional
        As for :func:`decode`; None decodes at full size.
    memory_budget : int, optional
        Bytes the decode may allocate; default: the :func:`limits` in force; 0: no budget.

    Returns
    -------
    str or None
        The reason, or None when the picture may be decoded.

    Examples
    --------
    >>> from PIL import Image
    >>> refusal(Image.new("L", (64, 48))) is None
    True
    >>> refusal(Image.new("RGB", (4000, 3000)), memory_budget=64 << 20)
    'decoding would need about 92 MiB, above the 64 MiB budget per file; set FORENSICS_MEMORY_BUDGET or --memory-budget to read it'
    """
    found = _refusal(image, side, memory_budget)
    return found.reason if found is not None else None


def refusal_error(image: Image.Image, *, side: int | None = None, memory_budget: int | None = None) -> str | None:
    """:func:`refusal` as a record's error: ``refused as a decompression bomb: …`` over a pixel
    limit, ``refused: …`` over the memory budget; None when the picture may be decoded."""
    found = _refusal(image, side, memory_budget)
    return found.error if found is not None else None


def reducible(image: Image.Image) -> bool:
    """Whether the decoder scales this opened picture in the DCT (a JPEG), so that a smaller decode costs less."""
    return image.format in _REDUCIBLE


def decode(
    image: Image.Image, *, side: int | None = None, orientation: Orientation = "exif", resample: Resample = "box",
    memory_budget: int | None = None, reduce_keeping: Literal["short", "long"] = "short", share: bool = False,
) -> Image.Image:  # fmt: skip
    """Decode an opened picture as a viewer shows it, long side at most ``side``.

    Parameters
    ----------
    image : PIL.Image.Image
        A picture from :func:`open_picture`, not decoded yet (its pixels are
        loaded here; close it afterwards).
    side : int, optional
        Long side of the result. A JPEG is decoded reduced as long as it keeps
        at least ``side`` pixels on its short side, so that bringing it to
        ``side`` is always a true reduction. None: full size.
    orientation : int, "exif" or None
        EXIF orientation (1..8) to apply; ``"exif"`` reads it from the
        picture's own EXIF; None (or 1) leaves it as stored. HEIF pictures
        come out of libheif already turned and are never turned again.
    resample : {"box", "bilinear", "lanczos"}
        The filter that brings the picture to ``side``.
    memory_budget : int, optional
        As for :func:`refusal`.
    reduce_keeping : {"short", "long"}
        The side of a JPEG decoded reduced that keeps at least ``side``
        pixels: the short one (the default), or the long one (a smaller
        decode, up to half as many pixels across, for a picture that is only
        looked at in a small copy).
    share : bool
        Where the picture needs neither resizing nor turning, return a new
        picture over the same pixels instead of a copy of them (which costs
        1 ms for a 640 x 480 picture): for a caller that closes ``image`` and
        keeps only the result.

    Returns
    -------
    PIL.Image.Image
        RGB or L, 8 bits; a new picture, independent of ``image``.

    Raises
    ------
    UnreadableFile
        When :func:`refusal` refuses the picture.
    Exception
        Whatever Pillow raises for data it cannot decode (truncated, corrupt).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGB", (2048, 1536), "teal").save(buf, "JPEG")
    >>> picture = decode(open_picture(buf.getvalue()), side=256)
    >>> picture.size, picture.mode
    ((256, 192), 'RGB')
    """
    error = refusal_error(image, side=side, memory_budget=memory_budget)
    if error is not None:
        raise UnreadableFile(error)
    if side is not None and image.format in _REDUCIBLE:
        w, h = image.size
        if reduce_keeping == "long" and max(w, h) > 0:
            image.draft(None, (max(1, -(-side * w // max(w, h))), max(1, -(-side * h // max(w, h)))))
        else:
            image.draft(None, (side, side))
    image.load()
    if orientation == "exif":
        orientation = image.getexif().get(_ORIENTATION_TAG)
    if image.format in _ROTATED_BY_DECODER:
        orientation = None
    shown = image if side is None else fit(image, side, resample=resample)
    shown = orient(flatten(shown), orientation)
    if shown is not image:
        return shown
    # closing the opened picture drops its pixels: the result holds them in a picture of its own
    # (a copy where they lie in a mapped file, which closing unmaps)
    return image._new(image.im) if share and not getattr(image, "map", None) else image.copy()


def decode_luminance(image: Image.Image) -> Image.Image:
    """Decode an opened picture at full size, as stored (not turned), as its 8-bit luminance.

    A JPEG hands over its Y channel alone (libjpeg skips chroma upsampling and
    colour conversion: a third of the memory), at scale 1, so every stored
    pixel is there; other formats are decoded and converted. For analyses of
    the sensor's own pixel grid (``forensics.sensor``), never for display.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGB", (640, 480), "teal").save(buf, "JPEG")
    >>> luma = decode_luminance(open_picture(buf.getvalue()))
    >>> luma.size, luma.mode
    ((640, 480), 'L')
    """
    if image.format in _REDUCIBLE:
        image.draft("L", image.size)  # the full size asked for: scale 1, only the mode changes
    shown = decode(image, orientation=None)
    return shown if shown.mode == "L" else shown.convert("L")


def load_picture(
    source: bytes | str | os.PathLike[str], *, side: int | None = None, orientation: Orientation = "exif", resample: Resample = "box",
    memory_budget: int | None = None, reduce_keeping: Literal["short", "long"] = "short",
) -> Image.Image:  # fmt: skip
    """Open and decode a picture in one step (:func:`open_picture`, then :func:`decode`).

    Decoder warnings (corrupt EXIF, truncated chunks…) are dropped: a file is
    decoded here after the reader has read it, and its record reports them;
    here they would only be noise on stderr.

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The file's content, or its path.
    side, orientation, resample, memory_budget, reduce_keeping
        As for :func:`decode`.

    Returns
    -------
    PIL.Image.Image
        RGB or L, 8 bits, oriented as asked, long side at most ``side``.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(buf, "PNG")
    >>> picture = load_picture(buf.getvalue(), side=150)
    >>> picture.size, picture.getpixel((0, 0))
    ((150, 100), (255, 255, 255))
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_picture(source) as image:
            return decode(
                image, side=side, orientation=orientation, resample=resample, memory_budget=memory_budget, reduce_keeping=reduce_keeping
            )


def fit(image: Image.Image, side: int, *, resample: Resample = "box") -> Image.Image:
    """The picture with its long side at most ``side`` (the same picture when it already is).

    A box filter averages every source pixel; the others first reduce by an
    integer factor (Pillow's ``reducing_gap=2.0``), then interpolate.

    Examples
    --------
    >>> from PIL import Image
    >>> fit(Image.new("RGB", (400, 300)), 100).size
    (100, 75)
    """
    from PIL import Image as _Image

    w, h = image.size
    if max(w, h) <= side:
        return image
    if image.mode not in _CAN_RESIZE:
        image = flatten(image)
    f = side / max(w, h)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    if resample == "box":
        return image.resize(size, _Image.Resampling.BOX)
    return image.resize(size, getattr(_Image.Resampling, _RESAMPLE[resample]), reducing_gap=2.0)


def flatten(image: Image.Image) -> Image.Image:
    """RGB or L pixels a viewer would show: transparency over white, 16-bit and float scaled down.

    Examples
    --------
    >>> from PIL import Image
    >>> flatten(Image.new("LA", (4, 4), (0, 0))).getpixel((0, 0))
    (255, 255, 255)
    """
    from PIL import Image as _Image

    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        import numpy as np

        a = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or (a.size and a.max() > 255) else 255.0
        return _Image.fromarray(np.clip(a * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        bg = _Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return _Image.alpha_composite(bg, rgba).convert("RGB")
    if mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def orient(image: Image.Image, orientation: int | None) -> Image.Image:
    """Apply an EXIF orientation (1..8; anything else leaves the picture as it is).

    Examples
    --------
    >>> from PIL import Image
    >>> orient(Image.new("L", (40, 30)), 6).size
    (30, 40)
    """
    from PIL import Image as _Image

    for op in _ORIENT.get(orientation or 1, ()):
        image = image.transpose(getattr(_Image.Transpose, op))
    return image
