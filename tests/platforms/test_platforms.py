"""Platform accounts and keys (`genip.platforms`) on SQLite and Postgres: add, names and wallets checked, a
key shown once with only its digest stored, rotation with a grace period, revoking one key or all, removal."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from genip.db import models
from genip.errors import NotFoundError
from genip.platforms import (
    PlatformError,
    add_platform,
    authenticate,
    find_platform,
    key_id_of,
    list_keys,
    list_platforms,
    remove_platform,
    revoke_keys,
    rotate_key,
)

CHAIN = 31337
WALLET = "0x" + "ab" * 20


def _dump(engine: Engine) -> str:
    """Every value of every row of the platform tables, as one string."""
    with engine.connect() as c:
        rows = [
            *c.execute(text("SELECT * FROM platforms")).all(),
            *c.execute(text("SELECT * FROM platform_keys")).all(),
        ]
    return repr(rows)


def test_add_shows_the_key_once_and_stores_its_digest_only(engine: Engine) -> None:
    issued = add_platform(engine, CHAIN, "Lexica", WALLET)
    assert issued.key.startswith(f"gip_{issued.key_id}_") and len(issued.key) == 4 + 12 + 1 + 43
    assert key_id_of(issued.key) == issued.key_id
    assert issued.platform.wallet == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"  # stored checksummed
    dump = _dump(engine)
    secret = issued.key.rsplit("_", 1)[1]
    assert issued.key not in dump and secret not in dump
    assert hashlib.sha256(issued.key.encode()).hexdigest() in dump
    found = authenticate(engine, issued.key)
    assert found is not None and found.id == issued.platform.id
    assert (found.name, found.chain_id) == ("Lexica", CHAIN)
    [key] = list_keys(engine, issued.platform.id)
    assert key.key_id == issued.key_id and key.live(datetime.now(UTC))


def test_wrong_keys_find_nothing(engine: Engine) -> None:
    issued = add_platform(engine, CHAIN, "Lexica", WALLET)
    forged = issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")  # right id, wrong secret
    unknown = "gip_" + "0" * 12 + "_" + "a" * 43
    for key in (forged, "", "gip_", issued.key + "x", "Bearer " + issued.key, unknown):
        assert authenticate(engine, key) is None, key


def test_names_are_unique_per_chain_and_wallets_checked(engine: Engine) -> None:
    add_platform(engine, CHAIN, "Lexica", WALLET)
    with pytest.raises(PlatformError, match="exists already"):
        add_platform(engine, CHAIN, "Lexica", WALLET)
    add_platform(engine, CHAIN + 1, "Lexica", WALLET)  # another chain, another namespace
    with pytest.raises(PlatformError, match="not an address"):
        add_platform(engine, CHAIN, "Civitai", "0x1234")
    with pytest.raises(PlatformError, match="not an address"):
        add_platform(engine, CHAIN, "Civitai", "0x" + "aB" * 20)  # a wrong EIP-55 checksum
    for bad in ("", " ", "-dash", "x" * 65, "nul\x00"):
        with pytest.raises(PlatformError, match="platform name"):
            add_platform(engine, CHAIN, bad, WALLET)
    assert [p.name for p in list_platforms(engine, CHAIN)] == ["Lexica"]


def test_rotation_keeps_the_old_key_for_the_grace_period(engine: Engine) -> None:
    first = add_platform(engine, CHAIN, "Lexica", WALLET)
    before = datetime.now(UTC)
    second = rotate_key(engine, CHAIN, "Lexica", grace=timedelta(hours=2))
    end = before + timedelta(hours=2)
    assert second.key != first.key and second.platform.id == first.platform.id
    assert authenticate(engine, first.key, now=end - timedelta(minutes=1)) is not None
    assert authenticate(engine, first.key, now=end + timedelta(minutes=1)) is None
    assert authenticate(engine, second.key, now=end + timedelta(days=365)) is not None
    keys = {k.key_id: k for k in list_keys(engine, first.platform.id)}
    assert keys[first.key_id].expires_at is not None and keys[second.key_id].expires_at is None

    # A second rotation shortens the grace of every older key, never lengthens it.
    third = rotate_key(engine, CHAIN, "Lexica", grace=timedelta(0))
    now = datetime.now(UTC)
    assert authenticate(engine, second.key, now=now + timedelta(seconds=1)) is None
    assert authenticate(engine, first.key, now=now + timedelta(seconds=1)) is None
    assert authenticate(engine, third.key) is not None
    with pytest.raises(PlatformError, match="negative"):
        rotate_key(engine, CHAIN, "Lexica", grace=timedelta(seconds=-1))


def test_revoke_one_key_or_all(engine: Engine) -> None:
    first = add_platform(engine, CHAIN, "Lexica", WALLET)
    second = rotate_key(engine, CHAIN, "Lexica")
    assert revoke_keys(engine, CHAIN, "Lexica", first.key_id) == 1
    assert authenticate(engine, first.key) is None and authenticate(engine, second.key) is not None
    with pytest.raises(NotFoundError, match="no live key"):
        revoke_keys(engine, CHAIN, "Lexica", first.key_id)  # already revoked
    third = rotate_key(engine, CHAIN, "Lexica")
    assert revoke_keys(engine, CHAIN, "Lexica") == 2
    assert authenticate(engine, second.key) is None and authenticate(engine, third.key) is None
    assert all(k.revoked_at is not None for k in list_keys(engine, first.platform.id))
    with pytest.raises(NotFoundError, match="no platform"):
        revoke_keys(engine, CHAIN, "Nobody")


def test_remove_stops_every_key_and_keeps_the_row(engine: Engine) -> None:
    issued = add_platform(engine, CHAIN, "Lexica", WALLET)
    other = add_platform(engine, CHAIN, "Civitai", WALLET)
    remove_platform(engine, CHAIN, "Lexica")
    assert authenticate(engine, issued.key) is None and authenticate(engine, other.key) is not None
    assert [p.name for p in list_platforms(engine, CHAIN)] == ["Civitai"]
    assert [p.name for p in list_platforms(engine, CHAIN, removed=True)] == ["Lexica", "Civitai"]
    assert find_platform(engine, CHAIN, "Lexica").removed_at is not None
    with pytest.raises(PlatformError, match="was removed"):
        rotate_key(engine, CHAIN, "Lexica")
    with pytest.raises(PlatformError, match="was removed"):
        remove_platform(engine, CHAIN, "Lexica")
    with pytest.raises(PlatformError, match="exists already"):  # the name stays taken
        add_platform(engine, CHAIN, "Lexica", WALLET)
    with engine.connect() as c:
        assert c.execute(select(models.Platform.name).order_by(models.Platform.id)).scalars().all() == [
            "Lexica",
            "Civitai",
        ]
