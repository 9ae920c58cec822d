"""Photos of documents (scan --ocr): classifier, page, Tesseract, extraction, checks, case rows.

Not to be confused with tests/test_documents.py, which is about the JSON documents the commands print.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import socket

import numpy as np
import pytest
from click.testing import CliRunner
from docgen import cer, english_text, have_fonts, page, photograph, russian_text
from imagegen import photo
from records import camera_record, make_record

from forensics.case.assess import Verdict, assess
from forensics.case.file import parse_case
from forensics.checks import CheckContext, run_checks
from forensics.cli import cli
from forensics.documents import ocr as ocr_module
from forensics.documents.classify import classify, reduced_grey
from forensics.documents.extract import dates, extract, names_available, numbers, units
from forensics.documents.page import find_corners
from forensics.documents.read import document_text
from forensics.errors import CaseFileError
from forensics.pipeline.scanning import ocr_unavailable, scan
from forensics.records.document import DocumentText, Extracted, Word

needs_fonts = pytest.mark.skipif(not have_fonts(), reason="the DejaVu fonts (fonts-dejavu-core) are not installed")
needs_tesseract = pytest.mark.skipif(
    ocr_unavailable("rus+eng") is not None, reason=f"cannot read documents here: {ocr_unavailable('rus+eng')}"
)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- extraction (pure text) --------------------------------------------------


@pytest.mark.parametrize(
    "text, iso",
    [
        ("выдана 12.05.2016", "2016-05-12"),
        ("от 12 мая 2016 г.", "2016-05-12"),
        ("«3» июня 2015 года", "2015-06-03"),
        ("issued May 12, 2016", "2016-05-12"),
        ("on 12 May 2016", "2016-05-12"),
        ("Dec. 1, 2019", "2019-12-01"),
        ("dated 2016-05-12", "2016-05-12"),
    ],
)
def test_dates_in_russian_and_english_forms(text, iso):
    assert [d.isoformat() for _, d in dates(text)] == [iso]


@pytest.mark.parametrize("text", ["31.02.2016", "12.13.2016", "v1.2.2016x", "123.05.2016", "2016-13-01", "тел. 12.05.20167"])
def test_what_is_not_a_date_is_not_reported(text):
    assert list(dates(text)) == []


def test_a_date_span_points_at_its_text():
    text = "Справка от 12 мая 2016 г. выдана"
    ((span, _),) = dates(text)
    assert text[span[0] : span[1]].startswith("12 мая 2016")


@pytest.mark.parametrize(
    "text, unit",
    [("в/ч 12345", "12345"), ("в/ч № 54321", "54321"), ("войсковая часть 12345", "12345"), ("войсковой части 01234", "01234"),
     ("Military unit 77777", "77777"), ("в. ч. 31313", "31313")],
)  # fmt: skip
def test_unit_numbers(text, unit):
    assert [u for _, u in units(text)] == [unit]


def test_a_long_number_is_not_a_unit_and_a_word_is_not_the_unit_mark():
    assert list(units("в/ч 1234567")) == []
    assert list(units("тв/чм 12345")) == []


def test_personal_and_document_numbers():
    found = [(label, n) for _, label, n in numbers("личный номер: АБ-123456; паспорт серия АА № 1234567; приказ № 0012345")]
    assert found == [("personal number", "АБ-123456"), ("series and number", "АА1234567"), ("document number", "0012345")]


def test_extracted_values_carry_the_box_and_lowest_confidence_of_their_words():
    text = "в/ч 12345"
    words = [Word("в/ч", (0.1, 0.1, 0.2, 0.15), 0.9, (0, 3)), Word("12345", (0.22, 0.1, 0.4, 0.16), 0.7, (4, 9))]
    (unit,) = extract(text, words)
    assert unit.kind == "unit" and unit.value == "12345" and unit.box == (0.1, 0.1, 0.4, 0.16) and unit.confidence == 0.7


@pytest.mark.skipif(not names_available(), reason="natasha is not installed")
def test_names_from_russian_ner_line_by_line(no_network):
    text = "СПРАВКА\nВыдана Морозов Дмитрий Иванович\nКомандир части подпись М.П."
    found = [e for e in extract(text) if e.kind == "name"]
    assert [e.value for e in found] == ["Морозов Дмитрий Иванович"]
    assert text[found[0].span[0] : found[0].span[1]] == "Морозов Дмитрий Иванович"


# --- classifier and page ----------------------------------------------------


@needs_fonts
@pytest.mark.parametrize("seed", [1, 2])
def test_a_photographed_page_is_a_document_and_its_corners_are_found(seed):
    rng = np.random.default_rng(seed)
    typed = russian_text(rng) if seed == 1 else english_text(rng)
    jpeg, corners = photograph(page(typed, seed=seed), seed=seed, frame=(1600, 1200))
    from forensics.read.decode import load_picture

    picture = load_picture(jpeg)
    assert classify(reduced_grey(picture)).document
    found = find_corners(np.asarray(picture.convert("L")))
    assert found is not None
    assert np.abs(found - np.array(corners)).max() < 12  # pixels of a 1600×1200 photo


@pytest.mark.parametrize("seed", range(6))
def test_photos_of_scenes_are_not_documents(seed):
    assert not classify(reduced_grey(photo(seed, (1024, 768)))).document


def test_a_blank_picture_is_not_a_document():
    assert not classify(np.full((384, 512), 230, np.uint8)).document
    assert not classify(np.zeros((8, 8), np.uint8)).document


# --- Tesseract ---------------------------------------------------------------


def test_missing_tesseract_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    problem = ocr_module.tesseract_problem("rus+eng")
    assert problem is not None and "Tesseract is not installed" in problem and "\n" not in problem


@needs_tesseract
def test_missing_language_data_is_named():
    problem = ocr_unavailable("rus+xxx")
    assert problem is not None and "xxx" in problem and "tesseract-ocr-xxx" in problem


@needs_fonts
def test_a_scan_without_tesseract_still_classifies_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    typed = russian_text(np.random.default_rng(3))
    (tmp_path / "doc.jpg").write_bytes(photograph(page(typed, seed=3), seed=3, frame=(1600, 1200))[0])
    photo(5, (800, 600)).save(tmp_path / "scene.jpg", quality=90)
    report = scan([tmp_path], ocr=True, workers=1, time_limit=0)
    by_name = {r.name: r for r in report.images}
    assert by_name["scene.jpg"].document is None
    doc = by_name["doc.jpg"].document
    assert doc is not None and not doc.read and "Tesseract is not installed" in doc.reason
    assert any(f.check == "document-text" and "not read" in f.message for f in by_name["doc.jpg"].findings)


@needs_fonts
def test_the_cli_says_so_in_one_line_and_scans_on(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    photo(5, (800, 600)).save(tmp_path / "scene.jpg", quality=90)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--ocr", "--json", "--time-limit", "0", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert "Tesseract is not installed" in result.stderr and result.stderr.count("\n") == 1
    assert json.loads(result.stdout)["summary"]["images"] == 1


@pytest.mark.slow
@needs_tesseract
@needs_fonts
def test_a_small_page_is_read_with_its_unit_and_date(no_network):
    lines = ("СПРАВКА", "Выдана рядовому", "в/ч 12345", "в том, что он", "проходит службу", "по настоящее время.",
             "Основание: приказ", "Дата выдачи 12 мая 2016 г.", "Командир части")  # fmt: skip
    from docgen import Typed

    sheet = page(Typed(lines, (), ()), width=900, size=40)
    jpeg, _ = photograph(sheet, seed=4, frame=(1400, 1050), warp=0.03, fill=0.9)
    doc = document_text(jpeg, languages="rus")
    assert doc is not None and doc.read, doc
    assert cer("\n".join(lines), doc.text) < 0.1, doc.text
    assert ("unit", "12345") in [(e.kind, e.value) for e in doc.extracted]
    assert ("date", "2016-05-12") in [(e.kind, e.value) for e in doc.extracted]
    unit = next(e for e in doc.extracted if e.kind == "unit")
    assert unit.box is not None and 0 < unit.box[0] < unit.box[2] < 1 and 0 < unit.box[1] < unit.box[3] < 1
    # the boxes are on the photo: the unit stands inside the page's outline
    xs, ys = zip(*doc.page)
    assert min(xs) < unit.box[0] and unit.box[2] < max(xs) and min(ys) < unit.box[1] and unit.box[3] < max(ys)


@pytest.mark.slow
@needs_tesseract
@needs_fonts
def test_a_page_turned_on_its_side_is_turned_back(no_network):
    typed = english_text(np.random.default_rng(8))
    sheet = page(typed, width=1000, size=30).rotate(90, expand=True)
    jpeg, _ = photograph(sheet, seed=8, frame=(1600, 1200), warp=0.02)
    doc = document_text(jpeg, languages="eng")
    assert doc is not None and doc.read and doc.rotation in (90, 270)
    assert cer(typed.text, doc.text) < 0.1, doc.text


@pytest.mark.slow
@needs_tesseract
@needs_fonts
def test_a_scan_reads_a_russian_page_and_weighs_it(tmp_path, no_network):
    typed = russian_text(np.random.default_rng(11))
    jpeg, _ = photograph(page(typed, seed=11), seed=11, quality=80)
    (tmp_path / "doc.jpg").write_bytes(jpeg)
    case = parse_case(
        f'[[hypotheses]]\nid = "h"\nstatement = "s"\nunit = "{typed.units[0]}"\n[[hypotheses]]\nid = "o"\nstatement = "t"\nunit = "99999"'
    )
    report = scan([tmp_path], ocr=True, case=case, workers=1, time_limit=0)
    (record,) = report.images
    doc = record.document
    assert doc is not None and doc.read and doc.kind == "page"
    assert cer(typed.text, doc.text) <= 0.05, doc.text
    assert sorted(e.value for e in doc.values("date")) == sorted(typed.dates)
    rows = {h.id: h.rows[0] for h in report.hypotheses}
    assert rows["h"].verdict is Verdict.CONSISTENT and rows["o"].verdict is Verdict.INCONSISTENT
    d = report.to_dict()["images"][0]["document"]
    assert d["read"] and d["words"] and d["extracted"]


# --- record, checks, case --------------------------------------------------


def _doc(*values: tuple[str, str], conf: float = 0.9) -> DocumentText:
    text = " ".join(v for _, v in values)
    found, at = [], 0
    for kind, value in values:
        found.append(Extracted(kind, value, value, (at, at + len(value)), (0.1, 0.1, 0.2, 0.2), conf))
        at += len(value) + 1
    return DocumentText(kind="page", score=12, languages="rus+eng", text=text, confidence=conf, extracted=tuple(found))


def test_the_record_json_has_a_document_only_when_one_was_read():
    assert "document" not in make_record().to_dict()
    d = make_record(document=_doc(("unit", "12345"))).to_dict()["document"]
    assert d["read"] and d["extracted"][0]["kind"] == "unit" and d["extracted"][0]["box"] == [0.1, 0.1, 0.2, 0.2]


def test_document_text_is_an_info_finding_naming_what_was_found():
    r = make_record(document=_doc(("date", "2016-05-12"), ("unit", "12345")))
    records, _ = run_checks([r], CheckContext())
    (f,) = [f for f in records[0].findings if f.check == "document-text"]
    assert f.severity.value == "info" and "2016-05-12" in f.message and "12345" in f.message


def test_a_document_dated_after_its_photo_and_after_taken_before_is_a_notice():
    case = parse_case('[[hypotheses]]\nid = "h"\nstatement = "s"\ntaken_before = 2016-06-22')
    late = camera_record("/e/IMG_1.JPG", datetime_original="2016:06:21 13:30:05", document=_doc(("date", "2016-06-25")))
    fine = camera_record("/e/IMG_2.JPG", datetime_original="2016:06:21 13:31:05", document=_doc(("date", "2016-05-02")))
    unsure = camera_record("/e/IMG_3.JPG", datetime_original="2016:06:21 13:32:05", document=_doc(("date", "2017-01-01"), conf=0.3))
    _, set_findings = run_checks([late, fine, unsure], CheckContext(now=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), case=case))
    notices = [f for f in set_findings if f.check == "timeline" and f.severity.value == "notice"]
    assert len(notices) == 2 and all(f.paths == ("/e/IMG_1.JPG",) for f in notices)
    assert any("4 days after the photo" in f.message for f in notices)
    assert any("'h'" in f.message and f.evidence["taken_before"] == "2016-06-22" for f in notices)
    beside = [f for f in set_findings if f.check == "timeline" and "beside their capture times" in f.message]
    assert len(beside) == 1 and "/e/IMG_3.JPG" not in beside[0].paths


def test_case_files_may_expect_a_unit_and_a_name():
    case = parse_case('[[hypotheses]]\nid = "h"\nstatement = "s"\nunit = 12345\nname = " Иванов  Пётр "')
    assert case.hypotheses[0].unit == "12345" and case.hypotheses[0].name == "Иванов Пётр"
    with pytest.raises(CaseFileError, match=r"line 4: unit of 'h'"):
        parse_case('[[hypotheses]]\nid = "h"\nstatement = "s"\nunit = "twelve"')
    with pytest.raises(CaseFileError, match="name of 'h'"):
        parse_case('[[hypotheses]]\nid = "h"\nstatement = "s"\nname = ""')


@pytest.mark.parametrize(
    "expect, verdict",
    [('unit = "12345"', Verdict.CONSISTENT), ('unit = "54321"', Verdict.INCONSISTENT),
     ('name = "Пётр Иванов"', Verdict.CONSISTENT), ('name = "Сидоров"', Verdict.INCONSISTENT)],
)  # fmt: skip
def test_the_matrix_weighs_what_documents_say(expect, verdict):
    case = parse_case(f'[[hypotheses]]\nid = "h"\nstatement = "s"\n{expect}')
    r = make_record(document=_doc(("unit", "12345"), ("name", "Иванов Петр Сергеевич")))
    records, set_findings = run_checks([r], CheckContext(case=case))
    findings = [f for x in records for f in x.findings] + list(set_findings)
    (row,) = assess(case, records, findings)[0].rows
    assert row.verdict is verdict
    if verdict is Verdict.CONSISTENT:
        assert row.findings and findings[row.findings[0]].check == "document-text"


def test_without_documents_read_the_rows_are_silent():
    case = parse_case('[[hypotheses]]\nid = "h"\nstatement = "s"\nunit = "12345"')
    (row,) = assess(case, [make_record()], [])[0].rows
    assert row.verdict is Verdict.SILENT and "scan --ocr" in row.observation


def test_tesseract_is_found_where_installed():
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed (tesseract-ocr)")
    assert ocr_module.tesseract_problem("eng") is None


def test_the_report_with_documents_validates_against_the_json_schema(tmp_path, monkeypatch):
    import importlib.resources

    import jsonschema

    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)  # classified, not read: fast everywhere
    if have_fonts():
        (tmp_path / "doc.jpg").write_bytes(photograph(page(russian_text(np.random.default_rng(3)), seed=3), seed=3, frame=(1600, 1200))[0])
    photo(5, (800, 600)).save(tmp_path / "scene.jpg", quality=90)
    report = scan([tmp_path], ocr=True, workers=1, time_limit=0)
    records = [*report.images, make_record("/e/read.jpg", document=_doc(("date", "2016-05-12"), ("unit", "12345")))]
    doc = dataclasses.replace(report, images=tuple(records)).to_dict()
    schema = json.loads(importlib.resources.files("forensics").joinpath("schema/report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert [i["document"]["read"] for i in doc["images"] if "document" in i] == ([False] if have_fonts() else []) + [True]


def test_the_html_card_draws_the_boxes_and_shows_the_text_with_its_values_marked(tmp_path):
    from forensics.render.html import render_html
    from forensics.report import Report

    path = tmp_path / "doc.jpg"
    photo(2, (640, 480)).save(path, quality=90)
    text = "Справка <b>\nв/ч 12345"
    doc = DocumentText(
        kind="page", languages="rus", text=text, confidence=0.9,
        words=(Word("Справка", (0.1, 0.1, 0.3, 0.15), 0.9, (0, 7)), Word("12345", (0.2, 0.3, 0.4, 0.35), 0.9, (16, 21))),
        extracted=(Extracted("unit", "в/ч 12345", "12345", (12, 21), (0.1, 0.3, 0.4, 0.35), 0.9),),
    )  # fmt: skip
    report = Report(images=(make_record(str(path), document=doc),))
    html = render_html(report, workers=1, ela=False)
    assert html.count('class="word word"') == 2 and 'class="word unit" style="left:10.00%;top:30.00%;width:30.00%;height:5.00%"' in html
    assert 'Справка &lt;b&gt;\n<mark title="unit">в/ч 12345</mark>' in html  # the text escaped, its lines kept


@pytest.mark.slow
@needs_tesseract
def test_the_worked_case_reads_its_documents(no_network):
    """samples/stolen-phone with --ocr, as its README's section 4 runs it."""
    from pathlib import Path

    case = Path(__file__).resolve().parents[1] / "samples" / "stolen-phone"
    result = CliRunner().invoke(cli, ["scan", str(case / "evidence"), "--case", str(case / "case.toml"), "--ocr", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    docs = {i["path"].rsplit("/", 1)[-1]: i["document"] for i in report["images"] if "document" in i}
    assert set(docs) == {"IMG_0417.JPG", "IMG-20160621-WA0003.jpg"}
    values = {name: {(e["kind"], e["value"]) for e in d["extracted"]} for name, d in docs.items()}
    assert {("unit", "12345"), ("date", "2016-06-24"), ("number", "АБ-123456")} <= values["IMG_0417.JPG"]
    assert {("unit", "12345"), ("date", "2016-05-02"), ("date", "2016-04-30")} <= values["IMG-20160621-WA0003.jpg"]
    late = [f for f in report["findings"] if f["check"] == "timeline" and f["severity"] == "notice" and "2016-06-24" in f["message"]]
    assert len(late) == 2  # after the photo's capture time, and after recovered's taken_before
    (row,) = [r for r in report["hypotheses"][0]["rows"] if r["criterion"] == "unit"]
    assert row["verdict"] == "consistent"
