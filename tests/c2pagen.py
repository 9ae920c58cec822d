"""Signed test files: a certificate chain made here and Content Credentials written by c2pa-python's Builder.

Used by the tests, the benchmarks and ``samples/make_samples.py --sign``; nothing
here ships in the package. The
chain is what the C2PA trust model asks of a signer (specification 2.x,
"Certificate profile"): an end-entity certificate, not self-signed, with a
critical key usage asserting digitalSignature and an extended key usage of
id-kp-emailProtection (anyExtendedKeyUsage is refused), issued by a CA
certificate (basicConstraints CA, keyCertSign); ES256 on P-256.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@dataclass(frozen=True)
class Chain:
    """A signing chain: the CA (a trust anchor, as PEM) and the leaf that signs, with its key."""

    ca_pem: bytes
    chain_pem: bytes  # leaf, then CA
    key_pem: bytes


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=not sign, crl_sign=not sign, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def make_chain(
    *, org: str = "Test Camera Maker", signer: str = "Test Camera Signer", ocsp_url: str | None = None, days: int = 365
) -> Chain:
    """A fresh CA and leaf, the leaf valid ``days``; ``ocsp_url`` puts an OCSP responder address in the leaf (a reader must never ask it)."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{org} Root CA", org)
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=max(3650, days)))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder().subject_name(_name(signer, org)).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )  # fmt: skip
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    leaf = builder.sign(ca_key, hashes.SHA256())
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return Chain(ca.public_bytes(pem), leaf.public_bytes(pem) + ca.public_bytes(pem), key_pem)


def manifest(
    *, generator: str = "Test Camera", source: str = CAPTURE, when: str = "2024-05-01T10:00:00Z", agent: str = "Test Camera firmware 1.0",
    exif: dict[str, str] | None = None, actions: list[dict[str, Any]] | None = None, title: str = "capture.jpg",
) -> dict[str, Any]:
    """A manifest definition: a ``c2pa.created`` action (or ``actions``) and, if given, an EXIF assertion."""
    assertions: list[dict[str, Any]] = [{
        "label": "c2pa.actions",
        "data": {"actions": actions or [{"action": "c2pa.created", "digitalSourceType": source, "when": when, "softwareAgent": {"name": agent}}]},
    }]  # fmt: skip
    if exif:
        context = {"exif": "http://ns.adobe.com/exif/1.0/", "tiff": "http://ns.adobe.com/tiff/1.0/"}
        assertions.append({"label": "stds.exif", "data": {"@context": context, **exif}})
    return {"claim_generator_info": [{"name": generator, "version": "1.0"}], "title": title, "assertions": assertions}


def sign(
    data: bytes, definition: dict[str, Any], chain: Chain, *, mime: str = "image/jpeg",
    ingredients: tuple[tuple[dict[str, Any], bytes], ...] = (), remote_url: str | None = None, tsa_url: str | None = None,
) -> bytes:  # fmt: skip
    """``data`` with a manifest store signed by ``chain`` (or, with ``remote_url``, only a reference to one);
    with ``tsa_url``, the signature time-stamped by that RFC 3161 authority."""
    import c2pa

    # thumbnails off: smaller files; trust off: an ingredient's recorded validation is about its hashes only
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}, "verify": {"verify_trust": False}})
    builder = c2pa.Builder(definition, context)
    for ingredient, ingredient_data in ingredients:
        builder.add_ingredient(ingredient, mime, io.BytesIO(ingredient_data))
    if remote_url:
        builder.set_no_embed()
        builder.set_remote_url(remote_url)
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain.chain_pem, chain.key_pem, tsa_url.encode() if tsa_url else None))
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def strip_app11(data: bytes) -> bytes:
    """A JPEG without its APP11 segments (the manifest store), everything else kept: what a platform's cleaner does."""
    from forensics.read.jpeg import segments

    out, last = [], 0
    for marker, start, end in segments(data):
        if marker == 0xEB:
            out.append(data[last : start - 4])
            last = end
    out.append(data[last:])
    return b"".join(out)


def png_with_pixel_changed(data: bytes, xy: tuple[int, int] = (3, 2)) -> bytes:
    """A PNG with one pixel changed and every other chunk (the manifest store too) kept as it was."""
    import struct
    import zlib

    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    r, g, b = image.getpixel(xy)
    image.putpixel(xy, (255 - r, g, b))
    raw = b"".join(b"\x00" + image.tobytes()[y * image.width * 3 : (y + 1) * image.width * 3] for y in range(image.height))
    out, i, done = [data[:8]], 8, False
    while i < len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        chunk = data[i : i + 12 + length]
        if kind == b"IDAT":
            if not done:
                body = zlib.compress(raw)
                out.append(struct.pack(">I", len(body)) + b"IDAT" + body + struct.pack(">I", zlib.crc32(b"IDAT" + body)))
                done = True
        else:
            out.append(chunk)
        i += 12 + length
    return b"".join(out)


XMP_PROVENANCE = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:dcterms="http://purl.org/dc/terms/" '
    b'dcterms:provenance="self#jumbf=/c2pa/urn:c2pa:1b7e0d2a-5c1e-4a57-9c1f-2f1d2b3c4d5e"/></rdf:RDF></x:xmpmeta>'
)
