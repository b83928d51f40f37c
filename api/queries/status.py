"""Licence status: may this account use this asset for this use, as of the indexed block?

The rules (also in the OpenAPI description of `/licenses/status`):

They are the hub's `licenseStatus`, step for step:

* An asset whose standing is not clear — `disputed` (an open claim), `upheld` (a claim was upheld) or
  `tainted` (a claim against an ancestor was upheld) — licenses nobody, not even its owner; the fitting
  licence ids are still listed. An unknown asset is `unregistered` and licenses nobody.
* A derivative whose rights ended (`expired`: its `expires_at`, the shortest parent licence, has passed)
  licenses nobody for `derivative` use, its owner included (no derivative can be registered on it); its
  licences were sold capped at that time, so they have lapsed for every use too.
* Otherwise the asset's current owner is licensed for every use, with no licence ids.
* A licence is valid while `expires_at == 0` (perpetual) or `expires_at >` the timestamp of the cursor block
  (the chain's clock, not the server's), and while it is held (a renounced licence is burned).
* `display` accepts any valid licence; `commercial` needs one with commercial use; `derivative` needs one
  that allows derivatives and has not yet been used to register one.

One statement for one question (the cursor joined with the asset and the account's licences on it; the hot
path in `api.status_endpoint` runs it as a prepared statement) and three for a batch of up to 1 000 (cursor,
assets, licences).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from api.queries.chain import ANY_CHAIN_SQL, ONE_CHAIN_SQL, ChainState, state_from_row
from api.schemas import AssetStatus, LicenseStatus, Use

__all__ = [
    "WITH_STATE_SQL",
    "LicenceRow",
    "asset_status_of",
    "decide",
    "decide_rows",
    "evaluate",
    "rows_with_state",
    "state_and_answer",
    "status_many",
    "status_one",
    "status_with_state",
]

#: Asset status of each standing other than clear (a clear asset is `active`, or `expired` once past its
#: expiry); a standing this code does not know licenses nobody, like a dispute.
_NOT_CLEAR: dict[str, AssetStatus] = {"disputed": "disputed", "upheld": "upheld", "tainted": "tainted"}

#: One question in one statement: the cursor (`{cursor}`), the asset and the account's held licences on it.
WITH_STATE_SQL = """
    WITH c AS ({cursor})
    SELECT c.chain_id, c.block_number, c.block_hash, c.timestamp,
           a.owner, a.standing, a.expires_at, l.license_id, l.expires_at, l.commercial_use,
           l.derivatives_allowed, l.used_for_derivative
      FROM c
      LEFT JOIN assets a ON a.chain_id = c.chain_id AND a.asset_id = :asset_id
      LEFT JOIN licenses l
        ON l.chain_id = a.chain_id AND l.holder = :holder AND l.asset_id = a.asset_id AND NOT l.renounced
"""
_ONE_ANY_CHAIN = text(WITH_STATE_SQL.format(cursor=ANY_CHAIN_SQL))
_ONE_CHAIN = text(WITH_STATE_SQL.format(cursor=ONE_CHAIN_SQL))

_ASSETS = text(
    "SELECT asset_id, owner, standing, expires_at FROM assets WHERE chain_id = :chain_id AND asset_id IN :ids"
).bindparams(bindparam("ids", expanding=True))

_LICENCES = text(
    """
    SELECT asset_id, holder, license_id, expires_at, commercial_use, derivatives_allowed, used_for_derivative
      FROM licenses
     WHERE chain_id = :chain_id AND holder IN :holders AND asset_id IN :ids AND NOT renounced
    """
).bindparams(bindparam("holders", expanding=True), bindparam("ids", expanding=True))


@dataclass(frozen=True, slots=True)
class LicenceRow:
    """The fields of a licence the rules look at."""

    license_id: int
    expires_at: int
    commercial_use: bool
    derivatives_allowed: bool
    used_for_derivative: int | None

    def valid_at(self, timestamp: int) -> bool:
        """Perpetual, or not yet expired at `timestamp` (chain time)."""
        return self.expires_at == 0 or self.expires_at > timestamp

    def fits(self, use: Use) -> bool:
        """Whether this licence covers `use` (validity aside)."""
        if use == "commercial":
            return self.commercial_use
        if use == "derivative":
            return self.derivatives_allowed and self.used_for_derivative is None
        return True


def asset_status_of(standing: str | None, expires_at: int = 0, timestamp: int = 0) -> AssetStatus:
    """`active`, `expired` (clear, but its rights ended at `expires_at` <= `timestamp`, chain time),
    `disputed`, `upheld`, `tainted`, or `unregistered` when the asset is unknown (`standing` None)."""
    if standing is None:
        return "unregistered"
    if standing == "clear":
        return "expired" if expires_at and expires_at <= timestamp else "active"
    return _NOT_CLEAR.get(standing, "disputed")


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

    The answer as a plain dict in `LicenseStatus` field order (the hot path serialises it directly)."""
    status = asset_status_of(standing, expires_at, state.timestamp)
    if status == "unregistered":
        return {
            "asset": asset,
            "account": account,
            "use": use,
            "licensed": False,
            "license_ids": [],
            "expires_at": None,
            "as_of_block": state.block_number,
            "asset_status": status,
        }
    ids: list[int]
    expires: int | None
    if status == "expired" and use == "derivative":
        ids, expires, has_right = [], None, False
    elif owner == account:
        ids, expires, has_right = [], 0, True
    else:
        fitting = sorted(
            (lc for lc in licences if lc.valid_at(state.timestamp) and lc.fits(use)),
            key=lambda r: r.license_id,
        )
        ids = [lc.license_id for lc in fitting]
        has_right = bool(fitting)
        expires = (
            (0 if any(lc.expires_at == 0 for lc in fitting) else max(lc.expires_at for lc in fitting))
            if (fitting)
            else None
        )
    licensed = has_right and status in ("active", "expired")
    return {
        "asset": asset,
        "account": account,
        "use": use,
        "licensed": licensed,
        "license_ids": ids,
        "expires_at": expires if licensed else None,
        "as_of_block": state.block_number,
        "asset_status": status,
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
