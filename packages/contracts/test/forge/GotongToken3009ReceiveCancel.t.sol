// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3009} from "../../contracts/interfaces/IERC3009.sol";
import {Auth} from "./utils/Authorizations.sol";
import {GotongToken3009Fixture} from "./utils/GotongToken3009Fixture.sol";

/// EIP-3009 on gUSD: receiveWithAuthorization (payee only) and cancelAuthorization.
contract GotongToken3009ReceiveCancelTest is GotongToken3009Fixture {
    // ---- receiveWithAuthorization ----

    function test_ReceiveWithAuthorizationByThePayee() public {
        Auth memory a = auth(alice, 3_000_000, keccak256("r1"));
        bytes memory sig = signed(aliceKey, digestOf(token, RECEIVE, a));

        vm.expectEmit(address(token));
        emit IERC3009.AuthorizationUsed(alice, a.nonce);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, bob, 3_000_000);
        vm.prank(bob);
        receiveVrs(token, a, sig);

        assertEq(token.balanceOf(bob), 3_000_000);
        assertTrue(token.authorizationState(alice, a.nonce));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        vm.prank(bob);
        receiveBytes(token, a, sig);
    }

    function test_RevertWhen_ReceiveCalledByOtherThanPayee() public {
        Auth memory a = auth(alice, 3_000_000, keccak256("r1"));
        bytes memory sig = signed(aliceKey, digestOf(token, RECEIVE, a));

        vm.expectRevert(abi.encodeWithSelector(IERC3009.CallerNotPayee.selector, relayer, bob));
        vm.prank(relayer);
        receiveVrs(token, a, sig);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.CallerNotPayee.selector, alice, bob));
        vm.prank(alice);
        receiveBytes(token, a, sig);
        assertEq(token.balanceOf(bob), 0);
        assertFalse(token.authorizationState(alice, a.nonce));
        // A transfer signature does not pass for a receive one, even from the payee.
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        vm.prank(bob);
        receiveBytes(token, a, sign(aliceKey, a));
    }

    // ---- cancelAuthorization ----

    function test_CancelThenUseAndCancelAgainRefused() public {
        Auth memory a = auth(alice, 1_000_000, keccak256("c1"));
        bytes memory transferSig = sign(aliceKey, a);
        bytes memory cancelSig = signed(aliceKey, cancelDigestOf(token, alice, a.nonce));

        vm.expectEmit(address(token));
        emit IERC3009.AuthorizationCanceled(alice, a.nonce);
        vm.prank(relayer);
        cancelVrs(token, alice, a.nonce, cancelSig);
        assertTrue(token.authorizationState(alice, a.nonce));

        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        transferVrs(token, a, transferSig);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        token.cancelAuthorization(alice, a.nonce, cancelSig);
        assertEq(token.balanceOf(alice), 100_000_000);
    }

    function test_RevertWhen_CancelingAUsedAuthorization() public {
        Auth memory a = auth(alice, 1, keccak256("c1"));
        transferBytes(token, a, sign(aliceKey, a));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        token.cancelAuthorization(alice, a.nonce, signed(aliceKey, cancelDigestOf(token, alice, a.nonce)));
    }

    function test_RevertWhen_CancelSignedByAnotherKey() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes32 nonce = keccak256("c1");
        bytes memory sig = signed(malloryKey, cancelDigestOf(token, alice, nonce));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        cancelVrs(token, alice, nonce, sig);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        token.cancelAuthorization(alice, nonce, sig);
        assertFalse(token.authorizationState(alice, nonce));
    }

    /// No window applies to a cancellation: an expired authorization's nonce can still be burned.
    function test_CancelAfterExpiry() public {
        Auth memory a = auth(alice, 1, keccak256("c1"));
        vm.warp(a.validBefore + 1);
        cancelVrs(token, alice, a.nonce, signed(aliceKey, cancelDigestOf(token, alice, a.nonce)));
        assertTrue(token.authorizationState(alice, a.nonce));
    }
}
