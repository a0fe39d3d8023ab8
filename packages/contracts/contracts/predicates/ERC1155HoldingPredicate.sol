// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {AccessPredicate} from "./AccessPredicate.sol";
import {AccessRequirement, RequirementLogic} from "../interfaces/IAccessPredicate.sol";
import {IERC1155Holding} from "../interfaces/IRequirementTypes.sol";

/// @title ERC1155HoldingPredicate
/// @notice Grants access to holders of at least `minimum` units of one ERC-1155 token id (for
/// gotong's `AccessPass`, a tier).
/// @dev Requirement: kind `IERC1155Holding` (0xcb429230), data `abi.encode(collection, tokenId)`,
/// exactly ERC-8257's layout, so any ERC-8257 client decodes it. A `minimum` above 1 is gotong's
/// addition and is not in `data`: read it from `minimum()` or the label ("Hold at least N …").
contract ERC1155HoldingPredicate is AccessPredicate {
    /// @notice The collection.
    IERC1155 public immutable collection;
    /// @notice The token id (tier) that must be held.
    uint256 public immutable tokenId;
    /// @notice The smallest balance of `tokenId` that passes, 1 or more.
    uint256 public immutable minimum;

    /// @notice Creates the gate.
    /// @dev Reverts with `NotAContract` if `collection_` has no code, `ZeroMinimum` if `minimum_` is 0.
    /// @param collection_ The ERC-1155 collection.
    /// @param tokenId_ The token id (tier).
    /// @param minimum_ The smallest balance that passes.
    constructor(IERC1155 collection_, uint256 tokenId_, uint256 minimum_) {
        _requireContract(address(collection_));
        if (minimum_ == 0) revert ZeroMinimum();
        collection = collection_;
        tokenId = tokenId_;
        minimum = minimum_;
    }

    /// @notice Whether `account` holds at least `minimum` of `tokenId`. `data` is ignored.
    /// @param account The account asking.
    /// @return Whether `collection.balanceOf(account, tokenId) >= minimum`.
    function hasAccess(uint256, address account, bytes calldata) external view returns (bool) {
        return collection.balanceOf(account, tokenId) >= minimum;
    }

    /// @notice The predicate's implementation name.
    /// @return "ERC1155HoldingPredicate".
    function name() external pure returns (string memory) {
        return "ERC1155HoldingPredicate";
    }

    /// @notice One requirement: hold `minimum` of `tokenId` (the same for every tool).
    /// @return requirements `[{kind: IERC1155Holding, data: abi.encode(collection, tokenId), label}]`.
    /// @return logic `AND`.
    function getRequirements(uint256)
        external
        view
        returns (AccessRequirement[] memory requirements, RequirementLogic logic)
    {
        return _single(
            type(IERC1155Holding).interfaceId,
            abi.encode(address(collection), tokenId),
            string.concat(
                "Hold at least ",
                Strings.toString(minimum),
                " of token id ",
                Strings.toString(tokenId),
                " of ERC-1155 collection ",
                Strings.toHexString(address(collection))
            )
        );
    }
}
