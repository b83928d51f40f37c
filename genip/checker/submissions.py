"""Private prompt submissions: checked against the on-chain commitment, sealed, stored, and later reported.

A submission carries the prompt's parts (prompt, negative prompt, seed, model, workflow) and the master salt
of a structured commitment (`genip.prompts.commit_parts`), or a single prompt and its salt for a simple
commitment (`promptCommitmentFor(creator, prompt, salt)`), as JSON (`PromptPayload.to_bytes`) sealed by the
creator to the checker's public key (`sealing`). The creator signs keccak256 of the sealed bytes (EIP-712
`PromptSubmission`), so the API can check who sent which ciphertext for which commitment — and nothing else:
it stores the ciphertext and cannot open it. The checker opens it and checks that it reproduces the
certificate's commitment for its creator (both schemes bind the creator: a prompt copied from another
creator's vault never reproduces this certificate's commitment); one that does not is `rejected`, and the
creator may submit again.

Reports name the policy rules that fired (ids and the protected names from the policy file), never any text
of the prompt; their keccak hash is what the checker attests on-chain.
"""

import base64
import binascii
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from genip_sdk.prompts import encode_payload
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from genip.checker.auth import recover, submission_typed_data
from genip.checker.policy import PolicyResult
from genip.checker.sealing import SEAL_OVERHEAD, CheckerKey, CheckerPublicKey, SealError
from genip.db.models import PromptSubmission
from genip.errors import GenIPError
from genip.prompts import PART_NAMES, commit_parts, normalize_prompt, prompt_commitment_for

__all__ = [
    "MAX_SEALED",
    "PromptPayload",
    "SealedSubmission",
    "SubmissionError",
    "SubmissionExists",
    "SubmissionStore",
    "build_report",
    "report_hash",
    "seal_submission",
]

#: Largest sealed payload accepted (bytes): five parts of at most 64 KiB each, JSON-escaped, and the box.
MAX_SEALED: Final = 512 * 1024


class SubmissionError(GenIPError):
    """A submission was refused: malformed, sealed to another key, or not matching the commitment."""


class SubmissionExists(SubmissionError):
    """The asset already has a submission that is not rejected."""


@dataclass(frozen=True)
class PromptPayload:
    """What a creator submits; `parts` maps part names to text (the workflow as canonical JSON text)."""

    parts: dict[str, str] = field(repr=False)
    salt: bytes = field(repr=False)  # the master salt (parts) or the salt (single)

    @property
    def prompt(self) -> str:
        return self.parts.get("prompt", "")

    @property
    def negative_prompt(self) -> str:
        return self.parts.get("negative_prompt", "")

    def scheme_for(self, commitment: bytes, *, creator: str) -> str:
        """ "parts" or "single" — whichever reproduces `creator`'s `commitment`; SubmissionError when neither
        does."""
        unknown = set(self.parts) - set(PART_NAMES)
        if unknown:
            raise SubmissionError(f"unknown prompt parts: {', '.join(sorted(unknown))}")
        if len(self.salt) != 32:
            raise SubmissionError("the salt must be 32 bytes")
        if commit_parts(dict(self.parts), self.salt, creator=creator).root == commitment:
            return "parts"
        if (
            set(self.parts) == {"prompt"}
            and prompt_commitment_for(creator, normalize_prompt(self.prompt), self.salt) == commitment
        ):
            return "single"
        raise SubmissionError("the submitted prompt does not match the certificate's prompt commitment")

    def to_bytes(self) -> bytes:
        return encode_payload(self.parts, self.salt)

    @classmethod
    def from_bytes(cls, data: bytes) -> "PromptPayload":
        """SubmissionError (naming no text) unless `data` is `{"parts": {name: text}, "salt": hex}` (the salt
        with or without `0x`: the web page writes it with)."""
        try:
            raw = json.loads(data)
            parts = raw["parts"]
            if not isinstance(parts, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in parts.items()
            ):
                raise TypeError
            return cls(dict(parts), bytes.fromhex(raw["salt"].removeprefix("0x")))
        except (ValueError, TypeError, KeyError):
            raise SubmissionError("the sealed payload is not a prompt submission") from None


@dataclass(frozen=True)
class SealedSubmission:
    """What travels to the API: the sealed payload (base64), the key it is sealed to, the creator's
    signature over keccak256 of the sealed bytes and its deadline."""

    sealed: str = field(repr=False)
    key_id: str
    deadline: int
    signature: str

    def body(self) -> dict[str, Any]:
        return {
            "sealed": self.sealed,
            "key_id": self.key_id,
            "deadline": self.deadline,
            "signature": self.signature,
        }


def seal_submission(
    payload: PromptPayload,
    key: CheckerPublicKey,
    *,
    chain_id: int,
    asset_id: int,
    commitment: bytes,
    creator: LocalAccount,
    validity: int = 600,
) -> SealedSubmission:
    """Seals `payload` to the checker's `key` and signs the ciphertext as the certificate's creator."""
    sealed = key.seal(payload.to_bytes())
    deadline = int(time.time()) + validity
    typed = submission_typed_data(chain_id, asset_id, commitment, bytes(keccak(sealed)), deadline)
    signature = bytes(creator.sign_message(encode_typed_data(full_message=typed)).signature)
    return SealedSubmission(base64.b64encode(sealed).decode(), key.key_id, deadline, "0x" + signature.hex())


def decode_sealed(text: str) -> bytes:
    """The sealed bytes of a submission's base64; SubmissionError when malformed or out of bounds."""
    try:
        sealed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SubmissionError("`sealed` is not base64") from None
    if not SEAL_OVERHEAD < len(sealed) <= MAX_SEALED:
        raise SubmissionError(f"`sealed` must hold {SEAL_OVERHEAD + 1} to {MAX_SEALED} bytes")
    return sealed


def build_report(
    chain_id: int, asset_id: int, commitment: str, result: PolicyResult, *, reviewer: str | None = None
) -> dict[str, Any]:
    """The check report: outcome, the policy version that decided it and the rules that fired (look-alike hits
    marked `"kind": "lookalike"`, semantic hits with the policy's descriptor and their score; a plain name hit
    carries no kind), without any prompt text."""
    rules: list[dict[str, Any]] = []
    for h in result.hits:
        rule: dict[str, Any] = {
            "rule": h.rule,
            "category": h.category,
            "outcome": h.outcome.value,
            "name": h.name,
        }
        if h.kind == "semantic":
            rule |= {"kind": h.kind, "descriptor": h.descriptor, "score": h.score}
        elif h.kind == "lookalike":
            rule["kind"] = h.kind
        rules.append(rule)
    return {
        "chain_id": chain_id,
        "asset_id": asset_id,
        "commitment": commitment,
        "outcome": result.outcome.value,
        "policy_version": result.policy_version,
        "rules": rules,
        "reviewer": reviewer,
    }


def report_hash(report: dict[str, Any]) -> bytes:
    """keccak256 of the report's canonical JSON: what the checker attests on-chain."""
    return bytes(keccak(json.dumps(report, sort_keys=True, separators=(",", ":")).encode()))


class SubmissionStore:
    """The `prompt_submissions` table: sealed payloads in, the checker's records out."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def accept(
        self,
        submission: SealedSubmission,
        key: CheckerPublicKey,
        *,
        chain_id: int,
        asset_id: int,
        creator: str,
        commitment: str,
    ) -> int:
        """Stores a sealed submission signed by the asset's `creator` (AuthError otherwise) and sealed to the
        checker's current `key`; returns its id. The payload stays unread: only the checker can open it."""
        sealed = decode_sealed(submission.sealed)
        typed = submission_typed_data(
            chain_id,
            asset_id,
            bytes.fromhex(commitment.removeprefix("0x")),
            bytes(keccak(sealed)),
            submission.deadline,
        )
        recover(typed, submission.signature, expected=creator)
        if submission.key_id != key.key_id:
            raise SubmissionError(
                f"sealed to checker key {submission.key_id[:16]!r}; the checker's key is {key.key_id} "
                "(GET /prompts/checker-key)"
            )
        return self.submit(
            chain_id=chain_id,
            asset_id=asset_id,
            creator=creator,
            commitment=commitment,
            sealed=sealed,
            key_id=key.key_id,
        )

    def submit(
        self, *, chain_id: int, asset_id: int, creator: str, commitment: str, sealed: bytes, key_id: str
    ) -> int:
        """Stores a sealed submission as pending; returns its id. One per asset, unless the one there was
        rejected (then it is replaced)."""
        values: dict[str, Any] = {
            "creator": creator,
            "commitment": commitment.lower(),
            "scheme": None,
            "key_id": key_id,
            "nonce": None,
            "ciphertext": base64.b64encode(sealed).decode(),
            "status": "pending",
            "outcome": None,
            "report": None,
            "report_hash": None,
            "reviewed_by": None,
            "attest_tx": None,
            "submitted_at": datetime.now(UTC),
            "checked_at": None,
            "attested_at": None,
        }
        try:
            with Session(self.engine) as session, session.begin():
                row = session.execute(
                    select(PromptSubmission)
                    .where(PromptSubmission.chain_id == chain_id, PromptSubmission.asset_id == asset_id)
                    .with_for_update()
                ).scalar_one_or_none()
                if row is not None and row.status != "rejected":
                    raise SubmissionExists(f"asset {asset_id} already has a prompt submission")
                if row is None:
                    row = PromptSubmission(chain_id=chain_id, asset_id=asset_id, **values)
                    session.add(row)
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                session.flush()
                return row.id
        except IntegrityError:
            raise SubmissionExists(f"asset {asset_id} already has a prompt submission") from None

    @staticmethod
    def open(row: PromptSubmission, key: CheckerKey) -> PromptPayload:
        """The payload of `row`, opened with the checker's private key; SealError or SubmissionError."""
        try:
            sealed = base64.b64decode(row.ciphertext, validate=True)
        except (binascii.Error, ValueError):
            raise SealError("the stored ciphertext is not base64") from None
        return PromptPayload.from_bytes(key.open(sealed, row.key_id))

    def get(self, chain_id: int, asset_id: int) -> PromptSubmission | None:
        with Session(self.engine) as session:
            return session.execute(
                select(PromptSubmission).where(
                    PromptSubmission.chain_id == chain_id, PromptSubmission.asset_id == asset_id
                )
            ).scalar_one_or_none()

    def by_id(self, submission_id: int) -> PromptSubmission | None:
        with Session(self.engine) as session:
            return session.get(PromptSubmission, submission_id)

    def with_status(self, status: str, *, limit: int = 100) -> list[PromptSubmission]:
        with Session(self.engine) as session:
            return list(
                session.execute(
                    select(PromptSubmission)
                    .where(PromptSubmission.status == status)
                    .order_by(PromptSubmission.id)
                    .limit(limit)
                ).scalars()
            )

    def record(self, submission_id: int, **values: Any) -> None:
        with self.engine.begin() as c:
            c.execute(update(PromptSubmission).where(PromptSubmission.id == submission_id).values(**values))
