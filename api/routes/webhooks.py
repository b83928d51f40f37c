"""`/webhooks`: a platform's own webhook subscriptions, their delivery log and replays (platform key only).

Everything is scoped to the calling platform (`genip.webhooks.subscriptions` with `platform_id`): another
platform's subscription or delivery answers 404, exactly as one that does not exist, so ids tell nothing.
Events are signed per the Standard Webhooks specification with the subscription's `whsec_` secret, which
`POST /webhooks` returns once; nothing shows it again (remove the subscription and subscribe again to get a
new one). Deliveries are sent by `genip webhooks run`.
"""

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from api.body_limits import BODY_ERRORS
from api.deps import SettingsDep
from api.platform_auth import BEARER_ERRORS, PlatformDep
from api.schemas import MAX_ASSET_ID, ErrorBody, UnprocessableBody
from genip.errors import NotFoundError
from genip.webhooks import subscriptions as subs
from genip.webhooks.events import EVENT_TYPES

__all__ = ["router"]

router = APIRouter(tags=["webhooks"])

_Responses = dict[int | str, dict[str, Any]]
_NOT_FOUND: Final[_Responses] = {
    404: {"model": ErrorBody, "description": "No such subscription of this platform."}
}
_UNPROCESSABLE: Final[_Responses] = {
    422: {"model": UnprocessableBody, "description": "A parameter is out of range."}
}
_REPLAY_ERRORS: Final[_Responses] = {
    404: {"model": ErrorBody, "description": "No such delivery of this platform's subscriptions."},
    409: {
        "model": ErrorBody,
        "description": "Not now: the delivery is still queued, its event was retracted by a reorg, or its "
        "subscription was removed.",
    },
}
_ID = Annotated[int, Path(ge=1, le=MAX_ASSET_ID, description="The subscription's id.")]
_DELIVERY_ID = Annotated[int, Path(ge=1, le=MAX_ASSET_ID, description="The delivery's id.")]


class SubscriptionRequest(BaseModel):
    """What to send where: event types, optionally only about some assets and/or involving some accounts."""

    url: str = Field(
        min_length=1, max_length=subs.MAX_URL, description="Where events are POSTed (http or https)."
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description=f"Event types: {', '.join(EVENT_TYPES)}.",
    )
    assets: list[Annotated[int, Field(ge=1, le=MAX_ASSET_ID)]] | None = Field(
        default=None, max_length=1000, description="Only events about these assets (default: every asset)."
    )
    accounts: list[Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]] | None = Field(
        default=None, max_length=1000, description="Only events involving these accounts (default: any)."
    )


class Subscription(BaseModel):
    id: int
    url: str
    event_types: list[str]
    assets: list[int] | None = Field(description="Asset filter (null: every asset).")
    accounts: list[str] | None = Field(description="Account filter, lowercase (null: any account).")
    created_at: datetime
    removed_at: datetime | None = None


class NewSubscription(Subscription):
    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_…`): shown only this once; keep it to "
        "verify every payload's `webhook-signature`."
    )


class SubscriptionList(BaseModel):
    subscriptions: list[Subscription]


class Removed(BaseModel):
    removed: int
    cancelled_deliveries: int = Field(description="Deliveries still queued that will not be sent.")


class Delivery(BaseModel):
    id: int
    subscription_id: int
    webhook_id: str = Field(description="The event's `webhook-id` (the same on every retry and replay).")
    type: str
    state: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    last_status: int | None = Field(description="The HTTP status of the last attempt (null: no answer).")
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending only).")
    delivered_at: datetime | None


class DeliveryList(BaseModel):
    deliveries: list[Delivery]


class Replayed(BaseModel):
    replayed: int


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _not_found(exc: NotFoundError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


def _view(s: subs.SubscriptionView) -> dict[str, Any]:
    return {
        "id": s.id,
        "url": s.url,
        "event_types": s.event_types,
        "assets": s.asset_ids,
        "accounts": s.accounts,
        "created_at": s.created_at,
        "removed_at": s.removed_at,
    }


@router.post(
    "/webhooks",
    status_code=201,
    response_model=NewSubscription,
    responses=BEARER_ERRORS | BODY_ERRORS | _UNPROCESSABLE,
    summary="Subscribe a URL to events (returns its signing secret once)",
)
def add(body: SubscriptionRequest, platform: PlatformDep, settings: SettingsDep, request: Request) -> Any:
    """Subscribes `url` to `event_types` for the calling platform. The answer holds the subscription's
    `secret`, shown only this once. 422 for a URL that is not http(s), an unknown event type or a bad
    filter."""
    engine = _engine(request)
    try:  # the URL rule (public addresses only, unless GENIP_API_WEBHOOK_PRIVATE_URLS) is add_subscription's
        new_id, secret = subs.add_subscription(
            engine,
            chain_id=platform.chain_id,
            url=body.url,
            events=body.event_types,
            assets=body.assets,
            accounts=body.accounts,
            platform_id=platform.id,
            private_urls=settings.api_webhook_private_urls,
        )
    except subs.WebhookError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    view = subs.get_subscription(engine, platform.chain_id, new_id, platform_id=platform.id)
    return {**_view(view), "secret": secret}


@router.get(
    "/webhooks",
    response_model=SubscriptionList,
    responses=BEARER_ERRORS | _UNPROCESSABLE,
    summary="This platform's webhook subscriptions (without secrets)",
)
def list_(
    platform: PlatformDep,
    request: Request,
    removed: Annotated[bool, Query(description="Include removed subscriptions.")] = False,
) -> Any:
    found = subs.list_subscriptions(
        _engine(request), platform.chain_id, removed=removed, platform_id=platform.id
    )
    return {"subscriptions": [_view(s) for s in found]}


@router.delete(
    "/webhooks/{subscription_id}",
    response_model=Removed,
    responses=BEARER_ERRORS | _NOT_FOUND | _UNPROCESSABLE,
    summary="Remove a subscription (its queued deliveries are cancelled; the log is kept)",
)
def remove(subscription_id: _ID, platform: PlatformDep, request: Request) -> Any:
    try:
        cancelled = subs.remove_subscription(
            _engine(request), platform.chain_id, subscription_id, platform_id=platform.id
        )
    except NotFoundError as exc:
        return _not_found(exc)
    return {"removed": subscription_id, "cancelled_deliveries": cancelled}


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=DeliveryList,
    responses=BEARER_ERRORS | _NOT_FOUND | _UNPROCESSABLE,
    summary="A subscription's delivery log, newest first",
)
def deliveries(
    subscription_id: _ID,
    platform: PlatformDep,
    request: Request,
    state: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None, Query(description="Only these.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Any:
    engine = _engine(request)
    try:
        subs.get_subscription(engine, platform.chain_id, subscription_id, platform_id=platform.id)
    except NotFoundError as exc:
        return _not_found(exc)
    found = subs.list_deliveries(
        engine,
        platform.chain_id,
        subscription_id=subscription_id,
        state=state,
        limit=limit,
        platform_id=platform.id,
    )
    return {
        "deliveries": [
            {
                "id": d.id,
                "subscription_id": d.subscription_id,
                "webhook_id": d.event_id,
                "type": d.type,
                "state": d.state,
                "attempts": d.attempts,
                "last_status": d.last_status,
                "last_error": d.last_error,
                "next_attempt_at": d.next_attempt_at if d.state == "pending" else None,
                "delivered_at": d.delivered_at,
            }
            for d in found
        ]
    }


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=Replayed,
    responses=BEARER_ERRORS | _UNPROCESSABLE | _REPLAY_ERRORS,
    summary="Send a delivered or failed delivery again (same webhook-id)",
)
def replay(delivery_id: _DELIVERY_ID, platform: PlatformDep, request: Request) -> Any:
    try:
        subs.replay_delivery(_engine(request), platform.chain_id, delivery_id, platform_id=platform.id)
    except NotFoundError as exc:
        return _not_found(exc)
    except subs.ReplayRefused as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    return {"replayed": delivery_id}
