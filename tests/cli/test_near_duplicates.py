"""`genip register` refuses an image that looks like another creator's indexed certificate (unless --force);
its own creator and `genip derive` are not stopped; without a database the check is skipped."""

import io
from pathlib import Path

import skimage.data
from PIL import Image

from genip.chain.client import GenIPClient
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from indexer.config import IndexerConfig
from indexer.runner import Indexer
from tests.cli.conftest import Genip
from tests.helpers import BRAND, CREATOR, CREATOR_2


def _astronaut(path: Path, *, copy: bool) -> Path:
    """scikit-image's astronaut as a PNG, or (`copy`) a smaller re-encoded JPEG of it."""
    image = Image.fromarray(skimage.data.astronaut())  # type: ignore[no-untyped-call]
    buffer = io.BytesIO()
    if copy:
        image.resize((384, 384)).save(buffer, "JPEG", quality=70)
    else:
        image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _index(genip: Genip, client: GenIPClient) -> None:
    """Index the chain into the settings' database (`<data dir>/genip.db`), as `genip index` would."""
    engine = make_engine(f"sqlite:///{genip.data_dir / 'genip.db'}")
    upgrade(engine)
    Indexer(engine, IndexerConfig.from_deployment(client.deployment)).run(once=True)
    engine.dispose()


def test_a_near_duplicate_of_another_creators_work_is_refused_unless_forced(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    first = genip("register", str(original), "--title", "Astronaut", "--prompt", "p", "--json", key=CREATOR)
    asset = int(first.json()["asset_id"])
    _index(genip, client)
    copy = _astronaut(tmp_path / "copy.jpg", copy=True)

    refused = genip("register", str(copy), "--title", "Mine", "--prompt", "p", key=CREATOR_2)
    error = refused.error()
    assert f"near-duplicate of asset {asset}" in error and CREATOR.address in error and "--force" in error
    assert "Registered" not in refused.stdout  # nothing stored or sent

    # Its creator may register a variant of their own work.
    genip("register", str(copy), "--title", "Own", "--prompt", "p", key=CREATOR).ok()
    own_variant = tmp_path / "own.jpg"
    Image.open(copy).save(own_variant, "JPEG", quality=80)

    forced = genip(
        "register", str(own_variant), "--title", "Mine", "--prompt", "p", "--force", key=CREATOR_2
    ).ok()
    assert "Registered asset" in forced.stdout and f"near-duplicate of asset {asset}" in forced.stderr


def test_derive_is_not_checked(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    first = genip("register", str(original), "--title", "A", "--prompt", "p", "--json", key=CREATOR)
    asset = int(first.json()["asset_id"])
    offer = genip("offer", str(asset), "--tier", "extended", "--price", "0.01", "--json", key=CREATOR).json()
    licence = genip(
        "license", "buy", str(asset), "--offer", str(offer["offer_id"]), "--json", key=BRAND
    ).json()
    _index(genip, client)
    copy = _astronaut(tmp_path / "copy.jpg", copy=True)
    parent = f"{asset}:{licence['license_id']}"
    genip("derive", str(copy), "--title", "D", "--prompt", "p", "--parent", parent, key=BRAND).ok()


def test_without_a_database_the_check_is_skipped(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    genip("register", str(original), "--title", "A", "--prompt", "p", key=CREATOR).ok()
    copy = _astronaut(tmp_path / "copy.jpg", copy=True)
    genip("register", str(copy), "--title", "B", "--prompt", "p", key=CREATOR_2).ok()
    assert not (genip.data_dir / "genip.db").exists()
