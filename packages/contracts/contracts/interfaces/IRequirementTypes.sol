// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Marker interfaces whose `interfaceId` is the `kind` of an `AccessRequirement` (ERC-8257).
/// Each has one zero-argument function, so `interfaceId == bytes4(keccak256("<name>()"))`, and
/// fixes the ABI layout of the requirement's `data`.

/// @notice ERC-8257 kind for ERC-721 holdings: hold any token of `collection`.
/// @dev kind = 0xbdf8c428; data = abi.encode(address collection).
interface IERC721Holding {
    /// @notice Marker only; never called.
    function erc721Holding() external;
}

/// @notice ERC-8257 kind for ERC-1155 holdings: hold token `tokenId` of `collection`.
/// @dev kind = 0xcb429230; data = abi.encode(address collection, uint256 tokenId).
interface IERC1155Holding {
    /// @notice Marker only; never called.
    function erc1155Holding() external;
}

/// @notice ERC-8257 kind for subscriptions: an active subscription at `minTier` or above.
/// @dev kind = 0x44387cc2; data = abi.encode(address collection, uint8 minTier).
interface ISubscription {
    /// @notice Marker only; never called.
    function subscription() external;
}

/// @notice gotong kind for ERC-20 balances: hold at least `minimum` base units of `token`.
/// @dev kind = 0x53aeebd0; data = abi.encode(address token, uint256 minimum). `minimum` is in
/// the token's base units (read `decimals()` to display it).
interface IERC20MinBalance {
    /// @notice Marker only; never called.
    function erc20MinBalance() external;
}

/// @notice gotong kind for a paused tool: nobody passes until the creator changes the predicate.
/// @dev kind = 0x3e9c155d; data = "" (empty). Nothing an account can acquire satisfies it.
interface IAccessPaused {
    /// @notice Marker only; never called.
    function accessPaused() external;
}
