"""From scores to groups: which pictures of a set share one sensor, blind (no reference camera).

Pictures are compared only within a frame (same stored size and orientation,
so that the central crops line up on the sensor). Within a frame:

1. every pair is scored (:func:`forensics.sensor.scores.pair_scores`);
2. pairs above the set's threshold are linked, and linked pictures form
   candidate groups;
3. each group's fingerprint (the maximum-likelihood estimate from its members)
   is tested against each member, left out of it in turn: a member that does
   not carry the others' pattern (a chance link) leaves the group;
4. the fingerprint is tested against every other picture of the frame: one that
   carries it joins; the highest score left outside is kept as the group's
   margin.

The threshold is the score that unrelated cameras exceed, over all the set's
comparisons, with a chance of at most :data:`forensics.sensor.scores.ALPHA`
(the measured null distribution, :data:`forensics.sensor.scores.NULL`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forensics.records.record import ImageRecord
from forensics.records.sensor import SensorNoise
from forensics.records.text import printable_path
from forensics.sensor.residual import arrays
from forensics.sensor.scores import ALPHA, NULL, Z_FLOOR, NullModel, fingerprint_score, pair_scores, ratio

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class Member:
    """A picture of a group and how strongly it carries the fingerprint of the others."""

    path: str
    score: float  # z of its residual against the fingerprint of the other members
    false_match: float  # the chance that a picture of another camera scores as much

    def to_dict(self) -> dict[str, object]:
        return {"path": printable_path(self.path), "score": round(self.score, 2), "false_match": _p(self.false_match)}


@dataclass(frozen=True)
class SensorGroup:
    """Pictures that share one sensor, with their scores.

    ``pair_low`` and ``pair_median`` summarise the pairwise scores inside the
    group; ``outside`` is the highest score of the group's fingerprint against a
    picture of the same frame outside it (None when there is none).
    """

    frame: tuple[int, int]
    members: tuple[Member, ...]
    pair_low: float
    pair_median: float
    outside: float | None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(m.path for m in self.members)

    @property
    def false_match(self) -> float:
        """The weakest member's chance of being a false match."""
        return max(m.false_match for m in self.members)

    def to_dict(self) -> dict[str, object]:
        return {
            "frame": list(self.frame),
            "count": len(self.members),
            "members": [m.to_dict() for m in self.members],
            "pair_low": round(self.pair_low, 2),
            "pair_median": round(self.pair_median, 2),
            "outside": None if self.outside is None else round(self.outside, 2),
            "false_match": _p(self.false_match),
        }


@dataclass(frozen=True)
class FrameScores:
    """The pairwise scores of the pictures of one frame (the matrix the report shows)."""

    frame: tuple[int, int]
    paths: tuple[str, ...]
    scores: tuple[tuple[float, ...], ...]  # z, symmetric, zero diagonal

    def to_dict(self) -> dict[str, object]:
        return {"frame": list(self.frame), "paths": [printable_path(p) for p in self.paths],
                "scores": [[round(v, 1) for v in row] for row in self.scores]}  # fmt: skip


@dataclass(frozen=True)
class SensorGroups:
    """Which pictures share a sensor: groups, pictures compared that match no other, and what was not compared."""

    groups: tuple[SensorGroup, ...]
    alone: tuple[str, ...]  # compared within their frame, and matching no other picture
    not_compared: tuple[tuple[str, str], ...]  # (path, why)
    frames: tuple[FrameScores, ...]
    threshold: float  # the score a match needs (the lowest over the frames)
    null: NullModel = NULL

    @property
    def compared(self) -> int:
        return sum(len(g.members) for g in self.groups) + len(self.alone)

    def group_of(self, path: str) -> SensorGroup | None:
        return next((g for g in self.groups if path in g.paths), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "groups": [g.to_dict() for g in self.groups],
            "alone": [printable_path(p) for p in self.alone],
            "not_compared": [{"path": printable_path(p), "reason": r} for p, r in self.not_compared],
            "threshold": round(self.threshold, 2),
            "null": {"mean": self.null.mean, "std": self.null.std, "pairs": self.null.pairs, "source": self.null.source},
        }


class _Residuals(Sequence["npt.NDArray[np.float32]"]):
    """Residuals made from their compact form when indexed: a set is never held as floats at once."""

    def __init__(self, noises: Sequence[SensorNoise]) -> None:
        self._noises = noises

    def __len__(self) -> int:
        return len(self._noises)

    def __getitem__(self, i: int) -> npt.NDArray[np.float32]:  # type: ignore[override]  # an int only, as pair_scores asks
        return arrays(self._noises[i])[0]

    def __iter__(self) -> Iterator[npt.NDArray[np.float32]]:
        return (arrays(n)[0] for n in self._noises)


def group_sensors(records: Sequence[ImageRecord], *, null: NullModel = NULL, alpha: float = ALPHA) -> SensorGroups:
    """Group the pictures of a set by the sensor their residuals share.

    Parameters
    ----------
    records : sequence of ImageRecord
        The set; a picture is compared when its ``sensor`` residual was taken.
        A record with no ``sensor`` at all (videos, unreadable files, a scan
        without residuals) is left out.
    null : NullModel
        The distribution of scores between different cameras.
    alpha : float
        The chance of a false match the whole set may carry.

    Returns
    -------
    SensorGroups
    """
    noises = {r.path: r.sensor for r in records if r.sensor is not None}
    return group_noises(noises, null=null, alpha=alpha)


def group_noises(noises: Mapping[str, SensorNoise], *, null: NullModel = NULL, alpha: float = ALPHA) -> SensorGroups:
    """:func:`group_sensors` over residuals by path."""
    not_compared: list[tuple[str, str]] = [(p, n.reason or "no residual") for p, n in noises.items() if not n.taken]
    by_frame: dict[tuple[tuple[int, int], int], list[str]] = {}
    for p, n in noises.items():
        if n.taken and n.frame is not None:
            by_frame.setdefault((n.frame, n.side), []).append(p)
    total_tests = sum(len(ps) * (len(ps) - 1) // 2 + len(ps) for ps in by_frame.values() if len(ps) > 1)
    threshold = null.threshold(total_tests, alpha=alpha, floor=Z_FLOOR)
    groups: list[SensorGroup] = []
    alone: list[str] = []
    frames: list[FrameScores] = []
    for (frame, _side), paths in sorted(by_frame.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(paths) < 2:
            w, h = frame
            not_compared.extend((p, f"the only picture of its size and orientation ({w}×{h})") for p in paths)
            continue
        members = [noises[p] for p in paths]
        z = pair_scores(_Residuals(members))
        frames.append(FrameScores(frame, tuple(paths), tuple(tuple(float(v) for v in row) for row in z)))
        found, left = _frame_groups(frame, paths, members, z, threshold, null)
        groups.extend(found)
        alone.extend(left)
    groups.sort(key=lambda g: (-len(g.members), g.paths))
    return SensorGroups(tuple(groups), tuple(alone), tuple(not_compared), tuple(frames), threshold, null)


def _frame_groups(
    frame: tuple[int, int], paths: list[str], noises: list[SensorNoise], z: npt.NDArray[np.float32], threshold: float, null: NullModel,
) -> tuple[list[SensorGroup], list[str]]:  # fmt: skip
    n = len(paths)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if z[i, j] >= threshold:
                parent[root(i)] = root(j)
    components: dict[int, list[int]] = {}
    for i in range(n):
        components.setdefault(root(i), []).append(i)
    candidates = [c for c in components.values() if len(c) > 1]

    kept: list[list[int]] = []
    for c in candidates:
        # a chance link does not carry the others' pattern: test each member left out in turn
        members = c if len(c) == 2 else [i for i, v in _left_out(noises, c).items() if v >= threshold]
        if len(members) > 1:
            kept.append(members)
    # every group's fingerprint against every picture of the frame, each decoded from its bytes once
    prints = [_fingerprint(noises, g) for g in kept]
    against: list[dict[int, float]] = [{} for _ in kept]
    for i in range(n) if kept else ():
        w, lum = arrays(noises[i])
        for k, g in enumerate(kept):
            if i not in g:
                against[k][i] = fingerprint_score(prints[k], w, lum)
    grouped = {i for g in kept for i in g}
    for i in range(n):  # a picture linked to none may still carry a group's pattern
        if i in grouped or not kept:
            continue
        best = max(range(len(kept)), key=lambda k: against[k][i])
        if against[best][i] >= threshold:
            kept[best].append(i)
            grouped.add(i)

    out = []
    for k, g in enumerate(kept):
        # the fingerprint of one picture is no better than its pair's score
        member = {i: float(z[g[0], g[1]]) for i in g} if len(g) == 2 else _left_out(noises, g)
        outside = max((v for i, v in against[k].items() if i not in g), default=None)
        pairs = [float(z[a, b]) for j, a in enumerate(g) for b in g[j + 1 :]]
        out.append(SensorGroup(
            frame=frame,
            members=tuple(Member(paths[i], member[i], null.false_match(member[i])) for i in sorted(g)),
            pair_low=min(pairs), pair_median=statistics.median(pairs), outside=outside,
        ))  # fmt: skip
    return out, [paths[i] for i in range(n) if i not in grouped]


def _sums(noises: Sequence[SensorNoise], group: Sequence[int]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``ΣWI`` and ``ΣI²`` over a group: its fingerprint, and each member's left-out one, by subtraction."""
    w, lum = arrays(noises[group[0]])
    num, den = w * lum, lum * lum
    for j in group[1:]:
        w, lum = arrays(noises[j])
        num += w * lum
        den += lum * lum
    return num, den


def _fingerprint(noises: Sequence[SensorNoise], group: Sequence[int]) -> npt.NDArray[np.float32]:
    num, den = _sums(noises, group)
    return ratio(num, den)


def _left_out(noises: Sequence[SensorNoise], group: Sequence[int]) -> dict[int, float]:
    """Each member's score against the fingerprint of the others (one pass over the group, not one per member)."""
    num, den = _sums(noises, group)
    out = {}
    for i in group:
        w, lum = arrays(noises[i])
        out[i] = fingerprint_score(ratio(num - w * lum, den - lum * lum), w, lum)
    return out


def _p(p: float) -> float:
    return float(f"{p:.3g}")
