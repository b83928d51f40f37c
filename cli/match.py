"""`genip match IMAGE [--account ADDR] [--use USE] [--json]`: which registered work is this image?

Thin wiring: builds a `MatchEngine` on the settings' database, matches the file, weighs every candidate by the
one verdict rule (`genip.matching.verdict.weigh`: roles from what the indexer recorded, the account's licence
status on each from the database), and prints candidates, roles and verdict (rich table, or one JSON line with
`--json`). Refusals (too big, not an image, bomb, too flat) are `GenIPError`s: one red line.
"""

import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from genip.errors import ConfigError

__all__ = ["match"]


def match(
    ctx: typer.Context,
    image: Annotated[Path, typer.Argument(help="Image file to look up.", show_default=False)],
    account: Annotated[
        str | None, typer.Option("--account", help="Account whose licence to check (0x address).")
    ] = None,
    use: Annotated[str | None, typer.Option("--use", help="Intended use: commercial or derivative.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON line.")] = False,
) -> None:
    """Find the registered work an image is (re-encoded, resized, recoloured, rotated); give a verdict."""
    from genip.matching.engine import MatchEngine  # numpy, faiss, OpenCV
    from genip.matching.provenance import cluster
    from genip.matching.status import database_status_lookup
    from genip.matching.verdict import weigh
    from genip.settings import Settings

    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    try:
        data = image.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {image}: {exc.strerror or exc}") from None
    engine = MatchEngine.from_settings(settings)
    candidates = engine.match(data, refresh=False)
    with engine.engine.connect() as connection:
        lineage, originals = cluster(connection, candidates)
    decision = weigh(
        candidates,
        lineage=lineage,
        originals=originals,
        account=account,
        lookup=database_status_lookup(engine.engine),
        use=use,
    )
    status = decision.status
    result: dict[str, Any] = {
        "verdict": decision.verdict.value,
        "rests_on": None if decision.rests_on is None else decision.rests_on.asset_id,
        "candidates": [
            {
                "chain_id": w.candidate.chain_id,
                "asset_id": w.asset_id,
                "distance": w.candidate.distance,
                "method": w.candidate.method,
                "confidence": round(w.candidate.confidence, 3),
                "creator": w.candidate.creator,
                "role": w.role.value,
                "copy_of": w.copy_of,
                "via": w.via,
                "licensed": None if w.status is None else w.status.licensed,
            }
            for w in decision.weighed
        ],
        "status": None if status is None else {"licensed": status.licensed, **status.details},
        "note": decision.note,
    }
    console = Console(highlight=False)
    if json:
        print(jsonlib.dumps(result))
        return
    table = Table(title=f"{image.name}: {len(candidates)} candidate(s) within {settings.match_distance} bits")
    for column in ("chain", "asset", "role", "distance", "hash", "confidence", "licensed", "creator"):
        table.add_column(column, justify="left" if column in ("creator", "role") else "right")
    for w in decision.weighed:
        c = w.candidate
        role = {"possible_copy": f"possible copy of #{w.copy_of}"}.get(w.role.value, w.role.value)
        if w.via is not None:
            role += f" (of #{w.via})"
        table.add_row(
            str(c.chain_id),
            str(c.asset_id),
            role,
            "-" if c.distance is None else str(c.distance),
            c.method,
            f"{c.confidence:.2f}",
            "-" if w.status is None else ("yes" if w.status.licensed else "no"),
            c.creator,
        )
    console.print(table)
    rests = "" if decision.rests_on is None else f" (rests on #{decision.rests_on.asset_id})"
    console.print(f"verdict: [bold]{decision.verdict.value}[/bold]{rests}")
    if decision.note:
        console.print(decision.note)
