"""Double JPEG compression: what the DCT coefficients keep of an earlier compression.

A JPEG decoded and compressed again at another quality keeps, in the histogram
of each DCT frequency, the mark of the first quantisation step: values the
first step could not produce stay (nearly) empty, others get twice their share
(Lukáš & Fridrich, DFRWS 2003; Popescu & Farid, IH 2004). The test here
compares, frequency by frequency, the histogram of the file's coefficients
with a calibration of the single-compression histogram (the same picture's DCT
on a grid moved by 4 pixels, where no compression left its mark: Fridrich,
Goljan & Hogea, 2002), for every first quality of the standard tables; the
best-fitting one is the estimated first quality. Where the first compression's
8×8 grid was not aligned with the last (the picture was cropped), its blocks
show instead at another offset of the pixel grid (blocking artefacts, Luo,
Huang & Qiu, ICASSP 2007), and the coefficients on that grid cluster at
multiples of the first steps.

The coefficients come from ``jpeglib`` (libjpeg's own, exactly) when it is
installed, else from the decoded luminance (its block DCT, divided by the
file's step: the same up to rounding). A per-cell map of how well each region
agrees with the first compression feeds the report: a pasted region lacks the
traces (Lin, He, Tang & Tang, Pattern Recognition 42, 2009).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np

from forensics.read import decode
from forensics.read.jpeg import STD_LUMA, estimate_quality, scaled_table
from forensics.read.jpeg import frame as jpeg_frame
from forensics.read.pool import Progress, map_isolated
from forensics.records.encoding import Compression
from forensics.records.record import ImageRecord

# Low-frequency AC modes (row, column): the ones with enough non-zero values to show a histogram.
MODES = ((0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1), (2, 2), (0, 3), (3, 0))
BINS = 24  # |coefficient| up to this many steps
FIRST_QUALITIES = tuple(range(40, 101))
SHIFT_QUALITIES = tuple(range(40, 101, 5))  # the shifted grid is looked for more coarsely
DETECT = 0.02  # nats per coefficient from which the double-compression model wins (docs/calibration.md)
SHIFT_PEAK = 1.02  # blocking this much above the median of the other offsets makes an offset a candidate
SHIFT_NOTICE = 0.2  # clustering at which a shifted grid scores 0.5 (0.24 for a notice: checks.encoding.DOUBLE_NOTICE)
SHIFT_PERIODICITY = 0.12  # clustering at the first steps beyond the control grids' (docs/calibration.md)
_PERIODICITY_SAMPLE = 4096  # values of a mode whose clustering is measured (its noise: about 0.016)
MAP_CELLS = 48  # the block map has at most this many cells across
_STRIP_PIXELS = 1 << 22  # pixels a strip of the calibration DCT holds (its float copies: some 50 MB)
_FLOOR = 0.05  # a bin the model says is empty still collects rounding noise
_DCT = np.array([[np.sqrt((1 if k == 0 else 2) / 8) * np.cos((2 * n + 1) * k * np.pi / 16) for n in range(8)] for k in range(8)])


def _blocks(luma: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """8×8 block DCT (orthonormal, as JPEG's, of pixels minus 128) on the grid starting at (dx, dy).

    ``D @ tile @ D.T`` as numpy's stacked matrix products (faster here than one large BLAS
    product of eight-wide matrices, and than ``einsum``).
    """
    h, w = (luma.shape[0] - dy) // 8 * 8, (luma.shape[1] - dx) // 8 * 8
    px = luma[dy : dy + h, dx : dx + w].astype(np.float32) - 128.0
    tiles = np.ascontiguousarray(px.reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3)).reshape(-1, 8, 8)
    d = _DCT.astype(np.float32)
    return np.matmul(np.matmul(d, tiles), d.T).reshape(h // 8, w // 8, 8, 8)


def _histograms(values: np.ndarray) -> np.ndarray:
    """Counts of |value| = 0..BINS for each mode (values: blocks × modes, integers)."""
    v = np.minimum(np.abs(values), BINS + 1).astype(np.int64)
    out = np.zeros((values.shape[1], BINS + 2))
    for m in range(values.shape[1]):
        out[m] = np.bincount(v[:, m], minlength=BINS + 2)
    return out[:, : BINS + 1]


def _weights(s: int, q: int) -> np.ndarray:
    """How many first-step values (step ``s``) each last-step bin 0..BINS collects, relative to one."""
    m = np.arange(0, (BINS + 2) * q // max(s, 1) + 3)
    k = np.floor(m * s / q + 0.5).astype(np.int64)
    w = np.bincount(k[k <= BINS], minlength=BINS + 1)[: BINS + 1].astype(np.float64)
    w[1:] *= s / q
    w[0] = max(w[0] * s / q, 1.0) if s < q else 1.0  # the zero bin: everything small, either way
    return np.maximum(w, _FLOOR)


def _llr(hist: np.ndarray, base: np.ndarray, weights: np.ndarray) -> float:
    """Log-likelihood ratio (nats) of the histogram under the double model against the single one."""
    p1 = base / base.sum()
    p2 = base * weights
    p2 = p2 / p2.sum()
    mask = hist > 0
    return float((hist[mask] * (np.log(p2[mask]) - np.log(p1[mask]))).sum())


def analyse_coefficients(coef: np.ndarray, steps: np.ndarray, luma: np.ndarray) -> Compression:
    """Double-compression analysis of quantised luminance coefficients.

    Parameters
    ----------
    coef : numpy.ndarray
        Quantised DCT coefficients, shape (rows, columns, 8, 8).
    steps : numpy.ndarray
        The file's luminance quantisation table, shape (8, 8).
    luma : numpy.ndarray
        The decoded luminance (for the calibration and the shifted grids).

    Returns
    -------
    Compression
        The verdict-free result: whether two compressions fit better than one,
        the first quality, the grid, the per-cell map.
    """
    steps = np.asarray(steps, dtype=np.int64).reshape(8, 8)
    last = estimate_quality({0: tuple(int(v) for v in steps.ravel())})[0]
    flat = coef.reshape(-1, 8, 8)
    values = np.stack([flat[:, r, c] for r, c in MODES], axis=1).astype(np.int64)
    n = values.shape[0]
    if n < 64:
        return Compression(last_quality=last, error="too small: fewer than 64 blocks", method="")
    cal_values = _calibration(luma, steps)
    hist, base = _histograms(values), _histograms(cal_values) + 0.5
    best: tuple[float, int | None] = (0.0, None)
    for q1 in FIRST_QUALITIES:
        table = np.array(scaled_table(STD_LUMA, q1)).reshape(8, 8)
        if all(table[r, c] == steps[r, c] for r, c in MODES):
            continue  # the same steps: nothing to tell apart
        total = sum(_llr(hist[i], base[i], _weights(int(table[r, c]), int(steps[r, c]))) for i, (r, c) in enumerate(MODES))
        if total > best[0]:
            best = (total, q1)
    score_nats = best[0] / (n * len(MODES))
    if best[1] is not None and score_nats >= DETECT:
        q1 = best[1]
        table = np.array(scaled_table(STD_LUMA, q1)).reshape(8, 8)
        blocks, cell = _block_map(values, coef.shape[:2], hist, base, table, steps)
        return Compression(True, float(q1), last, True, (0, 0), _squash(score_nats), blocks, cell, "")
    shifted = _shifted(luma, steps)
    if shifted is not None:
        (dx, dy), q1, strength = shifted
        return Compression(True, float(q1), last, False, (dx, dy), strength, (), 0, "")
    return Compression(False, None, last, None, None, _squash(max(score_nats, 0.0)), (), 0, "")


def _calibration(luma: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The modes' values on the grid four pixels off (blocks × modes), as if quantised by ``steps``.

    In strips of block rows: the DCT of the whole picture at once took four float
    copies of it (1.3 GB for 81 MP, beyond the memory budget its decode fitted).
    """
    rows = max(1, _STRIP_PIXELS // max(1, 64 * (luma.shape[1] // 8)))
    out = []
    for y in range(4, max(5, luma.shape[0] - 7), 8 * rows):
        cal = _blocks(luma[y : y + 8 * rows], 4, 0)
        out.append(np.stack([np.rint(cal[:, :, r, c].ravel() / steps[r, c]) for r, c in MODES], axis=1))
    return np.concatenate(out)


def _squash(nats: float) -> float:
    """Nats per coefficient onto 0..1, DETECT at 0.5."""
    return float(nats / (nats + DETECT)) if nats > 0 else 0.0


def _block_map(values: np.ndarray, shape: tuple[int, int], hist: np.ndarray, base: np.ndarray, table: np.ndarray, steps: np.ndarray):
    """Per cell of blocks: the share of evidence for the first compression (1 present, 0 missing)."""
    rows, cols = shape
    llr = np.zeros(values.shape[0])
    for i, (r, c) in enumerate(MODES):
        p1 = base[i] / base[i].sum()
        p2 = base[i] * _weights(int(table[r, c]), int(steps[r, c]))
        p2 = p2 / p2.sum()
        k = np.minimum(np.abs(values[:, i]), BINS)
        llr += np.log(p2[k]) - np.log(p1[k])
    grid = llr.reshape(rows, cols)
    side = max(1, -(-max(rows, cols) // MAP_CELLS))
    out = []
    for y in range(0, rows, side):
        row = []
        for x in range(0, cols, side):
            v = float(grid[y : y + side, x : x + side].sum())
            row.append(round(float(1.0 / (1.0 + np.exp(-np.clip(v, -30, 30)))), 2))
        out.append(tuple(row))
    return tuple(out), side * 8


def _shifted(luma: np.ndarray, steps: np.ndarray) -> tuple[tuple[int, int], int, float] | None:
    """The offset of an earlier, unaligned 8×8 grid and its quality, from blocking and coefficient clustering.

    The offsets where the picture's blocking is strongest, besides the last grid's
    (two a direction), are the candidates; the one whose coefficients cluster at
    multiples of a standard table's steps clearly more than on two control grids wins.
    """
    y = luma[:1024, :1024].astype(np.float32)  # a corner is enough for the grid and keeps it fast
    dh = np.abs(np.diff(y, axis=1)).mean(axis=0)  # column boundaries
    dv = np.abs(np.diff(y, axis=0)).mean(axis=1)
    # boundary between pixel o and o+1 (mod 8); the last grid's is at 7
    xs = [0, *((o + 1) % 8 for o in _peaks(np.array([dh[o::8].mean() for o in range(8)])))]
    ys = [0, *((o + 1) % 8 for o in _peaks(np.array([dv[o::8].mean() for o in range(8)])))]
    candidates = [(dx, dy) for dx in xs for dy in ys if (dx, dy) != (0, 0)]
    if not candidates:
        return None
    tables = [np.array(scaled_table(STD_LUMA, q1)).reshape(8, 8) for q1 in SHIFT_QUALITIES]
    best: tuple[float, tuple[int, int] | None, int] = (0.0, None, 0)
    for dx, dy in candidates:
        grid = _blocks(y, dx, dy)
        # controls as far from the last grid as the candidate, mirrored: what leaks from the last
        # grid's own steps into a grid one pixel off leaks into its mirror alike; the first grid's does not
        mirrors = {((-dx) % 8, dy), (dx, (-dy) % 8), ((-dx) % 8, (-dy) % 8)} - {(dx, dy)}
        controls = [_blocks(y, cx, cy) for cx, cy in sorted(mirrors)] or [_blocks(y, 3, 6), _blocks(y, 6, 3)]
        for k, t in enumerate(tables):
            s = _periodicity(grid, t) - max(_periodicity(c, t) for c in controls)
            if s > best[0]:
                best = (s, (dx, dy), SHIFT_QUALITIES[k])
    if best[1] is None or best[0] < SHIFT_PERIODICITY:
        return None
    return best[1], best[2], float(min(1.0, best[0] / (2 * SHIFT_NOTICE)))


def _peaks(boundaries: np.ndarray) -> list[int]:
    """Up to two offsets (0..6) whose blocking stands above the median of the others."""
    others = boundaries[:7]
    order = [int(o) for o in np.argsort(-others)[:2]]
    median = max(float(np.median(others)), 1e-6)
    return [o for o in order if others[o] > SHIFT_PEAK * median]


def _periodicity(blocks: np.ndarray, table: np.ndarray) -> float:
    """How closely the coefficients cluster at multiples of the steps (1: exactly, 0: not at all)."""
    out = []
    for r, c in MODES[:6]:
        x = blocks[:, :, r, c].ravel()[:_PERIODICITY_SAMPLE] / table[r, c]
        x = x[np.abs(x) >= 0.5]
        if x.size < 50:
            continue
        phase = (2 * np.pi) * x.astype(np.float32)
        out.append(float(np.hypot(np.cos(phase).mean(), np.sin(phase).mean())))
    return float(np.mean(out)) if out else 0.0


def analyse_double(path: str | os.PathLike[str], *, data: bytes | None = None) -> Compression:
    """Analyse the JPEG at ``path`` for double compression (a frozen :class:`Compression`).

    Reads the coefficients with ``jpeglib`` when installed, else takes them from
    the decoded luminance; decoding runs under the limits in force
    (:func:`forensics.read.decode.limits`). A file that is no JPEG, has no
    luminance table or cannot be decoded gets a result whose ``error`` says why.

    Examples
    --------
    >>> import io, tempfile, os
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "flat.jpg")
    >>> Image.new("RGB", (64, 64), "grey").save(path, quality=80)
    >>> analyse_double(path).double
    False
    """
    try:
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        image = decode.open_picture(data)
        if image.format != "JPEG":
            return Compression(error="not a JPEG")
        tables = dict(getattr(image, "quantization", None) or {})
        if 0 not in tables:
            return Compression(error="no luminance quantisation table")
        refused = decode.refusal_error(image) or _refusal(data, image.size)
        if refused is not None:
            return Compression(error=refused)
        luma = np.asarray(decode.decode_luminance(image))
        steps = np.array(tables[0], dtype=np.int64).reshape(8, 8)
        coef, method = _coefficients(path, luma, steps)
        return dataclasses.replace(analyse_coefficients(coef, steps, luma), method=method)
    except Exception as exc:  # noqa: BLE001 - a damaged file is data: the scan goes on
        return Compression(error=f"cannot analyse the coefficients: {' '.join(str(exc).split())[:200] or type(exc).__name__}")


def _refusal(data: bytes, size: tuple[int, int]) -> str | None:
    """Why the analysis itself would go beyond the memory budget in force, or None.

    Its own cost, beside the decode's: libjpeg's buffer of every component's
    coefficients and jpeglib's copy of it (whatever the frame, progressive or
    not), the luminance, and the modes' values on two grids (2.5 bytes a pixel).
    """
    budget = decode.limits().memory_budget
    if not budget:
        return None
    w, h = size
    found = jpeg_frame(data)
    coefficients = dataclasses.replace(found, progressive=True).coefficient_bytes() if found and found.sampling else w * h * 6
    need = 2 * coefficients + w * h + w * h * 5 // 2
    if need <= budget:
        return None
    return (
        f"refused: analysing its coefficients would need about {decode.format_size(need)}, above the "
        f"{decode.format_size(budget)} budget per file; set {decode.MEMORY_BUDGET_ENV} or --memory-budget to read it"
    )


def _coefficients(path: str | os.PathLike[str], luma: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, str]:
    try:
        import jpeglib  # libjpeg's own coefficients: exact

        dct = jpeglib.read_dct(os.fspath(path))
        coef = np.asarray(dct.Y)
        # jpeglib's blocks are (row, column, 8, 8) in natural order, as the table
        return coef, "coefficients (jpeglib)"
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - jpeglib refuses some files libjpeg's decoder reads: fall back
        pass
    raw = _blocks(luma)
    return np.rint(raw / steps).astype(np.int64), "decoded pixels"


def with_compression(records: Sequence[ImageRecord], *, workers: int | None = None, progress: Progress | None = None) -> list[ImageRecord]:
    """The records with their ``compression`` analysed, in worker processes, for every readable JPEG.

    Parameters
    ----------
    records : sequence of ImageRecord
        Records as read.
    workers : int, optional
        Processes; default: every core.
    progress : callable, optional
        Called as ``progress(done, total)``.

    Returns
    -------
    list of ImageRecord
        The records in their order.
    """
    todo = [r.path for r in records if not r.error and r.format == "JPEG"]
    done = map_isolated(analyse_double, todo, on_crash=_crashed, on_timeout=_timed_out, workers=workers, progress=progress)
    found = dict(zip(todo, done))
    return [dataclasses.replace(r, compression=found[r.path]) if r.path in found else r for r in records]


def _crashed(path: str) -> Compression:
    return Compression(error="analysing its coefficients crashed the worker process")


def _timed_out(path: str) -> Compression:
    return Compression(error="analysing its coefficients took longer than the time limit")
