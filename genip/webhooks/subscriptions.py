"""Subscriptions and the delivery log: the operator's (`genip webhooks add/list/remove/deliveries/replay`) and
a platform's own (`POST /webhooks` and friends, `api.routes.webhooks`).

`platform_id` scopes every function to one platform's subscriptions (and their deliveries): another
platform's subscription or delivery is then "not found", like one that does not exist. Without it (the
operator) every subscription of the chain is in scope; `add_subscription` then makes an operator's one.

Where a platform's webhooks may go is one rule (`private_address`, `must_be_public`): public addresses only,
unless `GENIP_API_WEBHOOK_PRIVATE_URLS` allows private ones. It is applied when a platform's subscription is
made (`add_subscription`, from `POST /webhooks` and `genip webhooks add --platform`) and again by the worker
on every connection it opens for one (a name may resolve elsewhere by then: DNS rebinding).

A subscription's secret is a Standard Webhooks key (`whsec_` + base64 of 32 random bytes): returned once by
`add_subscription`, never listed again. It is stored as is, because signing needs it (an HMAC key cannot be
kept hashed): database access is signing access.
"""

import base64
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias
from urllib.parse import urlsplit

from sqlalchemy import Engine, and_, insert, select, update

from genip.db import models
from genip.errors import GenIPError, NotFoundError
from genip.webhooks.events import EVENT_TYPES, DeliveryState

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = [
    "AttemptView",
    "DeliveryView",
    "IPAddress",
    "PrivateDestinationError",
    "ReplayRefused",
    "SubscriptionView",
    "WebhookError",
    "add_subscription",
    "attempts_of",
    "get_subscription",
    "list_deliveries",
    "list_subscriptions",
    "must_be_public",
    "new_secret",
    "private_address",
    "private_destination",
    "remove_subscription",
    "replay_delivery",
    "resolve",
]


#: The longest URL a subscription may have.
MAX_URL = 2048


class WebhookError(GenIPError):
    """A webhook request the operator must correct (a bad URL, an unknown event type, a replay refused)."""


class ReplayRefused(WebhookError):
    """A replay that cannot be done now (the delivery is still queued, its event retracted, its subscription
    removed)."""


def new_secret() -> str:
    """A fresh Standard Webhooks signing secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    url: str
    event_types: list[str]
    asset_ids: list[int] | None
    accounts: list[str] | None
    created_at: datetime
    removed_at: datetime | None
    platform_id: int | None = None


@dataclass(frozen=True)
class DeliveryView:
    id: int
    subscription_id: int
    event_id: str
    type: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class AttemptView:
    attempt: int
    worker: str
    started_at: datetime
    duration_ms: float
    status: int | None
    error: str | None


def private_address(host: str, addresses: Iterable["IPAddress"]) -> str | None:
    """The one rule of where a platform's webhooks may go: why `host`, whose addresses are `addresses`, is
    private (this host, a LAN, a cloud metadata address, multicast), or None. `localhost` and its subdomains
    are this host whatever they resolve to; otherwise every address must be globally routable, and so must
    every IPv4 address an IPv6 one leads to (`embedded_ipv4`: mapped, 6to4, NAT64). `private_destination`
    applies it when a platform subscribes, the delivery worker (`genip.webhooks.worker`) again on every
    connection it opens, to the address it then connects to."""
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this host"
    for address in sorted(addresses, key=str):
        judged = [address, *embedded_ipv4(address)]
        local_nat64 = isinstance(address, ipaddress.IPv6Address) and address in _LOCAL_NAT64
        if local_nat64 or any(not a.is_global or a.is_multicast for a in judged):
            return f"{host} is (or resolves to) {address}, a private address"
    return None


#: IPv6 ranges whose last 32 bits are an IPv4 address a gateway reaches for them: RFC 6052's well-known NAT64
#: prefix, and the deprecated IPv4-compatible and IPv4-translated forms.
_IPV4_IN_LOW_BITS: Final = tuple(
    ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96")
)
#: RFC 8215's local-use NAT64 prefix: its IPv4 part may sit anywhere (the operator picks /48 to /96), and it
#: is only ever a gateway into someone's own network, so none of it is public.
_LOCAL_NAT64: Final = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(address: "IPAddress") -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 `address` leads to (IPv4-mapped `::ffff:a.b.c.d`, 6to4 `2002:AABB:CCDD::`,
    NAT64 `64:ff9b::a.b.c.d` and the other forms of `_IPV4_IN_LOW_BITS`): a NAT64 gateway or a 6to4 relay
    forwards to them, so each is judged like the address itself (`64:ff9b::a9fe:a9fe` is 169.254.169.254,
    the cloud metadata address, however `is_global` rates the IPv6 form). Empty for IPv4 addresses."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if any(address in network for network in _IPV4_IN_LOW_BITS):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def resolve(host: str, port: int | None = None) -> list["IPAddress"]:
    """The addresses of `host` in the resolver's order (an IP literal is its own); OSError when it does not
    resolve."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OSError(f"{host[:80]!r} is not a host name") from exc
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


def must_be_public(platform_id: int | None, private_urls: bool) -> bool:
    """Whether a subscription's URL must lead to public addresses: a platform's subscriptions must (a key
    holder must not make the worker call into the operator's network) unless `private_urls`
    (`GENIP_API_WEBHOOK_PRIVATE_URLS`, read by the API and by `genip webhooks add|run`) lifts it for a local
    setup; the operator's own subscriptions (no platform) may point anywhere."""
    return platform_id is not None and not private_urls


def private_destination(url: str) -> str | None:
    """Why `url` would make the delivery worker call into a private network (`private_address`), or None. A
    host given as an IP literal or `localhost` is judged as it is; a name is resolved and judged by every
    address it has (a name that does not resolve now is let through: the worker resolves and judges it again
    when it delivers)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if (reason := private_address(host, ())) is not None:
        return reason
    try:
        addresses = resolve(host)
    except OSError:
        return None
    return private_address(host, addresses)


class PrivateDestinationError(WebhookError):
    """A platform's webhook URL leads to a private address (`private_address`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"webhooks are delivered to public addresses only: {reason}")


def _check_url(url: str) -> str:
    if len(url) > MAX_URL or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise WebhookError(f"not an http(s) URL of at most {MAX_URL} characters without spaces: {url[:80]!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"not an http(s) URL: {url!r}")
    return url


def _check_events(events: list[str]) -> list[str]:
    if not events:
        raise WebhookError(f"name at least one event type ({', '.join(EVENT_TYPES)})")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise WebhookError(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    return sorted(set(events), key=EVENT_TYPES.index)


def _check_account(account: str) -> str:
    a = account.lower()
    if len(a) != 42 or not a.startswith("0x") or any(ch not in "0123456789abcdef" for ch in a[2:]):
        raise WebhookError(f"not an account address: {account!r}")
    return a


def add_subscription(
    engine: Engine,
    *,
    chain_id: int,
    url: str,
    events: list[str],
    assets: list[int] | None = None,
    accounts: list[str] | None = None,
    platform_id: int | None = None,
    private_urls: bool = False,
) -> tuple[int, str]:
    """Subscribes `url` (for the platform `platform_id`, or the operator); returns its id and its secret
    (shown once). Empty filters mean "all". A platform's URL must lead to public addresses unless
    `private_urls` (`must_be_public`; `PrivateDestinationError` otherwise): the API's `POST /webhooks` and
    `genip webhooks add --platform` both subscribe through here, so both apply the same rule."""
    if assets and any(a <= 0 for a in assets):
        raise WebhookError("asset ids start at 1")
    _check_url(url)
    if must_be_public(platform_id, private_urls) and (reason := private_destination(url)) is not None:
        raise PrivateDestinationError(reason)
    row: dict[str, Any] = {
        "chain_id": chain_id,
        "url": _check_url(url),
        "event_types": _check_events(events),
        "asset_ids": sorted(set(assets)) if assets else None,
        "accounts": sorted({_check_account(a) for a in accounts}) if accounts else None,
        "secret": new_secret(),
        "created_at": datetime.now(UTC),
        "removed_at": None,
        "platform_id": platform_id,
    }
    with engine.begin() as c:
        new_id = c.execute(insert(models.WebhookSubscription).returning(models.WebhookSubscription.id), [row])
        return int(new_id.scalar_one()), str(row["secret"])


def get_subscription(
    engine: Engine, chain_id: int, subscription_id: int, *, platform_id: int | None = None
) -> SubscriptionView:
    """One subscription (removed ones too), or NotFoundError (also for another platform's)."""
    for view in list_subscriptions(
        engine, chain_id, removed=True, platform_id=platform_id, only=subscription_id
    ):
        return view
    raise NotFoundError(f"no webhook subscription {subscription_id}")


def list_subscriptions(
    engine: Engine,
    chain_id: int,
    *,
    removed: bool = False,
    platform_id: int | None = None,
    only: int | None = None,
) -> list[SubscriptionView]:
    s = models.WebhookSubscription
    query = select(s).where(s.chain_id == chain_id).order_by(s.id)
    if only is not None:
        query = query.where(s.id == only)
    if platform_id is not None:
        query = query.where(s.platform_id == platform_id)
    if not removed:
        query = query.where(s.removed_at.is_(None))
    with engine.connect() as c:
        rows = c.execute(query).mappings().all()
    return [
        SubscriptionView(
            id=r["id"],
            url=r["url"],
            event_types=list(r["event_types"]),
            asset_ids=r["asset_ids"],
            accounts=r["accounts"],
            created_at=r["created_at"],
            removed_at=r["removed_at"],
            platform_id=r["platform_id"],
        )
        for r in rows
    ]


def remove_subscription(
    engine: Engine, chain_id: int, subscription_id: int, *, platform_id: int | None = None
) -> int:
    """Removes a subscription: no new events, its pending deliveries cancelled. Returns how many."""
    s, d = models.WebhookSubscription, models.WebhookDelivery
    with engine.begin() as c:
        query = update(s).where(s.id == subscription_id, s.chain_id == chain_id, s.removed_at.is_(None))
        if platform_id is not None:
            query = query.where(s.platform_id == platform_id)
        done = c.execute(query.values(removed_at=datetime.now(UTC)))
        if done.rowcount == 0:
            raise NotFoundError(f"no active webhook subscription {subscription_id}")
        cancelled = c.execute(
            update(d)
            .where(d.subscription_id == subscription_id, d.state == DeliveryState.PENDING)
            .values(state=DeliveryState.CANCELLED)
        )
        return int(cancelled.rowcount)


def list_deliveries(
    engine: Engine,
    chain_id: int,
    *,
    subscription_id: int | None = None,
    state: str | None = None,
    limit: int = 50,
    platform_id: int | None = None,
) -> list[DeliveryView]:
    """The newest deliveries first."""
    d, e = models.WebhookDelivery, models.WebhookEvent
    query = (
        select(
            d.id,
            d.subscription_id,
            d.event_id,
            e.type,
            d.state,
            d.attempts,
            d.next_attempt_at,
            d.last_status,
            d.last_error,
            d.delivered_at,
        )
        .join(e, e.id == d.event_id)
        .where(e.chain_id == chain_id)
        .order_by(d.id.desc())
        .limit(limit)
    )
    if subscription_id is not None:
        query = query.where(d.subscription_id == subscription_id)
    if platform_id is not None:
        s = models.WebhookSubscription
        query = query.join(s, s.id == d.subscription_id).where(s.platform_id == platform_id)
    if state is not None:
        query = query.where(d.state == state)
    with engine.connect() as c:
        rows = c.execute(query).all()
    return [DeliveryView(**row._mapping) for row in rows]


def attempts_of(engine: Engine, delivery_id: int) -> list[AttemptView]:
    a = models.WebhookAttempt
    with engine.connect() as c:
        rows = c.execute(select(a).where(a.delivery_id == delivery_id).order_by(a.id)).mappings().all()
    return [
        AttemptView(
            attempt=r["attempt"],
            worker=r["worker"],
            started_at=r["started_at"],
            duration_ms=r["duration_ms"],
            status=r["status"],
            error=r["error"],
        )
        for r in rows
    ]


def replay_delivery(
    engine: Engine, chain_id: int, delivery_id: int, *, platform_id: int | None = None
) -> None:
    """Queues a delivered or failed delivery again, with a fresh attempt budget and the same `webhook-id`.
    Refused for an event a reorg retracted, a removed subscription, or a delivery still queued."""
    d, e, s = models.WebhookDelivery, models.WebhookEvent, models.WebhookSubscription
    with engine.begin() as c:
        query = (
            select(d.state, e.retracted_at, s.removed_at)
            .join(e, e.id == d.event_id)
            .join(s, s.id == d.subscription_id)
            .where(d.id == delivery_id, e.chain_id == chain_id)
        )
        if platform_id is not None:
            query = query.where(s.platform_id == platform_id)
        row = c.execute(query).first()
        if row is None:
            raise NotFoundError(f"no webhook delivery {delivery_id}")
        if row.retracted_at is not None:
            raise ReplayRefused(f"delivery {delivery_id}: a reorg retracted its event; it is not replayed")
        if row.removed_at is not None:
            raise ReplayRefused(f"delivery {delivery_id}: its subscription was removed")
        if row.state == DeliveryState.PENDING:
            raise ReplayRefused(f"delivery {delivery_id} is still queued")
        c.execute(
            update(d)
            .where(and_(d.id == delivery_id, d.state == row.state))
            .values(
                state=DeliveryState.PENDING,
                attempts=0,
                next_attempt_at=datetime.now(UTC),
                leased_by=None,
                leased_until=None,
            )
        )
