"""Content Credentials (C2PA): read, validated offline, held against the file's metadata.

The signed files are made here, with c2pa-python's Builder and a certificate
chain generated per session (``c2pagen``): a valid capture, the same with one
pixel changed, an edit with the capture as its ingredient, an AI-generated
picture, a stripped copy, a manifest that disagrees with its file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import io
import json
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from imagegen import exif_bytes, photo
from PIL import Image
from records import camera_record

from forensics.case.assess import Verdict, assess
from forensics.case.file import parse_case
from forensics.checks.credentials import content_credentials, credentials_mismatch
from forensics.checks.registry import CheckContext
from forensics.cli import cli
from forensics.errors import CaseFileError, UnreadableFile
from forensics.read import credentials as reading
from forensics.read.credentials import load_trust_anchors, with_trust
from forensics.read.files import read_file
from forensics.read.jumbf import manifest_labels, survey
from forensics.read.sniff import sniff
from forensics.records.findings import Severity
from forensics.records.record import Action, Credentials, Manifest, Signer, Trust, Validation

CTX = CheckContext(now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
EXIF_TIME = "2024:05:01 12:00:00"  # local time at UTC+02:00: 10:00 UTC
ASSERTED = {
    "exif:DateTimeOriginal": "2024-05-01T12:00:00+02:00",
    "exif:GPSLatitude": "52,31.2N",
    "exif:GPSLongitude": "13,24.0E",
    "tiff:Make": "Google",
    "tiff:Model": "Pixel 8",
}


def _findings(record, check_func) -> list:
    return list(check_func(record, CTX))


def _jpeg(*, seed: int = 1, xmp: bytes | None = None, **exif_args) -> bytes:
    args = {"make": "Google", "model": "Pixel 8", "datetime_original": EXIF_TIME, "offset": "+02:00", "gps": (52.52, 13.40)}
    args.update(exif_args)
    buf = io.BytesIO()
    photo(seed, (160, 120)).save(buf, "JPEG", quality=90, exif=exif_bytes(**args), **({"xmp": xmp} if xmp else {}))
    return buf.getvalue()


@pytest.fixture(scope="module")
def c2pagen():
    pytest.importorskip("c2pa", reason="c2pa-python has no wheel for this platform")
    import c2pagen

    return c2pagen


@pytest.fixture(scope="module")
def chain(c2pagen):
    return c2pagen.make_chain()


@pytest.fixture(scope="module")
def files(tmp_path_factory, c2pagen, chain) -> dict[str, Path]:
    """The signed set, written once for the module."""
    folder = tmp_path_factory.mktemp("signed")
    out: dict[str, bytes] = {}
    capture = c2pagen.sign(_jpeg(xmp=c2pagen.XMP_PROVENANCE), c2pagen.manifest(exif=ASSERTED), chain)
    out["capture.jpg"] = capture
    buf = io.BytesIO()
    photo(1, (160, 120)).save(buf, "PNG")
    png = c2pagen.sign(buf.getvalue(), c2pagen.manifest(title="capture.png"), chain, mime="image/png")
    out["capture.png"] = png
    out["one-pixel.png"] = c2pagen.png_with_pixel_changed(png)
    edit = c2pagen.manifest(generator="Test Editor", title="edited.jpg", actions=[
        {"action": "c2pa.opened", "parameters": {"ingredientIds": ["capture"]}},
        {"action": "c2pa.edited", "softwareAgent": {"name": "Test Editor 2.1"}, "when": "2024-05-02T08:00:00Z", "description": "cropped"},
    ])  # fmt: skip
    cropped = io.BytesIO()
    photo(1, (160, 120)).crop((10, 10, 150, 110)).save(cropped, "JPEG", quality=90, exif=exif_bytes(
        make="Google", model="Pixel 8", datetime_original=EXIF_TIME, offset="+02:00", gps=(52.52, 13.40)))  # fmt: skip
    ingredient = {"title": "capture.jpg", "relationship": "parentOf", "instance_id": "capture", "label": "capture"}
    out["edited.jpg"] = c2pagen.sign(cropped.getvalue(), edit, chain, ingredients=((ingredient, capture),))
    out["ai.jpg"] = c2pagen.sign(_jpeg(seed=2, make=None, model=None, gps=None, datetime_original=None),
                                 c2pagen.manifest(generator="Image Model", source=c2pagen.AI, agent="Image Model 3"), chain)  # fmt: skip
    out["stripped.jpg"] = c2pagen.strip_app11(capture)
    far = dict(ASSERTED, **{"exif:DateTimeOriginal": "2024-05-03T08:00:00+02:00", "exif:GPSLatitude": "51,30.0N",
                            "exif:GPSLongitude": "0,7.0W", "tiff:Make": "Apple", "tiff:Model": "iPhone 15"})  # fmt: skip
    out["mismatch.jpg"] = c2pagen.sign(_jpeg(seed=3), c2pagen.manifest(exif=far), chain)
    near = dict(ASSERTED, **{"exif:DateTimeOriginal": "2024-05-01T12:30:00+02:00", "exif:GPSLatitude": "52,34.0N"})
    out["near.jpg"] = c2pagen.sign(_jpeg(seed=4), c2pagen.manifest(exif=near), chain)
    out["plain.jpg"] = _jpeg(seed=5)
    paths = {}
    for name, data in out.items():
        (folder / name).write_bytes(data)
        paths[name] = folder / name
    (folder / "ca.pem").write_bytes(chain.ca_pem)
    paths["ca.pem"] = folder / "ca.pem"
    return paths


@pytest.fixture(scope="module")
def records(files) -> dict[str, object]:
    return {name: read_file(p) for name, p in files.items() if not name.endswith(".pem")}


# --- reading ----------------------------------------------------------------------------------


def test_a_signed_capture_is_read_whole(records):
    c = records["capture.jpg"].credentials
    assert c is not None and c.present and c.validation is Validation.VALID
    assert c.trust is Trust.NOT_CHECKED and c.trust_list is None
    assert c.container == "JPEG APP11 (JUMBF)" and c.size > 0 and c.reader.startswith("c2pa-rs ")
    m = c.manifest
    assert m.claim_generator == "Test Camera 1.0" and m.title == "capture.jpg"
    s = c.signer
    assert (s.common_name, s.organization) == ("Test Camera Signer", "Test Camera Maker")
    assert s.subject == "CN=Test Camera Signer, O=Test Camera Maker" and s.issuer == "CN=Test Camera Maker Root CA, O=Test Camera Maker"
    assert s.time is None and s.time_stamp_authority is None  # signed without a time-stamp authority
    assert s.not_before is not None and s.not_after > s.not_before
    (action,) = m.actions
    assert action.action == "c2pa.created" and action.software_agent == "Test Camera firmware 1.0"
    assert action.when == dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone.utc)
    assert action.digital_source_type.endswith("/digitalCapture")
    assert m.exif["tiff:Model"] == "Pixel 8" and not c.failures
    assert c.store is None  # kept only when every tag is asked for


def test_one_pixel_changed_breaks_the_content_hash(records):
    assert records["capture.png"].credentials.validation is Validation.VALID
    c = records["one-pixel.png"].credentials
    assert c.validation is Validation.INVALID
    assert any(f.code.endswith(".mismatch") and f.code.startswith("assertion.") for f in c.failures), c.failures


def test_an_edit_keeps_its_ingredient_as_a_chain(records):
    c = records["edited.jpg"].credentials
    assert c.validation is Validation.VALID and len(c.chain) == 2
    own, parent = c.chain
    assert [a.action for a in own.actions] == ["c2pa.opened", "c2pa.edited"]
    assert own.actions[1].software_agent == "Test Editor 2.1" and own.actions[1].description == "cropped"
    (ingredient,) = own.ingredients
    assert ingredient.relationship == "parentOf" and ingredient.title == "capture.jpg" and ingredient.manifest == parent.label
    assert parent.claim_generator == "Test Camera 1.0" and parent.actions[0].action == "c2pa.created"
    assert not c.ingredient_failures


def test_a_stripped_copy_keeps_only_traces(records):
    c = records["stripped.jpg"].credentials
    assert c is not None and not c.present and c.validation is Validation.UNCHECKED
    assert c.traces == ("XMP dcterms:provenance = self#jumbf=/c2pa/urn:c2pa:1b7e0d2a-5c1e-4a57-9c1f-2f1d2b3c4d5e",)
    assert records["plain.jpg"].credentials is None


@pytest.mark.parametrize("fmt", ["HEIF", "PNG", "WEBP", "TIFF"])
def test_stripped_traces_are_found_in_each_formats_xmp(tmp_path, fmt):
    import c2pagen  # the XMP only; no signing

    if fmt == "HEIF":
        pytest.importorskip("pillow_heif").register_heif_opener()
    from PIL.PngImagePlugin import PngInfo

    png = PngInfo()
    png.add_itxt("XML:com.adobe.xmp", c2pagen.XMP_PROVENANCE.decode())
    options = {"PNG": {"pnginfo": png}, "TIFF": {"tiffinfo": {700: c2pagen.XMP_PROVENANCE}}}.get(fmt, {"xmp": c2pagen.XMP_PROVENANCE})
    buf = io.BytesIO()
    photo(9, (320, 240)).save(buf, fmt, **options)
    path = tmp_path / f"stripped.{fmt.lower()}"
    path.write_bytes(buf.getvalue())
    c = read_file(path, hashes=False).credentials
    assert c is not None and not c.present and c.traces and "self#jumbf=/c2pa/" in c.traces[0], fmt


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF", "HEIF", "AVIF", "GIF", "MP4", "MOV"])
def test_every_container_is_found_and_validated(tmp_path, c2pagen, chain, fmt):
    if fmt in ("MP4", "MOV"):
        from videogen import Clip

        data = Clip(3, (0.4,)).write(tmp_path / f"clip.{fmt.lower()}").read_bytes()
    else:
        if fmt == "HEIF":
            pytest.importorskip("pillow_heif").register_heif_opener()
        elif fmt == "AVIF" and "AVIF" not in Image.SAVE:
            pytest.skip("this Pillow cannot write AVIF")
        buf = io.BytesIO()
        photo(7, (64, 48)).save(buf, fmt)
        data = buf.getvalue()
    ftype = sniff(data[:64])
    assert ftype.format == fmt
    signed = c2pagen.sign(data, c2pagen.manifest(), chain, mime=ftype.mime)
    path = tmp_path / f"signed.{fmt.lower()}"
    path.write_bytes(signed)
    c = read_file(path, hashes=False).credentials
    assert c is not None and c.validation is Validation.VALID, (c and c.error, c and c.failures)
    assert c.manifest.actions[0].action == "c2pa.created"
    store, _ = survey(signed, fmt)
    assert store is not None and manifest_labels(store.jumbf) == (c.active,)
    assert survey(data, fmt)[0] is None  # the unsigned original has none


def test_without_the_sdk_the_store_is_still_reported(files, monkeypatch):
    monkeypatch.setitem(sys.modules, "c2pa", None)  # `import c2pa` now fails, as where no wheel installs
    c = read_file(files["edited.jpg"], hashes=False).credentials
    assert c.present and c.validation is Validation.UNCHECKED and c.reader is None
    assert c.error == reading.NOT_INSTALLED and len(c.chain) == 2 and c.active == c.chain[0].label
    (f,) = _findings(dataclasses.replace(camera_record(), credentials=c), content_credentials)
    assert f.severity is Severity.NOTICE and "not validated" in f.message and "2 manifest(s)" in f.message


def test_a_file_without_credentials_never_loads_the_sdk(files):
    code = (
        "import sys; from forensics.read.files import read_file; "
        f"r = read_file({str(files['plain.jpg'])!r}); assert r.credentials is None and r.error is None; "
        "print('c2pa' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_hostile_stores_do_not_escape(tmp_path):
    # a truncated APP11 JUMBF header, a caBX chunk of garbage, a box claiming more than the file
    box = b"\x00\x00\xff\xffjumb\x00\x00\x00\x19jumdc2pa\x00\x11\x00\x10"  # claims 64 KiB, holds 24 bytes
    jpeg = b"\xff\xd8\xff\xeb" + (10 + len(box)).to_bytes(2, "big") + b"JP\x00\x01\x00\x00\x00\x01" + box + _jpeg()[2:]
    store, _ = survey(jpeg, "JPEG")
    assert store is not None  # the header says store; the reader decides what it is worth
    path = tmp_path / "hostile.jpg"
    path.write_bytes(jpeg)
    r = read_file(path)
    assert r.error is None and r.credentials is not None and r.credentials.present
    assert manifest_labels(b"\x00\x00\x00\x08jumb") == () and manifest_labels(b"\xff" * 40) == ()
    assert survey(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0ccaBX" + b"\x00" * 8, "PNG")[0] is None


# --- offline ----------------------------------------------------------------------------------


class _Listener:
    """A loopback HTTP server that answers 404 and counts every request: the reader must send none."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args) -> None:
                pass

        self.server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def test_reading_works_with_sockets_blocked(files, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in ("capture.jpg", "edited.jpg", "one-pixel.png"):
        c = read_file(files[name]).credentials
        assert c.reader is not None and c.validation is not Validation.UNCHECKED and c.error is None


def test_a_remote_manifest_is_named_and_never_fetched(tmp_path, c2pagen, chain, listener):
    data = c2pagen.sign(_jpeg(seed=6), c2pagen.manifest(), chain, remote_url=f"{listener.url}/manifest.c2pa")
    path = tmp_path / "remote.jpg"
    path.write_bytes(data)
    c = read_file(path).credentials
    assert c is not None and not c.present and c.remote == f"{listener.url}/manifest.c2pa"
    (f,) = _findings(dataclasses.replace(camera_record(), credentials=c), content_credentials)
    assert f.severity is Severity.NOTICE and "not fetched" in f.message
    # the reader's own settings hold too, were it handed the file: it refuses to fetch
    import c2pa

    with pytest.raises(c2pa.C2paError, match="remote"):
        c2pa.Reader("image/jpeg", io.BytesIO(data), None, context=reading._context(c2pa, None))
    assert listener.requests == []
    # and the test can fail: the SDK's defaults do fetch
    with pytest.raises(c2pa.C2paError):
        c2pa.Reader("image/jpeg", io.BytesIO(data), None, context=c2pa.Context.from_dict({}))
    assert listener.requests == ["/manifest.c2pa"]


def test_ocsp_is_never_asked(tmp_path, c2pagen, listener):
    chain = c2pagen.make_chain(ocsp_url=f"{listener.url}/ocsp")
    path = tmp_path / "ocsp.jpg"
    path.write_bytes(c2pagen.sign(_jpeg(seed=8), c2pagen.manifest(), chain))
    c = read_file(path).credentials
    assert c.validation is Validation.VALID and listener.requests == []
    anchors = tmp_path / "ca.pem"
    anchors.write_bytes(chain.ca_pem)
    (r,) = with_trust([read_file(path)], load_trust_anchors(anchors))
    assert r.credentials.trust is Trust.TRUSTED and listener.requests == []


# --- trust ------------------------------------------------------------------------------------


def test_trust_only_against_the_anchors_given(files, records, c2pagen, tmp_path):
    capture = records["capture.jpg"]
    (trusted,) = with_trust([capture], load_trust_anchors(files["ca.pem"]))
    c = trusted.credentials
    assert c.trust is Trust.TRUSTED and c.trust_list == str(files["ca.pem"]) and c.validation is Validation.VALID
    other = tmp_path / "other.pem"
    other.write_bytes(c2pagen.make_chain(org="Someone Else").ca_pem)
    (untrusted,) = with_trust([capture], load_trust_anchors(other))
    assert untrusted.credentials.trust is Trust.UNTRUSTED
    (f,) = _findings(untrusted, content_credentials)
    assert f.severity is Severity.NOTICE and "NOT on the trust list" in f.message
    (f,) = _findings(capture, content_credentials)
    assert "signer not checked against a trust list" in f.message and "trusted" not in f.message
    unsigned = records["plain.jpg"]
    assert with_trust([unsigned], load_trust_anchors(files["ca.pem"])) == [unsigned]


def test_a_scan_with_anchors_validates_each_signed_file_once(files, monkeypatch):
    """The anchors go to the reading itself, in the workers: the parent validates nothing again."""
    import forensics
    from forensics.read import credentials

    calls = []
    real = credentials._validated
    monkeypatch.setattr(credentials, "_validated", lambda *a, **kw: calls.append(a[0]) or real(*a, **kw))
    folder = files["capture.jpg"].parent
    report = forensics.scan([folder], trust_anchors=files["ca.pem"], workers=1, time_limit=60)  # a time limit: read in a worker
    signed = [r for r in report.images if r.credentials is not None and r.credentials.present]
    assert calls == [] and len(signed) > 3
    by_name = {Path(r.path).name: r.credentials for r in signed}
    assert by_name["capture.jpg"].trust is Trust.TRUSTED and by_name["capture.jpg"].trust_list == str(files["ca.pem"])
    listing = forensics.describe([files["capture.jpg"]], trust_anchors=files["ca.pem"])  # read here: once
    assert listing.files[0].credentials.trust is Trust.TRUSTED and calls == [str(files["capture.jpg"])]


def test_a_trust_list_must_hold_certificates(tmp_path, files):
    bad = tmp_path / "empty.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(UnreadableFile, match="no PEM certificate"):
        load_trust_anchors(bad)
    result = CliRunner().invoke(cli, ["scan", str(files["capture.jpg"]), "--trust-anchors", str(bad), "--quiet"])
    assert result.exit_code == 1 and "no PEM certificate" in result.output


def test_a_changed_file_is_not_checked_against_the_list(tmp_path, files, records):
    path = tmp_path / "capture.jpg"
    path.write_bytes(files["capture.jpg"].read_bytes())
    record = read_file(path)
    path.write_bytes(files["edited.jpg"].read_bytes())
    (again,) = with_trust([record], load_trust_anchors(files["ca.pem"]))
    assert again.credentials.trust is Trust.NOT_CHECKED and "changed after it was read" in again.credentials.error


# --- checks on the signed files ---------------------------------------------------------------


def test_content_credentials_fire_and_stay_silent(records):
    (valid,) = _findings(records["capture.jpg"], content_credentials)
    assert valid.severity is Severity.INFO and "Test Camera Maker — Test Camera Signer" in valid.message
    assert valid.evidence["validation"] == "valid" and valid.evidence["trust"] == "not checked against a trust list"
    assert "not that what the picture shows is true" in valid.message
    (broken,) = _findings(records["one-pixel.png"], content_credentials)
    assert broken.severity is Severity.WARNING and "mismatch" in broken.message and broken.evidence["failures"]
    (edit,) = _findings(records["edited.jpg"], content_credentials)
    assert edit.severity is Severity.INFO and "edited by Test Editor 2.1" in edit.message
    valid_ai, ai = _findings(records["ai.jpg"], content_credentials)
    assert valid_ai.severity is Severity.INFO
    assert ai.severity is Severity.NOTICE and "trainedAlgorithmicMedia" in ai.message and "Image Model 3" in ai.message
    assert ai.evidence["source_types"][0]["ai"] is True
    assert _findings(records["stripped.jpg"], content_credentials) == []
    assert _findings(records["plain.jpg"], content_credentials) == []


def test_credentials_mismatch_fires_and_stays_silent(records):
    for name in ("capture.jpg", "edited.jpg", "ai.jpg", "plain.jpg", "capture.png"):
        assert _findings(records[name], credentials_mismatch) == [], name
    (stripped,) = _findings(records["stripped.jpg"], credentials_mismatch)
    assert stripped.severity is Severity.NOTICE and "dcterms:provenance" in stripped.message
    far = {_kind(f): f for f in _findings(records["mismatch.jpg"], credentials_mismatch)}
    assert set(far) == {"time", "device", "gps"} and all(f.severity is Severity.WARNING for f in far.values()), [f.message for f in far.values()]
    assert far["time"].evidence["gap_seconds"] == 44 * 3600 and far["gps"].evidence["km"] > 900
    near = {_kind(f): f for f in _findings(records["near.jpg"], credentials_mismatch)}
    assert set(near) == {"time", "gps"} and all(f.severity is Severity.NOTICE for f in near.values()), [f.message for f in near.values()]
    assert near["time"].evidence["gap_seconds"] == 1800 and 4 < near["gps"].evidence["km"] < 6


def _kind(f) -> str:
    return "gps" if "km" in f.evidence else "time" if "gap_seconds" in f.evidence else "device"


# --- checks on constructed records ------------------------------------------------------------


def _signed_record(*, exif: dict[str, str] | None = None, when: str | None = None, signed_at: dt.datetime | None = None,
                   link: int = 0, **fields) -> object:  # fmt: skip
    created = Action("c2pa.created", when=dt.datetime.fromisoformat(when) if when else None)
    capture = Manifest("urn:c2pa:capture", actions=(created,), exif=exif or {}, signer=Signer(common_name="Cam", time=signed_at))
    chain = (capture,) if link == 0 else (Manifest("urn:c2pa:edit", actions=(Action("c2pa.edited"),)), capture)
    c = Credentials(validation=Validation.VALID, active=chain[0].label, chain=chain, reader="test")
    return camera_record(credentials=c, **fields)


def test_times_are_compared_in_the_closest_time_zone():
    # the file states no offset: 14:22 local may be 10:22 UTC (UTC+4)
    assert _findings(_signed_record(when="2016-06-19T10:22:40+00:00"), credentials_mismatch) == []
    (f,) = _findings(_signed_record(when="2016-06-19T10:50:00+00:00"), credentials_mismatch)  # 27 min off any zone
    assert f.severity is Severity.NOTICE and "closest time zone" in f.message
    (f,) = _findings(_signed_record(when="2016-06-21T10:22:33+00:00"), credentials_mismatch)  # two days
    assert f.severity is Severity.WARNING
    # with an offset, the zone is known: 14:22:33+02:00 is 12:22:33 UTC, not 10:22
    (f,) = _findings(_signed_record(when="2016-06-19T10:22:33+00:00", offset_time_original="+02:00"), credentials_mismatch)
    assert f.severity is Severity.WARNING and f.evidence["gap_seconds"] == 7200


def test_an_ingredients_claims_weigh_less():
    (f,) = _findings(_signed_record(exif={"tiff:Make": "Canon", "tiff:Model": "EOS R5"}, link=1), credentials_mismatch)
    assert f.severity is Severity.NOTICE and "ingredient" in f.message
    (f,) = _findings(_signed_record(exif={"tiff:Make": "Canon", "tiff:Model": "EOS R5"}), credentials_mismatch)
    assert f.severity is Severity.WARNING and "another device" in f.message
    assert _findings(_signed_record(exif={"tiff:Make": "Apple", "tiff:Model": "iPhone 6s"}), credentials_mismatch) == []


def test_a_capture_after_its_signature_is_a_warning():
    signed = dt.datetime(2016, 6, 18, 0, 0, tzinfo=dt.timezone.utc)  # 14:22 local on the 19th is later in every zone
    (f,) = _findings(_signed_record(signed_at=signed), credentials_mismatch)
    assert f.severity is Severity.WARNING and "after the time stamp" in f.message
    assert _findings(_signed_record(signed_at=dt.datetime(2016, 6, 19, 10, 0, tzinfo=dt.timezone.utc)), credentials_mismatch) == []


def test_gps_and_device_missing_from_the_file():
    exif = {"exif:GPSLatitude": "48,51.4N", "exif:GPSLongitude": "2,21.1E", "tiff:Make": "Sony"}
    found = _findings(_signed_record(exif=exif, make=None, model=None), credentials_mismatch)
    assert sorted(f.severity.value for f in found) == ["notice", "notice"]
    assert any("GPS tags were removed" in f.message for f in found) and any("names none" in f.message for f in found)


def test_a_time_stamped_signature_names_its_authority_and_time(tmp_path, c2pagen, chain):
    """Signed through an RFC 3161 authority on the loopback interface: the reader's own fields, not constructed ones."""
    pytest.importorskip("asn1crypto", reason="the test authority builds its tokens with asn1crypto")
    import tsagen

    authority = tsagen.make_authority("Loopback Time-Stamp Authority")
    with tsagen.serving(authority) as server:
        before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        data = c2pagen.sign(_jpeg(seed=9), c2pagen.manifest(), chain, tsa_url=server.url)
        after = dt.datetime.now(dt.timezone.utc)
        assert len(server.requests) == 1  # the signer asked; reading below asks nothing
    path = tmp_path / "stamped.jpg"
    path.write_bytes(data)
    c = read_file(path).credentials
    assert c.validation is Validation.VALID and c.trust is Trust.NOT_CHECKED
    s = c.signer
    assert s.time_stamp_authority == "Loopback Time-Stamp Authority"
    assert s.time is not None and before - dt.timedelta(seconds=1) <= s.time <= after
    assert s.common_name == "Test Camera Signer"  # the signer's certificate, not the authority's


def test_reader_output_variants_are_read():
    # a time-stamped signature as the reader's detailed view gives it, and an older reader's failure list
    store = {
        "active_manifest": "urn:a",
        "manifests": {"urn:a": {"claim_generator": "Old Cam/2.0", "signature_info": {"issuer": "Org", "common_name": "Cam",
                                                                                      "time": "2024-05-01T10:00:05+00:00"}}},
        "validation_status": [{"code": "claimSignature.mismatch", "explanation": "bad"}],
    }  # fmt: skip
    detail = {"manifests": [{"label": "urn:a", "signature": {
        "algorithm": "es256", "certificateInfo": {"subject": {"CN": "Cam", "O": "Org"}, "issuer": {"CN": "Root", "O": "Org"}},
        "timeStampInfo": {"timestamp": "2024-05-01T10:00:05.123456789Z", "certificateInfo": {"subject": {"CN": "Test TSA", "O": "TSA Org"}}}}}]}  # fmt: skip
    c = reading._from_store(store, detail, Credentials(container="x", size=1), reader="r", trusted=False, trust_list=None, full=True)
    assert c.validation is Validation.INVALID and [f.code for f in c.failures] == ["claimSignature.mismatch"]
    s = c.signer
    assert s.time == dt.datetime(2024, 5, 1, 10, 0, 5, tzinfo=dt.timezone.utc) and s.time_stamp_authority == "Test TSA"
    assert s.subject == "CN=Cam, O=Org" and s.issuer == "CN=Root, O=Org" and c.manifest.claim_generator == "Old Cam/2.0"
    assert c.store == store
    empty = reading._from_store({}, None, Credentials(), reader="r", trusted=False, trust_list=None, full=False)
    assert empty.chain == () and empty.validation is Validation.VALID and empty.manifest is None


# --- case files -------------------------------------------------------------------------------


def test_case_criteria_signed_and_signer(records):
    text = ('[[hypotheses]]\nid = "camera"\nstatement = "Straight from the camera"\nsigned = true\nsigner = "Test Camera Maker"\n'
            '[[hypotheses]]\nid = "old"\nstatement = "An old phone"\nsigned = false\n'
            '[[hypotheses]]\nid = "other"\nstatement = "Signed by a newsroom"\nsigner = "Newsroom"\n')  # fmt: skip
    case = parse_case(text)
    assert case.hypotheses[0].signed is True and case.hypotheses[0].signer == "Test Camera Maker"
    from forensics.checks import run_checks

    def matrix(names):
        checked, set_findings = run_checks([records[n] for n in names], CTX)
        findings = [f for r in checked for f in r.findings] + set_findings
        return {a.id: {row.criterion: row for row in a.rows} for a in assess(case, checked, findings)}

    signed = matrix(["capture.jpg", "edited.jpg"])
    assert signed["camera"]["signed"].verdict is Verdict.CONSISTENT and signed["camera"]["signer"].verdict is Verdict.CONSISTENT
    assert "not checked against a trust list" in signed["camera"]["signer"].observation
    assert signed["old"]["signed"].verdict is Verdict.INCONSISTENT
    assert signed["other"]["signer"].verdict is Verdict.INCONSISTENT
    mixed = matrix(["capture.jpg", "one-pixel.png", "stripped.jpg"])
    row = mixed["camera"]["signed"]
    assert row.verdict is Verdict.INCONSISTENT and len(row.paths) == 2 and "traces of removed credentials" in row.observation
    assert row.findings  # the invalid one's warning and the stripped one's notice
    unsigned = matrix(["plain.jpg"])
    assert unsigned["old"]["signed"].verdict is Verdict.CONSISTENT and unsigned["other"]["signer"].verdict is Verdict.SILENT


@pytest.mark.parametrize(("line", "message"), [("signed = \"yes\"", "true or false"), ("signer = 3", "a name"), ("signer = \" \"", "a name")])
def test_case_criteria_are_validated(line, message):
    with pytest.raises(CaseFileError, match=message):
        parse_case(f'[[hypotheses]]\nid = "a"\nstatement = "x"\n{line}\n')


# --- outputs ----------------------------------------------------------------------------------


def test_json_report_holds_the_credentials_and_validates(files):
    import jsonschema

    from forensics.pipeline.scanning import scan

    folder = files["capture.jpg"].parent
    report = scan([folder], workers=1, trust_anchors=files["ca.pem"]).to_dict()
    schema = json.loads((Path(reading.__file__).parents[1] / "schema" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    by_name = {Path(i["path"]).name: i for i in report["images"]}
    assert "credentials" not in by_name["plain.jpg"]
    cred = by_name["capture.jpg"]["credentials"]
    assert cred["validation"] == "valid" and cred["trust"] == "on the given trust list" and cred["chain"][0]["signer"]["common_name"]
    assert by_name["stripped.jpg"]["credentials"]["present"] is False


def test_meta_shows_the_manifest_and_all_prints_its_json(files):
    runner = CliRunner(env={"COLUMNS": "400"})  # wide enough that no value wraps
    result = runner.invoke(cli, ["meta", str(files["edited.jpg"])])
    assert result.exit_code == 0, result.output
    assert "credentials.validation" in result.output and "Test Editor 2.1" in result.output and "c2pa.edited" in result.output
    assert "valid; signed by Test Camera Maker — Test Camera Signer; signer not checked against a trust list; 2 manifest(s)" in result.output
    assert "manifest store, as the C2PA reader gives it" not in result.output
    full = runner.invoke(cli, ["meta", "--all", str(files["edited.jpg"])])
    assert full.exit_code == 0 and "manifest store, as the C2PA reader gives it" in full.output and '"active_manifest"' in full.output
    as_json = json.loads(runner.invoke(cli, ["meta", "--json", "--all", str(files["capture.jpg"])]).output)
    assert as_json["files"][0]["credentials"]["store"]["validation_state"] == "Valid"
    trusted = json.loads(runner.invoke(cli, ["meta", "--json", "--trust-anchors", str(files["ca.pem"]), str(files["capture.jpg"])]).output)
    assert trusted["files"][0]["credentials"]["trust"] == "on the given trust list"


def test_csv_columns_and_html_section(files, tmp_path):
    import csv

    from forensics.pipeline.scanning import scan
    from forensics.render.csv import render_csv
    from forensics.render.html import render_html

    names = ("capture.jpg", "one-pixel.png", "stripped.jpg", "plain.jpg", "edited.jpg")
    folder = tmp_path / "set"
    folder.mkdir()
    for n in names:
        (folder / n).write_bytes(files[n].read_bytes())
    report = scan([folder], workers=1)
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(render_csv(report).lstrip("\ufeff")))}
    assert rows["capture.jpg"]["c2pa"] == "valid" and rows["capture.jpg"]["c2pa_signer"] == "Test Camera Maker — Test Camera Signer"
    assert rows["one-pixel.png"]["c2pa"] == "invalid" and "mismatch" in rows["one-pixel.png"]["c2pa_failures"]
    assert rows["stripped.jpg"]["c2pa"] == "stripped" and rows["plain.jpg"]["c2pa"] == ""
    page = render_html(report, ela=False, workers=1)
    assert page.count("<h3>Content Credentials</h3>") == 4  # not for the file without any
    assert "signer not checked against a trust list" in page and "c2pa.edited by Test Editor 2.1" in page
    assert "made from: capture.jpg (parentOf)" in page and "INVALID: the file or its manifest changed after signing" in page


def test_credentials_validate_in_a_worker_process(files, tmp_path):
    """The reader's context is made per process: one made before a fork is not valid after it."""
    from forensics.read.files import read_file
    from forensics.read.pool import map_isolated

    read_file(files["capture.jpg"])  # a context in this process first, as a scan's parent may have
    paths = [str(files["capture.jpg"])] * 6
    records = map_isolated(read_file, paths, on_crash=lambda p: None, workers=2)
    assert all(r is not None and r.credentials is not None and r.credentials.validation is Validation.VALID for r in records)
