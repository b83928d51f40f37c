"""`genip.content.made_with`: C2PA manifests and SD-style generation metadata read from real files built here
(a test certificate chain made with `cryptography`, manifests signed with `c2pa.Builder`; nothing is
downloaded), and every kind of bad input answered with a note, never an exception."""

import datetime
import io
import json
import struct
import zlib
from pathlib import Path

import c2pa  # type: ignore[import-untyped]
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, PngImagePlugin

from genip.content.credentials import CredentialsError, CredentialSigner, add_credentials
from genip.content.made_with import (
    MAX_TEXT_CHUNK,
    MadeWith,
    Resource,
    read_made_with,
    summarize,
)

TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
PROMPT = "a retro poster of a fox at dawn, <lora:retro_poster:0.8>, highly detailed"
PARAMETERS = (
    f"{PROMPT}\nNegative prompt: blurry, watermark\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567, Size: 1024x1024, "
    'Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Lora hashes: "Retro Poster: 0a1b2c3d4e5f", '
    "Version: v1.9.4"
)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gen-IP Test"),
        ]
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def test_chain(signer_name: str = "Cleo Test Signer") -> tuple[bytes, bytes, bytes]:
    """A self-made root CA and an end-entity signing certificate (ES256): (chain PEM, key PEM, root PEM)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def build(subject: str, issuer: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    root = (
        build("Gen-IP Test Root", _name("Gen-IP Test Root"), ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        build(signer_name, root.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return (
        leaf.public_bytes(pem) + root.public_bytes(pem),
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        root.public_bytes(pem),
    )


test_chain.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def jpeg(colour: tuple[int, int, int] = (200, 80, 40), *, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG", **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def sign_c2pa(data: bytes, chain: tuple[bytes, bytes, bytes], media_type: str = "image/jpeg") -> bytes:
    """`data` with an embedded C2PA manifest: created by a trained model, one ingredient, signed by
    `chain`."""
    manifest = {
        "claim_generator_info": [{"name": "TestGen", "version": "2.1"}],
        "title": "dawn.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED,
                            "softwareAgent": {"name": "SDXL"},
                        },
                        {"action": "c2pa.edited"},
                    ]
                },
            }
        ],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain[0], chain[1], None))
    builder = c2pa.Builder(json.dumps(manifest))
    builder.add_ingredient(
        json.dumps({"title": "sketch.jpg", "relationship": "componentOf"}),
        "image/jpeg",
        io.BytesIO(jpeg((1, 2, 3))),
    )
    out = io.BytesIO()
    builder.sign(signer, media_type, io.BytesIO(data), out)
    return out.getvalue()


def png(texts: dict[str, str], *, compressed: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        info.add_text(key, value, zip=compressed)
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def user_comment_exif(text: str) -> Image.Exif:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + text.encode("utf-16-be")
    return exif


@pytest.fixture(scope="module")
def chain() -> tuple[bytes, bytes, bytes]:
    return test_chain()


@pytest.fixture(scope="module")
def signed(chain: tuple[bytes, bytes, bytes]) -> bytes:
    return sign_c2pa(jpeg(), chain)


# --- C2PA -----------------------------------------------------------------------------------------


def test_signed_manifest_is_read_valid_but_untrusted(signed: bytes) -> None:
    facts = read_made_with(signed)
    c = facts.c2pa
    assert c is not None
    assert c.claim_generator == "TestGen 2.1"
    assert c.actions[:2] == ("c2pa.created", "c2pa.edited")
    assert c.digital_source_type == TRAINED
    assert c.software_agents == ("SDXL",)
    assert [i.title for i in c.ingredients] == ["sketch.jpg"]
    assert (c.signer, c.issuer) == ("Cleo Test Signer", "Gen-IP Test")
    assert c.signature_valid is True and c.binding_matches is True
    assert c.trusted is False and "signingCredential.untrusted" in c.failures
    assert c.state == "valid"
    line = summarize(facts)
    assert (
        "content credentials by TestGen 2.1 (AI-generated) signed by Cleo Test Signer (Gen-IP Test)" in line
    )
    assert line.endswith("not a trusted issuer, valid")


def test_trust_anchor_makes_the_signer_trusted(signed: bytes, chain: tuple[bytes, bytes, bytes]) -> None:
    facts = read_made_with(signed, trust_anchors=chain[2].decode())
    assert facts.c2pa is not None and facts.c2pa.trusted
    assert "not a trusted issuer" not in summarize(facts)


def test_one_byte_changed_in_the_image_breaks_the_binding(signed: bytes) -> None:
    altered = bytearray(signed)
    altered[-100] ^= 0xFF  # inside the entropy-coded image data, outside the manifest
    facts = read_made_with(bytes(altered))
    assert facts.c2pa is not None
    assert facts.c2pa.binding_matches is False
    assert "assertion.dataHash.mismatch" in facts.c2pa.failures
    assert summarize(facts).endswith("binding does not match the file")


def test_forged_manifest_signature_does_not_verify(signed: bytes) -> None:
    forged = bytearray(signed)
    forged[signed.index(b"TestGen")] ^= 0x01  # the claim says another generator than was signed
    facts = read_made_with(bytes(forged))
    assert facts.c2pa is not None
    assert facts.c2pa.signature_valid is False
    assert "claimSignature.mismatch" in facts.c2pa.failures
    assert "signature does not verify" in summarize(facts)


def test_stripped_manifest_is_simply_absent(signed: bytes) -> None:
    out = io.BytesIO()
    with Image.open(io.BytesIO(signed)) as image:
        image.save(out, "JPEG")  # a re-encode drops the APP11 manifest
    facts = read_made_with(out.getvalue())
    assert facts.c2pa is None and facts.empty
    assert summarize(facts) == "the file says nothing about how it was made"


def _garble(data: bytes, offset: int) -> bytes:
    start = data.index(b"jumb") + offset
    return data[:start] + bytes(b ^ 0x5A for b in data[start : start + 30]) + data[start + 30 :]


def test_garbled_manifest_is_a_note(signed: bytes) -> None:
    facts = read_made_with(_garble(signed, 200))  # the manifest store's boxes no longer parse
    assert facts.c2pa is None
    assert facts.notes == ("unreadable content credentials (C2PA manifest damaged or forged)",)
    assert summarize(facts).startswith("unreadable content credentials")
    facts = read_made_with(_garble(signed, 1500))  # the boxes parse, their content does not check
    assert facts.c2pa is not None and facts.c2pa.state != "valid"


def test_signed_png_keeps_its_generation_metadata(chain: tuple[bytes, bytes, bytes]) -> None:
    facts = read_made_with(sign_c2pa(png({"parameters": PARAMETERS}), chain, "image/png"))
    assert facts.c2pa is not None and facts.c2pa.state == "valid"
    assert [g.tool for g in facts.generation] == ["A1111"]


# --- A1111 / ComfyUI ------------------------------------------------------------------------------


def test_a1111_png_parameters_never_keep_the_prompt() -> None:
    facts = read_made_with(png({"parameters": PARAMETERS}))
    (g,) = facts.generation
    assert g.tool == "A1111" and g.steps == 30 and g.sampler == "DPM++ 2M Karras" and g.size == "1024x1024"
    assert g.prompt_in_file and g.prompt_length == len(PROMPT)
    assert g.negative_prompt_in_file and g.seed_in_file
    assert g.resources == (
        Resource("checkpoint", "sd_xl_base_1.0", "31e35c80fc"),
        Resource("lora", "Retro Poster", "0a1b2c3d4e5f"),
    )
    stored = json.dumps(facts.to_json())
    for secret in ("fox at dawn", "blurry", "1234567"):
        assert secret not in stored and secret not in summarize(facts)
    assert summarize(facts).startswith(
        "made with sd_xl_base_1.0 and LoRA 'Retro Poster', in A1111; the file carries its prompt in clear"
    )
    assert MadeWith.from_json(facts.to_json()) == facts


def test_compressed_itxt_chunk_is_read() -> None:
    (g,) = read_made_with(png({"parameters": PARAMETERS}, compressed=True)).generation
    assert g.resources[0].hash == "31e35c80fc"


def test_civitai_hashes_json_names_resources() -> None:
    text = (
        'cat\nSteps: 20, Sampler: Euler a, Hashes: {"model": "aaaaaaaaaa", "lora:Retro Poster": "bbbbbbbbbb"}'
    )
    (g,) = read_made_with(png({"parameters": text})).generation
    assert Resource("lora", "Retro Poster", "bbbbbbbbbb") in g.resources
    assert any(r.kind == "checkpoint" and r.hash == "aaaaaaaaaa" for r in g.resources)


COMFY_PROMPT = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sdxl/sd_xl_base_1.0.safetensors"}},
    "10": {
        "class_type": "LoraLoader",
        "inputs": {"lora_name": "Retro Poster.safetensors", "model": ["4", 0]},
    },
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a secret fox prompt", "clip": ["10", 1]}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 99, "steps": 20}},
}


def test_comfyui_prompt_names_loaders_and_not_the_text() -> None:
    facts = read_made_with(png({"prompt": json.dumps(COMFY_PROMPT), "workflow": json.dumps({"nodes": []})}))
    (g,) = facts.generation
    assert g.tool == "ComfyUI" and g.prompt_in_file
    assert Resource("checkpoint", "sdxl/sd_xl_base_1.0.safetensors") in g.resources
    assert Resource("lora", "Retro Poster.safetensors") in g.resources
    assert "KSampler" in g.node_types
    assert "secret fox" not in json.dumps(facts.to_json())
    assert summarize(facts).startswith("made with sd_xl_base_1.0 and LoRA 'Retro Poster', in ComfyUI")


def test_comfyui_workflow_only() -> None:
    workflow = {
        "nodes": [{"type": "LoraLoader", "widgets_values": ["pixel.safetensors", 1, 1]}, {"type": "X"}]
    }
    (g,) = read_made_with(png({"workflow": json.dumps(workflow)})).generation
    assert g.resources == (Resource("lora", "pixel.safetensors"),) and not g.prompt_in_file


def test_jpeg_exif_user_comment() -> None:
    facts = read_made_with(jpeg(exif=user_comment_exif(PARAMETERS)))
    (g,) = facts.generation
    assert g.tool == "A1111" and g.prompt_in_file and g.resources[1].name == "Retro Poster"


def test_webp_exif_user_comment() -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, "WEBP", exif=user_comment_exif(PARAMETERS))
    (g,) = read_made_with(out.getvalue()).generation
    assert g.steps == 30


# --- bad input ------------------------------------------------------------------------------------


def test_conflicting_checkpoints_are_noted() -> None:
    facts = read_made_with(png({"parameters": PARAMETERS, "prompt": json.dumps(COMFY_PROMPT)}))
    assert {g.tool for g in facts.generation} == {"A1111", "ComfyUI"}
    assert not any("conflicting" in n for n in facts.notes)  # the same checkpoint, by file name
    other = dict(
        COMFY_PROMPT, **{"4": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.sft"}}}
    )
    facts = read_made_with(png({"parameters": PARAMETERS, "prompt": json.dumps(other)}))
    assert any(n.startswith("conflicting generation metadata") for n in facts.notes)
    assert "conflicting generation metadata" in summarize(facts)


@pytest.mark.parametrize(
    "texts",
    [
        {"parameters": "just some words, no Steps line"},
        {"prompt": "{not json"},
        {"workflow": json.dumps([1, 2, 3])},
        {"prompt": "[" * 100_000 + "]" * 100_000},
    ],
)
def test_malformed_metadata_is_a_note(texts: dict[str, str]) -> None:
    facts = read_made_with(png(texts))
    assert facts.generation == ()
    assert any(n.startswith("unreadable generation metadata") for n in facts.notes)
    assert "unreadable generation metadata" in summarize(facts)


def test_oversized_chunk_is_not_read() -> None:
    facts = read_made_with(png({"workflow": "x" * (MAX_TEXT_CHUNK + 1)}))
    assert facts.generation == ()
    assert any(n.startswith("oversized generation metadata ('workflow'") for n in facts.notes)


def test_zip_bomb_chunk_is_not_inflated() -> None:
    bomb = zlib.compress(b"{" + b" " * (8 * MAX_TEXT_CHUNK) + b"}", 9)
    assert len(bomb) < MAX_TEXT_CHUNK
    raw = png({})
    chunk = b"workflow\x00\x00" + bomb
    body = struct.pack(">I", len(chunk)) + b"zTXt" + chunk + struct.pack(">I", zlib.crc32(b"zTXt" + chunk))
    iend = raw.rindex(b"IEND") - 4
    facts = read_made_with(raw[:iend] + body + raw[iend:])
    assert facts.generation == ()
    assert any("oversized or unreadable generation metadata ('workflow'" in n for n in facts.notes)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\x89PNG\r\n\x1a\n\xff\xff\xff\xfftEXtparameters\x00x",
        b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00garbage",
        b"RIFF\x10\x00\x00\x00WEBPVP8X",
        b"plain text, not an image",
    ],
)
def test_hostile_bytes_never_raise(data: bytes) -> None:
    facts = read_made_with(data)
    assert facts.c2pa is None and facts.generation == ()
    summarize(facts)


def test_truncated_files_never_raise(signed: bytes) -> None:
    for cut in range(0, len(signed), max(1, len(signed) // 40)):
        summarize(read_made_with(signed[:cut]))
    data = png({"parameters": PARAMETERS})
    for cut in range(0, len(data), 7):
        summarize(read_made_with(data[:cut]))


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        "x",
        {"c2pa": "no", "generation": {"a": 1}, "notes": [1, None, "ok"]},
        {"generation": [{"tool": 5}]},
    ],
)
def test_from_json_keeps_only_well_typed_values(doc: object) -> None:
    facts = MadeWith.from_json(doc)
    if facts is not None:
        assert all(isinstance(n, str) for n in facts.notes)
        summarize(facts)


# --- content credentials Gen-IP writes (issue #21 part 3) ----------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_gen_ip_credentials_validate_in_every_format(fmt: str, tmp_path: Path) -> None:
    signer = CredentialSigner.from_directory(tmp_path / "c2pa")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 99, 199)).save(out, fmt)
    certificate = {"chainId": 1, "tokenId": 7, "contentSha256": "0x" + "ab" * 32}
    signed = add_credentials(
        out.getvalue(), f"image/{fmt.lower()}", signer, title="Seven", certificate=certificate
    )
    facts = read_made_with(signed)
    assert facts.c2pa is not None and facts.c2pa.state == "valid" and facts.c2pa.signer is not None
    assert facts.c2pa.actions == ("c2pa.opened", "c2pa.published")
    assert facts.c2pa.digital_source_type == TRAINED


def test_the_demo_signer_is_made_once_and_kept(tmp_path: Path) -> None:
    first = CredentialSigner.from_directory(tmp_path / "c2pa")
    assert (tmp_path / "c2pa" / "key.pem").stat().st_mode & 0o777 == 0o600
    assert CredentialSigner.from_directory(tmp_path / "c2pa") == first


def test_other_formats_and_bad_keys_are_refused(tmp_path: Path) -> None:
    signer = CredentialSigner.from_directory(tmp_path / "c2pa")
    with pytest.raises(CredentialsError, match="only, not text/plain"):
        add_credentials(b"text", "text/plain", signer, title="t", certificate={})
    broken = CredentialSigner(signer.chain_pem, b"not a key")
    with pytest.raises(CredentialsError, match="cannot be written"):
        add_credentials(jpeg(), "image/jpeg", broken, title="t", certificate={})


def test_metadata_keeps_the_facts_and_shrugs_off_a_malformed_made_with() -> None:
    from genip.chain.types import WorkKind
    from genip.content.canonical import canonical_json
    from genip.content.digest import digest_bytes
    from genip.content.metadata import WorkMetadata

    facts = read_made_with(png({"parameters": PARAMETERS}))
    meta = WorkMetadata(
        name="Fox",
        kind=WorkKind.IMAGE,
        content=digest_bytes(b"fox"),
        media_type="image/png",
        prompt_commitment=b"\x01" * 32,
        made_with=facts.to_json(),
    )
    read = WorkMetadata.from_bytes(meta.to_bytes())
    assert read.made_with is not None and MadeWith.from_json(read.made_with) == facts
    assert b"fox at dawn" not in meta.to_bytes()
    document = meta.to_json()
    document["genip"]["madeWith"] = ["not", "an", "object"]
    assert WorkMetadata.from_bytes(canonical_json(document)).made_with is None  # the rest still reads
    assert "madeWith" not in WorkMetadata.from_bytes(canonical_json(document)).to_json()["genip"]
