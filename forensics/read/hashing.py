"""Perceptual hashes of a picture as displayed, from a reduced-size decode.

The reader decodes a picture for hashing with
:func:`forensics.read.decode.decode` at ``side=HASH_SIDE``: a 12-megapixel
JPEG is decoded at 1/8 scale (libjpeg does it in the DCT, almost for free),
a third of the cost of a full decode; the 64-bit hashes are computed on
images of 32 px or less anyway, so the reduced decode changes them by at most
a few bits (``tests/test_hashing.py`` pins that).

Every picture is first brought to a working image of at most
:data:`HASH_SIDE` pixels on its long side (box filter), so that the hashes do
not depend on the size the picture was decoded at, and hashing costs about a
millisecond whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from forensics.read.decode import fit, flatten
from forensics.records.record import ORIENTATION_TURN, TURNS, Hashes, TurnedHashes

if TYPE_CHECKING:
    import imagehash
    import numpy as np
    from PIL import Image

# imagehash, numpy and Pillow are imported inside the functions: `forensics --help` stays instant.

HASH_SIDE = 128  # long side of the working image every hash is computed from
WHASH_SCALE = 64  # wHash's resize target, fixed so it does not follow the input size


def working_image(image: Image.Image, *, side: int = HASH_SIDE) -> Image.Image:
    """The picture at hashing size: long side at most ``side`` (box filter), RGB or L."""
    return flatten(fit(image, side))


def _to_int(bits: np.ndarray) -> int:
    """A boolean array as an unsigned int, first element the highest bit (imagehash's hex order)."""
    import numpy as np

    return int.from_bytes(np.packbits(bits.ravel()).tobytes(), "big")


def _median(a: np.ndarray) -> float:
    """``np.median`` of a small float array, the same value: the mean of the middle two of an even count.

    ``np.median`` costs ten times more on 64 values and imports ``numpy.ma`` on
    its first call (a few hundredths of a second in every worker process).
    """
    import numpy as np

    s = np.sort(a, axis=None)
    m = s.size // 2
    return float(s[m]) if s.size % 2 else float((s[m - 1] + s[m]) / 2)


_DCT = None  # the 32-point DCT-II matrix, built on first use


def phash(gray: Image.Image) -> int:
    """imagehash's ``phash`` (8×8 low frequencies of a 32×32 DCT) as a 64-bit int, without SciPy.

    ``scipy.fftpack.dct`` (type II, unnormalised) along both axes is the matrix
    product ``D @ P @ D.T``; importing SciPy for it would cost each worker
    process more than hashing a hundred pictures. The two agree bit for bit on
    pictures; they differ only where the exact DCT has ties at the median
    (a flat picture, whose coefficients but the first are all zero): there
    SciPy's FFT returns exact zeros and the matrix product rounding noise, so
    the bits of such a hash carry no information either way.
    ``tests/test_hashing.py`` checks both.
    """
    import numpy as np
    from PIL import Image as _Image

    pixels = np.asarray(gray.convert("L").resize((32, 32), _Image.Resampling.LANCZOS), dtype=np.float64)
    return _phash_of(pixels)


def _phash_of(pixels: np.ndarray) -> int:
    """pHash of a 32×32 grey grid: its 8×8 lowest DCT frequencies above their median."""
    global _DCT
    import numpy as np

    if _DCT is None:
        n = np.arange(32)
        _DCT = 2.0 * np.cos(np.pi * np.outer(n, 2 * n + 1) / 64.0)
    low = _DCT[:8] @ pixels @ _DCT[:8].T
    return _to_int(low > _median(low))


def dhash(gray: Image.Image) -> int:
    """imagehash's ``dhash`` (is each of 8×9 grey pixels brighter than its left neighbour) as a 64-bit int."""
    import numpy as np
    from PIL import Image as _Image

    pixels = np.asarray(gray.convert("L").resize((9, 8), _Image.Resampling.LANCZOS))
    return _to_int(pixels[:, 1:] > pixels[:, :-1])


def whash(gray: Image.Image) -> imagehash.ImageHash:
    """imagehash's ``whash`` (Haar, ``image_scale=WHASH_SCALE``, maximal LL removed), in numpy.

    With the Haar wavelet the approximation at level ``log2(scale / 8)`` is the
    8×8 grid of block means (times a constant), and removing the maximal-level
    LL subtracts the picture's mean from every block, which does not move a
    block across the median: so the hash is "block mean above the median".
    This is PyWavelets' result without its per-call overhead (a third of all
    hashing time); ``tests/test_hashing.py`` checks the equality.
    """
    import imagehash
    import numpy as np
    from PIL import Image as _Image

    n = WHASH_SCALE // 8
    pixels = np.asarray(gray.convert("L").resize((WHASH_SCALE, WHASH_SCALE), _Image.Resampling.LANCZOS), dtype=np.float64)
    blocks = pixels.reshape(8, n, 8, n).mean(axis=(1, 3))
    return imagehash.ImageHash(blocks > _median(blocks))


COLOR_SIDE = 64  # the colour hash is a histogram: a few thousand pixels estimate it as well


def compute_hashes(image: Image.Image) -> Hashes:
    """All five hashes of an already oriented image (any size; see :func:`working_image`).

    Examples
    --------
    >>> from PIL import Image
    >>> compute_hashes(Image.new("L", (40, 30), 128)).ahash
    '0000000000000000'
    """
    import imagehash

    image = working_image(image)
    gray = image.convert("L")
    return Hashes(
        phash=f"{phash(gray):016x}",
        dhash=f"{dhash(gray):016x}",
        ahash=str(imagehash.average_hash(gray)),
        whash=str(whash(gray)),
        colorhash=str(imagehash.colorhash(working_image(image, side=COLOR_SIDE).convert("RGB"), binbits=3)),
    )


# Pillow's transpose operation for each turn of :data:`forensics.records.record.TURNS`.
_TRANSPOSE = {"rotate-90-cw": "ROTATE_270", "rotate-180": "ROTATE_180", "rotate-90-ccw": "ROTATE_90",
              "flip-horizontal": "FLIP_LEFT_RIGHT", "flip-vertical": "FLIP_TOP_BOTTOM",
              "transpose": "TRANSPOSE", "transverse": "TRANSVERSE"}  # fmt: skip


def turn(image: Image.Image, name: str) -> Image.Image:
    """The picture turned or flipped as ``name`` says (one of :data:`~forensics.records.record.TURNS`).

    Examples
    --------
    >>> from PIL import Image
    >>> turn(Image.new("L", (40, 30)), "rotate-90-cw").size
    (30, 40)
    """
    from PIL import Image as _Image

    return image.transpose(getattr(_Image.Transpose, _TRANSPOSE[name]))


_QUARTER = frozenset({"rotate-90-cw", "rotate-90-ccw", "transpose", "transverse"})  # turns that swap width and height


def _turn_array(a: np.ndarray, name: str | None) -> np.ndarray:
    """A pixel array turned as :func:`turn` turns a picture (None: as it is)."""
    import numpy as np

    if name is None:
        return a
    if name == "rotate-90-cw":
        return np.rot90(a, -1)
    if name == "rotate-180":
        return np.rot90(a, 2)
    if name == "rotate-90-ccw":
        return np.rot90(a, 1)
    if name == "flip-horizontal":
        return a[:, ::-1]
    if name == "flip-vertical":
        return a[::-1]
    if name == "transpose":
        return a.T
    if name == "transverse":
        return np.rot90(a, 2).T
    raise ValueError(f"not a turn: {name!r}")


def turned_hashes(image: Image.Image, orientation: int | None = None) -> dict[str, TurnedHashes]:
    """pHash, dHash and aHash of a stored picture under each turn and flip, each then displayed.

    Each of :data:`~forensics.records.record.TURNS` is applied to ``image`` as
    stored, then the EXIF ``orientation`` (as a viewer would): so a picture
    whose stored pixels are ``turn(image, name)`` has, as displayed, these
    hashes under ``name``. Only the three structural hashes are kept (the
    colour hash does not see a turn, and wHash adds nothing to the three).

    The picture is reduced once to each hash's small grid (32×32, 9×8 and 8×9,
    8×8) and the grids are turned, not the picture: resizing before turning is
    the order the reader hashes pictures in, and it makes all seven cost about
    half a millisecond on an EXIF thumbnail (a third of what hashing the seven
    turned pictures costs). The results equal the hashes
    of the turned picture (:func:`compute_hashes`) up to the rounding of
    Pillow's two resizing passes, taken in the other order for a quarter turn:
    a bit or two at most.

    Examples
    --------
    >>> from PIL import Image
    >>> sorted(turned_hashes(Image.new("L", (40, 30), 128))) == sorted(TURNS)
    True
    """
    import numpy as np
    from PIL import Image as _Image

    gray = working_image(image).convert("L")
    lanczos = _Image.Resampling.LANCZOS
    p32 = np.asarray(gray.resize((32, 32), lanczos), dtype=np.float64)
    wide, tall = np.asarray(gray.resize((9, 8), lanczos)), np.asarray(gray.resize((8, 9), lanczos))  # dHash grids
    a8 = np.asarray(gray.resize((8, 8), lanczos))
    shown = ORIENTATION_TURN.get(orientation or 1)
    out = {}
    for name in TURNS:
        swapped = (name in _QUARTER) != (shown in _QUARTER)
        d = _turn_array(_turn_array(tall if swapped else wide, name), shown)
        a = _turn_array(_turn_array(a8, name), shown)
        out[name] = TurnedHashes(
            phash=f"{_phash_of(_turn_array(_turn_array(p32, name), shown)):016x}",
            dhash=f"{_to_int(d[:, 1:] > d[:, :-1]):016x}",
            ahash=f"{_to_int(a > a.mean()):016x}",
        )
    return out


# Shapes a picture padded with bars is made to: photo, video and phone-screen aspects (long side
# over short side). Bars that leave any other shape were no padding, but a dark edge of the scene.
PADDED_ASPECTS = (1.0, 5 / 4, 4 / 3, 3 / 2, 16 / 10, 5 / 3, 16 / 9, 1.85, 2.0, 19.5 / 9, 64 / 27)


def trim_black_bars(image: Image.Image, *, picture: tuple[int, int] | None = None, level: float = 12.0, spread: float = 4.0) -> Image.Image:
    """Cut the near-black bars that pad a thumbnail to another shape (letterboxing, pillarboxing).

    A bar is a run of whole rows (or columns) from an edge, each near-constant
    (standard deviation at most ``spread``: JPEG noise, not texture) and dark
    (mean at most ``level``). Bars are cut only when what remains keeps 60% of
    each side and is a shape pictures are made in:

    - in pairs on opposite edges, of equal width within a pixel or two (a padded
      picture is centred), when what remains is one of :data:`PADDED_ASPECTS`
      (either way up, within two pixels);
    - otherwise, one-sided or unequal (some cameras put all the padding on one
      side), only when what remains is the shape of ``picture``, the size of
      the picture the thumbnail stands for (either way up): then the bar is
      exactly what made that picture fit the thumbnail.

    Otherwise the picture is returned whole: a night sky at the top of a 4:3
    thumbnail is part of the scene, and cutting it would change the
    thumbnail's shape.

    Examples
    --------
    >>> from PIL import Image
    >>> padded = Image.new("L", (160, 120))
    >>> padded.paste(Image.new("L", (160, 90), 200), (0, 15))
    >>> trim_black_bars(padded).size
    (160, 90)
    >>> night = Image.new("L", (160, 120))
    >>> night.paste(Image.new("L", (160, 90), 200), (0, 30))  # dark only at the top
    >>> trim_black_bars(night).size
    (160, 120)
    >>> trim_black_bars(night, picture=(1920, 1080)).size  # unless the picture has that shape
    (160, 90)
    """
    import numpy as np

    a = np.asarray(image.convert("L"), dtype=np.float32)
    if a.size == 0:
        return image
    h, w = a.shape
    rows = _bar_widths((a.mean(axis=1) <= level) & (a.std(axis=1) <= spread))
    cols = _bar_widths((a.mean(axis=0) <= level) & (a.std(axis=0) <= spread))
    attempts: list[tuple[tuple[int, int], tuple[int, int], Callable[[int, int], bool]]] = [
        (_balanced(rows, h), _balanced(cols, w), _padded_shape),
        (rows, cols, _shape_of(picture)),
    ]
    for (top, bottom), (left, right), fits in attempts:
        box = (left, top, w - right, h - bottom)
        cw, ch = box[2] - box[0], box[3] - box[1]
        if (cw, ch) != (w, h) and cw >= 0.6 * w and ch >= 0.6 * h and fits(cw, ch):
            return image.crop(box)
    return image


def _bar_widths(is_bar: np.ndarray) -> tuple[int, int]:
    """How many rows (or columns) at each end of a line are bars; (0, 0) when all are."""
    import numpy as np

    if is_bar.all():
        return 0, 0  # a blank picture: no content to find
    return int(np.argmin(is_bar)), int(np.argmin(is_bar[::-1]))


def _balanced(widths: tuple[int, int], n: int) -> tuple[int, int]:
    """Bars at both ends of equal width within a pixel or two (2%), as a centred picture leaves them; else none."""
    first, last = widths
    return widths if abs(first - last) <= max(2, round(0.02 * n)) else (0, 0)


def _slack(short: int) -> float:
    """Pixels of rounding allowed on a short side: two, or 2% of it."""
    return max(2.0, 0.02 * short)


def _padded_shape(width: int, height: int) -> bool:
    """Whether a width and height are one of :data:`PADDED_ASPECTS`, either way up, up to rounding."""
    long, short = max(width, height), min(width, height)
    return any(abs(short - long / aspect) <= _slack(short) for aspect in PADDED_ASPECTS)


def _shape_of(picture: tuple[int, int] | None) -> Callable[[int, int], bool]:
    """A test of whether a width and height have the shape of ``picture``, either way up, up to rounding."""
    if not picture or min(picture) <= 0:
        return lambda width, height: False
    aspect = max(picture) / min(picture)
    return lambda width, height: abs(min(width, height) - max(width, height) / aspect) <= _slack(min(width, height))


def mean_luma(image: Image.Image) -> float:
    """Mean brightness (0..255) of an image, for the daylight check."""
    import numpy as np

    return round(float(np.asarray(image.convert("L"), dtype=np.float32).mean()), 2)
