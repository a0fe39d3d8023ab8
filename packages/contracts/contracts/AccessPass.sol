// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title AccessPass
/// @notice ERC-1155 passes for token-gated tools: token id = tier. A gate checks
/// `balanceOf(holder, tier) > 0`.
contract AccessPass is ERC1155, Ownable {
    /// @notice Creates the collection.
    /// @param uri_ Metadata URI template with `{id}` (ERC-1155 metadata convention).
    /// @param initialOwner The account allowed to mint and to change the URI.
    constructor(string memory uri_, address initialOwner) ERC1155(uri_) Ownable(initialOwner) {}

    /// @notice Mints `amount` passes of tier `id` to `to`.
    /// @dev Reverts with `OwnableUnauthorizedAccount` unless called by the owner. Calls
    /// `onERC1155Received` if `to` is a contract.
    /// @param to Recipient.
    /// @param id Tier.
    /// @param amount Number of passes.
    /// @param data Passed to the receiver hook.
    function mint(address to, uint256 id, uint256 amount, bytes calldata data) external onlyOwner {
        _mint(to, id, amount, data);
    }

    /// @notice Mints several tiers to `to` in one call.
    /// @dev Reverts with `ERC1155InvalidArrayLength` if `ids` and `amounts` differ in length.
    /// @param to Recipient.
    /// @param ids Tiers.
    /// @param amounts Number of passes per tier, matched to `ids` by position.
    /// @param data Passed to the receiver hook.
    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata amounts, bytes calldata data)
        external
        onlyOwner
    {
        _mintBatch(to, ids, amounts, data);
    }

    /// @notice Replaces the metadata URI template for every tier.
    /// @param newUri The new URI template with `{id}`.
    function setURI(string calldata newUri) external onlyOwner {
        _setURI(newUri);
    }
}
