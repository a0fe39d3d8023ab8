// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IReputationRegistry} from "./interfaces/IReputationRegistry.sol";

/// @title ReputationRegistry
/// @notice ERC-8004 reputation: feedback from clients to agents, stored per agent and client
/// under 1-based indexes, revocable by its client, open to responses from anyone.
/// @dev Design choices:
/// - The identity registry is fixed at construction (the ERC's `initialize` belongs to its
///   proxy deployment; a plain contract has nothing to initialize, and an open initializer could
///   be front-run).
/// - A feedback's value, decimals and revoked flag share one slot; the tags are strings, as the
///   ERC's reads return them. `endpoint`, `feedbackURI` and `feedbackHash` are only emitted.
/// - A client's last index only grows: revoking marks a feedback, it never frees its index.
/// - Responses are counted per feedback in total and per responder; nothing reads a list of
///   responders, so none is kept.
/// - `|value|` is capped at 1e38 (the reference's bound): at 18 decimals that is 1e56, so the
///   sums `getSummary` takes cannot overflow an int256 for any realistic number of entries.
/// - Reads loop over storage and suit `eth_call`, not other contracts' transactions.
contract ReputationRegistry is IReputationRegistry {
    /// @notice Largest `|value|` accepted.
    int128 public constant MAX_ABS_VALUE = 1e38;

    /// @notice Largest `valueDecimals` accepted.
    uint8 public constant MAX_VALUE_DECIMALS = 18;

    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        string tag1;
        string tag2;
    }

    /// Which feedback `readAllFeedback` lists, and the arrays it fills.
    struct Listing {
        bytes32 tag1Hash;
        bytes32 tag2Hash;
        bool includeRevoked;
        address[] clients;
        uint64[] feedbackIndexes;
        int128[] values;
        uint8[] valueDecimals;
        string[] tag1s;
        string[] tag2s;
        bool[] revokedStatuses;
    }

    bytes32 private constant EMPTY_HASH = keccak256("");

    IIdentityRegistry private immutable _IDENTITY;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 feedbackIndex => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64)) private _lastIndex;
    mapping(uint256 agentId => address[]) private _clients;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 feedbackIndex => uint64))) private
        _responseTotals;
    mapping(
        uint256 agentId
            => mapping(address client => mapping(uint64 feedbackIndex => mapping(address responder => uint64)))
    ) private _responseCounts;

    /// @notice Deploys the registry for the agents of `identityRegistry`.
    /// @param identityRegistry An ERC-8004 identity registry.
    constructor(IIdentityRegistry identityRegistry) {
        _IDENTITY = identityRegistry;
    }

    /// @inheritdoc IReputationRegistry
    function getIdentityRegistry() external view returns (address identityRegistry) {
        return address(_IDENTITY);
    }

    /// @inheritdoc IReputationRegistry
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string memory tag1,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external {
        // Memory strings take one stack slot each (calldata ones two): the event needs them all.
        uint64 feedbackIndex = _store(agentId, value, valueDecimals, tag1, tag2);
        emit NewFeedback(
            agentId,
            msg.sender,
            feedbackIndex,
            value,
            valueDecimals,
            tag1,
            tag1,
            tag2,
            endpoint,
            feedbackURI,
            feedbackHash
        );
    }

    /// @inheritdoc IReputationRegistry
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        _requireGiven(agentId, msg.sender, feedbackIndex);
        Feedback storage feedback = _feedback[agentId][msg.sender][feedbackIndex];
        if (feedback.isRevoked) revert FeedbackAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        feedback.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @inheritdoc IReputationRegistry
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        _requireGiven(agentId, clientAddress, feedbackIndex);
        if (bytes(responseURI).length == 0) revert EmptyResponseURI();
        ++_responseTotals[agentId][clientAddress][feedbackIndex];
        ++_responseCounts[agentId][clientAddress][feedbackIndex][msg.sender];
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    /// @inheritdoc IReputationRegistry
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        if (clientAddresses.length == 0) revert ClientAddressesRequired();
        (count, summaryValue, summaryValueDecimals) =
            _summary(agentId, clientAddresses, keccak256(bytes(tag1)), keccak256(bytes(tag2)));
    }

    /// @inheritdoc IReputationRegistry
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        _requireGiven(agentId, clientAddress, feedbackIndex);
        Feedback storage feedback = _feedback[agentId][clientAddress][feedbackIndex];
        return (feedback.value, feedback.valueDecimals, feedback.tag1, feedback.tag2, feedback.isRevoked);
    }

    /// @inheritdoc IReputationRegistry
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
        )
    {
        Listing memory listing = _readAll(agentId, clientAddresses, tag1, tag2, includeRevoked);
        return (
            listing.clients,
            listing.feedbackIndexes,
            listing.values,
            listing.valueDecimals,
            listing.tag1s,
            listing.tag2s,
            listing.revokedStatuses
        );
    }

    /// @inheritdoc IReputationRegistry
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count) {
        if (clientAddress != address(0) && feedbackIndex != 0) {
            return _responsesTo(agentId, clientAddress, feedbackIndex, responders);
        }
        address[] memory clients;
        if (clientAddress == address(0)) {
            clients = _clients[agentId];
        } else {
            clients = new address[](1);
            clients[0] = clientAddress;
        }
        for (uint256 i; i < clients.length; ++i) {
            uint64 last = _lastIndex[agentId][clients[i]];
            for (uint64 j = 1; j <= last; ++j) {
                count += _responsesTo(agentId, clients[i], j, responders);
            }
        }
    }

    /// @inheritdoc IReputationRegistry
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    /// @inheritdoc IReputationRegistry
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    /// Checks a new feedback from the caller, stores it and returns its index.
    function _store(uint256 agentId, int128 value, uint8 valueDecimals, string memory tag1, string memory tag2)
        private
        returns (uint64 feedbackIndex)
    {
        if (valueDecimals > MAX_VALUE_DECIMALS) revert ValueDecimalsTooLarge(valueDecimals);
        if (value > MAX_ABS_VALUE || value < -MAX_ABS_VALUE) revert ValueOutOfRange(value);
        // Also reverts (ERC721NonexistentToken) for an agent that does not exist.
        if (_IDENTITY.isAuthorizedOrOwner(msg.sender, agentId)) revert SelfFeedback(agentId, msg.sender);

        feedbackIndex = ++_lastIndex[agentId][msg.sender];
        if (feedbackIndex == 1) _clients[agentId].push(msg.sender);
        _feedback[agentId][msg.sender][feedbackIndex] =
            Feedback({value: value, valueDecimals: valueDecimals, isRevoked: false, tag1: tag1, tag2: tag2});
    }

    function _summary(uint256 agentId, address[] calldata clients, bytes32 tag1Hash, bytes32 tag2Hash)
        private
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        int256 sum;
        uint64[19] memory decimalCounts;
        for (uint256 i; i < clients.length; ++i) {
            (int256 clientSum, uint64 clientCount) = _sumOf(agentId, clients[i], tag1Hash, tag2Hash, decimalCounts);
            sum += clientSum;
            count += clientCount;
        }
        if (count == 0) return (0, 0, 0);
        summaryValueDecimals = _mode(decimalCounts);
        // The average of values of at most 1e38 is at most 1e38: it fits an int128.
        summaryValue = int128((sum / int256(uint256(count))) / int256(10 ** (18 - uint256(summaryValueDecimals))));
    }

    /// Sum at 18 decimals and count of a client's unrevoked feedback matching the tags; tallies
    /// their decimals into `decimalCounts`.
    function _sumOf(
        uint256 agentId,
        address client,
        bytes32 tag1Hash,
        bytes32 tag2Hash,
        uint64[19] memory decimalCounts
    ) private view returns (int256 sum, uint64 count) {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= last; ++j) {
            Feedback storage feedback = _feedback[agentId][client][j];
            if (feedback.isRevoked || !_tagsMatch(feedback, tag1Hash, tag2Hash)) continue;
            uint8 decimals = feedback.valueDecimals;
            sum += int256(feedback.value) * int256(10 ** (18 - uint256(decimals)));
            ++decimalCounts[decimals];
            ++count;
        }
    }

    /// The listing `readAllFeedback` returns: one pass to size the arrays, one to fill them.
    /// (Memory arguments take one stack slot each, calldata ones two: seven arrays are returned.)
    function _readAll(
        uint256 agentId,
        address[] memory clients,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    ) private view returns (Listing memory listing) {
        listing.tag1Hash = keccak256(bytes(tag1));
        listing.tag2Hash = keccak256(bytes(tag2));
        listing.includeRevoked = includeRevoked;
        if (clients.length == 0) clients = _clients[agentId];
        uint256 total = _list(agentId, clients, listing, false);
        listing.clients = new address[](total);
        listing.feedbackIndexes = new uint64[](total);
        listing.values = new int128[](total);
        listing.valueDecimals = new uint8[](total);
        listing.tag1s = new string[](total);
        listing.tag2s = new string[](total);
        listing.revokedStatuses = new bool[](total);
        _list(agentId, clients, listing, true);
    }

    /// Counts the matching feedback of `clients`; with `fill`, also writes it into the listing.
    function _list(uint256 agentId, address[] memory clients, Listing memory listing, bool fill)
        private
        view
        returns (uint256 n)
    {
        for (uint256 i; i < clients.length; ++i) {
            address client = clients[i];
            uint64 last = _lastIndex[agentId][client];
            for (uint64 j = 1; j <= last; ++j) {
                Feedback storage feedback = _feedback[agentId][client][j];
                if (feedback.isRevoked && !listing.includeRevoked) continue;
                if (!_tagsMatch(feedback, listing.tag1Hash, listing.tag2Hash)) continue;
                if (fill) {
                    listing.clients[n] = client;
                    listing.feedbackIndexes[n] = j;
                    listing.values[n] = feedback.value;
                    listing.valueDecimals[n] = feedback.valueDecimals;
                    listing.tag1s[n] = feedback.tag1;
                    listing.tag2s[n] = feedback.tag2;
                    listing.revokedStatuses[n] = feedback.isRevoked;
                }
                ++n;
            }
        }
    }

    function _responsesTo(uint256 agentId, address client, uint64 feedbackIndex, address[] calldata responders)
        private
        view
        returns (uint64 count)
    {
        if (responders.length == 0) return _responseTotals[agentId][client][feedbackIndex];
        for (uint256 k; k < responders.length; ++k) {
            count += _responseCounts[agentId][client][feedbackIndex][responders[k]];
        }
    }

    /// Whether the feedback passes both tag filters ("" passes everything).
    function _tagsMatch(Feedback storage feedback, bytes32 tag1Hash, bytes32 tag2Hash) private view returns (bool) {
        if (tag1Hash != EMPTY_HASH && keccak256(bytes(feedback.tag1)) != tag1Hash) return false;
        return tag2Hash == EMPTY_HASH || keccak256(bytes(feedback.tag2)) == tag2Hash;
    }

    /// The most frequent decimals (the lowest on a tie).
    function _mode(uint64[19] memory decimalCounts) private pure returns (uint8 mode) {
        for (uint8 d = 1; d <= 18; ++d) {
            if (decimalCounts[d] > decimalCounts[mode]) mode = d;
        }
    }

    function _requireGiven(uint256 agentId, address client, uint64 feedbackIndex) private view {
        if (feedbackIndex == 0 || feedbackIndex > _lastIndex[agentId][client]) {
            revert FeedbackNotFound(agentId, client, feedbackIndex);
        }
    }
}
