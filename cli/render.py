"""Rendering of CLI results: rich tables for people, one JSON line for programs."""

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from genip.errors import redact_url

if TYPE_CHECKING:
    from genip.chain.up import DeployedChain

__all__ = ["deployment_json", "print_deployment"]


def deployment_json(chain: "DeployedChain") -> dict[str, Any]:
    """The deployment as a JSON object, plus `deployment_file`; the RPC URL is shown redacted."""
    data: dict[str, Any] = chain.deployment.model_dump(mode="json")
    data["rpc_url"] = redact_url(chain.deployment.rpc_url)
    data["deployment_file"] = str(chain.path)
    return data


def print_deployment(console: Console, chain: "DeployedChain", *, as_json: bool) -> None:
    """Show a deployment as a table, or as one JSON line when `as_json`."""
    if as_json:
        sys.stdout.write(json.dumps(deployment_json(chain), sort_keys=True) + "\n")
        sys.stdout.flush()
        return
    d = chain.deployment
    table = Table(title="Gen-IP deployment", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    rows = [
        ("RPC URL", redact_url(d.rpc_url)),
        ("chain id", str(d.chain_id)),
        ("GenIPRegistry", d.registry),
        ("LicensingHub", d.hub),
        ("LicenseToken", d.license_token),
        ("DisputeCourt", d.court),
        ("DemoToken", d.demo_token or "-"),
        ("deploy block", str(d.deploy_block)),
        ("deployer", d.deployer),
        ("platform fee", f"{d.fee_bps} bps to {d.fee_recipient}"),
        ("deployment file", str(chain.path)),
    ]
    for what, value in rows:
        table.add_row(what, value)
    console.print(table)
    console.file.flush()
