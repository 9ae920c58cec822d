"""Set check ``timeline``: capture times, file-name counters and screenshot names in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from forensics.checks.registry import CheckContext, check
from forensics.knowledge.filenames import capture_time_from_name, counter_from_name, screenshot_name
from forensics.records.findings import Finding, Severity
from forensics.records.record import ImageRecord, hex_distance
from forensics.records.text import describe_span, printable_path
from forensics.sets.devices import DeviceSummary
from forensics.sets.times import exif_offset, local_time, name_time

# Wall clocks of two zones differ by at most 26 hours (UTC-12 to UTC+14): a
# smaller inversion can be a device clock that followed a zone change.
ZONE_SPAN = dt.timedelta(hours=26)
# Same-second bursts and sub-second stamps: never an inversion.
ORDER_SLACK = dt.timedelta(seconds=1)
SCREENSHOT_SLACK = dt.timedelta(minutes=2)
# DCF counters run 0001–9999 and start again; a fall this large in capture order is a wrap.
COUNTER_WRAP = 10000
WRAP_FALL = 5000
# A date read with less confidence than this (the lowest of its words', 0..1) is not set against clocks.
MIN_DATE_CONFIDENCE = 0.6
# pHash bits within which a screenshot is taken to show another picture of the set
# (same picture: ≤ 4 measured; unrelated pictures: mean 31.5).
SHOWS_MAX_PHASH = 10


def _order_time(r: ImageRecord, compare_utc: bool) -> dt.datetime | None:
    """The camera clock's reading, in UTC through its own offset when asked.

    GPS time stamps are not used: they come from another clock (the fix), and
    a stale fix would put a burst out of order.
    """
    local = local_time(r)
    off = exif_offset(r)
    if compare_utc and local is not None and off is not None:
        try:
            return local - off
        except OverflowError:
            return None
    return local


@check("timeline", scope="set")
def timeline(records: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """Pictures without a usable time; counters and name times out of order with capture time."""
    pictures = [r for r in records if not r.error and r.kind == "image"]
    untimed = [r.path for r in pictures if local_time(r) is None and name_time(r) is None]
    if untimed and len(pictures) > 1:
        yield Finding(
            "timeline", Severity.INFO, tuple(untimed),
            f"{len(untimed)} of {len(pictures)} pictures {'carries' if len(untimed) == 1 else 'carry'} no capture time "
            f"(metadata or file name): {'it' if len(untimed) == 1 else 'they'} cannot be placed in the timeline.",
            {"untimed": [printable_path(p) for p in untimed], "pictures": len(pictures)},
        )  # fmt: skip
    yield from _counters(pictures, ctx.facts_for(records).devices)
    yield from _screenshots(pictures)
    yield from _documents(pictures, ctx)


def _counters(pictures: Sequence[ImageRecord], summary: DeviceSummary) -> Iterator[Finding]:
    """Within one device, counters and name times must rise with capture time."""
    by_path = {r.path: r for r in pictures}
    for group in summary.groups:
        members = [by_path[p] for p in group.paths if p in by_path]
        # every pair compared in UTC if all members carry an offset or GPS time, else by wall clock
        # one clock, compared in UTC when every timed picture states that clock's offset
        timed = [r for r in members if local_time(r) is not None]
        compare_utc = bool(timed) and all(exif_offset(r) is not None for r in timed)
        keyed: dict[str, list[tuple[dt.datetime, object, ImageRecord]]] = {}
        for r in members:
            t = _order_time(r, compare_utc)
            if t is None:
                continue
            counter = counter_from_name(r.name)
            if counter is not None:
                keyed.setdefault(f"counter {counter[0]}", []).append((t, counter[1], r))
            elif (nt := capture_time_from_name(r.name)) is not None:
                keyed.setdefault("name time", []).append((t, nt, r))
        for kind, rows in keyed.items():
            rows.sort(key=lambda x: (x[0], x[1]))  # keys of one kind compare (see below)
            wrap = 0
            previous = None
            for t, key, r in rows:
                value = key
                if isinstance(key, int):
                    if previous is not None and isinstance(previous[1], int) and previous[1] - (key + wrap) > WRAP_FALL:
                        wrap += COUNTER_WRAP
                    value = key + wrap
                # one kind holds one type of key: counters (int) or name times (datetime)
                if previous is not None and value < previous[1] and t - previous[0] > ORDER_SLACK:  # type: ignore[operator]
                    yield _inversion(group.label, kind, previous, (t, value, r), compare_utc)
                previous = (t, value, r)


def _inversion(device: str, kind: str, earlier, later, compare_utc: bool) -> Finding:
    t1, _k1, r1 = earlier
    t2, _k2, r2 = later
    gap = t2 - t1
    severity = Severity.WARNING if gap > ZONE_SPAN else Severity.NOTICE
    what = "file-name counter" if kind.startswith("counter") else "file-name time"
    message = (
        f"{device}: {r2.name} was taken {describe_span(gap)} after {r1.name} but its {what} is earlier: "
        "renamed files, a reset or changed clock, or edited time stamps."
    )
    g1, g2 = r1.metadata.gps, r2.metadata.gps
    gps_confirms = bool(g1 and g2 and g1.utc and g2.utc and g2.utc - g1.utc > ORDER_SLACK)
    if gps_confirms:
        message += " The GPS UTC stamps give the same order, so a time-zone change of the clock does not explain it."
    elif not compare_utc and gap <= ZONE_SPAN:
        message += " A device clock that followed a time-zone change can explain a gap this small."
    return Finding(
        "timeline", severity, (r1.path, r2.path), message,
        {"device": device, "key": kind, "compared_in": "utc" if compare_utc else "local time",
         "order": [{"path": printable_path(r.path), "captured": t.isoformat(), "name_key": k if isinstance(k, int) else k.isoformat()}
                   for t, k, r in (earlier, later)],
         "gap_seconds": gap.total_seconds()},
    )  # fmt: skip


def _screenshots(pictures: Sequence[ImageRecord]) -> Iterator[Finding]:
    """A screenshot cannot be older than what it shows, nor than its own capture stamp."""
    photos = [r for r in pictures if r.hashes is not None and local_time(r) is not None and not screenshot_name(r.name)]
    for s in pictures:
        named = screenshot_name(s.name)
        if not named or named.time is None:
            continue
        own = local_time(s)
        if own is not None and own - named.time > SCREENSHOT_SLACK:
            yield Finding(
                "timeline", Severity.NOTICE, (s.path,),
                f"{s.name}: the file name says {named.time:%Y-%m-%d %H:%M:%S} but the metadata's capture time is "
                f"{describe_span(own - named.time)} later: renamed, re-saved, or stamps changed.",
                {"file_name_time": named.time.isoformat(), "captured": own.isoformat()},
            )  # fmt: skip
        if s.hashes is None:
            continue
        for p in photos:
            if p.path == s.path or hex_distance(p.hashes.phash, s.hashes.phash) > SHOWS_MAX_PHASH:  # type: ignore[union-attr]
                continue
            shown_at = local_time(p)
            if shown_at is None:
                continue
            lead = shown_at - named.time
            if lead <= SCREENSHOT_SLACK:
                continue
            severity = Severity.WARNING if lead > ZONE_SPAN else Severity.NOTICE
            msg = (
                f"{s.name} was named {describe_span(lead)} before {p.name}, which it shows, was taken "
                f"({named.time:%Y-%m-%d %H:%M:%S} vs {shown_at:%Y-%m-%d %H:%M:%S})."
            )
            if lead <= ZONE_SPAN:
                msg += " Two devices in different time zones can explain this."
            else:
                msg += " One of the clocks or stamps is wrong."
            yield Finding(
                "timeline", severity, (s.path, p.path), msg,
                {"screenshot": printable_path(s.path), "file_name_time": named.time.isoformat(), "shows": printable_path(p.path),
                 "shown_captured": shown_at.isoformat(),
                 "phash_distance": hex_distance(p.hashes.phash, s.hashes.phash),  # type: ignore[union-attr]
                 "lead_seconds": lead.total_seconds()},
            )  # fmt: skip


def _documents(pictures: Sequence[ImageRecord], ctx: CheckContext) -> Iterator[Finding]:
    """Dates read on documents beside the capture times of their photos and the case's ``taken_before``.

    A document cannot be photographed before the day it is dated: a later
    date says the clock, the stamps or the reading is wrong (or the document
    was dated ahead). Dates are compared as days, a capture time by its own
    wall clock, so a time zone never makes the difference.
    """
    dated = []
    for r in pictures:
        doc = r.document
        if doc is None or not doc.read:
            continue
        days = sorted({(e.value, e.confidence) for e in doc.values("date") if e.confidence >= MIN_DATE_CONFIDENCE})
        if days:
            dated.append((r, days))
    if not dated:
        return
    rows = []
    for r, days in dated:
        captured = ctx.capture(r).local
        rows.append({"path": printable_path(r.path), "captured": captured.isoformat() if captured else None, "dates": [d for d, _ in days]})
        latest, conf = max(days)
        day = dt.date.fromisoformat(latest)
        if captured is not None and day > captured.date():
            yield Finding(
                "timeline", Severity.NOTICE, (r.path,),
                f"{r.name} shows a document dated {day.isoformat()}, {(day - captured.date()).days} days after the photo of it "
                f"was taken ({captured:%Y-%m-%d %H:%M:%S}): a clock set wrong, changed stamps, a misread date "
                f"(read with confidence {conf:.2f}), or a document dated ahead.",
                {"document_date": day.isoformat(), "captured": captured.isoformat(), "confidence": round(conf, 3)},
            )  # fmt: skip
        for h in ctx.case.hypotheses if ctx.case is not None else ():
            bound = h.taken_before
            if bound is None:
                continue
            limit = bound.date() if isinstance(bound, dt.datetime) else bound
            if day > limit:
                yield Finding(
                    "timeline", Severity.NOTICE, (r.path,),
                    f"{r.name} shows a document dated {day.isoformat()}, after {limit.isoformat()}, before which hypothesis "
                    f"{h.id!r} says the pictures were taken: the photo of it was not, if the date is read right "
                    f"(confidence {conf:.2f}).",
                    {"document_date": day.isoformat(), "hypothesis": h.id, "taken_before": limit.isoformat(), "confidence": round(conf, 3)},
                )  # fmt: skip
    yield Finding(
        "timeline", Severity.INFO, tuple(r.path for r, _ in dated),
        f"{len(dated)} picture(s) of documents carry dates, set beside their capture times: "
        + "; ".join(f"{r.name}: {', '.join(d for d, _ in days)}" for r, days in dated) + ".",
        {"documents": rows},
    )  # fmt: skip
