"""scripts/bench_gas.py keeps working against the current contracts."""

import importlib.util
from pathlib import Path
from types import ModuleType

from genip.chain.client import GenIPClient

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_gas.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_gas", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_measures_every_operation(client: GenIPClient) -> None:
    bench = _load()
    gas = bench.measure(client)
    assert set(gas) == {
        "register",
        "registerFor",
        "buyLicense native",
        "buyLicense ERC-20",
        "registerDerivative 1 parent",
        "registerDerivative 16 parents",
        "payRevenue 3-level ancestry",
        "withdraw native",
    }
    assert all(21_000 < used < 2_000_000 for used in gas.values()), gas
    assert bench.render(gas).row_count == len(gas)
