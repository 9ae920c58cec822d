"""A fix's stated error (GPSHPositioningError) is read and used where borders and travel weigh accuracy."""

from __future__ import annotations

import dataclasses
import datetime as dt

from imagegen import camera_jpeg
from records import at_utc, camera_record

from forensics import read_file
from forensics.checks import CheckContext, run_checks
from forensics.checks.place import gps_location
from forensics.geo.borders import DEFAULT_ACCURACY_KM
from forensics.records.record import GPS, ImageRecord, Metadata
from forensics.sets.facts import set_facts
from forensics.sets.places import MIN_ACCURACY_KM, stated_accuracy_km

NEAR_TURKEY = (36.633, 37.05)  # in Syria, under 2 km from the Turkish border
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _fix(metres: float | None, pos: tuple[float, float] = NEAR_TURKEY) -> ImageRecord:
    gps = GPS(lat=pos[0], lon=pos[1], h_positioning_error=metres)
    return ImageRecord(path="fix.jpg", kind="image", metadata=Metadata(gps=gps))


def test_positioning_error_is_read_from_exif(tmp_path):
    path = camera_jpeg(tmp_path / "a.jpg", gps=NEAR_TURKEY, extra={"GPS": {31: (125, 10)}})  # 12.5 m
    g = read_file(path).metadata.gps
    assert g is not None and g.h_positioning_error == 12.5
    assert read_file(camera_jpeg(tmp_path / "b.jpg", gps=NEAR_TURKEY)).metadata.gps.h_positioning_error is None


def test_stated_accuracy_in_km_with_a_floor():
    assert stated_accuracy_km(_fix(None)) is None
    assert stated_accuracy_km(_fix(4000.0)) == 4.0
    assert stated_accuracy_km(_fix(3.0)) == MIN_ACCURACY_KM


def test_a_precise_fix_near_a_border_names_one_country():
    (f,) = gps_location(_fix(20.0), None)  # type: ignore[arg-type]  # the check reads no context
    assert f.evidence["country_code"] == "SY" and not f.evidence["neighbours"]
    assert f.evidence["accuracy_km"] == MIN_ACCURACY_KM and f.evidence["accuracy_source"] == "stated"


def test_a_vague_fix_names_both_and_says_the_accuracy_was_stated():
    (f,) = gps_location(_fix(5000.0), None)  # type: ignore[arg-type]
    assert [n["code"] for n in f.evidence["neighbours"]] == ["TR"] and f.evidence["accuracy_km"] == 5.0
    assert "stated accuracy of 5 km" in f.message
    (f,) = gps_location(_fix(None), None)  # type: ignore[arg-type]
    assert f.evidence["accuracy_km"] == DEFAULT_ACCURACY_KM and f.evidence["accuracy_source"] == "assumed"
    assert "assumed accuracy" in f.message


def test_the_set_facts_use_the_stated_accuracy():
    precise = dataclasses.replace(camera_record("/s/a.jpg", gps=NEAR_TURKEY), kind="image")
    m = precise.metadata
    precise = dataclasses.replace(precise, metadata=dataclasses.replace(m, gps=dataclasses.replace(m.gps, h_positioning_error=20.0)))
    (located,) = set_facts([precise]).located
    assert not located.place.neighbours


def _traveller(name: str, local: str, pos: tuple[float, float], metres: float | None) -> ImageRecord:
    utc = (dt.datetime.strptime(local, "%Y:%m:%d %H:%M:%S") - dt.timedelta(hours=3)).strftime("%Y:%m:%d %H:%M:%S")
    r = camera_record(f"/s/{name}", datetime_original=local, offset_time_original="+03:00", gps=pos, gps_utc=at_utc(utc))
    return dataclasses.replace(
        r, metadata=dataclasses.replace(r.metadata, gps=dataclasses.replace(r.metadata.gps, h_positioning_error=metres))
    )


def test_travel_allows_for_a_large_stated_error():
    # 100 km in 10 minutes: by air, unless each fix may be 20 km off as it says
    def travel(metres):
        records = [_traveller("a.jpg", "2016:06:19 10:00:00", (33.5138, 36.2765), metres),
                   _traveller("b.jpg", "2016:06:19 10:10:00", (34.4138, 36.2765), metres)]  # fmt: skip
        _, found = run_checks(records, CheckContext(now=NOW))
        return [f for f in found if f.check == "impossible-travel"]

    (f,) = travel(None)
    assert f.evidence["position_tolerances_km"] == [2.0, 2.0]
    assert not travel(20_000.0)
    (f,) = travel(500.0)  # a small stated error never shrinks the tolerance below the default
    assert f.evidence["position_tolerance_km"] == 2.0
