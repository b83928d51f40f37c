"""Human review of prompt checks: the reviewer sees the prompt, decides with a reason, every step is logged.

Only the checker process can open a sealed prompt, so review happens there (`genip checker review …` and the
local page of `genip checker review serve`), for accounts holding the registry's `CHECKER_ROLE`, checked on
chain. A *view* opens one submission and shows its prompt, negative prompt and other parts, the rules that
fired (name hits with the words that matched, semantic hits with the descriptor and score), the protected
items it came near without firing (semantic scores from `NEAR_FLOOR` up to the review threshold), and the
current outcome. A *decision* is pass or fail with a mandatory reason; the reason goes into the report whose
keccak hash is attested on-chain, so it must not quote the prompt (`check_reason`): the report is published
and the database must never hold prompt text.

The review log (`review_log`, append-only by trigger) records every view and every decision: submission,
chain, asset, reviewer address, action, outcome, reason, time — never the prompt.
"""

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from genip.checker.folding import fold
from genip.checker.policy import Policy, PolicyResult
from genip.checker.submissions import PromptPayload
from genip.db.models import PromptSubmission, ReviewLog
from genip.errors import GenIPError

__all__ = [
    "MAX_REASON",
    "NEAR_FLOOR",
    "QUOTE_WORDS",
    "ReviewError",
    "ReviewLogStore",
    "SubmissionView",
    "check_reason",
    "log_entry_json",
    "near_items",
]

#: Longest reason accepted (characters).
MAX_REASON: Final = 1000
#: Consecutive prompt words a reason may not repeat (or the whole prompt, when it is shorter).
QUOTE_WORDS: Final = 4
#: Semantic scores from here up to the review threshold are shown as "came near" (never logged).
NEAR_FLOOR: Final = 0.5


class ReviewError(GenIPError):
    """A review action was refused: no reason, a reason quoting the prompt, or nothing to review."""


def check_reason(reason: str | None, payload: PromptPayload) -> str:
    """The trimmed reason; ReviewError when it is missing, too long, or quotes the prompt or the negative
    prompt (`QUOTE_WORDS` consecutive words, or the whole of a shorter one). The error never repeats the
    quoted words."""
    text = (reason or "").strip()
    if not text:
        raise ReviewError("a decision needs a reason (--reason TEXT), in your own words")
    if len(text) > MAX_REASON:
        raise ReviewError(f"the reason is {len(text)} characters; at most {MAX_REASON}")
    said = fold(text)
    joined = " " + " ".join(said) + " "
    for part in (payload.prompt, payload.negative_prompt):
        words = fold(part)
        if not words:
            continue
        n = min(QUOTE_WORDS, len(words))
        for start in range(len(words) - n + 1):
            if " " + " ".join(words[start : start + n]) + " " in joined:
                raise ReviewError(
                    "the reason quotes the prompt: it is published in the report and kept in the log, "
                    "where no prompt text may go; name the rule or describe the use instead"
                )
    return text


def near_items(policy: Policy, prompt: str, fired: PolicyResult) -> list[dict[str, Any]]:
    """Protected items the prompt came near without firing: the best descriptor of each rule scoring from
    `NEAR_FLOOR` up to the semantic threshold, best first (none when the policy has no descriptors)."""
    if not any(rule.descriptors for rule in policy.rules):
        return []
    model = policy.model
    lowered = copy.copy(model)
    lowered.threshold = NEAR_FLOOR
    hit = {h.rule for h in fired.hits}
    by_id = {rule.id: rule for rule in policy.rules}
    out = []
    for s in lowered.score(fold(prompt)):
        rule = by_id.get(s.rule)
        if rule is None or rule.id in hit or s.score >= model.threshold:
            continue
        out.append(
            {
                "rule": rule.id,
                "kind": "semantic",
                "category": rule.category,
                "name": rule.names[0] if rule.names else rule.id,
                "descriptor": s.descriptor,
                "score": s.score,
                "matched": s.matched,
                "threshold": model.threshold,
            }
        )
    return out


@dataclass(frozen=True)
class SubmissionView:
    """What a reviewer sees of one submission (held in memory only: it carries the prompt)."""

    row: PromptSubmission = field(repr=False)
    payload: PromptPayload = field(repr=False)
    result: PolicyResult = field(repr=False)
    near: list[dict[str, Any]] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        row, report = self.row, self.row.report or {}
        recorded = [{"kind": "name", **r} for r in report.get("rules", [])]
        return {
            "submission": row.id,
            "chain_id": row.chain_id,
            "asset": row.asset_id,
            "creator": row.creator,
            "commitment": row.commitment,
            "status": row.status,
            "outcome": row.outcome,
            "prompt": self.payload.prompt,
            "negative_prompt": self.payload.negative_prompt,
            "parts": {k: v for k, v in self.payload.parts.items() if k not in ("prompt", "negative_prompt")},
            "policy_version": self.result.policy_version,
            "policy_outcome": self.result.outcome.value,
            "hits": [h.to_json() for h in self.result.hits],
            "near": self.near,
            "report": {
                "policy_version": report.get("policy_version"),
                "rules": recorded,
                "reviewer": report.get("reviewer"),
                "reason": report.get("reason"),
                "hash": row.report_hash,
            },
            "attest_tx": row.attest_tx,
            "reviewed_by": row.reviewed_by,
        }


def log_entry_json(entry: ReviewLog) -> dict[str, Any]:
    return {
        "id": entry.id,
        "submission": entry.submission_id,
        "chain_id": entry.chain_id,
        "asset": entry.asset_id,
        "reviewer": entry.reviewer,
        "action": entry.action,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "at": entry.at.isoformat(),
    }


class ReviewLogStore:
    """The append-only `review_log` table: rows go in, never change."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(
        self,
        row: PromptSubmission,
        *,
        reviewer: str,
        action: str,
        outcome: str | None,
        reason: str | None = None,
    ) -> None:
        with self.engine.begin() as c:
            c.execute(
                insert(ReviewLog).values(
                    submission_id=row.id,
                    chain_id=row.chain_id,
                    asset_id=row.asset_id,
                    reviewer=reviewer,
                    action=action,
                    outcome=outcome,
                    reason=reason,
                    at=datetime.now(UTC),
                )
            )

    def entries(
        self, *, chain_id: int | None = None, submission_id: int | None = None, limit: int = 1000
    ) -> list[ReviewLog]:
        """The newest `limit` entries, oldest first."""
        query = select(ReviewLog).order_by(ReviewLog.id.desc()).limit(limit)
        if chain_id is not None:
            query = query.where(ReviewLog.chain_id == chain_id)
        if submission_id is not None:
            query = query.where(ReviewLog.submission_id == submission_id)
        with Session(self.engine) as session:
            return list(reversed(session.execute(query).scalars().all()))
