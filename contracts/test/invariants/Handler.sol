// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGenIPRegistry} from "../../src/interfaces/IGenIPRegistry.sol";
import {DisputeStatus, License, LicenseTerms, Offer, Tier, WorkKind} from "../../src/types/GenIPTypes.sol";

import {Vm, vm} from "../utils/Vm.sol";
import {IGenIPRegistryFull, ILicensingHubFull, ILicenseTokenFull, IMintableERC20} from "../utils/Interfaces.sol";

/// @notice Drives the hub with bounded, mostly-valid calls from a fixed cast of actors, and keeps ghost
/// records the invariants compare against. Calls that the contracts refuse are caught and counted, so the
/// ghosts only move on success.
contract Handler {
    address internal constant NATIVE = address(0);
    bytes32 internal constant LICENSE_PURCHASED =
        keccak256("LicensePurchased(uint256,uint256,uint256,address,address,address,uint256,uint64)");

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

    // call counters (for the summary)
    mapping(bytes32 => uint256) public calls;
    mapping(bytes32 => uint256) public refused;

    constructor(
        IGenIPRegistryFull registry_,
        ILicensingHubFull hub_,
        IMintableERC20 usd_,
        address arbiter_,
        address treasury_,
        address[] memory actors_
    ) {
        registry = registry_;
        hub = hub_;
        licenseToken = ILicenseTokenFull(address(hub_.licenseToken()));
        usd = usd_;
        arbiter = arbiter_;
        treasury = treasury_;
        _actors = actors_;
        _currencies = [NATIVE, address(usd_)];
    }

    // ─────────────────────────────── actions ───────────────────────────────

    function register(uint256 actorSeed, uint256 contentSeed, uint8 kind) external {
        address creator = _actor(actorSeed);
        IGenIPRegistry.Work memory work = _work(contentSeed, kind);
        vm.prank(creator);
        try registry.register(work) returns (uint256 id) {
            _recordAsset(id, work.contentHash);
            _ok("register");
        } catch {
            _refused("register");
        }
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
            tier: Tier.Extended,
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
            vm.prank(creator);
            try hub.registerDerivative(picked, work) returns (uint256 id) {
                _recordAsset(id, work.contentHash);
                _ok("registerDerivative");
            } catch {
                _refused("registerDerivative");
            }
            return;
        }
    }

    /// @dev Up to `count` of `holder`'s unused, unexpired derivative licences on distinct assets.
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
        vm.prank(creator);
        try hub.registerDerivative(licenceIds, work) returns (uint256 id) {
            _recordAsset(id, work.contentHash);
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
        vm.recordLogs();
        vm.prank(buyer);
        try hub.buyLicense{value: o.currency == NATIVE ? o.price : 0}(offerId, buyer) returns (uint256 id) {
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
        address account = actorSeed % 6 == 5 ? treasury : _actor(actorSeed);
        for (uint256 a; a <= _actors.length && hub.balanceOf(account, currency) == 0; ++a) {
            account = _add(actorSeed, a) % 6 == 5 ? treasury : _actor(_add(actorSeed, a));
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

    function raiseDispute(uint256 assetSeed) external {
        if (assetIds.length == 0) return;
        vm.prank(arbiter);
        try hub.raiseDispute(_pick(assetIds, assetSeed), keccak256("evidence")) {
            _ok("raiseDispute");
        } catch {
            _refused("raiseDispute");
        }
    }

    function resolveDispute(uint256 assetSeed, bool upheld, uint256 recipientSeed) external {
        if (assetIds.length == 0) return;
        uint256 assetId = _pick(assetIds, assetSeed);
        for (uint256 i; i < assetIds.length; ++i) {
            uint256 candidate = _pick(assetIds, _add(assetSeed, i));
            (DisputeStatus status,) = hub.disputeOf(candidate);
            if (status == DisputeStatus.Open) {
                assetId = candidate;
                break;
            }
        }
        address recipient = upheld ? _actor(recipientSeed) : address(0);
        vm.prank(arbiter);
        try hub.resolveDispute(assetId, upheld, recipient, keccak256("resolution")) {
            _ok("resolveDispute");
        } catch {
            _refused("resolveDispute");
        }
    }

    function releaseHeld(uint256 assetSeed, uint256 currencySeed) external {
        if (assetIds.length == 0) return;
        address currency = _currencies[currencySeed % 2];
        uint256 assetId = _pick(assetIds, assetSeed);
        for (uint256 i; i < assetIds.length; ++i) {
            uint256 candidate = _pick(assetIds, _add(assetSeed, i));
            (DisputeStatus status,) = hub.disputeOf(candidate);
            if (hub.heldOf(candidate, currency) > 0 && status != DisputeStatus.Open) {
                assetId = candidate;
                break;
            }
        }
        try hub.releaseHeld(assetId, currency) {
            _ok("releaseHeld");
        } catch {
            _refused("releaseHeld");
        }
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

    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](15);
        s[0] = this.register.selector;
        s[1] = this.createOffer.selector;
        s[2] = this.buyLicense.selector;
        s[3] = this.buyLicense.selector; // buying is weighted up: it feeds derivatives and the money checks
        s[4] = this.registerDerivative.selector;
        s[5] = this.payRevenue.selector;
        s[6] = this.withdraw.selector;
        s[7] = this.raiseDispute.selector;
        s[8] = this.resolveDispute.selector;
        s[9] = this.releaseHeld.selector;
        s[10] = this.payRoyaltyToSink.selector;
        s[11] = this.collectRoyalties.selector;
        s[12] = this.transferCertificate.selector;
        s[13] = this.warp.selector;
        s[14] = this.extendLineage.selector;
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
            (,, address currency, uint256 price,) =
                abi.decode(logs[i].data, (address, address, address, uint256, uint64));
            ghostPurchasedPrice[currency] += price;
        }
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
