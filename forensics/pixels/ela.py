"""Error level analysis: where a JPEG recompresses differently from its surroundings.

Resaving a JPEG at a known quality changes areas that were already compressed at
that quality little, and areas with a different compression history (pasted,
retouched, or simply higher in detail) more. The difference, brightened, is a
picture for a person to look at; it is not a finding and proves nothing alone
(edges and texture light up in untouched photos too).

The report computes it on the picture at the size it is shown, not on the
file at full size: the resave then meets a block grid of the reduced picture,
not the file's own, so it shows where the picture's compression history
differs at that scale, at a cost bounded by the displayed size.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageChops


def error_level(image: Image.Image, *, quality: int = 90, scale: float | None = None) -> Image.Image:
    """The error level picture of ``image``: ``|image - resave(image, quality)|``, brightened.

    Parameters
    ----------
    image : PIL.Image.Image
        The picture; at its stored resolution the resave meets the file's own
        8×8 block grid, reduced it meets the reduced picture's.
    quality : int
        JPEG quality of the resave.
    scale : float, optional
        Brightness factor; by default the largest difference becomes white.

    Returns
    -------
    PIL.Image.Image
        An RGB picture of the same size; dark where resaving changed little.

    Examples
    --------
    >>> from PIL import Image
    >>> error_level(Image.new("RGB", (16, 16), "grey")).size
    (16, 16)
    """
    rgb = image.convert("RGB")
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with warnings.catch_warnings():
        # our own resave of a picture already in memory: Pillow's size warning is about untrusted files
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(buf, formats=["JPEG"]) as resaved:
            diff = ImageChops.difference(rgb, resaved.convert("RGB"))
    if scale is None:
        top = max(hi for _, hi in diff.getextrema())  # type: ignore[misc]  # an RGB picture: one (lo, hi) per band
        scale = 255.0 / top if top else 1.0
    lut = [min(255, round(v * scale)) for v in range(256)]
    return diff.point(lut * 3)
