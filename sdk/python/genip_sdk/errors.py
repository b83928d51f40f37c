"""Typed errors: every failure the client raises is a `GenIPError`.

An answer of the API outside 2xx becomes an `APIError` subclass chosen by its status (the API's errors are
JSON with a `detail`, kept in `.detail`); a request that never got an answer is a `TransportError`; a local
refusal of an image before hashing is an `ImageError`, of a prompt before committing or sealing a
`PromptError`; a webhook whose signature or timestamp does not verify
is a `WebhookVerificationError`.
"""

from typing import Any

import httpx

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "GenIPError",
    "ImageError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PromptError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "UnprocessableError",
    "UnsupportedMediaTypeError",
    "WebhookVerificationError",
    "error_for",
]


class GenIPError(Exception):
    """Base of every error the SDK raises."""


class TransportError(GenIPError):
    """No answer: the connection failed or timed out (after the retries the policy allows)."""


class ImageError(GenIPError, ValueError):
    """An image refused before hashing: too large, too many pixels, not a supported format, corrupt."""


class PromptError(GenIPError, ValueError):
    """A prompt, salt, address or checker key refused while committing or sealing (`genip_sdk.prompts`); the
    message never holds the prompt or the salt."""


class WebhookVerificationError(GenIPError):
    """A webhook whose headers are missing, whose timestamp is outside the tolerance, or whose signature does
    not match the secret: do not act on it (answer 400)."""


class APIError(GenIPError):
    """The API answered outside 2xx. `status`, `detail` (the JSON body's `detail`: a string, or the list of
    validation errors for a 422) and `response` (the httpx response)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.detail: Any = _detail(response)
        text = self.detail if isinstance(self.detail, str) else _summary(self.detail)
        super().__init__(f"{self.status} {response.reason_phrase}: {text}")


class BadRequestError(APIError):
    """400: a malformed address, cursor, CID or body."""


class AuthenticationError(APIError):
    """401: the API key is missing, unknown or revoked."""


class PermissionDeniedError(APIError):
    """403: the key may not do this."""


class NotFoundError(APIError):
    """404: no such asset, licence, subscription …"""


class ConflictError(APIError):
    """409: the request conflicts with the current state."""


class PayloadTooLargeError(APIError):
    """413: the file or body is over the server's limit."""


class UnsupportedMediaTypeError(APIError):
    """415: not a file type the server accepts."""


class UnprocessableError(APIError):
    """422: parameters out of range, too flat an image, a batch too large, an unknown `use` …"""


class RateLimitedError(APIError):
    """429: over quota. `retry_after`: seconds the server asked to wait (None when it did not say)."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(response)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server (or its database) could not answer."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableError,
}


def error_for(response: httpx.Response, retry_after: float | None = None) -> APIError:
    """The typed error of a non-2xx answer."""
    if response.status_code == 429:
        return RateLimitedError(response, retry_after)
    if response.status_code >= 500:
        return ServerError(response)
    return _BY_STATUS.get(response.status_code, APIError)(response)


def _detail(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    return body.get("detail", body) if isinstance(body, dict) else body


def _summary(detail: Any) -> str:
    if isinstance(detail, list):  # FastAPI's validation errors
        parts = []
        for error in detail[:3]:
            if isinstance(error, dict):
                where = ".".join(str(p) for p in error.get("loc", ()))
                parts.append(f"{where}: {error.get('msg', '')}".strip(": "))
        if parts:
            return "; ".join(parts)
    return str(detail)[:500]
