"""Prompt commitments: commit to the prompt that made a work without publishing it, and reveal it later.

The scheme itself — normalisation, salts, the domain-separated single commitment
(`promptCommitmentFor(creator, prompt, salt)`), the Merkle commitment over a prompt's parts, the sorted-pair
Merkle trees registration batches use too — lives in the SDK, `genip_sdk.prompts`, so platforms compute
exactly the same commitments on their side: one home, as the image preparation (`genip_sdk.imaging`). This
module re-exports it with the core's error (`PromptError`, a `GenIPError`: the CLI shows it as one line) and
adds what only a creator's own machine keeps:

- **Keep** (`PromptVault`): the salt and prompt (single scheme) or the master salt and every part's value
  (parts scheme), with the creator they were committed for, are stored in
  `<data dir>/prompts/<creator address>.json` (mode 0600, directory 0700), keyed by the work's sha256, so the
  creator can reveal them to a checker or to `genip prompt verify` later. Secrets never appear in a `repr`,
  a log or an error message.
"""

import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar

from eth_utils.address import is_address, to_checksum_address
from genip_sdk import prompts as _scheme
from genip_sdk.prompts import (
    PART_NAMES,
    PROMPT_DOMAIN,
    SALT_BYTES,
    PartsCommitment,
    PromptCommitment,
    hash_pair,
    merkle_proof,
    new_salt,
    normalize_prompt,
    process_proof,
    verify_proof,
)

from genip.errors import GenIPError

__all__ = [
    "PART_NAMES",
    "PROMPT_DOMAIN",
    "SALT_BYTES",
    "PartsCommitment",
    "PromptCommitment",
    "PromptError",
    "PromptVault",
    "commit_parts",
    "commit_prompt",
    "hash_pair",
    "merkle_proof",
    "merkle_root",
    "new_salt",
    "normalize_prompt",
    "part_leaf",
    "part_salt",
    "process_proof",
    "prompt_commitment_for",
    "verify_prompt",
    "verify_proof",
]

_VAULT_VERSION: Final = 2
_P = ParamSpec("_P")
_R = TypeVar("_R")


class PromptError(GenIPError, _scheme.PromptError):
    """A prompt, salt or prompt-secrets file is invalid (its contents are never shown). Also the SDK's
    `genip_sdk.PromptError`, which the scheme's functions raise: they reach the core's callers as this."""


def _core_errors(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """`function` of the SDK's scheme, raising `PromptError` (a `GenIPError`) for the SDK's refusals."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except _scheme.PromptError as exc:
            if isinstance(exc, PromptError):
                raise
            raise PromptError(str(exc)) from None

    return wrapper


prompt_commitment_for = _core_errors(_scheme.prompt_commitment_for)
commit_prompt = _core_errors(_scheme.commit_prompt)
verify_prompt = _core_errors(_scheme.verify_prompt)
part_leaf = _core_errors(_scheme.part_leaf)
part_salt = _core_errors(_scheme.part_salt)
commit_parts = _core_errors(_scheme.commit_parts)
merkle_root = _core_errors(_scheme.merkle_root)
_address = _core_errors(_scheme.checksum_address)


class PromptVault:
    """A creator's revealable prompts: `<data_dir>/prompts/<address>.json`, private to the user (0600).

    Entries are keyed by the work's sha256 (`0x` hex). Each names the `creator` its commitment was made for
    (the vault's own creator; entries written before contracts v2 lack it and are read as the vault's). A
    single-scheme entry holds the normalised prompt, the salt and the commitment; a parts entry
    (`"scheme": "parts"`) holds every part's value (UTF-8 text), the master salt and the root. Entries without
    `scheme` are single. An entry made for the v1 contracts (creator-free hashes) no longer opens its
    commitment and is refused by name. Every write replaces the file atomically (temporary file, fsync,
    rename).
    """

    def __init__(self, data_dir: Path, creator: str) -> None:
        if not is_address(creator):
            raise PromptError(f"{creator[:64]!r} is not an address")
        self.creator = to_checksum_address(creator)
        self.path = data_dir / "prompts" / f"{self.creator}.json"

    def __repr__(self) -> str:
        return f"PromptVault({self.creator}, {str(self.path)!r})"

    def save(self, content_sha256: bytes, commitment: "PromptCommitment | PartsCommitment") -> None:
        """Keep what opens `commitment` (prompt and salt, or parts and master salt) for the work whose sha256
        is `content_sha256`. The commitment must be made for this vault's creator."""
        if commitment.creator and commitment.creator.lower() != self.creator.lower():
            raise PromptError(
                f"a commitment made for {commitment.creator} cannot be kept in {self.creator}'s vault"
            )
        entries = self._read()
        saved_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        if isinstance(commitment, PartsCommitment):
            try:
                parts = {name: value.decode("utf-8") for name, value in commitment.values.items()}
            except UnicodeDecodeError:
                raise PromptError("prompt parts are kept as UTF-8 text") from None
            entries[_key(content_sha256)] = {
                "scheme": "parts",
                "creator": self.creator,
                "parts": parts,
                "masterSalt": "0x" + commitment.master_salt.hex(),
                "commitment": "0x" + commitment.root.hex(),
                "savedAt": saved_at,
            }
        else:
            entries[_key(content_sha256)] = {
                "scheme": "single",
                "creator": self.creator,
                "prompt": commitment.prompt,
                "salt": "0x" + commitment.salt.hex(),
                "commitment": "0x" + commitment.commitment.hex(),
                "savedAt": saved_at,
            }
        self._write(entries)

    def load_any(self, content_sha256: bytes) -> "PromptCommitment | PartsCommitment | None":
        """The kept commitment of a work in whichever scheme it was made, or `None`; `PromptError` if the
        entry is malformed or does not open its commitment."""
        entry = self._read().get(_key(content_sha256))
        if isinstance(entry, dict) and entry.get("scheme") == "parts":
            return self._parts(content_sha256, entry)
        return self.load(content_sha256)

    def load_parts(self, content_sha256: bytes) -> "PartsCommitment | None":
        """The kept parts commitment of a work, or `None` (no entry, or a single-scheme entry)."""
        found = self.load_any(content_sha256)
        return found if isinstance(found, PartsCommitment) else None

    def _creator_of(self, entry: dict[str, Any]) -> str:
        return str(entry.get("creator") or self.creator)

    def _stale(self, content_sha256: bytes, entry: dict[str, Any]) -> PromptError:
        if "creator" not in entry:
            return PromptError(
                f"the kept prompt for {_key(content_sha256)} was committed for the v1 contracts "
                "(without its creator) and does not open a v2 commitment"
            )
        return PromptError(f"the kept prompt for {_key(content_sha256)} does not open its commitment")

    def _parts(self, content_sha256: bytes, entry: dict[str, Any]) -> PartsCommitment:
        try:
            parts: dict[str, str | bytes] = {
                name: str(value).encode("utf-8") for name, value in dict(entry["parts"]).items()
            }
            master_salt = bytes.fromhex(entry["masterSalt"][2:])
            root = bytes.fromhex(entry["commitment"][2:])
            found = commit_parts(parts, master_salt, creator=self._creator_of(entry))
        except (KeyError, TypeError, ValueError, PromptError):
            raise PromptError(f"the entry for {_key(content_sha256)} in {self.path} is malformed") from None
        if found.root != root:
            raise self._stale(content_sha256, entry)
        return found

    def load(self, content_sha256: bytes) -> PromptCommitment | None:
        """The kept single-scheme prompt for a work, or `None`; `PromptError` if the entry does not open its
        commitment or is a parts entry (read those with `load_any` or `load_parts`)."""
        entry = self._read().get(_key(content_sha256))
        if entry is None:
            return None
        if isinstance(entry, dict) and entry.get("scheme") == "parts":
            raise PromptError(f"the entry for {_key(content_sha256)} commits to prompt parts: use load_any")
        try:
            creator = _address(self._creator_of(entry))
            found = PromptCommitment(
                bytes.fromhex(entry["commitment"][2:]),
                bytes.fromhex(entry["salt"][2:]),
                entry["prompt"],
                creator,
            )
        except (KeyError, TypeError, ValueError, AttributeError, PromptError):
            raise PromptError(f"the entry for {_key(content_sha256)} in {self.path} is malformed") from None
        if not verify_prompt(found.prompt, found.salt, found.commitment, creator=creator):
            raise self._stale(content_sha256, entry)
        return found

    def works(self) -> Iterator[bytes]:
        """The sha256 of every work with a kept prompt."""
        for key in sorted(self._read()):
            yield bytes.fromhex(key[2:])

    def _read(self) -> dict[str, Any]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            raise PromptError(f"cannot read the prompt secrets file {self.path}") from None
        if not isinstance(document, dict) or not isinstance(document.get("entries"), dict):
            raise PromptError(f"{self.path} is not a prompt secrets file")
        entries: dict[str, Any] = document["entries"]
        return entries

    def _write(self, entries: dict[str, Any]) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        document = {"version": _VAULT_VERSION, "creator": self.creator, "entries": entries}
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".prompts-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, ensure_ascii=False, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _key(content_sha256: bytes) -> str:
    if len(content_sha256) != 32:
        raise PromptError(f"a content sha256 has 32 bytes, not {len(content_sha256)}")
    return "0x" + content_sha256.hex()
