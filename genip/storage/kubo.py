"""A Kubo (go-ipfs) node as content store, through its RPC API over httpx.

Calls (all `POST`, as the RPC API requires):

- `/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&hash=sha2-256&pin=true` with the file as
  multipart form data: the import settings spelled out, so the node's own defaults or profile cannot change
  the CID. The CID the node answers must equal the one computed here, else `IntegrityError`.
- `/api/v0/cat?arg=<cid>`: streamed, and verified against the CID as it is read.
- `/api/v0/pin/add?arg=<cid>` (`pin`), `/api/v0/pin/rm?arg=<cid>` (`remove`) and
  `/api/v0/pin/ls?arg=<cid>&type=recursive` (`has`: the node keeps
  only what is pinned, so "has" means "pinned").

The CID check also catches a node whose configuration changes the DAG shape in ways no `add` option
overrides (for example a non-default `Import.UnixFSFileMaxLinks`, which alters files above 174 chunks,
about 44 MiB): such an `add` fails loudly instead of registering a CID other nodes would not reproduce.

The API URL (`GENIP_IPFS_API`, e.g. `http://127.0.0.1:5001`) may carry credentials; messages show it only
as `scheme://host:port` (`genip.errors.redact_url`). Errors the node reports become `StorageUnavailableError`
with the node's message, except unknown or unpinned CIDs (`ContentNotFoundError` / `has() == False`).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Self

import httpx

from genip.content.cid import CHUNK_SIZE, parse_cid
from genip.content.digest import READ_SIZE, digest_bytes, digest_file
from genip.errors import redact_url
from genip.storage.base import (
    ContentNotFoundError,
    IntegrityError,
    Progress,
    StorageUnavailableError,
    verifying_reader,
)

__all__ = ["ADD_PARAMS", "KuboStore"]

#: Import settings sent with every `add`: Kubo's CIDv1 defaults, made explicit.
ADD_PARAMS: Final = {
    "cid-version": "1",
    "raw-leaves": "true",
    "chunker": f"size-{CHUNK_SIZE}",
    "hash": "sha2-256",
    "pin": "true",
}
_NOT_FOUND: Final = ("not found", "no link named", "not pinned", "is not pinned")


class KuboStore:
    """Content store backed by a Kubo node's RPC API at `api_url`. Close it (or use `with`) when done."""

    def __init__(self, api_url: str, *, timeout: float = 120.0, transport: httpx.BaseTransport | None = None):
        self._where = f"the IPFS node at {redact_url(api_url)}"
        self._client = httpx.Client(
            base_url=api_url.rstrip("/") + "/api/v0/", timeout=timeout, transport=transport
        )

    def __repr__(self) -> str:
        return f"KuboStore({self._where.removeprefix('the IPFS node at ')!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def put(self, source: Path | bytes, *, progress: Progress | None = None) -> str:
        """Add and pin a file or bytes; the node's CID must match ours. Returns the CID.

        The bytes are hashed locally first (reporting `progress`), then uploaded.
        """
        if isinstance(source, bytes):
            expected = digest_bytes(source).cid
            files: Any = {"file": ("blob", source, "application/octet-stream")}
            answer = self._post("add", params=ADD_PARAMS, files=files)
        else:
            expected = digest_file(source, progress=progress).cid
            with source.open("rb") as stream:
                files = {"file": (source.name, stream, "application/octet-stream")}
                answer = self._post("add", params=ADD_PARAMS, files=files)
        try:
            actual = _added_cid(answer.text)
        except ValueError:
            actual = None
        if actual is None:
            raise StorageUnavailableError(f"{self._where} answered add without a CID")
        if actual != expected:
            raise IntegrityError(expected, actual, f"{self._where} (add)")
        return expected

    def pin(self, cid: str) -> None:
        """Pin `cid` recursively on the node."""
        parse_cid(cid)
        self._post("pin/add", params={"arg": cid})

    def has(self, cid: str) -> bool:
        """Whether the node has `cid` pinned recursively."""
        parse_cid(cid)
        try:
            answer = self._post("pin/ls", params={"arg": cid, "type": "recursive"})
        except ContentNotFoundError:
            return False
        keys = answer.json().get("Keys") or {}
        return cid in keys

    def remove(self, cid: str) -> bool:
        """Unpin `cid` (`pin/rm`): the node's garbage collection then frees its blocks, unless another pin
        holds them. Whether it was pinned. (Other nodes that fetched it meanwhile are beyond reach.)"""
        if not self.has(cid):
            return False
        try:
            self._post("pin/rm", params={"arg": cid, "recursive": "true"})
        except ContentNotFoundError:  # unpinned meanwhile
            return False
        return True

    def open(self, cid: str) -> BinaryIO:
        """A verifying stream of `cid`'s bytes from `cat`."""
        parse_cid(cid)
        request = self._client.build_request("POST", "cat", params={"arg": cid})
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise StorageUnavailableError(f"{self._where} unavailable: {type(exc).__name__}") from None
        if response.status_code != 200:
            try:
                response.read()
                self._raise_for(response, cid)
            finally:
                response.close()
        return verifying_reader(
            cid, _blocks(response, self._where), where=f"{self._where} (cat)", on_close=response.close
        )

    def get(self, cid: str) -> bytes:
        """The verified bytes of `cid`."""
        with self.open(cid) as stream:
            return stream.read()

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.post(path, **kwargs)
        except httpx.HTTPError as exc:
            raise StorageUnavailableError(f"{self._where} unavailable: {type(exc).__name__}") from None
        if response.status_code != 200:
            self._raise_for(response, kwargs.get("params", {}).get("arg"))
        return response

    def _raise_for(self, response: httpx.Response, cid: str | None) -> None:
        message = _error_message(response)
        if cid is not None and any(marker in message.lower() for marker in _NOT_FOUND):
            raise ContentNotFoundError(cid, self._where)
        raise StorageUnavailableError(f"{self._where} answered HTTP {response.status_code}: {message}")


def _blocks(response: httpx.Response, where: str) -> Iterator[bytes]:
    try:
        yield from response.iter_bytes(READ_SIZE)
    except httpx.HTTPError as exc:
        raise StorageUnavailableError(f"{where}: reading failed: {type(exc).__name__}") from None


def _added_cid(body: str) -> str | None:
    """The root CID in an `add` answer: newline-delimited JSON objects, the root (only file) last."""
    cid = None
    for line in body.splitlines():
        if line.strip():
            entry = json.loads(line)
            cid = entry.get("Hash", cid)
    return cid


def _error_message(response: httpx.Response) -> str:
    """Kubo's error message (`{"Message": ..., "Type": "error"}`), else the start of the body."""
    try:
        message = response.json().get("Message")
    except (ValueError, AttributeError):
        message = None
    return str(message or response.text[:200] or response.reason_phrase)
