"""Prompt commitments: commit to the prompt that made a work without publishing it, and reveal it later.

Every commitment names its creator and is domain-separated (contracts v2), so a commitment copied onto another
creator's certificate never opens there, and a single-prompt commitment can never pass for a Merkle node.

- **Normalise** (`normalize_prompt`): `\\n` line endings, Unicode NFC, surrounding whitespace trimmed, so a
  prompt copied between editors still verifies.
- **Commit** (`commit_prompt`): a fresh random 32-byte salt (`secrets`), and the commitment
  `keccak256(abi.encode(PROMPT_DOMAIN, creator, salt, keccak256(utf8(prompt))))` with
  `PROMPT_DOMAIN = keccak256("Gen-IP prompt commitment v2")`: exactly `GenIPRegistry.promptCommitmentFor`,
  which `verifyPrompt(assetId, creator, prompt, salt)` recomputes. The salt keeps short or guessable prompts
  from being found by hashing candidates; the creator is the signing account, known when committing.
- **Structured** (`commit_parts`): a Merkle tree over the parts (prompt, negative prompt, seed, model,
  workflow), each leaf `keccak256(keccak256(abi.encode(creator, part, salt, value)))` salted with a salt
  derived from one master salt; the root is the commitment and `PartsCommitment.reveal(part)` gives what
  `verifyPromptPart(assetId, creator, part, value, salt, proof)` needs to prove one part alone. Pairs are
  hashed in sorted order, as OpenZeppelin's `MerkleProof` (`hash_pair`, `process_proof`); `merkle_root` and
  `merkle_proof` build such trees for any leaves (registration batches use them too).
- **Keep** (`PromptVault`): the salt and prompt (single scheme) or the master salt and every part's value
  (parts scheme), with the creator they were committed for, are stored in
  `<data dir>/prompts/<creator address>.json` (mode 0600, directory 0700), keyed by the work's sha256, so the
  creator can reveal them to a checker or to `genip prompt verify` later. Secrets never appear in a `repr`,
  a log or an error message.
"""

import json
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_utils.address import is_address, to_checksum_address

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

#: Length of a commitment salt (a bytes32 on-chain).
SALT_BYTES: Final = 32
#: Domain of single-prompt commitments: `keccak256("Gen-IP prompt commitment v2")` (the registry's constant).
PROMPT_DOMAIN: Final = bytes(keccak(b"Gen-IP prompt commitment v2"))
_VAULT_VERSION: Final = 2


class PromptError(GenIPError):
    """A prompt, salt or prompt-secrets file is invalid (its contents are never shown)."""


@dataclass(frozen=True, slots=True)
class PromptCommitment:
    """A normalised prompt, its salt, its creator and the commitment to them; prompt and salt stay out of
    `repr`."""

    commitment: bytes
    salt: bytes = field(repr=False)
    prompt: str = field(repr=False)
    creator: str = ""


def normalize_prompt(prompt: str) -> str:
    """`prompt` with `\\n` line endings, in Unicode NFC, without leading or trailing whitespace."""
    prompt = prompt.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", prompt).strip()


def new_salt() -> bytes:
    """A fresh random 32-byte salt from the operating system's CSPRNG."""
    return secrets.token_bytes(SALT_BYTES)


def _address(creator: str) -> str:
    if not is_address(creator):
        raise PromptError(f"{creator[:64]!r} is not an address")
    return str(to_checksum_address(creator))


def _check_salt(salt: bytes) -> None:
    if len(salt) != SALT_BYTES:
        raise PromptError(f"a salt has {SALT_BYTES} bytes, not {len(salt)}")


def prompt_commitment_for(creator: str, prompt: str | bytes, salt: bytes) -> bytes:
    """`GenIPRegistry.promptCommitmentFor(creator, prompt, salt)`: `keccak256(abi.encode(PROMPT_DOMAIN,
    creator, salt, keccak256(prompt)))` (text as UTF-8, bytes as given)."""
    _check_salt(salt)
    data = prompt.encode("utf-8") if isinstance(prompt, str) else prompt
    encoded = abi_encode(
        ["bytes32", "address", "bytes32", "bytes32"], [PROMPT_DOMAIN, _address(creator), salt, keccak(data)]
    )
    return bytes(keccak(encoded))


def commit_prompt(
    prompt: str, salt: bytes | None = None, *, creator: str, allow_empty: bool = False
) -> PromptCommitment:
    """Normalise `prompt` and commit to it for `creator` with `salt` (a fresh one when `None`). An empty
    prompt is refused unless `allow_empty` (works that claim no prompt commit to the empty one)."""
    text = normalize_prompt(prompt)
    if not text and not allow_empty:
        raise PromptError("the prompt is empty")
    salt = new_salt() if salt is None else salt
    who = _address(creator)
    return PromptCommitment(prompt_commitment_for(who, text, salt), salt, text, who)


def verify_prompt(prompt: str, salt: bytes, commitment: bytes, *, creator: str) -> bool:
    """Whether `prompt` (normalised) and `salt` open `creator`'s `commitment`, as `verifyPrompt` checks
    on-chain with the certificate's creator."""
    return secrets.compare_digest(prompt_commitment_for(creator, normalize_prompt(prompt), salt), commitment)


def part_leaf(part: str, value: bytes, salt: bytes, *, creator: str) -> bytes:
    """Leaf of one prompt part in a Merkle commitment, as `GenIPRegistry.verifyPromptPart` computes it:
    `keccak256(keccak256(abi.encode(address creator, string part, bytes32 salt, bytes value)))`. Hashing twice
    means an inner node of the tree can never be presented as a leaf; the creator inside means a copied root
    never opens for another creator."""
    _check_salt(salt)
    encoded = abi_encode(["address", "string", "bytes32", "bytes"], [_address(creator), part, salt, value])
    return bytes(keccak(keccak(encoded)))


#: The parts of a structured prompt commitment, in tree order.
PART_NAMES: Final = ("prompt", "negative_prompt", "seed", "model", "workflow")


def part_salt(master_salt: bytes, part: str) -> bytes:
    """The salt of one part, derived from the creator's master salt: revealing a part (and its salt) tells
    nothing about the master salt, hence nothing about the other parts."""
    if len(master_salt) != SALT_BYTES:
        raise PromptError(f"a salt has {SALT_BYTES} bytes, not {len(master_salt)}")
    return bytes(keccak(master_salt + part.encode("utf-8")))


@dataclass(frozen=True, slots=True)
class PartsCommitment:
    """A Merkle commitment over the parts of a prompt (`PART_NAMES`; absent parts are empty).

    The root is what the certificate commits to; `reveal(part)` gives what `verifyPromptPart` needs to prove
    one part without the others. Values and the master salt stay out of `repr`.
    """

    root: bytes
    master_salt: bytes = field(repr=False)
    values: dict[str, bytes] = field(repr=False)
    creator: str = ""

    @property
    def commitment(self) -> bytes:
        """The root: what the certificate's prompt commitment holds (same name as `PromptCommitment`'s)."""
        return self.root

    @property
    def prompt(self) -> str:
        """The (normalised) prompt part as text."""
        return self.values["prompt"].decode("utf-8", errors="replace")

    def texts(self) -> dict[str, str]:
        """The non-empty parts as text (what a creator submits to the checker)."""
        return {name: value.decode("utf-8") for name, value in self.values.items() if value}

    def reveal(self, part: str) -> tuple[bytes, bytes, list[bytes]]:
        """(value, salt, proof) of `part`."""
        if part not in PART_NAMES:
            raise PromptError(f"unknown prompt part {part!r}; parts are {', '.join(PART_NAMES)}")
        leaves = self.leaves()
        proof = merkle_proof(leaves, PART_NAMES.index(part))
        return self.values[part], part_salt(self.master_salt, part), proof

    def leaves(self) -> list[bytes]:
        """The tree's leaves in `PART_NAMES` order."""
        return [
            part_leaf(name, self.values[name], part_salt(self.master_salt, name), creator=self.creator)
            for name in PART_NAMES
        ]


def commit_parts(
    parts: dict[str, str | bytes], master_salt: bytes | None = None, *, creator: str
) -> PartsCommitment:
    """Commits to the prompt's parts for `creator`; text parts are normalised like prompts (NFC, trimmed),
    bytes kept as is (a workflow should be canonical JSON already)."""
    unknown = set(parts) - set(PART_NAMES)
    if unknown:
        raise PromptError(f"unknown prompt parts: {', '.join(sorted(unknown))}")
    values = {
        name: (
            normalize_prompt(value).encode("utf-8")
            if isinstance(value := parts.get(name, b""), str)
            else bytes(value)
        )
        for name in PART_NAMES
    }
    if not values["prompt"]:
        raise PromptError("the prompt is empty")
    master_salt = new_salt() if master_salt is None else master_salt
    who = _address(creator)
    commitment = PartsCommitment(b"", master_salt, values, who)
    return PartsCommitment(merkle_root(commitment.leaves()), master_salt, values, who)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first: adjacent pairs are hashed, an odd node moves up unchanged."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append(
            [
                hash_pair(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                for i in range(0, len(level), 2)
            ]
        )
    return levels


def merkle_root(leaves: list[bytes]) -> bytes:
    """Root of the sorted-pair tree over `leaves` (leaves are not re-hashed; one leaf is its own root)."""
    if not leaves:
        raise PromptError("a Merkle tree needs at least one leaf")
    return _levels(leaves)[-1][0]


def merkle_proof(leaves: list[bytes], index: int) -> list[bytes]:
    """The proof of `leaves[index]` up to `merkle_root(leaves)`, as `MerkleProof.verify` takes it."""
    proof = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index //= 2
    return proof


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin `Hashes.commutativeKeccak256`: keccak of the two nodes, smaller first."""
    return bytes(keccak(a + b if a < b else b + a))


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root `MerkleProof.processProof` reaches from `leaf` through `proof` (the leaf if empty)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify_proof(leaf: bytes, proof: Iterable[bytes], root: bytes) -> bool:
    """`MerkleProof.verify`: whether `proof` links `leaf` to `root`."""
    return process_proof(leaf, proof) == root


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
