// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ReceiptFeedbackGatewayHandler} from "./handlers/ReceiptFeedbackGatewayHandler.sol";

contract ReceiptFeedbackGatewayInvariantTest is Test {
    ReceiptFeedbackGatewayHandler handler;

    function setUp() public {
        handler = new ReceiptFeedbackGatewayHandler();
        targetContract(address(handler));
    }

    /// A channel's feedback stands for exactly the money its newest counted receipt says was
    /// paid, never more than the channel's funds: no slice of money is counted twice.
    function invariant_FeedbackNeverOutweighsTheChannel() public view {
        for (uint256 i; i < handler.PAYERS(); i++) {
            assertEq(handler.ghostPaid(handler.channelId(i)), handler.countedOf(i));
            assertLe(handler.countedOf(i), handler.depositOf(i));
        }
    }

    /// Every accepted receipt is one feedback from the gateway, and the paid summary counts the
    /// unrevoked ones as the registry's summary does.
    function invariant_OneFeedbackPerAcceptedReceipt() public view {
        (uint64 given, uint64 summarized, uint64 paidSummarized) = handler.feedbackCounts();
        assertEq(given, handler.accepted());
        assertLe(summarized, given);
        assertEq(paidSummarized, summarized);
    }

    /// Nothing was accepted that should not have been, nor refused that should have counted.
    function invariant_NothingUnexpected() public view {
        assertEq(handler.violations(), 0);
    }
}
