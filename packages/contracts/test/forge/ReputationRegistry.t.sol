// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IReputationRegistry} from "../../contracts/interfaces/IReputationRegistry.sol";
import {Erc8004Fixture} from "./utils/Erc8004Fixture.sol";

contract ReputationRegistryTest is Erc8004Fixture {
    address owner = makeAddr("owner");
    address operator = makeAddr("operator");
    address alice = makeAddr("alice");
    address bob = makeAddr("bob");
    address carol = makeAddr("carol");
    uint256 agentId;

    function setUp() public {
        deployRegistries();
        agentId = registerAs(owner, "ipfs://agent");
    }

    function give(address client, int128 value, uint8 decimals, string memory tag1, string memory tag2) internal {
        vm.prank(client);
        reputation.giveFeedback(agentId, value, decimals, tag1, tag2, "", "", bytes32(0));
    }

    function clients(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function clients(address a, address b) internal pure returns (address[] memory list) {
        list = new address[](2);
        list[0] = a;
        list[1] = b;
    }

    function assertSummary(address[] memory from, string memory tag1, uint64 count, int128 value, uint8 decimals)
        internal
        view
    {
        (uint64 c, int128 v, uint8 d) = reputation.getSummary(agentId, from, tag1, "");
        assertEq(c, count, "count");
        assertEq(v, value, "summaryValue");
        assertEq(d, decimals, "summaryValueDecimals");
    }

    // ---- giving ----

    function test_GiveFeedbackStoresItAndEmitsEveryField() public {
        assertEq(reputation.getIdentityRegistry(), address(identity));
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.NewFeedback(
            agentId, alice, 1, 87, 0, "starred", "starred", "week", "https://a.example/x", "ipfs://f", keccak256("f")
        );
        vm.prank(alice);
        reputation.giveFeedback(agentId, 87, 0, "starred", "week", "https://a.example/x", "ipfs://f", keccak256("f"));

        (int128 value, uint8 decimals, string memory tag1, string memory tag2, bool revoked) =
            reputation.readFeedback(agentId, alice, 1);
        assertEq(value, 87);
        assertEq(decimals, 0);
        assertEq(tag1, "starred");
        assertEq(tag2, "week");
        assertFalse(revoked);
        assertEq(reputation.getLastIndex(agentId, alice), 1);
        assertEq(reputation.getClients(agentId), clients(alice));
    }

    function test_IndexesCountPerClientFromOne() public {
        give(alice, 1, 0, "", "");
        give(bob, 2, 0, "", "");
        give(alice, 3, 0, "", "");
        assertEq(reputation.getLastIndex(agentId, alice), 2);
        assertEq(reputation.getLastIndex(agentId, bob), 1);
        assertEq(reputation.getLastIndex(agentId, carol), 0);
        (int128 second,,,,) = reputation.readFeedback(agentId, alice, 2);
        assertEq(second, 3);
        // Clients in first-feedback order, once each.
        assertEq(reputation.getClients(agentId), clients(alice, bob));
        // Another agent's indexes are its own.
        uint256 other = registerAs(owner, "");
        vm.prank(alice);
        reputation.giveFeedback(other, 5, 0, "", "", "", "", 0);
        assertEq(reputation.getLastIndex(other, alice), 1);
    }

    function test_TheAgentsOwnerAndOperatorsCannotRateIt() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.SelfFeedback.selector, agentId, owner));
        give(owner, 100, 0, "", "");
        vm.prank(owner);
        identity.setApprovalForAll(operator, true);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.SelfFeedback.selector, agentId, operator));
        give(operator, 100, 0, "", "");
        vm.prank(owner);
        identity.approve(carol, agentId);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.SelfFeedback.selector, agentId, carol));
        give(carol, 100, 0, "", "");
    }

    function test_GiveFeedbackRefusesBadValuesAndUnknownAgents() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ValueDecimalsTooLarge.selector, 19));
        give(alice, 1, 19, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ValueOutOfRange.selector, int128(1e38 + 1)));
        give(alice, 1e38 + 1, 0, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ValueOutOfRange.selector, -int128(1e38 + 1)));
        give(alice, -1e38 - 1, 0, "", "");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        vm.prank(alice);
        reputation.giveFeedback(9, 1, 0, "", "", "", "", 0);
        // The bounds themselves are fine.
        give(alice, 1e38, 18, "", "");
        give(alice, -1e38, 0, "", "");
        assertEq(reputation.getLastIndex(agentId, alice), 2);
    }

    // ---- revoking and responses ----

    function test_RevokeKeepsTheIndexAndHidesTheFeedbackFromSummaries() public {
        give(alice, 10, 0, "", "");
        give(alice, 20, 0, "", "");
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.FeedbackRevoked(agentId, alice, 1);
        vm.prank(alice);
        reputation.revokeFeedback(agentId, 1);

        (,,,, bool revoked) = reputation.readFeedback(agentId, alice, 1);
        assertTrue(revoked);
        assertEq(reputation.getLastIndex(agentId, alice), 2);
        assertSummary(clients(alice), "", 1, 20, 0);
        give(alice, 30, 0, "", "");
        assertEq(reputation.getLastIndex(agentId, alice), 3);
    }

    function test_RevokeRefusals() public {
        give(alice, 10, 0, "", "");
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, alice, 0));
        reputation.revokeFeedback(agentId, 0);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, alice, 2));
        reputation.revokeFeedback(agentId, 2);
        reputation.revokeFeedback(agentId, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackAlreadyRevoked.selector, agentId, alice, 1));
        reputation.revokeFeedback(agentId, 1);
        vm.stopPrank();
        // Only the client's own: bob has no feedback 1.
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, bob, 1));
        vm.prank(bob);
        reputation.revokeFeedback(agentId, 1);
    }

    function test_AnyoneAppendsResponsesAndTheyAreCounted() public {
        give(alice, 10, 0, "", "");
        give(alice, 20, 0, "", "");
        give(bob, 30, 0, "", "");
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.ResponseAppended(agentId, alice, 1, owner, "ipfs://refund", keccak256("refund"));
        vm.prank(owner);
        reputation.appendResponse(agentId, alice, 1, "ipfs://refund", keccak256("refund"));
        vm.prank(carol);
        reputation.appendResponse(agentId, alice, 1, "ipfs://spam", 0);
        vm.prank(carol);
        reputation.appendResponse(agentId, alice, 2, "ipfs://spam", 0);
        vm.prank(carol);
        reputation.appendResponse(agentId, bob, 1, "ipfs://spam", 0);

        address[] memory anyone = new address[](0);
        assertEq(reputation.getResponseCount(agentId, alice, 1, anyone), 2);
        assertEq(reputation.getResponseCount(agentId, alice, 1, clients(owner)), 1);
        assertEq(reputation.getResponseCount(agentId, alice, 0, anyone), 3);
        assertEq(reputation.getResponseCount(agentId, alice, 0, clients(carol)), 2);
        assertEq(reputation.getResponseCount(agentId, address(0), 0, anyone), 4);
        assertEq(reputation.getResponseCount(agentId, address(0), 0, clients(owner, carol)), 4);
        assertEq(reputation.getResponseCount(agentId, bob, 1, clients(owner)), 0);

        vm.expectRevert(IReputationRegistry.EmptyResponseURI.selector);
        reputation.appendResponse(agentId, alice, 1, "", 0);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, bob, 2));
        reputation.appendResponse(agentId, bob, 2, "ipfs://r", 0);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, bob, 0));
        reputation.appendResponse(agentId, bob, 0, "ipfs://r", 0);
    }

    // ---- reads ----

    function test_SummaryAveragesAtTheMostFrequentDecimals() public {
        give(alice, 9977, 2, "uptime", ""); // 99.77
        give(alice, 9900, 2, "uptime", ""); // 99.00
        give(bob, 95, 0, "uptime", ""); // 95
        give(bob, -5, 0, "tradingYield", "");
        // (99.77 + 99.00 + 95) / 3 = 97.923…, at 2 decimals (two of three): 9792.
        assertSummary(clients(alice, bob), "uptime", 3, 9792, 2);
        assertSummary(clients(bob), "tradingYield", 1, -5, 0);
        assertSummary(clients(bob), "", 2, 45, 0);
        // A tie between 0 and 2 decimals: the lower wins; (99.77 + 95) / 2 = 97.385 → 97.
        vm.prank(alice);
        reputation.revokeFeedback(agentId, 2);
        assertSummary(clients(alice, bob), "uptime", 2, 97, 0);
        assertSummary(clients(carol), "", 0, 0, 0);
        // Negative averages truncate toward zero, as Solidity divides.
        give(carol, -1, 0, "x", "");
        give(carol, -2, 0, "x", "");
        assertSummary(clients(carol), "x", 2, -1, 0);
    }

    function test_SummaryFiltersByTag2AndNeedsClients() public {
        give(alice, 1, 0, "yield", "day");
        give(alice, 3, 0, "yield", "week");
        (uint64 count, int128 value,) = reputation.getSummary(agentId, clients(alice), "", "week");
        assertEq(count, 1);
        assertEq(value, 3);
        vm.expectRevert(IReputationRegistry.ClientAddressesRequired.selector);
        reputation.getSummary(agentId, new address[](0), "", "");
    }

    function test_ReadAllFeedbackFiltersByClientTagAndRevocation() public {
        give(alice, 10, 0, "a", "x");
        give(bob, 20, 1, "b", "x");
        give(alice, 30, 0, "a", "y");
        vm.prank(alice);
        reputation.revokeFeedback(agentId, 1);

        (
            address[] memory who,
            uint64[] memory indexes,
            int128[] memory values,
            uint8[] memory decimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revoked
        ) = reputation.readAllFeedback(agentId, new address[](0), "", "", false);
        // Every client (first-feedback order), revoked ones left out.
        assertEq(who.length, 2);
        assertEq(who[0], alice);
        assertEq(indexes[0], 2);
        assertEq(values[0], 30);
        assertEq(tag2s[0], "y");
        assertEq(who[1], bob);
        assertEq(decimals[1], 1);
        assertEq(tag1s[1], "b");
        assertFalse(revoked[0] || revoked[1]);

        (who, indexes,,,,, revoked) = reputation.readAllFeedback(agentId, clients(alice), "a", "", true);
        assertEq(who.length, 2);
        assertEq(indexes[0], 1);
        assertTrue(revoked[0]);
        assertEq(indexes[1], 2);
        (who,,,,,,) = reputation.readAllFeedback(agentId, clients(bob), "", "y", true);
        assertEq(who.length, 0);
    }

    function test_ReadFeedbackOfAnIndexNeverGiven() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, alice, 1));
        reputation.readFeedback(agentId, alice, 1);
        give(alice, 1, 0, "", "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.FeedbackNotFound.selector, agentId, alice, 0));
        reputation.readFeedback(agentId, alice, 0);
    }

    // ---- gas ----

    /// One isolated transaction each (run with --isolate -vv to see them).
    function test_GasGiveFeedback() public {
        give(bob, 1, 0, "", "");
        vm.prank(alice);
        reputation.giveFeedback(agentId, 87, 0, "starred", "", "https://agent.example/mcp", "", bytes32(0));
        uint256 first = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("giveFeedback, a client's first", first);
        assertLe(first, 150_000, "first giveFeedback");
        vm.prank(alice);
        reputation.giveFeedback(agentId, 91, 0, "starred", "", "https://agent.example/mcp", "", bytes32(0));
        emit log_named_uint("giveFeedback, a client's next", vm.lastCallGas().gasTotalUsed);
    }
}
