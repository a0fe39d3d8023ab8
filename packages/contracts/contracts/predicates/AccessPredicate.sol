// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IAccessPredicate, AccessRequirement, RequirementLogic} from "../interfaces/IAccessPredicate.sol";

/// @title AccessPredicate
/// @notice Base of gotong's predicates: advertises IAccessPredicate and IERC165 through ERC-165, so
/// registries accept it at step 5 of ERC-8257's validation ladder.
/// @dev gotong's predicates are configured once, by immutables, and ignore `toolId`: one
/// deployment gates any number of tools. Balance reads are plain calls; if the token contract
/// reverts (or loses its code), the predicate reverts and the registry reports `(false, false)`,
/// a malfunction rather than a denial.
abstract contract AccessPredicate is IAccessPredicate, ERC165 {
    /// @notice A constructor argument that must be a contract has no code.
    error NotAContract(address target);

    /// @notice A minimum balance of zero, which would let everybody in (use open access instead).
    error ZeroMinimum();

    /// @notice Whether this predicate implements `interfaceId` (IAccessPredicate, IERC165).
    /// @param interfaceId An ERC-165 interface id.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAccessPredicate).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Reverts with `NotAContract` unless `target` has code.
    function _requireContract(address target) internal view {
        if (target.code.length == 0) revert NotAContract(target);
    }

    /// @dev One requirement combined with AND.
    function _single(bytes4 kind, bytes memory data, string memory label)
        internal
        pure
        returns (AccessRequirement[] memory requirements, RequirementLogic logic)
    {
        requirements = new AccessRequirement[](1);
        requirements[0] = AccessRequirement({kind: kind, data: data, label: label});
        logic = RequirementLogic.AND;
    }
}
