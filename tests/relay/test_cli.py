"""`genip platform relay`: one round with the platform's key from the environment (never printed); a key that
is not the platform's wallet, or an unknown platform, is one line and exit code 1."""

from pathlib import Path

from genip.chain import actions
from genip.chain.deployment import write_deployment
from genip.relay import RegistrationItem, State, accept
from tests.cli.conftest import Genip
from tests.helpers import CREATOR, PLATFORM, make_work
from tests.relay.conftest import Setup


def test_relay_once_with_the_platform_key(setup: Setup, db_url: str, tmp_path: Path) -> None:
    path = write_deployment(setup.client.deployment, tmp_path / "deployments", current=False)
    genip = Genip(tmp_path / "data", path, env={"GENIP_DATABASE_URL": db_url})
    actions.authorize_platform(setup.client, CREATOR, PLATFORM.address)
    items = [RegistrationItem(f"cli-{i}", CREATOR.address, make_work(f"relay-cli-{i}")) for i in range(2)]
    made = accept(setup.engine, setup.issued.platform, items)

    wrong = genip("platform", "relay", "--platform", "Pixels", "--once", key=CREATOR).error()
    assert "creators authorise that wallet" in wrong
    assert (
        "no platform named 'Nobody'"
        in genip("platform", "relay", "--platform", "Nobody", key=PLATFORM).error()
    )

    run = genip("platform", "relay", "--platform", "Pixels", "--once", "--json", key=PLATFORM)
    assert run.json() == {"committed": 2, "registered": 2, "indexed": 0, "failed": 0, "errors": []}
    assert PLATFORM.key.hex() not in run.stdout + run.stderr
    registry = setup.client.registry.functions
    assert all(registry.assetOf(i.work.content_hash).call() for i in items)
    assert {a.row.state for a in made if a.row} == {State.ACCEPTED}  # what accept answered then
