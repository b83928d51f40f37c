"""The ERC-721 metadata JSON: fields, canonical bytes, a single raw block, round trip."""

import hashlib
import json

import pytest

from genip.chain.types import WorkKind
from genip.content.cid import cid_of_bytes, sha256_of_raw_cid
from genip.content.digest import digest_bytes
from genip.content.errors import ContentError, FormatError, MetadataTooLargeError
from genip.content.metadata import (
    DIGITAL_SOURCE_TYPE,
    MAX_METADATA_BYTES,
    ParentLink,
    PerceptualHash,
    WorkMetadata,
)

CONTENT = digest_bytes(b"\x89PNG pretend image bytes")
COMMITMENT = hashlib.sha256(b"commitment").digest()
PDQ = PerceptualHash("pdq", bytes(range(32)), 100)
CREATOR = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"


def image_metadata(**overrides: object) -> WorkMetadata:
    fields: dict[str, object] = {
        "name": "  Lighthouse at dusk ",
        "description": "Ink-wash lighthouse.",
        "kind": WorkKind.IMAGE,
        "content": CONTENT,
        "media_type": "image/png",
        "prompt_commitment": COMMITMENT,
        "perceptual_hash": PDQ,
        "model": "sdxl-base-1.0",
        "tool": "ComfyUI",
        "tags": ("ink", "lighthouse", "ink", " "),
        "creator": CREATOR,
        "details": {"format": "PNG", "width": 1024, "height": 1024},
    }
    fields.update(overrides)
    return WorkMetadata(**fields)  # type: ignore[arg-type]


def test_image_metadata_has_the_erc721_and_gen_ip_fields() -> None:
    document = image_metadata().to_json()
    assert document["name"] == "Lighthouse at dusk"
    assert document["image"] == f"ipfs://{CONTENT.cid}"
    assert "animation_url" not in document
    assert document["digitalSourceType"] == DIGITAL_SOURCE_TYPE
    assert {"trait_type": "Kind", "value": "image"} in document["attributes"]
    assert {"trait_type": "Model", "value": "sdxl-base-1.0"} in document["attributes"]
    genip = document["genip"]
    assert genip["kind"] == "image"
    assert genip["content"] == {
        "cid": CONTENT.cid,
        "uri": f"ipfs://{CONTENT.cid}",
        "sha256": "0x" + CONTENT.sha256.hex(),
        "size": CONTENT.size,
        "mediaType": "image/png",
    }
    assert genip["perceptualHash"] == {
        "algorithm": "pdq",
        "value": "0x" + bytes(range(32)).hex(),
        "quality": 100,
    }
    assert genip["promptCommitment"] == "0x" + COMMITMENT.hex()
    assert genip["tags"] == ["ink", "lighthouse"]
    assert genip["creator"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert genip["parents"] == []


def test_other_kinds_link_the_work_as_animation_url_and_a_preview_as_image() -> None:
    preview = cid_of_bytes(b"preview")
    document = image_metadata(
        kind=WorkKind.MODEL, perceptual_hash=None, preview_cid=preview, parents=(ParentLink(1, 7),)
    ).to_json()
    assert document["animation_url"] == f"ipfs://{CONTENT.cid}"
    assert document["image"] == f"ipfs://{preview}"
    assert document["genip"]["perceptualHash"] is None
    assert document["genip"]["parents"] == [{"assetId": 1, "licenseId": 7}]
    assert {"trait_type": "Derivative of", "value": 1} in document["attributes"]


def test_metadata_bytes_are_canonical_and_one_raw_block() -> None:
    metadata = image_metadata()
    data = metadata.to_bytes()
    assert data == json.dumps(metadata.to_json(), sort_keys=True, separators=(",", ":")).encode()
    assert data.startswith(b'{"attributes":[{"trait_type":"Kind","value":"image"}')
    cid = cid_of_bytes(data)
    assert cid.startswith("bafkrei")
    assert sha256_of_raw_cid(cid) == hashlib.sha256(data).digest()
    assert image_metadata(tags=("lighthouse", "ink")).to_bytes() != data  # tag order is kept


def test_metadata_round_trips() -> None:
    for metadata in (
        image_metadata(),
        image_metadata(
            kind=WorkKind.TEXT, perceptual_hash=PerceptualHash("simhash64", bytes(32)), creator=None
        ),
        image_metadata(kind=WorkKind.WORKFLOW, preview_cid=cid_of_bytes(b"p"), parents=(ParentLink(3, 4),)),
    ):
        assert WorkMetadata.from_bytes(metadata.to_bytes()) == metadata


def test_metadata_larger_than_one_block_is_refused() -> None:
    huge = image_metadata(details={"notes": "x" * MAX_METADATA_BYTES})
    with pytest.raises(MetadataTooLargeError, match=f"at most {MAX_METADATA_BYTES}"):
        huge.to_bytes()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prompt_commitment": bytes(32)}, "must not be zero"),
        ({"prompt_commitment": b"short"}, "32 bytes"),
        ({"name": "   "}, "name"),
        ({"creator": "0x1234"}, "not an address"),
        ({"tags": tuple(f"t{i}" for i in range(40))}, "at most 32 tags"),
        ({"preview_cid": "QmNotACidV1"}, "CIDv1"),
    ],
)
def test_invalid_metadata_is_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ContentError, match=message):
        image_metadata(**overrides)


def test_foreign_json_is_not_read_as_gen_ip_metadata() -> None:
    with pytest.raises(FormatError, match="not Gen-IP"):
        WorkMetadata.from_bytes(b'{"name": "some NFT", "image": "ipfs://x"}')
