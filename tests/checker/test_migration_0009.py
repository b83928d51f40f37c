"""Migration 0009 on both backends: submissions sealed before it (AES-GCM under a key the API held) can
never be opened by the checker's key pair, so the pending ones are marked rejected (their creators may
submit again); scheme and nonce become optional, as sealed boxes need neither at submission time."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from genip.db.engine import make_engine
from genip.db.migrate import alembic_config, upgrade
from tests.indexer.conftest import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'genip.db'}"
        return
    yield from postgres_database()


def test_pending_aes_submissions_become_rejected_and_the_rest_stay(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0008")
    with engine.begin() as c:
        for asset, status in ((1, "pending"), (2, "attested"), (3, "needs_review")):
            c.execute(
                text(
                    "INSERT INTO prompt_submissions (chain_id, asset_id, creator, commitment, scheme, "
                    "key_id, nonce, ciphertext, status, submitted_at) VALUES (1, :asset, :creator, "
                    ":commitment, 'single', 'aeskey', '00', 'AAAA', :status, CURRENT_TIMESTAMP)"
                ),
                {
                    "asset": asset,
                    "creator": "0x" + "11" * 20,
                    "commitment": "0x" + "22" * 32,
                    "status": status,
                },
            )
    upgrade(engine)
    with engine.begin() as c:
        statuses = dict(c.execute(text("SELECT asset_id, status FROM prompt_submissions")).all())
        assert statuses == {1: "rejected", 2: "attested", 3: "needs_review"}
        c.execute(  # a sealed-box submission: no scheme, no nonce
            text(
                "INSERT INTO prompt_submissions (chain_id, asset_id, creator, commitment, key_id, "
                "ciphertext, status, submitted_at) VALUES (1, 4, :creator, :commitment, 'x25519', 'AAAA', "
                "'pending', CURRENT_TIMESTAMP)"
            ),
            {"creator": "0x" + "11" * 20, "commitment": "0x" + "22" * 32},
        )
    command.downgrade(alembic_config(engine), "0008")  # down again: rows the old schema cannot hold go
    with engine.connect() as c:
        assert sorted(c.execute(text("SELECT asset_id FROM prompt_submissions")).scalars()) == [1, 2, 3]
    engine.dispose()
