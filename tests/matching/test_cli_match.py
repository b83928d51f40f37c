"""`genip match` (wired here on a local Typer app; main.py wires it for real): candidates, verdict, JSON."""

import json
from pathlib import Path

import typer
from PIL import Image
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.match import match
from genip.db.engine import make_engine
from genip.db.migrate import upgrade
from genip.db.models import Asset, License
from genip.settings import Settings
from indexer.provenance import ProvenanceFinder
from tests.matching.conftest import encode
from tests.matching.test_engine import ALICE, BOB, CHAIN, _asset, _insert

BRAND = "0x" + "B2" * 20


def _app(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = settings

    app.command("match")(match)
    return app


def _licence(license_id: int, asset_id: int, holder: str, *, expires_at: int = 0) -> License:
    return License(
        chain_id=CHAIN, license_id=license_id, asset_id=asset_id, offer_id=1, holder=holder, buyer=holder,
        currency="0x" + "00" * 20, price=1, expires_at=expires_at, tier="standard", commercial_use=True,
        derivatives_allowed=False, transferable=True, rev_share_bps=0, block_number=1,
        tx_hash="0x" + "11" * 32, purchased_at=1,
    )  # fmt: skip


def test_match_prints_candidates_and_the_verdict(tmp_path: Path, astronaut: Image.Image) -> None:
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    _insert(engine, _asset(1, astronaut))
    with Session(engine) as session:
        session.add_all([_licence(1, 1, BOB), _licence(2, 1, "0x" + "C0" * 20, expires_at=5)])
        session.commit()
    upload = tmp_path / "copy.jpg"
    upload.write_bytes(encode(astronaut.resize((256, 256)), "JPEG", quality=60))
    runner = CliRunner()
    app = _app(settings)

    result = runner.invoke(app, ["match", str(upload), "--account", BOB.lower(), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output.strip().splitlines()[-1])
    assert answer["verdict"] == "licensed" and answer["candidates"][0]["asset_id"] == 1
    assert answer["status"]["licenses"][0]["license_id"] == 1

    expired = runner.invoke(app, ["match", str(upload), "--account", "0x" + "C0" * 20, "--json"])
    assert json.loads(expired.output.strip().splitlines()[-1])["verdict"] == "unlicensed"
    owner = runner.invoke(app, ["match", str(upload), "--account", ALICE, "--json"])
    assert json.loads(owner.output.strip().splitlines()[-1])["verdict"] == "licensed"

    table = runner.invoke(app, ["match", str(upload)])
    assert table.exit_code == 0 and "verdict: unlicensed" in table.output


def test_an_unregistered_image_is_unregistered(tmp_path: Path, coffee: Image.Image) -> None:
    settings = Settings(data_dir=tmp_path)
    upgrade(make_engine(settings.db_url))
    upload = tmp_path / "coffee.png"
    upload.write_bytes(encode(coffee))
    result = CliRunner().invoke(_app(settings), ["match", str(upload), "--json"])
    assert json.loads(result.output.strip().splitlines()[-1]) == {
        "verdict": "unregistered",
        "candidates": [],
        "status": None,
        "rests_on": None,
        "note": None,
    }


def test_match_weighs_the_copy_and_rests_on_the_original(tmp_path: Path, astronaut: Image.Image) -> None:
    """Bob's copy (#2) of Alice's astronaut (#1), recorded by the indexer's provenance step; the brand holds a
    licence on the original: an upload of the copy's pixels is licensed, resting on #1, with #2 marked."""
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    small = astronaut.resize((384, 384))
    _insert(engine, _asset(1, astronaut), _asset(2, small, creator=BOB))
    with Session(engine) as session:
        session.add(_licence(1, 1, BRAND))
        session.execute(update(Asset).values(media_status="ok"))
        session.commit()
    while ProvenanceFinder(engine, CHAIN, settings).fill():
        pass
    upload = tmp_path / "copy.jpg"
    upload.write_bytes(encode(small, "JPEG", quality=70))
    app = _app(settings)

    result = CliRunner().invoke(app, ["match", str(upload), "--account", BRAND, "--json"])
    answer = json.loads(result.output.strip().splitlines()[-1])
    assert answer["verdict"] == "licensed" and answer["rests_on"] == 1
    roles = {c["asset_id"]: (c["role"], c["copy_of"], c["licensed"]) for c in answer["candidates"]}
    assert roles == {1: ("original", None, True), 2: ("possible_copy", 1, False)}

    table = CliRunner().invoke(app, ["match", str(upload), "--account", BOB])
    assert "possible copy of #1" in table.output and "verdict: unlicensed (rests on #1)" in table.output
    assert "#2, a possible copy of #1" in " ".join(table.output.split())
