"""A licence-status lookup straight from the indexed database, for the CLI (the API plugs in its own).

An account is licensed for an asset when it owns it, or holds a licence token on it that is usable for the
use (`genip.rules.usable_licences`: held, not expired, fit for the use; no use accepts any licence). Expiry is
checked against this machine's clock; the API checks it against the indexed chain time instead.
The asset's standing is read here too, so the verdict sees the current one rather than the engine's copy
from load time. Renounced (burned) licences count for nobody.
"""

import time
from collections.abc import Callable

from sqlalchemy import Engine, func, select

from genip.db.models import Asset, License
from genip.matching.verdict import LicenceStatus, LicenceStatusLookup
from genip.rules import licence_held_sql, usable_licences

__all__ = ["database_status_lookup"]


def database_status_lookup(engine: Engine, *, now: Callable[[], float] = time.time) -> LicenceStatusLookup:
    """A `LicenceStatusLookup` reading `assets` and `licenses` rows of `engine`."""

    def lookup(*, chain_id: int, asset_id: int, account: str, use: str | None) -> LicenceStatus:
        holder = account.lower()
        with engine.connect() as connection:
            asset = connection.execute(
                select(Asset.owner, Asset.standing).where(
                    Asset.chain_id == chain_id, Asset.asset_id == asset_id
                )
            ).first()
            licences = connection.execute(
                select(
                    License.license_id,
                    License.tier,
                    License.expires_at,
                    License.commercial_use,
                    License.derivatives_allowed,
                    License.used_for_derivative,
                ).where(
                    License.chain_id == chain_id,
                    License.asset_id == asset_id,
                    func.lower(License.holder) == holder,
                    licence_held_sql(License.__table__),
                )
            ).all()
        if asset is None:
            return LicenceStatus(licensed=False, details={"asset": "not found"})
        valid = usable_licences(licences, use, int(now()))
        is_owner = asset.owner.lower() == holder
        return LicenceStatus(
            licensed=is_owner or bool(valid),
            standing=asset.standing,
            details={
                "owner": is_owner,
                "use": use,
                "licenses": [
                    {"license_id": r.license_id, "tier": r.tier, "expires_at": r.expires_at} for r in valid
                ],
            },
        )

    return lookup
