"""Countries from borders: deep inside, near a border, disputed areas, the sea, the 0, 0 placeholder."""

from __future__ import annotations

import pytest
from imagegen import camera_jpeg

from forensics import scan
from forensics.case.assess import Verdict, assess
from forensics.case.file import parse_case
from forensics.checks.place import gps_location
from forensics.geo.borders import country_at
from forensics.geo.places import place_at
from forensics.knowledge.disputed import DISPUTED
from forensics.records.record import GPS, ImageRecord, Metadata


def _finding(lat: float, lon: float):
    record = ImageRecord(path="fix.jpg", kind="image", metadata=Metadata(gps=GPS(lat=lat, lon=lon)))
    (f,) = gps_location(record, None)  # type: ignore[arg-type]  # the check reads no context
    return f


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (33.5138, 36.2765, "SY"),  # Damascus
        (39.93, 32.85, "TR"),  # Ankara
        (33.31, 44.36, "IQ"),  # Baghdad
        (33.89, 35.50, "LB"),  # Beirut
        (55.75, 37.62, "RU"),  # Moscow
        (50.45, 30.52, "UA"),  # Kyiv
        (48.86, 2.35, "FR"),  # Paris
    ],
)
def test_deep_inside_a_country(lat, lon, code):
    c = country_at(lat, lon)
    assert c.code == code and c.disputed is None and not c.neighbours
    assert c.border_km is not None and c.border_km > 20


@pytest.mark.parametrize(
    ("lat", "lon", "code", "town_country"),
    [
        (36.58665, 39.80467, "SY", "TR"),  # 19 km inside Syria; Ceylanpınar is across the border
        (31.75121, 41.18582, "IQ", "SA"),  # Iraqi desert; the nearest town is Arar
        (50.20441, 115.66754, "RU", "MN"),
    ],
)
def test_the_border_decides_not_the_nearest_town(lat, lon, code, town_country):
    p = place_at(lat, lon)
    assert p.country_code == code and p.place_country_code == town_country
    assert p.country_source == "borders" and 15 <= p.border_km <= 35


def test_fix_near_the_syrian_turkish_border_names_both():
    p = place_at(36.633, 37.05, accuracy_km=2.0)
    assert p.country_code == "SY"
    assert p.border_km < 2.0 and [n.code for n in p.neighbours] == ["TR"]
    assert set(p.candidates) == {"SY", "TR"}
    f = _finding(36.633, 37.05)
    assert f.evidence["country_code"] == "SY" and f.evidence["neighbours"][0]["code"] == "TR"
    assert "border with Turkey (TR)" in f.message and "either side" in f.message


def test_crimea_is_disputed_not_given_to_one_side():
    p = place_at(44.95, 34.10)  # near Simferopol
    assert p.country_code is None and p.disputed is not None
    assert p.disputed.id == "crimea" and set(p.disputed.claimants) == {"UA", "RU"}
    assert "disputed" in p.label
    e = _finding(44.61, 33.52).evidence  # Sevastopol
    assert e["country_code"] is None and e["disputed"]["claimants"] == ["UA", "RU"]


def test_golan_heights_are_disputed():
    c = country_at(33.05, 35.75)
    assert c.disputed is not None and c.disputed.id == "golan-heights"
    assert c.code is None and c.zone_code == "IL" and "SY" in c.disputed.claimants
    # west of the outline, in the Hula valley, the fix is in Israel
    assert country_at(33.10, 35.60).code == "IL"


def test_kherson_next_to_crimea_names_it_as_neighbour():
    c = country_at(46.25, 33.90, accuracy_km=10.0)
    assert c.code == "UA" and any(n.code is None and n.name == "Crimea" for n in c.neighbours)


def test_at_sea():
    p = place_at(35.0, 18.0)  # the Ionian Sea
    assert p.at_sea and p.country_code is None and p.disputed is None
    f = _finding(35.0, 18.0)
    assert f.evidence["at_sea"] is True and "territorial waters" in f.message


def test_zero_zero_is_a_placeholder_not_a_place():
    f = _finding(0.0, 0.0)
    assert f.severity.value == "notice" and f.evidence == {"lat": 0.0, "lon": 0.0}


def test_every_disputed_area_names_its_source_and_claimants():
    for area in DISPUTED:
        assert area.source and area.claimants and (area.zone or len(area.outline) >= 4)
        assert area.zone is None or country_at(*_inside_point(area)).disputed == area


def _inside_point(area):
    return {"Europe/Simferopol": (44.95, 34.10), "Asia/Famagusta": (35.34, 33.32), "Africa/El_Aaiun": (27.15, -13.20)}[area.zone]


CASE = """\
[[hypotheses]]
id = "ua"
statement = "Taken in Ukraine"
country = "UA"

[[hypotheses]]
id = "ru"
statement = "Taken in Russia"
country = "RU"

[[hypotheses]]
id = "pl"
statement = "Taken in Poland"
country = "PL"
"""


def test_matrix_weighs_a_disputed_fix_for_every_claimant(tmp_path):
    camera_jpeg(tmp_path / "IMG_0001.JPG", seed=1, size=(160, 120), gps=(44.95, 34.10))
    report = scan([str(tmp_path)], workers=1)
    rows = {a.id: next(r for r in a.rows if r.criterion == "country (GPS)") for a in assess(parse_case(CASE), report.images, report.findings)}
    assert rows["ua"].verdict is Verdict.CONSISTENT and rows["ru"].verdict is Verdict.CONSISTENT
    assert "disputed" in rows["ua"].observation
    assert rows["pl"].verdict is Verdict.INCONSISTENT


def test_matrix_is_silent_on_a_fix_within_reach_of_the_wanted_border(tmp_path):
    camera_jpeg(tmp_path / "IMG_0001.JPG", seed=1, size=(160, 120), gps=(36.633, 37.05))
    report = scan([str(tmp_path)], workers=1)
    case = parse_case('[[hypotheses]]\nid = "tr"\nstatement = "Taken in Turkey"\ncountry = "TR"\n')
    (a,) = assess(case, report.images, report.findings)
    row = next(r for r in a.rows if r.criterion == "country (GPS)")
    assert row.verdict is Verdict.SILENT and "TR" in row.observation
    gps = [i for i, f in enumerate(report.findings) if f.check == "gps-location"]
    assert gps and not set(gps) & (set(a.consistent) | set(a.inconsistent))


def test_a_places_lookup_does_not_load_numba():
    # timezonefinder compiles its loops with numba when it can import it (the reference search's kernel
    # installs it), which cost a fresh process 0.5 s before its first place; the lookup hides it
    import subprocess
    import sys

    probe = "import sys; from forensics.geo.places import place_at; place_at(50.45, 30.52); print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
