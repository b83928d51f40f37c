"""The indexer's provenance step (`indexer.provenance.ProvenanceFinder`) on both backends, over rows as the
index and the media step write them: a later near-duplicate by another creator is recorded as a possible copy
of the earliest; an original whose media arrive late takes its copies back; a reorg that removes an original
frees its copy; a derivative and a creator's own re-upload are never copies."""

from collections.abc import Iterator

import pytest
import skimage.data
from PIL import Image
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Ancestor, Asset, Provenance
from genip.settings import Settings
from indexer.provenance import ProvenanceFinder
from tests.matching.test_engine import ALICE, BOB, CHAIN, _asset, _media_row

CAROL = "0x" + "C0" * 20


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _add(engine: Engine, asset_id: int, image: Image.Image, creator: str, *, pdq: bool = True) -> None:
    """An indexed image asset whose media step finished (`ok`), with its media hashes."""
    row = _asset(asset_id, image if pdq else None, creator=creator)
    row.media_status = "ok"
    with Session(engine) as session:
        session.add(row)
        session.commit()
    for kind in ("phash", "thumb"):
        _media_row(engine, asset_id, image, kind)


def _originals(engine: Engine) -> dict[int, int | None]:
    while ProvenanceFinder(engine, CHAIN, Settings()).fill():
        pass
    with engine.connect() as c:
        return {int(a): o for a, o in c.execute(select(Provenance.asset_id, Provenance.original_id))}


def _pictures() -> tuple[Image.Image, Image.Image]:
    astronaut = Image.fromarray(skimage.data.astronaut())
    return astronaut, Image.fromarray(skimage.data.coffee())


def test_a_later_near_duplicate_by_another_creator_is_a_possible_copy(engine: Engine) -> None:
    astronaut, coffee = _pictures()
    small = astronaut.resize((384, 384))
    _add(engine, 1, astronaut, ALICE)
    _add(engine, 2, small, BOB)  # Bob's copy
    _add(engine, 3, coffee, ALICE)
    _add(engine, 4, small, ALICE)  # Alice's own re-upload: the earliest match is hers
    _add(engine, 5, astronaut.resize((300, 300)), CAROL)  # a copy of the copy: the earliest decides
    assert _originals(engine) == {1: None, 2: 1, 3: None, 4: None, 5: 1}
    with engine.connect() as c:
        row = c.execute(select(Provenance).where(Provenance.asset_id == 2)).one()
    assert row.method in ("pdq", "phash") and row.distance is not None and row.original_block == 1
    assert row.block_number == 2


def test_a_registered_derivative_is_not_a_copy_of_its_ancestor(engine: Engine) -> None:
    astronaut, _ = _pictures()
    _add(engine, 1, astronaut, ALICE)
    _add(engine, 2, astronaut.resize((400, 400)), BOB)
    with Session(engine) as session:
        session.add(Ancestor(chain_id=CHAIN, asset_id=2, ancestor_id=1, share_bps=1_000))
        session.execute(update(Asset).where(Asset.asset_id == 2).values(is_derivative=True))
        session.commit()
    assert _originals(engine) == {1: None, 2: None}


def test_an_original_whose_media_arrive_late_takes_its_copies_back(engine: Engine) -> None:
    """#1 has no on-chain PDQ to match by and its media are missing: #2 and #3 are checked without it (#3 is
    then a copy of #2). When #1's media land, checking #1 clears the later rows: both become copies of #1."""
    astronaut, _ = _pictures()
    with Session(engine) as session:
        late = _asset(1, None, creator=ALICE)
        late.media_status = "missing"
        session.add(late)
        session.commit()
    _add(engine, 2, astronaut.resize((400, 400)), BOB)
    _add(engine, 3, astronaut.resize((300, 300)), CAROL)
    assert _originals(engine) == {2: None, 3: 2}
    for kind in ("phash", "thumb"):
        _media_row(engine, 1, astronaut, kind)
    with engine.begin() as c:
        c.execute(update(Asset).where(Asset.asset_id == 1).values(media_status="ok"))
    assert _originals(engine) == {1: None, 2: 1, 3: 1}


def test_a_reorg_that_removes_the_original_frees_its_copy(engine: Engine) -> None:
    astronaut, _ = _pictures()
    _add(engine, 1, astronaut, ALICE)
    _add(engine, 2, astronaut.resize((400, 400)), BOB)
    assert _originals(engine) == {1: None, 2: 1}
    with engine.begin() as c:
        c.execute(delete(Asset).where(Asset.asset_id == 1))
    assert _originals(engine)[2] is None


def test_no_step_loads_the_image_stack_for_non_images(engine: Engine) -> None:
    """Text works are never checked: nothing to do, no engine built."""
    with Session(engine) as session:
        text = _asset(1, None, creator=ALICE, kind="text")
        text.media_status = "ok"
        session.add(text)
        session.commit()
    finder = ProvenanceFinder(engine, CHAIN, Settings())
    assert finder.fill() == 0 and finder._matcher is None


def test_a_derivative_registered_after_a_copy_of_its_ancestor_is_not_a_copy_of_the_copy(
    engine: Engine,
) -> None:
    """#1 Alice's original, #2 Bob's copy of it, then #3 Carol's derivative of #1 (it looks like #1, so like
    #2 too): #3 is nobody's copy."""
    astronaut, _ = _pictures()
    _add(engine, 1, astronaut, ALICE)
    _add(engine, 2, astronaut.resize((400, 400)), BOB)
    assert _originals(engine) == {1: None, 2: 1}
    _add(engine, 3, astronaut.resize((350, 350)), CAROL)
    with Session(engine) as session:
        session.add(Ancestor(chain_id=CHAIN, asset_id=3, ancestor_id=1, share_bps=1_000))
        session.execute(update(Asset).where(Asset.asset_id == 3).values(is_derivative=True))
        session.commit()
    assert _originals(engine) == {1: None, 2: 1, 3: None}


def test_a_centred_crop_of_a_repeating_pattern_is_a_possible_copy(engine: Engine) -> None:
    """Bob's 5 % crop of Alice's checkerboard tile: every hash moves by 60-100 bits, the whole thumbnails
    correlate at 0.95 and the keypoints cannot pair (every corner has the same descriptor), so nothing
    recorded it and a licence sold on it passed for the original's. The 95 % view of #1's stored thumbnail
    finds it; an unrelated picture registered later stays an original."""
    board = Image.fromarray(skimage.data.checkerboard()).convert("RGB")
    w, h = board.size
    tile = board.crop((0, h // 3, w // 3, 2 * h // 3))
    tw, th = tile.size
    crop = tile.crop((round(tw * 0.025), round(th * 0.025), tw - round(tw * 0.025), th - round(th * 0.025)))
    _add(engine, 1, tile, ALICE)
    _add(engine, 2, crop, BOB)
    _add(engine, 3, _pictures()[1], CAROL)
    assert _originals(engine) == {1: None, 2: 1, 3: None}
    with engine.connect() as c:
        row = c.execute(select(Provenance).where(Provenance.asset_id == 2)).one()
    assert row.method == "thumb" and row.correlation >= Settings().match_thumbnail_correlation
