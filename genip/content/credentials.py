"""Content credentials Gen-IP writes: a C2PA manifest on a delivered original (issue #21 part 3), asserting
its Gen-IP certificate and the licence it is sent under, signed with the deployment's key and certificate.

    signer = CredentialSigner.from_directory(data_dir / "c2pa")     # made (self-signed) on first use
    signed = add_credentials(data, "image/jpeg", signer, certificate={...}, licence={...})

The manifest (`c2pa-python`'s Builder): claim generator "Gen-IP"; a `c2pa.actions` assertion with
`c2pa.opened` on the original (kept as the `parentOf` ingredient, so credentials the creator's tool wrote stay
inside) with `digitalSourceType` trainedAlgorithmicMedia, then `c2pa.published`; `org.genip.certificate`
(chain id, registry contract, token id, the original's committed sha256) and, for a licence holder,
`org.genip.licence` (licence id, holder, terms hash, expiry; 0 = perpetual). The hard binding covers the
delivered bytes, so the delivered file's sha256 is not the committed one: the committed sha256 is inside.

Key and certificate: `CredentialSigner.from_files` for the deployment's own (PEM chain, leaf first, and PEM
private key; ES256, P-256), or `from_directory`, which creates a self-signed demo chain (a root and a leaf) on
first use. A self-signed chain is reported by every reader as "not a trusted issuer" until its root is added
to the reader's trust list.
"""

import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from genip.errors import GenIPError

__all__ = ["SUPPORTED", "CredentialSigner", "CredentialsError", "add_credentials", "self_signed_chain"]

#: Media types a manifest is embedded in (the image formats Gen-IP registers and c2pa writes).
SUPPORTED: Final = frozenset({"image/jpeg", "image/png", "image/webp"})
TRAINED: Final = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


class CredentialsError(GenIPError):
    """The manifest cannot be written: a bad key or certificate, or bytes c2pa cannot sign."""


@dataclass(frozen=True, slots=True)
class CredentialSigner:
    """A PEM certificate chain (leaf first) and its PEM private key (ES256)."""

    chain_pem: bytes
    key_pem: bytes

    @classmethod
    def from_files(cls, chain: Path, key: Path) -> "CredentialSigner":
        try:
            return cls(chain.read_bytes(), key.read_bytes())
        except OSError as exc:
            raise CredentialsError(
                f"cannot read the C2PA signing key or certificate: {exc.strerror}"
            ) from None

    @classmethod
    def from_directory(cls, directory: Path) -> "CredentialSigner":
        """`chain.pem` and `key.pem` in `directory`, created there (a self-signed demo chain) if missing."""
        chain, key = directory / "chain.pem", directory / "key.pem"
        if not chain.is_file() or not key.is_file():
            directory.mkdir(parents=True, exist_ok=True)
            made = self_signed_chain("Gen-IP demo content credentials")
            key.touch(mode=0o600)
            key.write_bytes(made.key_pem)
            chain.write_bytes(made.chain_pem)
        return cls.from_files(chain, key)


def self_signed_chain(common_name: str, organisation: str = "Gen-IP") -> CredentialSigner:
    """A fresh root CA and a leaf signing certificate under it (P-256, 1 year): for demos and tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            ]
        )

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(sign, False, False, False, False, not sign, not sign, False, False)

    now = datetime.datetime.now(datetime.UTC)
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def base(subject: str, issuer: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    root = (
        base(f"{common_name} root", name(f"{common_name} root"), root_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        base(common_name, root.subject, leaf_key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return CredentialSigner(
        leaf.public_bytes(pem) + root.public_bytes(pem),
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def add_credentials(
    data: bytes,
    media_type: str,
    signer: CredentialSigner,
    *,
    title: str,
    certificate: dict[str, Any],
    licence: dict[str, Any] | None = None,
) -> bytes:
    """`data` with a Gen-IP C2PA manifest embedded (see the module); `CredentialsError` if it cannot be."""
    if media_type not in SUPPORTED:
        raise CredentialsError(
            f"content credentials are written into {sorted(SUPPORTED)} only, not {media_type}"
        )
    import c2pa  # type: ignore[import-untyped]  # a native library: loaded only when signing

    assertions: list[dict[str, Any]] = [
        {
            "label": "c2pa.actions",
            "data": {
                "actions": [
                    {
                        "action": "c2pa.opened",
                        "digitalSourceType": TRAINED,
                        "parameters": {"ingredientIds": ["original"]},
                    },
                    {"action": "c2pa.published", "softwareAgent": {"name": "Gen-IP"}},
                ]
            },
        },
        {"label": "org.genip.certificate", "data": certificate},
    ]
    if licence is not None:
        assertions.append({"label": "org.genip.licence", "data": licence})
    manifest = {
        "claim_generator_info": [{"name": "Gen-IP", "version": "1"}],
        "title": title,
        "assertions": assertions,
    }
    ingredient = {"title": title, "relationship": "parentOf", "label": "original", "instance_id": "original"}
    try:
        with (
            c2pa.Signer.from_info(
                c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, signer.chain_pem, signer.key_pem, None)
            ) as sign,
            c2pa.Builder(json.dumps(manifest)) as builder,
        ):
            builder.add_ingredient(json.dumps(ingredient), media_type, io.BytesIO(data))
            out = io.BytesIO()
            builder.sign(sign, media_type, io.BytesIO(data), out)
            return out.getvalue()
    except (c2pa.C2paError, ValueError) as exc:
        raise CredentialsError(f"the content credentials cannot be written: {str(exc)[:200]}") from None
