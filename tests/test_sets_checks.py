"""Set checks (device-mix, timeline, time-zone, impossible-travel) and gps-location, daylight: firing and silent.

The checks read only the records, so they are given records built in Python
(``tests/records.py``). Real files remain for an untouched phone set scanned
end to end (summary included) and where pixels decide (a screenshot showing a photo).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from imagegen import camera_jpeg, photo
from records import at_utc, camera_record, flipped, hashes, make_record

from forensics import scan
from forensics.checks import CheckContext, run_checks
from forensics.records.findings import Severity
from forensics.sets.facts import set_facts

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
DAMASCUS = (33.5138, 36.2765)
MOSCOW = (55.7558, 37.6173)
SIZE = (320, 240)


def _scan(folder):
    return scan([str(folder)], workers=1, now=NOW)


def _check(*records):
    """Every finding of the per-image and set checks about these records."""
    out, set_findings = run_checks(records, CheckContext(now=NOW))
    return [f for r in out for f in r.findings] + set_findings


def _of(found, check_id):
    return [f for f in getattr(found, "findings", found) if f.check == check_id]


def _record(name, *, local="2016:06:19 14:22:33", pos=DAMASCUS, utc=None, offset="+03:00", folder="/set", **fields):
    """The record of a phone JPEG in Damascus whose GPS UTC time agrees with its +03:00 local time unless told otherwise."""
    if utc is None and pos is not None and local:
        utc = (dt.datetime.strptime(local, "%Y:%m:%d %H:%M:%S") - dt.timedelta(hours=3)).strftime("%Y:%m:%d %H:%M:%S")
    gps = {"gps": pos, "gps_utc": at_utc(utc)} if pos is not None else {}
    return camera_record(f"{folder}/{name}", width=SIZE[0], height=SIZE[1], datetime_original=local,
                         offset_time_original=offset, offset_time=offset, **gps, **fields)  # fmt: skip


def _shot(folder, name, *, seed, local="2016:06:19 14:22:33", pos=DAMASCUS, utc_hms=None, utc_date=None, offset="+03:00", **kw):
    """A phone JPEG in Damascus whose GPS UTC time agrees with its +03:00 local time unless told otherwise."""
    if utc_hms is None and pos is not None and local:
        t = dt.datetime.strptime(local, "%Y:%m:%d %H:%M:%S") - dt.timedelta(hours=3)
        utc_date, utc_hms = t.strftime("%Y:%m:%d"), (t.hour, t.minute, t.second)
    gps_utc = (utc_date, utc_hms) if utc_hms is not None else None
    return camera_jpeg(
        folder / name, seed=seed, size=SIZE, datetime_original=local, gps=pos, gps_utc=gps_utc, offset=offset, **kw
    )


def _phone_day(folder):
    """An untouched day of one phone in Damascus: counters and clock in step, daylight, GPS moving on foot."""
    for i in range(5):
        lat = DAMASCUS[0] + i * 0.002
        _shot(folder, f"IMG_{i + 101:04d}.JPG", seed=i, local=f"2016:06:19 {10 + i}:05:00", pos=(lat, DAMASCUS[1]),
              serial="F17QX123", software="9.3.2")  # fmt: skip


# ------------------------------------------------------------------ calibration


def test_untouched_phone_set_draws_no_warning_and_no_set_notice(tmp_path):
    _phone_day(tmp_path)
    report = _scan(tmp_path)
    assert not [f for f in report.findings if f.severity is Severity.WARNING]
    set_checks = ("device-mix", "timeline", "time-zone", "impossible-travel", "daylight")
    assert not [f for f in report.findings if f.check in set_checks], [f.message for f in report.findings]
    assert len(_of(report, "gps-location")) == 5
    s = report.to_dict()["set"]
    assert [d["device"] for d in s["devices"]] == ["Apple iPhone 6s (serial f17qx123)"]
    assert s["countries"][0]["code"] == "SY" and s["places"][0]["place"] == "Damascus"
    assert s["time"]["first"] == "2016-06-19T10:05:00" and s["time"]["last"] == "2016-06-19T14:05:00"
    assert s["time"]["gaps"][0]["seconds"] == 3600


# ------------------------------------------------------------------ device-mix


def test_device_mix_fires_on_two_phones_with_groups_in_evidence():
    got = _check(_record("a.jpg"), _record("b.jpg"), _record("c.jpg", make="samsung", model="SM-G930F"))
    (f,) = _of(got, "device-mix")
    assert f.severity is Severity.NOTICE
    groups = {g["device"]: g["count"] for g in f.evidence["groups"]}
    assert groups == {"Apple iPhone 6s": 2, "samsung SM-G930F": 1}


def test_device_mix_splits_serials_but_absent_fields_are_unknown():
    got = _check(_record("a.jpg", serial="AAA1"), _record("b.jpg", serial="BBB2"),
                 _record("c.jpg"))  # same model, no serial: could be either  # fmt: skip
    (f,) = _of(got, "device-mix")
    assert f.evidence["devices"] == 2
    assert [os.path.basename(p) for p in f.evidence["ambiguous"]] == ["c.jpg"]


def test_device_mix_silent_when_fields_are_only_missing():
    records = [
        _record("a.jpg", serial="AAA1"),
        _record("b.jpg"),  # no serial
        _record("c.jpg", model=None),  # make only
        _record("d.jpg", make=None, model=None, camera_fields=0),  # stripped
    ]
    assert not _of(_check(*records), "device-mix")
    assert [os.path.basename(p) for p in set_facts(records).to_dict()["unknown_device"]] == ["d.jpg"]


def test_software_versions_alternating_in_time_point_to_two_bodies():
    records = [_record(f"x{i}.jpg", local=f"2016:06:19 1{i}:00:00", software=sw) for i, sw in enumerate(["9.3.1", "9.3.2", "9.3.1", "9.3.2"])]
    (f,) = _of(_check(*records), "device-mix")
    assert "alternate" in f.message and len(f.evidence["software_in_capture_order"]) == 4


def test_software_update_in_order_is_silent():
    versions = ["9.3.1", "9.3.1", "9.3.2", "Adobe Photoshop CC"]
    records = [_record(f"x{i}.jpg", local=f"2016:06:19 1{i}:00:00", software=sw) for i, sw in enumerate(versions)]
    assert not _of(_check(*records), "device-mix")


def test_camera_modes_naming_themselves_differently_are_silent():
    versions = ["HDR+ 1.0.2", "Night Sight", "HDR+ 1.0.2", "Night Sight"]
    records = [_record(f"x{i}.jpg", local=f"2016:06:19 1{i}:00:00", software=sw) for i, sw in enumerate(versions)]
    assert not _of(_check(*records), "device-mix")


# ------------------------------------------------------------------ timeline


def test_counter_out_of_order_fires():
    got = _check(
        _record("IMG_0101.JPG", local="2016:06:19 10:00:00", offset=None, pos=None),
        _record("IMG_0102.JPG", local="2016:06:19 12:00:00", offset=None, pos=None),
        _record("IMG_0103.JPG", local="2016:06:19 11:00:00", offset=None, pos=None),
    )
    (f,) = _of(got, "timeline")
    assert f.severity is Severity.NOTICE  # an hour: a clock that followed a zone change can do it
    assert "time-zone change" in f.message
    assert [o["name_key"] for o in f.evidence["order"]] == [103, 102]


def test_counter_days_out_of_order_is_a_warning():
    (f,) = _of(_check(_record("DSC_0042.JPG", local="2016:06:25 10:00:00"), _record("DSC_0043.JPG", local="2016:06:19 10:00:00")), "timeline")
    assert f.severity is Severity.WARNING and f.evidence["compared_in"] == "utc"


def test_counters_in_order_and_wrapping_are_silent():
    records = [_record(f"IMG_{n:04d}.JPG", local=f"2016:06:19 1{i}:00:00") for i, n in enumerate((9998, 9999, 1, 2))]
    records.append(_record("IMG_0001.JPG", local="2016:06:19 16:00:00", make="Canon", model="EOS 5D", folder="/canon"))  # other device
    assert not _of(_check(*records), "timeline")


def test_name_time_out_of_order_fires():
    (f,) = _of(_check(_record("20160619_100000.jpg", local="2016:06:19 10:00:00"), _record("20160619_110000.jpg", local="2016:06:19 09:00:00")),
               "timeline")  # fmt: skip
    assert f.evidence["key"] == "name time"


def test_untimed_pictures_are_listed():
    (f,) = _of(_check(_record("a.jpg"), _record("b.jpg", local=None, pos=None)), "timeline")
    assert f.severity is Severity.INFO and [os.path.basename(p) for p in f.evidence["untimed"]] == ["b.jpg"]


def _screenshot(name, shows):
    """A screenshot PNG of a picture with hashes ``shows``: a few bits off, as a re-encoded copy hashes."""
    return make_record(f"/set/{name}", width=SIZE[0], height=SIZE[1], hashes=flipped(shows, phash=3, dhash=3))


def test_screenshot_named_before_the_photo_it_shows(tmp_path):
    """From real files: the screenshot (PNG) and the photo (JPEG) of one picture must hash alike."""
    picture = photo(5, SIZE)
    camera_jpeg(tmp_path / "IMG_0005.JPG", image=picture, datetime_original="2016:06:25 10:00:00")
    picture.save(tmp_path / "Screenshot_20160619-120000.png")
    (f,) = _of(_scan(tmp_path), "timeline")
    assert f.severity is Severity.WARNING and f.evidence["lead_seconds"] > 5 * 86400


def test_screenshot_named_after_the_photo_it_shows_is_silent():
    picture = hashes(5)
    records = [
        camera_record("/set/IMG_0005.JPG", hashes=picture, datetime_original="2016:06:19 10:00:00"),
        _screenshot("Screenshot_20160619-120000.png", picture),
        _screenshot("Screenshot_20160601-120000.png", flipped(picture, phash=32)),  # older, but shows something else
    ]
    assert not _of(_check(*records), "timeline")


# ------------------------------------------------------------------ gps-location, time-zone, impossible-travel


def test_gps_location_names_country_place_and_zone():
    got = _check(_record("a.jpg"), _record("b.jpg", pos=(0.0, 0.0), utc="2016:06:19 11:00:00"), _record("c.jpg", pos=None))
    found = {os.path.basename(f.paths[0]): f for f in _of(got, "gps-location")}
    assert set(found) == {"a.jpg", "b.jpg"}
    e = found["a.jpg"].evidence
    assert (e["country_code"], e["place"], e["time_zone"]) == ("SY", "Damascus", "Asia/Damascus")
    assert found["a.jpg"].severity is Severity.INFO
    assert found["b.jpg"].severity is Severity.NOTICE and "placeholder" in found["b.jpg"].message


def test_time_zone_fires_when_offsets_disagree():
    # the phone says +04:00, GPS time implies +03:00, Damascus kept +03:00 in June 2016
    (f,) = _of(_check(_record("a.jpg", offset="+04:00")), "time-zone")
    e = f.evidence
    assert (e["offset_time_original"], e["gps_implied_offset"], e["place_offsets"]) == ("+04:00", "+03:00", ["+03:00"])


def test_time_zone_follows_the_place_history_and_is_silent_when_agreeing():
    records = [
        _record("summer.jpg"),
        _record("winter.jpg", local="2016:01:10 12:00:00", offset="+02:00", utc="2016:01:10 10:00:00"),
        # a GPS stamp from a stale fix, minutes off a quarter hour, says nothing about zones
        _record("stale.jpg", local="2016:06:19 14:22:33", utc="2016:06:19 11:05:00"),
    ]
    assert not _of(_check(*records), "time-zone")


def test_impossible_travel_fires_with_speed_and_thresholds():
    (f,) = _of(_check(_record("a.jpg", local="2016:06:19 10:00:00"), _record("b.jpg", local="2016:06:19 11:00:00", pos=MOSCOW)),
               "impossible-travel")  # fmt: skip
    assert f.severity is Severity.WARNING
    assert 2400 < f.evidence["distance_km"] < 2550
    assert f.evidence["min_speed_kmh"] > 1000 and f.evidence["thresholds_kmh"] == {"notice": 350.0, "warning": 1000.0}


def test_travel_by_air_is_a_notice_and_slow_travel_silent():
    records = [
        _record("a.jpg", local="2016:06:19 06:00:00"),
        _record("b.jpg", local="2016:06:19 12:00:00", pos=MOSCOW),  # 6 hours: a flight
        _record("c.jpg", local="2016:06:25 12:00:00"),  # back a week later
    ]
    (f,) = _of(_check(*records), "impossible-travel")
    assert f.severity is Severity.NOTICE and "by air" in f.message


def test_impossible_travel_tolerates_fix_jitter_over_short_intervals():
    # 3 km apart within one second: a jittery fix, not a 10,000 km/h journey
    records = [_record("a.jpg", local="2016:06:19 10:00:00"), _record("b.jpg", local="2016:06:19 10:00:01", pos=(DAMASCUS[0] + 0.027, DAMASCUS[1]))]
    assert not _of(_check(*records), "impossible-travel")


# ------------------------------------------------------------------ daylight
# the brightness is the reader's mean luma (test_metadata.py); here it is given

BRIGHT, DARK = 150.0, 20.0


def test_daylight_fires_on_bright_picture_at_night_and_dark_at_noon():
    got = _check(_record("night.jpg", luma_mean=BRIGHT, local="2016:06:19 02:00:00"), _record("noon.jpg", luma_mean=DARK, local="2016:06:19 12:00:00"))
    found = {os.path.basename(f.paths[0]): f for f in _of(got, "daylight")}
    assert set(found) == {"night.jpg", "noon.jpg"}
    assert found["night.jpg"].evidence["sun_elevation"] < -12 and found["night.jpg"].evidence["luma_mean"] >= 130
    assert found["noon.jpg"].evidence["sun_elevation"] > 60 and found["noon.jpg"].evidence["luma_mean"] <= 35
    assert all(f.severity is Severity.NOTICE for f in found.values())


def test_daylight_silent_for_flash_and_for_matching_light():
    records = [
        _record("flash.jpg", luma_mean=BRIGHT, local="2016:06:19 02:00:00", flash=0x19),  # fired, auto mode
        _record("dark-night.jpg", luma_mean=DARK, local="2016:06:19 02:00:00"),
        _record("no-gps.jpg", luma_mean=BRIGHT, local="2016:06:19 02:00:00", pos=None, offset=None),
    ]
    assert not _of(_check(*records), "daylight")


# ------------------------------------------------------------------ offline geodata


def test_geodata_loads_offline_and_silently():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network access attempted')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "import forensics.geo.places as g, forensics.geo.sun as s, json\n"
        "p = g.place_at(55.7558, 37.6173)\n"
        "print(json.dumps([p.country_code, p.place, p.time_zone, round(s.sun_elevation(55.75, 37.62, "
        "__import__('datetime').datetime(2016, 6, 21, 9, 0)), 1)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    code_, place, zone, elevation = json.loads(out.stdout)  # nothing else printed
    assert (code_, place, zone) == ("RU", "Moscow", "Europe/Moscow")
    assert 55 < elevation < 58  # near the solstice noon maximum of 57.7°


def test_distance_and_offsets_known_values():
    from forensics.geo.places import distance_km
    from forensics.geo.zones import country_offsets, format_offset

    assert distance_km(*DAMASCUS, *MOSCOW) == pytest.approx(2470, abs=15)
    summer = country_offsets("SY", dt.datetime(2016, 6, 19, 12))
    assert [format_offset(o) for o in summer] == ["+03:00"]
    assert [format_offset(o) for o in country_offsets("SY", dt.datetime(2016, 1, 10, 12))] == ["+02:00"]


# ------------------------------------------------------------------ robustness


def test_set_analysis_survives_records_at_the_edges():
    """Stamps at the ends of the calendar, poles, half-filled GPS, junk offsets: data, never a crash."""
    import random

    from forensics.case.assess import assess
    from forensics.case.file import parse_case
    from forensics.checks import CheckContext, run_checks
    from forensics.records.record import GPS, Hashes, ImageRecord, Metadata
    from forensics.sets.facts import set_facts

    utc = dt.timezone.utc
    times = [None, dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(2016, 3, 27, 2, 30),
             dt.datetime(2016, 6, 19, 12, tzinfo=dt.timezone(dt.timedelta(hours=14)))]  # fmt: skip
    utcs = [None, dt.datetime(1, 1, 1, tzinfo=utc), dt.datetime(9999, 12, 31, 23, tzinfo=utc), dt.datetime(2016, 6, 19, 9, tzinfo=utc)]
    positions = [(None, None), (90.0, 180.0), (-90.0, -180.0), (0.0, 0.0), DAMASCUS, MOSCOW, (10.0, None), (0.0, -30.0)]
    names = ["IMG_0001.JPG", "IMG_9999.JPG", "Screenshot_20160619-120000.png", "20160619_120000.jpg", "x.jpg"]
    rng = random.Random(1)
    records = []
    for i in range(120):
        lat, lon = rng.choice(positions)
        h = f"{rng.getrandbits(64):016x}"
        meta = Metadata(
            make=rng.choice([None, "Apple", "apple ", "Samsung"]), model=rng.choice([None, "iPhone", "SM"]),
            serial=rng.choice([None, "1", "2"]), software=rng.choice([None, "9.3", "9.4", "Photoshop"]),
            datetime_original=rng.choice(times), offset_time_original=rng.choice([None, "+03:00", "-12:00", "junk", "+99:99"]),
            gps=None if rng.random() < 0.2 else GPS(lat=lat, lon=lon, utc=rng.choice(utcs)), flash=rng.choice([None, 0, 25]),
        )  # fmt: skip
        records.append(ImageRecord(
            path=f"/set/{i}/{rng.choice(names)}", kind=rng.choice(["image", "image", "video"]), metadata=meta,
            hashes=rng.choice([None, Hashes(h, h, h, h, h[:14])]), luma_mean=rng.choice([None, 0.0, 255.0]),
            width=rng.choice([None, 100]), height=100, error=rng.choice([None] * 9 + ["damaged"]),
        ))  # fmt: skip
    case = parse_case('[[hypotheses]]\nid = "a"\nstatement = "s"\ncountry = ["SY", "RU"]\ntaken_after = 2016-01-01T00:00:00+03:00\n'
                      'taken_before = 2016-06-22\nsingle_device = false\nunpublished_before = 2016-06-22T00:00:00\n')  # fmt: skip
    for size in (1, 2, 7, 120):
        for start in range(0, len(records), size):
            out, set_findings = run_checks(records[start : start + size], CheckContext(now=NOW))
            findings = tuple(f for r in out for f in r.findings) + tuple(set_findings)
            json.dumps([f.to_dict() for f in findings], allow_nan=False)
            facts = set_facts(out)
            json.dumps(facts.to_dict(), allow_nan=False, default=str)
            json.dumps([a.to_dict() for a in assess(case, out, findings, facts)], allow_nan=False)


def test_real_camera_gps_series_draws_no_set_finding(corpora):
    """Nine untouched shots of one GPS camera walking through a town: silent across the set."""
    folder = corpora / "exif-samples" / "jpg" / "gps"
    if not folder.is_dir():
        pytest.skip("GPS series not in the corpora")
    report = scan([str(folder)], workers=1, now=NOW)
    loud = [f for f in report.findings if f.check in ("device-mix", "timeline", "time-zone", "impossible-travel", "daylight")]
    assert not loud, [f.message for f in loud]
    assert {f.evidence["country_code"] for f in _of(report, "gps-location")} == {"IT"}
