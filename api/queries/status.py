"""Licence status: may this account use this asset for this use, as of the indexed block?

The rules are `genip.rules` (`licensed`: the hub's `licenseStatus`, step for step; in words in the OpenAPI
description of `/licenses/status`), judged at the timestamp of the cursor block (the chain's clock, not the
server's). The answer adds the asset's `asset_status` (`unregistered` for an unknown asset), the account's
fitting licence ids (listed even when the asset's standing licenses nobody; none for the owner, nor when the
asset's rights ended for the use) and when the right ends.

One statement for one question (the cursor joined with the asset and the account's licences on it; the hot
path in `api.status_endpoint` runs it as a prepared statement) and three for a batch of up to 1 000 (cursor,
assets, licences).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, bindparam, column, table, text
from sqlalchemy.orm import Session

from api.queries.chain import ANY_CHAIN_SQL, ONE_CHAIN_SQL, ChainState, state_from_row
from api.schemas import LicenseStatus, Use
from genip import rules
from genip.rules import AssetStatus

__all__ = [
    "WITH_STATE_SQL",
    "LicenceRow",
    "decide",
    "decide_rows",
    "evaluate",
    "rows_with_state",
    "state_and_answer",
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

_ASSETS = text(
    "SELECT asset_id, owner, standing, expires_at FROM assets WHERE chain_id = :chain_id AND asset_id IN :ids"
).bindparams(bindparam("ids", expanding=True))

_LICENCES = text(
    f"""
    SELECT asset_id, holder, license_id, expires_at, commercial_use, derivatives_allowed, used_for_derivative
      FROM licenses
     WHERE chain_id = :chain_id AND holder IN :holders AND asset_id IN :ids
       AND {_sql(rules.licence_held_sql(table("licenses", column("renounced"))))}
    """
).bindparams(bindparam("holders", expanding=True), bindparam("ids", expanding=True))


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


def status_many(
    session: Session | Connection, *, state: ChainState, items: Sequence[tuple[int, str, Use]]
) -> list[LicenseStatus]:
    """Answers to (asset, checksummed account, use) questions, in order."""
    if not items:
        return []
    ids = sorted({asset for asset, _, _ in items})
    holders = sorted({account for _, account, _ in items})
    assets = {
        int(r[0]): (str(r[1]), str(r[2]), int(r[3] or 0))
        for r in session.execute(_ASSETS, {"chain_id": state.chain_id, "ids": ids})
    }
    held: dict[tuple[int, str], list[LicenceRow]] = defaultdict(list)
    if assets:
        for r in session.execute(
            _LICENCES, {"chain_id": state.chain_id, "holders": holders, "ids": sorted(assets)}
        ):
            held[(int(r[0]), str(r[1]))].append(_licence(r[2:]))
    out = []
    for asset, account, use in items:
        owner, standing, expires_at = assets.get(asset, (None, None, 0))
        out.append(
            evaluate(
                asset=asset,
                account=account,
                use=use,
                owner=owner,
                standing=standing,
                expires_at=expires_at,
                licences=held.get((asset, account), ()),
                state=state,
            )
        )
    return out
