// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice On-chain configuration of a registered tool (ERC-8257 `ToolConfig`).
/// @param creator Address that registered the tool; never changes.
/// @param metadataURI Resolves to the tool manifest JSON.
/// @param manifestHash keccak256 of the RFC 8785 (JCS) canonical manifest bytes at `metadataURI`.
/// @param accessPredicate `address(0)` for open access; otherwise the gating contract.
struct ToolConfig {
    address creator;
    string metadataURI;
    bytes32 manifestHash;
    address accessPredicate;
}

/// @title IToolRegistry
/// @notice ERC-8257 "Agent Tool Registry" (draft): a permissionless on-chain directory of AI agent
/// tools, each a metadata URI, a manifest hash and an optional access predicate.
/// @dev ERC-165 interface id `0xf1dc8075`. The function set must not change, or the id changes.
interface IToolRegistry {
    /// @notice A new tool was registered.
    /// @param toolId The sequential id assigned to the tool.
    /// @param creator The registering account (`msg.sender`).
    /// @param accessPredicate The gate, or `address(0)` for open access.
    /// @param metadataURI URI of the tool manifest.
    /// @param manifestHash keccak256 of the canonical manifest bytes.
    event ToolRegistered(
        uint256 indexed toolId,
        address indexed creator,
        address indexed accessPredicate,
        string metadataURI,
        bytes32 manifestHash
    );

    /// @notice A tool's metadata URI and/or manifest hash changed.
    /// @param toolId The tool.
    /// @param newURI The new metadata URI.
    /// @param newHash The new manifest hash.
    event ToolMetadataUpdated(uint256 indexed toolId, string newURI, bytes32 newHash);

    /// @notice A tool's access predicate changed.
    /// @param toolId The tool.
    /// @param newPredicate The new gate, or `address(0)` for open access.
    event AccessPredicateUpdated(uint256 indexed toolId, address indexed newPredicate);

    /// @notice A tool was permanently deregistered by its creator.
    /// @param toolId The tool.
    event ToolDeregistered(uint256 indexed toolId);

    /// @notice No tool was ever registered under `toolId`.
    error ToolNotFound(uint256 toolId);

    /// @notice `caller` is not the creator of `toolId`.
    error NotToolCreator(uint256 toolId, address caller);

    /// @notice The metadata URI is empty or longer than 2,048 bytes.
    error InvalidMetadataURI();

    /// @notice The manifest hash is `bytes32(0)`.
    error InvalidManifestHash();

    /// @notice `predicate` advertises ERC-165 but not `IAccessPredicate`.
    error InvalidAccessPredicate(address predicate);

    /// @notice The tool was deregistered by its creator.
    error ToolIsDeregistered(uint256 toolId);

    /// @notice Registers a new tool; the caller becomes its creator.
    /// @param metadataURI URI of the tool manifest, 1 to 2,048 bytes.
    /// @param manifestHash keccak256 of the canonical manifest bytes, non-zero.
    /// @param accessPredicate The gate, or `address(0)` for open access.
    /// @return toolId The sequential id assigned to the tool, starting at 1.
    function registerTool(string calldata metadataURI, bytes32 manifestHash, address accessPredicate)
        external
        returns (uint256 toolId);

    /// @notice Permanently deregisters a tool. Creator only; irreversible.
    /// @param toolId The tool.
    function deregisterTool(uint256 toolId) external;

    /// @notice Replaces a tool's metadata URI and manifest hash atomically. Creator only.
    /// @param toolId The tool.
    /// @param newURI The new metadata URI, 1 to 2,048 bytes.
    /// @param newHash keccak256 of the canonical manifest bytes at `newURI`, non-zero.
    function updateToolMetadata(uint256 toolId, string calldata newURI, bytes32 newHash) external;

    /// @notice Replaces a tool's access predicate. Creator only.
    /// @param toolId The tool.
    /// @param newPredicate The new gate, or `address(0)` for open access.
    function setAccessPredicate(uint256 toolId, address newPredicate) external;

    /// @notice The full configuration of a tool.
    /// @param toolId The tool.
    /// @return The tool's configuration.
    function getToolConfig(uint256 toolId) external view returns (ToolConfig memory);

    /// @notice Whether `account` may use a tool; any predicate malfunction reads as `false`.
    /// @param toolId The tool.
    /// @param account The account asking; not authenticated.
    /// @param data Opaque context forwarded to the predicate.
    /// @return Whether access is granted.
    function hasAccess(uint256 toolId, address account, bytes calldata data) external view returns (bool);

    /// @notice Whether `account` may use a tool, and whether the predicate answered canonically.
    /// @param toolId The tool.
    /// @param account The account asking; not authenticated.
    /// @param data Opaque context forwarded to the predicate.
    /// @return ok Whether the predicate answered with a canonical ABI bool.
    /// @return granted Whether access is granted; only meaningful when `ok`.
    function tryHasAccess(uint256 toolId, address account, bytes calldata data)
        external
        view
        returns (bool ok, bool granted);

    /// @notice The number of tools ever registered, which is also the highest tool id.
    /// @return The high-water mark of tool ids.
    function toolCount() external view returns (uint256);

    /// @notice A human-readable identifier of the registry implementation.
    /// @return A non-empty name.
    function name() external view returns (string memory);

    /// @notice The implementation's version, `MAJOR.MINOR`.
    /// @return A non-empty version string.
    function version() external view returns (string memory);
}
