"""`genip checker …`: the prompt-check process (the only holder of the checker key) and its review queue."""

import time
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
    from genip.checker.sealing import Sealer
    from genip.checker.submissions import SubmissionStore
    from genip.checker.worker import Checker
    from genip.db.engine import make_engine
    from genip.db.migrate import require_current

    key = settings.checker_key.get_secret_value() if settings.checker_key else None
    sealer = Sealer.from_setting(key)
    engine = make_engine(settings.db_url)
    require_current(engine)
    return Checker(SubmissionStore(engine, sealer), open_client(settings), signer(settings, account))


def _row(result: "CheckResult") -> dict[str, object]:
    return {
        "submission": result.submission_id,
        "asset": result.asset_id,
        "outcome": result.outcome.value,
        "attested": result.attested,
        "tx": result.tx_hash,
    }


@checker_app.command("run")
def run(
    ctx: typer.Context,
    account: AccountOption = None,
    once: Annotated[bool, typer.Option("--once", help="Check what is pending, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds.")] = 5.0,
    json: JsonOption = False,
) -> None:
    """Check pending submissions: clear passes and fails are attested; the rest wait for review."""
    from genip.recursion import restore_recursion_limit

    worker = _checker(settings_of(ctx), account)
    restore_recursion_limit()  # py_ecc (imported by eth-account) raises it: nested JSON could crash us
    console = Console(highlight=False)
    while True:
        results = [_row(r) for r in worker.run_once()]
        if json:
            emit({"checked": results}, as_json=True, title="checked")
        else:
            for r in results:
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


@checker_app.command("keygen")
def keygen() -> None:
    """Print a fresh sealing key for GENIP_CHECKER_KEY (store it in your secret manager, not in the repo)."""
    from genip.checker.sealing import Sealer

    typer.echo(Sealer.new_key())
