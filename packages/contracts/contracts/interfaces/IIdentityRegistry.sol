// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title IIdentityRegistry
/// @notice The ERC-8004 ("Trustless Agents") identity registry: every agent is an ERC-721 token
/// (`agentId` = token id) whose token URI (`agentURI`) resolves to its registration file, with
/// optional on-chain metadata and a verified payment wallet (`agentWallet`).
/// @dev Functions and events are the ERC's (January 2026 text), plus the reference
/// implementation's `isAuthorizedOrOwner`. The errors are gotong's: the ERC names none.
interface IIdentityRegistry is IERC721 {
    /// @notice One on-chain metadata entry given at registration.
    /// @param metadataKey Any key but the reserved `agentWallet`.
    /// @param metadataValue The value's bytes, uninterpreted.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice `agentId` was minted to `owner` with `agentURI` (empty for the bare `register()`).
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);

    /// @notice A metadata key was set; also emitted for the reserved `agentWallet` key when the
    /// wallet is set (its 20 bytes) or cleared (empty), at registration, by the owner or on transfer.
    event MetadataSet(
        uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue
    );

    /// @notice `updatedBy` changed the agent's URI.
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);

    /// @notice `caller` is neither the agent's owner, an operator of the owner, nor approved for it.
    error NotAgentOwnerOrOperator(uint256 agentId, address caller);
    /// @notice `agentWallet` can only change through `setAgentWallet` / `unsetAgentWallet`.
    error ReservedMetadataKey(string metadataKey);
    /// @notice The new wallet is the zero address.
    error InvalidAgentWallet();
    /// @notice The wallet proof's deadline has passed.
    error WalletProofExpired(uint256 deadline);
    /// @notice The wallet proof's deadline is more than `MAX_WALLET_PROOF_DELAY` ahead.
    error WalletProofDeadlineTooFar(uint256 deadline, uint256 latest);
    /// @notice The signature is not `newWallet`'s (ECDSA for an EOA, ERC-1271 for a contract).
    error InvalidWalletSignature(address newWallet);

    /// @notice Mints a new agent to the caller with a registration URI and metadata entries.
    /// @dev Emits `Transfer`, `Registered`, `MetadataSet` for `agentWallet` (set to the caller),
    /// then one `MetadataSet` per entry. Reverts `ReservedMetadataKey` for an `agentWallet` entry.
    /// @param agentURI URI of the registration file (https, ipfs or a base64 `data:` URI).
    /// @param metadata Extra on-chain metadata.
    /// @return agentId The new agent's id (sequential from 1).
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId);

    /// @notice Mints a new agent to the caller with a registration URI.
    /// @param agentURI URI of the registration file.
    /// @return agentId The new agent's id.
    function register(string calldata agentURI) external returns (uint256 agentId);

    /// @notice Mints a new agent to the caller; its URI is set later with `setAgentURI`.
    /// @return agentId The new agent's id.
    function register() external returns (uint256 agentId);

    /// @notice Points the agent at a new registration file. Owner, operator or approved only.
    /// @param agentId The agent.
    /// @param newURI The new URI.
    function setAgentURI(uint256 agentId, string calldata newURI) external;

    /// @notice Reads an on-chain metadata value; empty when unset. For `agentWallet`, the
    /// wallet's 20 bytes (empty once cleared).
    /// @param agentId The agent.
    /// @param metadataKey The key.
    /// @return The value.
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory);

    /// @notice Sets an on-chain metadata value. Owner, operator or approved only; not `agentWallet`.
    /// @param agentId The agent.
    /// @param metadataKey The key.
    /// @param metadataValue The value.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external;

    /// @notice Sets the agent's wallet, proven by the wallet's EIP-712 signature of
    /// `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)` (owner =
    /// the agent's current owner) in the domain `{ name: "ERC8004IdentityRegistry", version: "1" }`.
    /// @dev Owner, operator or approved only. `deadline` must be from now to 5 minutes ahead.
    /// @param agentId The agent.
    /// @param newWallet The wallet: an EOA (65-byte ECDSA) or an ERC-1271 contract.
    /// @param deadline Last second the proof is good.
    /// @param signature The wallet's signature.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external;

    /// @notice The agent's verified wallet; the zero address when cleared.
    /// @param agentId The agent.
    /// @return The wallet.
    function getAgentWallet(uint256 agentId) external view returns (address);

    /// @notice Clears the agent's wallet. Owner, operator or approved only.
    /// @param agentId The agent.
    function unsetAgentWallet(uint256 agentId) external;

    /// @notice Whether `spender` is the agent's owner, an operator of the owner, or approved for it.
    /// @dev Reverts `ERC721NonexistentToken` for an unknown agent.
    /// @param spender The account.
    /// @param agentId The agent.
    /// @return Whether it may manage the agent.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);
}
