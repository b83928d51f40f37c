"""`genip platform add|list|keys|rotate-key|revoke-key|remove` in-process on both backends: the key printed
once (and never again), key states after rotation and revocation, removal, and one-line errors."""

from pathlib import Path

import pytest
from sqlalchemy import Engine

from genip.chain.client import GenIPClient
from genip.chain.deployment import write_deployment
from genip.platforms import authenticate
from tests.cli.conftest import Genip
from tests.indexer.conftest import db_url, engine

__all__ = ["db_url", "engine"]

WALLET = "0x" + "ab" * 20


@pytest.fixture
def genip(client: GenIPClient, tmp_path: Path, db_url: str, engine: Engine) -> Genip:
    path = write_deployment(client.deployment, tmp_path / "deployments", current=False)
    return Genip(tmp_path / "data", path, env={"GENIP_DATABASE_URL": db_url})


def test_the_account_commands(genip: Genip, engine: Engine) -> None:
    shown = genip("platform", "add", "Lexica", "--wallet", WALLET).ok().stdout
    assert "gip_" in shown and "will not be shown again" in shown
    added = genip("platform", "add", "Civitai", "--wallet", WALLET, "--json").json()
    key = added["key"]
    assert key.startswith(f"gip_{added['key_id']}_") and "not be shown again" in added["note"]
    assert authenticate(engine, key) is not None

    listed = genip("platform", "list", "--json").json()["platforms"]
    assert [p["name"] for p in listed] == ["Lexica", "Civitai"]
    assert listed[1]["wallet"].lower() == WALLET
    for args in (["list"], ["keys", "Civitai"], ["list", "--json"], ["keys", "Civitai", "--json"]):
        assert key not in genip("platform", *args).ok().stdout  # shown once, never again
    [only] = genip("platform", "keys", "Civitai", "--json").json()["keys"]
    assert (only["key_id"], only["state"]) == (added["key_id"], "live")

    rotated = genip("platform", "rotate-key", "Civitai", "--grace", "2h", "--json").json()
    assert rotated["key"] != key and authenticate(engine, key) is not None  # the old key works on a while
    states = {k["key_id"]: k["state"] for k in genip("platform", "keys", "Civitai", "--json").json()["keys"]}
    assert states == {added["key_id"]: "ending", rotated["key_id"]: "live"}

    out = genip("platform", "revoke-key", "Civitai", added["key_id"], "--json").json()
    assert out == {"platform": "Civitai", "revoked_keys": 1}
    assert authenticate(engine, key) is None and authenticate(engine, rotated["key"]) is not None
    now = genip("platform", "rotate-key", "Civitai", "--grace", "0", "--json").json()
    assert authenticate(engine, rotated["key"]) is None and authenticate(engine, now["key"]) is not None
    assert genip("platform", "revoke-key", "Civitai", "--all", "--json").json()["revoked_keys"] == 1
    assert authenticate(engine, now["key"]) is None

    genip("platform", "remove", "Lexica").ok()
    assert [p["name"] for p in genip("platform", "list", "--json").json()["platforms"]] == ["Civitai"]
    assert len(genip("platform", "list", "--removed", "--json").json()["platforms"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "Lexica", "--wallet", "0x12"], "is not an address"),
        (["add", "-x", "--wallet", WALLET], "No such option"),
        (["add", "bad/name", "--wallet", WALLET], "platform name"),
        (["add", "Taken", "--wallet", WALLET], "exists already"),
        (["keys", "Nobody"], "no platform named 'Nobody'"),
        (["rotate-key", "Taken", "--grace", "soon"], "is not like 30d"),
        (["rotate-key", "Taken", "--grace", "forever"], "give a duration"),
        (["revoke-key", "Taken"], "name one KEY_ID or give --all"),
        (["revoke-key", "Taken", "abc", "--all"], "name one KEY_ID or give --all"),
        (["revoke-key", "Taken", "000000000000"], "no live key"),
        (["remove", "Nobody"], "no platform named"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(genip: Genip, args: list[str], message: str) -> None:
    genip("platform", "add", "Taken", "--wallet", WALLET).ok()
    if message == "No such option":
        run = genip("platform", *args)
        assert run.exit_code == 2 and "Traceback" not in run.stderr
        return
    assert message in genip("platform", *args).error()
