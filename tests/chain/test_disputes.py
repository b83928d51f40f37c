"""Claims in the dispute court through their windows (anvil's clock moved with evm_increaseTime): raised
with a bond, answered, ruled only after the response window, final after the appeal window; held revenue
released to whoever the ruling names; taint reaching descendants. Reverts come back in words."""

import hashlib

import pytest

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.deploy import DEFAULT_DISPUTE_BOND_WEI
from genip.chain.reads import asset_info, dispute_info, disputes_of, held_of
from genip.chain.types import Standing
from genip.errors import TransactionFailedError
from tests.helpers import (
    ARBITER,
    BRAND,
    CREATOR,
    CREATOR_2,
    CREATOR_3,
    DEPLOYER,
    ETH,
    GAME,
    extended_terms,
    increase_time,
    make_work,
    now,
    reverts,
    standard_terms,
)

EVIDENCE = hashlib.sha256(b"the copy, side by side with my original").digest()
ANSWER = hashlib.sha256(b"I made it myself").digest()
RULING = hashlib.sha256(b"upheld: a mirrored copy").digest()


def _original_and_copy(client: GenIPClient) -> tuple[int, int]:
    original = actions.register(client, CREATOR, make_work("original")).value
    copy = actions.register(client, CREATOR_2, make_work("copy")).value
    return original, copy


def _raise(client: GenIPClient, copy: int, original: int) -> int:
    return actions.raise_dispute(client, CREATOR, copy, EVIDENCE, claimant_asset_id=original).value


def _past_response_window(client: GenIPClient) -> None:
    increase_time(client.w3, int(client.court.functions.responseWindow().call()) + 1)


def test_an_upheld_claim_runs_through_both_windows_and_refunds_the_bond(client: GenIPClient) -> None:
    original, copy = _original_and_copy(client)
    dispute = _raise(client, copy, original)

    info = dispute_info(client, dispute)
    assert (info.status, info.asset_id, info.claimant_asset_id) == ("open", copy, original)
    assert info.bond == DEFAULT_DISPUTE_BOND_WEI and info.evidence_hash == EVIDENCE
    assert asset_info(client, copy).standing is Standing.DISPUTED
    assert asset_info(client, copy).dispute_id == dispute
    with reverts("AssetNotClear"):  # no new offers while disputed
        actions.create_offer(client, CREATOR_2, copy, standard_terms(), price=1)

    actions.answer_dispute(client, CREATOR_2, dispute, ANSWER)
    assert dispute_info(client, dispute).answer_hash == ANSWER
    with pytest.raises(TransactionFailedError) as early:  # never raise-and-rule in one go
        actions.resolve_dispute(client, ARBITER, dispute, upheld=True, resolution_hash=RULING)
    assert early.value.error == "ResponseWindowOpen"
    assert "the owner can still answer dispute" in str(early.value) and " UTC" in str(early.value)
    with reverts("AccessControlUnauthorizedAccount"):
        actions.resolve_dispute(client, CREATOR, dispute, upheld=True, resolution_hash=RULING)

    _past_response_window(client)
    with reverts("ResponseWindowClosed"):
        actions.answer_dispute(client, CREATOR_2, dispute, ANSWER)
    actions.resolve_dispute(client, ARBITER, dispute, upheld=True, resolution_hash=RULING)
    info = dispute_info(client, dispute)
    assert info.status == "upheld" and not info.ruling_final and info.arbiter == ARBITER.address
    assert info.final_at == now(client.w3) + int(client.court.functions.appealWindow().call())
    assert asset_info(client, copy).standing is Standing.UPHELD
    with reverts("RulingNotFinal"):
        actions.settle_dispute(client, GAME, dispute)

    increase_time(client.w3, int(client.court.functions.appealWindow().call()) + 1)
    assert dispute_info(client, dispute).ruling_final
    with reverts("AppealWindowClosed"):
        actions.reverse_dispute(client, DEPLOYER, dispute, RULING)
    actions.settle_dispute(client, GAME, dispute)  # anyone may settle
    assert dispute_info(client, dispute).settled
    assert client.court.functions.balanceOf(CREATOR.address, ETH).call() == DEFAULT_DISPUTE_BOND_WEI
    assert actions.withdraw_bond(client, CREATOR).value == DEFAULT_DISPUTE_BOND_WEI
    assert [d.dispute_id for d in disputes_of(client, copy)] == [dispute]


def test_revenue_is_held_under_the_dispute_and_released_to_the_owner_when_cleared(
    client: GenIPClient,
) -> None:
    original, copy = _original_and_copy(client)
    dispute = _raise(client, copy, original)
    actions.pay_revenue(client, GAME, copy, 10**18)
    held = held_of(client, copy, dispute)
    assert [(h.currency, h.amount) for h in held] == [(ETH, 10**18 - 10**18 * 250 // 10_000)]
    with reverts("HeldUntilResolved"):
        actions.release_held(client, GAME, copy, dispute)

    _past_response_window(client)
    actions.resolve_dispute(client, ARBITER, dispute, upheld=False, resolution_hash=RULING)
    assert dispute_info(client, dispute).status == "cleared"
    assert asset_info(client, copy).standing is Standing.CLEAR
    released = actions.release_held(client, GAME, copy, dispute).value
    assert released == held[0].amount
    assert client.hub.functions.balanceOf(CREATOR_2.address, ETH).call() == released
    # Cleared: the claimant's bond compensates the owner.
    assert client.court.functions.balanceOf(CREATOR_2.address, ETH).call() == DEFAULT_DISPUTE_BOND_WEI


def test_the_admin_reverses_an_upheld_ruling_within_the_appeal_window(client: GenIPClient) -> None:
    original, copy = _original_and_copy(client)
    dispute = _raise(client, copy, original)
    _past_response_window(client)
    actions.resolve_dispute(client, ARBITER, dispute, upheld=True, resolution_hash=RULING)
    actions.reverse_dispute(client, DEPLOYER, dispute, hashlib.sha256(b"new evidence").digest())
    assert dispute_info(client, dispute).status == "reversed"
    assert asset_info(client, copy).standing is Standing.CLEAR


def test_an_upheld_ruling_taints_a_descendant_until_it_is_reversed(client: GenIPClient) -> None:
    parent = actions.register(client, CREATOR_2, make_work("parent")).value
    offer = actions.create_offer(client, CREATOR_2, parent, extended_terms(1_000), price=10**15).value
    licence = actions.buy_license(client, CREATOR_3, offer).value
    child = actions.register_derivative(client, CREATOR_3, [licence], make_work("child")).value
    original = actions.register(client, CREATOR, make_work("older original")).value
    dispute = _raise(client, parent, original)
    with reverts("AncestorNotUpheld"):
        actions.propagate_taint(client, BRAND, child, parent)
    _past_response_window(client)
    actions.resolve_dispute(client, ARBITER, dispute, upheld=True, resolution_hash=RULING)
    actions.propagate_taint(client, BRAND, child, parent)
    assert (asset_info(client, child).standing, asset_info(client, child).dispute_id) == (
        Standing.TAINTED,
        dispute,
    )
    actions.reverse_dispute(client, DEPLOYER, dispute, RULING)
    actions.clear_taint(client, BRAND, child)
    assert asset_info(client, child).standing is Standing.CLEAR


def test_a_claim_needs_the_bond_and_a_clear_asset(client: GenIPClient) -> None:
    original, copy = _original_and_copy(client)
    with reverts("InvalidClaimantAsset"):
        actions.raise_dispute(client, CREATOR, copy, EVIDENCE, claimant_asset_id=copy)
    _raise(client, copy, original)
    with pytest.raises(TransactionFailedError) as second:
        _raise(client, copy, original)
    assert second.value.error == "AssetNotClear" and f"asset {copy} is disputed" in str(second.value)
