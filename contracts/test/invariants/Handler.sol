// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../../src/interfaces/IGenIPRegistry.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";
import {
    DisputeStatus, License, LicenseTerms, Offer, Standing, Tier, WorkKind
} from "../../src/types/GenIPTypes.sol";

import {Vm, vm} from "../utils/Vm.sol";
import {
    IDisputeCourtFull, IGenIPRegistryFull, ILicensingHubFull, ILicenseTokenFull, IMintableERC20
} from "../utils/Interfaces.sol";

/// @notice Drives the registry, the hub and the court with bounded, mostly-valid calls from a fixed cast of
/// actors, and keeps ghost records the invariants compare against. Calls that the contracts refuse are caught
/// and counted, so the ghosts only move on success. Registration goes commit → (next block) reveal, single leaves
/// or two-leaf Merkle roots; a copier now and then tries to take a pending work; disputes go through the court
/// with native bonds, taint included.
contract Handler {
    address internal constant NATIVE = address(0);
    bytes32 internal constant LICENSE_PURCHASED =
        keccak256("LicensePurchased(uint256,uint256,uint256,address,address,address,uint256,uint64,address)");

    /// @dev A commitment the handler made and has not revealed yet.
    struct Pending {
        address creator;
        uint256 contentSeed;
        bytes32 salt;
        bytes32 sibling; // 0: the leaf was committed on its own; else the other leaf of a two-leaf root
        uint256 blockNumber;
    }

    IDisputeCourtFull public immutable court;
    address public immutable admin;
    address public immutable referrer;

    IGenIPRegistryFull public immutable registry;
    ILicensingHubFull public immutable hub;
    ILicenseTokenFull public immutable licenseToken;
    IMintableERC20 public immutable usd;
    address public immutable arbiter;
    address public immutable treasury;

    address[] internal _actors;
    address[2] internal _currencies;

    // what exists
    uint256[] public assetIds;
    bytes32[] public contentHashes;
    uint256[] public offerIds;
    mapping(address holder => uint256[]) internal _licencesOf;
    uint256 public licencesBought;

    // ghost money, per currency
    mapping(address currency => uint256) public ghostIn; // reached the hub: sales, payments, swept royalties
    mapping(address currency => uint256) public ghostOut; // left the hub: withdrawals
    mapping(address currency => uint256) public ghostPricePaid; // buyers' balance drops on successful purchases
    mapping(address currency => uint256) public ghostPurchasedPrice; // sum of LicensePurchased.price

    // commitments and disputes
    Pending[] internal _pending;
    uint256 internal _saltNonce;
    mapping(bytes32 leaf => uint256 blockNumber) public ghostCommittedAt; // leaves the handler committed
    mapping(uint256 assetId => bytes32 leaf) public ghostLeafOf; // the leaf each certificate was revealed with
    mapping(uint256 assetId => bool) public ghostLeafAlone; // that leaf was committed on its own (consumed)
    uint256 public ghostMintedWithoutCommitment; // certificates minted from no earlier handler commitment
    uint256 public ghostCopierWins; // a copier got a certificate for someone else's pending work
    uint256 public ghostSoldWhileNotClear; // licences or derivatives had on an asset that was not Clear
    uint256[] public disputeIds;
    uint256[2][] internal _heldKeys; // (assetId, disputeId) pairs that may hold funds
    mapping(address currency => uint256) public ghostBondsIn;
    mapping(address currency => uint256) public ghostBondsOut;

    // call counters (for the summary)
    mapping(bytes32 => uint256) public calls;
    mapping(bytes32 => uint256) public refused;

    constructor(
        IGenIPRegistryFull registry_,
        ILicensingHubFull hub_,
        IDisputeCourtFull court_,
        IMintableERC20 usd_,
        address[4] memory roles, // arbiter, treasury, admin, referrer
        address[] memory actors_
    ) {
        registry = registry_;
        hub = hub_;
        court = court_;
        address arbiter_ = roles[0];
        address treasury_ = roles[1];
        admin = roles[2];
        referrer = roles[3];
        licenseToken = ILicenseTokenFull(address(hub_.licenseToken()));
        usd = usd_;
        arbiter = arbiter_;
        treasury = treasury_;
        _actors = actors_;
        _currencies = [NATIVE, address(usd_)];
    }

    // ─────────────────────────────── actions ───────────────────────────────

    /// @dev `creator` commits one leaf, or a two-leaf Merkle root (both its own works), for a later reveal.
    function commit(uint256 actorSeed, uint256 contentSeed, bool pair) external {
        address creator = _actor(actorSeed);
        bytes32 salt = keccak256(abi.encode("handler salt", ++_saltNonce));
        bytes32 leaf = registry.registrationLeaf(creator, _work(contentSeed, 0).contentHash, salt);
        bytes32 root = leaf;
        bytes32 sibling;
        if (pair) {
            uint256 otherSeed = _add(contentSeed, 1);
            sibling = registry.registrationLeaf(creator, _work(otherSeed, 0).contentHash, salt);
            root = _hashPair(leaf, sibling);
            _pending.push(Pending(creator, otherSeed, salt, leaf, block.number));
        }
        vm.prank(creator);
        try registry.commit(root) {
            ghostCommittedAt[leaf] = block.number;
            if (pair) ghostCommittedAt[sibling] = block.number;
            _pending.push(Pending(creator, contentSeed, salt, sibling, block.number));
            _ok("commit");
        } catch {
            if (pair) _pending.pop();
            _refused("commit");
        }
    }

    /// @dev Reveals one pending commitment (moving to the next block first when it was made in this one).
    /// A copier first tries to take the work: with no commitment of its own, and with one made in this block.
    function register(uint256 pendingSeed, uint8 kind, uint256 copierSeed) external {
        uint256 n = _pending.length;
        if (n == 0) return;
        uint256 i = pendingSeed % n;
        Pending memory p = _pending[i];
        _pending[i] = _pending[n - 1];
        _pending.pop();
        IGenIPRegistry.Work memory work = _work(p.contentSeed, kind);
        _tryCopy(_actor(copierSeed), work);
        if (p.blockNumber >= block.number) vm.roll(block.number + 1);
        vm.prank(p.creator);
        try registry.register(work, p.salt, _proof(p.sibling)) returns (uint256 id) {
            _recordAsset(id, work.contentHash);
            _recordLeaf(id, p.creator, work.contentHash, p.salt, p.sibling == bytes32(0));
            _ok("register");
        } catch {
            _refused("register");
        }
    }

    /// @dev A copier who saw `work` pending: neither revealing without a commitment nor committing and revealing
    /// in the same block may mint it.
    function _tryCopy(address copier, IGenIPRegistry.Work memory work) internal {
        bytes32 salt = keccak256(abi.encode("copier", ++_saltNonce));
        vm.prank(copier);
        try registry.register(work, salt, new bytes32[](0)) returns (uint256 id) {
            ++ghostCopierWins;
            _recordAsset(id, work.contentHash);
        } catch {}
        vm.prank(copier);
        try registry.commit(registry.registrationLeaf(copier, work.contentHash, salt)) {} catch {}
        vm.prank(copier);
        try registry.register(work, salt, new bytes32[](0)) returns (uint256 id) {
            ++ghostCopierWins;
            _recordAsset(id, work.contentHash);
        } catch {}
    }

    /// @dev Commits `creator`'s leaf for `work` and moves to the next block, for a derivative's reveal.
    function _commitNow(address creator, IGenIPRegistry.Work memory work) internal returns (bytes32 salt) {
        salt = keccak256(abi.encode("handler salt", ++_saltNonce));
        bytes32 leaf = registry.registrationLeaf(creator, work.contentHash, salt);
        vm.prank(creator);
        registry.commit(leaf);
        ghostCommittedAt[leaf] = block.number;
        vm.roll(block.number + 1);
    }

    function _recordLeaf(uint256 id, address creator, bytes32 contentHash, bytes32 salt, bool alone) internal {
        bytes32 leaf = registry.registrationLeaf(creator, contentHash, salt);
        uint256 at = ghostCommittedAt[leaf];
        if (at == 0 || at >= block.number) ++ghostMintedWithoutCommitment;
        ghostLeafOf[id] = leaf;
        ghostLeafAlone[id] = alone;
    }

    function _proof(bytes32 sibling) internal pure returns (bytes32[] memory proof) {
        if (sibling == bytes32(0)) return new bytes32[](0);
        proof = new bytes32[](1);
        proof[0] = sibling;
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function createOffer(
        uint256 assetSeed,
        uint256 currencySeed,
        uint256 price,
        uint32 duration,
        uint32 supplyCap,
        uint16 revShareBps,
        uint8 flags
    ) external {
        if (assetIds.length == 0) return;
        uint256 assetId = _pick(assetIds, assetSeed);
        address currency = _currencies[currencySeed % 2];
        price = _bound(price, 1, currency == NATIVE ? 100 ether : 1e12);
        duration = uint32(duration % 4 == 0 ? 0 : _bound(duration, 1 hours, 30 days));
        supplyCap = uint32(_bound(supplyCap, 0, 4));
        revShareBps = uint16(_bound(revShareBps, 0, 4000));
        LicenseTerms memory terms = LicenseTerms({
            // Half the offers are Generation (reusable licences); those without derivatives are refused.
            tier: flags & 8 != 0 ? Tier.Generation : Tier.Extended,
            commercialUse: flags & 1 == 1,
            derivativesAllowed: flags & 6 != 0, // three times in four
            transferable: false,
            revShareBps: revShareBps,
            documentHash: keccak256("terms"),
            documentUri: "ipfs://terms"
        });
        address owner = registry.ownerOf(assetId);
        vm.prank(owner);
        try hub.createOffer(assetId, terms, currency, price, duration, supplyCap) returns (uint256 offerId) {
            offerIds.push(offerId);
            _ok("createOffer");
        } catch {
            _refused("createOffer");
        }
    }

    function buyLicense(uint256 actorSeed, uint256 offerSeed) external {
        if (offerIds.length == 0) return;
        if (_buy(_actor(actorSeed), _pick(offerIds, offerSeed)) != 0) _ok("buyLicense");
        else _refused("buyLicense");
    }

    function registerDerivative(uint256 actorSeed, uint256 startSeed, uint256 count, uint256 contentSeed) external {
        count = _bound(count, 1, 3);
        // The first actor, from the seed on, holding a usable derivative licence.
        for (uint256 a; a < _actors.length; ++a) {
            address creator = _actor(_add(actorSeed, a));
            uint256[] memory picked = _usableLicences(creator, startSeed, count);
            if (picked.length == 0) continue;
            IGenIPRegistry.Work memory work = _work(contentSeed, 0);
            bool clear = _parentsClear(picked);
            bytes32 salt = _commitNow(creator, work);
            vm.prank(creator);
            try hub.registerDerivative(picked, work, salt, new bytes32[](0)) returns (uint256 id) {
                if (!clear) ++ghostSoldWhileNotClear;
                _recordAsset(id, work.contentHash);
                _recordLeaf(id, creator, work.contentHash, salt, true);
                _ok("registerDerivative");
            } catch {
                _refused("registerDerivative");
            }
            return;
        }
    }

    /// @dev Up to `count` of `holder`'s unused (or generation: never used up), unexpired derivative licences on
    /// distinct assets.
    function _usableLicences(address holder, uint256 startSeed, uint256 count)
        internal
        view
        returns (uint256[] memory picked)
    {
        uint256[] storage held = _licencesOf[holder];
        picked = new uint256[](count);
        uint256[] memory parents = new uint256[](count);
        uint256 n;
        for (uint256 i; i < held.length && n < count; ++i) {
            uint256 licenseId = held[_add(startSeed, i) % held.length];
            License memory l = licenseToken.licenseOf(licenseId);
            if (!l.derivativesAllowed || l.usedForDerivative) continue;
            if (l.expiresAt != 0 && l.expiresAt <= block.timestamp) continue;
            bool dup;
            for (uint256 j; j < n; ++j) {
                if (parents[j] == l.assetId) dup = true;
            }
            if (dup) continue;
            picked[n] = licenseId;
            parents[n] = l.assetId;
            ++n;
        }
        assembly ("memory-safe") {
            mstore(picked, n)
        }
    }

    /// @dev Grows lineages deeper than random calls would: the owners of one or two of the newest assets
    /// publish derivative offers, an actor buys them and registers a derivative under both.
    function extendLineage(uint256 actorSeed, uint256 parentSeed, uint16 revShareBps, uint256 contentSeed) external {
        uint256 n = assetIds.length;
        if (n == 0) return;
        address creator = _actor(actorSeed);
        uint256 parentCount = n > 1 && parentSeed % 3 == 0 ? 2 : 1;
        uint256[] memory licenceIds = new uint256[](parentCount);
        for (uint256 i; i < parentCount; ++i) {
            uint256 parent = assetIds[n - 1 - ((parentSeed >> (8 * i)) % (n < 4 ? n : 4) + i) % n];
            uint256 offerId = _publish(parent, uint16(_bound(revShareBps >> i, 0, 3000)));
            if (offerId == 0) return;
            licenceIds[i] = _buy(creator, offerId);
            if (licenceIds[i] == 0) return;
        }
        IGenIPRegistry.Work memory work = _work(contentSeed, 0);
        bool clear = _parentsClear(licenceIds);
        bytes32 salt = _commitNow(creator, work);
        vm.prank(creator);
        try hub.registerDerivative(licenceIds, work, salt, new bytes32[](0)) returns (uint256 id) {
            if (!clear) ++ghostSoldWhileNotClear;
            _recordAsset(id, work.contentHash);
            _recordLeaf(id, creator, work.contentHash, salt, true);
            _ok("extendLineage");
        } catch {
            _refused("extendLineage");
        }
    }

    function _publish(uint256 assetId, uint16 revShareBps) internal returns (uint256 offerId) {
        LicenseTerms memory terms = LicenseTerms({
            tier: Tier.Extended,
            commercialUse: true,
            derivativesAllowed: true,
            transferable: false,
            revShareBps: revShareBps,
            documentHash: keccak256("terms"),
            documentUri: "ipfs://terms"
        });
        address owner = registry.ownerOf(assetId);
        vm.prank(owner);
        try hub.createOffer(assetId, terms, NATIVE, 1 gwei, 0, 0) returns (uint256 id) {
            offerIds.push(id);
            offerId = id;
        } catch {}
    }

    /// @dev `buyer` buys under `offerId` with the ghost bookkeeping of {buyLicense}; 0 when refused.
    function _buy(address buyer, uint256 offerId) internal returns (uint256 licenseId) {
        Offer memory o = hub.offer(offerId);
        uint256 before = _fund(buyer, o.currency, o.price);
        (Standing standing,) = hub.standingOf(o.assetId);
        address via = offerId % 3 == 0 ? referrer : address(0);
        vm.recordLogs();
        vm.prank(buyer);
        try hub.buyLicense{value: o.currency == NATIVE ? o.price : 0}(offerId, buyer, via) returns (uint256 id) {
            if (standing != Standing.Clear) ++ghostSoldWhileNotClear;
            ghostPricePaid[o.currency] += before - _balance(buyer, o.currency);
            ghostIn[o.currency] += o.price;
            _sumPurchased(vm.getRecordedLogs());
            _licencesOf[buyer].push(id);
            ++licencesBought;
            licenseId = id;
        } catch {
            vm.getRecordedLogs();
        }
    }

    function payRevenue(uint256 actorSeed, uint256 assetSeed, uint256 currencySeed, uint256 amount) external {
        if (assetIds.length == 0) return;
        address payer = _actor(actorSeed);
        uint256 assetId = _pick(assetIds, assetSeed);
        address currency = _currencies[currencySeed % 2];
        amount = _bound(amount, 1, currency == NATIVE ? 1000 ether : 1e15);
        _fund(payer, currency, amount);
        vm.prank(payer);
        try hub.payRevenue{value: currency == NATIVE ? amount : 0}(assetId, currency, amount) {
            ghostIn[currency] += amount;
            _ok("payRevenue");
        } catch {
            _refused("payRevenue");
        }
    }

    function withdraw(uint256 actorSeed, uint256 currencySeed) external {
        address currency = _currencies[currencySeed % 2];
        // The first account, from the seed on, with something to withdraw (the fee recipient included).
        address account = _payee(actorSeed);
        for (uint256 a; a <= _actors.length + 1 && hub.balanceOf(account, currency) == 0; ++a) {
            account = _payee(_add(actorSeed, a));
        }
        uint256 before = _balance(account, currency);
        vm.prank(account);
        try hub.withdraw(currency) returns (uint256 amount) {
            require(_balance(account, currency) - before == amount, "withdraw: amount not received");
            ghostOut[currency] += amount;
            _ok("withdraw");
        } catch {
            _refused("withdraw");
        }
    }

    function raise(uint256 assetSeed, uint256 claimantSeed) external {
        if (assetIds.length == 0) return;
        uint256 assetId = _pick(assetIds, assetSeed);
        address claimant = _actor(claimantSeed);
        (uint96 bond,) = court.bondOf(NATIVE);
        vm.deal(claimant, claimant.balance + bond);
        vm.prank(claimant);
        try court.raise{value: bond}(assetId, keccak256("evidence"), 0, NATIVE) returns (uint256 disputeId) {
            disputeIds.push(disputeId);
            _heldKeys.push([assetId, disputeId]);
            ghostBondsIn[NATIVE] += bond;
            _ok("raise");
        } catch {
            _refused("raise");
        }
    }

    function answer(uint256 disputeSeed) external {
        if (disputeIds.length == 0) return;
        uint256 disputeId = _pick(disputeIds, disputeSeed);
        address owner = registry.ownerOf(court.dispute(disputeId).assetId);
        vm.prank(owner);
        try court.answer(disputeId, keccak256("answer")) {
            _ok("answer");
        } catch {
            _refused("answer");
        }
    }

    /// @dev Rules on an open dispute (from the seed on), waiting out its response window when needed.
    function resolve(uint256 disputeSeed, bool upheld) external {
        uint256 disputeId = _find(disputeSeed, DisputeStatus.Open);
        if (disputeId == 0) return;
        uint256 deadline = court.dispute(disputeId).answerDeadline;
        if (block.timestamp <= deadline) vm.warp(deadline + 1);
        vm.prank(arbiter);
        try court.resolve(disputeId, upheld, keccak256("resolution")) {
            _ok("resolve");
        } catch {
            _refused("resolve");
        }
    }

    function reverse(uint256 disputeSeed) external {
        uint256 disputeId = _find(disputeSeed, DisputeStatus.Upheld);
        if (disputeId == 0) return;
        vm.prank(admin);
        try court.reverse(disputeId, keccak256("reason")) {
            _ok("reverse");
        } catch {
            _refused("reverse");
        }
    }

    function settle(uint256 disputeSeed) external {
        uint256 disputeId = _find(disputeSeed, DisputeStatus.Upheld);
        if (disputeId == 0) return;
        try court.settle(disputeId) {
            _ok("settle");
        } catch {
            _refused("settle");
        }
    }

    /// @dev Taints a descendant of an upheld asset (the first found from the seeds on).
    function propagateTaint(uint256 assetSeed) external {
        uint256 n = assetIds.length;
        for (uint256 i; i < n; ++i) {
            uint256 assetId = _pick(assetIds, _add(assetSeed, i));
            (uint256[] memory ancestors,) = hub.ancestry(assetId);
            for (uint256 k; k < ancestors.length; ++k) {
                (Standing standing, uint256 disputeId) = hub.standingOf(ancestors[k]);
                if (standing != Standing.Upheld) continue;
                try court.propagateTaint(assetId, ancestors[k]) {
                    _heldKeys.push([assetId, disputeId]);
                    _ok("propagateTaint");
                } catch {
                    _refused("propagateTaint");
                }
                return;
            }
        }
    }

    function clearTaint(uint256 assetSeed) external {
        if (assetIds.length == 0) return;
        try court.clearTaint(_pick(assetIds, assetSeed)) {
            _ok("clearTaint");
        } catch {
            _refused("clearTaint");
        }
    }

    function releaseHeld(uint256 keySeed, uint256 currencySeed) external {
        uint256 n = _heldKeys.length;
        if (n == 0) return;
        address currency = _currencies[currencySeed % 2];
        uint256[2] memory key = _heldKeys[keySeed % n];
        for (uint256 i; i < n; ++i) {
            uint256[2] memory candidate = _heldKeys[_add(keySeed, i) % n];
            if (hub.heldOf(candidate[0], candidate[1], currency) > 0) {
                key = candidate;
                break;
            }
        }
        try hub.releaseHeld(key[0], key[1], currency) {
            _ok("releaseHeld");
        } catch {
            _refused("releaseHeld");
        }
    }

    function withdrawBond(uint256 actorSeed) external {
        address account = _actor(actorSeed);
        for (uint256 a; a < _actors.length && court.balanceOf(account, NATIVE) == 0; ++a) {
            account = _actor(_add(actorSeed, a));
        }
        uint256 before = account.balance;
        vm.prank(account);
        try court.withdraw(NATIVE) returns (uint256 amount) {
            require(account.balance - before == amount, "bond withdraw: amount not received");
            ghostBondsOut[NATIVE] += amount;
            _ok("withdrawBond");
        } catch {
            _refused("withdrawBond");
        }
    }

    /// @dev The first dispute from the seed on with `status` (0 when none).
    function _find(uint256 seed, DisputeStatus status) internal view returns (uint256) {
        uint256 n = disputeIds.length;
        for (uint256 i; i < n; ++i) {
            uint256 disputeId = _pick(disputeIds, _add(seed, i));
            if (court.dispute(disputeId).status == status) return disputeId;
        }
        return 0;
    }

    /// @dev Whether every parent behind `licenceIds` is Clear now.
    function _parentsClear(uint256[] memory licenceIds) internal view returns (bool) {
        for (uint256 i; i < licenceIds.length; ++i) {
            (Standing standing,) = hub.standingOf(licenseToken.licenseOf(licenceIds[i]).assetId);
            if (standing != Standing.Clear) return false;
        }
        return true;
    }

    /// @dev A marketplace pays an ERC-2981 royalty to the asset's sink (deployed or not).
    function payRoyaltyToSink(uint256 actorSeed, uint256 assetSeed, uint256 currencySeed, uint256 amount) external {
        if (assetIds.length == 0) return;
        address sink = hub.royaltySinkOf(_pick(assetIds, assetSeed));
        address currency = _currencies[currencySeed % 2];
        amount = _bound(amount, 1, currency == NATIVE ? 100 ether : 1e12);
        if (currency == NATIVE) {
            address payer = _actor(actorSeed);
            vm.deal(payer, payer.balance + amount);
            vm.prank(payer);
            (bool ok,) = sink.call{value: amount}("");
            require(ok, "sink refused a royalty");
        } else {
            usd.mint(sink, amount);
        }
        _ok("payRoyaltyToSink");
    }

    function collectRoyalties(uint256 actorSeed, uint256 assetSeed, uint256 currencySeed) external {
        if (assetIds.length == 0) return;
        vm.prank(_actor(actorSeed));
        try hub.collectRoyalties(_pick(assetIds, assetSeed), _currencies[currencySeed % 2]) returns (uint256 amount) {
            ghostIn[_currencies[currencySeed % 2]] += amount;
            _ok("collectRoyalties");
        } catch {
            _refused("collectRoyalties");
        }
    }

    function transferCertificate(uint256 assetSeed, uint256 toSeed) external {
        if (assetIds.length == 0) return;
        uint256 assetId = _pick(assetIds, assetSeed);
        address owner = registry.ownerOf(assetId);
        vm.prank(owner);
        registry.transferFrom(owner, _actor(toSeed), assetId);
        _ok("transferCertificate");
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 10 days));
        _ok("warp");
    }

    // ─────────────────────────────── views for the invariants ───────────────────────────────

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function currencies() external view returns (address[2] memory) {
        return _currencies;
    }

    function assetCount() external view returns (uint256) {
        return assetIds.length;
    }

    function heldKeys() external view returns (uint256[2][] memory) {
        return _heldKeys;
    }

    function disputeCount() external view returns (uint256) {
        return disputeIds.length;
    }

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](25);
        s[0] = this.commit.selector;
        s[1] = this.register.selector;
        s[2] = this.createOffer.selector;
        s[3] = this.buyLicense.selector;
        s[4] = this.buyLicense.selector; // buying is weighted up: it feeds derivatives and the money checks
        s[5] = this.registerDerivative.selector;
        s[6] = this.payRevenue.selector;
        s[7] = this.withdraw.selector;
        s[8] = this.raise.selector;
        s[9] = this.resolve.selector;
        s[10] = this.releaseHeld.selector;
        s[11] = this.payRoyaltyToSink.selector;
        s[12] = this.collectRoyalties.selector;
        s[13] = this.transferCertificate.selector;
        s[14] = this.warp.selector;
        s[15] = this.extendLineage.selector;
        s[16] = this.answer.selector;
        s[17] = this.reverse.selector;
        s[18] = this.settle.selector;
        s[19] = this.propagateTaint.selector;
        s[20] = this.clearTaint.selector;
        s[21] = this.withdrawBond.selector;
        s[22] = this.commit.selector; // registrations are weighted up too: two calls make one
        s[23] = this.register.selector;
        s[24] = this.payRevenue.selector;
    }

    // ─────────────────────────────── internals ───────────────────────────────

    function _recordAsset(uint256 id, bytes32 contentHash) internal {
        assetIds.push(id);
        contentHashes.push(contentHash);
    }

    function _work(uint256 contentSeed, uint8 kind) internal pure returns (IGenIPRegistry.Work memory) {
        // A small content space, so duplicates are tried now and then.
        uint256 seed = contentSeed % 256;
        return IGenIPRegistry.Work({
            kind: kind % (uint8(type(WorkKind).max) + 1),
            contentHash: keccak256(abi.encodePacked("invariant content", seed)),
            perceptualHash: bytes32(seed),
            promptCommitment: keccak256(abi.encodePacked("prompt", seed)),
            metadataCid: "bafyinvariant"
        });
    }

    /// @dev Gives `who` `amount` more of `currency` (approving the hub for tokens); returns the balance after.
    function _fund(address who, address currency, uint256 amount) internal returns (uint256) {
        if (currency == NATIVE) {
            vm.deal(who, who.balance + amount);
        } else {
            usd.mint(who, amount);
            vm.prank(who);
            usd.approve(address(hub), amount);
        }
        return _balance(who, currency);
    }

    function _balance(address who, address currency) internal view returns (uint256) {
        return currency == NATIVE ? who.balance : usd.balanceOf(who);
    }

    function _sumPurchased(Vm.Log[] memory logs) internal {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != LICENSE_PURCHASED) continue;
            (,, address currency, uint256 price,,) =
                abi.decode(logs[i].data, (address, address, address, uint256, uint64, address));
            ghostPurchasedPrice[currency] += price;
        }
    }

    /// @dev An account that may be owed by the hub: an actor, the fee recipient or the referrer.
    function _payee(uint256 seed) internal view returns (address) {
        uint256 k = seed % (_actors.length + 2);
        if (k == _actors.length) return treasury;
        if (k == _actors.length + 1) return referrer;
        return _actors[k];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function _pick(uint256[] storage list, uint256 seed) internal view returns (uint256) {
        return list[seed % list.length];
    }

    /// @dev Wrapping addition: seeds are arbitrary words.
    function _add(uint256 seed, uint256 offset) internal pure returns (uint256) {
        unchecked {
            return seed + offset;
        }
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }

    function _ok(string memory name) internal {
        ++calls[keccak256(bytes(name))];
    }

    function _refused(string memory name) internal {
        ++refused[keccak256(bytes(name))];
    }
}
