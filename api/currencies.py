"""The currencies the server knows how to show: the native coin and the deployment's demo token (as
`GET /config` lists them), by checksummed address, re-read when the deployment file changes."""

import threading
from pathlib import Path

from genip.chain.deployment import read_deployment
from genip.errors import GenIPError
from genip.money import NATIVE, Currency
from genip.settings import Settings

__all__ = ["DEMO_DECIMALS", "DEMO_SYMBOL", "known_currencies"]

#: The demo ERC-20's symbol and decimals (`contracts/src/dev`, as `GET /config` names them).
DEMO_SYMBOL = "gUSD"
DEMO_DECIMALS = 6

_CACHE: dict[Path, tuple[float, dict[str, Currency]]] = {}
_LOCK = threading.Lock()


def known_currencies(settings: Settings) -> dict[str, Currency]:
    """Native coin always; the demo token when the deployment file names one."""
    path = settings.deployment_path()
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return {NATIVE.address: NATIVE}
    with _LOCK:
        cached = _CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found = {NATIVE.address: NATIVE}
    try:
        deployment = read_deployment(path)
    except (GenIPError, OSError, ValueError):
        return found
    if deployment.demo_token:
        found[deployment.demo_token] = Currency(deployment.demo_token, DEMO_SYMBOL, DEMO_DECIMALS)
    with _LOCK:
        _CACHE[path] = (stamp, found)
    return found
