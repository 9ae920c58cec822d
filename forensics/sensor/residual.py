"""From a picture to its noise residual: what is left once the scene is filtered away.

The residual of a picture's luminance ``I`` is ``W = I - F(I)``, with ``F`` a
denoising filter; it holds the sensor's fixed multiplicative pattern ``I·K``
(photo-response non-uniformity, PRNU) among random noise and what the filter
missed of the scene. The steps are those of Lukáš, Fridrich & Goljan (IEEE TIFS
2006) and Chen, Fridrich, Goljan & Lukáš (IEEE TIFS 2008):

1. wavelet denoising (Daubechies 8-tap, four levels, PyWavelets): in every
   detail sub-band the local variance of the scene is estimated (smallest over
   3–9 pixel windows) and the residual keeps what a Wiener filter would
   remove, ``x·σ²/(v+σ²)``; the coarse band is dropped;
2. zero-mean rows and columns, on each of the four 2×2 colour-filter lattices:
   what every row or column shares (read-out lines, demosaicing) is common to
   every camera of a kind, not the fingerprint of one;
3. Wiener filtering in the Fourier domain: peaks of the residual's spectrum
   (JPEG's 8×8 grid, periodic demosaicing artefacts) are flattened for the same
   reason.

Only a central square of the full-resolution luminance is used, never a
resized picture: resizing moves the pattern off the pixel grid and destroys it.
numpy, PyWavelets and OpenCV are imported inside the functions that use them,
so importing this module costs nothing until a residual is asked for.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from forensics.read import decode
from forensics.read.pool import Progress, map_isolated
from forensics.records.record import ImageRecord
from forensics.records.sensor import SensorNoise

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# The side of the central square the residual is taken from. At 1024 (a million pixels, a
# twelfth of a 12-MP photo) no simulated devices were confused at any quality; at 512
# different devices pass the threshold and groups mix (purity 0.68 at quality 85); at 256
# nothing is found (benchmarks/bench_sensor.py, docs/performance.md). It costs 0.3-0.56 s a
# picture and travels back from a worker as 2 MB.
CROP_SIDE = 1024
# Below this JPEG quality (the IJG-equivalent setting of the quantisation tables) the
# pattern is too damaged to be compared: at 70 and 80 a weak simulated pattern groups
# only partly and a picture may join the wrong group; at 90 and above none does
# (benchmarks/bench_sensor.py, docs/performance.md). Phones write 90 to 97.
MIN_QUALITY = 85
SIGMA = 3.0  # grey levels: the noise the wavelet filter expects (σ0 = 3 in Chen et al. 2008)
WAVELET = "db4"
LEVELS = 4
_WINDOWS = (3, 5, 7, 9)
_CLIP = 4.0  # the residual is quantised to int8 over ±4 of its standard deviations


def why_not(record: ImageRecord, *, side: int = CROP_SIDE, min_quality: float = MIN_QUALITY) -> str | None:
    """Why a picture's residual cannot carry a sensor pattern, from its record alone; None when it can.

    A picture must be at its native resolution (its EXIF pixel size), carry
    camera metadata (a screenshot or a stripped file has none), be at least
    ``side`` pixels on its short side and, as a JPEG, be encoded at quality
    ``min_quality`` or above.

    Examples
    --------
    >>> why_not(ImageRecord(path="a.png", kind="image", format="PNG", width=800, height=600))
    'no camera metadata (a screenshot, or metadata stripped)'
    """
    if record.error or record.kind != "image" or not record.width or not record.height:
        return "not a readable picture"
    m = record.metadata
    if not m.camera_fields and not m.make and not m.model:
        return "no camera metadata (a screenshot, or metadata stripped)"
    if not m.exif_width or not m.exif_height:
        return "no EXIF pixel size to show the picture is at its native resolution"
    if {m.exif_width, m.exif_height} != {record.width, record.height}:
        return f"resized: {record.width}×{record.height} pixels, the camera's EXIF says {m.exif_width}×{m.exif_height}"
    if min(record.width, record.height) < side:
        return f"smaller than the {side}×{side} pixels compared"
    if record.format == "JPEG":
        q = m.jpeg.quality if m.jpeg is not None else None
        if q is None:
            return "JPEG quality unknown (non-standard tables could not be rated)"
        if q < min_quality:
            return f"recompressed or compressed hard: JPEG quality {q:g}, below {min_quality:g}"
    return None


def with_residuals(
    records: Sequence[ImageRecord], *, workers: int | None = None, progress: Progress | None = None, side: int = CROP_SIDE,
) -> list[ImageRecord]:  # fmt: skip
    """The records with their ``sensor`` residual taken, in worker processes, where a picture can carry one.

    A picture that cannot (:func:`why_not`) gets a :class:`SensorNoise` that
    says why; videos and unreadable files are passed over (``sensor`` None).

    Parameters
    ----------
    records : sequence of ImageRecord
        Records as read (:func:`forensics.read.files.read_file`).
    workers : int, optional
        Processes; default: every core.
    progress : callable, optional
        Called as ``progress(done, total)`` over the pictures decoded.
    side : int
        The side of the central square compared.

    Returns
    -------
    list of ImageRecord
        The records in their order.
    """
    pictures = [r for r in records if not r.error and r.kind == "image"]
    reasons = {r.path: why_not(r, side=side) for r in pictures}
    todo = [(r.path, side) for r in pictures if reasons[r.path] is None]
    seconds = decode.limits().time_limit
    stopped = SensorNoise(reason=f"decoding it at full resolution ran past {seconds or 0:g} s, the time limit per file")
    taken = map_isolated(_task, todo, on_crash=_crashed, on_timeout=lambda item: stopped, workers=workers, progress=progress)
    noise = {path: n for (path, _), n in zip(todo, taken)}
    out = []
    for r in records:
        if r.path in noise:
            r = dataclasses.replace(r, sensor=noise[r.path])
        elif (reason := reasons.get(r.path)) is not None:
            r = dataclasses.replace(r, sensor=SensorNoise(reason=reason))
        out.append(r)
    return out


def _task(item: tuple[str, int]) -> SensorNoise:
    return sensor_noise(item[0], side=item[1])


def _crashed(item: tuple[str, int]) -> SensorNoise:
    return SensorNoise(reason="decoding it at full resolution crashed the decoding process")


def crop_box(width: int, height: int, side: int = CROP_SIDE) -> tuple[int, int, int, int]:
    """The central ``side``×``side`` square of a frame, on even coordinates (the colour filter's 2×2 lattice).

    Examples
    --------
    >>> crop_box(4032, 3024, 1024)
    (1504, 1000, 2528, 2024)
    """
    left = (width - side) // 2 & ~1
    top = (height - side) // 2 & ~1
    return left, top, left + side, top + side


def sensor_noise(source: bytes | str | os.PathLike[str], *, side: int = CROP_SIDE) -> SensorNoise:
    """Decode a picture's central crop at full resolution and take its residual (run in a worker).

    The picture is decoded as stored (no EXIF turn: the pattern belongs to the
    sensor's rows and columns) through :mod:`forensics.read.decode` as its
    luminance (a JPEG's Y channel alone), and cropped at once.

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The file, or its content.
    side : int
        The side of the central square compared.

    Returns
    -------
    SensorNoise
        The quantised residual and the crop's luminance, or the reason there is
        none when the picture cannot be decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reader has reported the file's damage already
            with decode.open_picture(source) as image:
                picture = decode.decode_luminance(image)  # a JPEG's Y alone, at scale 1
    except Exception as exc:  # noqa: BLE001 - a picture that cannot be decoded has no residual; the scan goes on
        return SensorNoise(reason=f"cannot be decoded at full resolution: {exc}")
    frame = picture.size
    if min(frame) < side:
        return SensorNoise(reason=f"smaller than the {side}×{side} pixels compared", frame=frame)
    luma = luma_array(picture.crop(crop_box(*frame, side)))
    picture.close()
    return quantise(residual_of(luma), luma, frame=frame)


def luma_array(image: object) -> npt.NDArray[np.float32]:
    """A Pillow picture's pixels as float32 (grey levels 0..255)."""
    import numpy as np

    return np.asarray(image, dtype=np.float32)


def residual_of(luma: npt.NDArray[np.floating], *, sigma: float = SIGMA) -> npt.NDArray[np.float32]:
    """The noise residual of a luminance array: wavelet denoising, zero-mean, Wiener in the DFT.

    Parameters
    ----------
    luma : ndarray
        2-D luminance, grey levels; its sides multiples of 16 and at least 128 (four wavelet levels).
    sigma : float
        The noise (grey levels) the wavelet filter expects.

    Returns
    -------
    ndarray of float32
        The residual, the shape of ``luma``.

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.full((128, 128), 128.0)
    >>> float(abs(residual_of(flat)).max()) < 1e-3
    True
    """
    import numpy as np
    import pywt

    x = np.asarray(luma, dtype=np.float32)
    coeffs = pywt.wavedec2(x, WAVELET, level=LEVELS, mode="periodization")
    kept: list[object] = [np.zeros_like(coeffs[0])]
    for bands in coeffs[1:]:
        kept.append(tuple(_noise_part(b, sigma * sigma) for b in bands))
    w = pywt.waverec2(kept, WAVELET, mode="periodization").astype(np.float32)[: x.shape[0], : x.shape[1]]
    w = zero_mean(w)
    return wiener_dft(w, float(w.std()))


def _noise_part(band: npt.NDArray[np.floating], noise_var: float) -> npt.NDArray[np.float32]:
    """What a locally adaptive Wiener filter takes away from a band: ``x·σ²/(v+σ²)``."""
    import cv2
    import numpy as np

    band = band.astype(np.float32)
    energy = band * band
    local = [cv2.blur(energy, (k, k), borderType=cv2.BORDER_REFLECT) for k in _WINDOWS]
    var = np.maximum(np.minimum.reduce(local) - noise_var, 0.0)  # the smallest window estimate: least of the scene
    return (band * (noise_var / (var + noise_var))).astype(np.float32)


def zero_mean(w: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``w`` with every row and every column of each 2×2 lattice at mean zero.

    Examples
    --------
    >>> import numpy as np
    >>> w = zero_mean(np.random.default_rng(0).normal(size=(8, 8)).astype(np.float32) + np.arange(8))
    >>> bool(abs(w[0::2, 0::2].mean(axis=0)).max() < 1e-5)
    True
    """
    out = w.copy()  # never a view of the caller's array
    for dy in (0, 1):
        for dx in (0, 1):
            sub = out[dy::2, dx::2]
            sub -= sub.mean(axis=0, keepdims=True)
            sub -= sub.mean(axis=1, keepdims=True)
    return out


def wiener_dft(w: npt.NDArray[np.float32], sigma: float) -> npt.NDArray[np.float32]:
    """Flatten the peaks of a residual's spectrum: a Wiener filter on the DFT magnitudes (Chen et al. 2008)."""
    import math

    import numpy as np

    if sigma <= 0:
        return w.astype(np.float32)
    h, wd = w.shape
    spectrum = np.fft.fft2(w.astype(np.float32))
    magnitude = (np.abs(spectrum) / math.sqrt(h * wd)).astype(np.float32)  # float32: half the filtering time
    cleaned = _noise_part(magnitude, sigma * sigma)
    zero = magnitude == 0
    magnitude[zero] = 1.0
    cleaned[zero] = 0.0
    return np.real(np.fft.ifft2(spectrum * (cleaned / magnitude))).astype(np.float32)


def quantise(residual: npt.NDArray[np.float32], luma: npt.NDArray[np.float32], *, frame: tuple[int, int]) -> SensorNoise:
    """A residual as the compact :class:`SensorNoise` a worker sends back: int8 residual, uint8 luminance."""
    import numpy as np

    std = float(residual.std())
    scale = _CLIP * std / 127.0 if std > 0 else 1.0
    q = np.clip(np.rint(residual / scale), -127, 127).astype(np.int8)
    lum = np.clip(np.rint(luma), 0, 255).astype(np.uint8)
    return SensorNoise(frame=frame, side=int(residual.shape[0]), scale=scale, residual=q.tobytes(), luma=lum.tobytes())


def arrays(noise: SensorNoise) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The residual and the luminance of a taken :class:`SensorNoise`, as float32 ``side``×``side`` arrays."""
    import numpy as np

    n = noise.side
    w = np.frombuffer(noise.residual, dtype=np.int8).reshape(n, n).astype(np.float32) * np.float32(noise.scale)
    i = np.frombuffer(noise.luma, dtype=np.uint8).reshape(n, n).astype(np.float32)
    return w, i
