"""scripts/bench_gas.py keeps working against the current contracts, and its numbers hang together."""

from types import ModuleType

from genip.chain.client import GenIPClient
from tests.script_modules import load_script


def _load() -> ModuleType:
    return load_script("bench_gas")


def test_the_benchmark_measures_every_operation(client: GenIPClient) -> None:
    bench = _load()
    gas = bench.measure(client)
    assert set(gas) == {
        "commit",
        "register (reveal)",
        "register total (commit + register)",
        "registerFor (reveal)",
        "registerFor total (commit + registerFor)",
        "platform batch of 100, total",
        "platform batch of 100, per work",
        "buyLicense native",
        "buyLicense ERC-20",
        "buyLicense native, a later buyer",
        "buyLicense native, a repeat buyer",
        "registerDerivative 1 parent",
        "registerDerivative 1 parent total",
        "registerDerivative 16 parents",
        "payRevenue 3-level ancestry",
        "withdraw native",
        bench.SINK_ROW,  # left out only when the sink cannot be deployed: a bug this test reports
    }, gas
    # Totals are what they say: the commit plus the reveal; a batch amortises one commit over 100 works.
    assert gas["register total (commit + register)"] == gas["commit"] + gas["register (reveal)"]
    assert gas["registerFor total (commit + registerFor)"] > gas["registerFor (reveal)"] > 21_000
    assert gas["platform batch of 100, per work"] == gas["platform batch of 100, total"] // 100
    assert gas["platform batch of 100, per work"] < gas["register total (commit + register)"]
    assert gas["registerDerivative 16 parents"] > gas["registerDerivative 1 parent"]
    # A later sale writes no fresh slot for the payees' balances, a repeat buyer none for its (holder, asset)
    # entry or its token count: each at least one fresh slot (22 100 - 5 000) cheaper than the one before.
    first, later, repeat = (
        gas["buyLicense native"],
        gas["buyLicense native, a later buyer"],
        gas["buyLicense native, a repeat buyer"],
    )
    assert first - later >= 17_100 and later - repeat >= 17_100, (first, later, repeat)
    assert gas[bench.SINK_ROW] <= 21_000 + bench.STIPEND
    assert all(21_000 <= used < 10_000_000 for used in gas.values()), gas
    assert bench.render(gas).row_count == len(gas)
    assert bench.goals(gas).row_count == len(bench.GOALS)
