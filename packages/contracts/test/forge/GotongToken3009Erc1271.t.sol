// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC3009} from "../../contracts/interfaces/IERC3009.sol";
import {Auth, OwnerWallet, RevertingWallet, WrongMagicWallet} from "./utils/Authorizations.sol";
import {GotongToken3009Fixture} from "./utils/GotongToken3009Fixture.sol";

/// EIP-3009 on gUSD from smart wallets: ERC-1271 signers through both signature forms.
contract GotongToken3009Erc1271Test is GotongToken3009Fixture {
    // ---- ERC-1271 wallets ----

    function fundedWallet(address wallet) internal returns (address) {
        vm.prank(owner);
        token.mint(wallet, 10_000_000);
        return wallet;
    }

    function test_Erc1271WalletPaysThroughBothForms() public {
        address wallet = fundedWallet(address(new OwnerWallet(alice)));
        Auth memory a = auth(wallet, 4_000_000, keccak256("w1"));
        // Wrapped (longer than 65 bytes): only the bytes form can carry it.
        bytes memory wrapped = abi.encode(uint256(0), sign(aliceKey, a));
        assertGt(wrapped.length, 65);

        vm.expectEmit(address(token));
        emit IERC3009.AuthorizationUsed(wallet, a.nonce);
        vm.prank(relayer);
        transferBytes(token, a, wrapped);
        assertEq(token.balanceOf(wallet), 6_000_000);
        assertEq(token.balanceOf(bob), 4_000_000);
        assertTrue(token.authorizationState(wallet, a.nonce));

        // 65 bytes through the v, r, s form, as x402's facilitator sends any 65-byte signature.
        Auth memory b = auth(wallet, 1_000_000, keccak256("w2"));
        vm.prank(relayer);
        transferVrs(token, b, sign(aliceKey, b));
        assertEq(token.balanceOf(bob), 5_000_000);
    }

    function test_Erc1271WalletCancelsAndReceives() public {
        address wallet = fundedWallet(address(new OwnerWallet(alice)));
        bytes32 nonce = keccak256("w1");
        token.cancelAuthorization(wallet, nonce, signed(aliceKey, cancelDigestOf(token, wallet, nonce)));
        assertTrue(token.authorizationState(wallet, nonce));

        Auth memory a = auth(wallet, 1_000_000, keccak256("w2"));
        vm.prank(bob);
        receiveBytes(token, a, signed(aliceKey, digestOf(token, RECEIVE, a)));
        assertEq(token.balanceOf(bob), 1_000_000);
    }

    function test_RevertWhen_Erc1271WalletRejects() public {
        address[3] memory wallets = [
            fundedWallet(address(new OwnerWallet(alice))),
            fundedWallet(address(new WrongMagicWallet())),
            fundedWallet(address(new RevertingWallet()))
        ];
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        for (uint256 i; i < wallets.length; i++) {
            Auth memory a = auth(wallets[i], 1_000_000, keccak256("w1"));
            // The owner wallet gets a stranger's signature; the others refuse anything.
            bytes memory sig = sign(i == 0 ? malloryKey : aliceKey, a);
            vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, wallets[i]));
            transferBytes(token, a, sig);
            vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, wallets[i]));
            transferVrs(token, a, sig);
            assertEq(token.balanceOf(wallets[i]), 10_000_000);
        }
        assertEq(token.balanceOf(bob), 0);
    }

    /// A contract is never checked by ecrecover: the key that would recover to its address has no say.
    function test_RevertWhen_EoaSignatureForAContract() public {
        address wallet = fundedWallet(address(new WrongMagicWallet()));
        vm.etch(alice, wallet.code);
        Auth memory a = auth(alice, 1, keccak256("w1"));
        vm.expectRevert(abi.encodeWithSelector(IERC3009.InvalidAuthorizationSignature.selector, alice));
        transferVrs(token, a, sign(aliceKey, a));
    }
}
