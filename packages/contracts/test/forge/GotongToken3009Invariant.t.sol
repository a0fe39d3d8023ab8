// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {GotongToken} from "../../contracts/GotongToken.sol";
import {GotongToken3009Handler} from "./handlers/GotongToken3009Handler.sol";

contract GotongToken3009InvariantTest is Test {
    GotongToken token;
    GotongToken3009Handler handler;

    function setUp() public {
        vm.warp(1_750_000_000);
        address owner = makeAddr("owner");
        token = new GotongToken("Gotong USD", "gUSD", owner);
        handler = new GotongToken3009Handler(token, owner);
        targetContract(address(handler));
    }

    /// Authorizations move tokens between holders and never create or destroy any.
    function invariant_SupplyIsWhatWasMinted() public view {
        uint256 held;
        for (uint256 i; i < 3; i++) {
            held += token.balanceOf(handler.actors(i));
        }
        assertEq(held, token.totalSupply());
        assertEq(token.totalSupply(), handler.ghostMinted());
    }

    /// No nonce moved tokens twice or after a cancellation, no forged signature or wrong caller
    /// got through, and no good authorization was refused.
    function invariant_EachAuthorizationWorksOnceAndOnlyIfSigned() public view {
        assertEq(handler.violations(), 0);
    }

    /// Every nonce that was used or canceled reads as spent.
    function invariant_SpentNoncesStaySpent() public view {
        for (uint256 i; i < handler.spentCount(); i++) {
            assertTrue(token.authorizationState(handler.spentBy(i), handler.spentNonce(i)));
        }
    }
}
