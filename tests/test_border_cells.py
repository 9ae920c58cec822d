"""The grid of cells no border crosses answers as the polygons do, and only where it may."""

from __future__ import annotations

import random

import pytest

from forensics.geo import borders


@pytest.fixture(scope="module")
def points():
    rng = random.Random(12)
    regions = [(30, 40, 33, 48), (44, 56, 22, 41), (-5, 5, 100, 120), (60, 70, -30, 30)]  # Levant, Ukraine, islands, north
    return [(rng.uniform(a, b), rng.uniform(c, d)) for a, b, c, d in regions for _ in range(12)]


def test_cells_answer_as_the_polygons_do(points):
    answered = 0
    for lat, lon in points:
        for accuracy in (0.5, 3.0, 25.0):
            quick = borders._from_cell(lat, lon, accuracy)
            if quick is None:
                continue
            answered += 1
            assert quick == borders._country_by_polygons(lat, lon, accuracy), (lat, lon, accuracy)
    assert answered > len(points)  # most fixes are answered from their cell


def test_a_cell_a_border_crosses_is_never_used():
    # the Syrian-Turkish border runs through this cell: the polygons decide, and both countries are named
    assert borders._cell(36.633, 37.05) is None
    c = borders.country_at(36.633, 37.05, accuracy_km=2.0)
    assert c.code == "SY" and [n.code for n in c.neighbours] == ["TR"]


def test_a_fix_whose_accuracy_reaches_a_border_goes_to_the_polygons():
    lat, lon = 33.5138, 36.2765  # Damascus, some 25 km from Lebanon
    cell = borders._cell(lat, lon)
    assert cell is not None and cell.key == "SY"
    assert borders._from_cell(lat, lon, 3.0) is not None
    assert borders._from_cell(lat, lon, cell.clear_km + 1) is None
    far = borders.country_at(lat, lon, accuracy_km=cell.clear_km + 30)
    assert far.code == "SY" and any(n.code == "LB" for n in far.neighbours)


def test_sea_and_disputed_cells():
    sea = borders.country_at(35.0, 18.0)  # the Ionian Sea
    assert sea.code is None and sea.at_sea and sea == borders._country_by_polygons(35.0, 18.0, borders.DEFAULT_ACCURACY_KM)
    crimea = borders.country_at(45.2, 34.3)
    assert crimea.disputed is not None and crimea.code is None
