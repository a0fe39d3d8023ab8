// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IdentityRegistry} from "../../../contracts/IdentityRegistry.sol";
import {ReputationRegistry} from "../../../contracts/ReputationRegistry.sol";

/// Random feedback, revocations and responses from four clients to two agents, and from the
/// agents' operator (always refused), with a ghost copy of every feedback given.
contract ReputationRegistryHandler is Test {
    uint256 public constant CLIENTS = 4;
    uint256 public constant AGENTS = 2;

    /// One feedback as the handler gave it.
    struct Entry {
        int128 value;
        uint8 valueDecimals;
        bool revoked;
    }

    IdentityRegistry public immutable identity;
    ReputationRegistry public immutable reputation;
    address public immutable operator = makeAddr("operator");
    address[CLIENTS] public clients;
    uint256[AGENTS] public agents;

    mapping(uint256 agentId => mapping(address client => Entry[])) entries;
    mapping(uint256 agentId => address[]) ghostClients;
    mapping(uint256 agentId => uint256) public ghostResponses;
    /// An index that fell or skipped, an operator's feedback accepted, a legal call refused, an
    /// illegal revocation accepted.
    uint256 public violations;

    constructor(IdentityRegistry identity_, ReputationRegistry reputation_) {
        identity = identity_;
        reputation = reputation_;
        address owner = makeAddr("agent owner");
        vm.startPrank(owner);
        for (uint256 i; i < AGENTS; i++) {
            agents[i] = identity.register(string.concat("ipfs://agent", vm.toString(i)));
        }
        identity.setApprovalForAll(operator, true);
        vm.stopPrank();
        for (uint256 i; i < CLIENTS; i++) {
            clients[i] = makeAddr(string.concat("client", vm.toString(i)));
        }
    }

    // ---- views for the invariants ----

    function given(uint256 agentId, address client) external view returns (uint256) {
        return entries[agentId][client].length;
    }

    function entry(uint256 agentId, address client, uint256 index) external view returns (Entry memory) {
        return entries[agentId][client][index - 1];
    }

    function clientsOf(uint256 agentId) external view returns (address[] memory) {
        return ghostClients[agentId];
    }

    function unrevoked(uint256 agentId) external view returns (uint64 n) {
        for (uint256 c; c < CLIENTS; c++) {
            Entry[] storage list = entries[agentId][clients[c]];
            for (uint256 i; i < list.length; i++) {
                if (!list[i].revoked) ++n;
            }
        }
    }

    function allClients() external view returns (address[] memory list) {
        list = new address[](CLIENTS);
        for (uint256 i; i < CLIENTS; i++) {
            list[i] = clients[i];
        }
    }

    // ---- actions ----

    function give(uint256 clientSeed, uint256 agentSeed, int128 value, uint8 valueDecimals, bool asOperator) external {
        uint256 agentId = agents[agentSeed % AGENTS];
        address client = asOperator ? operator : clients[clientSeed % CLIENTS];
        value = int128(bound(value, -1e38, 1e38));
        valueDecimals = uint8(bound(valueDecimals, 0, 18));
        uint64 before = reputation.getLastIndex(agentId, client);
        vm.prank(client);
        try reputation.giveFeedback(agentId, value, valueDecimals, "t", "", "", "", 0) {
            if (asOperator) return _violation();
            if (before == 0) ghostClients[agentId].push(client);
            entries[agentId][client].push(Entry(value, valueDecimals, false));
            if (reputation.getLastIndex(agentId, client) != before + 1) _violation();
        } catch {
            if (!asOperator) _violation();
        }
    }

    function revoke(uint256 clientSeed, uint256 agentSeed, uint64 indexSeed) external {
        uint256 agentId = agents[agentSeed % AGENTS];
        address client = clients[clientSeed % CLIENTS];
        Entry[] storage list = entries[agentId][client];
        // Any index from 0 to one past the last: the out-of-range ones must be refused.
        uint64 index = uint64(bound(indexSeed, 0, list.length + 1));
        bool legal = index != 0 && index <= list.length && !list[index - 1].revoked;
        uint64 before = reputation.getLastIndex(agentId, client);
        vm.prank(client);
        try reputation.revokeFeedback(agentId, index) {
            if (!legal) return _violation();
            list[index - 1].revoked = true;
        } catch {
            if (legal) _violation();
        }
        if (reputation.getLastIndex(agentId, client) != before) _violation();
    }

    function respond(uint256 responderSeed, uint256 clientSeed, uint256 agentSeed, uint64 indexSeed) external {
        uint256 agentId = agents[agentSeed % AGENTS];
        address client = clients[clientSeed % CLIENTS];
        uint256 count = entries[agentId][client].length;
        uint64 index = uint64(bound(indexSeed, 0, count + 1));
        bool legal = index != 0 && index <= count;
        vm.prank(clients[responderSeed % CLIENTS]);
        try reputation.appendResponse(agentId, client, index, "ipfs://response", 0) {
            if (!legal) return _violation();
            ++ghostResponses[agentId];
        } catch {
            if (legal) _violation();
        }
    }

    function _violation() private {
        ++violations;
    }
}
