// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IValidationRegistry} from "./interfaces/IValidationRegistry.sol";

/// @title ValidationRegistry
/// @notice ERC-8004 validation: an agent's owner asks a validator to check a piece of work
/// (committed to by its hash); the validator records a 0 to 100 answer, and may update it.
/// Beyond the ERC, a validator may also open a request naming itself (a consumer that checked
/// a provider's paid answer against another provider's).
/// @dev Design choices:
/// - The identity registry is fixed at construction, as in `ReputationRegistry`.
/// - A request is named by its hash alone (the ERC's reads take only the hash), so each hash is
///   requested once, by whichever agent asks first.
/// - The validator, the latest answer, whether there is one and the last update share one slot;
///   the agent id, evidence hash and tag take the rest. `requestURI` and `responseURI` are only
///   emitted.
contract ValidationRegistry is IValidationRegistry {
    struct Validation {
        address validatorAddress;
        uint8 response;
        bool hasResponse;
        uint64 lastUpdate;
        uint256 agentId;
        bytes32 responseHash;
        string tag;
    }

    IIdentityRegistry private immutable _IDENTITY;

    mapping(bytes32 requestHash => Validation) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    /// @notice Deploys the registry for the agents of `identityRegistry`.
    /// @param identityRegistry An ERC-8004 identity registry.
    constructor(IIdentityRegistry identityRegistry) {
        _IDENTITY = identityRegistry;
    }

    /// @inheritdoc IValidationRegistry
    function getIdentityRegistry() external view returns (address identityRegistry) {
        return address(_IDENTITY);
    }

    /// @inheritdoc IValidationRegistry
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external {
        if (validatorAddress == address(0)) revert InvalidValidator();
        // Also reverts (ERC721NonexistentToken) for an agent that does not exist. A validator may
        // open a check of an agent's work itself (a consumer's spot check of a paid answer): its
        // answer counts only for readers who list it in `getSummary`, as feedback's client does.
        bool authorized = _IDENTITY.isAuthorizedOrOwner(msg.sender, agentId);
        if (!authorized && msg.sender != validatorAddress) revert NotAgentOwnerOrOperator(agentId, msg.sender);
        Validation storage validation = _validations[requestHash];
        if (validation.validatorAddress != address(0)) revert RequestExists(requestHash);

        validation.validatorAddress = validatorAddress;
        validation.lastUpdate = uint64(block.timestamp);
        validation.agentId = agentId;
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @inheritdoc IValidationRegistry
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        Validation storage validation = _validations[requestHash];
        address validator = validation.validatorAddress;
        if (validator == address(0)) revert RequestNotFound(requestHash);
        if (msg.sender != validator) revert NotValidator(requestHash, msg.sender);
        if (response > 100) revert ResponseOutOfRange(response);

        validation.response = response;
        validation.hasResponse = true;
        validation.lastUpdate = uint64(block.timestamp);
        validation.responseHash = responseHash;
        validation.tag = tag;
        emit ValidationResponse(validator, validation.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    /// @inheritdoc IValidationRegistry
    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        )
    {
        Validation storage validation = _validations[requestHash];
        if (validation.validatorAddress == address(0)) revert RequestNotFound(requestHash);
        return (
            validation.validatorAddress,
            validation.agentId,
            validation.response,
            validation.responseHash,
            validation.tag,
            validation.lastUpdate
        );
    }

    /// @inheritdoc IValidationRegistry
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 averageResponse)
    {
        bytes32[] storage requests = _agentValidations[agentId];
        bool anyTag = bytes(tag).length == 0;
        bytes32 tagHash = keccak256(bytes(tag));
        uint256 total;
        for (uint256 i; i < requests.length; ++i) {
            Validation storage validation = _validations[requests[i]];
            if (!validation.hasResponse) continue;
            if (!_listed(validation.validatorAddress, validatorAddresses)) continue;
            if (!anyTag && keccak256(bytes(validation.tag)) != tagHash) continue;
            total += validation.response;
            ++count;
        }
        // Each response is at most 100, so the average is too.
        if (count != 0) averageResponse = uint8(total / count);
    }

    /// @inheritdoc IValidationRegistry
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory requestHashes) {
        return _agentValidations[agentId];
    }

    /// @inheritdoc IValidationRegistry
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory requestHashes) {
        return _validatorRequests[validatorAddress];
    }

    /// Whether `validator` passes the filter (an empty filter passes everyone).
    function _listed(address validator, address[] calldata validators) private pure returns (bool) {
        if (validators.length == 0) return true;
        for (uint256 i; i < validators.length; ++i) {
            if (validators[i] == validator) return true;
        }
        return false;
    }
}
