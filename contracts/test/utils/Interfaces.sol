// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";

import {IGenIPRegistry} from "../../src/interfaces/IGenIPRegistry.sol";
import {ILicensingHub} from "../../src/interfaces/ILicensingHub.sol";
import {ILicenseToken} from "../../src/interfaces/ILicenseToken.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";

/// @notice Everything the registry exposes: the spec interface plus the standards it implements and the
/// constants its NatSpec names. Tests talk to the contracts only through these.
interface IGenIPRegistryFull is IGenIPRegistry, IERC721Metadata, IERC2981, IAccessControlDefaultAdminRules {
    function CHECKER_ROLE() external view returns (bytes32);
    function MAX_ROYALTY_BPS() external view returns (uint256);
    function PROMPT_DOMAIN() external view returns (bytes32);
}

interface ILicensingHubFull is ILicensingHub, IAccessControlDefaultAdminRules, IERC165 {
    function REFERRER_ROLE() external view returns (bytes32);
    function MAX_REFERRAL_FEE_BPS() external view returns (uint256);
    function MAX_PARENTS() external view returns (uint256);
    function MAX_ANCESTORS() external view returns (uint256);
    function MAX_DEPTH() external view returns (uint256);
    function MAX_PLATFORM_FEE_BPS() external view returns (uint256);
}

interface ILicenseTokenFull is ILicenseToken, IERC721 {}

interface IDisputeCourtFull is IDisputeCourt, IAccessControlDefaultAdminRules {
    function ARBITER_ROLE() external view returns (bytes32);
}

/// @notice The ERC-20 surface of `dev/DemoToken.sol` and the test mocks.
interface IMintableERC20 {
    function mint(address to, uint256 amount) external;
    function approve(address spender, uint256 amount) external returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}
