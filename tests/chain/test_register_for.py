"""registerFor: a platform commits and pays gas for a creator's EIP-712-signed registration, once; nonces are
unordered and can be cancelled."""

from web3 import Web3

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.signing import new_nonce, register_typed_data, sign_register
from tests.helpers import CREATOR, PLATFORM, SIGNER, eth_balance, make_work, reverts


def _deadline(client: GenIPClient) -> int:
    return int(client.w3.eth.get_block("latest")["timestamp"]) + 3_600


def test_the_typed_data_hashes_to_the_registry_typehash(client: GenIPClient) -> None:
    message = register_typed_data(
        chain_id=1,
        registry=client.registry.address,
        creator=SIGNER.address,
        work=make_work("x"),
        nonce=0,
        deadline=1,
    )
    fields = ",".join(f"{f['type']} {f['name']}" for f in message["types"]["Register"])
    assert Web3.keccak(text=f"Register({fields})") == client.registry.functions.REGISTER_TYPEHASH().call()


def test_a_platform_registers_for_a_signing_creator_and_a_replay_is_refused(client: GenIPClient) -> None:
    work = make_work("signed")
    nonce = new_nonce()
    deadline = _deadline(client)
    signature = sign_register(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=work,
        nonce=nonce,
        deadline=deadline,
    )
    signer_eth = eth_balance(client, SIGNER)

    asset = actions.register_for(
        client,
        PLATFORM,
        creator=SIGNER.address,
        work=work,
        nonce=nonce,
        deadline=deadline,
        signature=signature,
    ).value

    assert client.registry.functions.ownerOf(asset).call() == SIGNER.address
    assert client.registry.functions.nonceUsed(SIGNER.address, nonce).call()
    assert not client.registry.functions.nonceUsed(SIGNER.address, nonce + 1).call()
    assert eth_balance(client, SIGNER) == signer_eth  # the platform paid the gas
    again = make_work("signed again")
    replayed = sign_register(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=again,
        nonce=nonce,
        deadline=deadline,
    )
    with reverts("NonceAlreadyUsed"):
        actions.register_for(
            client,
            PLATFORM,
            creator=SIGNER.address,
            work=again,
            nonce=nonce,
            deadline=deadline,
            signature=replayed,
        )


def test_a_cancelled_nonce_refuses_the_signature_given_out_with_it(client: GenIPClient) -> None:
    work, nonce, deadline = make_work("cancelled"), new_nonce(), _deadline(client)
    signature = sign_register(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=work,
        nonce=nonce,
        deadline=deadline,
    )
    actions.invalidate_nonce(client, SIGNER, nonce)
    assert client.registry.functions.nonceUsed(SIGNER.address, nonce).call()
    with reverts("NonceAlreadyUsed"):
        actions.register_for(
            client,
            PLATFORM,
            creator=SIGNER.address,
            work=work,
            nonce=nonce,
            deadline=deadline,
            signature=signature,
        )


def test_the_steps_are_reported_commit_wait_register(client: GenIPClient) -> None:
    steps: list[tuple[str, int | None]] = []
    outcome = actions.register(
        client,
        SIGNER,
        make_work("watched"),
        on_step=lambda step, receipt: steps.append(
            (step, None if receipt is None else int(receipt["blockNumber"]))
        ),
    )
    assert [s for s, _ in steps] == ["committed", "waiting", "registered"]
    committed, registered = steps[0][1], steps[2][1]
    assert committed is not None and registered is not None and registered > committed
    assert registered == outcome.receipt["blockNumber"]


def test_a_signature_by_someone_else_is_refused(client: GenIPClient) -> None:
    work = make_work("forged")
    deadline = _deadline(client)
    forged = sign_register(
        CREATOR,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=work,
        nonce=0,
        deadline=deadline,
    )
    with reverts("InvalidSignature"):
        actions.register_for(
            client, PLATFORM, creator=SIGNER.address, work=work, nonce=0, deadline=deadline, signature=forged
        )


def test_an_expired_signature_is_refused(client: GenIPClient) -> None:
    work = make_work("late")
    deadline = int(client.w3.eth.get_block("latest")["timestamp"]) - 1
    signature = sign_register(
        SIGNER,
        chain_id=client.deployment.chain_id,
        registry=client.registry.address,
        work=work,
        nonce=0,
        deadline=deadline,
    )
    with reverts("SignatureExpired"):
        actions.register_for(
            client,
            PLATFORM,
            creator=SIGNER.address,
            work=work,
            nonce=0,
            deadline=deadline,
            signature=signature,
        )


def test_a_signature_for_another_chain_is_refused(client: GenIPClient) -> None:
    work = make_work("elsewhere")
    deadline = _deadline(client)
    signature = sign_register(
        SIGNER, chain_id=1, registry=client.registry.address, work=work, nonce=0, deadline=deadline
    )
    with reverts("InvalidSignature"):
        actions.register_for(
            client,
            PLATFORM,
            creator=SIGNER.address,
            work=work,
            nonce=0,
            deadline=deadline,
            signature=signature,
        )
