"""`genip checker …`: the prompt-check process (the only holder of the checker's keys) and its review queue.

The checker holds two keys: the X25519 private key creators seal their prompts to (`GENIP_CHECKER_KEY_FILE`,
written by `genip checker keygen --out`, or `GENIP_CHECKER_KEY`) and the signing account with the registry's
`CHECKER_ROLE` that attests (`--account` or `GENIP_PRIVATE_KEY`). Neither is ever printed.
"""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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


review_app = typer.Typer(
    help="Review the prompts the policy could not decide (CHECKER_ROLE accounts only; each view and decision "
    "is logged).",
)
checker_app.add_typer(review_app, name="review")


def _reviewer(ctx: typer.Context, account: str | None) -> "Checker":
    """The checker, after checking on chain that its account holds CHECKER_ROLE (it reviews and attests)."""
    worker = _checker(settings_of(ctx), account)
    worker.require_role()
    return worker


def _rule_rows(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "rule": r.get("rule"),
            "kind": r.get("kind", "name"),
            "category": r.get("category"),
            "outcome": r.get("outcome"),
            "name": r.get("name"),
            "descriptor": r.get("descriptor"),
            "score": r.get("score"),
        }
        for r in rules
    ]


def _hits_table(title: str, hits: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("rule", "kind", "outcome", "matched", "descriptor", "score"):
        table.add_column(column)
    for h in hits:
        score = h.get("score")
        table.add_row(
            str(h["rule"]),
            str(h.get("kind", "name")),
            str(h.get("outcome", "")),
            str(h.get("matched", "")),
            str(h.get("descriptor") or f"name {h.get('name')!r}"),
            "" if score is None else f"{score:.2f}",
        )
    return table


@review_app.callback(invoke_without_command=True)
def review(ctx: typer.Context, account: AccountOption = None, json: JsonOption = False) -> None:
    """List submissions waiting for a human decision, with the rules that fired and their scores (no prompt:
    `review show ID` opens one)."""
    if ctx.invoked_subcommand is not None:
        return
    worker = _reviewer(ctx, account)
    rows: list[dict[str, Any]] = [
        {
            "submission": r.id,
            "asset": r.asset_id,
            "outcome": r.outcome,
            "submitted_at": r.submitted_at.isoformat(),
            "rules": _rule_rows((r.report or {}).get("rules", [])),
        }
        for r in worker.review_queue()
    ]
    if json:
        emit({"queue": rows}, as_json=True, title="review queue")
        return
    table = Table(title=f"{len(rows)} submission(s) waiting for review", title_justify="left")
    for column in ("submission", "asset", "rules that fired (score)"):
        table.add_column(column)
    for row in rows:
        fired = ", ".join(
            f"{h['rule']} ({h['kind']}" + ("" if h["score"] is None else f" {h['score']:.2f}") + ")"
            for h in row["rules"]
        )
        table.add_row(str(row["submission"]), str(row["asset"]), fired)
    Console().print(table)


@review_app.command("show")
def show(
    ctx: typer.Context,
    submission: Annotated[int, typer.Argument(help="Submission id (from `genip checker review`).")],
    account: AccountOption = None,
    json: JsonOption = False,
) -> None:
    """Open one submission: its prompt, negative prompt, the rules it hit and the protected items it came near
    (kind, descriptor, score), and its outcome. The view is logged under your account."""
    worker = _reviewer(ctx, account)
    data = worker.view(submission, worker.account.address).to_json()
    if json:
        emit(data, as_json=True, title="submission")
        return
    summary = {
        k: data[k]
        for k in ("submission", "asset", "creator", "status", "outcome", "prompt", "negative_prompt")
    }
    summary |= {f"part {k}": v for k, v in data["parts"].items()}
    summary |= {"policy now": f"{data['policy_outcome']} (version {data['policy_version']})"}
    extra = [_hits_table(f"{len(data['hits'])} rule(s) hit", data["hits"])]
    if data["near"]:
        extra.append(_hits_table(f"{len(data['near'])} protected item(s) came near", data["near"]))
    emit(summary, as_json=False, title=f"submission {submission} (asset {data['asset']})", extra=extra)


@review_app.command("decide")
def decide(
    ctx: typer.Context,
    submission: Annotated[int, typer.Argument(help="Submission id waiting for review.")],
    passed: Annotated[bool, typer.Option("--pass", help="The prompt may stand.")] = False,
    failed: Annotated[bool, typer.Option("--fail", help="The prompt infringes.")] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why, in your own words (published in the report; no prompt)."),
    ] = None,
    account: AccountOption = None,
    json: JsonOption = False,
) -> None:
    """Decide a queued submission (`--pass` or `--fail`, with `--reason`): attested on-chain with the report's
    hash (the report keeps the reason and your address) and logged."""
    from genip.checker.policy import Outcome
    from genip.checker.review import ReviewError

    if passed == failed:
        raise ReviewError("decide with exactly one of --pass or --fail")
    if not (reason or "").strip():
        raise ReviewError("a decision needs a reason (--reason TEXT), in your own words")
    worker = _reviewer(ctx, account)
    outcome = Outcome.PASS if passed else Outcome.FAIL
    result = worker.decide(submission, outcome, worker.account.address, reason or "")
    row = _row(result) | {"reviewer": worker.account.address}
    emit(row, as_json=json, title=f"asset {result.asset_id}: review decided")


@review_app.command("log")
def log(
    ctx: typer.Context,
    submission: Annotated[int | None, typer.Option(help="Only this submission's entries.")] = None,
    limit: Annotated[int, typer.Option(help="The newest this many entries.")] = 200,
    json: JsonOption = False,
) -> None:
    """The review log: every view and decision (who, when, outcome, reason) — never a prompt."""
    from genip.checker.review import ReviewLogStore, log_entry_json
    from genip.db.engine import make_engine
    from genip.db.migrate import require_current

    engine = make_engine(settings_of(ctx).db_url)
    require_current(engine)
    entries = [
        log_entry_json(e) for e in ReviewLogStore(engine).entries(submission_id=submission, limit=limit)
    ]
    if json:
        emit({"log": entries}, as_json=True, title="review log")
        return
    table = Table(
        title=f"{len(entries)} review log entr{'y' if len(entries) == 1 else 'ies'}", title_justify="left"
    )
    for column in ("at", "submission", "asset", "reviewer", "action", "outcome", "reason"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e["at"], str(e["submission"]), str(e["asset"]), e["reviewer"], e["action"], e["outcome"] or "",
            e["reason"] or "",
        )  # fmt: skip
    Console().print(table)


@review_app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8790,
    account: AccountOption = None,
) -> None:
    """Serve the review pages on 127.0.0.1 from this process (the only one that can open prompts): sign in
    with a wallet signature from an account holding CHECKER_ROLE; views and decisions are logged as here."""
    from genip.checker.review_web import ReviewServer

    worker = _reviewer(ctx, account)
    server = ReviewServer(worker, port=port)
    Console(highlight=False).print(
        f"review pages at {server.origin}/ (attesting as {worker.account.address}); Ctrl-C stops",
        soft_wrap=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


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
