"""Exceptions raised by the Gen-IP core.

Everything the core raises on purpose derives from one root, so callers (the CLI, the indexer, the API) can
catch `GenIPError` and show its message as it is. Messages name what went wrong and which value, but never
carry secrets: no private keys, and RPC URLs only as `scheme://host:port` (see `redact_url`).

    GenIPError
    ├── ConfigError                 settings, environment variables and keys
    │   └── SigningKeyError         the signing key is missing or malformed
    ├── ArtifactError               exported contract artifacts are missing or unreadable
    ├── DeploymentError             a deployment file is missing, malformed or does not fit the chain
    │   └── ChainIdMismatchError    the RPC serves another chain than the deployment's
    └── ChainError                  talking to a chain failed
        ├── RPCUnavailableError     the RPC endpoint does not answer
        ├── AnvilError              a local anvil could not be started
        └── TransactionFailedError  a transaction reverted or could not be sent
"""

from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "AnvilError",
    "ArtifactError",
    "ChainError",
    "ChainIdMismatchError",
    "ConfigError",
    "DeploymentError",
    "GenIPError",
    "NotFoundError",
    "RPCUnavailableError",
    "SigningKeyError",
    "TransactionFailedError",
    "UnknownAssetError",
    "redact_url",
]


class GenIPError(Exception):
    """Root of every exception the Gen-IP core raises on purpose."""


class ConfigError(GenIPError):
    """A setting, environment variable or command-line value is missing or invalid."""


class SigningKeyError(ConfigError):
    """The private key to sign with is missing or malformed (the key itself is never shown)."""


class ArtifactError(GenIPError):
    """An exported contract artifact (`genip/abi/<Name>.json`) is missing or malformed."""


class DeploymentError(GenIPError):
    """A deployment file is missing or malformed, or does not describe the chain it is used with."""


class ChainIdMismatchError(DeploymentError):
    """The RPC endpoint serves a different chain id than the deployment was made on."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"chain id mismatch: deployment is for chain {expected}, RPC serves chain {actual}")
        self.expected = expected
        self.actual = actual


class ChainError(GenIPError):
    """Talking to an EVM chain failed."""


class RPCUnavailableError(ChainError):
    """The JSON-RPC endpoint cannot be reached or does not answer."""

    def __init__(self, rpc_url: str, reason: str = "no answer") -> None:
        super().__init__(f"RPC {redact_url(rpc_url)} unavailable: {reason}")
        self.rpc_url = redact_url(rpc_url)


class AnvilError(ChainError):
    """A local anvil node could not be found, started or stopped."""


class TransactionFailedError(ChainError):
    """A transaction reverted (in estimation or on-chain) or could not be sent.

    `reason` is the decoded revert (`Name(arg=value, …)`) or the RPC's message; `error` and `error_args` the
    custom error's name and arguments when one was decoded; `explanation` the same in words, which the
    message shows (with the error's name) when there is one."""

    def __init__(
        self,
        action: str,
        reason: str,
        tx_hash: str | None = None,
        *,
        error: str | None = None,
        error_args: dict[str, Any] | None = None,
        explanation: str | None = None,
    ) -> None:
        where = f" (tx {tx_hash})" if tx_hash else ""
        said = f"{explanation} ({error})" if explanation and error else reason
        super().__init__(f"{action} failed: {said}{where}")
        self.action = action
        self.reason = reason
        self.tx_hash = tx_hash
        self.error = error
        self.error_args = error_args or {}
        self.explanation = explanation


def redact_url(url: str) -> str:
    """Return `url` reduced to `scheme://host[:port]`, with `/…` when it had a path or query.

    Hosted RPC URLs often carry an API key in their path, query or user info; this keeps it out of messages.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    if not parts.scheme or not host:
        return "<invalid url>"
    tail = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{tail}"


class NotFoundError(GenIPError):
    """An asset, offer or licence id does not exist on this deployment."""


class UnknownAssetError(NotFoundError):
    """No certificate has this asset id."""

    def __init__(self, asset_id: int) -> None:
        super().__init__(f"unknown asset {asset_id}: no certificate with this id on this deployment")
        self.asset_id = asset_id
