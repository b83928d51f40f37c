"""Platform accounts and their API keys: add, rotate, revoke, list, authenticate.

A key reads `gip_<key id>_<secret>`: the key id (12 hex digits) is public and finds the key's row; the secret
is 256 random bits (base64url). Only the SHA-256 digest of the whole key is stored, compared in constant time;
a fast digest is enough because a 256-bit random secret cannot be guessed (a password would need a slow
one). A key is shown once, when made.

Rotation (`rotate_key`) makes a new key and lets the platform's older live keys work on for a grace period
(default one day), so a platform can deploy the new key without a gap; revocation (`revoke_keys`) stops keys
at once. Removing a platform revokes every key and ends its webhook subscriptions, and keeps its row, so what
it did stays attributable.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Engine, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from genip.db import models
from genip.errors import GenIPError, NotFoundError
from genip.webhooks.events import DeliveryState

__all__ = [
    "DEFAULT_GRACE",
    "IssuedKey",
    "KeyView",
    "PlatformError",
    "PlatformView",
    "add_platform",
    "authenticate",
    "find_platform",
    "key_id_of",
    "list_keys",
    "list_platforms",
    "remove_platform",
    "revoke_keys",
    "rotate_key",
]

PREFIX: Final = "gip_"
#: How long a platform's older keys keep working after a rotation.
DEFAULT_GRACE: Final = timedelta(days=1)
_KEY: Final = re.compile(r"gip_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")


class PlatformError(GenIPError):
    """A platform request that cannot be done (bad name or wallet, a name already taken)."""


@dataclass(frozen=True, slots=True)
class PlatformView:
    id: int
    chain_id: int
    name: str
    wallet: str
    created_at: datetime
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KeyView:
    key_id: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key, in clear: give it to the platform and forget it (only its digest is kept)."""

    platform: PlatformView
    key_id: str
    key: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str) -> str | None:
    """The public id of a well-formed key, else None."""
    m = _KEY.fullmatch(key)
    return m.group(1) if m else None


def _view(row: Row[Any]) -> PlatformView:
    created_at = _aware(row.created_at)
    assert created_at is not None
    return PlatformView(row.id, row.chain_id, row.name, row.wallet, created_at, _aware(row.removed_at))


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise PlatformError(
            f"platform name {name[:70]!r} must be 1-64 letters, digits, spaces, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def _check_wallet(wallet: str) -> str:
    from eth_utils.address import is_address, is_checksum_address, to_checksum_address

    wallet = wallet.strip()
    if not is_address(wallet):
        raise PlatformError(f"wallet {wallet[:64]!r} is not an address")
    body = wallet[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(wallet):
        # Mixed case is an EIP-55 checksum: a wrong one is a typo (as the API refuses it).
        raise PlatformError(f"wallet {wallet[:64]!r} is not an address: its EIP-55 checksum is wrong")
    return str(to_checksum_address(wallet))


def _issue(conn: Connection, platform_id: int, now: datetime) -> tuple[str, str]:
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    conn.execute(
        insert(models.PlatformKey),
        [{"platform_id": platform_id, "key_id": key_id, "digest": _digest(key), "created_at": now}],
    )
    return key_id, key


def add_platform(engine: Engine, chain_id: int, name: str, wallet: str) -> IssuedKey:
    """Creates a platform and its first key."""
    name, wallet = _check_name(name), _check_wallet(wallet)
    now = datetime.now(UTC)
    with engine.begin() as c:
        taken = c.execute(
            select(models.Platform.id).where(
                models.Platform.chain_id == chain_id, models.Platform.name == name
            )
        ).first()
        if taken is not None:
            raise PlatformError(f"a platform named {name!r} exists already")
        try:
            new_id = c.execute(
                insert(models.Platform).returning(models.Platform.id),
                [{"chain_id": chain_id, "name": name, "wallet": wallet, "created_at": now}],
            ).scalar_one()
        except IntegrityError:  # the same name added at the same moment by another process
            raise PlatformError(f"a platform named {name!r} exists already") from None
        key_id, key = _issue(c, int(new_id), now)
    return IssuedKey(PlatformView(int(new_id), chain_id, name, wallet, now), key_id, key)


def find_platform(engine: Engine, chain_id: int, name: str) -> PlatformView:
    """The platform of that name (removed ones too), or NotFoundError."""
    with engine.connect() as c:
        row = c.execute(
            select(*models.Platform.__table__.c).where(
                models.Platform.chain_id == chain_id, models.Platform.name == name
            )
        ).first()
    if row is None:
        raise NotFoundError(f"no platform named {name[:70]!r}")
    return _view(row)


def _live_platform(engine: Engine, chain_id: int, name: str) -> PlatformView:
    platform = find_platform(engine, chain_id, name)
    if platform.removed_at is not None:
        raise PlatformError(f"platform {name!r} was removed")
    return platform


def rotate_key(engine: Engine, chain_id: int, name: str, *, grace: timedelta = DEFAULT_GRACE) -> IssuedKey:
    """A new key for the platform; its older live keys end after `grace` (zero: at once)."""
    if grace < timedelta(0):
        raise PlatformError("the grace period cannot be negative")
    platform = _live_platform(engine, chain_id, name)
    now = datetime.now(UTC)
    end = now + grace
    with engine.begin() as c:
        k = models.PlatformKey
        c.execute(
            update(k)
            .where(
                k.platform_id == platform.id,
                k.revoked_at.is_(None),
                (k.expires_at.is_(None)) | (k.expires_at > end),
            )
            .values(expires_at=end)
        )
        key_id, key = _issue(c, platform.id, now)
    return IssuedKey(platform, key_id, key)


def revoke_keys(engine: Engine, chain_id: int, name: str, key_id: str | None = None) -> int:
    """Revokes one live key of the platform (by its id) or all its live keys (expired ones stay as they
    are); returns how many."""
    platform = find_platform(engine, chain_id, name)
    k = models.PlatformKey
    now = datetime.now(UTC)
    with engine.begin() as c:
        q = update(k).where(
            k.platform_id == platform.id,
            k.revoked_at.is_(None),
            (k.expires_at.is_(None)) | (k.expires_at > now),
        )
        if key_id is not None:
            q = q.where(k.key_id == key_id)
        n = c.execute(q.values(revoked_at=now)).rowcount
    if key_id is not None and n == 0:
        raise NotFoundError(f"platform {name!r} has no live key {key_id[:20]!r}")
    return int(n)


def remove_platform(engine: Engine, chain_id: int, name: str) -> None:
    """Revokes every key, removes the platform's webhook subscriptions (their queued deliveries cancelled, the
    log kept) and marks the platform removed (its row stays)."""
    platform = _live_platform(engine, chain_id, name)
    now = datetime.now(UTC)
    k, s, d = models.PlatformKey, models.WebhookSubscription, models.WebhookDelivery
    with engine.begin() as c:
        c.execute(
            update(k).where(k.platform_id == platform.id, k.revoked_at.is_(None)).values(revoked_at=now)
        )
        subscriptions = select(s.id).where(s.platform_id == platform.id).scalar_subquery()
        c.execute(
            update(d)
            .where(d.subscription_id.in_(subscriptions), d.state == DeliveryState.PENDING)
            .values(state=DeliveryState.CANCELLED)
        )
        c.execute(
            update(s).where(s.platform_id == platform.id, s.removed_at.is_(None)).values(removed_at=now)
        )
        c.execute(update(models.Platform).where(models.Platform.id == platform.id).values(removed_at=now))


def list_platforms(engine: Engine, chain_id: int, *, removed: bool = False) -> list[PlatformView]:
    q = (
        select(*models.Platform.__table__.c)
        .where(models.Platform.chain_id == chain_id)
        .order_by(models.Platform.id)
    )
    if not removed:
        q = q.where(models.Platform.removed_at.is_(None))
    with engine.connect() as c:
        return [_view(r) for r in c.execute(q)]


def list_keys(engine: Engine, platform_id: int) -> list[KeyView]:
    k, now = models.PlatformKey, datetime.now(UTC)
    with engine.connect() as c:
        rows = c.execute(
            select(k.key_id, k.created_at, k.expires_at, k.revoked_at)
            .where(k.platform_id == platform_id)
            .order_by(k.id)
        )
        return [
            KeyView(r.key_id, _aware(r.created_at) or now, _aware(r.expires_at), _aware(r.revoked_at))
            for r in rows
        ]


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back (stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def authenticate(engine: Engine, key: str, now: datetime | None = None) -> PlatformView | None:
    """The live platform a key belongs to, or None (malformed, unknown, revoked, expired, removed). Key ids
    are unique across chains, so the key alone finds its platform (`PlatformView.chain_id` says which)."""
    key_id = key_id_of(key)
    if key_id is None:
        return None
    now = now or datetime.now(UTC)
    k, p = models.PlatformKey, models.Platform
    with engine.connect() as c:
        row = c.execute(
            select(k.digest, k.expires_at, k.revoked_at, *p.__table__.c)
            .join(p, p.id == k.platform_id)
            .where(k.key_id == key_id)
        ).first()
    if row is None or not hmac.compare_digest(row.digest, _digest(key)):
        return None
    expires_at = _aware(row.expires_at)
    if (
        row.revoked_at is not None
        or row.removed_at is not None
        or (expires_at is not None and expires_at <= now)
    ):
        return None
    return _view(row)
