// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GotongToken} from "../../../contracts/GotongToken.sol";
import {Auth, Authorizations} from "./Authorizations.sol";

/// A token with 100 gUSD minted to alice, at a fixed time, and x402-shaped authorizations to bob.
abstract contract GotongToken3009Fixture is Authorizations {
    GotongToken token;
    address owner = makeAddr("owner");
    address alice;
    uint256 aliceKey;
    address bob = makeAddr("bob");
    address relayer = makeAddr("relayer");
    uint256 constant NOW = 1_750_000_000;

    function setUp() public {
        vm.warp(NOW);
        (alice, aliceKey) = makeAddrAndKey("alice");
        token = new GotongToken("Gotong USD", "gUSD", owner);
        vm.prank(owner);
        token.mint(alice, 100_000_000);
    }

    /// What x402's exact client signs: valid from 10 minutes ago for 60 seconds.
    function auth(address from, uint256 value, bytes32 nonce) internal view returns (Auth memory) {
        return Auth(from, bob, value, block.timestamp - 600, block.timestamp + 60, nonce);
    }

    /// `key`'s `TransferWithAuthorization` signature, 65 bytes.
    function sign(uint256 key, Auth memory a) internal view returns (bytes memory) {
        return signed(key, digestOf(token, TRANSFER, a));
    }
}
