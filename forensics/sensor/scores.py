"""From residuals to scores: how strongly two pictures, or a fingerprint and a picture, share a pattern.

Scores are normalised cross-correlations at zero shift, of central crops of
pictures of one frame (same size, same orientation), so the pattern of one
sensor lines up with itself. A correlation ``ρ`` over ``n`` pixels is given as
``z = ρ·√n``: for residuals of unrelated cameras ``z`` is close to a standard
normal whatever the crop size, which :data:`NULL` measures, and the chance
that unrelated cameras score ``z`` or more is its upper tail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float32]


# The chance of one false match a set may carry, shared by all its comparisons.
ALPHA = 1e-3
# Never less than this, however few comparisons: the measured null's tail is only so long.
Z_FLOOR = 6.0


@dataclass(frozen=True)
class NullModel:
    """The distribution of ``z`` between pictures of different cameras, as measured.

    ``mean`` and ``std`` are fitted to ``pairs`` scores of pictures known to
    come from different cameras; ``largest`` is the highest of them, beyond
    which a probability is the fitted normal's tail, not an observed frequency.
    """

    mean: float
    std: float
    pairs: int
    largest: float
    source: str

    def false_match(self, z: float) -> float:
        """The chance that two pictures of different cameras score ``z`` or more.

        Examples
        --------
        >>> round(NullModel(0.0, 1.0, 1, 4.0, "").false_match(0.0), 3)
        0.5
        """
        return 0.5 * math.erfc((z - self.mean) / (self.std * math.sqrt(2.0)))

    def threshold(self, tests: int, *, alpha: float = ALPHA, floor: float = 0.0) -> float:
        """The score above which a match among ``tests`` comparisons is a false one with chance at most ``alpha``.

        A Bonferroni bound: each comparison is given ``alpha / tests``.

        Examples
        --------
        >>> round(NullModel(0.0, 1.0, 1, 4.0, "").threshold(1, alpha=0.05), 2)
        1.64
        """
        p = alpha / max(1, tests)
        lo, hi = self.mean, self.mean + 40 * self.std
        for _ in range(80):  # bisection on the tail, monotone
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.false_match(mid) > p else (lo, mid)
        return max(hi, floor)


# Measured by benchmarks/bench_sensor.py --null over central 1024×1024 crops of the real
# camera photos of ../shared/corpora (camera-jpegs, exif-samples): every pair of different
# camera models (see docs/performance.md, "Sensor noise").
NULL = NullModel(
    mean=0.057,
    std=1.295,
    pairs=1267,
    largest=4.71,
    source="1267 pairs of real photos of 46 different camera models, 1024×1024 central crops",
)


def normalised(residual: Array) -> Array:
    """A residual flattened, at mean zero and unit norm (so that a dot product is a correlation)."""
    import numpy as np

    v = residual.astype(np.float32).ravel()
    v = v - v.mean()
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def correlation(a: Array, b: Array) -> float:
    """Normalised cross-correlation of two arrays of one shape, at zero shift.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.random.default_rng(1).normal(size=(32, 32)).astype(np.float32)
    >>> round(correlation(a, 2 * a + 1), 6)
    1.0
    """
    import numpy as np

    return float(np.dot(normalised(a), normalised(b)))


def z_of(rho: float, pixels: int) -> float:
    """A correlation over ``pixels`` as a score ``ρ·√n``."""
    return rho * math.sqrt(pixels)


def pair_scores(residuals: Sequence[Array], *, block: int = 32) -> Array:
    """Every pair's score ``z`` among residuals of one shape, as a symmetric matrix (zero diagonal).

    Matrix products of the normalised residuals, ``block`` of them at a time so
    that a large set never holds all of them as floats at once (a sequence that
    makes each residual when indexed keeps only its compact form): a pair costs
    ``n`` multiply-adds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> k = rng.normal(size=(64, 64)).astype(np.float32)
    >>> z = pair_scores([k + rng.normal(size=k.shape).astype(np.float32) for _ in range(3)])
    >>> bool(z[0, 1] > 20 and z[0, 0] == 0)
    True
    """
    import numpy as np

    n = len(residuals)
    z = np.zeros((n, n), dtype=np.float32)
    if n == 0:
        return z
    starts = range(0, n, block)
    for a in starts:
        left = np.stack([normalised(residuals[i]) for i in range(a, min(n, a + block))])
        for b in (s for s in starts if s >= a):
            right = left if b == a else np.stack([normalised(residuals[i]) for i in range(b, min(n, b + block))])
            part = left @ right.T
            z[a : a + len(left), b : b + len(right)] = part
            z[b : b + len(right), a : a + len(left)] = part.T
    z *= np.float32(math.sqrt(normalised(residuals[0]).size))
    np.fill_diagonal(z, 0.0)
    return z


def fingerprint(residuals: Sequence[Array], lumas: Sequence[Array]) -> Array:
    """The maximum-likelihood estimate of a sensor's pattern from pictures it took: ``K = ΣWI / ΣI²``.

    Parameters
    ----------
    residuals, lumas : sequences of ndarray
        Each picture's residual ``W`` and luminance ``I`` (same shapes).
    """
    import numpy as np

    num = np.zeros_like(residuals[0], dtype=np.float32)
    den = np.zeros_like(residuals[0], dtype=np.float32)
    for w, i in zip(residuals, lumas):
        num += w * i
        den += i * i
    return ratio(num, den)


def ratio(num: Array, den: Array) -> Array:
    """``ΣWI / ΣI²``, where the sum of squares is not zero (black pixels carry no pattern)."""
    import numpy as np

    return (num / np.maximum(den, np.float32(1.0))).astype(np.float32)


def fingerprint_score(k: Array, residual: Array, luma: Array) -> float:
    """How strongly a picture carries a fingerprint: the score of its residual against ``I·K``."""
    return z_of(correlation(residual, luma * k), residual.size)
