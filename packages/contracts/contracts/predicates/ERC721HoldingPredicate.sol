// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {AccessPredicate} from "./AccessPredicate.sol";
import {AccessRequirement, RequirementLogic} from "../interfaces/IAccessPredicate.sol";
import {IERC721Holding} from "../interfaces/IRequirementTypes.sol";

/// @title ERC721HoldingPredicate
/// @notice Grants access to holders of at least one token of an ERC-721 collection.
/// @dev Requirement: kind `IERC721Holding` (0xbdf8c428), data `abi.encode(collection)`.
contract ERC721HoldingPredicate is AccessPredicate {
    /// @notice The collection whose holders pass.
    IERC721 public immutable collection;

    /// @notice Creates the gate for `collection_`.
    /// @dev Reverts with `NotAContract` if `collection_` has no code.
    /// @param collection_ The ERC-721 collection.
    constructor(IERC721 collection_) {
        _requireContract(address(collection_));
        collection = collection_;
    }

    /// @notice Whether `account` holds at least one token of `collection`. `data` is ignored.
    /// @param account The account asking.
    /// @return Whether `collection.balanceOf(account) >= 1`; false for `address(0)`.
    function hasAccess(uint256, address account, bytes calldata) external view returns (bool) {
        return account != address(0) && collection.balanceOf(account) != 0;
    }

    /// @notice The predicate's implementation name.
    /// @return "ERC721HoldingPredicate".
    function name() external pure returns (string memory) {
        return "ERC721HoldingPredicate";
    }

    /// @notice One requirement: hold any token of `collection` (the same for every tool).
    /// @return requirements `[{kind: IERC721Holding, data: abi.encode(collection), label}]`.
    /// @return logic `AND`.
    function getRequirements(uint256)
        external
        view
        returns (AccessRequirement[] memory requirements, RequirementLogic logic)
    {
        return _single(
            type(IERC721Holding).interfaceId,
            abi.encode(address(collection)),
            string.concat("Hold any token of ERC-721 collection ", Strings.toHexString(address(collection)))
        );
    }
}
