// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {GotongToken} from "../../contracts/GotongToken.sol";
import {IERC3009} from "../../contracts/interfaces/IERC3009.sol";
import {Auth} from "./utils/Authorizations.sol";
import {GotongToken3009Fixture} from "./utils/GotongToken3009Fixture.sol";

/// EIP-3009 on gUSD: the typed data, transferWithAuthorization in both forms, its gas, fuzz.
contract GotongToken3009Test is GotongToken3009Fixture {
    // ---- the typed data ----

    function test_TypehashesAndDomainAreEip3009s() public view {
        assertEq(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), TRANSFER);
        assertEq(
            TRANSFER,
            keccak256(
                "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
            )
        );
        assertEq(token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(), RECEIVE);
        assertEq(token.CANCEL_AUTHORIZATION_TYPEHASH(), CANCEL);
        assertEq(token.DOMAIN_SEPARATOR(), domainOf(token));
        assertEq(token.name(), "Gotong USD");
        assertEq(token.version(), "1");
    }

    /// The JSON x402's client hands to signTypedData, hashed by forge's own EIP-712 encoder.
    function test_DigestOfX402TypedDataJson() public {
        Auth memory a = auth(alice, 1_000_000, keccak256("x402 nonce"));
        string memory json = string.concat(
            '{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},',
            '{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],',
            '"TransferWithAuthorization":[{"name":"from","type":"address"},{"name":"to","type":"address"},',
            '{"name":"value","type":"uint256"},{"name":"validAfter","type":"uint256"},',
            '{"name":"validBefore","type":"uint256"},{"name":"nonce","type":"bytes32"}]},',
            '"primaryType":"TransferWithAuthorization",',
            string.concat(
                '"domain":{"name":"Gotong USD","version":"1","chainId":',
                vm.toString(block.chainid),
                ',"verifyingContract":"',
                vm.toString(address(token)),
                '"},'
            ),
            string.concat(
                '"message":{"from":"',
                vm.toString(a.from),
                '","to":"',
                vm.toString(a.to),
                '","value":"1000000","validAfter":"',
                vm.toString(a.validAfter),
                '","validBefore":"',
                vm.toString(a.validBefore),
                '","nonce":"',
                vm.toString(a.nonce),
                '"}}'
            )
        );
        bytes32 digest = vm.eip712HashTypedData(json);
        assertEq(digest, digestOf(token, TRANSFER, a));

        vm.prank(relayer);
        transferVrs(token, a, signed(aliceKey, digest));
        assertEq(token.balanceOf(bob), 1_000_000);
    }

    // ---- transferWithAuthorization ----

    function test_TransferWithAuthorizationVrs() public {
        Auth memory a = auth(alice, 2_500_000, keccak256("n1"));
        bytes memory sig = sign(aliceKey, a);
        assertFalse(token.authorizationState(alice, a.nonce));

        vm.expectEmit(address(token));
        emit IERC3009.AuthorizationUsed(alice, a.nonce);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, bob, 2_500_000);
        vm.prank(relayer);
        transferVrs(token, a, sig);

        assertEq(token.balanceOf(alice), 97_500_000);
        assertEq(token.balanceOf(bob), 2_500_000);
        assertEq(token.balanceOf(relayer), 0);
        assertEq(token.totalSupply(), 100_000_000);
        assertTrue(token.authorizationState(alice, a.nonce));
        assertFalse(token.authorizationState(bob, a.nonce));
    }

    function test_TransferWithAuthorizationBytes() public {
        Auth memory a = auth(alice, 2_500_000, keccak256("n1"));

        vm.expectEmit(address(token));
        emit IERC3009.AuthorizationUsed(alice, a.nonce);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, bob, 2_500_000);
        vm.prank(relayer);
        transferBytes(token, a, sign(aliceKey, a));

        assertEq(token.balanceOf(alice), 97_500_000);
        assertEq(token.balanceOf(bob), 2_500_000);
        assertTrue(token.authorizationState(alice, a.nonce));
    }

    function test_RevertWhen_Replayed() public {
        Auth memory a = auth(alice, 1_000_000, keccak256("n1"));
        bytes memory sig = sign(aliceKey, a);
        transferVrs(token, a, sig);

        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        transferVrs(token, a, sig);
        // The other form is the same authorization, so it is spent too.
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationUsedOrCanceled.selector, alice, a.nonce));
        transferBytes(token, a, sig);
        assertEq(token.balanceOf(bob), 1_000_000);
    }

    function test_WindowIsStrictOnBothEnds() public {
        Auth memory a = Auth(alice, bob, 1, NOW + 10, NOW + 20, keccak256("window"));
        bytes memory sig = sign(aliceKey, a);

        vm.warp(NOW + 10);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationNotYetValid.selector, NOW + 10));
        transferVrs(token, a, sig);

        vm.warp(NOW + 20);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationExpired.selector, NOW + 20));
        transferBytes(token, a, sig);

        vm.warp(NOW + 11);
        transferVrs(token, a, sig);
        assertEq(token.balanceOf(bob), 1);
    }

    function test_ValidUntilOneSecondBeforeValidBefore() public {
        Auth memory a = Auth(alice, bob, 1, 0, NOW + 20, keccak256("last second"));
        vm.warp(NOW + 19);
        transferBytes(token, a, sign(aliceKey, a));
        assertEq(token.balanceOf(bob), 1);
    }

    function test_RevertWhen_Expired() public {
        Auth memory a = auth(alice, 1, keccak256("late"));
        bytes memory sig = sign(aliceKey, a);
        vm.warp(a.validBefore + 1 days);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationExpired.selector, a.validBefore));
        transferVrs(token, a, sig);
        assertFalse(token.authorizationState(alice, a.nonce));
    }

    function test_RevertWhen_SignedByAnotherKey() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        Auth memory a = auth(alice, 1_000_000, keccak256("n1"));
        bytes memory sig = sign(malloryKey, a);

        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        transferVrs(token, a, sig);
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        transferBytes(token, a, sig);
        assertEq(token.balanceOf(alice), 100_000_000);
        assertFalse(token.authorizationState(alice, a.nonce));
    }

    function test_RevertWhen_AnySignedFieldChanges() public {
        Auth memory a = auth(alice, 1_000_000, keccak256("n1"));
        bytes memory sig = sign(aliceKey, a);
        Auth[4] memory tampered = [
            Auth(alice, relayer, a.value, a.validAfter, a.validBefore, a.nonce),
            Auth(alice, bob, a.value + 1, a.validAfter, a.validBefore, a.nonce),
            Auth(alice, bob, a.value, a.validAfter, a.validBefore + 1, a.nonce),
            Auth(alice, bob, a.value, a.validAfter, a.validBefore, keccak256("n2"))
        ];
        for (uint256 i; i < tampered.length; i++) {
            vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
            transferBytes(token, tampered[i], sig);
        }
        transferBytes(token, a, sig);
        assertEq(token.balanceOf(bob), 1_000_000);
    }

    function test_RevertWhen_ReceiveSignatureUsedToTransfer() public {
        Auth memory a = auth(alice, 1_000_000, keccak256("n1"));
        bytes memory sig = signed(aliceKey, digestOf(token, RECEIVE, a));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        vm.prank(bob);
        transferVrs(token, a, sig);
    }

    function test_RevertWhen_SignedForAnotherToken() public {
        GotongToken other = new GotongToken("Gotong USD", "gUSD", owner);
        vm.prank(owner);
        other.mint(alice, 1_000_000);
        Auth memory a = auth(alice, 1_000_000, keccak256("n1"));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        transferBytes(other, a, sign(aliceKey, a));
    }

    function test_RevertWhen_SignatureMalformed() public {
        Auth memory a = auth(alice, 1, keccak256("n1"));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digestOf(token, TRANSFER, a));
        // secp256k1's order: (r, n - s, v ^ 1) is the same signature, malleated.
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes[4] memory bad = [
            abi.encodePacked(r, s), // 64 bytes (ERC-2098 short signatures are not taken)
            abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27)),
            abi.encodePacked(r, s, v - 27), // v as 0/1
            new bytes(65)
        ];
        for (uint256 i; i < bad.length; i++) {
            vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
            transferBytes(token, a, bad[i]);
        }
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v - 27, r, s);
    }

    function test_RevertWhen_BalanceTooLowAndNonceStaysUnused() public {
        Auth memory a = auth(alice, 100_000_001, keccak256("n1"));
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 100_000_000, 100_000_001)
        );
        transferBytes(token, a, sign(aliceKey, a));
        assertFalse(token.authorizationState(alice, a.nonce));
    }

    // ---- gas ----

    /// One isolated transaction each (run with --isolate -vv): a payer and a payee that already
    /// hold gUSD, a random-looking nonce, submitted by a relayer, as x402's facilitator does.
    function test_GasTransferWithAuthorization() public {
        vm.prank(owner);
        token.mint(bob, 1);

        Auth memory a = auth(alice, 1_000_000, keccak256("a nonce as random as a real one"));
        vm.prank(relayer);
        transferVrs(token, a, sign(aliceKey, a));
        uint256 vrsGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("transferWithAuthorization (v, r, s)", vrsGas);
        assertLe(vrsGas, 70_000, "v, r, s");

        a = auth(alice, 1_000_000, keccak256("another nonce as random as a real one"));
        vm.prank(relayer);
        transferBytes(token, a, sign(aliceKey, a));
        uint256 bytesGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("transferWithAuthorization (bytes signature)", bytesGas);
        assertLe(bytesGas, 70_000, "bytes");
        assertEq(token.balanceOf(bob), 2_000_001);
    }

    // ---- fuzz ----

    function testFuzz_TransferWithAuthorization(
        uint256 key,
        Auth memory a,
        uint256 balance,
        uint256 time,
        bool bytesForm
    ) public {
        key = bound(key, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        a.from = vm.addr(key);
        vm.assume(a.to != address(0) && a.to != a.from && a.from.code.length == 0);
        balance = bound(balance, 0, type(uint128).max);
        a.value = bound(a.value, 0, balance);
        time = bound(time, 1, type(uint64).max);
        a.validAfter = bound(a.validAfter, 0, time - 1);
        a.validBefore = bound(a.validBefore, time + 1, type(uint256).max);
        vm.warp(time);
        vm.prank(owner);
        token.mint(a.from, balance);
        uint256 toBefore = token.balanceOf(a.to);
        bytes memory sig = signed(key, digestOf(token, TRANSFER, a));

        vm.prank(relayer);
        transferEither(token, a, sig, bytesForm);

        assertEq(token.balanceOf(a.from), balance - a.value);
        assertEq(token.balanceOf(a.to), toBefore + a.value);
        assertEq(token.totalSupply(), 100_000_000 + balance);
        assertTrue(token.authorizationState(a.from, a.nonce));
        assertFalse(token.authorizationState(a.from, a.nonce ^ bytes32(uint256(1))));
    }

    function testFuzz_RevertWhen_OutsideWindow(uint256 time, uint256 validAfter, uint256 validBefore, bool bytesForm)
        public
    {
        time = bound(time, 0, type(uint64).max);
        vm.warp(time);
        Auth memory a = Auth(alice, bob, 1, validAfter, validBefore, keccak256("outside"));
        bytes memory sig = sign(aliceKey, a);
        if (time <= validAfter) {
            vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationNotYetValid.selector, validAfter));
        } else if (time >= validBefore) {
            vm.expectRevert(abi.encodeWithSelector(IERC3009.AuthorizationExpired.selector, validBefore));
        } else {
            return;
        }
        transferEither(token, a, sig, bytesForm);
    }
}
