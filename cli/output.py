"""Rendering of command results: one JSON object on stdout for programs, rich tables for people.

Amounts in JSON are base-unit integers written as strings (wei for ETH), so no JSON reader rounds them;
bytes are `0x` hex.
"""

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["console", "emit", "hex0x", "status", "table"]

console = Console(highlight=False, soft_wrap=True)
status = Console(stderr=True, highlight=False)


def hex0x(value: bytes) -> str:
    """`value` as `0x` hex."""
    return "0x" + value.hex()


def _cell(value: Any) -> str:
    """A value as table text: `-` for nothing, lists and mappings compact (`asset_id=1 license_id=2`)."""
    if value is None or value == []:
        return "-"
    if isinstance(value, Mapping):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A rich table with `columns` and `rows` (values shown with `str`, `-` for `None`)."""
    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*("-" if v is None else str(v) for v in row))
    return out


def emit(
    data: Mapping[str, Any],
    *,
    as_json: bool,
    title: str,
    extra: Sequence[Table] = (),
    skip: Sequence[str] = (),
) -> None:
    """Print `data` as one JSON object, or as a two-column table titled `title` followed by `extra` tables
    (keys in `skip` are left out of the two-column table, e.g. lists shown in `extra`)."""
    if as_json:
        sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")
        sys.stdout.flush()
        return
    main = Table(title=title, show_header=False, title_justify="left")
    main.add_column("what", style="bold")
    main.add_column("value", overflow="fold")
    for key, value in data.items():
        if key in skip:
            continue
        main.add_row(key.replace("_", " "), _cell(value))
    console.print(main)
    for part in extra:
        console.print(part)
    console.file.flush()
