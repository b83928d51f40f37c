"""`GET /hashes?since=CURSOR&limit=N`: the registered images' hashes as a signal feed a platform can mirror
to match locally (Meta's Hasher-Matcher-Actioner / ThreatExchange signal exchange).

**Which HMA format.** The page is the JSON form of python-threatexchange's fetch delta, the interface every
HMA (Open Media Match) exchange implements: `SignalExchangeAPI.fetch_iter(...)` yields deltas whose
`updates` map a record key to its value, `None` meaning the record was removed, each with a checkpoint to
resume from. Here each entry is one update, in order: `key` (the record key: chain, asset, signal type,
value), `op` ("add": the value is `(signal_type, signal_value, metadata)`; "remove": `None`), and `next` is
the checkpoint. A platform's exchange adapter applies `updates[key] = None if op == "remove" else entry`,
then hands HMA `(signal_type, signal_value)` pairs, exactly like `naive_convert_to_signal_type`. Signal type
names are HMA's (`threatexchange.signal_type`): `pdq` is `PdqSignal` (256-bit, 64 lowercase hex digits, as
HMA stores it). `phash256` (the media's pHash-256, our second opinion) has no HMA type: HMA skips types it
does not support, an SDK may use it.

The feed is read from the `hash_signals` log (`api.queries.hashes`): cursors are stable while the indexer
writes, and a reorg that removes a registration sends a "remove" for each of its hashes.
"""

from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.deps import EngineDep
from api.queries.hashes import CURSOR_PATTERN, decode_cursor, encode_cursor, signal_page
from api.schemas import UnprocessableBody

__all__ = ["HashSignalEntry", "HashSignalMetadata", "HashSignalPage", "router"]

router = APIRouter(tags=["match"])

FORMAT: Final = "genip.hma-signals/1"


class HashSignalMetadata(BaseModel):
    """The registered work a hash belongs to (HMA's fetched signal metadata)."""

    chain_id: int
    asset_id: int
    content_hash: str = Field(description="The work's sha256 (`0x` hex) the hash was computed from.")
    registered_block: int = Field(description="The block of the registration.")
    owner: str | None = Field(description="Current owner (null once the work changed or was removed).")
    creator: str | None
    title: str | None
    cid: str | None = Field(description="The work's media CID (sealed original).")
    possible_copy_of: int | None = Field(
        description="The earlier work this one may copy, as the indexer's provenance step found it."
    )


class HashSignalEntry(BaseModel):
    """One update of the feed: a hash added, or removed (a reorg undid its registration)."""

    key: str = Field(description="The record key (`chain:asset:signal_type:signal_value`).")
    op: Literal["add", "remove"]
    signal_type: Literal["pdq", "phash256"] = Field(description="HMA's signal type name (`pdq`), or ours.")
    signal_value: str = Field(description="64 lowercase hex digits (256 bits).")
    metadata: HashSignalMetadata


class HashSignalPage(BaseModel):
    """A page of the feed, oldest first."""

    format: str = Field(default=FORMAT, description="The feed's format and version.")
    signals: list[HashSignalEntry]
    next: str = Field(description="The checkpoint: send it as `since` to get what follows (opaque).")
    has_more: bool = Field(description="Whether more entries are there now (else poll later with `next`).")


_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": UnprocessableBody,
        "description": "A cursor this API did not issue, or a `limit` outside 1..10 000.",
    },
}


@router.get(
    "/hashes",
    response_model=HashSignalPage,
    responses=_ERRORS,
    summary="Registered image hashes as an HMA-compatible signal feed (adds and removals, paged)",
    description=__doc__,
)
def get_hashes(
    request: Request,
    engine: EngineDep,
    since: Annotated[
        str | None,
        Query(
            pattern=CURSOR_PATTERN,
            max_length=20,
            description="The `next` of the previous page (none: from the start).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Entries per page at most.")] = 1_000,
) -> Any:
    """A page of the registered hashes' history (see the description)."""
    try:
        after = decode_cursor(since)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    chain_id = getattr(getattr(request.app.state, "settings", None), "api_chain_id", None)
    with engine.connect() as connection:
        page = signal_page(connection, since=after, limit=limit, chain_id=chain_id)
    return HashSignalPage(signals=page.entries, next=encode_cursor(page.last_id), has_more=page.has_more)  # type: ignore[arg-type]
