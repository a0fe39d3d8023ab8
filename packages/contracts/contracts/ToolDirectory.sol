// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IToolRegistry, ToolConfig} from "./interfaces/IToolRegistry.sol";
import {IAccessPredicate} from "./interfaces/IAccessPredicate.sol";

/// @notice An agent's self-published card: where to reach it and what it calls itself.
/// @param endpoint URL of the agent (or of its card document), 1 to 2,048 bytes.
/// @param name Display name, 1 to 128 bytes.
/// @param cardHash keccak256 of the agent's canonical card document, non-zero.
struct AgentCard {
    string endpoint;
    string name;
    bytes32 cardHash;
}

/// @title IGotongDirectory
/// @notice gotong's additions to an ERC-8257 registry: manifests carried in logs (index the
/// directory without fetching URLs), a version lineage per tool, and agent cards.
/// @dev A separate interface so `IToolRegistry`'s ERC-165 id stays `0xf1dc8075`.
interface IGotongDirectory {
    /// @notice A tool reached `version` (1 at registration, +1 on every metadata change).
    /// @param toolId The tool.
    /// @param version The new version.
    /// @param manifestHash The manifest hash of `version`.
    /// @param previousManifestHash The manifest hash of `version - 1`, zero for version 1.
    event ToolVersioned(
        uint256 indexed toolId, uint64 indexed version, bytes32 manifestHash, bytes32 previousManifestHash
    );

    /// @notice The canonical (RFC 8785) manifest bytes of a tool version, checked against its hash.
    /// @param toolId The tool.
    /// @param version The version the manifest belongs to.
    /// @param manifestHash keccak256(manifest).
    /// @param manifest The canonical manifest bytes.
    event ManifestPublished(uint256 indexed toolId, uint64 indexed version, bytes32 manifestHash, bytes manifest);

    /// @notice `agent` published or replaced its card.
    /// @param agent The agent (`msg.sender`).
    /// @param endpoint URL of the agent.
    /// @param name Display name.
    /// @param cardHash keccak256 of the canonical card document.
    event AgentCardSet(address indexed agent, string endpoint, string name, bytes32 cardHash);

    /// @notice `agent` removed its card.
    /// @param agent The agent.
    event AgentCardCleared(address indexed agent);

    /// @notice keccak256 of the manifest bytes is `actualHash`, not the committed `manifestHash`.
    error ManifestHashMismatch(bytes32 manifestHash, bytes32 actualHash);

    /// @notice The manifest is empty or larger than `MAX_MANIFEST_SIZE` bytes.
    error InvalidManifestSize(uint256 size);

    /// @notice `version` is 0 or above the tool's current version.
    error VersionNotFound(uint256 toolId, uint64 version);

    /// @notice The agent endpoint is empty or longer than 2,048 bytes.
    error InvalidAgentEndpoint();

    /// @notice The agent name is empty or longer than 128 bytes.
    error InvalidAgentName();

    /// @notice The agent card hash is `bytes32(0)`.
    error InvalidCardHash();

    /// @notice `registerTool`, and also publishes the canonical manifest bytes in a log.
    /// @dev Reverts with `ManifestHashMismatch` unless `keccak256(manifest) == manifestHash`.
    /// @param metadataURI URI of the tool manifest, 1 to 2,048 bytes.
    /// @param manifestHash keccak256 of `manifest`.
    /// @param accessPredicate The gate, or `address(0)` for open access.
    /// @param manifest The canonical manifest bytes, 1 to `MAX_MANIFEST_SIZE` bytes.
    /// @return toolId The sequential id assigned to the tool.
    function registerToolWithManifest(
        string calldata metadataURI,
        bytes32 manifestHash,
        address accessPredicate,
        bytes calldata manifest
    ) external returns (uint256 toolId);

    /// @notice `updateToolMetadata`, and also publishes the canonical manifest bytes in a log.
    /// @dev When URI and hash are unchanged, nothing changes, but the manifest is still published
    /// for the current version (publishing the bytes of a tool registered without them).
    /// @param toolId The tool.
    /// @param newURI The new metadata URI.
    /// @param newHash keccak256 of `manifest`.
    /// @param manifest The canonical manifest bytes.
    function updateToolMetadataWithManifest(
        uint256 toolId,
        string calldata newURI,
        bytes32 newHash,
        bytes calldata manifest
    ) external;

    /// @notice The current version of a tool.
    /// @param toolId The tool.
    /// @return The version, 1 or more.
    function toolVersion(uint256 toolId) external view returns (uint64);

    /// @notice The manifest hash a tool had at `version`, to pin that version.
    /// @param toolId The tool.
    /// @param version From 1 to `toolVersion(toolId)`.
    /// @return The manifest hash of that version.
    function manifestHashAt(uint256 toolId, uint64 version) external view returns (bytes32);

    /// @notice Publishes or replaces the caller's agent card.
    /// @param endpoint URL of the agent, 1 to 2,048 bytes.
    /// @param agentName Display name, 1 to 128 bytes.
    /// @param cardHash keccak256 of the canonical card document, non-zero.
    function setAgentCard(string calldata endpoint, string calldata agentName, bytes32 cardHash) external;

    /// @notice Removes the caller's agent card; a no-op without a card.
    function clearAgentCard() external;

    /// @notice An agent's card; all fields empty (`cardHash == 0`) if it has none.
    /// @param agent The agent.
    /// @return The card.
    function agentCard(address agent) external view returns (AgentCard memory);
}

/// @title ToolDirectory
/// @notice gotong's on-chain tool directory: an ERC-8257 Agent Tool Registry with manifests in
/// logs, a version lineage per tool and agent cards.
/// @dev No owner, no upgrades, no funds. Predicates are only ever called with `staticcall`,
/// from views, so no state-changing function makes an external call.
contract ToolDirectory is IToolRegistry, IGotongDirectory, ERC165 {
    /// @notice Longest accepted metadata URI and agent endpoint, in bytes (ERC-8257's cap).
    uint256 public constant MAX_URI_LENGTH = 2048;
    /// @notice Largest manifest accepted by the `…WithManifest` functions, in bytes (64 KiB).
    uint256 public constant MAX_MANIFEST_SIZE = 65_536;
    /// @notice Longest accepted agent name, in bytes.
    uint256 public constant MAX_AGENT_NAME_LENGTH = 128;
    /// @notice Gas forwarded to a predicate's `hasAccess`. Bounds what a hostile predicate can
    /// burn inside a composing contract; by EIP-150 a caller with less gas forwards 63/64 of it.
    uint256 public constant PREDICATE_GAS = 200_000;
    /// @notice Gas forwarded to each ERC-165 probe of a candidate predicate (ERC-165's own bound).
    uint256 public constant ERC165_PROBE_GAS = 30_000;

    /// @dev Slot 0: `creator` + `version`; slot 1: `accessPredicate`; slot 2+: `metadataURI`.
    /// The current manifest hash lives in `_manifestHashes[toolId][version]`, not here.
    /// `creator == address(0)` for an id in `1..toolCount` means deregistered (a registration
    /// always has `msg.sender` as creator, never zero).
    struct Tool {
        address creator;
        uint64 version;
        address accessPredicate;
        string metadataURI;
    }

    uint256 private _toolCount;
    mapping(uint256 toolId => Tool) private _tools;
    mapping(uint256 toolId => mapping(uint64 version => bytes32 manifestHash)) private _manifestHashes;
    mapping(address agent => AgentCard) private _agentCards;

    // ---- ERC-8257 ----

    /// @inheritdoc IToolRegistry
    function registerTool(string calldata metadataURI, bytes32 manifestHash, address accessPredicate)
        external
        returns (uint256 toolId)
    {
        return _register(metadataURI, manifestHash, accessPredicate);
    }

    /// @inheritdoc IToolRegistry
    /// @dev Clears the tool's storage; its manifest history stays but every view reverts.
    function deregisterTool(uint256 toolId) external {
        _ownedTool(toolId);
        delete _tools[toolId];
        emit ToolDeregistered(toolId);
    }

    /// @inheritdoc IToolRegistry
    /// @dev A change of URI alone still bumps the version. Identical URI and hash: no-op, no event.
    function updateToolMetadata(uint256 toolId, string calldata newURI, bytes32 newHash) external {
        _update(toolId, newURI, newHash);
    }

    /// @inheritdoc IToolRegistry
    /// @dev Setting the current predicate again is a no-op: no validation, no event.
    function setAccessPredicate(uint256 toolId, address newPredicate) external {
        Tool storage tool = _ownedTool(toolId);
        if (tool.accessPredicate == newPredicate) return;
        _validatePredicate(newPredicate);
        tool.accessPredicate = newPredicate;
        emit AccessPredicateUpdated(toolId, newPredicate);
    }

    /// @inheritdoc IToolRegistry
    function getToolConfig(uint256 toolId) external view returns (ToolConfig memory) {
        Tool storage tool = _tool(toolId);
        return ToolConfig({
            creator: tool.creator,
            metadataURI: tool.metadataURI,
            manifestHash: _manifestHashes[toolId][tool.version],
            accessPredicate: tool.accessPredicate
        });
    }

    /// @inheritdoc IToolRegistry
    function hasAccess(uint256 toolId, address account, bytes calldata data) external view returns (bool) {
        (bool ok, bool granted) = _tryHasAccess(toolId, account, data);
        return ok && granted;
    }

    /// @inheritdoc IToolRegistry
    /// @dev The predicate gets at most `PREDICATE_GAS`. Only a 32-byte return word of 0 or 1
    /// counts as an answer; a revert, out-of-gas, any other length or word, or a predicate
    /// without code gives `(false, false)`.
    function tryHasAccess(uint256 toolId, address account, bytes calldata data)
        external
        view
        returns (bool ok, bool granted)
    {
        return _tryHasAccess(toolId, account, data);
    }

    /// @inheritdoc IToolRegistry
    function toolCount() external view returns (uint256) {
        return _toolCount;
    }

    /// @inheritdoc IToolRegistry
    function name() external pure returns (string memory) {
        return "gotong ToolDirectory";
    }

    /// @inheritdoc IToolRegistry
    function version() external pure returns (string memory) {
        return "0.1";
    }

    // ---- gotong ----

    /// @inheritdoc IGotongDirectory
    function registerToolWithManifest(
        string calldata metadataURI,
        bytes32 manifestHash,
        address accessPredicate,
        bytes calldata manifest
    ) external returns (uint256 toolId) {
        toolId = _register(metadataURI, manifestHash, accessPredicate);
        _checkManifest(manifestHash, manifest);
        emit ManifestPublished(toolId, 1, manifestHash, manifest);
    }

    /// @inheritdoc IGotongDirectory
    function updateToolMetadataWithManifest(
        uint256 toolId,
        string calldata newURI,
        bytes32 newHash,
        bytes calldata manifest
    ) external {
        uint64 toolVersion_ = _update(toolId, newURI, newHash);
        _checkManifest(newHash, manifest);
        emit ManifestPublished(toolId, toolVersion_, newHash, manifest);
    }

    /// @inheritdoc IGotongDirectory
    function toolVersion(uint256 toolId) external view returns (uint64) {
        return _tool(toolId).version;
    }

    /// @inheritdoc IGotongDirectory
    function manifestHashAt(uint256 toolId, uint64 version_) external view returns (bytes32) {
        if (version_ == 0 || version_ > _tool(toolId).version) revert VersionNotFound(toolId, version_);
        return _manifestHashes[toolId][version_];
    }

    /// @inheritdoc IGotongDirectory
    function setAgentCard(string calldata endpoint, string calldata agentName, bytes32 cardHash) external {
        if (bytes(endpoint).length == 0 || bytes(endpoint).length > MAX_URI_LENGTH) revert InvalidAgentEndpoint();
        if (bytes(agentName).length == 0 || bytes(agentName).length > MAX_AGENT_NAME_LENGTH) {
            revert InvalidAgentName();
        }
        if (cardHash == bytes32(0)) revert InvalidCardHash();
        _agentCards[msg.sender] = AgentCard({endpoint: endpoint, name: agentName, cardHash: cardHash});
        emit AgentCardSet(msg.sender, endpoint, agentName, cardHash);
    }

    /// @inheritdoc IGotongDirectory
    function clearAgentCard() external {
        if (_agentCards[msg.sender].cardHash == bytes32(0)) return;
        delete _agentCards[msg.sender];
        emit AgentCardCleared(msg.sender);
    }

    /// @inheritdoc IGotongDirectory
    function agentCard(address agent) external view returns (AgentCard memory) {
        return _agentCards[agent];
    }

    // ---- ERC-165 ----

    /// @notice Whether this contract implements `interfaceId`: IToolRegistry, IGotongDirectory
    /// and IERC165 (never IAccessPredicate, so it cannot be registered as a predicate).
    /// @param interfaceId An ERC-165 interface id.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IToolRegistry).interfaceId || interfaceId == type(IGotongDirectory).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ---- internals ----

    function _register(string calldata metadataURI, bytes32 manifestHash, address accessPredicate)
        private
        returns (uint256 toolId)
    {
        _checkMetadata(metadataURI, manifestHash);
        _validatePredicate(accessPredicate);
        toolId = ++_toolCount;
        Tool storage tool = _tools[toolId];
        tool.creator = msg.sender;
        tool.version = 1;
        if (accessPredicate != address(0)) tool.accessPredicate = accessPredicate;
        tool.metadataURI = metadataURI;
        _manifestHashes[toolId][1] = manifestHash;
        emit ToolRegistered(toolId, msg.sender, accessPredicate, metadataURI, manifestHash);
        emit ToolVersioned(toolId, 1, manifestHash, bytes32(0));
    }

    /// @return toolVersion_ The tool's version after the call (unchanged if idempotent).
    function _update(uint256 toolId, string calldata newURI, bytes32 newHash) private returns (uint64 toolVersion_) {
        Tool storage tool = _ownedTool(toolId);
        _checkMetadata(newURI, newHash);
        toolVersion_ = tool.version;
        bytes32 previousHash = _manifestHashes[toolId][toolVersion_];
        bool uriChanged = keccak256(bytes(tool.metadataURI)) != keccak256(bytes(newURI));
        if (!uriChanged && previousHash == newHash) return toolVersion_;
        if (uriChanged) tool.metadataURI = newURI;
        tool.version = ++toolVersion_;
        _manifestHashes[toolId][toolVersion_] = newHash;
        emit ToolMetadataUpdated(toolId, newURI, newHash);
        emit ToolVersioned(toolId, toolVersion_, newHash, previousHash);
    }

    function _tryHasAccess(uint256 toolId, address account, bytes calldata data)
        private
        view
        returns (bool ok, bool granted)
    {
        address predicate = _tool(toolId).accessPredicate;
        if (predicate == address(0)) return (true, true);
        bytes memory callData = abi.encodeCall(IAccessPredicate.hasAccess, (toolId, account, data));
        // Copies at most one word of return data, so a predicate cannot make us pay for a huge
        // return. A call to an address without code succeeds with no return data: rejected too.
        assembly ("memory-safe") {
            let success := staticcall(PREDICATE_GAS, predicate, add(callData, 0x20), mload(callData), 0x00, 0x20)
            if and(success, eq(returndatasize(), 0x20)) {
                let word := mload(0x00)
                if lt(word, 2) {
                    ok := 1
                    granted := word
                }
            }
        }
    }

    /// @dev ERC-8257's ladder: accept `address(0)`, code-less addresses and contracts that do not
    /// claim ERC-165; reject a contract that claims ERC-165 but not IAccessPredicate. A caller
    /// cannot starve a probe to sneak a contract past step 5: a starved probe leaves under
    /// 1/64 of 30k gas, too little for the storage write that follows, so the call runs out of gas.
    function _validatePredicate(address predicate) private view {
        if (predicate == address(0) || predicate.code.length == 0) return;
        if (!_supportsInterface(predicate, type(IERC165).interfaceId)) return;
        if (!_supportsInterface(predicate, type(IAccessPredicate).interfaceId)) {
            revert InvalidAccessPredicate(predicate);
        }
    }

    /// @dev True only for a 32-byte return word equal to 1 within `ERC165_PROBE_GAS`.
    function _supportsInterface(address target, bytes4 interfaceId) private view returns (bool result) {
        bytes memory callData = abi.encodeCall(IERC165.supportsInterface, (interfaceId));
        assembly ("memory-safe") {
            let success := staticcall(ERC165_PROBE_GAS, target, add(callData, 0x20), mload(callData), 0x00, 0x20)
            result := and(and(success, eq(returndatasize(), 0x20)), eq(mload(0x00), 1))
        }
    }

    function _checkMetadata(string calldata metadataURI, bytes32 manifestHash) private pure {
        if (bytes(metadataURI).length == 0 || bytes(metadataURI).length > MAX_URI_LENGTH) {
            revert InvalidMetadataURI();
        }
        if (manifestHash == bytes32(0)) revert InvalidManifestHash();
    }

    function _checkManifest(bytes32 manifestHash, bytes calldata manifest) private pure {
        if (manifest.length == 0 || manifest.length > MAX_MANIFEST_SIZE) revert InvalidManifestSize(manifest.length);
        bytes32 actualHash = keccak256(manifest);
        if (actualHash != manifestHash) revert ManifestHashMismatch(manifestHash, actualHash);
    }

    /// @dev The live tool `toolId`, or reverts with `ToolNotFound` / `ToolIsDeregistered`.
    function _tool(uint256 toolId) private view returns (Tool storage tool) {
        tool = _tools[toolId];
        if (tool.creator == address(0)) {
            if (toolId == 0 || toolId > _toolCount) revert ToolNotFound(toolId);
            revert ToolIsDeregistered(toolId);
        }
    }

    /// @dev `_tool`, and reverts with `NotToolCreator` unless the caller created it.
    function _ownedTool(uint256 toolId) private view returns (Tool storage tool) {
        tool = _tool(toolId);
        if (tool.creator != msg.sender) revert NotToolCreator(toolId, msg.sender);
    }
}
