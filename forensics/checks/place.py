"""Where pictures were taken: ``gps-location`` (per image), ``time-zone`` and ``impossible-travel`` (set).

All lookups are offline (:mod:`forensics.geo`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from forensics.checks.registry import CheckContext, check
from forensics.geo.places import Place, distance_km, place_at
from forensics.geo.zones import format_offset, offsets_at
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord
from forensics.records.text import printable_path
from forensics.sets.places import fix, stated_accuracy_km
from forensics.sets.times import exif_offset, gps_offset, local_time, place_zone

# Speeds (km/h). Airliners cruise at 800–950 km/h over ground; with a jet stream
# behind them a little more. Faster than AIRLINER between two fixes is not
# travel; faster than GROUND (fast trains top out near 350) needs an aircraft.
AIRLINER_KMH = 1000.0
GROUND_KMH = 350.0
# A phone fix can be off by a few km (cell or Wi-Fi positioning) and a GPS time
# stamp can lag the shutter (stale fix); neither error may make a speed.
POSITION_TOLERANCE_KM = 2.0  # per fix
TIME_TOLERANCE = {"gps": 60.0, "offset": 60.0, "place": 3600.0}  # seconds per stamp, by UTC source
MIN_DISTANCE_KM = 50.0


@check("gps-location")
def gps_location(record: ImageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """GPS coordinates, with the country (by its borders), nearest place and time zone they fall in (offline)."""
    g = record.metadata.gps
    if g is None or g.lat is None or g.lon is None:
        return
    if g.lat == 0 and g.lon == 0:
        yield Finding(
            "gps-location", Severity.NOTICE, (record.path,),
            "GPS coordinates are exactly 0, 0: a placeholder written without a fix, not a position.",
            {"lat": 0.0, "lon": 0.0},
        )  # fmt: skip
        return
    from forensics.geo.borders import DEFAULT_ACCURACY_KM  # deferred: geodata, loaded on the first fix

    # the error the fix states (GPSHPositioningError); where it states none, a few km (Wi-Fi or cell fixes)
    stated = stated_accuracy_km(record)
    accuracy = DEFAULT_ACCURACY_KM if stated is None else stated
    p = place_at(g.lat, g.lon, accuracy_km=accuracy)
    near = f" (nearest listed place {p.place_distance_km:.0f} km away)" if p.place_distance_km is not None else ""
    yield Finding(
        "gps-location", Severity.INFO, (record.path,),
        f"GPS puts it at {g.lat:.5f}, {g.lon:.5f}: {p.label}{near}, time zone {p.time_zone or 'unknown'}.{_border_note(p, accuracy, stated=stated is not None)}",
        {"lat": g.lat, "lon": g.lon, "alt": g.alt, "country_code": p.country_code, "country": p.country,
         "place": p.place, "region": p.region, "place_distance_km": p.place_distance_km, "time_zone": p.time_zone,
         "gps_utc": g.utc.isoformat() if g.utc else None,
         "country_source": p.country_source, "border_km": p.border_km, "accuracy_km": accuracy,
         "accuracy_source": "stated" if stated is not None else "assumed",
         "neighbours": [n.to_dict() for n in p.neighbours], "disputed": p.disputed.to_dict() if p.disputed else None,
         "at_sea": p.at_sea},
    )  # fmt: skip


def _border_note(p: Place, accuracy_km: float, *, stated: bool = False) -> str:
    """What a reader must know about the country named: a dispute, a border within reach, the sea."""
    notes = []
    if p.disputed is not None:
        a = p.disputed
        notes.append(f"{a.name} is disputed: claimed for {'/'.join(a.claimants)}, administered by {a.administered_by}")
    if p.neighbours:
        names = ", ".join(f"{n.name} ({n.code})" if n.code else f"{n.name} (disputed)" for n in p.neighbours)
        notes.append(f"{p.border_km:.1f} km from the border with {names}, within the fix's {'stated' if stated else 'assumed'} "
                     f"accuracy of {accuracy_km:g} km: it may lie on either side")  # fmt: skip
    if p.at_sea:
        notes.append("the point lies outside every country's territorial waters")
    return "".join(f" {n[0].upper()}{n[1:]}." for n in notes)


@check("time-zone", scope="set")
def time_zone(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """The UTC offsets from OffsetTimeOriginal, from GPS time and from the place disagree."""

    for r in records:
        local = local_time(r)
        if r.error or local is None:
            continue
        exif = exif_offset(r)
        implied = gps_offset(r)
        zone_name = place_zone(r) if fix(r) else None
        at_sea = zone_name is not None and zone_name.startswith("Etc/")
        place = offsets_at(zone_name, local) if zone_name and not at_sea else ()
        stated = {"OffsetTimeOriginal": exif, "camera clock minus GPS UTC": implied[0] if implied else None}
        known = {k: v for k, v in stated.items() if v is not None}
        clashes = []
        if len(known) == 2 and exif != implied[0]:  # type: ignore[index]
            clashes.append(f"OffsetTimeOriginal {format_offset(exif)} vs camera clock minus GPS UTC {format_offset(implied[0])}")  # type: ignore[index]
        for label, off in known.items():
            if place and off not in place:
                clashes.append(
                    f"{label} {format_offset(off)}, while clocks at its GPS position ({zone_name}) showed {'/'.join(format_offset(o) or '' for o in place)}"
                )
        if not clashes:
            continue
        g = r.metadata.gps
        yield Finding(
            "time-zone", Severity.NOTICE, (r.path,),
            f"Time zones disagree ({'; '.join(clashes)} on {local:%Y-%m-%d}): the camera clock was set for "
            "another zone than the one it was in, a time stamp was changed, or the GPS stamp is from an earlier fix.",
            {"local_time": local.isoformat(), "offset_time_original": format_offset(exif),
             "gps_utc": g.utc.isoformat() if g and g.utc else None,
             "gps_implied_offset": format_offset(implied[0]) if implied else None,
             "gps_residual_seconds": implied[1].total_seconds() if implied else None,
             "place_zone": zone_name, "place_offsets": [format_offset(o) for o in place]},
        )  # fmt: skip


@check("impossible-travel", scope="set")
def impossible_travel(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """Consecutive GPS fixes are farther apart than any traveller covers in the time between them."""

    fixes = []
    for r in records:
        if r.error or (pos := fix(r)) is None:
            continue
        ct = ctx.capture(r)
        if ct.utc is not None and ct.utc_source is not None:
            fixes.append((ct.utc, ct.utc_source, pos, r))
    fixes.sort(key=lambda x: x[0])
    for (t1, s1, p1, r1), (t2, s2, p2, r2) in itertools.pairwise(fixes):
        d = distance_km(*p1, *p2)
        if d < MIN_DISTANCE_KM:
            continue
        seconds = (t2 - t1).total_seconds()
        slack = TIME_TOLERANCE[s1] + TIME_TOLERANCE[s2]
        # the slowest speed the evidence allows: shortest distance, longest time; a fix that
        # states a larger error than the tolerance is given that error
        tolerances = [max(POSITION_TOLERANCE_KM, stated_accuracy_km(r) or 0.0) for r in (r1, r2)]
        speed = max(0.0, d - sum(tolerances)) / ((seconds + slack) / 3600)
        if speed <= GROUND_KMH:
            continue
        severity = Severity.WARNING if speed > AIRLINER_KMH else Severity.NOTICE
        devices = {r1.metadata.device, r2.metadata.device}
        if severity is Severity.WARNING:
            message = (
                f"{r1.name} and {r2.name} are {d:.0f} km apart but {_duration(seconds)} apart in time: "
                f"at least {speed:.0f} km/h, faster than an airliner. A position or a time stamp is wrong."
            )
        else:
            message = (
                f"{r1.name} and {r2.name} are {d:.0f} km apart and {_duration(seconds)} apart in time: "
                f"at least {speed:.0f} km/h, possible only by air."
            )
        if len(devices) > 1:
            message += f" They name different devices ({', '.join(sorted(str(x) for x in devices))})."
        yield Finding(
            "impossible-travel", severity, (r1.path, r2.path), message,
            {"distance_km": round(d, 1), "seconds": seconds, "min_speed_kmh": round(speed, 1),
             "thresholds_kmh": {"notice": GROUND_KMH, "warning": AIRLINER_KMH},
             "position_tolerance_km": max(tolerances), "position_tolerances_km": tolerances,
             "time_tolerance_seconds": slack,
             "fixes": [{"path": printable_path(r.path), "lat": p[0], "lon": p[1], "utc": t.isoformat(), "utc_source": s}
                       for t, s, p, r in ((t1, s1, p1, r1), (t2, s2, p2, r2))]},
        )  # fmt: skip


def _duration(seconds: float) -> str:
    s = abs(seconds)
    if s >= 86400:
        return f"{s / 86400:.1f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} hours"
    if s >= 60:
        return f"{s / 60:.0f} minutes"
    return f"{s:.0f} seconds"


__all__ = ["fix", "gps_location", "impossible_travel", "time_zone"]
