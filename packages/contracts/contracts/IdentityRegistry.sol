// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {WalletSignatures} from "./utils/WalletSignatures.sol";

/// @title IdentityRegistry
/// @notice ERC-8004 identity: each agent is an ERC-721 token whose URI is its registration file,
/// with on-chain metadata and a wallet proven by its own signature.
/// @dev Design choices:
/// - The ERC's interface and events, and the reference deployment's wallet proof (type
///   `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)`, domain
///   `ERC8004IdentityRegistry` / `1`, deadline at most 5 minutes ahead), so a client that signs
///   for the canonical registries signs for this one too. No proxy: nothing to initialize.
/// - Ids start at 1 (the reference's at 0; the ERC only says "incrementally"), so 0 never names
///   an agent and stays free to mean "none" for callers.
/// - The wallet lives in its own slot rather than under the string key, so `getAgentWallet` is
///   one read for the contracts that check it per call (the receipt gateway); `getMetadata` and
///   `MetadataSet` still show it under `agentWallet`, as 20 bytes or empty.
/// - Minting uses `_mint`, not `_safeMint`: the registrant is the caller itself, and no callback
///   runs in the middle of a registration.
/// - Any change of owner clears the wallet (the ERC: the new owner must prove one again), inside
///   `_update`, before a `safeTransferFrom` receiver runs.
contract IdentityRegistry is IIdentityRegistry, ERC721URIStorage, EIP712 {
    /// @notice EIP-712 type hash of the wallet's consent to become the agent's wallet.
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");

    /// @notice How far ahead a wallet proof's deadline may be: 5 minutes.
    uint256 public constant MAX_WALLET_PROOF_DELAY = 5 minutes;

    string private constant AGENT_WALLET_KEY = "agentWallet";
    bytes32 private constant AGENT_WALLET_KEY_HASH = keccak256("agentWallet");

    uint256 private _lastId;
    mapping(uint256 agentId => address) private _wallets;
    mapping(uint256 agentId => mapping(string metadataKey => bytes)) private _metadata;

    /// @notice Deploys the registry as the ERC-721 "AgentIdentity" (`AGENT`).
    constructor() ERC721("AgentIdentity", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        agentId = _register(agentURI);
        for (uint256 i; i < metadata.length; ++i) {
            _setMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI) external returns (uint256 agentId) {
        return _register(agentURI);
    }

    /// @inheritdoc IIdentityRegistry
    function register() external returns (uint256 agentId) {
        return _register("");
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _requireManager(agentId);
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        if (keccak256(bytes(metadataKey)) == AGENT_WALLET_KEY_HASH) return _walletBytes(_wallets[agentId]);
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IIdentityRegistry
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _requireManager(agentId);
        _setMetadata(agentId, metadataKey, metadataValue);
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external {
        address owner = _requireManager(agentId);
        if (newWallet == address(0)) revert InvalidAgentWallet();
        // A validator can skew the clock by seconds; the window is minutes.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert WalletProofExpired(deadline);
        uint256 latest = block.timestamp + MAX_WALLET_PROOF_DELAY;
        if (deadline > latest) revert WalletProofDeadlineTooFar(deadline, latest);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
        if (!WalletSignatures.isValidNow(newWallet, digest, signature)) revert InvalidWalletSignature(newWallet);

        _wallets[agentId] = newWallet;
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, _walletBytes(newWallet));
    }

    /// @inheritdoc IIdentityRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return _wallets[agentId];
    }

    /// @inheritdoc IIdentityRegistry
    function unsetAgentWallet(uint256 agentId) external {
        _requireManager(agentId);
        _clearWallet(agentId);
    }

    /// @inheritdoc IIdentityRegistry
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        return _isAuthorized(_requireOwned(agentId), spender, agentId);
    }

    /// Mints the next agent to the caller, with the caller as its wallet.
    function _register(string memory agentURI) private returns (uint256 agentId) {
        agentId = ++_lastId;
        _mint(msg.sender, agentId);
        if (bytes(agentURI).length != 0) _setTokenURI(agentId, agentURI);
        _wallets[agentId] = msg.sender;
        emit Registered(agentId, agentURI, msg.sender);
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, _walletBytes(msg.sender));
    }

    function _setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) private {
        if (keccak256(bytes(metadataKey)) == AGENT_WALLET_KEY_HASH) revert ReservedMetadataKey(metadataKey);
        _metadata[agentId][metadataKey] = metadataValue;
        emit MetadataSet(agentId, metadataKey, metadataKey, metadataValue);
    }

    function _clearWallet(uint256 agentId) private {
        delete _wallets[agentId];
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, "");
    }

    /// Reverts unless the caller may manage the agent (which must exist); returns its owner.
    function _requireManager(uint256 agentId) private view returns (address owner) {
        owner = _requireOwned(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert NotAgentOwnerOrOperator(agentId, msg.sender);
    }

    /// The wallet as `getMetadata` shows it: its 20 bytes, or nothing when unset.
    function _walletBytes(address wallet) private pure returns (bytes memory) {
        return wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
    }

    /// Clears the wallet whenever the agent changes hands (there is no burn).
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) _clearWallet(tokenId);
    }
}
