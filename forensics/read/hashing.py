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

from typing import TYPE_CHECKING

from forensics.read.decode import fit, flatten
from forensics.records.record import Hashes

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
    global _DCT
    import numpy as np
    from PIL import Image as _Image

    if _DCT is None:
        n = np.arange(32)
        _DCT = 2.0 * np.cos(np.pi * np.outer(n, 2 * n + 1) / 64.0)
    pixels = np.asarray(gray.convert("L").resize((32, 32), _Image.Resampling.LANCZOS), dtype=np.float64)
    low = _DCT[:8] @ pixels @ _DCT[:8].T
    return _to_int(low > np.median(low))


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
    return imagehash.ImageHash(blocks > np.median(blocks))


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


def trim_black_bars(image: Image.Image, *, level: int = 12) -> Image.Image:
    """Cut uniform near-black bars from the edges (letterboxing, pillarboxing).

    Only whole rows or columns darker than ``level`` are cut, and never more
    than 40% of a side, so a dark scene is not mistaken for padding.
    """
    import numpy as np

    a = np.asarray(image.convert("L"))
    if a.size == 0:
        return image
    rows = np.flatnonzero(a.max(axis=1) > level)
    cols = np.flatnonzero(a.max(axis=0) > level)
    if rows.size == 0 or cols.size == 0:
        return image
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    h, w = a.shape
    if (bottom - top) < 0.6 * h or (right - left) < 0.6 * w:
        return image
    if (top, bottom, left, right) == (0, h, 0, w):
        return image
    return image.crop((int(left), int(top), int(right), int(bottom)))


def mean_luma(image: Image.Image) -> float:
    """Mean brightness (0..255) of an image, for the daylight check."""
    import numpy as np

    return round(float(np.asarray(image.convert("L"), dtype=np.float32).mean()), 2)
