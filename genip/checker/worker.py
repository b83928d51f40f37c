"""The checker process: the only holder of the checker key.

`Checker.run_once()` takes pending submissions, opens them, runs the policy on the positive prompt and, for a
clear pass or fail, attests the outcome on-chain with the report's hash (`attestPromptCheck`). Outcomes that
need a human go to the review queue; `Checker.decide()` records a reviewer's decision and attests it the same
way. The API never holds this key and never sends transactions.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount

from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from genip.checker.policy import Outcome, Policy, PolicyResult, default_policy
from genip.checker.submissions import SubmissionError, SubmissionStore, build_report, report_hash
from genip.db.models import PromptSubmission

__all__ = ["CheckResult", "Checker"]

_ON_CHAIN = {Outcome.PASS: CheckOutcome.PASSED, Outcome.FAIL: CheckOutcome.FAILED}


@dataclass(frozen=True)
class CheckResult:
    submission_id: int
    asset_id: int
    outcome: Outcome
    attested: bool
    tx_hash: str | None


class Checker:
    def __init__(
        self, store: SubmissionStore, client: GenIPClient, account: LocalAccount, policy: Policy | None = None
    ) -> None:
        self.store = store
        self.client = client
        self.account = account
        self.policy = policy or default_policy()
        self.chain_id = client.deployment.chain_id

    def run_once(self, limit: int = 50) -> list[CheckResult]:
        """Checks up to `limit` pending submissions of this chain."""
        results = []
        for row in self.store.with_status("pending", limit=limit):
            if row.chain_id != self.chain_id:
                continue
            payload = self.store.open(row)
            result = self.policy.check(payload.prompt, payload.negative_prompt)
            report = build_report(row.chain_id, row.asset_id, row.commitment, result)
            now = datetime.now(UTC)
            self.store.record(row.id, outcome=result.outcome.value, report=report, checked_at=now)
            if result.outcome == Outcome.NEEDS_REVIEW:
                self.store.record(row.id, status="needs_review", report_hash="0x" + report_hash(report).hex())
                results.append(CheckResult(row.id, row.asset_id, result.outcome, False, None))
                continue
            results.append(self._attest(row, result.outcome, report))
        return results

    def review_queue(self) -> list[PromptSubmission]:
        return [r for r in self.store.with_status("needs_review", limit=1000) if r.chain_id == self.chain_id]

    def decide(self, submission_id: int, outcome: Outcome, reviewer: str) -> CheckResult:
        """Records a reviewer's decision on a queued submission and attests it."""
        if outcome == Outcome.NEEDS_REVIEW:
            raise SubmissionError("a review decides: pass or fail")
        row = next((r for r in self.review_queue() if r.id == submission_id), None)
        if row is None:
            raise SubmissionError(f"submission {submission_id} is not waiting for review")
        fired = PolicyResult(outcome, ())
        report = build_report(row.chain_id, row.asset_id, row.commitment, fired, reviewer=reviewer)
        report["rules"] = (row.report or {}).get("rules", [])
        self.store.record(row.id, outcome=outcome.value, report=report, reviewed_by=reviewer)
        return self._attest(row, outcome, report)

    def _attest(self, row: PromptSubmission, outcome: Outcome, report: dict[str, object]) -> CheckResult:
        digest = report_hash(report)
        call = self.client.registry.functions.attestPromptCheck(row.asset_id, _ON_CHAIN[outcome], digest)
        receipt = send(self.client.w3, self.account, call, action="attestPromptCheck")
        tx_hash = receipt["transactionHash"].to_0x_hex()
        self.store.record(
            row.id,
            status="attested",
            report_hash="0x" + digest.hex(),
            attest_tx=tx_hash,
            attested_at=datetime.now(UTC),
        )
        return CheckResult(row.id, row.asset_id, outcome, True, tx_hash)
