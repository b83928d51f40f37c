"""`genip match IMAGE [--account ADDR] [--use USE] [--json]`: which registered work is this image?

Thin wiring: builds a `MatchEngine` on the settings' database, matches the file, asks the database for the
account's licence status on the best candidate, and prints candidates and verdict (rich table, or one JSON
line with `--json`). Refusals (too big, not an image, bomb, too flat) are `GenIPError`s: one red line.
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
    from genip.matching.status import database_status_lookup
    from genip.matching.verdict import verdict
    from genip.settings import Settings

    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    try:
        data = image.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {image}: {exc.strerror or exc}") from None
    engine = MatchEngine.from_settings(settings)
    candidates = engine.match(data, refresh=False)
    decided, status = verdict(
        candidates, account=account, lookup=database_status_lookup(engine.engine), use=use
    )
    result: dict[str, Any] = {
        "verdict": decided.value,
        "candidates": [
            {
                "chain_id": c.chain_id,
                "asset_id": c.asset_id,
                "distance": c.distance,
                "method": c.method,
                "confidence": round(c.confidence, 3),
                "creator": c.creator,
            }
            for c in candidates
        ],
        "status": None if status is None else {"licensed": status.licensed, **status.details},
    }
    console = Console(highlight=False)
    if json:
        print(jsonlib.dumps(result))
        return
    table = Table(title=f"{image.name}: {len(candidates)} candidate(s) within {settings.match_distance} bits")
    for column in ("chain", "asset", "distance", "hash", "confidence", "creator"):
        table.add_column(column, justify="left" if column == "creator" else "right")
    for c in candidates:
        table.add_row(
            str(c.chain_id), str(c.asset_id), str(c.distance), c.method, f"{c.confidence:.2f}", c.creator
        )
    console.print(table)
    console.print(f"verdict: [bold]{decided.value}[/bold]")
