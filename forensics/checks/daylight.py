"""Per-image check ``daylight``: the sun at the place and time against the picture's brightness."""

from __future__ import annotations

from collections.abc import Iterator

from forensics.checks.registry import CheckContext, check
from forensics.geo.sun import sun_elevation
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.sets.places import fix

# Sun elevation (degrees): below -12 the sky is dark (end of nautical twilight);
# above +10 it is full day even under cloud.
NIGHT_BELOW = -12.0
DAY_ABOVE = 10.0
# Mean luma (0..255) of the reduced picture: outdoor daylight scenes sit near
# 100–150, unlit night scenes below 50; indoor light and night modes fall between.
BRIGHT_AT_LEAST = 130.0
DARK_AT_MOST = 35.0


@check("daylight")
def daylight(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """The picture's brightness contradicts the sun's height at its place and time."""
    if record.error or record.kind != "image" or record.luma_mean is None:
        return
    pos = fix(record)
    if pos is None:
        return
    ct = ctx.capture(record)
    if ct.utc is None:
        return

    elevation = sun_elevation(pos[0], pos[1], ct.utc)
    luma = record.luma_mean
    flash = record.metadata.flash
    fired = flash is not None and bool(flash & 1)
    if elevation < NIGHT_BELOW and luma >= BRIGHT_AT_LEAST and not fired:
        message = (
            f"A bright picture (mean brightness {luma:.0f} of 255) stamped at night: the sun was {-elevation:.0f}° "
            "below the horizon at its place and time. Indoor light, a night mode or a lit scene can explain it; "
            "a wrong clock, time zone or position can too."
        )
    elif elevation > DAY_ABOVE and luma <= DARK_AT_MOST:
        message = (
            f"A dark picture (mean brightness {luma:.0f} of 255) stamped in daylight: the sun was {elevation:.0f}° "
            "above the horizon at its place and time. A dark room or a covered lens can explain it; "
            "a wrong clock, time zone or position can too."
        )
    else:
        return
    yield Finding(
        "daylight", Severity.NOTICE, (record.path,), message,
        {"sun_elevation": round(elevation, 1), "luma_mean": round(luma, 1), "utc": ct.utc.isoformat(),
         "utc_source": ct.utc_source, "local_time": ct.local.isoformat() if ct.local else None,
         "lat": pos[0], "lon": pos[1], "flash": flash,
         "thresholds": {"night_below": NIGHT_BELOW, "day_above": DAY_ABOVE,
                        "bright_at_least": BRIGHT_AT_LEAST, "dark_at_most": DARK_AT_MOST}},
    )  # fmt: skip
