// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IValidationRegistry
/// @notice The ERC-8004 validation registry: an agent asks a validator (re-execution, zkML,
/// TEE, a judge) to check its work; the validator answers 0 to 100, as often as it likes.
/// @dev Functions and events are the ERC's (January 2026 text). The errors are gotong's.
interface IValidationRegistry {
    /// @notice The agent's owner or operator asked `validatorAddress` to validate `requestHash`.
    event ValidationRequest(
        address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash
    );

    /// @notice The validator answered (again) for `requestHash`.
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    /// @notice The validator is the zero address.
    error InvalidValidator();
    /// @notice A request with this hash exists already.
    error RequestExists(bytes32 requestHash);
    /// @notice `caller` is neither the agent's owner, an operator of the owner, nor approved for it.
    error NotAgentOwnerOrOperator(uint256 agentId, address caller);
    /// @notice No request has this hash.
    error RequestNotFound(bytes32 requestHash);
    /// @notice Only the validator named in the request may answer it.
    error NotValidator(bytes32 requestHash, address caller);
    /// @notice The response is above 100.
    error ResponseOutOfRange(uint8 response);

    /// @notice The identity registry whose agents this registry validates.
    /// @return identityRegistry Its address.
    function getIdentityRegistry() external view returns (address identityRegistry);

    /// @notice Asks `validatorAddress` to validate the work committed to by `requestHash`.
    /// @dev Owner, operator or approved of `agentId` only; each `requestHash` is requested once.
    /// @param validatorAddress Who may answer.
    /// @param agentId The agent whose work it is.
    /// @param requestURI Off-chain data the validator needs (inputs, outputs).
    /// @param requestHash keccak256 of that data; identifies the request.
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external;

    /// @notice The validator's answer, 0 (failed) to 100 (passed); may be given again to update it.
    /// @param requestHash The request.
    /// @param response 0 to 100.
    /// @param responseURI Optional URI of evidence (emitted, not stored).
    /// @param responseHash Optional keccak256 of the evidence.
    /// @param tag Optional label (e.g. "soft-finality").
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external;

    /// @notice A request and its latest answer. Reverts `RequestNotFound` for an unknown hash.
    /// @param requestHash The request.
    /// @return validatorAddress Who may answer.
    /// @return agentId The agent.
    /// @return response The latest answer (0 before any).
    /// @return responseHash Its evidence hash.
    /// @return tag Its tag.
    /// @return lastUpdate When it was requested or last answered (unix seconds).
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
        );

    /// @notice Count and integer average of the agent's answered requests matching the filters.
    /// @param agentId The agent.
    /// @param validatorAddresses Only these validators; empty for all.
    /// @param tag Only answers with this tag; "" for any.
    /// @return count Answered requests counted.
    /// @return averageResponse Their average response, rounded down.
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 averageResponse);

    /// @notice Every request hash made for the agent, in request order.
    /// @param agentId The agent.
    /// @return requestHashes The hashes.
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory requestHashes);

    /// @notice Every request hash addressed to the validator, in request order.
    /// @param validatorAddress The validator.
    /// @return requestHashes The hashes.
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory requestHashes);
}
