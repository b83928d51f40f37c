"""The indexer's bulk write paths store exactly what they were given, on both backends: raw events as bytes
(COPY on Postgres), derived rows by COPY (new rows) and by a staged upsert (changed rows); and migration 0005
converts stored raw events both ways."""

from alembic import command
from sqlalchemy import Engine, select, text

from genip.db import models
from genip.db.migrate import alembic_config, upgrade
from indexer.events import DecodedLog
from indexer.overlay import Overlay
from indexer.store import BlockRef, Store

CHAIN = 31337
BIG = 2**256 - 1


def _block(number: int) -> BlockRef:
    return BlockRef(number, "0x" + f"{number:064x}", "0x" + f"{number - 1:064x}", 1_700_000_000 + number)


def _commit(
    store: Store, engine: Engine, overlay: Overlay | None, logs: list[DecodedLog], number: int
) -> None:
    with engine.begin() as c:
        store.begin_batch(c)
        store.commit_batch(
            c,
            logs=logs,
            overlay=overlay,
            first_block=number,
            last=_block(number),
            window_blocks=[_block(number)],
            journal=False,
            head=number,
        )


def _log(i: int) -> DecodedLog:
    topics = [] if i % 7 == 0 else ["0x" + f"{i * 31 + t:064x}" for t in range(1 + i % 4)]
    return DecodedLog(
        block_number=10 + i // 100,
        block_hash="0x" + f"{10 + i // 100:064x}",
        log_index=i,
        tx_hash="0x" + f"{i * 7:064x}",
        address="0x5FbDB2315678afecb367f032d93F642f64180aa3",
        timestamp=0,
        topics=topics,
        data="0x" if i % 5 == 0 else "0x" + f"{i:064x}" * (1 + i % 3),
        event=None if i % 3 == 0 else "LicensingHub.Credited",
        args={},
    )


def test_raw_events_round_trip_as_bytes(engine: Engine) -> None:
    store = Store(engine, CHAIN)
    logs = [_log(i) for i in range(250)]  # anonymous logs, empty data, unknown events included
    _commit(store, engine, None, logs, 12)
    with engine.connect() as c:
        rows = c.execute(select(models.RawEvent).order_by(models.RawEvent.log_index)).all()
        assert [
            (r.block_hash, r.log_index, r.block_number, r.tx_hash, r.address, r.event, r.topics, r.data)
            for r in rows
        ] == [
            (
                g.block_hash,
                g.log_index,
                g.block_number,
                g.tx_hash,
                g.address,
                g.event,
                ",".join(g.topics),
                g.data,
            )
            for g in logs
        ]
        assert store.known_events(c, [*logs[:3], _log(999)]) == {
            (g.block_hash, g.log_index) for g in logs[:3]
        }


def test_bulk_derived_rows_equal_what_the_handlers_wrote(engine: Engine) -> None:
    """Over 50 new rows (COPY on Postgres), then over 50 changed and some deleted (staged upsert)."""
    store = Store(engine, CHAIN)
    with engine.connect() as reads:
        overlay = Overlay(CHAIN, store.loader(reads))
        for i in range(120):
            account = "0x" + f"{i:040x}"
            overlay.put(
                "balances",
                {
                    "account": account,
                    "currency": "0x" + "00" * 20,
                    "credited": BIG - i,
                    "withdrawn": 0,
                    "balance": BIG - i,
                },
            )
            overlay.insert_new(
                "credits",
                {
                    "block_hash": "0x" + f"{i:064x}",
                    "log_index": i,
                    "account": None if i % 2 else account,
                    "currency": "0x" + "00" * 20,
                    "asset_id": i,
                    "source_asset_id": i,
                    "amount": BIG - i,
                    "held": i % 3 == 0,
                    "block_number": 5,
                },
            )
    _commit(store, engine, overlay, [], 5)

    with engine.connect() as reads:
        overlay = Overlay(CHAIN, store.loader(reads))
        keys = [(CHAIN, "0x" + f"{i:040x}", "0x" + "00" * 20) for i in range(120)]
        overlay.prefetch("balances", keys)
        for i in range(100):
            row = overlay.require("balances", "0x" + f"{i:040x}", "0x" + "00" * 20)
            row["withdrawn"] += i
            row["balance"] -= i
        for i in range(100, 110):
            overlay.delete("balances", "0x" + f"{i:040x}", "0x" + "00" * 20)
        expected = {k: r for k, r in overlay.rows["balances"].items() if r is not None}
    _commit(store, engine, overlay, [], 6)

    with engine.connect() as c:
        stored = store.loader(c)("balances", keys)
        assert stored == expected
        credits = c.execute(select(models.Credit.__table__).order_by(models.Credit.log_index)).all()
        assert [(r.account, r.amount, r.held) for r in credits] == [
            (None if i % 2 else "0x" + f"{i:040x}", BIG - i, i % 3 == 0) for i in range(120)
        ]


def test_migration_0005_converts_raw_events_both_ways(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0005-1")
    topics = "0x" + "ab" * 32 + ",0x" + "cd" * 32
    rows = [
        ("0x" + "11" * 32, 0, "0x" + "22" * 32, topics, "0x" + "ef" * 64),
        ("0x" + "11" * 32, 1, "0x" + "33" * 32, "", "0x"),
    ]
    with engine.begin() as c:
        for block_hash, index, tx_hash, tops, data in rows:
            c.execute(
                text(
                    "INSERT INTO raw_events (chain_id, block_hash, log_index, block_number, tx_hash, "
                    "address, event, topics, data) VALUES (1, :bh, :i, 7, :tx, :a, NULL, :t, :d)"
                ),
                {"bh": block_hash, "i": index, "tx": tx_hash, "a": "0x" + "44" * 20, "t": tops, "d": data},
            )
    upgrade(engine)
    with engine.connect() as c:
        stored = c.execute(
            select(
                models.RawEvent.block_hash,
                models.RawEvent.log_index,
                models.RawEvent.tx_hash,
                models.RawEvent.topics,
                models.RawEvent.data,
            ).order_by(models.RawEvent.log_index)
        ).all()
    assert [tuple(r) for r in stored] == rows
    command.downgrade(config, "0005-1")
    with engine.connect() as c:
        back = c.execute(
            text("SELECT block_hash, log_index, tx_hash, topics, data FROM raw_events ORDER BY log_index")
        ).all()
    assert [tuple(r) for r in back] == rows
    upgrade(engine)


def test_migration_0006_converts_ledger_hashes_both_ways(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0006-1")
    zero = "0x" + "00" * 20
    credits = [("0x" + "11" * 32, 0, "0x" + "44" * 20), ("0x" + "11" * 32, 1, None)]
    payments = [("0x" + "22" * 32, 2, "0x" + "33" * 32)]
    with engine.begin() as c:
        for block_hash, index, account in credits:
            c.execute(
                text(
                    "INSERT INTO credits (chain_id, block_hash, log_index, account, currency, asset_id, "
                    "source_asset_id, amount, held, block_number) VALUES (1, :bh, :i, :a, :cur, 1, 1, :amt, "
                    ":held, 7)"
                ),
                {
                    "bh": block_hash,
                    "i": index,
                    "a": account,
                    "cur": zero,
                    "amt": "5",
                    "held": account is None,
                },
            )
        for block_hash, index, tx_hash in payments:
            c.execute(
                text(
                    "INSERT INTO payments (chain_id, block_hash, log_index, asset_id, payer, currency, "
                    "amount, fee, source, block_number, tx_hash) "
                    "VALUES (1, :bh, :i, 1, :p, :cur, :amt, :amt, 'sale', 7, :tx)"
                ),
                {"bh": block_hash, "i": index, "p": zero, "cur": zero, "amt": "5", "tx": tx_hash},
            )
    upgrade(engine)
    with engine.connect() as c:
        stored_credits = c.execute(
            select(models.Credit.block_hash, models.Credit.log_index, models.Credit.account).order_by(
                models.Credit.log_index
            )
        ).all()
        stored_payments = c.execute(
            select(models.Payment.block_hash, models.Payment.log_index, models.Payment.tx_hash)
        ).all()
    assert [tuple(r) for r in stored_credits] == credits
    assert [tuple(r) for r in stored_payments] == payments
    command.downgrade(config, "0006-1")
    with engine.connect() as c:
        back_credits = c.execute(
            text("SELECT block_hash, log_index, account FROM credits ORDER BY log_index")
        ).all()
        back_payments = c.execute(text("SELECT block_hash, log_index, tx_hash FROM payments")).all()
    assert [tuple(r) for r in back_credits] == credits
    assert [tuple(r) for r in back_payments] == payments
    upgrade(engine)
