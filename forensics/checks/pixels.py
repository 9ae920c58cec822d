"""Per-image checks on the pixel analyses (``scan(..., pixels=True)``): ``copy-move``, ``spliced-region``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from forensics.checks.image import looks_like_screenshot
from forensics.checks.registry import CheckContext, check
from forensics.records.findings import Finding, Severity
from forensics.records.pixels import CopyMove, PastedRegion
from forensics.records.record import ImageRecord

# Set on benchmarks/forgery_bench.py (docs/calibration.md): of the 166 untouched originals of the
# corpora, 2 hold a copy-like match with score >= 0.5 and correlation >= 0.88 (repeated patterns,
# at score 0.86-0.87), none one with score >= 0.9 and correlation >= 0.95, which most found
# forgeries reach; weaker matches (score 0.1-0.6, on 8 originals) stay info.
STRONG_SCORE = 0.9
STRONG_SIMILARITY = 0.95
WEAK_SCORE = 0.5
WEAK_SIMILARITY = 0.88
# Two measures agreeing at z 8 drew notice on 2 of the 166 originals (their weaker measure at z 10.2 and
# 11.4) and on none of the 24 pasted forgeries (none reached z 8 on two measures); at 15, on none.
STRONG_Z = 15.0  # robust z a measure must reach on a region for its agreement to count beyond info
# Of the 166 originals, the two drawing a copy-move notice (a repeated pattern each) matched themselves in three
# places at score 0.5 or more; of the copy-move forgeries, only those made from one of them did.
REPEATS = 3
REPETITION = "repetitive scenes (tiles, windows, fences, crowds, text) match themselves too"


def repetitive(copies: Sequence[CopyMove]) -> bool:
    """Whether a picture matches itself in :data:`REPEATS` places or more (score from :data:`WEAK_SCORE`): a scene that repeats.

    A copy made to hide or duplicate something is one match (two or three for
    an edit done more than once); rows of windows, railings, tiles and shelves
    match themselves over and over.
    """
    return sum(c.score >= WEAK_SCORE for c in copies) >= REPEATS


def copy_move_severity(copy: CopyMove, *, repeated: bool = False) -> Severity:
    """How much one copy weighs: ``warning`` only where untouched originals never came close.

    In a picture that matches itself in many places (``repeated``, see
    :func:`repetitive`) each copy weighs one step less.
    """
    if copy.score >= STRONG_SCORE and copy.similarity >= STRONG_SIMILARITY:
        return Severity.NOTICE if repeated else Severity.WARNING
    if copy.score >= WEAK_SCORE and copy.similarity >= WEAK_SIMILARITY:
        return Severity.INFO if repeated else Severity.NOTICE
    return Severity.INFO


def pasted_severity(region: PastedRegion) -> Severity:
    """``info`` unless measures agree strongly: two at :data:`STRONG_Z` or beyond ``notice``, three ``warning``.

    Noise and error level agree on something in most untouched photos (focus, sky,
    texture the fit misses): two of them at z 3 did on 24% of the corpora's
    originals, at z 8 on 1.2%, at z 15 on none (benchmarks/forgery_bench.py).
    """
    strong = [d for d in region.measures if d.measure in region.agree and abs(d.z) >= STRONG_Z]
    if len(strong) >= 3:
        return Severity.WARNING
    if len(strong) == 2:
        return Severity.NOTICE
    return Severity.INFO


def _z(z: float) -> str:
    """A robust z-score for people: beyond 100 the figure says only how flat the rest is (evidence keeps it)."""
    return f"z={z:+.1f}" if abs(z) < 100 else f"z {'above +100' if z > 0 else 'below -100'}"


def _box(copy_box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = copy_box
    return f"{x1 - x0}×{y1 - y0} at ({x0}, {y0})"


@check("copy-move")
def copy_move(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """Regions of one picture that are copies of each other, moved and maybe scaled or turned."""
    found = record.pixels
    if found is None or not found.copy_moves:
        return
    repeated = repetitive(found.copy_moves)
    for c in found.copy_moves:
        how = f"moved {'' if abs(c.scale - 1) < 0.03 else f'and scaled ×{c.scale:.2f} '}"
        how += f"and turned {c.rotation:g}°" if abs(c.rotation) >= 1 else ""
        message = (
            f"Two regions match pixel for pixel once one is {how.strip()} ({_box(c.source.box)} and {_box(c.target.box)}; "
            f"{c.matches} matched points, correlation {c.similarity:.2f}): consistent with a region copied within the "
            f"picture (copy-move), to hide or to duplicate something; {REPETITION}"
            + (f"; this picture matches itself in {len(found.copy_moves)} places, as such scenes do." if repeated else ".")
        )
        evidence = {"copy": c.to_dict(), "size": list(found.size or ())}
        yield Finding("copy-move", copy_move_severity(c, repeated=repeated), (record.path,), message, evidence)


@check("spliced-region")
def spliced_region(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """An area whose noise or compression traces differ from the rest of the picture."""
    found = record.pixels
    if found is None or not found.pasted:
        return
    # A screen is pasted together by its nature (a photo or video frame inside an app's flat chrome):
    # its regions differ from each other whatever happened to the picture shown, so they stay info.
    screen = looks_like_screenshot(record)
    for p in found.pasted:
        views = ", ".join(f"{d.measure} {_z(d.z)}" for d in p.measures)
        agree = " and ".join(p.agree) if p.agree else "no measure clearly"
        message = (
            f"An area of {_box(p.region.box)} differs from the rest of the picture by {agree} ({views}): consistent "
            "with a region pasted from another picture, and also with focus, lighting or smooth surfaces"
            + (" (one measure alone is weak evidence)." if len(p.agree) < 2 else ".")
            + (" A screenshot is composed of parts (chrome, text, the picture shown), so this says little here." if screen else "")
        )
        severity = Severity.INFO if screen else pasted_severity(p)
        evidence = {"region": p.to_dict(), "size": list(found.size or ()), **({"screenshot": True} if screen else {})}
        yield Finding("spliced-region", severity, (record.path,), message, evidence)


# What an analysis says when it does not apply, rather than could not run: no finding for these
_NOT_APPLICABLE = ("not a JPEG", "no luminance quantisation table", "too small", "smaller than")


@check("pixels-not-analysed")
def pixels_not_analysed(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """A pixel analysis asked for (``scan --pixels``) that did not run on a readable picture: over a limit, damaged, crashed."""
    if record.error:
        return  # ``unreadable`` says it
    c, found = record.compression, record.pixels
    missed = []
    if c is not None and c.error and not c.error.startswith(_NOT_APPLICABLE):
        missed.append(("double-compression", c.error))
    if found is not None and not found.analysed and found.reason and not found.reason.startswith(_NOT_APPLICABLE):
        missed.append(("copy-move and pasted-region", found.reason))
    for analysis, reason in missed:
        yield Finding(
            "pixels-not-analysed", Severity.INFO, (record.path,),
            f"The {analysis} analysis did not run: {reason}. Nothing is said either way about what it looks for.",
            {"analysis": analysis, "reason": reason},
        )  # fmt: skip
