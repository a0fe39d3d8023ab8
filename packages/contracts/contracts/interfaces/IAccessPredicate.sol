// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice One machine-readable access requirement (ERC-8257).
/// @param kind ERC-165-style id of the requirement type (a marker interface in IRequirementTypes.sol).
/// @param data ABI-encoded payload whose layout is set by `kind`.
/// @param label Human-readable hint, at most 256 bytes.
struct AccessRequirement {
    bytes4 kind;
    bytes data;
    string label;
}

/// @notice How a predicate's requirements combine: all of them (AND) or any one (OR).
enum RequirementLogic {
    AND,
    OR
}

/// @title IAccessPredicate
/// @notice ERC-8257 access gate for a tool. The registry calls `hasAccess` with `staticcall`.
/// @dev ERC-165 interface id `0xbdf9dc18`.
interface IAccessPredicate {
    /// @notice Whether `account` may use `toolId`.
    /// @param toolId The tool.
    /// @param account The account asking; not authenticated.
    /// @param data Opaque context (a token id, a proof, a signature).
    /// @return Whether access is granted.
    function hasAccess(uint256 toolId, address account, bytes calldata data) external view returns (bool);

    /// @notice A human-readable identifier of the predicate implementation.
    /// @return A non-empty name.
    function name() external view returns (string memory);

    /// @notice What it takes to pass this predicate for `toolId`. Advisory: `hasAccess` decides.
    /// @param toolId The tool.
    /// @return requirements The requirements.
    /// @return logic How they combine.
    function getRequirements(uint256 toolId)
        external
        view
        returns (AccessRequirement[] memory requirements, RequirementLogic logic);
}
