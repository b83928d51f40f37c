"""HTTP validators: ETags keyed on the indexer cursor, `If-None-Match` → 304, and Cache-Control."""

from fastapi import Request, Response

__all__ = ["IMMUTABLE", "etag_matches", "matches", "not_modified", "set_validators"]

IMMUTABLE = "public, max-age=31536000, immutable"


def matches(request: Request, etag: str) -> bool:
    """Whether the request's `If-None-Match` names `etag` (weak comparison, `*` matches anything)."""
    return etag_matches(request.headers.get("if-none-match"), etag)


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header value names `etag` (weak comparison, `*` matches anything)."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def set_validators(response: Response, etag: str, cache_control: str) -> None:
    """Sets `ETag` and `Cache-Control` on `response`."""
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control


def not_modified(etag: str, cache_control: str) -> Response:
    """An empty 304 carrying the validators."""
    response = Response(status_code=304)
    set_validators(response, etag, cache_control)
    return response
