// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";

import {GenIPRegistry} from "../src/GenIPRegistry.sol";
import {IGenIPRegistry} from "../src/interfaces/IGenIPRegistry.sol";
import {WorkKind, CheckOutcome} from "../src/types/GenIPTypes.sol";

import {Base} from "./utils/Base.sol";
import {vm} from "./utils/Vm.sol";
import {IGenIPRegistryFull} from "./utils/Interfaces.sol";
import {ERC1271Wallet} from "./utils/mocks/ERC1271Wallet.sol";

contract GenIPRegistryTest is Base {
    // Redeclared for expectEmit.
    event WorkRegistered(
        uint256 indexed assetId,
        address indexed creator,
        bytes32 indexed contentHash,
        uint8 kind,
        bytes32 perceptualHash,
        bytes32 promptCommitment,
        string metadataCid,
        address registrar
    );
    event PromptCheckAttested(
        uint256 indexed assetId, address indexed checker, CheckOutcome outcome, bytes32 reportHash
    );
    event HubSet(address indexed hub);
    event RoyaltyRateSet(uint256 indexed assetId, uint16 bps);
    event BaseURISet(string baseURI);

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant SPEC_REGISTER_TYPEHASH = keccak256(
        "Register(address creator,uint8 kind,bytes32 contentHash,bytes32 perceptualHash,bytes32 promptCommitment,string metadataCid,uint256 nonce,uint256 deadline)"
    );

    // ─────────────────────────────── register ───────────────────────────────

    function test_register_mintsCertificateToCaller() public {
        uint256 id = _registerWork(alice, _work(1));

        assertEq(registry.ownerOf(id), alice, "owner");
        assertEq(registry.balanceOf(alice), 1, "balance");
    }

    function test_register_assignsIdsFromOneInOrder() public {
        assertEq(registry.totalAssets(), 0, "no assets yet");
        assertEq(_registerWork(alice, _work(1)), 1, "first id");
        assertEq(_registerWork(bob, _work(2)), 2, "second id");
        assertEq(_registerWork(alice, _work(3)), 3, "third id");
        assertEq(registry.totalAssets(), 3, "totalAssets");
    }

    function test_register_emitsWorkRegisteredWithEveryField() public {
        IGenIPRegistry.Work memory work = _work(7);
        work.kind = uint8(WorkKind.Workflow);
        bytes32 salt = _commit(alice, work.contentHash);

        vm.expectEmit(true, true, true, true, address(registry));
        emit WorkRegistered(
            1, alice, work.contentHash, work.kind, work.perceptualHash, work.promptCommitment, work.metadataCid, alice
        );
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function test_register_recordsContentHashAndPromptCommitment() public {
        IGenIPRegistry.Work memory work = _work(1);
        uint256 id = _registerWork(alice, work);

        assertEq(registry.assetOf(work.contentHash), id, "assetOf");
        assertEq(registry.promptCommitment(id), work.promptCommitment, "promptCommitment");
        assertEq(uint256(registry.promptCheck(id)), uint256(CheckOutcome.Unchecked), "unchecked at first");
    }

    function test_register_acceptsEveryWorkKind() public {
        for (uint8 kind; kind <= uint8(type(WorkKind).max); ++kind) {
            IGenIPRegistry.Work memory work = _work(100 + kind);
            work.kind = kind;
            assertEq(_registerWork(alice, work), kind + 1, "id");
        }
    }

    function test_register_acceptsZeroPerceptualHash() public {
        IGenIPRegistry.Work memory work = _work(1);
        work.kind = uint8(WorkKind.Text);
        work.perceptualHash = bytes32(0);
        assertEq(_registerWork(alice, work), 1, "id");
    }

    function test_register_revertsWhenContentAlreadyRegistered() public {
        IGenIPRegistry.Work memory work = _work(1);
        _registerWork(alice, _work(0));
        uint256 existing = _registerWork(alice, work);

        // Anyone else, with any other metadata and their own valid commitment, is refused for the same bytes.
        work.perceptualHash = keccak256("other");
        work.metadataCid = "bafyother";
        bytes32 salt = _commit(bob, work.contentHash);
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, work.contentHash, existing)
        );
        vm.prank(bob);
        registry.register(work, salt, _noProof());
    }

    function test_register_revertsWhenContentHashIsZero() public {
        IGenIPRegistry.Work memory work = _work(1);
        work.contentHash = bytes32(0);
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(IGenIPRegistry.ZeroContentHash.selector);
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function test_register_revertsWhenPromptCommitmentMissing() public {
        IGenIPRegistry.Work memory work = _work(1);
        work.promptCommitment = bytes32(0);
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.MissingPromptCommitment.selector, work.contentHash));
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function test_register_revertsWhenKindIsInvalid() public {
        IGenIPRegistry.Work memory work = _work(1);
        work.kind = uint8(type(WorkKind).max) + 1;
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidWorkKind.selector, work.kind));
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function testFuzz_register_revertsForAnyInvalidKind(uint8 kind) public {
        kind = uint8(bound(kind, uint256(type(WorkKind).max) + 1, type(uint8).max));
        IGenIPRegistry.Work memory work = _work(1);
        work.kind = kind;
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidWorkKind.selector, kind));
        vm.prank(alice);
        registry.register(work, salt, _noProof());
    }

    function testFuzz_register_isUniquePerContentHash(bytes32 contentHash) public {
        vm.assume(contentHash != bytes32(0));
        IGenIPRegistry.Work memory work = _work(1);
        work.contentHash = contentHash;
        uint256 id = _registerWork(alice, work);
        assertEq(registry.assetOf(contentHash), id, "assetOf");

        bytes32 salt = _commit(bob, contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, contentHash, id));
        vm.prank(bob);
        registry.register(work, salt, _noProof());
    }

    function test_assetOf_returnsZeroForUnknownContent() public view {
        assertEq(registry.assetOf(keccak256("never registered")), 0, "assetOf");
    }

    function test_certificates_areTransferable() public {
        uint256 id = _register(alice);
        vm.prank(alice);
        registry.transferFrom(alice, bob, id);
        assertEq(registry.ownerOf(id), bob, "new owner");
    }

    // ─────────────────────────────── registerFor (EIP-712) ───────────────────────────────

    function test_REGISTER_TYPEHASH_matchesTheSpec() public view {
        assertEq(registry.REGISTER_TYPEHASH(), SPEC_REGISTER_TYPEHASH, "typehash");
    }

    function test_registerFor_mintsToCreatorWhenSignedByCreator() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);

        vm.expectEmit(true, true, true, true, address(registry));
        emit WorkRegistered(
            1, alice, work.contentHash, work.kind, work.perceptualHash, work.promptCommitment, work.metadataCid, bob
        );
        vm.prank(bob); // a platform paying gas
        uint256 id = registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);

        assertEq(id, 1, "id");
        assertEq(registry.ownerOf(id), alice, "certificate goes to the creator");
        assertEq(registry.balanceOf(bob), 0, "relayer gets nothing");
        assertTrue(registry.nonceUsed(alice, 0), "nonce consumed");
        assertFalse(registry.nonceUsed(alice, 1), "other nonces untouched");
    }

    function test_registerFor_revertsWhenSignatureReplayed() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NonceAlreadyUsed.selector, alice, 0));
        vm.prank(carol);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    /// The nonce alone refuses a second use: a second, different work signed with the same nonce.
    function test_registerFor_revertsWhenNonceAlreadyUsed() public {
        uint256 deadline = block.timestamp + 1 hours;
        IGenIPRegistry.Work memory first = _work(1);
        IGenIPRegistry.Work memory second = _work(2);
        bytes32 salt1 = _commit(alice, first.contentHash);
        bytes32 salt2 = _commit(alice, second.contentHash);
        bytes memory sig1 = _signRegister(aliceKey, alice, first, 0, deadline);
        bytes memory sig2 = _signRegister(aliceKey, alice, second, 0, deadline);
        vm.prank(bob);
        registry.registerFor(alice, first, salt1, _noProof(), 0, deadline, sig1);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NonceAlreadyUsed.selector, alice, 0));
        vm.prank(bob);
        registry.registerFor(alice, second, salt2, _noProof(), 0, deadline, sig2);
        assertEq(registry.assetOf(second.contentHash), 0, "not registered");
    }

    /// Nonces are unordered: any unused one works, in any order.
    function test_registerFor_acceptsNoncesInAnyOrder() public {
        uint256 deadline = block.timestamp + 1 hours;
        uint256[3] memory nonces = [uint256(7), 3, type(uint256).max];
        for (uint256 i; i < 3; ++i) {
            IGenIPRegistry.Work memory work = _work(10 + i);
            bytes32 salt = _commit(alice, work.contentHash);
            bytes memory sig = _signRegister(aliceKey, alice, work, nonces[i], deadline);
            vm.prank(bob);
            assertEq(registry.registerFor(alice, work, salt, _noProof(), nonces[i], deadline, sig), i + 1, "id");
            assertTrue(registry.nonceUsed(alice, nonces[i]), "used");
        }
        assertFalse(registry.nonceUsed(alice, 0), "nonce 0 never used");
    }

    function test_registerFor_revertsWhenExpired() public {
        vm.warp(1_000_000);
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.SignatureExpired.selector, deadline, block.timestamp));
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    function test_registerFor_acceptsSignatureAtItsDeadline() public {
        vm.warp(1_000_000);
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, block.timestamp);
        vm.prank(bob);
        assertEq(registry.registerFor(alice, work, salt, _noProof(), 0, block.timestamp, sig), 1, "id");
    }

    function test_registerFor_revertsWhenSignedByAnotherKey() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(malloryKey, alice, work, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, alice));
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    function test_registerFor_revertsWhenWorkChangedAfterSigning() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);
        work.metadataCid = "bafytampered";

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, alice));
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    function test_registerFor_revertsWhenSignedForAnotherRegistry() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        // Same key, same fields, but the domain names a different verifying contract.
        bytes32 structHash = _registerStructHash(alice, work, 0, deadline);
        bytes32 otherDomain =
            keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("Gen-IP"), keccak256("1"), block.chainid, address(0xBEEF)));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", otherDomain, structHash)));

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, alice));
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, abi.encodePacked(r, s, v));
    }

    function test_registerFor_acceptsERC1271ContractWalletSignature() public {
        ERC1271Wallet wallet = new ERC1271Wallet(alice);
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(address(wallet), work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, address(wallet), work, 0, deadline);

        vm.prank(bob);
        uint256 id = registry.registerFor(address(wallet), work, salt, _noProof(), 0, deadline, sig);
        assertEq(registry.ownerOf(id), address(wallet), "wallet owns the certificate");
        assertTrue(registry.nonceUsed(address(wallet), 0), "wallet nonce consumed");
    }

    function test_registerFor_revertsWhenERC1271WalletRejects() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        ERC1271Wallet wallet = new ERC1271Wallet(alice);
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(address(wallet), work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(malloryKey, address(wallet), work, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidSignature.selector, address(wallet)));
        vm.prank(bob);
        registry.registerFor(address(wallet), work, salt, _noProof(), 0, deadline, sig);
    }

    function test_registerFor_enforcesTheSameRulesAsRegister() public {
        IGenIPRegistry.Work memory work = _work(1);
        uint256 existing = _registerWork(bob, work);
        bytes32 salt = _commit(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);

        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, work.contentHash, existing)
        );
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    function test_registerFor_revertsWithoutTheCreatorsCommitment() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _salt(alice, work.contentHash);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signRegister(aliceKey, alice, work, 0, deadline);
        bytes32 leaf = registry.registrationLeaf(alice, work.contentHash, salt);

        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, leaf));
        vm.prank(bob);
        registry.registerFor(alice, work, salt, _noProof(), 0, deadline, sig);
    }

    // ─────────────────────────────── prompt checks ───────────────────────────────

    function test_attestPromptCheck_recordsOutcomeAndEmits() public {
        uint256 id = _register(alice);
        bytes32 report = keccak256("report");

        vm.expectEmit(true, true, true, true, address(registry));
        emit PromptCheckAttested(id, checker, CheckOutcome.Passed, report);
        vm.prank(checker);
        registry.attestPromptCheck(id, CheckOutcome.Passed, report);

        assertEq(uint256(registry.promptCheck(id)), uint256(CheckOutcome.Passed), "outcome");
    }

    function test_attestPromptCheck_laterAttestationReplacesEarlier() public {
        uint256 id = _register(alice);
        vm.startPrank(checker);
        registry.attestPromptCheck(id, CheckOutcome.Passed, keccak256("r1"));
        registry.attestPromptCheck(id, CheckOutcome.Failed, keccak256("r2"));
        vm.stopPrank();
        assertEq(uint256(registry.promptCheck(id)), uint256(CheckOutcome.Failed), "latest outcome");
    }

    function test_attestPromptCheck_revertsWithoutCheckerRole() public {
        uint256 id = _register(alice);
        bytes32 role = registry.CHECKER_ROLE();
        assertEq(role, keccak256("CHECKER_ROLE"), "role id");

        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice); // not even the owner
        registry.attestPromptCheck(id, CheckOutcome.Passed, bytes32(0));
    }

    function test_attestPromptCheck_revertsWhenOutcomeIsUnchecked() public {
        uint256 id = _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.InvalidCheckOutcome.selector, CheckOutcome.Unchecked));
        vm.prank(checker);
        registry.attestPromptCheck(id, CheckOutcome.Unchecked, bytes32(0));
    }

    // ─────────────────────────────── prompt commitments ───────────────────────────────

    function test_promptCommitmentFor_isTheDomainSeparatedCreatorBoundHash() public view {
        bytes memory prompt = "a lighthouse in a storm, oil on canvas";
        bytes32 salt = keccak256("salt");
        bytes32 domain = registry.PROMPT_DOMAIN();
        assertEq(domain, keccak256("Gen-IP prompt commitment v2"), "domain");
        assertEq(
            registry.promptCommitmentFor(alice, prompt, salt),
            keccak256(abi.encode(domain, alice, salt, keccak256(prompt))),
            "formula"
        );
    }

    function test_verifyPrompt_trueForTheCommittedSaltAndPrompt() public {
        bytes memory prompt = "a lighthouse in a storm, oil on canvas";
        bytes32 salt = keccak256("salt");
        IGenIPRegistry.Work memory work = _work(1);
        work.promptCommitment = registry.promptCommitmentFor(alice, prompt, salt);
        uint256 id = _registerWork(alice, work);

        assertTrue(registry.verifyPrompt(id, alice, prompt, salt), "right prompt and salt");
        assertFalse(registry.verifyPrompt(id, alice, "a lighthouse in a storm", salt), "other prompt");
        assertFalse(registry.verifyPrompt(id, alice, prompt, keccak256("other salt")), "other salt");
        assertFalse(registry.verifyPrompt(id, bob, prompt, salt), "other creator");
    }

    function test_verifyPrompt_falseForAnUnknownAsset() public view {
        assertFalse(registry.verifyPrompt(1, alice, "", bytes32(0)), "no commitment, no match");
        assertFalse(registry.verifyPromptPart(1, alice, "prompt", "", bytes32(0), new bytes32[](0)), "no commitment");
    }

    function testFuzz_verifyPrompt_matchesTheCommitment(bytes memory prompt, bytes32 salt, bytes32 otherSalt) public {
        vm.assume(salt != otherSalt);
        IGenIPRegistry.Work memory work = _work(1);
        work.promptCommitment = registry.promptCommitmentFor(alice, prompt, salt);
        uint256 id = _registerWork(alice, work);

        assertTrue(registry.verifyPrompt(id, alice, prompt, salt), "committed");
        assertFalse(registry.verifyPrompt(id, alice, prompt, otherSalt), "other salt");
    }

    function test_verifyPromptPart_provesEachPartOfAMerkleCommitment() public {
        string[5] memory parts = ["prompt", "negative_prompt", "seed", "model", "workflow"];
        bytes[5] memory values =
            [bytes("a lighthouse in a storm"), "blurry, watermark", "421337", "sdxl-base-1.0", "{}"];
        bytes32 salt = keccak256("salt");
        bytes32[] memory leaves = new bytes32[](5);
        for (uint256 i; i < 5; ++i) {
            leaves[i] = _promptLeaf(alice, parts[i], values[i], salt);
        }
        (bytes32 root, bytes32[][] memory proofs) = _merkle5(leaves);

        IGenIPRegistry.Work memory work = _work(1);
        work.promptCommitment = root;
        uint256 id = _registerWork(alice, work);

        for (uint256 i; i < 5; ++i) {
            assertTrue(registry.verifyPromptPart(id, alice, parts[i], values[i], salt, proofs[i]), "part proves");
        }
        assertFalse(registry.verifyPromptPart(id, alice, "seed", "1", salt, proofs[2]), "wrong value");
        assertFalse(registry.verifyPromptPart(id, alice, "model", values[2], salt, proofs[2]), "wrong part name");
        assertFalse(registry.verifyPromptPart(id, alice, "seed", values[2], bytes32(0), proofs[2]), "wrong salt");
        assertFalse(registry.verifyPromptPart(id, alice, parts[0], values[0], salt, proofs[2]), "proof of another part");
        assertFalse(registry.verifyPromptPart(id, alice, parts[4], values[4], salt, new bytes32[](0)), "empty proof");
        assertFalse(registry.verifyPromptPart(id, bob, parts[0], values[0], salt, proofs[0]), "other creator");
    }

    function test_verifyPromptPart_refusesAnInnerNodeAsALeaf() public {
        bytes32 salt = keccak256("salt");
        bytes32[] memory leaves = new bytes32[](5);
        for (uint256 i; i < 5; ++i) {
            leaves[i] = _promptLeaf(alice, "prompt", abi.encode(i), salt);
        }
        (bytes32 root,) = _merkle5(leaves);
        IGenIPRegistry.Work memory work = _work(1);
        work.promptCommitment = root;
        uint256 id = _registerWork(alice, work);
        // Presenting the root's preimage halves as a "part" cannot work: leaves are hashed twice.
        assertFalse(registry.verifyPromptPart(id, alice, "", abi.encode(root), bytes32(0), new bytes32[](0)), "root");
    }

    // ─────────────────────────────── hub ───────────────────────────────

    function test_setHub_setsHubOnceAndEmits() public {
        IGenIPRegistryFull fresh = IGenIPRegistryFull(address(new GenIPRegistry(admin, ADMIN_DELAY)));
        assertEq(fresh.hub(), address(0), "unset");

        vm.expectEmit(true, true, true, true, address(fresh));
        emit HubSet(address(hub));
        vm.prank(admin);
        fresh.setHub(address(hub));
        assertEq(fresh.hub(), address(hub), "hub");
    }

    function test_setHub_revertsWhenAlreadySet() public {
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.HubAlreadySet.selector, address(hub)));
        vm.prank(admin);
        registry.setHub(stranger);
    }

    function test_setHub_revertsForZeroAddress() public {
        IGenIPRegistryFull fresh = IGenIPRegistryFull(address(new GenIPRegistry(admin, ADMIN_DELAY)));
        vm.expectRevert(IGenIPRegistry.ZeroHub.selector);
        vm.prank(admin);
        fresh.setHub(address(0));
    }

    function test_setHub_revertsWhenCallerIsNotAdmin() public {
        IGenIPRegistryFull fresh = IGenIPRegistryFull(address(new GenIPRegistry(admin, ADMIN_DELAY)));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        vm.prank(stranger);
        fresh.setHub(address(hub));
    }

    function test_mintDerivative_revertsWhenCallerIsNotHub() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NotHub.selector, admin));
        vm.prank(admin);
        registry.mintDerivative(alice, work, salt, _noProof());
    }

    function test_mintDerivative_mintsToCreatorWithHubAsRegistrar() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectEmit(true, true, true, true, address(registry));
        emit WorkRegistered(
            1,
            alice,
            work.contentHash,
            work.kind,
            work.perceptualHash,
            work.promptCommitment,
            work.metadataCid,
            address(hub)
        );
        vm.prank(address(hub));
        uint256 id = registry.mintDerivative(alice, work, salt, _noProof());
        assertEq(registry.ownerOf(id), alice, "owner");
    }

    function test_mintDerivative_refusesAlreadyRegisteredContent() public {
        IGenIPRegistry.Work memory work = _work(1);
        uint256 existing = _registerWork(bob, work);
        bytes32 salt = _commit(alice, work.contentHash);
        vm.expectRevert(
            abi.encodeWithSelector(IGenIPRegistry.ContentAlreadyRegistered.selector, work.contentHash, existing)
        );
        vm.prank(address(hub));
        registry.mintDerivative(alice, work, salt, _noProof());
    }

    function test_mintDerivative_requiresTheCreatorsCommitment() public {
        IGenIPRegistry.Work memory work = _work(1);
        bytes32 salt = _commit(bob, work.contentHash); // bob's leaf, not alice's
        bytes32 aliceLeaf = registry.registrationLeaf(alice, work.contentHash, salt);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.UnknownCommitment.selector, aliceLeaf));
        vm.prank(address(hub));
        registry.mintDerivative(alice, work, salt, _noProof());
    }

    // ─────────────────────────────── ERC-2981 ───────────────────────────────

    function test_royaltyInfo_paysTheAssetsRoyaltySinkAtTheDefaultRate() public {
        uint256 id = _register(alice);
        vm.expectEmit(true, true, true, true, address(registry));
        emit RoyaltyRateSet(0, 500);
        vm.prank(admin);
        registry.setDefaultRoyaltyRate(500);

        (address receiver, uint256 amount) = registry.royaltyInfo(id, 1 ether);
        assertEq(receiver, hub.royaltySinkOf(id), "receiver is the sink");
        assertEq(amount, 0.05 ether, "5 %");
    }

    function test_royaltyInfo_usesThePerAssetRateSetByTheOwner() public {
        uint256 id = _register(alice);
        uint256 other = _register(alice);
        vm.prank(admin);
        registry.setDefaultRoyaltyRate(500);

        vm.expectEmit(true, true, true, true, address(registry));
        emit RoyaltyRateSet(id, 750);
        vm.prank(alice);
        registry.setRoyaltyRate(id, 750);

        (address receiver, uint256 amount) = registry.royaltyInfo(id, 10_000);
        assertEq(receiver, hub.royaltySinkOf(id), "receiver");
        assertEq(amount, 750, "own rate");
        (, amount) = registry.royaltyInfo(other, 10_000);
        assertEq(amount, 500, "others keep the default");
    }

    function test_setRoyaltyRate_zeroFallsBackToTheDefault() public {
        uint256 id = _register(alice);
        vm.prank(admin);
        registry.setDefaultRoyaltyRate(400);
        vm.startPrank(alice);
        registry.setRoyaltyRate(id, 900);
        registry.setRoyaltyRate(id, 0);
        vm.stopPrank();
        (, uint256 amount) = registry.royaltyInfo(id, 10_000);
        assertEq(amount, 400, "default again");
    }

    function test_setRoyaltyRate_allowsApprovedOperator() public {
        uint256 id = _register(alice);
        vm.prank(alice);
        registry.setApprovalForAll(bob, true);
        vm.prank(bob);
        registry.setRoyaltyRate(id, 300);
        (, uint256 amount) = registry.royaltyInfo(id, 10_000);
        assertEq(amount, 300, "operator's rate");
    }

    function test_setRoyaltyRate_revertsWhenCallerIsNotOwner() public {
        uint256 id = _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.NotAssetOwner.selector, id, bob, alice));
        vm.prank(bob);
        registry.setRoyaltyRate(id, 300);
    }

    function test_setRoyaltyRate_revertsAboveTheCap() public {
        uint256 id = _register(alice);
        uint16 max = uint16(registry.MAX_ROYALTY_BPS());
        assertLe(max, 10_000, "cap is at most 100 %");

        vm.prank(alice);
        registry.setRoyaltyRate(id, max); // the cap itself is allowed
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.RoyaltyRateTooHigh.selector, max + 1, max));
        vm.prank(alice);
        registry.setRoyaltyRate(id, max + 1);
    }

    function test_setDefaultRoyaltyRate_revertsAboveTheCap() public {
        uint16 max = uint16(registry.MAX_ROYALTY_BPS());
        vm.expectRevert(abi.encodeWithSelector(IGenIPRegistry.RoyaltyRateTooHigh.selector, max + 1, max));
        vm.prank(admin);
        registry.setDefaultRoyaltyRate(max + 1);
    }

    function test_setDefaultRoyaltyRate_revertsWhenCallerIsNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        vm.prank(alice);
        registry.setDefaultRoyaltyRate(100);
    }

    function testFuzz_royaltyInfo_isTheRateOfTheSalePrice(uint256 salePrice, uint16 bps) public {
        uint256 id = _register(alice);
        bps = uint16(bound(bps, 1, registry.MAX_ROYALTY_BPS()));
        salePrice = bound(salePrice, 0, type(uint128).max);
        vm.prank(alice);
        registry.setRoyaltyRate(id, bps);
        (address receiver, uint256 amount) = registry.royaltyInfo(id, salePrice);
        assertEq(receiver, hub.royaltySinkOf(id), "receiver");
        assertEq(amount, salePrice * bps / 10_000, "amount");
    }

    // ─────────────────────────────── metadata & interfaces ───────────────────────────────

    function test_setBaseURI_makesTokenURIBasePlusId() public {
        uint256 id = _register(alice);
        vm.expectEmit(true, true, true, true, address(registry));
        emit BaseURISet("https://gen-ip.example/assets/");
        vm.prank(admin);
        registry.setBaseURI("https://gen-ip.example/assets/");
        assertEq(registry.tokenURI(id), "https://gen-ip.example/assets/1", "tokenURI");
    }

    function test_setBaseURI_revertsWhenCallerIsNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        vm.prank(alice);
        registry.setBaseURI("ipfs://evil/");
    }

    function test_supportsInterface_declaresERC721MetadataERC2981AndAccessControl() public view {
        assertTrue(registry.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertTrue(registry.supportsInterface(type(IERC721).interfaceId), "ERC-721");
        assertTrue(registry.supportsInterface(type(IERC721Metadata).interfaceId), "ERC-721 metadata");
        assertTrue(registry.supportsInterface(type(IERC2981).interfaceId), "ERC-2981");
        assertTrue(registry.supportsInterface(type(IAccessControl).interfaceId), "AccessControl");
        assertTrue(registry.supportsInterface(type(IAccessControlDefaultAdminRules).interfaceId), "DefaultAdminRules");
        assertFalse(registry.supportsInterface(0xffffffff), "0xffffffff");
    }

    // ─────────────────────────────── admin ───────────────────────────────

    function test_defaultAdmin_transferTakesTwoStepsAndTheDelay() public {
        address newAdmin = makeAddr("newAdmin");
        assertEq(registry.defaultAdmin(), admin, "initial admin");
        assertEq(registry.defaultAdminDelay(), ADMIN_DELAY, "delay");

        vm.prank(admin);
        registry.beginDefaultAdminTransfer(newAdmin);
        (address pending, uint48 schedule) = registry.pendingDefaultAdmin();
        assertEq(pending, newAdmin, "pending");
        assertEq(schedule, block.timestamp + ADMIN_DELAY, "schedule");

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, schedule
            )
        );
        vm.prank(newAdmin);
        registry.acceptDefaultAdminTransfer();

        vm.warp(uint256(schedule) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, stranger)
        );
        vm.prank(stranger);
        registry.acceptDefaultAdminTransfer();

        vm.prank(newAdmin);
        registry.acceptDefaultAdminTransfer();
        assertEq(registry.defaultAdmin(), newAdmin, "new admin");
        assertFalse(registry.hasRole(bytes32(0), admin), "old admin lost the role");

        vm.prank(newAdmin);
        registry.setDefaultRoyaltyRate(100); // works for the new admin
    }

    function test_grantRole_refusesToGrantDefaultAdminDirectly() public {
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        vm.prank(admin);
        registry.grantRole(bytes32(0), bob);
    }

    // ─────────────────────────────── helpers ───────────────────────────────

    function _registerWork(address creator, IGenIPRegistry.Work memory work) internal returns (uint256 id) {
        return _register(creator, work);
    }

    function _registerStructHash(address creator, IGenIPRegistry.Work memory work, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                SPEC_REGISTER_TYPEHASH,
                creator,
                work.kind,
                work.contentHash,
                work.perceptualHash,
                work.promptCommitment,
                keccak256(bytes(work.metadataCid)),
                nonce,
                deadline
            )
        );
    }

    function _domainSeparator() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("Gen-IP"), keccak256("1"), block.chainid, address(registry))
            );
    }

    function _signRegister(
        uint256 key,
        address creator,
        IGenIPRegistry.Work memory work,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 digest = keccak256(
            abi.encodePacked("\x19\x01", _domainSeparator(), _registerStructHash(creator, work, nonce, deadline))
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _promptLeaf(address creator, string memory part, bytes memory value, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(creator, part, salt, value))));
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @dev Tree over 5 leaves: ((L0 L1)(L2 L3)) L4.
    function _merkle5(bytes32[] memory l) internal pure returns (bytes32 root, bytes32[][] memory proofs) {
        bytes32 n01 = _hashPair(l[0], l[1]);
        bytes32 n23 = _hashPair(l[2], l[3]);
        bytes32 n0123 = _hashPair(n01, n23);
        root = _hashPair(n0123, l[4]);
        proofs = new bytes32[][](5);
        proofs[0] = _proof(l[1], n23, l[4]);
        proofs[1] = _proof(l[0], n23, l[4]);
        proofs[2] = _proof(l[3], n01, l[4]);
        proofs[3] = _proof(l[2], n01, l[4]);
        proofs[4] = new bytes32[](1);
        proofs[4][0] = n0123;
    }

    function _proof(bytes32 a, bytes32 b, bytes32 c) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](3);
        p[0] = a;
        p[1] = b;
        p[2] = c;
    }
}
