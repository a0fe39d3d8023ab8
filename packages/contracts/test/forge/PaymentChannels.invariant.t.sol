// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {GotongToken} from "../../contracts/GotongToken.sol";
import {PaymentChannels} from "../../contracts/PaymentChannels.sol";
import {IPaymentChannels} from "../../contracts/interfaces/IPaymentChannels.sol";
import {PaymentChannelsHandler} from "./handlers/PaymentChannelsHandler.sol";

contract PaymentChannelsInvariantTest is Test {
    GotongToken token;
    PaymentChannels channels;
    PaymentChannelsHandler handler;

    function setUp() public {
        channels = new PaymentChannels();
        token = new GotongToken("Gotong USD", "gUSD", address(this));
        handler = new PaymentChannelsHandler(channels, token);
        for (uint256 i; i < 4; i++) {
            token.mint(handler.actors(i), handler.MINTED());
        }
        targetContract(address(handler));
    }

    /// Every token deposited is held, paid to a payee or refunded to a payer; none appear or vanish.
    function invariant_TokensConserved() public view {
        assertEq(
            token.balanceOf(address(channels)) + handler.ghostPaidToPayees() + handler.ghostRefundedToPayers(),
            handler.ghostDeposited()
        );
        uint256 held;
        for (uint256 i; i < 4; i++) {
            held += token.balanceOf(handler.actors(i));
        }
        assertEq(held + token.balanceOf(address(channels)), handler.totalMinted());
    }

    /// The contract holds exactly what live channels still owe, and no channel pays past its
    /// newest signed voucher or its deposit. Every channel is found by its key; a closed one
    /// keeps nothing but its status.
    function invariant_BalanceMatchesLiveChannels() public view {
        uint256 owed;
        for (uint256 i; i < handler.channelCount(); i++) {
            bytes32 id = handler.ids(i);
            assertEq(channels.channelIdOf(handler.keyOf(id)), id);
            IPaymentChannels.Channel memory c = channels.getChannel(id);
            assertTrue(c.status != IPaymentChannels.Status.None);
            if (c.status == IPaymentChannels.Status.Closed) {
                assertEq(c.deposit + c.claimed + c.closesAt, 0);
                continue;
            }
            assertLe(c.claimed, handler.highestSigned(id));
            assertLe(handler.highestSigned(id), c.deposit);
            assertEq(c.claimed, handler.lastClaimed(id));
            owed += c.deposit - c.claimed;
        }
        assertEq(token.balanceOf(address(channels)), owed);
    }

    /// No forged voucher or wrong key paid, no payout after close, no claimed amount fell, no key
    /// opened twice.
    function invariant_NothingUnexpected() public view {
        assertEq(handler.violations(), 0);
    }
}
