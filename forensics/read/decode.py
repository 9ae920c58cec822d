"""Decoding a picture: the one way every stage turns a file into pixels.

The reader, the reference matching, the report's pictures and the EXIF
thumbnails all decode through :func:`open_picture` and :func:`decode`, so what
may be decoded at all is decided in one place, :func:`refusal`, from the
header alone, before a byte of pixels is allocated.

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

import io
import os
import warnings
from typing import IO, TYPE_CHECKING, Literal, cast

from forensics.errors import UnreadableFile
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


def refusal(image: Image.Image, *, side: int | None = None) -> str | None:
    """Why decoding an opened picture for ``side`` is refused, from its header alone.

    Two limits: on the stored pixels (:data:`JPEG_PIXEL_LIMIT` for a JPEG,
    Pillow's for any other format) and on the pixels the decode allocates
    (Pillow's), which for a JPEG depend on how far ``side`` lets it reduce.

    Parameters
    ----------
    image : PIL.Image.Image
        A picture from :func:`open_picture`, not decoded yet.
    side : int, optional
        As for :func:`decode`; None decodes at full size.

    Returns
    -------
    str or None
        The reason, or None when the picture may be decoded.

    Examples
    --------
    >>> from PIL import Image
    >>> refusal(Image.new("L", (64, 48))) is None
    True
    """
    w, h = image.size
    limit = JPEG_PIXEL_LIMIT if image.format in _REDUCIBLE else _pillow_limit()
    if w * h > limit:
        return f"{w}×{h} pixels exceeds the limit of {limit}"
    s = _draft_scale(image, side)
    dw, dh = -(-w // s), -(-h // s)
    if dw * dh > _pillow_limit():
        return f"decoding {dw}×{dh} pixels exceeds the limit of {_pillow_limit()}"
    return None


def decode(image: Image.Image, *, side: int | None = None, orientation: Orientation = "exif", resample: Resample = "box") -> Image.Image:
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
    reason = refusal(image, side=side)
    if reason is not None:
        raise UnreadableFile(f"refused as a decompression bomb: {reason}")
    if side is not None and image.format in _REDUCIBLE:
        image.draft(None, (side, side))
    image.load()
    if orientation == "exif":
        orientation = image.getexif().get(_ORIENTATION_TAG)
    if image.format in _ROTATED_BY_DECODER:
        orientation = None
    shown = image if side is None else fit(image, side, resample=resample)
    shown = orient(flatten(shown), orientation)
    return shown.copy() if shown is image else shown


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
) -> Image.Image:  # fmt: skip
    """Open and decode a picture in one step (:func:`open_picture`, then :func:`decode`).

    Decoder warnings (corrupt EXIF, truncated chunks…) are dropped: a file is
    decoded here after the reader has read it, and its record reports them;
    here they would only be noise on stderr.

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The file's content, or its path.
    side, orientation, resample
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
            return decode(image, side=side, orientation=orientation, resample=resample)


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
