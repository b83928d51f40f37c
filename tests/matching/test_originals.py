"""The possible-original rule and the pairwise comparison of two registered works' stored hashes."""

import json

import pytest
import skimage.data
from eth_hash.auto import keccak
from PIL import Image

from genip.matching.engine import Candidate, MatchConfig
from genip.matching.originals import (
    Measure,
    Registration,
    StoredHashes,
    compare,
    copy_evidence,
    is_possible_original,
    possible_original,
    role_of,
)
from genip.matching.thumbnails import thumbnail
from genip.rules import MatchRole

ALICE, BOB, CAROL = "0x" + "a1" * 20, "0x" + "b2" * 20, "0x" + "c3" * 20
COPY = Registration(1, 20, BOB, 200)


def reg(asset_id: int, creator: str, block: int, chain: int = 1) -> Registration:
    return Registration(chain, asset_id, creator, block)


def cand(r: Registration) -> Candidate:
    return Candidate(r.chain_id, r.asset_id, 3, 0.97, r.creator, "clear")


@pytest.mark.parametrize(
    ("candidate", "ancestors", "expected"),
    [
        (reg(10, ALICE, 100), (), True),
        (reg(10, ALICE.upper().replace("0X", "0x"), 100), (), True),
        (reg(10, BOB.upper().replace("0X", "0x"), 100), (), False),  # same creator, any case
        (reg(30, ALICE, 300), (), False),  # later
        (reg(19, ALICE, 200), (), True),  # same block, registered first
        (reg(21, ALICE, 200), (), False),  # same block, registered after
        (reg(10, ALICE, 100), (10,), False),  # an ancestor: a licensed derivative looks like it
        (reg(10, ALICE, 100, chain=2), (), False),
    ],
)
def test_the_rule_for_one_pair(candidate: Registration, ancestors: tuple[int, ...], expected: bool) -> None:
    assert is_possible_original(candidate, COPY, copy_ancestors=ancestors) is expected


def test_what_a_matching_work_is_to_another() -> None:
    alice = reg(10, ALICE, 100)
    assert role_of(alice, COPY) is MatchRole.ORIGINAL
    assert role_of(COPY, alice) is MatchRole.POSSIBLE_COPY
    assert role_of(alice, COPY, work_ancestors={10}) is MatchRole.ANCESTOR
    assert role_of(COPY, alice, other_ancestors={10}) is MatchRole.DERIVATIVE
    assert role_of(reg(5, BOB, 50), COPY) is MatchRole.SAME_CREATOR
    assert role_of(COPY, COPY) is None and role_of(reg(10, ALICE, 100, chain=2), COPY) is None


def test_the_earliest_match_decides() -> None:
    alice, carol, own = reg(10, ALICE, 100), reg(15, CAROL, 150), reg(12, BOB, 120)
    matches = [(cand(carol), carol), (cand(alice), alice)]
    assert possible_original(COPY, matches) == (cand(alice), alice)
    # The copier's own earlier work is the earliest: nobody else's is its original.
    assert possible_original(COPY, [*matches, (cand(reg(5, BOB, 50)), reg(5, BOB, 50))]) is None
    assert possible_original(COPY, [(cand(own), own)]) is None
    # The earliest is an ancestor: a derivative looks like it, and so like whatever else looks like it.
    assert possible_original(COPY, matches, copy_ancestors={10}) is None
    assert possible_original(COPY, matches, copy_ancestors={15}) == (cand(alice), alice)
    assert possible_original(COPY, []) is None


def test_compare_uses_the_engine_thresholds_and_prefers_the_closer_hash() -> None:
    base = bytes(32)
    near = bytes([0b111]) + bytes(31)  # 3 bits
    far = bytes([0xFF] * 7) + bytes(25)  # 56 bits
    assert compare(StoredHashes(pdq=near), StoredHashes(pdq=base)) == Measure("pdq", distance=3)
    assert compare(StoredHashes(pdq=far), StoredHashes(pdq=base)) is None
    both = compare(StoredHashes(pdq=far, phash=near), StoredHashes(pdq=base, phash=base))
    assert both == Measure("phash", distance=3)


def test_a_mirrored_thumbnail_matches_by_correlation() -> None:
    thumb = bytes((x * 7 + y * 3) % 251 for y in range(16) for x in range(16))
    mirrored = b"".join(thumb[r * 16 : r * 16 + 16][::-1] for r in range(16))
    found = compare(StoredHashes(pdq=None, thumb=mirrored), StoredHashes(pdq=None, thumb=thumb))
    assert found is not None and found.method == "thumb" and found.correlation == pytest.approx(1.0)


def test_the_evidence_hash_covers_every_field_and_the_sentence_says_it() -> None:
    original = reg(15, ALICE, 160)
    copy = reg(17, BOB, 200)
    args = {
        "copy": copy,
        "copy_hashes": ("0x" + "11" * 32, "0x" + "22" * 32),
        "original": original,
        "original_hashes": ("0x" + "33" * 32, "0x" + "44" * 32),
        "measure": Measure("pdq", distance=2),
    }
    evidence = copy_evidence(**args)  # type: ignore[arg-type]
    canonical = json.dumps(evidence.document, sort_keys=True, separators=(",", ":"))
    assert evidence.evidence_hash == "0x" + keccak(canonical.encode()).hex()
    assert evidence.sentence == (
        "#17 matches #15 (PDQ distance 2 bits), registered 40 blocks later by another creator"
    )
    assert evidence.possible_original
    other = copy_evidence(**{**args, "measure": Measure("pdq", distance=3)})  # type: ignore[arg-type]
    assert other.evidence_hash != evidence.evidence_hash
    same = copy_evidence(**{**args, "original": reg(15, BOB, 200)})  # type: ignore[arg-type]
    assert same.sentence.endswith("registered in the same block by the same creator")
    assert not same.possible_original


def test_a_centred_crop_matches_by_a_centre_view_as_in_the_engine() -> None:
    """A 5 % crop of a checkerboard tile: the engine finds it through the original's 95 % thumbnail view
    (`zoomed`), so the pairwise comparison (copy evidence) measures it the same way."""
    board = Image.fromarray(skimage.data.checkerboard()).convert("RGB")
    tile = board.crop((0, board.height // 3, board.width // 3, 2 * board.height // 3))
    w, h = tile.size
    crop = tile.crop((round(w * 0.025), round(h * 0.025), w - round(w * 0.025), h - round(h * 0.025)))
    found = compare(
        StoredHashes(pdq=None, thumb=thumbnail(crop)), StoredHashes(pdq=None, thumb=thumbnail(tile))
    )
    assert found is not None and found.method == "thumb" and found.correlation is not None
    assert found.correlation >= MatchConfig().thumbnail_correlation
    # The reverse is no crop: the tile is not a centre view of its own crop.
    assert (
        compare(StoredHashes(pdq=None, thumb=thumbnail(tile)), StoredHashes(pdq=None, thumb=thumbnail(crop)))
        is None
    )
