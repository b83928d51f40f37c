"""registerFor: a platform pays gas for a creator's EIP-712-signed registration, once."""

from web3 import Web3

from genip.chain import actions
from genip.chain.client import GenIPClient
from genip.chain.signing import register_typed_data, sign_register
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
    nonce = client.registry.functions.nonces(SIGNER.address).call()
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
    assert client.registry.functions.nonces(SIGNER.address).call() == nonce + 1
    assert eth_balance(client, SIGNER) == signer_eth  # the platform paid the gas
    with reverts("InvalidAccountNonce"):
        actions.register_for(
            client,
            PLATFORM,
            creator=SIGNER.address,
            work=work,
            nonce=nonce,
            deadline=deadline,
            signature=signature,
        )


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
