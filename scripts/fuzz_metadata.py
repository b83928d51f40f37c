"""Fuzz the reading of metadata JSON fetched from the content store (`WorkMetadata.from_bytes` and the
indexer's `indexer.content_fields`, which copies its fields onto the asset row).

    .venv/bin/python scripts/fuzz_metadata.py [--seconds 180] [--runs N] [--save-corpus] [--write-seeds]

Anyone can register a work whose metadata CID names any bytes, so these bytes are hostile. `from_bytes` may
only raise `FormatError`; metadata it accepts must write back (`to_bytes`) and read back as itself. The
indexer must never raise: every input ends as a status, and what it would write must fit the asset row on
both databases (no NUL in text columns, CIDs and media types within their 128-character columns, JSON that
has a canonical form, i.e. no NaN, infinity or lone surrogate).
"""

import json
from typing import Any

from fuzzing import JSON_TOKENS, run, scratch_file
from sqlalchemy import create_engine

from genip.chain.types import WorkKind
from genip.content.canonical import canonical_json
from genip.content.digest import digest_bytes
from genip.content.errors import FormatError, MetadataTooLargeError
from genip.content.metadata import ParentLink, PerceptualHash, WorkMetadata
from genip.rules import ContentStatus
from genip.storage import LocalStore
from indexer.content_fields import MetadataFiller

NAME = "metadata"
#: Width of the asset row's `media_cid` and `media_type` columns.
SHORT_COLUMN = 128
DICTIONARY = (
    *JSON_TOKENS,
    b'"genip"',
    b'"version"',
    b'"content"',
    b'"perceptualHash"',
    b'"promptCommitment"',
    b'"parents"',
    b'"assetId"',
    b'"tags"',
    b'"details"',
    b'"mediaType"',
    b'"animation_url"',
    b'"image"',
    b'"ipfs://',
    b'"name"',
    b'"description"',
)

_filler: list[tuple[MetadataFiller, LocalStore]] = []


def _indexer() -> tuple[MetadataFiller, LocalStore]:
    if not _filler:
        store = LocalStore(scratch_file("store"))
        _filler.append((MetadataFiller(create_engine("sqlite://"), 1, store), store))
    return _filler[0]


def _claimed_sha256(data: bytes) -> str:
    """The content hash the metadata claims, so the indexer's own check can pass (else any bytes32)."""
    try:
        value = json.loads(data)["genip"]["content"]["sha256"]
    except Exception:
        return "0x" + "00" * 32
    return value if isinstance(value, str) else "0x" + "00" * 32


def _check_row(values: dict[str, Any]) -> None:
    """What the indexer would write fits the asset row on SQLite and Postgres."""
    if values["metadata_status"] not in set(ContentStatus):
        raise AssertionError(f"unknown status {values['metadata_status']!r}")
    for key in ("title", "description", "media_cid", "media_type"):
        value = values.get(key)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            raise AssertionError(f"{key} {value!r:.80} is not text a database column takes")
    for key in ("media_cid", "media_type"):
        if len(values.get(key) or "") > SHORT_COLUMN:
            raise AssertionError(f"{key} is longer than its {SHORT_COLUMN}-character column")
    tags = values.get("tags")
    if tags is not None and not all(isinstance(t, str) for t in tags):  # a JSON column: NUL is escaped
        raise AssertionError(f"tags {tags!r:.80} are not a list of text")
    if values.get("metadata_json") is not None:
        canonical_json(values["metadata_json"])


def test_one_input(data: bytes) -> None:
    """Read `data` as metadata, as the API and the indexer do; see the module docstring for what may fail."""
    try:
        meta = WorkMetadata.from_bytes(data)
    except FormatError:
        pass
    else:
        try:
            written = meta.to_bytes()
        except MetadataTooLargeError:
            pass
        else:
            if WorkMetadata.from_bytes(written) != meta:
                raise AssertionError("accepted metadata does not read back as itself")
    filler, store = _indexer()
    cid = store.put(data)
    try:
        _check_row(filler._read(cid, _claimed_sha256(data)))
    finally:
        store.path_of(cid).unlink()


def seed_inputs() -> dict[str, bytes]:
    """Gen-IP metadata of an image and of a text derivative, plain ERC-721 JSON, and near misses."""
    image = WorkMetadata(
        name="Tides at dusk",
        kind=WorkKind.IMAGE,
        content=digest_bytes(b"image bytes"),
        media_type="image/png",
        prompt_commitment=b"\x07" * 32,
        description="A watercolour.",
        perceptual_hash=PerceptualHash("pdq", b"\xa5" * 32, 93),
        model="sdxl",
        tags=("sea", "dusk"),
        creator="0x" + "ab" * 20,
        details={"format": "PNG", "width": 8, "height": 8},
    ).to_bytes()
    text = WorkMetadata(
        name="Haiku",
        kind=WorkKind.TEXT,
        content=digest_bytes(b"a haiku"),
        media_type="text/plain; charset=utf-8",
        prompt_commitment=b"\x01" * 32,
        perceptual_hash=PerceptualHash("simhash64", b"\x12" * 8 + bytes(24)),
        parents=(ParentLink(1, 2),),
        preview_cid=digest_bytes(b"preview").cid,
    ).to_bytes()
    version = json.loads(image)
    version["genip"]["version"] = 2
    return {
        "image.json": image,
        "text-derivative.json": text,
        "erc721.json": b'{"name": "Plain", "description": "no genip", "image": "ipfs://bafkreiabc"}',
        "version-2.json": json.dumps(version).encode(),
        "array.json": b"[]",
        "not-json.json": b"\x89PNG",
    }


if __name__ == "__main__":
    run(
        NAME,
        test_one_input,
        seed_inputs,
        instrument=("genip", "indexer"),
        dictionary=DICTIONARY,
        max_len=8192,
        description=__doc__,
    )
