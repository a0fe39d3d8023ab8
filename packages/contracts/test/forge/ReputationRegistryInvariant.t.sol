// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IdentityRegistry} from "../../contracts/IdentityRegistry.sol";
import {ReputationRegistry} from "../../contracts/ReputationRegistry.sol";
import {ReputationRegistryHandler} from "./handlers/ReputationRegistryHandler.sol";

contract ReputationRegistryInvariantTest is Test {
    IdentityRegistry identity;
    ReputationRegistry reputation;
    ReputationRegistryHandler handler;

    function setUp() public {
        identity = new IdentityRegistry();
        reputation = new ReputationRegistry(identity);
        handler = new ReputationRegistryHandler(identity, reputation);
        targetContract(address(handler));
    }

    /// Each client's last index is the number of feedbacks it gave that agent, revoked ones
    /// included: indexes are per agent and client, start at 1 and only grow.
    function invariant_LastIndexCountsEveryFeedbackOfTheClient() public view {
        for (uint256 a; a < handler.AGENTS(); a++) {
            uint256 agentId = handler.agents(a);
            for (uint256 c; c < handler.CLIENTS(); c++) {
                address client = handler.clients(c);
                assertEq(reputation.getLastIndex(agentId, client), handler.given(agentId, client));
            }
            assertEq(reputation.getLastIndex(agentId, handler.operator()), 0);
        }
    }

    /// Every index reads back what was given under it, revoked or not.
    function invariant_EveryIndexReadsBackItsFeedback() public view {
        for (uint256 a; a < handler.AGENTS(); a++) {
            uint256 agentId = handler.agents(a);
            for (uint256 c; c < handler.CLIENTS(); c++) {
                address client = handler.clients(c);
                uint256 n = handler.given(agentId, client);
                for (uint64 i = 1; i <= n; i++) {
                    ReputationRegistryHandler.Entry memory e = handler.entry(agentId, client, i);
                    (int128 value, uint8 decimals,,, bool revoked) = reputation.readFeedback(agentId, client, i);
                    assertEq(value, e.value);
                    assertEq(decimals, e.valueDecimals);
                    assertEq(revoked, e.revoked);
                }
            }
        }
    }

    /// Clients are listed once each, in the order of their first feedback; summaries count the
    /// unrevoked feedback, listings all of it; responses are all counted.
    function invariant_ClientsSummariesAndResponses() public view {
        address[] memory everyone = handler.allClients();
        for (uint256 a; a < handler.AGENTS(); a++) {
            uint256 agentId = handler.agents(a);
            assertEq(reputation.getClients(agentId), handler.clientsOf(agentId));
            (uint64 count,,) = reputation.getSummary(agentId, everyone, "", "");
            assertEq(count, handler.unrevoked(agentId));
            (address[] memory listed,,,,,,) = reputation.readAllFeedback(agentId, new address[](0), "", "", false);
            assertEq(listed.length, handler.unrevoked(agentId));
            assertEq(
                reputation.getResponseCount(agentId, address(0), 0, new address[](0)), handler.ghostResponses(agentId)
            );
        }
    }

    /// No index fell or skipped, no operator rated its agent, no legal call was refused and no
    /// illegal revocation or response was accepted.
    function invariant_NothingUnexpected() public view {
        assertEq(handler.violations(), 0);
    }
}
