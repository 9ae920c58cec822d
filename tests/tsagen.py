"""A time-stamp authority on the loopback interface (RFC 3161), for signing test files with a time stamp.

Each request (a ``TimeStampReq``) is answered with a ``TimeStampResp``
granting a token: a CMS SignedData over a ``TSTInfo`` that holds the request's
message imprint and nonce, the time, and the signed attributes RFC 3161 and
RFC 5816 ask for (content type, message digest, signing-certificate-v2), signed
with ES256 by a TSA certificate whose extended key usage is timeStamping
(critical). Certificates are made with ``cryptography``, the ASN.1 with
``asn1crypto``. Nothing leaves the machine: the server listens on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.99999.1.1"  # a private-arc policy: a test authority's


@dataclass(frozen=True)
class Authority:
    """The TSA: its certificate (DER), the CA that issued it (PEM) and its signing key."""

    cert_der: bytes
    ca_pem: bytes
    key: ec.EllipticCurvePrivateKey
    name: str


def make_authority(name: str = "Test Time-Stamp Authority") -> Authority:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test TSA")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    return Authority(cert.public_bytes(serialization.Encoding.DER), ca.public_bytes(serialization.Encoding.PEM), key, name)


def respond(authority: Authority, request_der: bytes, serial: int, when: dt.datetime | None = None) -> bytes:
    """The DER ``TimeStampResp`` granting a token for one DER ``TimeStampReq``."""
    request = tsp.TimeStampReq.load(request_der)
    cert = asn1_x509.Certificate.load(authority.cert_der)
    info = {
        "version": "v1",
        "policy": POLICY,
        "message_imprint": request["message_imprint"],
        "serial_number": serial,
        "gen_time": (when or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0),
        "accuracy": {"seconds": 1},
    }
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"]
    tst = tsp.TSTInfo(info)
    content = tst.dump()
    signed_attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [
            {"certs": [{"hash_algorithm": {"algorithm": "sha256"}, "cert_hash": hashlib.sha256(authority.cert_der).digest()}]}]}),
    ])  # fmt: skip
    signature = authority.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signed_attrs": signed_attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        "signature": signature,
    })  # fmt: skip
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(content)},
        "certificates": [cert],
        "signer_infos": [signer],
    })  # fmt: skip
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


@dataclass
class Server:
    url: str
    requests: list[bytes]


@contextmanager
def serving(authority: Authority) -> Iterator[Server]:
    """The authority answering on ``http://127.0.0.1:PORT/tsa`` while the block runs."""
    serials = itertools.count(1)
    requests: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            requests.append(body)
            try:
                answer, code = respond(authority, body, next(serials)), 200
            except Exception:  # noqa: BLE001 - a malformed request gets an HTTP error, as from a real TSA
                answer, code = b"", 400
            self.send_response(code)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/tsa", requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
