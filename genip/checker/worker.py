"""The checker process: the only holder of the checker's keys (the private key prompts are sealed to, and the
account with the registry's `CHECKER_ROLE` that attests).

`Checker.run_once()` takes pending submissions, opens them, checks that they reproduce the certificate's
commitment (else the submission is `rejected`, with the reason, and the creator may submit again), runs the
policy on the positive prompt and, for a clear pass or fail, attests the outcome on-chain with the report's
hash (`attestPromptCheck`). Outcomes that need a human go to the review queue; `Checker.decide()` records a
reviewer's decision and attests it the same way. The API never holds either key and never sends transactions.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount

from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from genip.checker.policy import Outcome, Policy, PolicyResult, default_policy
from genip.checker.sealing import CheckerKey, SealError
from genip.checker.submissions import SubmissionError, SubmissionStore, build_report, report_hash
from genip.db.models import PromptSubmission
from genip.errors import GenIPError
from genip.prompts import PromptError

__all__ = ["CheckResult", "Checker", "MissingRoleError"]

_ON_CHAIN = {Outcome.PASS: CheckOutcome.PASSED, Outcome.FAIL: CheckOutcome.FAILED}


class MissingRoleError(GenIPError):
    """The checker's account lacks the registry's CHECKER_ROLE: its attestations would revert."""


@dataclass(frozen=True)
class CheckResult:
    submission_id: int
    asset_id: int
    outcome: Outcome | None  # None: rejected (the payload did not open or did not match the commitment)
    attested: bool
    tx_hash: str | None
    rejected: str | None = None


class Checker:
    def __init__(
        self,
        store: SubmissionStore,
        client: GenIPClient,
        account: LocalAccount,
        key: CheckerKey,
        policy: Policy | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.account = account
        self.key = key
        self.policy = policy or default_policy()
        self.chain_id = client.deployment.chain_id

    def require_role(self) -> None:
        """MissingRoleError unless the account may attest (checked once at start, not per submission)."""
        registry = self.client.registry.functions
        if not registry.hasRole(registry.CHECKER_ROLE().call(), self.account.address).call():
            raise MissingRoleError(
                f"{self.account.address} does not hold the registry's CHECKER_ROLE: the admin grants it "
                "(grantRole(CHECKER_ROLE, account))"
            )

    def run_once(self, limit: int = 50) -> list[CheckResult]:
        """Checks up to `limit` pending submissions of this chain."""
        results = []
        for row in self.store.with_status("pending", limit=limit):
            if row.chain_id != self.chain_id:
                continue
            try:
                payload = self.store.open(row, self.key)
                commitment = bytes.fromhex(row.commitment.removeprefix("0x"))
                scheme = payload.scheme_for(commitment, creator=row.creator)
            except (SealError, SubmissionError, PromptError) as exc:
                reason = str(exc)
                self.store.record(
                    row.id, status="rejected", report={"rejected": reason}, checked_at=datetime.now(UTC)
                )
                results.append(CheckResult(row.id, row.asset_id, None, False, None, rejected=reason))
                continue
            self.store.record(row.id, scheme=scheme)
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
        checked = row.report or {}
        version = checked.get("policy_version")
        fired = PolicyResult(outcome, (), version if isinstance(version, int) else None)
        report = build_report(row.chain_id, row.asset_id, row.commitment, fired, reviewer=reviewer)
        report["rules"] = checked.get("rules", [])
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
