"""Platforms register for creators who authorised them (by transaction or by signature): one work, or a batch
proved against one committed Merkle root; limits in time and count hold."""

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.signing import authorize_typed_data, new_nonce, sign_authorize_platform
from genip.chain.types import UNLIMITED_WORKS
from tests.helpers import CREATOR, CREATOR_2, PLATFORM, SIGNER, eth_balance, make_work, now, reverts


def test_the_authorize_typed_data_hashes_to_the_registry_typehash(client: GenIPClient) -> None:
    from web3 import Web3

    message = authorize_typed_data(
        chain_id=1,
        registry=client.registry.address,
        creator=SIGNER.address,
        platform=PLATFORM.address,
        expires_at=0,
        max_works=1,
        epoch=0,
        nonce=0,
        deadline=1,
    )
    fields = ",".join(f"{f['type']} {f['name']}" for f in message["types"]["AuthorizePlatform"])
    expected = client.registry.functions.AUTHORIZE_TYPEHASH().call()
    assert Web3.keccak(text=f"AuthorizePlatform({fields})") == expected


def test_an_authorised_platform_registers_within_its_quota_and_a_revoked_one_cannot(
    client: GenIPClient,
) -> None:
    with reverts("PlatformNotAuthorized"):
        actions.register_by_platform(client, PLATFORM, creator=CREATOR.address, work=make_work("early"))
    # (with no time limit, a used-up quota reads as no authorisation at all: PlatformNotAuthorized)
    actions.authorize_platform(
        client, CREATOR, PLATFORM.address, expires_at=now(client.w3) + 3_600, max_works=1
    )
    creator_eth = eth_balance(client, CREATOR)
    asset = actions.register_by_platform(
        client, PLATFORM, creator=CREATOR.address, work=make_work("one")
    ).value
    assert client.registry.functions.ownerOf(asset).call() == CREATOR.address
    assert eth_balance(client, CREATOR) == creator_eth  # the platform paid
    with reverts("PlatformQuotaExhausted"):
        actions.register_by_platform(client, PLATFORM, creator=CREATOR.address, work=make_work("two"))
    actions.authorize_platform(client, CREATOR, PLATFORM.address)
    actions.revoke_platform(client, CREATOR, PLATFORM.address)
    with reverts("PlatformNotAuthorized"):
        actions.register_by_platform(client, PLATFORM, creator=CREATOR.address, work=make_work("three"))


def test_a_signed_authorisation_with_a_time_limit(client: GenIPClient) -> None:
    expires, nonce, deadline = now(client.w3) + 3_600, new_nonce(), now(client.w3) + 600
    epoch = actions.authorization_epoch(client, SIGNER.address, PLATFORM.address)
    signed = {
        "platform": PLATFORM.address,
        "expires_at": expires,
        "max_works": UNLIMITED_WORKS,
        "epoch": epoch,
    }
    signature = sign_authorize_platform(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        nonce=nonce,
        deadline=deadline,
        **signed,
    )
    # Given out, then revoked by transaction: the signature is void (its epoch has passed).
    actions.revoke_platform(client, SIGNER, PLATFORM.address)
    with reverts("StaleAuthorization"):
        actions.authorize_platform_by_sig(
            client,
            PLATFORM,
            creator=SIGNER.address,
            nonce=nonce,
            deadline=deadline,
            signature=signature,
            **signed,
        )
    signed["epoch"] = actions.authorization_epoch(client, SIGNER.address, PLATFORM.address)
    signature = sign_authorize_platform(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        nonce=nonce,
        deadline=deadline,
        **signed,
    )
    actions.authorize_platform_by_sig(
        client,
        PLATFORM,
        creator=SIGNER.address,
        nonce=nonce,
        deadline=deadline,
        signature=signature,
        **signed,
    )
    expires_at, remaining, _epoch = client.registry.functions.platformAuthorization(
        SIGNER.address, PLATFORM.address
    ).call()
    assert (expires_at, remaining) == (expires, UNLIMITED_WORKS)
    assert client.registry.functions.nonceUsed(SIGNER.address, nonce).call()


def test_a_batch_of_many_creators_works_is_one_root_and_one_transaction(client: GenIPClient) -> None:
    for creator in (CREATOR, CREATOR_2):
        actions.authorize_platform(client, creator, PLATFORM.address)
    items = [((CREATOR, CREATOR_2)[i % 2].address, make_work(f"batch-{i}")) for i in range(7)]
    steps: list[str] = []
    ids, committed, batch = actions.register_batch_by_platform(
        client, PLATFORM, items, on_step=lambda step, _receipt: steps.append(step)
    )
    assert steps == ["committed", "waiting", "registered"]
    assert batch["blockNumber"] > committed["blockNumber"]
    assert ids == list(range(ids[0], ids[0] + 7))  # type: ignore[operator]
    for asset, (creator, work) in zip(ids, items, strict=True):
        assert client.registry.functions.ownerOf(asset).call() == creator
        assert client.registry.functions.assetOf(work.content_hash).call() == asset
    single = actions.register_batch_by_platform(client, PLATFORM, [(CREATOR.address, make_work("alone"))])
    assert len(single[0]) == 1  # one leaf: the root is the leaf itself, empty proof


def test_a_batch_skips_what_it_cannot_register_and_says_why(client: GenIPClient) -> None:
    """One creator cannot make the batch fail for the others: its item already registered (or its
    authorisation gone) is skipped, the rest are registered."""
    for creator in (CREATOR, CREATOR_2):
        actions.authorize_platform(client, creator, PLATFORM.address)
    taken = make_work("registered-first")
    actions.register(client, CREATOR_2, taken)  # the creator registered its own item on its own
    items = [
        (CREATOR.address, make_work("keep-1")),
        (CREATOR_2.address, taken),
        (CREATOR.address, make_work("keep-2")),
    ]
    ids, _committed, batch = actions.register_batch_by_platform(client, PLATFORM, items)
    assert ids[1] is None and ids[0] is not None and ids[2] == ids[0] + 1
    existing = client.registry.functions.assetOf(taken.content_hash).call()
    assert actions.batch_skips(client, batch) == [
        (1, f"this content is already certified as asset {existing}")
    ]
    for asset, (creator, work) in ((ids[0], items[0]), (ids[2], items[2])):
        assert client.registry.functions.ownerOf(asset).call() == creator
        assert client.registry.functions.assetOf(work.content_hash).call() == asset
