"""Gen-IP's Python SDK for platforms: licence status, image and hash-only matching, the hash export, webhook
subscriptions and signature verification, uploads — and the server's own image preparation for PDQ hashing.

    from genip_sdk import GenIP, hash_image, WebhookVerifier

    with GenIP("https://api.genip.example", api_key="gip_…") as genip:
        genip.license_status(42, "0xAbc…", "display")["licensed"]
        genip.match_hashes([hash_image("post.jpg", id="post-1")], accounts=["0xAbc…"])

**Hand-written, not generated** from `/openapi.json`: the part of the API a platform uses is small (a dozen
calls); its errors need mapping to typed exceptions and its 429/5xx answers to retries with `Retry-After`,
which generators leave to every caller; and the two things platforms most need beyond HTTP — PDQ hashing
with exactly the server's preparation, and Standard Webhooks verification — are not in any OpenAPI
document. A generated client would be a large second copy of the schema to keep in step, with the hard parts
still written by hand.

`hash_image` and `genip_sdk.imaging` need the `hashing` extra (Pillow, numpy, pdqhash, imagehash); they are
imported on first use so the HTTP client and webhook verification work without it. Prompt commitments and
sealing a prompt to the checker (`genip_sdk.prompts`: `commit_prompt`, `commit_parts`, `seal_prompt`) need the
`prompts` extra (pycryptodome for Keccak-256, PyNaCl for libsodium's sealed box).
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from genip_sdk.client import MAX_BATCH, MAX_HASHES, MAX_REGISTRATIONS, GenIP
from genip_sdk.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GenIPError,
    ImageError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PromptError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnprocessableError,
    UnsupportedMediaTypeError,
    WebhookVerificationError,
)
from genip_sdk.retry import RetryPolicy
from genip_sdk.webhooks import WebhookVerifier, verify_webhook

if TYPE_CHECKING:
    from genip_sdk.imaging import ImageHashes, hash_image

__all__ = [
    "MAX_BATCH",
    "MAX_HASHES",
    "MAX_REGISTRATIONS",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "GenIP",
    "GenIPError",
    "ImageError",
    "ImageHashes",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PromptError",
    "RateLimitedError",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "UnprocessableError",
    "UnsupportedMediaTypeError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "__version__",
    "hash_image",
    "verify_webhook",
]


def __getattr__(name: str) -> Any:
    """`hash_image` and `ImageHashes`, imported on first use (they need the `hashing` extra)."""
    if name in ("hash_image", "ImageHashes"):
        from genip_sdk import imaging

        return getattr(imaging, name)
    raise AttributeError(f"module 'genip_sdk' has no attribute {name!r}")
