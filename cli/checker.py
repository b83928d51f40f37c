"""`genip checker …`: the prompt-check process (the only holder of the checker's keys) and its review queue.

The checker holds two keys: the X25519 private key creators seal their prompts to (`GENIP_CHECKER_KEY_FILE`,
written by `genip checker keygen --out`, or `GENIP_CHECKER_KEY`) and the signing account with the registry's
`CHECKER_ROLE` that attests (`--account` or `GENIP_PRIVATE_KEY`). Neither is ever printed.
"""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.context import AccountOption, JsonOption, open_client, settings_of, signer
from cli.output import emit

if TYPE_CHECKING:
    from genip.checker.worker import Checker, CheckResult
    from genip.settings import Settings

__all__ = ["checker_app"]

checker_app = typer.Typer(
    no_args_is_help=True, help="Check submitted prompts and attest the outcomes on-chain."
)


def _checker(settings: "Settings", account: str | None) -> "Checker":
    from genip.checker.sealing import CheckerKey
    from genip.checker.submissions import SubmissionStore
    from genip.checker.worker import Checker
    from genip.db.engine import make_engine
    from genip.db.migrate import require_current

    key = CheckerKey.from_setting(
        settings.checker_key.get_secret_value() if settings.checker_key else None, settings.checker_key_file
    )
    engine = make_engine(settings.db_url)
    require_current(engine)
    return Checker(SubmissionStore(engine), open_client(settings), signer(settings, account), key)


def _row(result: "CheckResult") -> dict[str, object]:
    row: dict[str, object] = {
        "submission": result.submission_id,
        "asset": result.asset_id,
        "outcome": None if result.outcome is None else result.outcome.value,
        "attested": result.attested,
        "tx": result.tx_hash,
    }
    if result.rejected is not None:
        row["rejected"] = result.rejected
    return row


@checker_app.command("run")
def run(
    ctx: typer.Context,
    account: AccountOption = None,
    once: Annotated[bool, typer.Option("--once", help="Check what is pending, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds.")] = 5.0,
    json: JsonOption = False,
) -> None:
    """Check pending submissions, round after round (`--once`: one round): clear passes and fails are
    attested; the rest wait for review; submissions that do not open the commitment are rejected.

    A round that fails (the chain or the database away) is reported in one line and retried after
    `--interval`; a missing key or role stops the command at start."""
    from genip.errors import GenIPError
    from genip.recursion import restore_recursion_limit

    worker = _checker(settings_of(ctx), account)
    worker.require_role()
    restore_recursion_limit()  # py_ecc (imported by eth-account) raises it: nested JSON could crash us
    console = Console(highlight=False)
    if not once and not json:
        console.print(
            f"checker {worker.account.address} (sealing key {worker.key.public_key.key_id}) checking every "
            f"{interval:g}s"
        )
    while True:
        try:
            results = [_row(r) for r in worker.run_once()]
        except (GenIPError, OSError) as exc:
            if once:
                raise
            console.print(f"round failed: {exc}; retrying in {interval:g}s")
            results = []
        if json:
            emit({"checked": results}, as_json=True, title="checked")
        else:
            for r in results:
                if r["outcome"] is None:
                    console.print(f"asset {r['asset']}: rejected — {r['rejected']}")
                    continue
                verdict = "attested" if r["attested"] else "queued for review"
                console.print(
                    f"asset {r['asset']}: {r['outcome']} — {verdict}"
                    + (f" (tx {r['tx']})" if r["tx"] else "")
                )
        if once:
            return
        time.sleep(interval)


@checker_app.command("review")
def review(
    ctx: typer.Context,
    account: AccountOption = None,
    decide: Annotated[int | None, typer.Option(help="Submission id to decide.")] = None,
    outcome: Annotated[str | None, typer.Option(help="pass or fail")] = None,
    reviewer: Annotated[str, typer.Option(help="Who decides (kept in the report).")] = "reviewer",
    json: JsonOption = False,
) -> None:
    """List submissions that need a human decision, or record one (`--decide ID --outcome pass|fail`)."""
    worker = _checker(settings_of(ctx), account)
    if decide is None:
        queue = worker.review_queue()
        rows = [
            {
                "submission": r.id,
                "asset": r.asset_id,
                "rules": [h["rule"] for h in (r.report or {}).get("rules", [])],
            }
            for r in queue
        ]
        if json:
            emit({"queue": rows}, as_json=True, title="review queue")
            return
        table = Table(title=f"{len(rows)} submission(s) waiting for review", title_justify="left")
        for column in ("submission", "asset", "rules that fired"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["submission"]), str(row["asset"]), ", ".join(row["rules"]))  # type: ignore[arg-type]
        Console().print(table)
        return
    if outcome not in ("pass", "fail"):
        raise typer.BadParameter("--outcome must be pass or fail", param_hint="--outcome")
    from genip.checker.policy import Outcome

    result = worker.decide(decide, Outcome(outcome), reviewer)
    emit(_row(result), as_json=json, title=f"asset {result.asset_id}: review decided")


@checker_app.command("check")
def check(
    prompt: Annotated[str, typer.Option("--prompt", help="The positive prompt to check.")],
    negative: Annotated[str, typer.Option("--negative", help="The negative prompt (never infringes).")] = "",
    json: JsonOption = False,
) -> None:
    """Run the policy on one prompt, without a chain or a database: the outcome, the policy version and every
    hit (name hits with their edits, semantic hits with the descriptor and score) — for tuning the list."""
    from genip.checker.policy import default_policy

    result = default_policy().check(prompt, negative)
    data = result.to_json()
    if json:
        emit(data, as_json=True, title="policy check")
        return
    hits = Table(title=f"{len(result.hits)} hit(s)", title_justify="left")
    hits.add_column("rule", no_wrap=True)
    for column in ("kind", "outcome", "matched", "descriptor", "score"):
        hits.add_column(column)
    for h in result.hits:
        hits.add_row(
            h.rule,
            h.kind,
            h.outcome.value,
            h.matched,
            h.descriptor or f"name {h.name!r}" + (f", {h.edits} edit(s)" if h.edits else ""),
            "" if h.score is None else f"{h.score:.2f}",
        )
    emit(
        {"outcome": data["outcome"], "policy_version": data["policy_version"]},
        as_json=False,
        title="policy check",
        extra=(hits,) if result.hits else (),
    )


@checker_app.command("keygen")
def keygen(
    out: Annotated[
        Path, typer.Option("--out", help="New file for the private key (mode 0600); refuses to overwrite.")
    ],
    json: JsonOption = False,
) -> None:
    """Make the checker's X25519 key pair: the private key goes to `--out` (point GENIP_CHECKER_KEY_FILE of
    the checker process at it), the public key is printed (GENIP_CHECKER_PUBLIC_KEY of the API)."""
    from genip.checker.sealing import CheckerKey
    from genip.errors import ConfigError

    key = CheckerKey.generate()
    try:
        key.write(out)
    except FileExistsError:
        raise ConfigError(f"{out} exists: keygen never overwrites a key") from None
    public = key.public_key
    data = {"public_key": public.hex, "key_id": public.key_id, "private_key_file": str(out)}
    emit(data, as_json=json, title="checker key pair")


@checker_app.command("public-key")
def public_key(ctx: typer.Context, json: JsonOption = False) -> None:
    """The public key of the configured private key (for GENIP_CHECKER_PUBLIC_KEY of the API)."""
    from genip.checker.sealing import CheckerKey

    settings = settings_of(ctx)
    key = CheckerKey.from_setting(
        settings.checker_key.get_secret_value() if settings.checker_key else None, settings.checker_key_file
    )
    emit(
        {"public_key": key.public_key.hex, "key_id": key.public_key.key_id}, as_json=json, title="checker key"
    )
