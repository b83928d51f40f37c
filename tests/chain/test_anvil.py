"""genip.chain.anvil starts a real node on a free port and stops its whole process group."""

from pathlib import Path

import pytest

from genip.chain.anvil import Anvil, _group_alive, find_anvil
from genip.chain.probe import rpc_chain_id
from genip.errors import AnvilError


def test_anvil_answers_on_a_free_port_and_is_gone_after_the_block() -> None:
    with Anvil(chain_id=4242) as node:
        assert rpc_chain_id(node.rpc_url) == 4242
        assert node.rpc_url.startswith("http://127.0.0.1:")
        pid, url = node.pid, node.rpc_url
    assert not _group_alive(pid)
    with pytest.raises(OSError):
        rpc_chain_id(url, timeout=1)


def test_two_nodes_run_side_by_side() -> None:
    with Anvil() as first, Anvil() as second:
        assert first.port != second.port
        assert rpc_chain_id(first.rpc_url) == rpc_chain_id(second.rpc_url) == 31337


def test_stop_is_idempotent() -> None:
    node = Anvil().start()
    node.stop()
    node.stop()
    assert not node.running


def test_a_missing_binary_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(AnvilError, match="anvil not found"):
        find_anvil(tmp_path / "no-anvil")


def test_a_taken_port_is_refused_when_asked_for_explicitly() -> None:
    with Anvil() as node, pytest.raises(AnvilError, match="already in use"):
        Anvil(port=node.port).start()


def test_the_binary_can_be_named_by_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GENIP_ANVIL_BIN", str(tmp_path / "missing"))
    with pytest.raises(AnvilError, match="missing"):
        find_anvil()
