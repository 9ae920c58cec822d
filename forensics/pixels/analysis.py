"""The pixel analyses of a scan (``scan(..., pixels=True)``): each picture decoded once more, in the worker processes.

The picture is decoded as it is shown, reduced to a bounded working size (a
JPEG in the DCT, so a 12-MP photo costs a fraction of a full decode), and the
copy-move and pasted-region searches run on it; what they find comes back in
the picture's own full-size coordinates.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from forensics.pixels.copymove import find_copy_moves
from forensics.pixels.splice import find_pasted
from forensics.read import decode
from forensics.read.pool import Progress, map_isolated
from forensics.records.encoding import Compression
from forensics.records.pixels import PixelAnalysis
from forensics.records.record import ImageRecord

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image

# Long side of the working picture. Copies of a fifth of the short side are found at 2048
# as well as at full size, at a quarter of the cost (benchmarks/forgery_bench.py).
WORKING_SIDE = 2048
MIN_SIDE = 128  # smaller pictures hold too few pixels to compare regions within
# Peak memory of the searches per working pixel (SIFT's scale space over the doubled picture, most of it):
# 223-233 bytes measured on noise pictures of 1024² and 1448² (OpenCV 5.0, default settings); 258-265 bytes
# above the process's start-up on the corpora's 12-MP photos at 2048 with the low-contrast second pass
# (benchmarks/forgery_bench.py --cost, peak resident memory of one process a picture).
BYTES_PER_PIXEL = 270


def analyse_picture(
    image: Image.Image, *, full_size: tuple[int, int] | None = None, maps: Mapping[str, npt.NDArray[np.floating]] | None = None,
) -> PixelAnalysis:  # fmt: skip
    """Copy-move and pasted-region searches on a decoded picture.

    Parameters
    ----------
    image : PIL.Image.Image
        The picture as shown, at the working size.
    full_size : (int, int), optional
        Its full size as shown; results are given in those coordinates.
        Default: the picture's own size.
    maps : mapping of str to ndarray, optional
        More per-block measures for :func:`forensics.pixels.splice.find_pasted`.

    Returns
    -------
    PixelAnalysis

    Examples
    --------
    >>> from PIL import Image
    >>> analyse_picture(Image.new("RGB", (320, 240), "grey")).copy_moves
    ()
    """
    size = full_size or image.size
    if min(image.size) < MIN_SIDE:
        return PixelAnalysis(reason=f"smaller than {MIN_SIDE} pixels on a side", size=size, working=image.size)
    factor = size[0] / image.size[0]
    search = find_copy_moves(image)
    pasted = find_pasted(image, maps=maps)
    return PixelAnalysis(
        size=size, working=image.size, keypoints=search.keypoints,
        copy_moves=tuple(c.scaled(factor) for c in search.copies) if factor != 1 else search.copies,
        pasted=tuple(p.scaled(factor) for p in pasted) if factor != 1 else pasted,
    )  # fmt: skip


def pixel_analysis(
    source: bytes | str | os.PathLike[str], *, side: int = WORKING_SIDE, maps: Mapping[str, npt.NDArray[np.floating]] | None = None,
) -> PixelAnalysis:  # fmt: skip
    """Decode a file as shown, at most ``side`` pixels long, and analyse it (run in a worker).

    ``maps`` are further per-block measures over the picture as shown (see
    :func:`analyse_picture`), such as the double-compression map.

    Returns
    -------
    PixelAnalysis
        What was found, or the reason the picture could not be analysed.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reader has reported the file's damage already
            with decode.open_picture(source) as image:
                stored = image.size
                side = min(side, _fitting_side(stored))
                if side < MIN_SIDE:
                    return PixelAnalysis(reason="the searches would need more than the memory budget per file", size=stored)
                picture = decode.decode(image, side=side, resample="box")
    except Exception as exc:  # noqa: BLE001 - a picture that cannot be decoded is not analysed; the scan goes on
        return PixelAnalysis(reason=f"cannot be decoded: {str(exc)[:200] or type(exc).__name__}")
    turned = picture.size[0] < picture.size[1] and stored[0] > stored[1]
    turned |= picture.size[0] > picture.size[1] and stored[0] < stored[1]
    full = (stored[1], stored[0]) if turned else stored
    return analyse_picture(picture, full_size=full, maps=maps)


def _fitting_side(size: tuple[int, int]) -> int:
    """The longest working side whose searches stay within the memory budget in force (any side when there is none)."""
    budget = decode.limits().memory_budget
    w, h = size
    if not budget or min(w, h) <= 0:
        return WORKING_SIDE
    # a working picture of long side L holds L² · short/long pixels
    return int((budget / BYTES_PER_PIXEL * max(w, h) / min(w, h)) ** 0.5)


def with_pixels(
    records: Sequence[ImageRecord], *, workers: int | None = None, progress: Progress | None = None, side: int = WORKING_SIDE,
    compression: bool = False,
) -> list[ImageRecord]:  # fmt: skip
    """The records with their ``pixels`` analysis, run in worker processes under the scan's time and memory limits.

    Videos and unreadable files are passed over (``pixels`` None).

    Parameters
    ----------
    records : sequence of ImageRecord
        Records as read.
    workers : int, optional
        Processes; default: every core.
    progress : callable, optional
        Called as ``progress(done, total)`` over the pictures analysed.
    side : int
        Long side of the working picture.
    compression : bool
        Also analyse each JPEG's double compression (``record.compression``,
        as :func:`forensics.pixels.double.with_compression` does) in the same
        worker task, before its pixels, whose pasted-region search then weighs
        its map: the file is read once and the pool passed once. A file whose
        task crashes or runs out of time gets neither result.

    Returns
    -------
    list of ImageRecord
        The records in their order.
    """
    if compression:
        return _with_both(records, workers=workers, progress=progress, side=side)
    todo = [(r.path, side, _compression_map(r)) for r in records if not r.error and r.kind == "image"]
    found = map_isolated(_task, todo, on_crash=_crashed, on_timeout=_stopped, workers=workers, progress=progress)
    by_path = {item[0]: a for item, a in zip(todo, found)}
    return [dataclasses.replace(r, pixels=by_path[r.path]) if r.path in by_path else r for r in records]


_Task = tuple[str, int, tuple[tuple[float, ...], ...] | None]


def _compression_map(record: ImageRecord) -> tuple[tuple[float, ...], ...] | None:
    """The double-compression map of a record (``scan --pixels`` made it first), where it lies as the picture is shown.

    Its cells say where the first compression's traces are present (1) or
    missing (0, as in a region pasted from elsewhere): a third measure beside
    noise and error level. It is laid over the stored pixels, so a picture that
    its orientation tag turns or flips is left without it.
    """
    return _blocks(record.compression, upright=record.metadata.orientation in (None, 1))


def _blocks(c: Compression | None, *, upright: bool) -> tuple[tuple[float, ...], ...] | None:
    """A double-compression analysis's cells, where a first compression was found and they lie on the picture as shown."""
    if c is None or not c.double or not c.blocks or not upright:
        return None
    return c.blocks


def _maps(blocks: tuple[tuple[float, ...], ...] | None) -> dict[str, npt.NDArray[np.float64]] | None:
    """The pasted-region search's extra measure: high where the first compression's traces are missing,
    as noise and error level are high where they differ."""
    import numpy as np  # the worker has it loaded already for the analysis

    return {"double-compression": 1.0 - np.asarray(blocks, dtype=np.float64)} if blocks else None


def _task(item: _Task) -> PixelAnalysis:
    path, side, blocks = item
    return pixel_analysis(path, side=side, maps=_maps(blocks))


def _crashed(item: _Task) -> PixelAnalysis:
    return PixelAnalysis(reason="analysing it crashed the decoding process")


def _stopped(item: _Task) -> PixelAnalysis:
    return PixelAnalysis(reason="stopped at the time limit for one file")


_BothTask = tuple[str, int, bool, bool]  # path, side, a JPEG, its double-compression map lies on the picture as shown


def _with_both(records: Sequence[ImageRecord], *, workers: int | None, progress: Progress | None, side: int) -> list[ImageRecord]:
    todo = [(r.path, side, r.format == "JPEG", r.metadata.orientation in (None, 1)) for r in records if not r.error and r.kind == "image"]
    found = map_isolated(_both_task, todo, on_crash=_both_crashed, on_timeout=_both_stopped, workers=workers, progress=progress)
    by_path = {item[0]: pair for item, pair in zip(todo, found)}
    out = []
    for r in records:
        if r.path in by_path:
            c, a = by_path[r.path]
            r = dataclasses.replace(r, pixels=a, compression=c if c is not None else r.compression)
        out.append(r)
    return out


def _both_task(item: _BothTask) -> tuple[Compression | None, PixelAnalysis]:
    from forensics.pixels.double import analyse_double  # jpeglib: in the worker, for JPEGs only

    path, side, jpeg, upright = item
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return None, PixelAnalysis(reason=f"cannot be decoded: {exc.strerror or type(exc).__name__}")
    c = analyse_double(path, data=data) if jpeg else None
    return c, pixel_analysis(data, side=side, maps=_maps(_blocks(c, upright=upright)))


def _both_crashed(item: _BothTask) -> tuple[Compression | None, PixelAnalysis]:
    c = Compression(error="analysing its coefficients and pixels crashed the worker process") if item[2] else None
    return c, _crashed((item[0], item[1], None))


def _both_stopped(item: _BothTask) -> tuple[Compression | None, PixelAnalysis]:
    c = Compression(error="analysing its coefficients and pixels took longer than the time limit") if item[2] else None
    return c, _stopped((item[0], item[1], None))
