"""Prompt commitments, computed exactly as Gen-IP does: the one home of the scheme (`genip.prompts` imports it
from here, as `genip.content.fingerprint` imports the image preparation from `genip_sdk.imaging`).

A platform certifying a creator's upload commits to the prompt that made it without publishing it, and seals
the prompt to the checker (`seal_prompt`) so the marketplace's moderation can check it privately:

    from genip_sdk.prompts import commit_prompt, seal_prompt

    committed = commit_prompt("a red fox in the snow", creator="0xAbc…")  # fresh salt
    metadata["promptCommitment"] = "0x" + committed.commitment.hex()   # goes on-chain with the work
    sealed = seal_prompt(committed, checker_key)    # {"sealed", "key_id"}: POST /platform/registrations

Every commitment names its creator and is domain-separated (contracts v2), so a commitment copied onto another
creator's certificate never opens there, and a single-prompt commitment can never pass for a Merkle node:

- **Normalise** (`normalize_prompt`): `\\n` line endings, Unicode NFC, surrounding whitespace trimmed, so a
  prompt copied between editors still verifies.
- **Commit** (`commit_prompt`): a fresh random 32-byte salt (`secrets`), and the commitment
  `keccak256(abi.encode(PROMPT_DOMAIN, creator, salt, keccak256(utf8(prompt))))` with
  `PROMPT_DOMAIN = keccak256("Gen-IP prompt commitment v2")`: exactly `GenIPRegistry.promptCommitmentFor`,
  which `verifyPrompt(assetId, creator, prompt, salt)` recomputes. The salt keeps short or guessable prompts
  from being found by hashing candidates; the creator is the certificate's creator, known when committing.
- **Structured** (`commit_parts`): a Merkle tree over the parts (prompt, negative prompt, seed, model,
  workflow), each leaf `keccak256(keccak256(abi.encode(creator, part, salt, value)))` salted with a salt
  derived from one master salt; the root is the commitment and `PartsCommitment.reveal(part)` gives what
  `verifyPromptPart(assetId, creator, part, value, salt, proof)` needs to prove one part alone. Pairs are
  hashed in sorted order, as OpenZeppelin's `MerkleProof` (`hash_pair`, `process_proof`); `merkle_root` and
  `merkle_proof` build such trees for any leaves (registration batches use them too).
- **Seal** (`seal_prompt`, `prompt_payload`): the payload the checker opens, `{"parts": {name: text},
  "salt": hex}` as sorted JSON, sealed with libsodium's `crypto_box_seal` to the checker's X25519 public key
  (`GET /prompts/checker-key`), named by its `key_id`. The API relays and stores the ciphertext; only the
  checker can open it.

Secrets (prompts, salts) never appear in a `repr` or an error message. Keccak-256 comes from pycryptodome,
sealing from PyNaCl: the `prompts` extra (`pip install genip-sdk[prompts]`). ABI encoding is written out here
(a few fixed words and two byte strings), checked against `eth_abi` in the tests.
"""

import base64
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from Crypto.Hash import keccak as _keccak

from genip_sdk.errors import PromptError

__all__ = [
    "PART_NAMES",
    "PROMPT_DOMAIN",
    "SALT_BYTES",
    "PartsCommitment",
    "PromptCommitment",
    "PromptError",
    "checker_key_id",
    "checksum_address",
    "commit_parts",
    "commit_prompt",
    "encode_payload",
    "hash_pair",
    "keccak256",
    "merkle_proof",
    "merkle_root",
    "new_salt",
    "normalize_prompt",
    "part_leaf",
    "part_salt",
    "process_proof",
    "prompt_commitment_for",
    "prompt_payload",
    "seal_prompt",
    "verify_prompt",
    "verify_proof",
]


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (not NIST SHA3-256: the padding differs)."""
    return bytes(_keccak.new(digest_bits=256, data=data).digest())


#: Length of a commitment salt (a bytes32 on-chain).
SALT_BYTES: Final = 32
#: Domain of single-prompt commitments: `keccak256("Gen-IP prompt commitment v2")` (the registry's constant).
PROMPT_DOMAIN: Final = keccak256(b"Gen-IP prompt commitment v2")
#: The parts of a structured prompt commitment, in tree order.
PART_NAMES: Final = ("prompt", "negative_prompt", "seed", "model", "workflow")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def checksum_address(creator: str) -> str:
    """`creator` in EIP-55 form; PromptError unless it is 40 hex digits (optionally `0x`) whose mixed case, if
    any, is a correct checksum (as `eth_utils.is_address` judges)."""
    if not isinstance(creator, str):
        raise PromptError(f"{str(creator)[:64]!r} is not an address")
    text = creator[2:] if creator[:2] in ("0x", "0X") else creator
    if len(text) != 40 or not set(text) <= _HEX:
        raise PromptError(f"{creator[:64]!r} is not an address")
    lower = text.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    checksummed = "".join(ch.upper() if int(digest[i], 16) >= 8 else ch for i, ch in enumerate(lower))
    if text != lower and text != text.upper() and text != checksummed:
        raise PromptError(f"{creator[:64]!r} is not an address: its EIP-55 checksum is wrong")
    return "0x" + checksummed


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _padded(data: bytes) -> bytes:
    """`bytes`/`string` in ABI encoding's tail: length word, then the data right-padded to 32 bytes."""
    return _word(len(data)) + data + b"\0" * (-len(data) % 32)


def _address_word(creator: str) -> bytes:
    return b"\0" * 12 + bytes.fromhex(checksum_address(creator)[2:])


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


def _check_salt(salt: bytes) -> None:
    if len(salt) != SALT_BYTES:
        raise PromptError(f"a salt has {SALT_BYTES} bytes, not {len(salt)}")


def prompt_commitment_for(creator: str, prompt: str | bytes, salt: bytes) -> bytes:
    """`GenIPRegistry.promptCommitmentFor(creator, prompt, salt)`: `keccak256(abi.encode(PROMPT_DOMAIN,
    creator, salt, keccak256(prompt)))` (text as UTF-8, bytes as given; text is not normalised here)."""
    _check_salt(salt)
    data = prompt.encode("utf-8") if isinstance(prompt, str) else prompt
    return keccak256(PROMPT_DOMAIN + _address_word(creator) + bytes(salt) + keccak256(data))


def commit_prompt(
    prompt: str, salt: bytes | None = None, *, creator: str, allow_empty: bool = False
) -> PromptCommitment:
    """Normalise `prompt` and commit to it for `creator` with `salt` (a fresh one when `None`). An empty
    prompt is refused unless `allow_empty` (works that claim no prompt commit to the empty one)."""
    text = normalize_prompt(prompt)
    if not text and not allow_empty:
        raise PromptError("the prompt is empty")
    salt = new_salt() if salt is None else salt
    who = checksum_address(creator)
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
    name = part.encode("utf-8")
    tail_part = _padded(name)
    head = _address_word(creator) + _word(4 * 32) + bytes(salt) + _word(4 * 32 + len(tail_part))
    return keccak256(keccak256(head + tail_part + _padded(bytes(value))))


def part_salt(master_salt: bytes, part: str) -> bytes:
    """The salt of one part, derived from the creator's master salt: revealing a part (and its salt) tells
    nothing about the master salt, hence nothing about the other parts."""
    if len(master_salt) != SALT_BYTES:
        raise PromptError(f"a salt has {SALT_BYTES} bytes, not {len(master_salt)}")
    return keccak256(bytes(master_salt) + part.encode("utf-8"))


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
    def salt(self) -> bytes:
        """The master salt (what a submission to the checker carries as its `salt`)."""
        return self.master_salt

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
        proof = merkle_proof(self.leaves(), PART_NAMES.index(part))
        return self.values[part], part_salt(self.master_salt, part), proof

    def leaves(self) -> list[bytes]:
        """The tree's leaves in `PART_NAMES` order."""
        return [
            part_leaf(name, self.values[name], part_salt(self.master_salt, name), creator=self.creator)
            for name in PART_NAMES
        ]


def commit_parts(
    parts: Mapping[str, str | bytes], master_salt: bytes | None = None, *, creator: str
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
    who = checksum_address(creator)
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
    return keccak256(a + b if a < b else b + a)


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root `MerkleProof.processProof` reaches from `leaf` through `proof` (the leaf if empty)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify_proof(leaf: bytes, proof: Iterable[bytes], root: bytes) -> bool:
    """`MerkleProof.verify`: whether `proof` links `leaf` to `root`."""
    return process_proof(leaf, proof) == root


# ─────────────────────────────── sealing to the checker ───────────────────────────────


def _checker_key_bytes(public_key: str | bytes) -> bytes:
    if isinstance(public_key, bytes):
        raw = public_key
    else:
        try:
            raw = bytes.fromhex(public_key.strip().removeprefix("0x"))
        except ValueError:
            raise PromptError("the checker's public key is 32 bytes as 64 hex characters") from None
    if len(raw) != 32:
        raise PromptError("the checker's public key is 32 bytes as 64 hex characters")
    return raw


def checker_key_id(public_key: str | bytes) -> str:
    """The id the API names a checker key by (`GET /prompts/checker-key`'s `key_id`)."""
    return hashlib.sha256(b"genip-checker-key" + _checker_key_bytes(public_key)).hexdigest()[:16]


def encode_payload(parts: Mapping[str, str], salt: bytes) -> bytes:
    """The bytes the checker opens: `{"parts": {name: text}, "salt": hex}` as sorted JSON (the one writer of
    the format; `genip.checker.submissions.PromptPayload` reads it)."""
    return json.dumps({"parts": dict(parts), "salt": salt.hex()}, sort_keys=True).encode()


def prompt_payload(commitment: PromptCommitment | PartsCommitment) -> bytes:
    """What the checker opens (`encode_payload`): the non-empty parts of a parts commitment with its master
    salt, or `{"prompt": …}` with the salt of a single one."""
    parts = commitment.texts() if isinstance(commitment, PartsCommitment) else {"prompt": commitment.prompt}
    return encode_payload(parts, commitment.salt)


def seal_prompt(
    commitment: PromptCommitment | PartsCommitment, checker_key: str | bytes | Mapping[str, Any]
) -> dict[str, str]:
    """`{"sealed": base64, "key_id": …}`: the prompt (and salt) of `commitment` sealed to the checker's public
    key — a `GET /prompts/checker-key` answer, or its `public_key` — with libsodium's sealed box. Put it in a
    registration's `prompt` (`POST /platform/registrations`); the API cannot open it."""
    from nacl.public import PublicKey, SealedBox

    if isinstance(checker_key, Mapping):
        checker_key = str(checker_key["public_key"])
    raw = _checker_key_bytes(checker_key)
    sealed = SealedBox(PublicKey(raw)).encrypt(prompt_payload(commitment))
    return {"sealed": base64.b64encode(bytes(sealed)).decode(), "key_id": checker_key_id(raw)}
