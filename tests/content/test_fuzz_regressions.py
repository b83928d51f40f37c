"""Inputs that broke a parser's contract, found by the fuzzers (`scripts/fuzz_*.py`) or while writing them,
each fed to the parser it broke: every one now ends in the parser's documented error, or in a clean result.

The exact inputs the fuzzers wrote are also kept in `tests/fuzz_corpus/<name>/regress-*`, which
`tests/test_fuzz_corpus.py` replays through the fuzz targets.
"""

import io
import json
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, insert, select

from genip.chain.types import WorkKind
from genip.content.canonical import parse_json
from genip.content.digest import digest_bytes
from genip.content.errors import ContentError, FingerprintError, FormatError
from genip.content.fingerprint import pdq_fingerprint_file, python_decoder
from genip.content.formats import prepare_work, read_safetensors_info
from genip.content.formats.workflow import canonical_workflow
from genip.content.hashed import hash_work_file
from genip.content.metadata import PerceptualHash, WorkMetadata
from genip.db import models
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.matching.errors import NotAnImageError
from genip.matching.normalize import load_image
from genip.recursion import RECURSION_LIMIT
from genip.storage import LocalStore
from indexer.content_fields import MetadataFiller
from tests.indexer.conftest import postgres_database

CORPUS = Path(__file__).resolve().parents[1] / "fuzz_corpus"


@pytest.fixture
def service_recursion_limit() -> Iterator[None]:
    """The recursion limit every service process runs with (`genip.recursion`), for this test only."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


# ── JSON (`parse_json`, `canonical_workflow`): fuzz_workflow ──────────────────────────────────────────────


@pytest.mark.parametrize("data", [b"1e999", b'{"nodes": [], "links": [-1e400]}', b"[1" + b"0" * 400 + b".5]"])
def test_numbers_that_overflow_to_infinity_are_refused(data: bytes) -> None:
    """fuzz_workflow: `1e999` parsed to `inf`, which no canonical form holds (and Postgres' json refuses)."""
    with pytest.raises(FormatError, match="out of range"):
        parse_json(data)
    with pytest.raises(FormatError):
        canonical_workflow(data)


def test_integers_too_long_to_convert_are_refused() -> None:
    """Review: `json` raises a bare `ValueError` past 4300 digits, which escaped `parse_json` (and with it
    the indexer's metadata step, which catches `ContentError`)."""
    with pytest.raises(FormatError, match="too long"):
        parse_json(b"[" + b"9" * 5000 + b"]")
    assert parse_json(b"[" + b"9" * 4000 + b"]") == [int("9" * 4000)]


def test_escapes_of_lone_surrogates_are_refused_and_pairs_are_kept() -> None:
    """Review, the fuzzers' round-trip property: a lone `\\ud800` has no UTF-8 form, so no canonical one."""
    with pytest.raises(FormatError, match="lone surrogate"):
        parse_json(b'{"name": "\\ud800"}')
    with pytest.raises(FormatError, match="lone surrogate"):
        parse_json(b'{"\\uDFFF": 1}')
    assert parse_json(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]


# ── Metadata (`WorkMetadata.from_bytes`, `indexer.content_fields`): fuzz_metadata ────────────────────────


def _metadata(**changes: Any) -> dict[str, Any]:
    """Gen-IP metadata as JSON, with `changes` applied (keys `genip.content.size` and so on)."""
    document = json.loads(
        WorkMetadata(
            name="Tides",
            kind=WorkKind.IMAGE,
            content=digest_bytes(b"image bytes"),
            media_type="image/png",
            prompt_commitment=b"\x07" * 32,
            perceptual_hash=PerceptualHash("pdq", b"\xa5" * 32, 93),
        ).to_bytes()
    )
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
    return document


def test_metadata_with_a_malformed_cid_is_a_format_error() -> None:
    """fuzz_metadata: the CID check's `InvalidCIDError` escaped `from_bytes`, which promises `FormatError`."""
    bad = _metadata(**{"genip.content.cid": "bafkreig6oaycgr)tvc7kqrg34hmgo3tiula2jmauy4q7aqs2ek3n6zx25q"})
    with pytest.raises(FormatError, match="not Gen-IP work metadata"):
        WorkMetadata.from_bytes(json.dumps(bad).encode())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("description", {"a": 1}),
        ("genip.content.mediaType", ["image/png"]),
        ("genip.content.size", "12"),
        ("genip.content.size", -1),
        ("genip.tags", "abc"),
        ("genip.details", [1, 2]),
        ("genip.model", 7),
        ("genip.perceptualHash.quality", True),
    ],
)
def test_metadata_fields_of_the_wrong_json_type_are_refused(path: str, value: Any) -> None:
    """Review, fuzz_metadata's row check: a description object reached a text column (neither database
    takes one), a tags string became a tuple of characters, a details array broke `to_json`."""
    with pytest.raises(FormatError, match="not Gen-IP work metadata"):
        WorkMetadata.from_bytes(json.dumps(_metadata(**{path: value})).encode())


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    urls = iter([f"sqlite:///{tmp_path / 'genip.db'}"]) if request.param == "sqlite" else postgres_database()
    engine = make_engine(next(urls))
    upgrade(engine)
    yield engine
    engine.dispose()
    for _ in urls:  # drops the Postgres database
        pass


def test_the_indexer_fills_hostile_metadata_without_failing(engine: Engine, tmp_path: Path) -> None:
    """fuzz_metadata: an `ipfs://` image URI longer than the `media_cid` column made Postgres refuse the row
    update, so `MetadataFiller.fill` raised on every pass (and the indexer with it); so did a NUL in a title
    (Postgres text), an over-long media type, a description object (both databases) and `1e999`."""
    store = LocalStore(tmp_path / "store")
    sha = "0x" + digest_bytes(b"image bytes").sha256.hex()
    documents = {
        1: {"name": "Plain", "image": "ipfs://" + "b" * 200},
        2: {"name": "N\x00UL", "description": "a\x00b", "image": "ipfs://" + digest_bytes(b"m").cid},
        3: _metadata(**{"genip.content.mediaType": "image/" + "x" * 200, "name": "T\x00ides"}),
        4: _metadata(description={"not": "text"}),
    }
    blobs = {asset_id: json.dumps(document).encode() for asset_id, document in documents.items()}
    blobs[5] = b'{"name": "Overflow", "size": 1e999}'
    with engine.begin() as c:
        for asset_id, data in blobs.items():
            c.execute(
                insert(models.Asset).values(
                    chain_id=1,
                    asset_id=asset_id,
                    creator="0x" + "11" * 20,
                    owner="0x" + "11" * 20,
                    registrar="0x" + "11" * 20,
                    kind="image",
                    content_hash=sha,
                    perceptual_hash="0x" + "00" * 32,
                    prompt_commitment="0x" + "07" * 32,
                    metadata_cid=store.put(data),
                    block_number=1,
                    tx_hash="0x" + "22" * 32,
                    registered_at=0,
                )
            )

    assert MetadataFiller(engine, 1, store).fill() == len(blobs)

    a = models.Asset
    with engine.connect() as c:
        rows = {
            r.asset_id: r
            for r in c.execute(
                select(a.asset_id, a.metadata_status, a.title, a.description, a.media_cid, a.media_type)
            )
        }
    assert (rows[1].metadata_status, rows[1].title, rows[1].media_cid) == ("ok", "Plain", None)
    assert (rows[2].title, rows[2].description, rows[2].media_cid) == ("NUL", "ab", digest_bytes(b"m").cid)
    assert (rows[3].metadata_status, rows[3].title, rows[3].media_type) == ("ok", "Tides", None)
    assert (rows[4].metadata_status, rows[4].title, rows[4].description) == ("ok", "Tides", None)
    assert rows[5].metadata_status == "invalid"


# ── Safetensors headers (`read_safetensors_info`): fuzz_safetensors ──────────────────────────────────────


def _safetensors(tmp_path: Path, header: dict[str, Any], data: bytes = b"") -> Path:
    raw = json.dumps(header).encode()
    path = tmp_path / "model.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


def test_tensor_shapes_past_usize_are_refused_before_multiplying_them(tmp_path: Path) -> None:
    """Review: the parameter count multiplied whatever shape a header gave, and a few MB of huge dimensions
    take hours to multiply (36 s for 1.7 MB, quadratic beyond); the reference library refuses the overflow."""
    shape = [2**64 - 1, 2]
    path = _safetensors(tmp_path, {"t": {"dtype": "F32", "shape": shape, "data_offsets": [0, 0]}})
    with pytest.raises(FormatError, match="more than 18446744073709551615 elements"):
        read_safetensors_info(path)
    fits = _safetensors(tmp_path, {"t": {"dtype": "U8", "shape": [2**64 - 1, 1, 0], "data_offsets": [0, 0]}})
    assert read_safetensors_info(fits).parameter_count == 0


@pytest.mark.usefixtures("service_recursion_limit")
@pytest.mark.parametrize("frequency", ["[" * 5000, '{"d": {"tag": 1' + "0" * 5000 + "}}"])
def test_tag_frequencies_that_json_cannot_read_give_no_trigger_words(tmp_path: Path, frequency: str) -> None:
    """Review: `ss_tag_frequency` nested past the recursion limit (`RecursionError`) or holding an integer
    too long to convert (`ValueError`) escaped the reader, which only caught `JSONDecodeError`."""
    path = _safetensors(tmp_path, {"__metadata__": {"ss_tag_frequency": frequency}})
    assert read_safetensors_info(path).trigger_words == ()


# ── Images (`prepare_work`, `hash_work_file`, `load_image`): fuzz_image ──────────────────────────────────

#: An 8x8 PNG whose IHDR length field was mutated to 0x0400000d: Pillow's `Image.open` raises `OSError`.
TRUNCATED_IHDR = bytes.fromhex(
    "89504e470d0a1a0a0400000d49484452003a00080000000808020000164b6d29dc8a4000000000000000"
)


def test_a_png_with_a_broken_header_is_a_format_error_not_an_os_error(tmp_path: Path) -> None:
    """fuzz_image: `prepare_work` let Pillow's `OSError` through, which its callers take for a file that
    cannot be read (`genip register` said "connection failed (OSError)")."""
    path = tmp_path / "work.png"
    path.write_bytes(TRUNCATED_IHDR)
    with pytest.raises(FormatError, match="not an image this tool can read"):
        prepare_work(path, WorkKind.IMAGE)
    with pytest.raises(ContentError):
        hash_work_file(path, WorkKind.IMAGE)
    with pytest.raises(NotAnImageError):
        load_image(TRUNCATED_IHDR)


def _rle8_bmp(width: int, height: int) -> bytes:
    """A 2-colour RLE8 BMP: one pixel and an end-of-line per row (Pillow pads the row one byte at a time)."""
    body = b"\x01\x01\x00\x00" * height + b"\x00\x01"
    palette = b"\x00\x00\x00\x00\xff\xff\xff\x00"
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(body), 2835, 2835, 2, 0)
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(body), 0, 0, offset) + info + palette + body


def test_images_pillow_decodes_in_python_are_refused_before_decoding(tmp_path: Path) -> None:
    """fuzz_image (a timeout): Pillow decodes RLE BMPs in Python, in time proportional to the announced
    size; this 80-byte file of 13 000 000 x 4 pixels, within the cap, took 6-8 s of CPU to load."""
    data = _rle8_bmp(13_000_000, 4)
    with Image.open(io.BytesIO(data)) as image:
        assert python_decoder(image) == "bmp_rle"
    with pytest.raises(NotAnImageError, match="bmp_rle"):
        load_image(data)
    path = tmp_path / "work.png"  # an upload's name says nothing of its format
    path.write_bytes(data)
    with pytest.raises(FingerprintError, match="bmp_rle"):
        pdq_fingerprint_file(path)
    with pytest.raises(ContentError):
        hash_work_file(path, WorkKind.IMAGE)
    path.write_bytes(_save_png())
    assert pdq_fingerprint_file(path).hash  # images decoded in C are hashed as before


def _save_png() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((32, 32)).save(out, "PNG")
    return out.getvalue()
