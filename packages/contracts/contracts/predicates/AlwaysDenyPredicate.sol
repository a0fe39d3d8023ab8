// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessPredicate} from "./AccessPredicate.sol";
import {AccessRequirement, RequirementLogic} from "../interfaces/IAccessPredicate.sol";
import {IAccessPaused} from "../interfaces/IRequirementTypes.sol";

/// @title AlwaysDenyPredicate
/// @notice Denies everyone: point a tool at it to pause the tool, point it back to resume
/// (ERC-8257's reversible alternative to `deregisterTool`).
/// @dev `getRequirements` returns one sentinel requirement of gotong's kind `IAccessPaused`
/// (0x3e9c155d) with empty data, not an empty list: an empty AND list would read as "no
/// requirements", the opposite of the truth, while the sentinel tells an agent that nothing it
/// can acquire will help.
contract AlwaysDenyPredicate is AccessPredicate {
    /// @notice Always false.
    /// @return false.
    function hasAccess(uint256, address, bytes calldata) external pure returns (bool) {
        return false;
    }

    /// @notice The predicate's implementation name.
    /// @return "AlwaysDenyPredicate".
    function name() external pure returns (string memory) {
        return "AlwaysDenyPredicate";
    }

    /// @notice The "paused" sentinel (the same for every tool).
    /// @return requirements `[{kind: IAccessPaused, data: "", label}]`.
    /// @return logic `AND`.
    function getRequirements(uint256)
        external
        pure
        returns (AccessRequirement[] memory requirements, RequirementLogic logic)
    {
        return _single(type(IAccessPaused).interfaceId, "", "Paused by the tool's creator: nobody has access");
    }
}
