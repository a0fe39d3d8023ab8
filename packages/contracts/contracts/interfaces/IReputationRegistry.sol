// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReputationRegistry
/// @notice The ERC-8004 reputation registry: clients post signed fixed-point feedback values
/// about agents, tagged for filtering; anyone may append responses; reads filter by client and tag.
/// @dev Functions and events are the ERC's (January 2026 text). The errors are gotong's.
interface IReputationRegistry {
    /// @notice `clientAddress` gave feedback number `feedbackIndex` (1-based, per agent and client).
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );

    /// @notice The client revoked its feedback; it keeps its index.
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);

    /// @notice `responder` appended a response to a feedback.
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    /// @notice `valueDecimals` is above 18.
    error ValueDecimalsTooLarge(uint8 valueDecimals);
    /// @notice `|value|` is above `MAX_ABS_VALUE` (1e38).
    error ValueOutOfRange(int128 value);
    /// @notice The agent's owner, or an operator or approved account of it, gave it feedback.
    error SelfFeedback(uint256 agentId, address clientAddress);
    /// @notice No feedback has this index (0, or above the client's last index).
    error FeedbackNotFound(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @notice The feedback was revoked before.
    error FeedbackAlreadyRevoked(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @notice A response needs a URI.
    error EmptyResponseURI();
    /// @notice `getSummary` needs at least one client address (unfiltered summaries invite Sybils).
    error ClientAddressesRequired();

    /// @notice The identity registry whose agents this registry rates.
    /// @return identityRegistry Its address.
    function getIdentityRegistry() external view returns (address identityRegistry);

    /// @notice Gives feedback from the caller to `agentId`.
    /// @dev Reverts for an unknown agent, for the agent's owner or its operators, for
    /// `valueDecimals` above 18 and for `|value|` above 1e38. `endpoint`, `feedbackURI` and
    /// `feedbackHash` are emitted, not stored.
    /// @param agentId The agent.
    /// @param value Signed fixed-point value.
    /// @param valueDecimals Its decimals, 0 to 18.
    /// @param tag1 Optional tag (filterable, indexed in the event).
    /// @param tag2 Optional second tag (filterable).
    /// @param endpoint Optional URI of the endpoint the feedback is about.
    /// @param feedbackURI Optional URI of an off-chain feedback file.
    /// @param feedbackHash Optional keccak256 of that file.
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string memory tag1,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external;

    /// @notice Revokes the caller's feedback `feedbackIndex`; it stays counted in `getLastIndex`.
    /// @param agentId The agent.
    /// @param feedbackIndex The caller's feedback index.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external;

    /// @notice Appends a response to a feedback (anyone: the agent showing a refund, a spam tagger).
    /// @param agentId The agent.
    /// @param clientAddress Who gave the feedback.
    /// @param feedbackIndex Its index.
    /// @param responseURI URI of the response, non-empty.
    /// @param responseHash Optional keccak256 of the response file.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external;

    /// @notice Count and average of the unrevoked feedback of `clientAddresses` matching the tags.
    /// @dev Values are averaged at 18 decimals and returned at the most frequent `valueDecimals`
    /// among them (the lowest on a tie), truncated toward zero.
    /// @param agentId The agent.
    /// @param clientAddresses Whose feedback counts; must not be empty.
    /// @param tag1 Filter, or "" for any.
    /// @param tag2 Filter, or "" for any.
    /// @return count Feedback counted.
    /// @return summaryValue Their average.
    /// @return summaryValueDecimals Its decimals.
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals);

    /// @notice One feedback. Reverts `FeedbackNotFound` for an index never given.
    /// @param agentId The agent.
    /// @param clientAddress The client.
    /// @param feedbackIndex The index, 1 to `getLastIndex`.
    /// @return value The value.
    /// @return valueDecimals Its decimals.
    /// @return tag1 First tag.
    /// @return tag2 Second tag.
    /// @return isRevoked Whether the client revoked it.
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked);

    /// @notice Every feedback matching the filters, client by client in index order.
    /// @param agentId The agent.
    /// @param clientAddresses Whose feedback; empty for every client, in first-feedback order.
    /// @param tag1 Filter, or "" for any.
    /// @param tag2 Filter, or "" for any.
    /// @param includeRevoked Whether revoked feedback is listed too.
    /// @return clients Client of each entry.
    /// @return feedbackIndexes Index of each entry.
    /// @return values Value of each entry.
    /// @return valueDecimals Decimals of each entry.
    /// @return tag1s First tag of each entry.
    /// @return tag2s Second tag of each entry.
    /// @return revokedStatuses Whether each entry is revoked.
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        );

    /// @notice Number of responses appended.
    /// @param agentId The agent.
    /// @param clientAddress One client, or the zero address for every client of the agent.
    /// @param feedbackIndex One feedback of that client, or 0 for all of them (ignored for all clients).
    /// @param responders Count only these responders; empty for everyone.
    /// @return count The number of responses.
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count);

    /// @notice Every client that gave the agent feedback, in the order of their first feedback.
    /// @param agentId The agent.
    /// @return The clients.
    function getClients(uint256 agentId) external view returns (address[] memory);

    /// @notice The client's last feedback index for the agent (its feedback count, revoked included).
    /// @param agentId The agent.
    /// @param clientAddress The client.
    /// @return The index; 0 before its first feedback.
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64);
}
