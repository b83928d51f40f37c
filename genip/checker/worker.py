"""The checker process: the only holder of the checker's keys (the private key prompts are sealed to, and the
account with the registry's `CHECKER_ROLE` that attests).

`Checker.run_once()` takes pending submissions, opens them, checks that they reproduce the certificate's
commitment (else the submission is `rejected`, with the reason, and the creator may submit again), runs the
policy on the positive prompt and, for a clear pass or fail, attests the outcome on-chain with the report's
hash (`attestPromptCheck`). Outcomes that need a human go to the review queue: `Checker.view()` opens one
for a reviewer and `Checker.decide()` records a reviewer's decision with its reason and attests it the same
way; both are for accounts holding `CHECKER_ROLE` and both are logged (`genip.checker.review`). The API never
holds either key and never sends transactions.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount

from genip.chain.client import GenIPClient
from genip.chain.tx import send
from genip.chain.types import CheckOutcome
from genip.checker.policy import Outcome, Policy, PolicyResult, default_policy
from genip.checker.review import ReviewError, ReviewLogStore, SubmissionView, check_reason, near_items
from genip.checker.sealing import CheckerKey, SealError
from genip.checker.submissions import SubmissionError, SubmissionStore, build_report, report_hash
from genip.db.models import PromptSubmission
from genip.errors import GenIPError, TransactionFailedError
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
        self.log = ReviewLogStore(store.engine)

    def has_role(self, address: str) -> bool:
        """Whether `address` holds the registry's CHECKER_ROLE now (read from the chain)."""
        registry = self.client.registry.functions
        return bool(registry.hasRole(registry.CHECKER_ROLE().call(), address).call())

    def require_role(self, address: str | None = None) -> None:
        """MissingRoleError unless `address` (default: the checker's account) holds CHECKER_ROLE: the
        account may attest, the reviewer may see prompts."""
        address = address or self.account.address
        if not self.has_role(address):
            raise MissingRoleError(
                f"{address} does not hold the registry's CHECKER_ROLE: the admin grants it "
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

    def _submission(self, submission_id: int) -> PromptSubmission:
        row = self.store.by_id(submission_id)
        if row is None or row.chain_id != self.chain_id:
            raise ReviewError(f"no prompt submission {submission_id} on chain {self.chain_id}")
        return row

    def view(self, submission_id: int, reviewer: str) -> SubmissionView:
        """Opens a submission for `reviewer` (who must hold CHECKER_ROLE): its prompt, the policy's hits and
        near items, and its outcome. The view is logged (without the prompt)."""
        self.require_role(reviewer)
        row = self._submission(submission_id)
        if row.status == "rejected":
            raise ReviewError(
                f"submission {submission_id} was rejected: {(row.report or {}).get('rejected')}"
            )
        payload = self.store.open(row, self.key)
        result = self.policy.check(payload.prompt, payload.negative_prompt)
        view = SubmissionView(row, payload, result, near_items(self.policy, payload.prompt, result))
        self.log.append(row, reviewer=reviewer, action="view", outcome=row.outcome)
        return view

    def decide(self, submission_id: int, outcome: Outcome, reviewer: str, reason: str) -> CheckResult:
        """Records `reviewer`'s decision (who must hold CHECKER_ROLE) on a queued submission, with its reason
        (kept in the report whose hash is attested; it may not quote the prompt), attests it and logs it."""
        if outcome == Outcome.NEEDS_REVIEW:
            raise SubmissionError("a review decides: pass or fail")
        if not (reason or "").strip():
            raise ReviewError("a decision needs a reason (--reason TEXT), in your own words")
        self.require_role(reviewer)
        row = next((r for r in self.review_queue() if r.id == submission_id), None)
        if row is None:
            raise ReviewError(f"submission {submission_id} is not waiting for review")
        reason = check_reason(reason, self.store.open(row, self.key))
        checked = row.report or {}
        version = checked.get("policy_version")
        fired = PolicyResult(outcome, (), version if isinstance(version, int) else None)
        report = build_report(row.chain_id, row.asset_id, row.commitment, fired, reviewer=reviewer)
        report["rules"] = checked.get("rules", [])
        report["reason"] = reason
        self.store.record(row.id, outcome=outcome.value, report=report, reviewed_by=reviewer)
        result = self._attest(row, outcome, report)
        self.log.append(row, reviewer=reviewer, action="decide", outcome=outcome.value, reason=reason)
        return result

    def _attest(self, row: PromptSubmission, outcome: Outcome, report: dict[str, object]) -> CheckResult:
        """Attests `outcome` on-chain. A pass the registry refuses because an ancestor's check failed
        (`AncestorCheckFailed`) goes to the review queue with that reason instead: a reviewer decides."""
        digest = report_hash(report)
        call = self.client.registry.functions.attestPromptCheck(row.asset_id, _ON_CHAIN[outcome], digest)
        try:
            receipt = send(self.client.w3, self.account, call, action="attestPromptCheck")
        except TransactionFailedError as exc:
            if exc.error != "AncestorCheckFailed":
                raise
            ancestor = (exc.error_args or {}).get("ancestorId")
            report = {**report, "blocked_by": f"the prompt check of ancestor #{ancestor} failed"}
            self.store.record(
                row.id, status="needs_review", report=report, report_hash="0x" + report_hash(report).hex()
            )
            return CheckResult(row.id, row.asset_id, Outcome.NEEDS_REVIEW, False, None)
        tx_hash = receipt["transactionHash"].to_0x_hex()
        self.store.record(
            row.id,
            status="attested",
            report_hash="0x" + digest.hex(),
            attest_tx=tx_hash,
            attested_at=datetime.now(UTC),
        )
        return CheckResult(row.id, row.asset_id, outcome, True, tx_hash)
