"""`genip register` refuses an image that looks like another creator's indexed certificate (unless --force),
naming the certificate and what to do instead (the exact `genip derive` command when the account holds a
licence that allows derivatives on it); --force says the work is marked as a possible copy; its own creator
and `genip derive` are not stopped; an exact duplicate names the certificate; without a database the check is
skipped."""

import io
import shlex
import sqlite3
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
    assert f"near-duplicate of asset {asset} by {CREATOR.address}" in error
    # No licence held: how to get one, and what --force does.
    assert "you hold no licence on it that allows derivatives" in error and f"genip show {asset}" in error
    assert f"genip derive FILE --parent {asset}:LICENCE" in error
    assert (
        f"--force (registered as an original it is marked publicly as a possible copy of asset {asset}"
        in error
    )
    assert "Registered" not in refused.stdout  # nothing stored or sent

    # Its creator may register a variant of their own work.
    genip("register", str(copy), "--title", "Own", "--prompt", "p", key=CREATOR).ok()
    own_variant = tmp_path / "own.jpg"
    Image.open(copy).save(own_variant, "JPEG", quality=80)

    forced = genip(
        "register", str(own_variant), "--title", "Mine", "--prompt", "p", "--force", key=CREATOR_2
    ).ok()
    warning = " ".join(forced.stderr.split())  # the console wraps long lines
    assert "Registered asset" in forced.stdout and f"near-duplicate of asset {asset}" in warning
    assert (
        f"--force: registering it as an original, marked publicly as a possible copy of asset {asset}"
        in warning
    )


def test_a_licence_that_allows_derivatives_is_named_with_the_exact_derive_command(
    genip: Genip, client: GenIPClient, tmp_path: Path
) -> None:
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    first = genip("register", str(original), "--title", "Astronaut", "--prompt", "p", "--json", key=CREATOR)
    asset = int(first.json()["asset_id"])
    offer = genip("offer", str(asset), "--tier", "extended", "--price", "0.01", "--json", key=CREATOR).json()
    licence = genip(
        "license", "buy", str(asset), "--offer", str(offer["offer_id"]), "--json", key=BRAND
    ).json()["license_id"]
    _index(genip, client)
    copy = _astronaut(tmp_path / "my copy.jpg", copy=True)

    error = genip("register", str(copy), "--title", "My take", "--prompt", "p", key=BRAND).error()
    assert f"near-duplicate of asset {asset}" in error
    assert f"you hold licence {licence} on it, which allows derivatives" in error
    command = f"genip derive '{copy}' --title 'My take' --prompt p --parent {asset}:{licence}"
    assert f"`{command}`" in error  # the options given are kept
    assert f"possible copy of asset {asset}" in error

    # The command as named, with the prompt, registers the derivative under that licence.
    args = shlex.split(command)[1:]
    derived = genip(*args, "--prompt", "p", "--json", key=BRAND).json()
    assert derived["parents"] == [{"asset_id": asset, "license_id": licence}]
    assert client.license_token.functions.licenseOf(licence).call()[7] is True  # usedForDerivative

    # Used up, the licence no longer fits: a second copy is told how to get another one.
    again = _astronaut(tmp_path / "again.jpg", copy=True)
    Image.open(again).rotate(1).save(again, "JPEG", quality=60)
    error = genip("register", str(again), "--title", "Again", "--prompt", "p", key=BRAND).error()
    assert "you hold no licence on it that allows derivatives" in error


def test_an_exact_duplicate_names_the_certificate(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    first = genip("register", str(original), "--title", "A", "--prompt", "p", "--json", key=CREATOR)
    asset = int(first.json()["asset_id"])
    nonce = client.w3.eth.get_transaction_count(CREATOR_2.address)
    again = genip("register", str(original), "--title", "B", "--prompt", "p", key=CREATOR_2)
    told = " ".join(again.stderr.split())  # the console wraps long lines
    assert again.exit_code == 3, (again.stdout, again.stderr)
    assert f"this exact file is asset {asset} (its certificate: `genip show {asset}`)" in told
    assert "it cannot be registered again, so nothing was stored or sent" in told
    assert f"Already registered as asset {asset}" in again.stdout
    assert client.w3.eth.get_transaction_count(CREATOR_2.address) == nonce


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


def test_without_an_index_the_check_finds_nothing(genip: Genip, client: GenIPClient, tmp_path: Path) -> None:
    """Nothing indexed yet: the check has nothing to compare with and never blocks. The database exists all
    the same: registering seals the original and keeps its envelope there (`sealed_originals`)."""
    original = _astronaut(tmp_path / "astronaut.png", copy=False)
    genip("register", str(original), "--title", "A", "--prompt", "p", key=CREATOR).ok()
    copy = _astronaut(tmp_path / "copy.jpg", copy=True)
    genip("register", str(copy), "--title", "B", "--prompt", "p", key=CREATOR_2).ok()
    with sqlite3.connect(genip.data_dir / "genip.db") as db:
        assert db.execute("SELECT count(*) FROM assets").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM sealed_originals").fetchone() == (2,)
