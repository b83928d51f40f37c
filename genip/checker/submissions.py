"""Private prompt submissions: checked against the on-chain commitment, sealed, stored, and later reported.

A submission carries the prompt's parts (prompt, negative prompt, seed, model, workflow) and the master salt
of a structured commitment (`genip.prompts.commit_parts`), or a single prompt and its salt for a simple
commitment (`promptCommitmentFor(creator, prompt, salt)`). Both schemes bind the certificate's creator, so the
check needs it: a prompt copied from another creator's vault never reproduces this certificate's commitment.
It is accepted only if it reproduces the certificate's commitment exactly;
then its plaintext is sealed (`sealing.Sealer`) and only the ciphertext is stored.

Reports name the policy rules that fired (ids and the protected names from the policy file), never any text
of the prompt; their keccak hash is what the checker attests on-chain.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eth_hash.auto import keccak
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from genip.checker.policy import PolicyResult
from genip.checker.sealing import Sealed, Sealer
from genip.db.models import PromptSubmission
from genip.errors import GenIPError
from genip.prompts import PART_NAMES, commit_parts, normalize_prompt, prompt_commitment_for

__all__ = [
    "PromptPayload",
    "SubmissionError",
    "SubmissionStore",
    "build_report",
    "report_hash",
]


class SubmissionError(GenIPError):
    """A submission was refused: it does not match the commitment, or the asset already has one."""


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
        return json.dumps({"parts": self.parts, "salt": self.salt.hex()}, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "PromptPayload":
        raw = json.loads(data)
        return cls(dict(raw["parts"]), bytes.fromhex(raw["salt"]))


def _context(chain_id: int, asset_id: int, commitment: str) -> bytes:
    return f"genip-prompt:{chain_id}:{asset_id}:{commitment.lower()}".encode()


def build_report(
    chain_id: int, asset_id: int, commitment: str, result: PolicyResult, *, reviewer: str | None = None
) -> dict[str, Any]:
    """The check report: outcome and the rules that fired, without any prompt text."""
    return {
        "chain_id": chain_id,
        "asset_id": asset_id,
        "commitment": commitment,
        "outcome": result.outcome.value,
        "rules": [
            {"rule": h.rule, "category": h.category, "outcome": h.outcome.value, "name": h.name}
            for h in result.hits
        ],
        "reviewer": reviewer,
    }


def report_hash(report: dict[str, Any]) -> bytes:
    """keccak256 of the report's canonical JSON: what the checker attests on-chain."""
    return bytes(keccak(json.dumps(report, sort_keys=True, separators=(",", ":")).encode()))


class SubmissionStore:
    """The `prompt_submissions` table, sealing on the way in and opening on the way out."""

    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self.engine = engine
        self.sealer = sealer

    def submit(
        self, *, chain_id: int, asset_id: int, creator: str, commitment: str, payload: PromptPayload
    ) -> int:
        """Stores a matching submission sealed; returns its id. One submission per asset."""
        scheme = payload.scheme_for(bytes.fromhex(commitment.removeprefix("0x")), creator=creator)
        sealed = self.sealer.seal(payload.to_bytes(), _context(chain_id, asset_id, commitment))
        row = PromptSubmission(
            chain_id=chain_id,
            asset_id=asset_id,
            creator=creator,
            commitment=commitment.lower(),
            scheme=scheme,
            key_id=sealed.key_id,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            status="pending",
            submitted_at=datetime.now(UTC),
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            raise SubmissionError(f"asset {asset_id} already has a prompt submission") from None

    def open(self, row: PromptSubmission) -> PromptPayload:
        sealed = Sealed(row.key_id, row.nonce, row.ciphertext)
        return PromptPayload.from_bytes(
            self.sealer.open(sealed, _context(row.chain_id, row.asset_id, row.commitment))
        )

    def get(self, chain_id: int, asset_id: int) -> PromptSubmission | None:
        with Session(self.engine) as session:
            return session.execute(
                select(PromptSubmission).where(
                    PromptSubmission.chain_id == chain_id, PromptSubmission.asset_id == asset_id
                )
            ).scalar_one_or_none()

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
