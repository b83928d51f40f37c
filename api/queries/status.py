"""Licence status: may this account use this asset for this use, as of the indexed block?

The rules are `genip.rules` (`licensed`: the hub's `licenseStatus`, step for step; in words in the OpenAPI
description of `/licenses/status`), judged at the timestamp of the cursor block (the chain's clock, not the
server's). The answer adds the asset's `asset_status` (`unregistered` for an unknown asset), the account's
fitting licence ids (listed even when the asset's standing licenses nobody; none for the owner, nor when the
asset's rights ended for the use) and when the right ends. A generation licence counts for `derivative`
however many derivatives it registered: the hub emits no `LicenseUsed` for it, so its `used_for_derivative`
stays NULL and the same condition holds.

One statement for one question (the cursor joined with the asset and the account's licences on it; the hot
path in `api.status_endpoint` runs it as a prepared statement), and one set-based statement for a batch of up
to 1 000 (`MANY_SQL`: every distinct (asset, account) pair joined with its asset and held licences; the
route reads the cursor before it). Both apply the same rules to the same rows (`decide_rows`), so a batch
answer equals the single answers item by item (tests/api/test_status_batch.py).

Measured by `scripts/bench_status_batch.py` (1 000 items, 100 000 works, 1 000 000 licences, Postgres, the
2-vCPU machine at load 12-15): the route in process 105 ms p50 (80 ms min); `status_batch` alone 55 ms p50
against the previous two `IN`-list statements' 175 ms and one statement per item's 921 ms, same run.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, column, table, text
from sqlalchemy.orm import Session

from api.queries.chain import ANY_CHAIN_SQL, ONE_CHAIN_SQL, ChainState, state_from_row
from api.schemas import LicenseStatus, Use
from genip import rules
from genip.rules import AssetStatus

__all__ = [
    "MANY_SQL",
    "WITH_STATE_SQL",
    "LicenceRow",
    "decide",
    "decide_rows",
    "evaluate",
    "rows_with_state",
    "state_and_answer",
    "status_batch",
    "status_many",
    "status_one",
    "status_with_state",
]

_UNREGISTERED: Final = AssetStatus.UNREGISTERED


def _sql(rule: ColumnElement[bool]) -> str:
    """A rule's SQL twin as text, for the statements below (the same text on both backends)."""
    return str(rule.compile(compile_kwargs={"literal_binds": True}))


#: One question in one statement: the cursor (`{cursor}`), the asset and the account's held licences on it.
WITH_STATE_SQL = f"""
    WITH c AS ({{cursor}})
    SELECT c.chain_id, c.block_number, c.block_hash, c.timestamp,
           a.owner, a.standing, a.expires_at, l.license_id, l.expires_at, l.commercial_use,
           l.derivatives_allowed, l.used_for_derivative
      FROM c
      LEFT JOIN assets a ON a.chain_id = c.chain_id AND a.asset_id = :asset_id
      LEFT JOIN licenses l
        ON l.chain_id = a.chain_id AND l.holder = :holder AND l.asset_id = a.asset_id
       AND {_sql(rules.licence_held_sql(table("l", column("renounced"))))}
"""
_ONE_ANY_CHAIN = text(WITH_STATE_SQL.format(cursor=ANY_CHAIN_SQL))
_ONE_CHAIN = text(WITH_STATE_SQL.format(cursor=ONE_CHAIN_SQL))

#: Many questions in one set-based statement: `WITH_STATE_SQL`'s joins for each distinct (asset, holder) pair
#: of the batch, each row led by its pair, on the chain of the state the route read (`{pairs}`: the pairs as a
#: table, per backend). Same licence condition, the SQL twin of `genip.rules`; the licences join names the
#: pair's columns, so the (chain, holder, asset) index finds each pair's licences directly.
MANY_SQL = f"""
    WITH q AS ({{pairs}})
    SELECT q.asset_id, q.holder, a.owner, a.standing, a.expires_at, l.license_id, l.expires_at,
           l.commercial_use, l.derivatives_allowed, l.used_for_derivative
      FROM q
      LEFT JOIN assets a ON a.chain_id = :chain_id AND a.asset_id = q.asset_id
      LEFT JOIN licenses l
        ON l.chain_id = :chain_id AND l.holder = q.holder AND l.asset_id = q.asset_id
       AND a.asset_id IS NOT NULL AND {_sql(rules.licence_held_sql(table("l", column("renounced"))))}
"""
#: The pairs as a table: two arrays unnested (Postgres), a JSON array of [asset, holder] (SQLite).
_PAIRS_SQL: Final = {
    "postgresql": "SELECT * FROM unnest(CAST(:assets AS bigint[]), CAST(:holders AS varchar[])) "
    "AS q(asset_id, holder)",
    "sqlite": "SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS asset_id, "
    "json_extract(value, '$[1]') AS holder FROM json_each(:pairs)",
}
_MANY: Final = {dialect: text(MANY_SQL.format(pairs=pairs)) for dialect, pairs in _PAIRS_SQL.items()}


@dataclass(frozen=True, slots=True)
class LicenceRow:
    """The fields of a held licence the rules look at (`rules.LicenceFacts`)."""

    license_id: int
    expires_at: int
    commercial_use: bool
    derivatives_allowed: bool
    used_for_derivative: int | None


def decide(
    *,
    asset: int,
    account: str,
    use: Use,
    owner: str | None,
    standing: str | None,
    expires_at: int = 0,
    licences: Iterable[LicenceRow],
    state: ChainState,
) -> dict[str, Any]:
    """Applies the rules above to one question; `owner`/`standing` are None for an unknown asset,
    `expires_at` is the asset's expiry (0 = never).

    The answer as a plain dict in `LicenseStatus` field order (the hot path serialises it directly). Beyond
    the rules: the owner lists no licence ids, and fitting ones are listed even when the asset's standing
    licenses nobody (not when its rights ended for the use)."""
    status = rules.asset_status(standing, expires_at, state.timestamp)
    is_owner = owner == account
    fitting: list[LicenceRow] = []
    if status is not _UNREGISTERED and not is_owner and not rules.use_ended(status, use):
        fitting = sorted(rules.usable_licences(licences, use, state.timestamp), key=lambda r: r.license_id)
    licensed = rules.licensed(status, use, is_owner=is_owner, holds_usable=bool(fitting))
    expires: int | None = None
    if licensed:
        expires = (
            0
            if is_owner or any(lc.expires_at == 0 for lc in fitting)
            else max(lc.expires_at for lc in fitting)
        )
    return {
        "asset": asset,
        "account": account,
        "use": use,
        "licensed": licensed,
        "license_ids": [lc.license_id for lc in fitting],
        "expires_at": expires,
        "as_of_block": state.block_number,
        "asset_status": status,  # a str (StrEnum): orjson and pydantic write its text
    }


def evaluate(
    *,
    asset: int,
    account: str,
    use: Use,
    owner: str | None,
    standing: str | None,
    expires_at: int = 0,
    licences: Iterable[LicenceRow],
    state: ChainState,
) -> LicenseStatus:
    """Applies the rules above to one question; `owner`/`standing` are None for an unknown asset."""
    return LicenseStatus(
        **decide(
            asset=asset,
            account=account,
            use=use,
            owner=owner,
            standing=standing,
            expires_at=expires_at,
            licences=licences,
            state=state,
        )
    )


def _licence(row: Sequence[object]) -> LicenceRow:
    used = row[4]
    return LicenceRow(
        license_id=int(row[0]),  # type: ignore[call-overload]
        expires_at=int(row[1]),  # type: ignore[call-overload]
        commercial_use=bool(row[2]),
        derivatives_allowed=bool(row[3]),
        used_for_derivative=None if used is None else int(used),  # type: ignore[call-overload]
    )


def rows_with_state(
    session: Session | Connection, *, chain_id: int | None, asset: int, account: str
) -> list[Any]:
    """The one-statement rows for a question: (chain_id, block_number, block_hash, timestamp, owner,
    standing, asset expiry, licence fields…); one row with NULL asset fields for an unknown asset, none before
    anything is indexed."""
    params = {"asset_id": asset, "holder": account}
    if chain_id is None:
        return list(session.execute(_ONE_ANY_CHAIN, params).all())
    return list(session.execute(_ONE_CHAIN, {**params, "chain_id": chain_id}).all())


def state_and_answer(
    rows: Sequence[Any], *, chain_id: int | None, asset: int, account: str, use: Use
) -> tuple[ChainState, dict[str, Any]]:
    """The chain state and the answer (a dict in `LicenseStatus` field order) from `rows_with_state` rows."""
    state = state_from_row(rows[0] if rows else None, chain_id)
    return state, decide_rows([r[4:] for r in rows if r[4] is not None], state, asset, account, use)


def status_with_state(
    session: Session | Connection, *, chain_id: int | None, asset: int, account: str, use: Use
) -> tuple[ChainState, LicenseStatus]:
    """The chain state and the answer to one question, in one query (`account` already checksummed)."""
    rows = rows_with_state(session, chain_id=chain_id, asset=asset, account=account)
    state, answer = state_and_answer(rows, chain_id=chain_id, asset=asset, account=account, use=use)
    return state, LicenseStatus(**answer)


def status_one(
    session: Session | Connection, *, state: ChainState, asset: int, account: str, use: Use
) -> LicenseStatus:
    """The answer to one question as of `state` (`account` already checksummed)."""
    return status_with_state(session, chain_id=state.chain_id, asset=asset, account=account, use=use)[1]


def decide_rows(rows: Sequence[Any], state: ChainState, asset: int, account: str, use: Use) -> dict[str, Any]:
    """Applies the rules to the (owner, standing, asset expiry, licence…) rows of one asset joined with the
    account's licences (no rows for an unknown asset); the answer as a dict in `LicenseStatus` field order."""
    if not rows:
        return decide(
            asset=asset, account=account, use=use, owner=None, standing=None, licences=(), state=state
        )
    owner, standing, expires_at = str(rows[0][0]), str(rows[0][1]), int(rows[0][2] or 0)
    licences = [_licence(r[3:]) for r in rows if r[3] is not None]
    return decide(
        asset=asset,
        account=account,
        use=use,
        owner=owner,
        standing=standing,
        expires_at=expires_at,
        licences=licences,
        state=state,
    )


def status_batch(
    session: Session | Connection, *, state: ChainState, items: Sequence[tuple[int, str, Use]]
) -> list[dict[str, Any]]:
    """Answers to (asset, checksummed account, use) questions, in order, as dicts in `LicenseStatus` field
    order: one statement for every distinct (asset, account) pair (`MANY_SQL`), then the rules of the
    single question (`decide_rows`) on each pair's rows, as of `state`."""
    if not items:
        return []
    pairs = list(dict.fromkeys((asset, account) for asset, account, _ in items))
    bind = session.get_bind() if isinstance(session, Session) else session.engine
    dialect = bind.dialect.name
    params: dict[str, Any] = {"chain_id": state.chain_id}
    if dialect == "postgresql":
        params |= {"assets": [a for a, _ in pairs], "holders": [h for _, h in pairs]}
    else:
        params["pairs"] = json.dumps(pairs)
    rows: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in session.execute(_MANY["postgresql" if dialect == "postgresql" else "sqlite"], params):
        if row[2] is not None:  # the asset exists (an unknown one: no rows, as in `decide_rows`)
            rows[(int(row[0]), str(row[1]))].append(row[2:])
    return [
        decide_rows(rows.get((asset, account), ()), state, asset, account, use)
        for asset, account, use in items
    ]


def status_many(
    session: Session | Connection, *, state: ChainState, items: Sequence[tuple[int, str, Use]]
) -> list[LicenseStatus]:
    """`status_batch` as `LicenseStatus` models."""
    return [LicenseStatus(**answer) for answer in status_batch(session, state=state, items=items)]
